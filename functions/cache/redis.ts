/**
 * ioredis against ElastiCache Serverless: TLS (rediss://), cluster mode, short connect/command timeouts and a
 * bounded reconnect budget, so a dead cache ends in a closed client (recreated on a later call) rather than an
 * endless reconnect loop that queues requests. Callers go through ResilientCache, which adds the overall timeout,
 * the circuit breaker and the "errors become misses" rule.
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { TTL_SECONDS, type Cache, type TtlTier } from './types.js';

export interface RedisCacheOptions {
  url: string;
  cluster: boolean;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  /** Reconnect attempts before the client gives up and is recreated on demand. */
  maxReconnects?: number;
  onError?: (e: Error) => void;
}

type Client = Redis | Cluster;

export class RedisCache implements Cache {
  readonly kind = 'redis' as const;
  private client: Client | undefined;

  constructor(private readonly opts: RedisCacheOptions) {}

  private connection(): Client {
    if (this.client && this.client.status !== 'end' && this.client.status !== 'close') return this.client;
    this.client?.disconnect();
    const { url, cluster, connectTimeoutMs = 1000, commandTimeoutMs = 250, maxReconnects = 3 } = this.opts;
    const u = new URL(url);
    const tls = u.protocol === 'rediss:';
    const retry = (times: number) => (times > maxReconnects ? null : Math.min(50 * 2 ** times, 1000));
    const common: RedisOptions = {
      connectTimeout: connectTimeoutMs,
      commandTimeout: commandTimeoutMs,
      maxRetriesPerRequest: 1,
      ...(tls ? { tls: {} } : {}),
      ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
      ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    };
    let c: Client;
    if (cluster) {
      const options: ClusterOptions = {
        // ElastiCache hands out TLS certificates for its DNS names: keep hostnames, do not resolve to IPs.
        dnsLookup: (address, callback) => callback(null, address),
        redisOptions: common,
        clusterRetryStrategy: retry,
        slotsRefreshTimeout: connectTimeoutMs,
        maxRedirections: 4,
      };
      c = new Cluster([{ host: u.hostname, port: Number(u.port || 6379) }], options);
    } else {
      c = new Redis({ ...common, host: u.hostname, port: Number(u.port || 6379), retryStrategy: retry });
    }
    // An 'error' event without a listener would crash the process; a cache fault is never fatal here.
    c.on('error', (e: Error) => this.opts.onError?.(e));
    this.client = c;
    return c;
  }

  async get(key: string): Promise<string | null> {
    return this.connection().get(key);
  }

  async mget(keys: string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    return this.connection().mget(...keys);
  }

  async set(key: string, value: string, tier: TtlTier): Promise<void> {
    await this.connection().set(key, value, 'EX', TTL_SECONDS[tier]);
  }

  async del(keys: string[]): Promise<void> {
    const c = this.connection();
    // One DEL per key: keys of different series live in different slots.
    await Promise.all(keys.map((k) => c.del(k)));
  }

  async ping(): Promise<void> {
    await this.connection().ping();
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (!c) return;
    try {
      await c.quit();
    } catch {
      c.disconnect();
    }
  }
}
