/**
 * The cache client as the Lambda bundles carry it (lib/bundling.ts options, no createRequire banner): the bundled
 * RedisCache works against a real Redis cluster, a handler bundle in a fresh process reads and writes through it,
 * and no Lambda entry's bundle needs `require` (esbuild's dynamic-require shim would throw at import in Lambda).
 */
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaContext, proxyEvent } from '../../local/proxy-event.js';
import { esbuildOptions } from '../../lib/bundling.js';
import { startRedisCluster, type RedisCluster } from '../support/redis.js';
import { startService, type TestService } from '../support/service.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
// Inside the project so the bundles' external imports (@aws-sdk/*) resolve from its node_modules, as in Lambda.
const dir = join(root, 'cdk.out', `test-bundled-cache-${process.pid}`);
const run = promisify(execFile);

describe('the cache client as bundled for Lambda, against a real Redis cluster', () => {
  let redis: RedisCluster;
  beforeAll(async () => {
    redis = await startRedisCluster();
    mkdirSync(dir, { recursive: true });
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is a few KB of the service’s own code and reads and writes in cluster and single-server mode', async () => {
    const entry = join(dir, 'entry.ts');
    writeFileSync(entry, `export { RedisCache } from ${JSON.stringify(join(root, 'functions/cache/redis.ts'))};\n`);
    const outfile = join(dir, 'cache.mjs');
    const r = await build({ ...esbuildOptions(entry, root), outfile, metafile: true, logLevel: 'silent' });
    const output = Object.values(r.metafile.outputs).find((o) => o.entryPoint)!;
    expect(Object.keys(output.inputs).filter((f) => f.includes('node_modules/'))).toEqual([]);
    expect(output.bytes).toBeLessThan(12 * 1024);

    const { RedisCache } = (await import(
      pathToFileURL(outfile).href
    )) as typeof import('../../functions/cache/redis.js');
    for (const cluster of [true, false]) {
      const cache = new RedisCache({ url: redis.url, cluster });
      try {
        await cache.ping();
        const tag = `{bundle-${cluster}}`;
        await cache.set(`${tag}:a`, 'A', 'realtime');
        await cache.set(`${tag}:b`, 'B', 'general');
        expect(await cache.get(`${tag}:a`)).toBe('A');
        expect(await cache.mget([`${tag}:a`, `${tag}:b`, `${tag}:none`])).toEqual(['A', 'B', null]);
        expect(Number(redis.cli('ttl', `${tag}:b`))).toBeGreaterThan(290);
        await cache.del([`${tag}:a`]);
        expect(await cache.get(`${tag}:a`)).toBeNull();
      } finally {
        await cache.close();
      }
    }
  });

  describe('a handler bundle in a fresh process', () => {
    let svc: TestService;
    beforeAll(async () => {
      svc = await startService({ redisUrl: redis.url, env: { LOG_LEVEL: 'SILENT' } });
      const csv = readFileSync(
        new URL('../../shared/chan-analysis/test/fixtures/cn_sse000001_1d.csv', import.meta.url),
        'utf8',
      );
      await svc.uploadCsv('000001.SH', '1d', csv);
    });
    afterAll(async () => {
      await svc?.stop();
    });

    it('serves GET /analysis through Redis: a miss, then hits, also from the next process', async () => {
      const bundle = join(dir, 'analysis.mjs');
      await build({ ...esbuildOptions(join(root, 'functions/analysis/handler.ts'), root), outfile: bundle });
      const event = proxyEvent({
        method: 'GET',
        resource: '/api/v1/analysis/{symbol}',
        path: '/api/v1/analysis/000001.SH',
        pathParameters: [['symbol', '000001.SH']],
        query: [
          ['interval', '1d'],
          ['from', '2018-01-01'],
        ],
        headers: [['host', 'localhost']],
        body: null,
        requestId: 'bundled-cache',
        stage: 'local',
        sourceIp: '127.0.0.1',
      });
      // Loads the bundle with no `require` in scope and invokes it twice; prints status and x-cache of each.
      const probe = `
        const event = JSON.parse(process.env.PROBE_EVENT);
        const context = { ...JSON.parse(process.env.PROBE_CONTEXT), getRemainingTimeInMillis: () => 29000 };
        const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
        const out = [];
        for (let i = 0; i < 2; i++) {
          const r = await handler(event, context);
          out.push(r.statusCode + ' ' + r.headers['x-cache']);
        }
        console.log(JSON.stringify(out));
        process.exit(0);
      `;
      const env = {
        ...process.env,
        PROBE_EVENT: JSON.stringify(event),
        PROBE_CONTEXT: JSON.stringify(lambdaContext('analysis', 'bundled-cache')),
      };
      const invoke = async () => {
        const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe], { env, timeout: 60_000 });
        return JSON.parse(stdout.trim().split('\n').at(-1)!) as string[];
      };
      expect(await invoke()).toEqual(['200 MISS', '200 HIT']);
      // A new process has an empty memory: its first hit comes from Redis.
      expect(await invoke()).toEqual(['200 HIT', '200 HIT']);
      expect(redis.cli('keys', '{000001.SH:1d}:a:*')).not.toBe('');
    }, 120_000);
  });
});

describe('every Lambda entry bundle', () => {
  /** The handler files and the job tasks (lib/chan-stack.ts, lib/ingestion.ts, lib/monitoring.ts, lib/jobs.ts). */
  const entries = readdirSync(join(root, 'functions'), { recursive: true })
    .map(String)
    .filter((f) => /(^|\/|-)handler\.ts$/.test(f) || /^jobs\/tasks\/[^/]+\.ts$/.test(f))
    .map((f) => join(root, 'functions', f));

  it('loads without a `require` (no CommonJS dependency needs Node built-ins)', async () => {
    expect(entries.length).toBeGreaterThan(10);
    for (const entry of entries) {
      const r = await build({ ...esbuildOptions(entry, root), write: false, outdir: dir, logLevel: 'silent' });
      const code = r.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
      expect(code, entry).not.toContain('Dynamic require of');
    }
  }, 120_000);
});
