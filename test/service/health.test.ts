/**
 * GET /health: the predecessor's JSON (status, message, version, components.api/database/chan_module) plus
 * components.cache and components.ingestion; 503 when the store — the one critical dependency — is unreachable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type TestService } from '../support/service.js';

let svc: TestService;

beforeAll(async () => {
  // Keep the unreachable-store case short: the SDK's own retries would otherwise take the test's time.
  svc = await startService({ env: { DYNAMODB_CONNECT_TIMEOUT_MS: '500', DYNAMODB_REQUEST_TIMEOUT_MS: '1000' } });
});

afterAll(async () => {
  await svc?.stop();
});

describe('GET /health', () => {
  it('answers 200 with the predecessor keys while the store is reachable', async () => {
    const res = await svc.fetch('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'healthy',
      message: '缠论分析系统运行正常',
      version: '2.0.0',
      components: {
        api: '运行中',
        database: '已连接',
        chan_module: '已集成',
        cache: '进程内缓存',
        // npm start and tests have no ElastiCache resource (no CACHE_NAME): not applicable, not an error.
        cache_resource: '不适用（无 ElastiCache 资源）',
        ingestion: '未配置',
      },
    });
  });

  it('reports ingestion degraded, naming the failing series and the newest failure, until its next good run', async () => {
    const { CheckpointRepository } = await import('../../functions/store/checkpoints.js');
    const cps = new CheckpointRepository(svc.doc, svc.table.tableName);
    const track = (active: boolean) =>
      svc.fetch('/api/v1/symbols/ETHUSDT', {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-api-key': svc.apiKey },
        body: JSON.stringify({ provider: 'binance', intervals: ['1h'], active }),
      });
    expect((await track(true)).status).toBe(201);
    await cps.patch('ETHUSDT', '1h', { lastRunAt: Date.now(), failures: 0, lastError: '' });
    expect(((await (await svc.fetch('/health')).json()) as { status: string }).status).toBe('healthy');

    await cps.patch('ETHUSDT', '1h', { lastError: 'binance network: fetch failed: getaddrinfo ENOTFOUND' });
    await cps.patch('ETHUSDT', '1h', { lastError: 'binance server: HTTP 503' });
    const res = await svc.fetch('/health');
    expect(res.status).toBe(200); // the API still answers: degraded, not down
    expect(await res.json()).toMatchObject({
      status: 'degraded',
      components: { database: '已连接', ingestion: '降级：1 个序列采集失败' },
      ingestion: {
        status: 'degraded',
        failingSeries: ['ETHUSDT 1h'],
        lastFailure: { symbol: 'ETHUSDT', interval: '1h', error: 'binance server: HTTP 503', failures: 2 },
      },
    });

    // A symbol no longer tracked does not degrade anything.
    expect((await track(false)).status).toBe(200);
    expect(((await (await svc.fetch('/health')).json()) as { status: string }).status).toBe('healthy');
    expect((await track(true)).status).toBe(200);
    expect(((await (await svc.fetch('/health')).json()) as { status: string }).status).toBe('degraded');

    await cps.patch('ETHUSDT', '1h', { lastRunAt: Date.now(), failures: 0, lastError: '' });
    const healed = (await (await svc.fetch('/health')).json()) as Record<string, unknown>;
    expect(healed).toMatchObject({ status: 'healthy', components: { ingestion: '运行中' } });
    expect(healed).not.toHaveProperty('ingestion');
  });

  it('answers 503, database not connected, once the store is unreachable', async () => {
    await svc.table.close();
    const res = await svc.fetch('/health');
    expect(res.status).toBe(503);
    const body = (await res.json()) as { status: string; components: Record<string, string> };
    expect(body.status).toBe('unhealthy');
    expect(body.components.database).toBe('未连接');
    expect(body.components.api).toBe('运行中');
  });
});
