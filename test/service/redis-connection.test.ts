/**
 * The cache's own Redis client, connection layer, against real servers: TLS with SNI and certificate checks and an
 * ACL user (the ElastiCache Serverless shape), and the failures a Lambda meets — a server killed (calls fail fast,
 * nothing reconnects in a loop, a later call reconnects after a restart), a server hung (connect and command
 * timeouts), a connection closed while idle (one fresh connection, the command succeeds).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCache } from '../../functions/cache/redis.js';
import { startRedisCluster, type RedisCluster } from '../support/redis.js';

/** How long `p` takes to settle, and how. */
async function timed<T>(p: Promise<T>): Promise<{ ms: number; value?: T; error?: Error }> {
  const t0 = performance.now();
  try {
    const value = await p;
    return { ms: performance.now() - t0, value };
  } catch (e) {
    return { ms: performance.now() - t0, error: e as Error };
  }
}

describe('TLS and an ACL user', () => {
  let redis: RedisCluster;
  beforeAll(async () => {
    redis = await startRedisCluster({ tls: true, args: ['--user', 'app', 'on', '>s3cret', '~*', '&*', '+@all'] });
  });
  afterAll(async () => {
    await redis?.stop();
  });
  const userUrl = (user: string, pass: string) => redis.url.replace('rediss://', `rediss://${user}:${pass}@`);

  it('connects over TLS to the host name in the certificate, authenticates, and routes in cluster mode', async () => {
    for (const cluster of [true, false]) {
      const cache = new RedisCache({ url: userUrl('app', 's3cret'), cluster, tls: { ca: redis.ca! } });
      try {
        await cache.ping();
        const tag = `{tls-${cluster}}`;
        await cache.set(`${tag}:a`, '缠论', 'general');
        expect(await cache.mget([`${tag}:a`, `${tag}:b`])).toEqual(['缠论', null]);
        await cache.del([`${tag}:a`]);
        expect(await cache.get(`${tag}:a`)).toBeNull();
        // The server has no plain-TCP port (--port 0), and it saw the ACL user.
        expect(redis.cli('client', 'list')).toMatch(/user=app\b/);
      } finally {
        await cache.close();
      }
    }
  });

  it('refuses an untrusted certificate and a wrong password, with errors that say so', async () => {
    const untrusted = new RedisCache({ url: userUrl('app', 's3cret'), cluster: true });
    await expect(untrusted.ping()).rejects.toThrow(/redis localhost:\d+: .*self[- ]signed/i);
    await untrusted.close();
    const wrong = new RedisCache({ url: userUrl('app', 'nope'), cluster: true, tls: { ca: redis.ca! } });
    await expect(wrong.get('k')).rejects.toThrow(/redis localhost:\d+: WRONGPASS/);
    await wrong.close();
  });

  it('times out a TLS handshake the server never answers', async () => {
    // A stopped server still completes TCP handshakes (the kernel's backlog) but never the TLS one.
    process.kill(redis.pid, 'SIGSTOP');
    try {
      const cache = new RedisCache({ url: redis.url, cluster: true, tls: { ca: redis.ca! }, connectTimeoutMs: 300 });
      const r = await timed(cache.ping());
      expect(r.error?.message).toMatch(/connect timed out after 300 ms/);
      // The message proves the timeout fired; the bound only proves nothing else kept the call waiting (it is
      // loose because CI runs two test workers on two cores).
      expect(r.ms).toBeLessThan(3000);
      await cache.close();
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
  });
});

describe('a plain redis-server (not in cluster mode)', () => {
  let redis: RedisCluster;
  beforeAll(async () => {
    redis = await startRedisCluster({ plain: true });
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('serves the single-server mode, keys of any slots in one MGET; cluster mode says why it cannot', async () => {
    const cache = new RedisCache({ url: redis.url, cluster: false });
    await cache.set('plain-a', 'A', 'general');
    await cache.set('plain-b', 'B', 'static');
    const mgets = () => Number(/cmdstat_mget:calls=(\d+)/.exec(redis.cli('info', 'commandstats'))?.[1] ?? 0);
    expect(await cache.mget(['plain-b', 'none', 'plain-a'])).toEqual(['B', null, 'A']);
    expect(mgets()).toBe(1);
    await cache.del(['plain-a', 'plain-b']);
    expect(redis.cli('dbsize')).toBe('0');
    await cache.close();

    const clustered = new RedisCache({ url: redis.url, cluster: true });
    await expect(clustered.get('k')).rejects.toThrow(/cluster support disabled/);
    await clustered.close();
  });
});

describe('a server that dies, hangs or drops the connection', () => {
  let redis: RedisCluster;
  let cache: RedisCache;
  const errors: Error[] = [];
  beforeAll(async () => {
    redis = await startRedisCluster();
    cache = new RedisCache({
      url: redis.url,
      cluster: true,
      connectTimeoutMs: 300,
      commandTimeoutMs: 300,
      onError: (e) => errors.push(e),
    });
  });
  afterAll(async () => {
    await cache?.close();
    await redis?.stop();
  });

  it('reconnects once when an idle connection was closed under it (as after a Lambda freeze)', async () => {
    await cache.set('{idle}:k', 'v', 'general');
    expect(redis.cli('client', 'kill', 'type', 'normal')).toBe('1');
    expect(await cache.get('{idle}:k')).toBe('v');
    expect(await cache.mget(['{idle}:k'])).toEqual(['v']);
  });

  it('fails a command on a hung server within the command timeout, and recovers when it resumes', async () => {
    await cache.set('{hang}:k', 'v', 'general');
    process.kill(redis.pid, 'SIGSTOP');
    try {
      const r = await timed(cache.get('{hang}:k'));
      expect(r.error?.message).toMatch(/redis 127\.0\.0\.1:\d+: GET timed out after 300 ms/);
      expect(r.ms).toBeLessThan(3000);
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
    expect(await cache.get('{hang}:k')).toBe('v');
  });

  it('when killed: pending commands fail at once, later calls fail fast, nothing retries alone; a restart heals', async () => {
    const value = 'x'.repeat(200_000);
    await cache.set('{kill}:big', value, 'general');
    const inflight = Array.from({ length: 200 }, () => timed(cache.get('{kill}:big')));
    const killed = redis.kill();
    const settled = await Promise.all(inflight);
    await killed;
    // Each either got its value before the kill or failed with the connection's error; none hung.
    expect(settled.some((r) => r.error)).toBe(true);
    for (const r of settled) {
      if (r.error) expect(r.error.message).toMatch(/redis 127\.0\.0\.1:\d+: /);
      else expect(r.value).toBe(value);
      // Not hung (a hung call would only end at the test's timeout); loose for a loaded CI machine.
      expect(r.ms).toBeLessThan(5000);
    }

    for (const call of [
      (): Promise<unknown> => cache.get('{kill}:big'),
      () => cache.mget(['{a}', '{b}']),
      () => cache.ping(),
    ]) {
      const r = await timed(call());
      // Refused, not timed out: the message says which; the bound is loose for a loaded CI machine.
      expect(r.error?.message).toMatch(/redis 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
      expect(r.ms).toBeLessThan(2000);
    }
    // No reconnect loop: with no calls, no connection attempts (each failed one is reported through onError).
    const reported = errors.length;
    await new Promise((r) => setTimeout(r, 500));
    expect(errors.length).toBe(reported);

    await redis.restart();
    await cache.set('{kill}:k', 'back', 'realtime');
    expect(await cache.get('{kill}:k')).toBe('back');
  });
});
