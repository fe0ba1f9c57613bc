/**
 * The cache on Redis, in production ElastiCache Serverless: TLS (rediss://), cluster mode, short connect and
 * command timeouts and no reconnect loop, so a dead cache makes each call fail fast and a later call connects
 * again. Callers go through ResilientCache, which adds the overall timeout, the circuit breaker and the "errors
 * become misses" rule. The client is the small one in ./resp/ (it sends only what this file sends), not a general
 * Redis library: that keeps ~130 KB out of every Lambda bundle.
 */
import { RedisClient } from './resp/client.js';
import type { Reply } from './resp/codec.js';
import type { TlsOptions } from './resp/connection.js';
import { keySlot } from './resp/slot.js';
import { TTL_SECONDS, type Cache, type TtlTier } from './types.js';

export interface RedisCacheOptions {
  /** redis://[user:password@]host:port, or rediss:// for TLS. */
  url: string;
  cluster: boolean;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  /**
   * Fresh connections one command may try after an established connection broke under it (an idle connection
   * often has not survived a Lambda freeze). A failed connect is never retried.
   */
  maxReconnects?: number;
  /** Extra TLS settings for rediss://, e.g. a test's self-signed CA; production trusts the system CAs. */
  tls?: TlsOptions;
  onError?: (e: Error) => void;
}

export class RedisCache implements Cache {
  readonly kind = 'redis' as const;
  private readonly client: RedisClient;

  constructor(private readonly opts: RedisCacheOptions) {
    const { url, cluster, connectTimeoutMs = 1000, commandTimeoutMs = 250, maxReconnects = 1, onError } = opts;
    const u = new URL(url);
    this.client = new RedisClient({
      host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(u.port || 6379),
      cluster,
      connectTimeoutMs,
      commandTimeoutMs,
      maxReconnects,
      ...(u.protocol === 'rediss:' ? { tls: opts.tls ?? {} } : {}),
      ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
      ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
      ...(onError ? { onError } : {}),
    });
  }

  async get(key: string): Promise<string | null> {
    return text(await this.client.command(['GET', key], key));
  }

  /** Keys in one slot (one series' `{tag}`) cost one MGET; keys spread over slots cost one MGET per slot. */
  async mget(keys: string[]): Promise<(string | null)[]> {
    const out = new Array<string | null>(keys.length).fill(null);
    await Promise.all(
      this.bySlot(keys).map(async (indexes) => {
        const group = indexes.map((i) => keys[i]!);
        const reply = await this.client.command(['MGET', ...group], group[0]);
        if (!Array.isArray(reply) || reply.length !== group.length) throw new Error('redis MGET: unexpected reply');
        indexes.forEach((at, i) => (out[at] = text(reply[i]!)));
      }),
    );
    return out;
  }

  async set(key: string, value: string, tier: TtlTier): Promise<void> {
    await this.client.command(['SET', key, value, 'EX', String(TTL_SECONDS[tier])], key);
  }

  async del(keys: string[]): Promise<void> {
    await Promise.all(
      this.bySlot(keys).map((indexes) => {
        const group = indexes.map((i) => keys[i]!);
        return this.client.command(['DEL', ...group], group[0]);
      }),
    );
  }

  async ping(): Promise<void> {
    await this.client.command(['PING']);
  }

  close(): Promise<void> {
    return this.client.close();
  }

  /** Indexes of `keys` grouped by cluster slot (a multi-key command must stay in one slot: CROSSSLOT otherwise). */
  private bySlot(keys: string[]): number[][] {
    if (!this.opts.cluster) return keys.length ? [keys.map((_, i) => i)] : [];
    const groups = new Map<number, number[]>();
    keys.forEach((k, i) => {
      const slot = keySlot(k);
      const g = groups.get(slot);
      if (g) g.push(i);
      else groups.set(slot, [i]);
    });
    return [...groups.values()];
  }
}

function text(r: Reply): string | null {
  if (r === null || typeof r === 'string') return r;
  throw new Error(`redis: expected a string reply, got ${Array.isArray(r) ? 'an array' : typeof r}`);
}
