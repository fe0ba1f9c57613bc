/**
 * The work of each job kind on one symbol's bars, as pure functions of bars and parameters (the task Lambdas
 * read the bars and store what these return; the bench calls them the same way).
 *
 * - scan: one batch analysis; the buy/sell points of the wanted types and sides on the last `withinBars` bars.
 * - backtest: a bar-by-bar replay with the streaming ChanAnalyzer, as a live user would have seen the signals.
 *   A signal is counted when it is first reported (bar t_seen, which can be later than the signal's own bar);
 *   forward returns are measured from the close of t_seen, never from the signal bar, so there is no look-ahead.
 *   At the end, a signal that is no longer reported "vanished" (chan-spec §12.8: provisional points repaint).
 * - multilevel: the engine's multi-level analysis, compacted to fit one DynamoDB item.
 */
import {
  analyze,
  analyzeMultiLevel,
  analyzeMultiLevelFromBase,
  ChanAnalyzer,
  MARKETS,
  type BarInput,
  type ChanResult,
  type LevelLink,
  type MultiLevelResult,
  type ResultSignal,
} from 'chan-analysis';
import type { BacktestParams, MultiLevelParams, ScanParams, SignalType } from './model.js';

export type EngineOptions = { preset?: string; config?: Record<string, unknown> };

/** A job's engine options: the API's rule (a config applies on top of the preset; chanpy when neither is given). */
export const engineOptionsOf = (p: { preset?: string; config?: Record<string, unknown> }): EngineOptions =>
  p.config === undefined ? { preset: p.preset ?? 'chanpy' } : { preset: p.preset, config: p.config };

// -------------------------------------------------------------------------------------------------- scan

export interface ScanSignal {
  level: 'stroke' | 'segment';
  time: string;
  side: 'buy' | 'sell';
  types: string[];
  confirmed: boolean;
  price: number;
  /** 0 = on the last bar. */
  barsAgo: number;
}

export interface ScanResult {
  matched: boolean;
  barCount: number;
  lastTime: string | null;
  lastClose: number | null;
  signals: ScanSignal[];
}

export function scanBars(
  bars: readonly BarInput[],
  p: Pick<ScanParams, 'signalTypes' | 'sides' | 'levels' | 'withinBars'>,
  engine: EngineOptions,
): ScanResult {
  if (bars.length === 0) return { matched: false, barCount: 0, lastTime: null, lastClose: null, signals: [] };
  const r = analyze(bars, engine);
  const lastIdx = new Map(r.bars.map((b, i) => [b.ts, i]));
  const n = r.bars.length;
  const types = new Set<string>(p.signalTypes);
  const sides = new Set<string>(p.sides);
  const signals: ScanSignal[] = [];
  const take = (level: ScanSignal['level'], list: ResultSignal[]) => {
    for (const s of list) {
      const barsAgo = n - 1 - lastIdx.get(s.ts)!;
      if (barsAgo >= p.withinBars || !sides.has(s.side) || !s.types.some((t) => types.has(t))) continue;
      signals.push({
        level,
        time: s.time,
        side: s.side,
        types: s.types,
        confirmed: s.confirmed,
        price: s.price,
        barsAgo,
      });
    }
  };
  if (p.levels.includes('stroke')) take('stroke', r.strokeSignals);
  if (p.levels.includes('segment')) take('segment', r.segmentSignals);
  signals.sort((a, b) => a.barsAgo - b.barsAgo);
  const last = r.bars[n - 1];
  return { matched: signals.length > 0, barCount: n, lastTime: last.time, lastClose: last.close, signals };
}

// ---------------------------------------------------------------------------------------------- backtest

/** Sums (not means), so symbols and jobs combine by adding. */
export interface HorizonStats {
  /** Signals with a full horizon of bars after the bar they were first seen on. */
  n: number;
  /** Sum of side-signed forward returns (buy: rise is positive; sell: fall is positive). */
  sumReturn: number;
  /** Signed return > 0. */
  hits: number;
}

