/**
 * The cache as handlers see it: every operation bounded by a timeout, every failure turned into a miss (or a
 * no-op write), and after a failure the cache is skipped for a cooldown so requests during an outage pay no
 * timeout at all. The store answers instead: a cache outage makes the API slower, never failing.
 */
import type { Cache, TtlTier } from './types.js';

export interface ResilientOptions {
  timeoutMs: number;
  cooldownMs: number;
  onError?: (op: string, e: unknown) => void;
  now?: () => number;
}

export type CacheState = 'ok' | 'degraded';

function withTimeout<T>(p: Promise<T>, ms: number, op: string): Promise<T> {
  // The losing promise may still reject later: swallow it so it is not an unhandled rejection.
  p.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`cache ${op} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export class ResilientCache implements Cache {
  private openUntil = 0;
  private readonly now: () => number;

  constructor(
    readonly inner: Cache,
    private readonly opts: ResilientOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  get kind() {
    return this.inner.kind;
  }

  get state(): CacheState {
    return this.now() < this.openUntil ? 'degraded' : 'ok';
  }

  private async guard<T>(op: string, run: () => Promise<T>, fallback: T): Promise<T> {
    if (this.now() < this.openUntil) return fallback;
    try {
      return await withTimeout(run(), this.opts.timeoutMs, op);
    } catch (e) {
      this.openUntil = this.now() + this.opts.cooldownMs;
      this.opts.onError?.(op, e);
      return fallback;
    }
  }

  get(key: string): Promise<string | null> {
    return this.guard('get', () => this.inner.get(key), null);
  }

  mget(keys: string[]): Promise<(string | null)[]> {
    return this.guard(
      'mget',
      () => this.inner.mget(keys),
      keys.map(() => null),
    );
  }

  set(key: string, value: string, tier: TtlTier): Promise<void> {
    return this.guard('set', () => this.inner.set(key, value, tier), undefined);
  }

  del(keys: string[]): Promise<void> {
    return this.guard('del', () => this.inner.del(keys), undefined);
  }

  /** Health check: bypasses the breaker so it reports the cache's real state, but still cannot hang or throw. */
  async ping(): Promise<void> {
    await withTimeout(this.inner.ping(), this.opts.timeoutMs, 'ping');
  }

  async probe(): Promise<boolean> {
    try {
      await this.ping();
      return true;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    return this.inner.close().catch(() => {});
  }
}
