/**
 * "Refresh the latest analysis" after ingestion, behind ONE function so the engine call is easy to rewire:
 * read the stored latest analysis (the baseline), read the newest bars, run chan-analysis with the default preset,
 * publish buy/sell point alerts for what is new since the baseline (functions/alerts/signal-alerts.ts; only when
 * an alert publisher is configured and the symbol opted in), and only then store a compact summary as the series'
 * latest analysis (AnalysisRepository keeps the newest rev only).
 *
 * Why this order: storing first would make a retry (the ingest message redelivered after a failure between the
 * two steps) compare the new analysis with itself and find nothing to alert. Publishing is idempotent across
 * retries (dedupe items), so a retry that finds the baseline unchanged publishes nothing twice. If publishing
 * fails, this function throws before storing; the worker leaves refreshedThrough behind and the next run retries.
 */
import { adjustBars } from '../common/adjust.js';
import type { FactorPoint } from '../store/adjustments.js';
import type { ResultSignal } from 'chan-analysis';
import type { SignalAlertPrefs } from '../alerts/prefs.js';
import {
  publishSignalAlerts,
  type SignalDedupe,
  type SignalPublisher,
  type SignalSnapshot,
} from '../alerts/signal-alerts.js';
import { INTERVAL_MS, toEngineBars, type Interval } from '../common/domain.js';
import type { KlineStore } from '../store/kline-store.js';
import type { AnalysisRepository } from '../store/repositories.js';

/** Buy/sell point alerts after a refresh (SIGNAL_TOPIC_ARN set: an SNS publisher; tests: a fake). */
export interface LatestAnalysisAlerts {
  publisher: SignalPublisher;
  /** What went out already (the store's AlertDedupeRepository). */
  dedupe: SignalDedupe;
  /** The symbol's alert preferences (TrackedSymbol.alerts); undefined or not enabled: no alerts. */
  prefs(symbol: string): Promise<SignalAlertPrefs | undefined>;
  /** Chart page base URL for the alert's link (CHART_BASE_URL). */
  chartBaseUrl?: string;
  now?: () => number;
}

export interface LatestAnalysisDeps {
  klines: KlineStore;
  analysis: AnalysisRepository;
  preset: string;
  /** Bars analysed (the newest ones). */
  maxBars: number;
  onAnalysisTime?: (ms: number) => void;
  alerts?: LatestAnalysisAlerts;
  /** A stock symbol's adjustment factors: the latest analysis is then of qfq prices, as GET /analysis defaults to. */
  factors?: (symbol: string) => Promise<FactorPoint[]>;
}

const signalsOf = (summary: Record<string, unknown> | undefined): SignalSnapshot => ({
  strokeSignals: (Array.isArray(summary?.strokeSignals) ? summary.strokeSignals : []) as ResultSignal[],
  segmentSignals: (Array.isArray(summary?.segmentSignals) ? summary.segmentSignals : []) as ResultSignal[],
});

/** How many of each structure the stored summary keeps (the item must stay far below 400 KB). */
const KEEP = 20;

export async function refreshLatestAnalysis(
  symbol: string,
  interval: Interval,
  deps: LatestAnalysisDeps,
): Promise<boolean> {
  // The baseline first: the alerts compare the new analysis with what was stored before this run.
  const prev = deps.alerts ? await deps.analysis.get(symbol, interval) : null;
  const series = await deps.klines.getSeries(symbol, interval);
  if (!series) return false;
  const bars = await deps.klines.readRange(symbol, interval, {
    from: series.firstTs,
    to: series.lastTs,
    limit: deps.maxBars,
    latest: true,
  });
  if (bars.length === 0) return false;
  const factors = (await deps.factors?.(symbol)) ?? [];
  const adjusted = adjustBars(bars, factors, 'qfq');
  // Loaded on first use: the engine is the heaviest module, and ingestion must work even if it cannot load.
  const { resolveEngineOptions, runEngine } = await import('../common/engine.js');
  const resolved = resolveEngineOptions({}, deps.preset);
  const input = toEngineBars(adjusted, (b) => b.ts);
  const t0 = performance.now();
  const r = runEngine(input, resolved);
  deps.onAnalysisTime?.(performance.now() - t0);
  const lastBarTs = bars[bars.length - 1]!.ts;
  if (deps.alerts) {
    const prefs = await deps.alerts.prefs(symbol);
    if (prefs?.enabled) {
      await publishSignalAlerts(
        {
          symbol,
          interval,
          prev: prev ? signalsOf(prev.summary) : null,
          next: { strokeSignals: r.strokeSignals, segmentSignals: r.segmentSignals },
          lastBarTs,
          intervalMs: INTERVAL_MS[interval],
          prefs,
        },
        {
          dedupe: deps.alerts.dedupe,
          publisher: deps.alerts.publisher,
          chartBaseUrl: deps.alerts.chartBaseUrl,
          now: deps.alerts.now,
        },
      );
    }
  }
  return deps.analysis.put({
    symbol,
    interval,
    preset: resolved.preset,
    configHash: resolved.configHash,
    lastBarTs,
    rev: series.rev,
    computedAt: new Date().toISOString(),
    summary: {
      barCount: r.meta.barCount,
      counts: {
        fractals: r.fractals.length,
        strokes: r.strokes.length,
        segments: r.segments.length,
        strokePivots: r.strokePivots.length,
        segmentPivots: r.segmentPivots.length,
        strokeSignals: r.strokeSignals.length,
        segmentSignals: r.segmentSignals.length,
      },
      strokes: r.strokes.slice(-KEEP),
      segments: r.segments.slice(-KEEP),
      strokePivots: r.strokePivots.slice(-KEEP),
      segmentPivots: r.segmentPivots.slice(-KEEP),
      strokeSignals: r.strokeSignals.slice(-KEEP),
      segmentSignals: r.segmentSignals.slice(-KEEP),
    },
  });
}
