/**
 * The analyser of one level: bars in, every Chan structure out (chan.py CChan for one K-line type).
 *
 * `update(bar)` is the streaming entry: it appends a closed bar, or replaces the still-forming last bar when
 * the open time repeats, at a cost that does not depend on the history (merge + strokes are incremental, see
 * Level). The structures above strokes are derived lazily, when a snapshot is read, and incrementally: segments
 * are rebuilt only from the first one whose confirmation read a stroke that changed since the previous
 * snapshot. A snapshot therefore equals a batch run over the same bars at any moment, which the property
 * tests check.
 */
import { BarFields, parseTime, readBarExtras, readBarPrices, type BarOptions } from './bar.js';
import type { Bi } from './bi/bi.js';
import type { MergedKLine } from './kline/merged-bar.js';
import { BspCalculator } from './bsp/index.js';
import {
  configNeedsRsi,
  fromChanPy,
  getPreset,
  resolveConfig,
  type ChanConfig,
  type ChanConfigInput,
  type PresetName,
} from './config.js';
import { Level } from './level.js';
import { toResult, type LevelSnapshot, type ResultOptions } from './output.js';
import type { ChanResult } from './result.js';
import { createSegList, type Seg, type SegListChan } from './seg/index.js';
import type { BarInput } from './types.js';
import { PivotList } from './zs/index.js';

export interface AnalyzerOptions extends BarOptions {
  /** A named preset (`chanpy` by default: chan.py's code defaults; `classic`; `demo`). */
  preset?: string;
  /** Options under chan.py's own names (chan-spec §13), applied on top of `preset` (chan.py's defaults without one). */
  config?: Record<string, unknown>;
  /** Options under this library's camelCase names (ChanConfig), over `preset`. */
  settings?: ChanConfigInput;
}

/**
 * The config an options object selects, and the preset name to report (null for a custom config). The one rule
 * for preset + config, shared by the CLI and the API: the preset first, then the config's options on top.
 */
export function configFromOptions(options: AnalyzerOptions): { config: ChanConfig; preset: string | null } {
  if (options.config !== undefined) {
    const base = options.preset === undefined ? undefined : getPreset(options.preset);
    return { config: fromChanPy(options.config, base), preset: null };
  }
  const preset = options.preset ?? 'chanpy';
  if (options.settings !== undefined)
    return { config: resolveConfig({ ...options.settings, preset: preset as PresetName }), preset: null };
  return { config: getPreset(preset), preset };
}

export class ChanAnalyzer {
  readonly config: ChanConfig;
  readonly preset: string | null;
  private readonly level: Level;
  private readonly autofix: boolean;
  /** Reusable record of the validated values of the bar being added (no allocation per update). */
  private readonly fields = new BarFields();
  private readonly segments: SegListChan<Bi>;
  private readonly segmentsOfSegments: SegListChan<Seg<Bi>>;
  private readonly strokePivots: PivotList<Bi>;
  private readonly segmentPivots: PivotList<Seg<Bi>>;
  private readonly strokeSignals: BspCalculator<Bi>;
  private readonly segmentSignals: BspCalculator<Seg<Bi>>;
  private stale = false;
  /** Segments / segments of segments up to the last sure one at the previous snapshot. */
  private sureSegs = 0;
  private sureSegsegs = 0;
  /** Lowest bar idx added or replaced since the last derive. */
  private minTouched = 0;
  /** What the derived layers read from the stroke-list tail at the last derive (see `unchangedSinceDerive`). */
  private readonly tail = new StrokeTail();
  private view: LevelSnapshot | undefined;

  constructor(options: AnalyzerOptions = {}) {
    const { config, preset } = configFromOptions(options);
    this.config = config;
    this.preset = preset;
    this.autofix = options.autofix === true;
    this.level = new Level(config, { rsi: configNeedsRsi(config) });
    // The structure code reads prices from the bar columns: a snapshot needs no `Bar` view per bar.
    const bars = this.level.store;
    this.segments = createSegList<Bi>(config, bars);
    this.segmentsOfSegments = createSegList<Seg<Bi>>(config, bars);
    this.strokePivots = new PivotList<Bi>(config);
    this.segmentPivots = new PivotList<Seg<Bi>>(config);
    this.strokeSignals = BspCalculator.forStrokes<Bi>(config, bars, this.level.indicators);
    this.segmentSignals = BspCalculator.forSegments<Seg<Bi>>(config, bars);
  }

  /** Number of bars received (the forming one included). */
  get barCount(): number {
    return this.level.barCount;
  }

  /** Room for `n` bars up front: a batch run of known length then never regrows its per-bar columns. */
  reserve(n: number): void {
    this.level.reserve(n);
  }

