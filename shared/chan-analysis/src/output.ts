/**
 * Turns the engine's live objects into the plain JSON document of result.ts. Ids are derived from the first bar
 * of a structure, which never moves once the structure exists (only ends move), so a client can follow a stroke,
 * segment, pivot or signal across streaming updates.
 */
import type {
  ChanResult,
  DirectionName,
  ResultBar,
  ResultFractal,
  ResultLine,
  ResultMergedBar,
  ResultPivot,
  ResultSignal,
} from './result.js';
import {
  FX_BOTTOM,
  FX_NONE,
  FX_TOP,
  UP,
  type Bar,
  type BuySellPoint,
  type Direction,
  type IndicatorSeries,
  type Line,
  type MergedBar,
  type Pivot,
  type Segment,
} from './types.js';

export const ENGINE_NAME = 'chan-analysis';
export const ENGINE_VERSION = '2.0.0';

/** Everything one level of analysis holds at a moment (the input of `toResult`). */
export interface LevelSnapshot {
  readonly bars: readonly Bar[];
  readonly indicators: IndicatorSeries;
  readonly mergedBars: readonly MergedBar[];
  readonly strokes: readonly Line[];
  readonly segments: readonly Segment[];
  readonly segmentsOfSegments: readonly Segment[];
  readonly strokePivots: readonly Pivot[];
  readonly segmentPivots: readonly Pivot[];
  readonly strokeSignals: readonly BuySellPoint[];
  readonly segmentSignals: readonly BuySellPoint[];
}

const dirName = (d: Direction): DirectionName => (d === UP ? 'up' : 'down');

export interface ResultOptions {
  preset?: string | null;
  /** Leave out the per-bar arrays (bars, mergedBars, fractals) when only structures are wanted. */
  structuresOnly?: boolean;
}

export function toResult(s: LevelSnapshot, options: ResultOptions = {}): ChanResult {
  const bars = s.bars;
  const line = (prefix: string, l: Line | Segment, withSub: boolean): ResultLine => {
    const b = bars[l.beginBar];
    const e = bars[l.endBar];
    const out: ResultLine = {
      id: `${prefix}-${b.time}`,
      idx: l.idx,
      begin: b.label,
      end: e.label,
      beginTs: b.time,
      endTs: e.time,
      direction: dirName(l.dir),
      beginVal: l.beginVal,
      endVal: l.endVal,
      high: l.high,
      low: l.low,
      confirmed: l.isSure,
    };
    if (withSub) {
      const seg = l as Segment;
      out.startLine = seg.startLine.idx;
      out.endLine = seg.endLine.idx;
      out.reason = seg.reason;
    }
    return out;
  };
  const pivot = (prefix: string, z: Pivot): ResultPivot => {
    const b = bars[z.beginLine.beginBar];
    const e = bars[z.endLine.endBar];
    return {
      id: `${prefix}-${b.time}`,
      begin: b.label,
      end: e.label,
      beginTs: b.time,
      endTs: e.time,
      zd: z.low,
      zg: z.high,
      dd: z.peakLow,
      gg: z.peakHigh,
      confirmed: z.isSure,
      startLine: z.beginLine.idx,
      endLine: z.endLine.idx,
      lineIn: z.lineIn ? z.lineIn.idx : null,
      lineOut: z.lineOut ? z.lineOut.idx : null,
      oneLine: z.isOneLine,
      combined: z.parts.length,
    };
  };
  const signal = (prefix: string, p: BuySellPoint): ResultSignal => {
    const bar = bars[p.line.endBar];
    return {
      id: `${prefix}-${bar.time}-${p.isBuy ? 'buy' : 'sell'}`,
      time: bar.label,
      ts: bar.time,
      side: p.isBuy ? 'buy' : 'sell',
      types: [...p.types],
      confirmed: p.line.isSure,
      lineIdx: p.line.idx,
      price: p.line.endVal,
      features: { ...p.features },
    };
  };

  let resultBars: ResultBar[] = [];
  let mergedBars: ResultMergedBar[] = [];
  const fractals: ResultFractal[] = [];
  if (!options.structuresOnly) {
    const { macd, dif, dea } = s.indicators;
    resultBars = bars.map((b) => ({
      time: b.label,
      ts: b.time,
      open: b.open,
      high: b.high,
      low: b.low,
      close: b.close,
      volume: Number.isNaN(b.volume) ? null : b.volume,
      dif: dif[b.idx],
      dea: dea[b.idx],
      macd: macd[b.idx],
    }));
    mergedBars = s.mergedBars.map((m) => ({
      idx: m.idx,
      begin: bars[m.firstBar].label,
      end: bars[m.lastBar].label,
      beginTs: bars[m.firstBar].time,
      endTs: bars[m.lastBar].time,
      barCount: m.lastBar - m.firstBar + 1,
      high: m.high,
      low: m.low,
      direction: dirName(m.dir),
      fractal: m.fx === FX_TOP ? 'top' : m.fx === FX_BOTTOM ? 'bottom' : null,
    }));
    for (const m of s.mergedBars) {
      if (m.fx === FX_NONE) continue;
      const top = m.fx === FX_TOP;
      const peak = bars[top ? m.peakHighBar : m.peakLowBar];
      fractals.push({
        mergedIdx: m.idx,
        type: top ? 'top' : 'bottom',
        time: peak.label,
        ts: peak.time,
        value: top ? m.high : m.low,
      });
    }
  }

  return {
    meta: { engine: ENGINE_NAME, version: ENGINE_VERSION, preset: options.preset ?? null, barCount: bars.length },
    bars: resultBars,
    mergedBars,
    fractals,
    strokes: s.strokes.map((l) => line('bi', l, false)),
    segments: s.segments.map((l) => line('seg', l, true)),
    segmentsOfSegments: s.segmentsOfSegments.map((l) => line('segseg', l, true)),
    strokePivots: s.strokePivots.map((z) => pivot('zs', z)),
    segmentPivots: s.segmentPivots.map((z) => pivot('segzs', z)),
    strokeSignals: s.strokeSignals.map((p) => signal('bsp', p)),
    segmentSignals: s.segmentSignals.map((p) => signal('segbsp', p)),
  };
}