export interface SignalTypeStats {
  /** Distinct signals (bar, side) ever reported with this type when first seen. */
  signals: number;
  /** Not reported any more at the end of the replay. */
  vanished: number;
  /** Their line was unconfirmed when first reported. */
  provisional: number;
  provisionalVanished: number;
  /** Sum of bars between the signal's own bar and the bar it was first reported on. */
  sumDelay: number;
  horizons: Record<string, HorizonStats>;
}

export interface BacktestResult {
  barCount: number;
  /** Key `${side}-${type}`, e.g. "buy-1", "sell-2s". */
  byType: Record<string, SignalTypeStats>;
  totals: Omit<SignalTypeStats, 'horizons'>;
}

const emptyStats = (horizons: readonly number[]): SignalTypeStats => ({
  signals: 0,
  vanished: 0,
  provisional: 0,
  provisionalVanished: 0,
  sumDelay: 0,
  horizons: Object.fromEntries(horizons.map((h) => [String(h), { n: 0, sumReturn: 0, hits: 0 }])),
});

interface Seen {
  key: string;
  barIdx: number;
  seenAt: number;
  isBuy: boolean;
  types: string[];
  provisional: boolean;
}

export function backtestBars(
  bars: readonly BarInput[],
  p: Pick<BacktestParams, 'horizons' | 'signalTypes'>,
  engine: EngineOptions,
): BacktestResult {
  const a = new ChanAnalyzer(engine);
  const seen = new Map<string, Seen>();
  let finalKeys = new Set<string>();
  for (let i = 0; i < bars.length; i++) {
    a.update(bars[i]);
    // The snapshot is what a user polling after bar i would be shown (bar-by-bar replay).
    const snap = a.snapshot();
    const b = snap.bars;
    const keys = new Set<string>();
    for (const s of snap.strokeSignals) {
      const key = `${b[s.line.endBar].time}|${s.isBuy ? 'buy' : 'sell'}`;
      keys.add(key);
      if (!seen.has(key))
        seen.set(key, {
          key,
          barIdx: s.line.endBar,
          seenAt: i,
          isBuy: s.isBuy,
          types: [...s.types],
          provisional: !s.line.isSure,
        });
    }
    finalKeys = keys;
  }
  const closes = a.snapshot().bars.map((b) => b.close);
  const wanted = new Set<string>(p.signalTypes);
  const byType: Record<string, SignalTypeStats> = {};
  const totals = { signals: 0, vanished: 0, provisional: 0, provisionalVanished: 0, sumDelay: 0 };
  for (const s of seen.values()) {
    const types = s.types.filter((t) => wanted.has(t as SignalType));
    if (types.length === 0) continue;
    const vanished = !finalKeys.has(s.key);
    const delay = s.seenAt - s.barIdx;
    totals.signals++;
    totals.vanished += vanished ? 1 : 0;
    totals.provisional += s.provisional ? 1 : 0;
    totals.provisionalVanished += s.provisional && vanished ? 1 : 0;
    totals.sumDelay += delay;
    for (const t of types) {
      const k = `${s.isBuy ? 'buy' : 'sell'}-${t}`;
      const st = (byType[k] ??= emptyStats(p.horizons));
      st.signals++;
      st.vanished += vanished ? 1 : 0;
      st.provisional += s.provisional ? 1 : 0;
      st.provisionalVanished += s.provisional && vanished ? 1 : 0;
      st.sumDelay += delay;
      for (const h of p.horizons) {
        const exit = s.seenAt + h;
        if (exit >= closes.length) continue;
        const r = closes[exit] / closes[s.seenAt] - 1;
        const signed = s.isBuy ? r : -r;
        const hs = st.horizons[String(h)];
        hs.n++;
        hs.sumReturn += signed;
        hs.hits += signed > 0 ? 1 : 0;
      }
    }
  }
  return { barCount: bars.length, byType, totals };
}

