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
  type IndicatorSeries,
  type Line,
  type MergedBar,
  type Pivot,
  type Segment,
} from './types.js';

export const ENGINE_NAME = 'chan-analysis';
export const ENGINE_VERSION = '2.0.0';

/**
 * The per-bar values as columns, index = bar idx: what `toResult` reads. The analyser's bar store is one, so a
 * result needs no `Bar` object per bar (a fresh process pays for every object and every getter call).
 */
export interface BarColumns {
  readonly length: number;
  readonly time: ArrayLike<number>;
  readonly open: ArrayLike<number>;
  readonly high: ArrayLike<number>;
  readonly low: ArrayLike<number>;
  readonly close: ArrayLike<number>;
  readonly volume: ArrayLike<number>;
  label(i: number): string;
}

/** The merged bars as columns, index = merged-bar idx (the analyser's merged-bar store). */
export interface MergedColumns {
  readonly count: number;
  readonly p: {
    readonly high: ArrayLike<number>;
    readonly low: ArrayLike<number>;
    readonly dir: ArrayLike<number>;
    readonly fx: ArrayLike<number>;
    readonly firstBar: ArrayLike<number>;
    readonly lastBar: ArrayLike<number>;
    readonly peakHighBar: ArrayLike<number>;
    readonly peakLowBar: ArrayLike<number>;
  };
}

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
  /** `bars` and `mergedBars` as columns, when the snapshot has them (the analyser's do); read instead of the objects. */
  readonly columns?: { readonly bars: BarColumns; readonly merged: MergedColumns };
}

const dirName = (d: number): DirectionName => (d === UP ? 'up' : 'down');

/** The per-bar parts of the document (large: for 50k bars ~99 % of it), as `include` names them. */
export const PER_BAR_PARTS = ['bars', 'mergedBars', 'fractals'] as const;
export type PerBarPart = (typeof PER_BAR_PARTS)[number];

export interface ResultOptions {
  preset?: string | null;
  /** Leave out the per-bar arrays (bars, mergedBars, fractals) when only structures are wanted. */
  structuresOnly?: boolean;
  /** Which per-bar arrays to fill (default: all, unless structuresOnly); the others are empty. */
  include?: readonly PerBarPart[];
  /**
   * The snapshot will not change any more (nothing else holds its analyser, as in `analyze()`): the per-bar arrays
   * are then built when first read rather than up front. They are ~99 % of a document's objects, and a caller
   * that reads only the structures (a scan, a structures-only response) never pays for them. Each is an
   * enumerable own property, so JSON.stringify, spreading and equality see the same document.
   */
  frozen?: boolean;
}

function barColumnsOf(bars: readonly Bar[]): BarColumns {
  const col = (f: (b: Bar) => number) => bars.map(f);
  return {
    length: bars.length,
    time: col((b) => b.time),
    open: col((b) => b.open),
    high: col((b) => b.high),
    low: col((b) => b.low),
    close: col((b) => b.close),
    volume: col((b) => b.volume),
    label: (i) => bars[i].label,
  };
}

function mergedColumnsOf(merged: readonly MergedBar[]): MergedColumns {
  const col = (f: (m: MergedBar) => number) => merged.map(f);
  return {
    count: merged.length,
    p: {
      high: col((m) => m.high),
      low: col((m) => m.low),
      dir: col((m) => m.dir),
      fx: col((m) => m.fx),
      firstBar: col((m) => m.firstBar),
      lastBar: col((m) => m.lastBar),
      peakHighBar: col((m) => m.peakHighBar),
      peakLowBar: col((m) => m.peakLowBar),
    },
  };
}

