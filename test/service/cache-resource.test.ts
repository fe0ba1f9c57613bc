/**
 * /health's cache_resource component: DescribeServerlessCaches (an ElastiCache control-plane call, which has no
 * local equivalent, hence aws-sdk-client-mock) mapped to a state, kept for a while, and "not applicable" where no
 * cache resource exists (npm start).
 */
import { DescribeServerlessCachesCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CACHE_RESOURCE_TTL_MS,
  cacheResourceProbe,
  mapServerlessCacheStatus,
  NOT_APPLICABLE,
} from '../../functions/health/cache-resource.js';

const NAME = 'chan-analysis-dev';
const sdk = mockClient(ElastiCacheClient);
afterEach(() => sdk.reset());

const answering = (status: string | undefined) =>
  sdk
    .on(DescribeServerlessCachesCommand)
    .resolves({ ServerlessCaches: [{ ServerlessCacheName: NAME, Status: status }] });

describe('cache resource status', () => {
  it.each([
    ['available', 'available', '可用'],
    ['creating', 'changing', '创建中'],
    ['modifying', 'changing', '变更中'],
    ['deleting', 'failed', '删除中'],
    ['create-failed', 'failed', '创建失败'],
    ['something-new', 'unknown', '未知状态（something-new）'],
  ])('ElastiCache status %s → %s', async (status, state, text) => {
    answering(status);
    const probe = cacheResourceProbe(NAME, new ElastiCacheClient({ region: 'eu-central-1' }));
    expect(await probe()).toEqual({ state, text });
    // It asked about exactly this cache.
    expect(sdk.commandCalls(DescribeServerlessCachesCommand)[0]!.args[0].input).toEqual({ ServerlessCacheName: NAME });
  });

  it('a missing status is unknown, not available', () => {
    expect(mapServerlessCacheStatus(undefined)).toEqual({ state: 'unknown', text: '未知状态（无）' });
  });

  it('a deleted cache (not found) is failed; a refused or throttled call is unknown, naming the error', async () => {
    const client = new ElastiCacheClient({ region: 'eu-central-1', maxAttempts: 1 });
    sdk
      .on(DescribeServerlessCachesCommand)
      .rejects(Object.assign(new Error('gone'), { name: 'ServerlessCacheNotFoundFault' }));
    expect(await cacheResourceProbe(NAME, client)()).toEqual({ state: 'failed', text: '不存在' });
    sdk.reset();
    sdk.on(DescribeServerlessCachesCommand).rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));
    expect(await cacheResourceProbe(NAME, client)()).toEqual({
      state: 'unknown',
      text: '无法查询（AccessDeniedException）',
    });
  });

  it('keeps an answer for the TTL, then asks again; errors are not kept', async () => {
    let t = 0;
    const client = new ElastiCacheClient({ region: 'eu-central-1', maxAttempts: 1 });
    sdk
      .on(DescribeServerlessCachesCommand)
      .rejectsOnce(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }))
      .resolves({ ServerlessCaches: [{ ServerlessCacheName: NAME, Status: 'available' }] });
    const probe = cacheResourceProbe(NAME, client, () => t);
    expect((await probe()).state).toBe('unknown');
    expect((await probe()).state).toBe('available');
    t += CACHE_RESOURCE_TTL_MS - 1;
    expect((await probe()).state).toBe('available');
    expect(sdk.commandCalls(DescribeServerlessCachesCommand)).toHaveLength(2);
    t += 2;
    await probe();
    expect(sdk.commandCalls(DescribeServerlessCachesCommand)).toHaveLength(3);
  });

  it('without a cache name (npm start) it is not applicable and calls nothing', async () => {
    expect(await cacheResourceProbe(undefined, new ElastiCacheClient({ region: 'eu-central-1' }))()).toEqual(
      NOT_APPLICABLE,
    );
    expect(sdk.calls()).toHaveLength(0);
  });
});
