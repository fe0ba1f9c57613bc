/**
 * Wiring for the Lambda handlers (and the local runtime / CLI): the ingestion ports bound to the process-wide
 * store, cache and SQS client, with limits from the environment. Built once per cold start.
 *
 * Environment: INGEST_QUEUE_URL (required by worker and dispatcher), BINANCE_BASE_URL, BYBIT_BASE_URL,
 * PROVIDER_TIMEOUT_MS, INGEST_MAX_BARS_PER_INVOCATION, INGEST_DEFAULT_HISTORY_BARS, INGEST_SETTLE_MS,
 * INGEST_STALL_MS; SIGNAL_TOPIC_ARN (buy/sell point alerts to SNS; none when unset) and CHART_BASE_URL (the
 * alert's chart link).
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { snsSignalPublisher, type SignalPublisher } from '../alerts/signal-alerts.js';
import { getConfig } from '../common/config.js';
import { getDeps, getSeriesService } from '../common/deps.js';
import { getLogger } from '../common/observability.js';
import { RepoTrackedSymbols, StoreBarWriter } from './adapters.js';
import type { DispatcherDeps } from './dispatcher.js';
import { refreshLatestAnalysis, type LatestAnalysisAlerts } from './latest-analysis.js';
import { powertoolsIngestMetrics } from './metrics.js';
import { getQueueSender } from './queue.js';
import { getProvider } from './providers/factories.js';
import { providerConfigFromEnv } from './providers/index.js';
import { DEFAULT_LIMITS, type WorkerDeps, type WorkerLimits } from './worker.js';

const int = (v: string | undefined, d: number) =>
  v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : d;

export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerLimits {
  return {
    ...DEFAULT_LIMITS,
    maxBarsPerInvocation: int(env.INGEST_MAX_BARS_PER_INVOCATION, DEFAULT_LIMITS.maxBarsPerInvocation),
    maxPagesPerInvocation: int(env.INGEST_MAX_PAGES_PER_INVOCATION, DEFAULT_LIMITS.maxPagesPerInvocation),
    defaultHistoryBars: int(env.INGEST_DEFAULT_HISTORY_BARS, DEFAULT_LIMITS.defaultHistoryBars),
    settleMs: int(env.INGEST_SETTLE_MS, DEFAULT_LIMITS.settleMs),
  };
}

export { getQueueSender, setQueueSender } from './queue.js';

let localSignalPublisher: SignalPublisher | undefined;

/** The local runtime's signal topic (no SNS there); undefined: SNS at SIGNAL_TOPIC_ARN again. Applies to deps built after. */
export function setSignalPublisher(p: SignalPublisher | undefined): void {
  localSignalPublisher = p;
}

export function buildWorkerDeps(overrides: Partial<WorkerDeps> = {}): WorkerDeps {
  const cfg = getConfig();
  const d = getDeps();
  const series = getSeriesService();
  const providerCfg = providerConfigFromEnv();
  const log = getLogger();
  const topicArn = process.env.SIGNAL_TOPIC_ARN;
  const publisher =
    localSignalPublisher ?? (topicArn ? snsSignalPublisher(new SNSClient({ maxAttempts: 3 }), topicArn) : undefined);
  const alerts: LatestAnalysisAlerts | undefined = publisher
    ? {
        publisher,
        dedupe: d.alertDedupe,
        prefs: async (symbol) => (await d.symbols.get(symbol))?.alerts,
        chartBaseUrl: process.env.CHART_BASE_URL || undefined,
      }
    : undefined;
  return {
    bars: new StoreBarWriter(series, d.klines),
    checkpoints: d.checkpoints,
    jobs: d.backfills,
    queue: getQueueSender(),
    after: {
      refresh: async (symbol, interval) => {
        await refreshLatestAnalysis(symbol, interval, {
          klines: d.klines,
          analysis: d.analysis,
          preset: cfg.defaultPreset,
          maxBars: Math.min(cfg.maxAnalysisBars, 5_000),
          onAnalysisTime: (ms) => powertoolsIngestMetrics.analysisTime(ms),
          alerts,
        });
      },
    },
    metrics: powertoolsIngestMetrics,
    providerFor: (spec) => getProvider(spec, providerCfg),
    now: Date.now,
    limits: limitsFromEnv(),
    retentionDays: cfg.klineRetentionDays,
    logger: {
      info: (m, e) => log.info(m, e ?? {}),
      warn: (m, e) => log.warn(m, e ?? {}),
      error: (m, e) => log.error(m, e ?? {}),
    },
    ...overrides,
  };
}

export function buildDispatcherDeps(overrides: Partial<DispatcherDeps> = {}): DispatcherDeps {
  const d = getDeps();
  return {
    tracked: new RepoTrackedSymbols(d.symbols),
    checkpoints: d.checkpoints,
    jobs: d.backfills,
    queue: getQueueSender(),
    metrics: powertoolsIngestMetrics,
    now: Date.now,
    stallMs: int(process.env.INGEST_STALL_MS, 15 * 60_000),
    ...overrides,
  };
}
