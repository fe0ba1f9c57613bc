/**
 * Ingestion metrics. The catalogued ones (BarsIngested, IngestionLag, ProviderErrors, AnalysisTime) go through
 * the shared `emitMetric` with their exact alarm dimensions; the per-kind breakdowns (ProviderErrorsByKind,
 * RejectedRows by reason) are published as their own single metrics with a `kind` dimension, for the dashboard.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { emitMetric, METRICS_NAMESPACE, METRICS_SERVICE } from '../common/metrics-catalog.js';
import type { ProviderErrorKind, ProviderName } from './providers/types.js';
import type { RejectedRow } from './bar.js';

export interface IngestMetrics {
  barsIngested(n: number): void;
  lagSeconds(s: number): void;
  providerError(provider: ProviderName, kind: ProviderErrorKind): void;
  rejectedRows(provider: ProviderName, rows: readonly RejectedRow[]): void;
  analysisTime(ms: number): void;
}

let byKind: Metrics | undefined;

function emitByKind(name: string, dims: Record<string, string>, value: number): void {
  try {
    byKind ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE, singleMetric: true });
    for (const [k, v] of Object.entries(dims)) byKind.addDimension(k, v);
    byKind.addMetric(name, 'Count', value);
  } catch {
    // metrics never fail ingestion
  }
}

export const powertoolsIngestMetrics: IngestMetrics = {
  barsIngested: (n) => emitMetric('BarsIngested', n),
  lagSeconds: (s) => emitMetric('IngestionLag', s),
  providerError: (provider, kind) => {
    emitMetric('ProviderErrors', 1);
    emitByKind('ProviderErrorsByKind', { provider, kind }, 1);
  },
  rejectedRows: (provider, rows) => {
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
    for (const [reason, n] of counts) emitByKind('RejectedRows', { provider, kind: reason }, n);
  },
  analysisTime: (ms) => emitMetric('AnalysisTime', ms),
};

/** Counts in memory: tests and the CLI read them. */
export class CountingMetrics implements IngestMetrics {
  bars = 0;
  lags: number[] = [];
  errors: Array<{ provider: ProviderName; kind: ProviderErrorKind }> = [];
  rejected: RejectedRow[] = [];
  analysisRuns = 0;
  barsIngested(n: number) {
    this.bars += n;
  }
  lagSeconds(s: number) {
    this.lags.push(s);
  }
  providerError(provider: ProviderName, kind: ProviderErrorKind) {
    this.errors.push({ provider, kind });
  }
  rejectedRows(_p: ProviderName, rows: readonly RejectedRow[]) {
    this.rejected.push(...rows);
  }
  analysisTime() {
    this.analysisRuns++;
  }
}

/** Fan out to several sinks (Powertools + counting, in tests that want both). */
export function teeMetrics(...sinks: IngestMetrics[]): IngestMetrics {
  return {
    barsIngested: (n) => sinks.forEach((s) => s.barsIngested(n)),
    lagSeconds: (x) => sinks.forEach((s) => s.lagSeconds(x)),
    providerError: (p, k) => sinks.forEach((s) => s.providerError(p, k)),
    rejectedRows: (p, r) => sinks.forEach((s) => s.rejectedRows(p, r)),
    analysisTime: (ms) => sinks.forEach((s) => s.analysisTime(ms)),
  };
}
