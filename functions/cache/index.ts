/** Builds the process's cache from config: Redis when REDIS_URL is set, else the in-process LRU. */
import type { AppConfig } from '../common/config.js';
import { MemoryCache } from './memory.js';
import { RedisCache } from './redis.js';
import { ResilientCache } from './resilient.js';

export function createCache(cfg: AppConfig, onError?: (op: string, e: unknown) => void): ResilientCache {
  const inner = cfg.redisUrl
    ? new RedisCache({
        url: cfg.redisUrl,
        cluster: cfg.redisCluster,
        connectTimeoutMs: cfg.cacheConnectTimeoutMs,
        commandTimeoutMs: cfg.cacheCommandTimeoutMs,
        onError: (e) => onError?.('connection', e),
      })
    : new MemoryCache(cfg.localCacheMaxBytes);
  // The overall budget covers a first-call connect as well as the command itself.
  const timeoutMs = cfg.redisUrl ? cfg.cacheConnectTimeoutMs + cfg.cacheCommandTimeoutMs : 1000;
  return new ResilientCache(inner, { timeoutMs, cooldownMs: cfg.cacheCooldownMs, onError });
}

export { MemoryCache, RedisCache, ResilientCache };
export * from './types.js';
export * from './keys.js';
