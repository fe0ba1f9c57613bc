/**
 * The cache seen by handlers: string values, three TTL tiers (the predecessor's), batch get for keys that share
 * a hash tag. Implementations may throw; handlers only ever see the ResilientCache wrapper, which does not.
 */
export type TtlTier = 'static' | 'general' | 'realtime';

/** Seconds: static 30 min (closed history), general 5 min (lists, analysis results), realtime 30 s (forming data). */
export const TTL_SECONDS: Record<TtlTier, number> = { static: 1800, general: 300, realtime: 30 };

export interface Cache {
  readonly kind: 'redis' | 'memory' | 'none';
  get(key: string): Promise<string | null>;
  /** Keys of one `{tag}` share a cluster slot and cost one round trip; RedisCache sends one MGET per slot. */
  mget(keys: string[]): Promise<(string | null)[]>;
  set(key: string, value: string, tier: TtlTier): Promise<void>;
  del(keys: string[]): Promise<void>;
  /** Round trip for the health check. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