  /**
   * Appends a closed bar, or replaces the last bar when its time equals the last bar's time (a still-forming
   * bar being updated). Throws BarValidationError for invalid prices or a time before the last bar's.
   */
  update(input: BarInput, label?: string): void {
    const level = this.level;
    const store = level.store;
    const n = store.length;
    const t = input.time;
    const time = typeof t === 'number' && Number.isFinite(t) ? t : parseTime(t);
    const text = label ?? (typeof t === 'string' ? t : undefined);
    const f = this.fields;
    if (n > 0 && store.time[n - 1] === time) {
      readBarPrices(input, n - 1, this.autofix, f);
      readBarExtras(input, n - 1, f);
      level.replaceLastValues(text, f);
      if (n - 1 < this.minTouched) this.minTouched = n - 1;
    } else {
      readBarPrices(input, n, this.autofix, f);
      readBarExtras(input, n, f);
      f.time = time;
      level.pushValues(text, f);
      if (n < this.minTouched) this.minTouched = n;
    }
    this.stale = true;
  }

  /** Every structure as live objects (valid until the next update). */
  snapshot(): LevelSnapshot {
    if (this.stale) this.derive();
    return (this.view ??= this.liveView());
  }

  /**
   * The snapshot object. Every field is a live list that updates keep in place, so one object serves every
   * snapshot (no allocation per call).
   */
  private liveView(): LevelSnapshot {
    const level = this.level;
    return {
      // Built on first read: the `Bar` views cost one object per bar, which a caller reading only the
      // structures (a batch run, a streaming consumer) never pays for.
      get bars() {
        return level.bars;
      },
      indicators: level.indicators,
      // Likewise: merged bars live in columns, their objects are made on first read.
      get mergedBars() {
        return level.merged;
      },
      strokes: level.bi.list,
      segments: this.segments.segs,
      segmentsOfSegments: this.segmentsOfSegments.segs,
      strokePivots: this.strokePivots.pivots,
      segmentPivots: this.segmentPivots.pivots,
      strokeSignals: this.strokeSignals.points,
      segmentSignals: this.segmentSignals.points,
      columns: { bars: level.store, merged: level.mergedColumns },
    };
  }

  /** The JSON document of result.ts. */
  result(options: Omit<ResultOptions, 'preset'> = {}): ChanResult {
    return toResult(this.snapshot(), { ...options, preset: this.preset });
  }

  private derive(): void {
    const strokes = this.level.strokes();
    if (this.tail.matches(strokes, this.level.bi.dirtyFrom, this.minTouched)) {
      // Nothing the layers above strokes read has changed: their structures are still those of a batch run.
      this.level.bi.takeDirtyFrom();
      this.minTouched = Infinity;
      this.stale = false;
      return;
    }
    const segs = this.segments;
    const segsegs = this.segmentsOfSegments;
    segs.update(strokes, this.level.bi.takeDirtyFrom());
    // Segments before keptCount are the same objects with the same values: the level above resumes there.
    segsegs.update(segs.segs, segs.keptCount);
    // Pivots and buy/sell points resume from the last sure segment of the previous snapshot (chan.py's step
    // scope). That scope assumes the segments up to it survived; when a forming bar gave back a price and
    // took a confirmed segment with it, the scope moves back to the last segment that was kept.
    if (segs.keptCount < this.sureSegs) {
      this.strokePivots.resumeFrom(segs.segs, segs.keptCount);
      this.strokeSignals.resumeFrom(segs.segs, segs.keptCount);
    }
    if (segsegs.keptCount < this.sureSegsegs || segs.keptCount < this.sureSegs) {
      const kept = Math.min(segsegs.keptCount, segsegKeptBy(segsegs.segs, segs.keptCount));
      this.segmentPivots.resumeFrom(segsegs.segs, kept);
      this.segmentSignals.resumeFrom(segsegs.segs, kept);
    }
    this.strokePivots.update(strokes, segs.segs);
    this.segmentPivots.update(segs.segs, segsegs.segs);
    this.segmentSignals.update(segs.segs, segsegs.segs);
    this.strokeSignals.update(strokes, segs.segs);
    this.sureSegs = sureCount(segs.segs);
    this.sureSegsegs = sureCount(segsegs.segs);
    this.tail.record(strokes);
    this.minTouched = Infinity;
    this.stale = false;
  }
}

/** Strokes at the end of the list whose state the snapshot shortcut compares (one push changes at most 2). */
const TAIL = 3;
/** Per tail stroke: begin and end merged bar, each 6 numbers (see `klcValues`). */
const KLC_VALUES = 6;