/** Adds `b` into `a` (aggregation across symbols). */
export function mergeBacktest(a: Omit<BacktestResult, 'barCount'> & { barCount: number }, b: BacktestResult): void {
  a.barCount += b.barCount;
  for (const k of ['signals', 'vanished', 'provisional', 'provisionalVanished', 'sumDelay'] as const)
    a.totals[k] += b.totals[k];
  for (const [key, st] of Object.entries(b.byType)) {
    const into = (a.byType[key] ??= {
      signals: 0,
      vanished: 0,
      provisional: 0,
      provisionalVanished: 0,
      sumDelay: 0,
      horizons: {},
    });
    for (const k of ['signals', 'vanished', 'provisional', 'provisionalVanished', 'sumDelay'] as const)
      into[k] += st[k];
    for (const [h, hs] of Object.entries(st.horizons)) {
      const t = (into.horizons[h] ??= { n: 0, sumReturn: 0, hits: 0 });
      t.n += hs.n;
      t.sumReturn += hs.sumReturn;
      t.hits += hs.hits;
    }
  }
}

/** Rates for the reader: mean return and hit rate per horizon, vanished shares. */
export function backtestReport(sum: BacktestResult, symbols: number) {
  const share = (x: number, n: number) => (n === 0 ? null : x / n);
  const rates = (st: Omit<SignalTypeStats, 'horizons'>) => ({
    signals: st.signals,
    vanishedShare: share(st.vanished, st.signals),
    provisionalShare: share(st.provisional, st.signals),
    provisionalVanishedShare: share(st.provisionalVanished, st.signals),
    meanDelayBars: share(st.sumDelay, st.signals),
  });
  return {
    symbols,
    bars: sum.barCount,
    totals: rates(sum.totals),
    byType: Object.fromEntries(
      Object.entries(sum.byType)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, st]) => [
          k,
          {
            ...rates(st),
            horizons: Object.fromEntries(
              Object.entries(st.horizons).map(([h, hs]) => [
                h,
                { n: hs.n, meanReturn: share(hs.sumReturn, hs.n), hitRate: share(hs.hits, hs.n) },
              ]),
            ),
          },
        ]),
    ),
  };
}

// -------------------------------------------------------------------------------------------- multilevel

export const MARKET_CALENDARS = MARKETS;

/** Keeps the newest entries: what a multi-level reader looks at, and one item stays well below 400 KB. */
const KEEP_STROKES = 60;
const KEEP_SIGNALS = 60;

export interface MultiLevelSummary {
  levels: Array<{
    interval: string;
    barCount: number;
    first: string | null;
    last: string | null;
    strokes: number;
    segments: number;
    recentSignals: ResultSignal[];
  }>;
  links: Array<
    Omit<LevelLink, 'strokes' | 'signals'> & {
      strokes: LevelLink['strokes'];
      signals: LevelLink['signals'];
      confirmedSignals: number;
      signalCount: number;
    }
  >;
}

export function compactMultiLevel(r: MultiLevelResult): MultiLevelSummary {
  const lv = (res: ChanResult) => ({
    barCount: res.meta.barCount,
    first: res.bars[0]?.time ?? null,
    last: res.bars[res.bars.length - 1]?.time ?? null,
    strokes: res.strokes.length,
    segments: res.segments.length,
    recentSignals: res.strokeSignals.slice(-KEEP_SIGNALS),
  });
  return {
    levels: r.levels.map((l) => ({ interval: l.interval, ...lv(l.result) })),
    links: r.links.map((l) => ({
      ...l,
      strokes: l.strokes.slice(-KEEP_STROKES),
      signals: l.signals.slice(-KEEP_SIGNALS),
      confirmedSignals: l.signals.filter((s) => s.confirmed).length,
      signalCount: l.signals.length,
    })),
  };
}

export function multiLevelFromLevels(
  levels: Array<{ interval: MultiLevelParams['intervals'][number]; bars: BarInput[] }>,
  market: keyof typeof MARKETS,
  engine: EngineOptions,
) {
  // Stored bars carry their open time: start labels at every level.
  return analyzeMultiLevel(
    levels.map((l) => ({ ...l, label: 'start' as const })),
    { ...engine, calendar: MARKETS[market] },
  );
}

export function multiLevelFromBase(
  base: { interval: MultiLevelParams['intervals'][number]; bars: BarInput[] },
  intervals: MultiLevelParams['intervals'],
  market: keyof typeof MARKETS,
  engine: EngineOptions,
) {
  return analyzeMultiLevelFromBase({ ...base, label: 'start' }, intervals, { ...engine, calendar: MARKETS[market] });
}
