/** Cache pieces: LRU with TTL tiers, the resilient wrapper (timeouts/errors → misses, cooldown), Redis cluster keys. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCache } from '../../functions/cache/memory.js';
import { RedisCache } from '../../functions/cache/redis.js';
import { ResilientCache } from '../../functions/cache/resilient.js';
import { bucketKey, metaKey, TTL_SECONDS, type Cache } from '../../functions/cache/index.js';
import { startRedisCluster, type RedisCluster } from '../support/redis.js';

describe('MemoryCache', () => {
  it('expires entries by tier: realtime 30 s, general 5 min, static 30 min', async () => {
    let now = 0;
    const c = new MemoryCache(1 << 20, () => now);
    await c.set('r', '1', 'realtime');
    await c.set('g', '2', 'general');
    await c.set('s', '3', 'static');
    expect(TTL_SECONDS).toEqual({ static: 1800, general: 300, realtime: 30 });
    now = 29_999;
    expect(await c.mget(['r', 'g', 's'])).toEqual(['1', '2', '3']);
    now = 30_000;
    expect(await c.get('r')).toBeNull();
    now = 300_000;
    expect(await c.get('g')).toBeNull();
    expect(await c.get('s')).toBe('3');
    now = 1_800_000;
    expect(await c.get('s')).toBeNull();
  });

  it('evicts the least recently used entry beyond its byte budget', async () => {
    const c = new MemoryCache(3 * (100 * 2 + 2 + 64));
    await c.set('a', 'x'.repeat(100), 'static');
    await c.set('b', 'x'.repeat(100), 'static');
    await c.set('c', 'x'.repeat(100), 'static');
    await c.get('a'); // a is now most recent
    await c.set('d', 'x'.repeat(100), 'static');
    expect(await c.get('b')).toBeNull();
    expect(await c.get('a')).not.toBeNull();
    expect(c.size).toBe(3);
  });
});

describe('ResilientCache', () => {
  const failing: Cache = {
    kind: 'redis',
    get: () => Promise.reject(new Error('ECONNREFUSED')),
    mget: () => Promise.reject(new Error('ECONNREFUSED')),
    set: () => Promise.reject(new Error('ECONNREFUSED')),
    del: () => Promise.reject(new Error('ECONNREFUSED')),
    ping: () => Promise.reject(new Error('ECONNREFUSED')),
    close: async () => {},
  };

  it('turns errors into misses and skips the cache during the cooldown', async () => {
    let now = 0;
    let calls = 0;
    const counting: Cache = { ...failing, get: () => (calls++, Promise.reject(new Error('down'))) };
    const errors: string[] = [];
    const c = new ResilientCache(counting, {
      timeoutMs: 50,
      cooldownMs: 1000,
      now: () => now,
      onError: (op) => errors.push(op),
    });
    expect(await c.get('k')).toBeNull();
    expect(c.state).toBe('degraded');
    expect(await c.get('k')).toBeNull();
    expect(calls).toBe(1); // second call never reached the broken cache
    now = 1001;
    expect(await c.get('k')).toBeNull();
    expect(calls).toBe(2);
    expect(await c.mget(['a', 'b'])).toEqual([null, null]);
    await expect(c.set('k', 'v', 'general')).resolves.toBeUndefined();
    expect(errors).toEqual(['get', 'get']);
    expect(await c.probe()).toBe(false);
  });

  it('bounds a hanging cache with its timeout', async () => {
    const hanging: Cache = { ...failing, get: () => new Promise(() => {}) };
    const c = new ResilientCache(hanging, { timeoutMs: 50, cooldownMs: 10 });
    const t0 = performance.now();
    expect(await c.get('k')).toBeNull();
    expect(performance.now() - t0).toBeLessThan(500);
  });
});

describe('RedisCache against a real Redis cluster', () => {
  let redis: RedisCluster;
  let cache: RedisCache;
  beforeAll(async () => {
    redis = await startRedisCluster();
    cache = new RedisCache({ url: redis.url, cluster: true });
  });
  afterAll(async () => {
    await cache?.close();
    await redis?.stop();
  });

  it('MGETs hash-tagged keys of one series in one slot (no CROSSSLOT) and sets TTLs by tier', async () => {
    const keys = [bucketKey('SPY', '1d', '2019', 1), bucketKey('SPY', '1d', '2020', 1), metaKey('SPY', '1d')];
    await cache.set(keys[0]!, 'a', 'static');
    await cache.set(keys[2]!, 'm', 'realtime');
    expect(await cache.mget(keys)).toEqual(['a', null, 'm']);
    await cache.del([keys[0]!]);
    expect(await cache.get(keys[0]!)).toBeNull();
    expect(Number(redis.cli('ttl', keys[2]!))).toBeLessThanOrEqual(30);
    // Without a shared tag the cluster refuses a multi-key read (CROSSSLOT), so the cache splits it into one MGET
    // per slot: keys carry {SYMBOL:interval} so that a series costs one.
    expect(redis.cli('mget', 'plain-a', 'plain-b-other')).toMatch(/CROSSSLOT/);
    await cache.set('plain-a', 'A', 'general');
    expect(await cache.mget(['plain-b-other', 'plain-a'])).toEqual([null, 'A']);
  });
});
