/**
 * The Lambda bundles replace `@ioredis/commands` with a table of only the commands this service and ioredis send,
 * and `debug` with a no-op (lib/bundling.ts aliases). Checks that the trimmed table agrees with the installed
 * package, and that the cache client bundled with the stack's own esbuild options works against a real Redis
 * cluster (connect, cluster slots, GET/MGET/SET EX/DEL/PING, quit).
 */
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as trimmed from '../../functions/cache/ioredis-commands.js';
import { esbuildOptions } from '../../lib/bundling.js';
import { startRedisCluster, type RedisCluster } from '../support/redis.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
const real = require('@ioredis/commands') as typeof trimmed;
const table = require('@ioredis/commands/built/commands.json') as Record<
  string,
  { flags: string[]; keyStart: number; keyStop: number; step: number }
>;

describe('trimmed @ioredis/commands', () => {
  it('keeps, for each command it lists, the installed package metadata', () => {
    expect(trimmed.list.length).toBeGreaterThan(10);
    for (const name of trimmed.list) {
      expect(real.exists(name), name).toBe(true);
      for (const flag of new Set([...table[name]!.flags, 'readonly', 'loading', 'write', 'pubsub'])) {
        expect(trimmed.hasFlag(name, flag), `${name} ${flag}`).toBe(real.hasFlag(name, flag));
      }
      for (const args of [[], ['k'], ['k', 'v'], ['a', 'b', 'c'], ['k', 'v', 'EX', '30']]) {
        const want = (() => {
          try {
            return real.getKeyIndexes(name, args);
          } catch {
            return 'throws';
          }
        })();
        expect(trimmed.getKeyIndexes(name, args), `${name} ${JSON.stringify(args)}`).toEqual(want);
      }
    }
    expect(trimmed.exists('GET', { caseInsensitive: true })).toBe(true);
    expect(trimmed.exists('zunionstore')).toBe(false);
    expect(() => trimmed.hasFlag('zunionstore', 'readonly')).toThrow(/Unknown command/);
  });

  it('covers every command the cache client calls and ioredis sends on connect and in cluster mode', () => {
    for (const c of [
      'get',
      'mget',
      'set',
      'del',
      'ping',
      'quit',
      'cluster',
      'info',
      'auth',
      'hello',
      'client',
      'select',
      'readonly',
      'asking',
    ]) {
      expect(trimmed.list, c).toContain(c);
    }
  });
});

describe('the cache client as bundled for Lambda, against a real Redis cluster', () => {
  let redis: RedisCluster;
  let dir: string;
  beforeAll(async () => {
    redis = await startRedisCluster();
    dir = mkdtempSync(join(tmpdir(), 'bundled-cache-'));
  });
  afterAll(async () => {
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('connects, reads and writes with the trimmed command table and without debug', async () => {
    const entry = join(dir, 'entry.ts');
    writeFileSync(entry, `export { RedisCache } from ${JSON.stringify(join(root, 'functions/cache/redis.ts'))};\n`);
    const outfile = join(dir, 'cache.mjs');
    const r = await build({ ...esbuildOptions(entry, root), outfile, metafile: true, logLevel: 'silent' });
    const inputs = Object.keys(
      r.metafile.outputs[Object.keys(r.metafile.outputs).find((k) => k.endsWith('.mjs'))!]!.inputs,
    );
    expect(inputs.some((f) => f.includes('@ioredis/commands'))).toBe(false);
    expect(inputs.some((f) => f.includes('node_modules/debug/'))).toBe(false);
    expect(inputs.some((f) => f.endsWith('functions/cache/ioredis-commands.ts'))).toBe(true);

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
        await cache.del([`${tag}:a`]);
        expect(await cache.get(`${tag}:a`)).toBeNull();
      } finally {
        await cache.close();
      }
    }
  });
});