/**
 * The stroke-list tail as the derived layers (segments, pivots, buy/sell points) last read it. Those layers
 * read the strokes (objects, ends, sureness, prices and peak bars, all derived from the two end merged bars)
 * and the bars and indicator values inside the strokes' bar ranges. So when, since the last derive, the stroke
 * list changed at most in its tail (`dirtyFrom`) and the tail compares equal here, and every bar added or
 * replaced lies after the last stroke's last bar (an indicator value at bar i depends on bars ≤ i only), a new
 * derive would give the same structures: the snapshot skips it.
 */
class StrokeTail {
  private count = -1;
  private from = 0;
  private readonly objs: (Bi | undefined)[] = [];
  private readonly ends: (MergedKLine | undefined)[] = [];
  /** The last stroke's stale successor (quirk C/D), which the segment and pivot rules may read. */
  private stale: Bi | null = null;
  private readonly flags: number[] = [];
  private readonly values = new Float64Array(TAIL * 2 * KLC_VALUES);

  record(strokes: readonly Bi[]): void {
    const n = strokes.length;
    this.count = n;
    this.from = n > TAIL ? n - TAIL : 0;
    this.stale = n > 0 ? strokes[n - 1].staleNext : null;
    for (let i = this.from, j = 0; i < n; i++, j++) {
      const b = strokes[i];
      this.objs[j] = b;
      this.ends[j] = b.endKlc;
      this.flags[j] = (b.isSure ? 1 : 0) | (b.usedToBeSure ? 2 : 0);
      klcValues(b.beginKlc, this.values, j * 2 * KLC_VALUES);
      klcValues(b.endKlc, this.values, (j * 2 + 1) * KLC_VALUES);
    }
  }

  matches(strokes: readonly Bi[], dirtyFrom: number, minTouched: number): boolean {
    const n = strokes.length;
    if (n !== this.count) return false;
    if (n === 0) return true;
    if (dirtyFrom < this.from) return false;
    if (minTouched <= strokes[n - 1].endKlc.lastBar) return false;
    if (strokes[n - 1].staleNext !== this.stale) return false;
    const v = this.values;
    for (let i = this.from, j = 0; i < n; i++, j++) {
      const b = strokes[i];
      if (b !== this.objs[j] || b.endKlc !== this.ends[j]) return false;
      if (this.flags[j] !== ((b.isSure ? 1 : 0) | (b.usedToBeSure ? 2 : 0))) return false;
      if (!klcSame(b.beginKlc, v, j * 2 * KLC_VALUES) || !klcSame(b.endKlc, v, (j * 2 + 1) * KLC_VALUES)) return false;
    }
    return true;
  }
}

function klcValues(k: MergedKLine, out: Float64Array, o: number): void {
  out[o] = k.high;
  out[o + 1] = k.low;
  out[o + 2] = k.firstBar;
  out[o + 3] = k.lastBar;
  out[o + 4] = k.peakHighBar;
  out[o + 5] = k.peakLowBar;
}

function klcSame(k: MergedKLine, v: Float64Array, o: number): boolean {
  return (
    v[o] === k.high &&
    v[o + 1] === k.low &&
    v[o + 2] === k.firstBar &&
    v[o + 3] === k.lastBar &&
    v[o + 4] === k.peakHighBar &&
    v[o + 5] === k.peakLowBar
  );
}

/**
 * Segments of segments whose sub-lines all lie before `keptSegs` (their segments were not rebuilt). A kept
 * segment of segments has this property already; the bound matters for the segment-level pivots, whose lines
 * are the segments themselves.
 */
function segsegKeptBy(segsegs: readonly { endLine: { idx: number } }[], keptSegs: number): number {
  let k = 0;
  while (k < segsegs.length && segsegs[k].endLine.idx < keptSegs) k++;
  return k;
}

/** Length of the prefix that ends with the last sure segment. */
function sureCount(segs: readonly { isSure: boolean }[]): number {
  for (let i = segs.length - 1; i >= 0; i--) if (segs[i].isSure) return i + 1;
  return 0;
}

/** Batch analysis of a whole series. */
export function analyze(bars: readonly BarInput[], options: AnalyzerOptions = {}): ChanResult {
  const a = analyzeToAnalyzer(bars, options);
  // Nothing else holds `a`: its snapshot is final, so the document may build its per-bar parts on first read.
  return toResult(a.snapshot(), { preset: a.preset, frozen: true });
}

/** Batch run that keeps the analyser (to continue streaming, or to read live structures). */
export function analyzeToAnalyzer(bars: readonly BarInput[], options: AnalyzerOptions = {}): ChanAnalyzer {
  const a = new ChanAnalyzer(options);
  const n = bars.length;
  a.reserve(n);
  // Indexed, not for-of: a cold first run interprets this loop, and the iterator protocol is a call per bar there.
  for (let i = 0; i < n; i++) a.update(bars[i]);
  return a;
}
