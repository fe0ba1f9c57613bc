/**
 * Under load (issue 16): a burst of identical cache misses is one store read and one analysis per key in an
 * instance, the other requests awaiting the same run; and a dependency that does not answer is a 503 with
 * Retry-After and a message saying a retry can help, never a 500. The store that never answers is a TCP server that
 * accepts connections and stays silent; the cache that never answers is a real Redis cluster node stopped with
 * SIGSTOP (the store then serves, so requests succeed).
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/common/deps.js';
import { startRedisCluster, type RedisCluster } from '../support/redis.js';
import { startService, type TestService } from '../support/service.js';

const BARS = Array.from({ length: 800 }, (_, i) => {
  const c = 100 + 20 * Math.sin(i / 9) + 5 * Math.sin(i / 2.3);
  return { time: Date.UTC(2018, 0, 1) + i * 86_400_000, open: c, high: c + 2, low: c - 2, close: c + 1, volume: 1 };
});

/** The same object, with every method call recorded (name and arguments). */
function counted<T extends object>(target: T, calls: { method: string; args: unknown[] }[]): T {
  return new Proxy(target, {
    get(t, prop, receiver) {
      const v = Reflect.get(t, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        calls.push({ method: String(prop), args });
        return (v as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
}

async function silentServer(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

async function seed(svc: TestService): Promise<void> {
  const h = { 'x-api-key': svc.apiKey, 'content-type': 'application/json' };
  const put = await svc.fetch('/api/v1/symbols/SPY', {
    method: 'PUT',
    headers: h,
    body: JSON.stringify({ provider: 'upload', intervals: ['1d'] }),
  });
  expect(put.status).toBe(201);
  const up = await svc.fetch('/api/v1/klines/SPY?interval=1d', {
    method: 'POST',
    headers: h,
    body: JSON.stringify(BARS),
  });
  expect(up.status).toBe(200);
}

function expect503(status: number, headers: Headers, text: string, what: string) {
  expect(status, `${what}: ${text.slice(0, 200)}`).toBe(503);
  expect(Number(headers.get('retry-after')), what).toBeGreaterThan(0);
  const b = JSON.parse(text) as { error: string; message: string };
  expect(b.error).toBe('ServiceUnavailable');
  expect(b.message).toMatch(/temporary, retry after \d+ s/);
}

describe('identical concurrent cache misses coalesce', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startService({ env: { LOG_LEVEL: 'SILENT' } });
    await seed(svc);
  });
  afterAll(async () => svc?.stop());

  it.each([25, 50])(
    '%i concurrent GET analysis on a cold cache: one series read, each bucket once, one analysis',
    async (n) => {
      const { getDeps, setDeps } = await import('../../functions/common/deps.js');
      // Empty the process cache: every request of the burst starts with a miss on meta, buckets and the analysis.
      await getDeps().cache.inner.close();
      const store: { method: string; args: unknown[] }[] = [];
      const cache: { method: string; args: unknown[] }[] = [];
      const real = getDeps();
      setDeps({ klines: counted(real.klines, store), cache: counted(real.cache, cache) as Deps['cache'] });
      try {
        const url = `/api/v1/analysis/SPY?interval=1d&include=bars`;
        const answers = await Promise.all(Array.from({ length: n }, () => svc.fetch(url)));
        const bodies = await Promise.all(answers.map((r) => r.text()));
        expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));
        expect(new Set(bodies).size).toBe(1);
        expect((JSON.parse(bodies[0]!) as { barCount: number }).barCount).toBe(BARS.length);

        expect(store.filter((c) => c.method === 'getSeries')).toHaveLength(1);
        const buckets = store.filter((c) => c.method === 'readBucket').map((c) => (c.args[2] as { id: string }).id);
        expect(buckets.length).toBeGreaterThan(0);
        expect(new Set(buckets).size).toBe(buckets.length);
        // One analysis = one analysis document stored in the cache.
        const analysisSets = cache.filter((c) => c.method === 'set' && String(c.args[0]).includes(':a:'));
        expect(analysisSets).toHaveLength(1);
      } finally {
        setDeps(real);
      }
    },
  );

  it('a failed run is not handed to later requests', async () => {
    // The series key is shared; an unknown symbol is a 404 for every concurrent caller and the next one alike.
    const answers = await Promise.all(Array.from({ length: 10 }, () => svc.fetch('/api/v1/analysis/NOPE?interval=1d')));
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 404));
    expect((await svc.fetch('/api/v1/analysis/SPY?interval=1d')).status).toBe(200);
  });
});