export function toResult(s: LevelSnapshot, options: ResultOptions = {}): ChanResult {
  const include = options.structuresOnly ? [] : (options.include ?? PER_BAR_PARTS);
  const cols = s.columns?.bars ?? barColumnsOf(s.bars);
  const time = cols.time;
  const line = (prefix: string, l: Line | Segment, withSub: boolean): ResultLine => {
    const b = l.beginBar;
    const e = l.endBar;
    const out: ResultLine = {
      id: `${prefix}-${time[b]}`,
      idx: l.idx,
      begin: cols.label(b),
      end: cols.label(e),
      beginTs: time[b],
      endTs: time[e],
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
    const b = z.beginLine.beginBar;
    const e = z.endLine.endBar;
    return {
      id: `${prefix}-${time[b]}`,
      begin: cols.label(b),
      end: cols.label(e),
      beginTs: time[b],
      endTs: time[e],
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
    const i = p.line.endBar;
    return {
      id: `${prefix}-${time[i]}-${p.isBuy ? 'buy' : 'sell'}`,
      time: cols.label(i),
      ts: time[i],
      side: p.isBuy ? 'buy' : 'sell',
      types: [...p.types],
      confirmed: p.line.isSure,
      lineIdx: p.line.idx,
      price: p.line.endVal,
      features: { ...p.features },
    };
  };

  const wantBars = include.includes('bars'),
    wantMerged = include.includes('mergedBars'),
    wantFractals = include.includes('fractals');
  const merged = () => s.columns?.merged ?? mergedColumnsOf(s.mergedBars);
  const structures = {
    strokes: s.strokes.map((l) => line('bi', l, false)),
    segments: s.segments.map((l) => line('seg', l, true)),
    segmentsOfSegments: s.segmentsOfSegments.map((l) => line('segseg', l, true)),
    strokePivots: s.strokePivots.map((z) => pivot('zs', z)),
    segmentPivots: s.segmentPivots.map((z) => pivot('segzs', z)),
    strokeSignals: s.strokeSignals.map((p) => signal('bsp', p)),
    segmentSignals: s.segmentSignals.map((p) => signal('segbsp', p)),
  };
  const meta = { engine: ENGINE_NAME, version: ENGINE_VERSION, preset: options.preset ?? null, barCount: cols.length };
  if (options.frozen !== true) {
    const m = wantMerged || wantFractals ? merged() : undefined;
    return {
      meta,
      bars: wantBars ? resultBars(cols, s.indicators) : [],
      mergedBars: m !== undefined && wantMerged ? resultMergedBars(cols, m) : [],
      fractals: m !== undefined && wantFractals ? resultFractals(cols, m) : [],
      ...structures,
    };
  }
  const doc = { meta, bars: [], mergedBars: [], fractals: [], ...structures } as ChanResult;
  if (wantBars) lazyPart(doc, 'bars', () => resultBars(cols, s.indicators));
  if (wantMerged) lazyPart(doc, 'mergedBars', () => resultMergedBars(cols, merged()));
  if (wantFractals) lazyPart(doc, 'fractals', () => resultFractals(cols, merged()));
  return doc;
}

/** `doc[key]` built by `build` on first read, then a plain data property (assigning it first skips the build). */
function lazyPart<K extends PerBarPart>(doc: ChanResult, key: K, build: () => ChanResult[K]): void {
  const settle = (value: ChanResult[K]) =>
    Object.defineProperty(doc, key, { value, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(doc, key, {
    enumerable: true,
    configurable: true,
    get() {
      const value = build();
      settle(value);
      return value;
    },
    set: settle,
  });
}

function resultBars(c: BarColumns, ind: IndicatorSeries): ResultBar[] {
  const { macd, dif, dea } = ind;
  const n = c.length;
  const out: ResultBar[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const v = c.volume[i];
    out[i] = {
      time: c.label(i),
      ts: c.time[i],
      open: c.open[i],
      high: c.high[i],
      low: c.low[i],
      close: c.close[i],
      volume: Number.isNaN(v) ? null : v,
      dif: dif[i],
      dea: dea[i],
      macd: macd[i],
    };
  }
  return out;
}

function resultMergedBars(c: BarColumns, m: MergedColumns): ResultMergedBar[] {
  const p = m.p;
  const n = m.count;
  const out: ResultMergedBar[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const first = p.firstBar[i],
      last = p.lastBar[i],
      fx = p.fx[i];
    out[i] = {
      idx: i,
      begin: c.label(first),
      end: c.label(last),
      beginTs: c.time[first],
      endTs: c.time[last],
      barCount: last - first + 1,
      high: p.high[i],
      low: p.low[i],
      direction: dirName(p.dir[i]),
      fractal: fx === FX_TOP ? 'top' : fx === FX_BOTTOM ? 'bottom' : null,
    };
  }
  return out;
}

function resultFractals(c: BarColumns, m: MergedColumns): ResultFractal[] {
  const p = m.p;
  const out: ResultFractal[] = [];
  for (let i = 0; i < m.count; i++) {
    const fx = p.fx[i];
    if (fx === FX_NONE) continue;
    const top = fx === FX_TOP;
    const peak = top ? p.peakHighBar[i] : p.peakLowBar[i];
    out.push({
      mergedIdx: i,
      type: top ? 'top' : 'bottom',
      time: c.label(peak),
      ts: c.time[peak],
      value: top ? p.high[i] : p.low[i],
    });
  }
  return out;
}
