/**
 * In-process LRU with per-entry expiry and a byte budget: the cache when no REDIS_URL is configured (local runtime,
 * or a deployment without ElastiCache). Map preserves insertion order, so re-inserting on read makes it an LRU.
 */
import { TTL_SECONDS, type Cache, type TtlTier } from './types.js';

interface Entry {
  value: string;
  expires: number;
  bytes: number;
}

export class MemoryCache implements Cache {
  readonly kind = 'memory' as const;
  private readonly map = new Map<string, Entry>();
  private bytes = 0;

  constructor(
    private readonly maxBytes = 64 * 1024 * 1024,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.map.size;
  }

  async get(key: string): Promise<string | null> {
    const e = this.map.get(key);
    if (!e) return null;
    if (e.expires <= this.now()) {
      this.drop(key, e);
      return null;
    }
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  async mget(keys: string[]): Promise<(string | null)[]> {
    return Promise.all(keys.map((k) => this.get(k)));
  }

  async set(key: string, value: string, tier: TtlTier): Promise<void> {
    // JS strings are UTF-16: two bytes a character is the honest estimate of heap use.
    const bytes = value.length * 2 + key.length * 2 + 64;
    if (bytes > this.maxBytes) return;
    const old = this.map.get(key);
    if (old) this.drop(key, old);
    this.map.set(key, { value, expires: this.now() + TTL_SECONDS[tier] * 1000, bytes });
    this.bytes += bytes;
    for (const [k, e] of this.map) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(k, e);
    }
  }

  async del(keys: string[]): Promise<void> {
    for (const k of keys) {
      const e = this.map.get(k);
      if (e) this.drop(k, e);
    }
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.map.clear();
    this.bytes = 0;
  }

  private drop(key: string, e: Entry) {
    this.map.delete(key);
    this.bytes -= e.bytes;
  }
}