describe('a store that never answers: 503 with Retry-After, never 500', () => {
  let silent: Awaited<ReturnType<typeof silentServer>>;
  let svc: TestService;
  const saved = { ...process.env };
  beforeAll(async () => {
    silent = await silentServer();
    svc = await startService({
      env: {
        LOG_LEVEL: 'SILENT',
        AWS_ENDPOINT_URL_DYNAMODB: silent.endpoint,
        DYNAMODB_CONNECT_TIMEOUT_MS: '200',
        DYNAMODB_REQUEST_TIMEOUT_MS: '200',
      },
    });
  });
  afterAll(async () => {
    await svc?.stop();
    await silent?.close();
    // startService writes its environment into process.env: the short store timeouts must not outlive this block.
    for (const k of ['AWS_ENDPOINT_URL_DYNAMODB', 'DYNAMODB_CONNECT_TIMEOUT_MS', 'DYNAMODB_REQUEST_TIMEOUT_MS'])
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
  });

  it.each([
    ['GET', '/api/v1/symbols'],
    ['GET', '/api/v1/klines/SPY?interval=1d'],
    ['GET', '/api/v1/analysis/SPY?interval=1d'],
    ['GET', '/api/v1/jobs/00000000-0000-4000-8000-000000000000'],
    ['PUT', '/api/v1/symbols/SPY', { provider: 'upload', intervals: ['1d'] }],
    ['POST', '/api/v1/klines/SPY?interval=1d', BARS.slice(0, 5)],
  ] as const)('%s %s', async (method, path, body?: unknown) => {
    const r = await svc.fetch(path, {
      method,
      headers: { 'x-api-key': svc.apiKey, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect503(r.status, r.headers, await r.text(), `${method} ${path}`);
  });

  it('concurrent requests all get the 503 (one shared store read per key)', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => svc.fetch('/api/v1/analysis/SPY?interval=1d')));
    for (const r of answers) expect503(r.status, r.headers, await r.text(), 'burst');
  });
});

describe('a cache that never answers: the store serves', () => {
  let redis: RedisCluster;
  let svc: TestService;
  let stopped = false;
  beforeAll(async () => {
    redis = await startRedisCluster();
    svc = await startService({
      redisUrl: redis.url,
      env: {
        LOG_LEVEL: 'SILENT',
        CACHE_CONNECT_TIMEOUT_MS: '200',
        CACHE_COMMAND_TIMEOUT_MS: '100',
        CACHE_COOLDOWN_MS: '0',
      },
    });
    await seed(svc);
  });
  afterEach(() => {
    if (stopped) process.kill(redis.pid, 'SIGCONT');
    stopped = false;
  });
  afterAll(async () => {
    await svc?.stop();
    await redis?.stop();
  });

  it('every read succeeds while redis is frozen (SIGSTOP), each miss paying at most the cache timeout', async () => {
    expect((await svc.fetch('/api/v1/analysis/SPY?interval=1d')).status).toBe(200);
    process.kill(redis.pid, 'SIGSTOP');
    stopped = true;
    const paths = [
      '/api/v1/symbols',
      '/api/v1/klines/SPY?interval=1d&limit=50',
      '/api/v1/analysis/SPY?interval=1d&include=bars',
    ];
    const answers = await Promise.all(paths.flatMap((p) => [svc.fetch(p), svc.fetch(p)]));
    for (const r of answers) expect(r.status, await r.text()).toBe(200);
  });
});
