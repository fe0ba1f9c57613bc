/**
 * Wiring for the Lambda handlers (and the local runtime / CLI): the ingestion ports bound to the process-wide
 * store, cache and SQS client, with limits from the environment. Built once per cold start.
 *
 * Environment: the wiring variables of functions/common/config.ts (WiringEnvSchema): INGEST_QUEUE_URL,
 * `<PROVIDER>_BASE_URL`, PROVIDER_TIMEOUT_MS, INGEST_* limits, SIGNAL_TOPIC_ARN and CHART_BASE_URL.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { snsSignalPublisher, type SignalPublisher } from '../alerts/signal-alerts.js';
import { getConfig, wiringConfig, type WiringConfig } from '../common/config.js';
import { getDeps, getSeriesService } from '../common/deps.js';
import { getLogger } from '../common/observability.js';
import { RepoTrackedSymbols, StoreAdjustmentSink, StoreBarWriter } from './adapters.js';
import type { DispatcherDeps } from './dispatcher.js';
import { refreshLatestAnalysis, type LatestAnalysisAlerts } from './latest-analysis.js';
import { powertoolsIngestMetrics } from './metrics.js';
import { getQueueSender } from './queue.js';
import { getProvider } from './providers/factories.js';
import { DEFAULT_LIMITS, type WorkerDeps, type WorkerLimits } from './worker.js';

/** The worker's limits: DEFAULT_LIMITS, with what INGEST_MAX_BARS_PER_INVOCATION etc. set (config.ts) on top. */
export function ingestLimits(wiring: WiringConfig = wiringConfig()): WorkerLimits {
  const set = Object.entries(wiring.ingestLimits).filter(([, v]) => v !== undefined);
  return { ...DEFAULT_LIMITS, ...Object.fromEntries(set) };
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
  const wiring = wiringConfig();
  const log = getLogger();
  const topicArn = wiring.signalTopicArn;
  const publisher =
    localSignalPublisher ?? (topicArn ? snsSignalPublisher(new SNSClient({ maxAttempts: 3 }), topicArn) : undefined);
  const alerts: LatestAnalysisAlerts | undefined = publisher
    ? {
        publisher,
        dedupe: d.alertDedupe,
        prefs: async (symbol) => (await d.symbols.get(symbol))?.alerts,
        chartBaseUrl: wiring.chartBaseUrl,
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
          factors: async (s) => (await d.adjustments.get(s))?.factors ?? [],
        });
      },
    },
    metrics: powertoolsIngestMetrics,
    providerFor: (spec) => getProvider(spec, wiring.providers),
    adjustments: new StoreAdjustmentSink(d.adjustments, d.cache),
    now: Date.now,
    limits: ingestLimits(wiring),
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
    stallMs: wiringConfig().ingestStallMs,
    ...overrides,
  };
}
