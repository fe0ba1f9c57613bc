/** Kill Redis mid-run (SIGKILL): every request still succeeds from the store, health reports the cache as degraded. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, type RedisCluster } from '../support/redis.js';
import { startService, type TestService } from '../support/service.js';

const fixture = readFileSync(
  new URL('../../shared/chan-analysis/test/fixtures/cn_sse000001_1d.csv', import.meta.url),
  'utf8',
);

describe('cache outage', () => {
  let redis: RedisCluster;
  let svc: TestService;
  beforeAll(async () => {
    redis = await startRedisCluster();
    svc = await startService({ redisUrl: redis.url, env: { CACHE_COOLDOWN_MS: '2000' } });
    await svc.uploadCsv('000001.SH', '1d', fixture);
  });
  afterAll(async () => {
    await svc?.stop();
    await redis?.stop();
  });

  const requests = (i: number): [string, RequestInit?][] => [
    ['/health'],
    ['/api/v1/symbols'],
    ['/api/v1/klines/000001.SH?interval=1d&limit=200'],
    [`/api/v1/klines/000001.SH?interval=1d&from=2010-01-01&to=2012-0${1 + (i % 9)}-01`],
    ['/api/v1/analysis/000001.SH?interval=1d&from=2016-01-01'],
    [
      '/api/v1/klines/000001.SH?interval=1d',
      {
        method: 'POST',
        headers: { 'x-api-key': svc.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify([{ time: '2020-07-17', open: 3200, high: 3250 + i, low: 3180, close: 3210, volume: 1 }]),
      },
    ],
  ];

  it('serves every request before, during and after killing redis', async () => {
    // Warm: the cache is in use (the second identical analysis is a hit) before it dies.
    expect((await svc.fetch('/api/v1/analysis/000001.SH?interval=1d&from=2016-01-01')).headers.get('x-cache')).toBe(
      'MISS',
    );
    expect((await svc.fetch('/api/v1/analysis/000001.SH?interval=1d&from=2016-01-01')).headers.get('x-cache')).toBe(
      'HIT',
    );
    for (const [p, init] of requests(0)) expect((await svc.fetch(p, init)).status, p).toBe(200);

    await redis.kill();

    const slow: string[] = [];
    for (let round = 1; round <= 4; round++) {
      for (const [p, init] of requests(round)) {
        const t0 = performance.now();
        const r = await svc.fetch(p, init);
        const text = await r.text();
        expect(r.status, `${p} → ${text.slice(0, 200)}`).toBe(200);
        if (performance.now() - t0 > 3000) slow.push(p);
      }
    }
    expect(slow).toEqual([]);
    const health = (await (await svc.fetch('/health')).json()) as {
      status: string;
      components: { cache: string; database: string };
    };
    expect(health).toMatchObject({
      status: 'degraded',
      components: { database: '已连接', cache: '不可用（已降级到数据库）' },
    });
    // The POSTed corrections were applied through the store: the last bar reflects round 4.
    const last = (await (await svc.fetch('/api/v1/klines/000001.SH?interval=1d&limit=1')).json()) as {
      bars: { high: number }[];
    };
    expect(last.bars[0]!.high).toBe(3254);
  });
});
