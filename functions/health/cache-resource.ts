/**
 * The ElastiCache Serverless resource's own state (DescribeServerlessCaches), reported by /health beside the Redis
 * PING: a PING failure alone cannot tell "the cache is being modified or was deleted" from "the network path is
 * broken"; the control plane can. CACHE_NAME (set by the stack) names the cache; without it (npm start, tests)
 * there is no cache resource and the component is "not applicable", not an error.
 *
 * The answer is kept for CACHE_RESOURCE_TTL_MS per warm instance: /health is public and probed every minute,
 * and the control-plane API has a low request rate limit of its own.
 */
import { DescribeServerlessCachesCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { wiringConfig } from '../common/config.js';

export type CacheResourceState = 'available' | 'changing' | 'failed' | 'unknown' | 'not_applicable';

export interface CacheResourceStatus {
  state: CacheResourceState;
  /** For the health JSON (Chinese, like the other components). */
  text: string;
}

/** ElastiCache Serverless statuses (creating, available, modifying, deleting, create-failed) → our states. */
export function mapServerlessCacheStatus(status: string | undefined): CacheResourceStatus {
  switch (status) {
    case 'available':
      return { state: 'available', text: '可用' };
    case 'creating':
      return { state: 'changing', text: '创建中' };
    case 'modifying':
      return { state: 'changing', text: '变更中' };
    case 'deleting':
      return { state: 'failed', text: '删除中' };
    case 'create-failed':
      return { state: 'failed', text: '创建失败' };
    default:
      return { state: 'unknown', text: `未知状态（${status ?? '无'}）` };
  }
}

export const NOT_APPLICABLE: CacheResourceStatus = { state: 'not_applicable', text: '不适用（无 ElastiCache 资源）' };

export const CACHE_RESOURCE_TTL_MS = 30_000;
const TIMEOUT_MS = 2000;

export interface CacheResourceProbe {
  (): Promise<CacheResourceStatus>;
}

/**
 * A probe for one cache. A failed call (no permission, throttled, timed out) is reported as "unknown" with the
 * error's name and is not cached, so the next request asks again.
 */
export function cacheResourceProbe(
  cacheName: string | undefined,
  client: Pick<ElastiCacheClient, 'send'> = new ElastiCacheClient({ maxAttempts: 2 }),
  now: () => number = Date.now,
): CacheResourceProbe {
  if (!cacheName) return async () => NOT_APPLICABLE;
  let kept: { at: number; status: CacheResourceStatus } | undefined;
  return async () => {
    if (kept && now() - kept.at < CACHE_RESOURCE_TTL_MS) return kept.status;
    try {
      const out = await client.send(new DescribeServerlessCachesCommand({ ServerlessCacheName: cacheName }), {
        abortSignal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const found = out.ServerlessCaches?.find((c) => c.ServerlessCacheName === cacheName);
      const status = found ? mapServerlessCacheStatus(found.Status) : { state: 'failed' as const, text: '不存在' };
      kept = { at: now(), status };
      return status;
    } catch (e) {
      const name = (e as Error)?.name ?? 'Error';
      // ServerlessCacheNotFoundFault: the resource is gone, which is a state, not a failed question.
      if (name === 'ServerlessCacheNotFoundFault') {
        const status = { state: 'failed' as const, text: '不存在' };
        kept = { at: now(), status };
        return status;
      }
      return { state: 'unknown', text: `无法查询（${name}）` };
    }
  };
}

let probe: CacheResourceProbe | undefined;

/** The process's probe, for the cache the stack named in CACHE_NAME. */
export function getCacheResourceProbe(): CacheResourceProbe {
  probe ??= cacheResourceProbe(wiringConfig().cacheName);
  return probe;
}

/** Tests and the local runtime rebuild it after changing the environment. */
export function resetCacheResourceProbe(): void {
  probe = undefined;
}
