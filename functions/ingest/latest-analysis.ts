/**
 * "Refresh the latest analysis" after ingestion, behind ONE function so the engine call is easy to rewire:
 * read the newest bars, run chan-analysis `analyze` with the default preset, store a compact summary as the
 * series' latest analysis (AnalysisRepository keeps the newest rev only).
 */
import type { BarInput } from 'chan-analysis';
import type { Interval } from '../common/domain.js';
import type { KlineStore } from '../store/kline-store.js';
import type { AnalysisRepository } from '../store/repositories.js';

export interface LatestAnalysisDeps {
  klines: KlineStore;
  analysis: AnalysisRepository;
  preset: string;
  /** Bars analysed (the newest ones). */
  maxBars: number;
  onAnalysisTime?: (ms: number) => void;
}

/** How many of each structure the stored summary keeps (the item must stay far below 400 KB). */
const KEEP = 20;

export async function refreshLatestAnalysis(
  symbol: string,
  interval: Interval,
  deps: LatestAnalysisDeps,
): Promise<boolean> {
  const series = await deps.klines.getSeries(symbol, interval);
  if (!series) return false;
  const bars = await deps.klines.readRange(symbol, interval, {
    from: series.firstTs,
    to: series.lastTs,
    limit: deps.maxBars,
    latest: true,
  });
  if (bars.length === 0) return false;
  // Loaded on first use: the engine is the heaviest module, and ingestion must work even if it cannot load.
  const { resolveEngineOptions, runEngine } = await import('../common/engine.js');
  const resolved = resolveEngineOptions({}, deps.preset);
  const input: BarInput[] = bars.map((b) => ({
    time: b.ts,
    open: b.open,
    high: b.high,
    low: b.low,
    close: b.close,
    ...(b.volume === null ? {} : { volume: b.volume }),
  }));
  const t0 = performance.now();
  const r = runEngine(input, resolved);
  deps.onAnalysisTime?.(performance.now() - t0);
  return deps.analysis.put({
    symbol,
    interval,
    preset: resolved.preset,
    configHash: resolved.configHash,
    lastBarTs: bars[bars.length - 1]!.ts,
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
