/**
 * GET /health: the predecessor's JSON (status, message, version, components.api/database/chan_module) plus
 * components.cache (the PING), components.cache_resource (the ElastiCache resource's state, cache-resource.ts) and
 * components.ingestion. 503 when the store — the one critical dependency — is unreachable; a cache outage (or a
 * cache resource that failed or is being deleted), and series whose last ingestion runs failed (provider down, a
 * backfill that ended FAILED), are reported as "degraded" with 200, because the API keeps working; `ingestion`
 * then names the failing series and the newest failure. A series is healthy again after its next good run.
 */
import { getDeps } from '../common/deps.js';
import { createHandler } from '../common/http.js';
import { healthApiSpecs } from './api-spec.js';
import { emitMetric } from '../common/metrics-catalog.js';
import { getCacheResourceProbe } from './cache-resource.js';

/** The predecessor's message, saying what the status says (a degraded system is running, not running normally). */
const HEALTH_MESSAGE = {
  healthy: '缠论分析系统运行正常',
  degraded: '缠论分析系统运行中：部分组件降级（见 components）',
  unhealthy: '缠论分析系统不可用：数据库无法连接',
} as const;

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([
    p,
    new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`timed out after ${ms} ms`)), ms).unref()),
  ]);

type StoredCheckpoint = Awaited<ReturnType<ReturnType<typeof getDeps>['checkpoints']['listAll']>>[number];

/** Which series failed their last runs, and the newest failure in the provider's words (what an operator needs). */
function ingestionDetail(failing: StoredCheckpoint[]) {
  const last = failing.reduce((a, b) => (String(b.updatedAt) > String(a.updatedAt) ? b : a));
  return {
    status: 'degraded',
    failingSeries: failing.map((c) => `${c.symbol} ${c.interval}`).sort(),
    lastFailure: {
      symbol: last.symbol,
      interval: last.interval,
      error: last.lastError ?? null,
      failures: last.failures ?? 0,
      at: last.updatedAt,
    },
  };
}

/** The engine is loaded lazily (health must answer even if it failed to load) and only once per process. */
let engineOk: Promise<boolean> | undefined;
const engineLoaded = () =>
  (engineOk ??= import('./engine-probe.js').then(
    (m) => typeof m.analyze === 'function',
    () => false,
  ));

export const handler = createHandler('health', healthApiSpecs, {
  'GET /health': async ({ config }) => {
    const { klines, cache, checkpoints, symbols } = getDeps();
    const [db, cacheOk, cacheResource, ckpts, engine, active] = await Promise.all([
      withTimeout(klines.ping(), 2000).then(
        () => true,
        () => false,
      ),
      cache.probe(),
      getCacheResourceProbe()(),
      withTimeout(checkpoints.listAll(), 2000).catch(() => null),
      engineLoaded(),
      // Only series still tracked count: a symbol the user stopped tracking no longer degrades anything.
      withTimeout(symbols.list(), 2000).then(
        (l) => new Set(l.filter((x) => x.active).map((x) => x.symbol)),
        () => null,
      ),
    ]);
    const cacheText = cache.kind === 'memory' ? '进程内缓存' : cacheOk ? '已连接' : '不可用（已降级到数据库）';
    const failing = (ckpts ?? []).filter((c) => (c.failures ?? 0) > 0 && (active?.has(c.symbol) ?? true));
    const ingestion =
      ckpts === null
        ? '未知'
        : ckpts.length === 0
          ? '未配置'
          : failing.length > 0
            ? `降级：${failing.length} 个序列采集失败`
            : '运行中';
    const status: keyof typeof HEALTH_MESSAGE = !db
      ? 'unhealthy'
      : cacheOk && cacheResource.state !== 'failed' && failing.length === 0
        ? 'healthy'
        : 'degraded';
    // Every call (API and the scheduled probe) feeds the critical health alarm: 1 when /health answers 200.
    emitMetric('HealthCheckOk', db ? 1 : 0);
    return {
      statusCode: db ? 200 : 503,
      headers: { 'Cache-Control': 'no-store' },
      body: {
        status,
        message: HEALTH_MESSAGE[status],
        version: config.version,
        components: {
          api: '运行中',
          database: db ? '已连接' : '未连接',
          chan_module: engine ? '已集成' : '未集成',
          cache: cacheText,
          cache_resource: cacheResource.text,
          ingestion,
        },
        ...(failing.length > 0 ? { ingestion: ingestionDetail(failing) } : {}),
      },
    };
  },
});
