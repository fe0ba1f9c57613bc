/**
 * A merged bar (chan.py CKLine) and the inclusion merge of one raw bar into it (chan-spec §4).
 *
 * Every value lives in the level's `KlcPrices` columns (typed arrays indexed by the merged bar's idx). The merge
 * itself works on the columns only (`MergedBars`): one object per merged bar would be the largest allocation of a
 * batch run, yet only stroke ends and readers of the merged-bar list need one. A `MergedKLine` is a view (idx,
 * columns) that reads its values through getters.
 */
import { reserved } from '../indicators/grow.js';
import { DOWN, FX_NONE, UP, type Direction, type FxType, type MergedBar } from '../types.js';

/** Relation result of §4.1: COMBINE, or the direction of the new merged bar. */
export const COMBINE = 0 as const;
export type Relation = typeof COMBINE | Direction;

/**
 * A bar's range, passed as an object: doubles passed to a call that is not inlined are boxed (one heap number
 * each per bar), fields of a reused record are not.
 */
export interface PriceRange {
  readonly high: number;
  readonly low: number;
}

/** Price columns of a level's merged bars, indexed by merged-bar idx (shared by all its MergedKLines). */
export class KlcPrices {
  high = new Float64Array(256);
  low = new Float64Array(256);
  maxBarHigh = new Float64Array(256);
  minBarLow = new Float64Array(256);
  /** Integer fields: dir, fx, first / last raw bar, peak high / low bar. */
  dir = new Int32Array(256);
  fx = new Int32Array(256);
  firstBar = new Int32Array(256);
  lastBar = new Int32Array(256);
  peakHighBar = new Int32Array(256);
  peakLowBar = new Int32Array(256);

  /** Room for `n` merged bars up front (at most one per bar: see BarStore.reserve). */
  reserve(n: number): void {
    if (n <= this.high.length) return;
    this.high = reserved(this.high, n);
    this.low = reserved(this.low, n);
    this.maxBarHigh = reserved(this.maxBarHigh, n);
    this.minBarLow = reserved(this.minBarLow, n);
    this.dir = reserved(this.dir, n);
    this.fx = reserved(this.fx, n);
    this.firstBar = reserved(this.firstBar, n);
    this.lastBar = reserved(this.lastBar, n);
    this.peakHighBar = reserved(this.peakHighBar, n);
    this.peakLowBar = reserved(this.peakLowBar, n);
  }

  /** Makes room for merged bar `idx`. */
  ensure(idx: number): void {
    if (idx < this.high.length) return;
    let cap = this.high.length * 2;
    while (cap <= idx) cap *= 2;
    this.high = grownTo(this.high, cap);
    this.low = grownTo(this.low, cap);
    this.maxBarHigh = grownTo(this.maxBarHigh, cap);
    this.minBarLow = grownTo(this.minBarLow, cap);
    this.dir = grownToInt(this.dir, cap);
    this.fx = grownToInt(this.fx, cap);
    this.firstBar = grownToInt(this.firstBar, cap);
    this.lastBar = grownToInt(this.lastBar, cap);
    this.peakHighBar = grownToInt(this.peakHighBar, cap);
    this.peakLowBar = grownToInt(this.peakLowBar, cap);
  }
}

function grownToInt(a: Int32Array<ArrayBuffer>, cap: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}

function grownTo(a: Float64Array<ArrayBuffer>, cap: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}

/**
 * The merged bars of a level: their values live only in the `KlcPrices` columns, so the per-bar path allocates
 * nothing. A `MergedKLine` object is made only where one is held: a stroke end (`at`) or the `merged` list of
 * snapshots and outputs (`list`). An object is only (idx, columns), so any two objects of one idx read the same
 * values; the stroke engine keeps one object per stroke end (compared by identity), the list its own ones.
 */
export class MergedBars {
  readonly p = new KlcPrices();
  /** Number of merged bars. */
  count = 0;
  /** The object `at` made last: the virtual stroke asks for the last merged bar at every snapshot. */
  private lastAt: MergedKLine | null = null;
  /** All objects up to `count` (the `list()` array). */
  private readonly objs: MergedKLine[] = [];

  /** Appends merged bar `count` with first raw bar `bar` (its range `r`): `dir` is fixed at creation (§4.2). */
  add(dir: Direction, bar: number, r: PriceRange): void {
    const high = r.high,
      low = r.low;
    const idx = this.count;
    const p = this.p;
    p.ensure(idx);
    p.high[idx] = high;
    p.low[idx] = low;
    p.maxBarHigh[idx] = high;
    p.minBarLow[idx] = low;
    p.dir[idx] = dir;
    p.fx[idx] = FX_NONE;
    p.firstBar[idx] = bar;
    p.lastBar[idx] = bar;
    p.peakHighBar[idx] = bar;
    p.peakLowBar[idx] = bar;
    this.count = idx + 1;
  }

  /** Removes the last merged bar (undo of `add`): a merged bar created again at its idx gets a new object. */
  pop(): void {
    this.count--;
    if (this.lastAt !== null && this.lastAt.idx >= this.count) this.lastAt = null;
  }

  /**
   * An object for merged bar `i` (a stroke end). Consecutive calls for one idx give the same object; others a new
   * one. Not cached per idx: a per-idx cache measured slower than the allocation it saves.
   */
  at(i: number): MergedKLine {
    const k = this.lastAt;
    if (k !== null && k.idx === i) return k;
    return (this.lastAt = new MergedKLine(i, this.p));
  }

  /** All merged bars as objects, index = idx: the same array every call, brought to `count`. */
  list(): MergedKLine[] {
    const objs = this.objs;
    const n = this.count;
    if (objs.length > n) objs.length = n;
    for (let i = objs.length; i < n; i++) objs.push(new MergedKLine(i, this.p));
    return objs;
  }

  /** Adds bar `bar` (idx) with range `r` to merged bar `i`, which §4.1 found COMBINE (§4.2, peak bars §4.3). */
  absorb(i: number, bar: number, r: PriceRange): void {
    const h = r.high,
      l = r.low;
    const p = this.p;
    let mh = p.high[i],
      ml = p.low[i];
    // One-price bar at the merged extreme: the range must not move (一字K线 exception).
    const up = p.dir[i] === UP;
    const onePrice = h === l && (up ? h === mh : l === ml);
    if (!onePrice) {
      if (up) {
        if (h > mh) mh = h;
        if (l > ml) ml = l;
      } else {
        if (h < mh) mh = h;
        if (l < ml) ml = l;
      }
      p.high[i] = mh;
      p.low[i] = ml;
    }
    // The merged extremes are always some member's own value; the latest such member is the peak bar.
    if (h === mh) p.peakHighBar[i] = bar;
    if (l === ml) p.peakLowBar[i] = bar;
    if (h > p.maxBarHigh[i]) p.maxBarHigh[i] = h;
    if (l < p.minBarLow[i]) p.minBarLow[i] = l;
    p.lastBar[i] = bar;
  }
}

/** A merged bar as an object: a view of its values in the level's columns. */
export class MergedKLine implements MergedBar {
  constructor(
    readonly idx: number,
    /** The level's columns (this merged bar's values are at `idx`). */
    private readonly p: KlcPrices,
  ) {}

  get dir(): Direction {
    return this.p.dir[this.idx] as Direction;
  }
  get fx(): FxType {
    return this.p.fx[this.idx] as FxType;
  }
  set fx(v: FxType) {
    this.p.fx[this.idx] = v;
  }
  get firstBar(): number {
    return this.p.firstBar[this.idx];
  }
  get lastBar(): number {
    return this.p.lastBar[this.idx];
  }
  set lastBar(v: number) {
    this.p.lastBar[this.idx] = v;
  }
  get peakHighBar(): number {
    return this.p.peakHighBar[this.idx];
  }
  set peakHighBar(v: number) {
    this.p.peakHighBar[this.idx] = v;
  }
  get peakLowBar(): number {
    return this.p.peakLowBar[this.idx];
  }
  set peakLowBar(v: number) {
    this.p.peakLowBar[this.idx] = v;
  }
  get high(): number {
    return this.p.high[this.idx];
  }
  set high(v: number) {
    this.p.high[this.idx] = v;
  }
  get low(): number {
    return this.p.low[this.idx];
  }
  set low(v: number) {
    this.p.low[this.idx] = v;
  }
  /** Max high / min low of the member bars' own ranges (gap detection, §6.4). */
  get maxBarHigh(): number {
    return this.p.maxBarHigh[this.idx];
  }
  set maxBarHigh(v: number) {
    this.p.maxBarHigh[this.idx] = v;
  }
  get minBarLow(): number {
    return this.p.minBarLow[this.idx];
  }
  set minBarLow(v: number) {
    this.p.minBarLow[this.idx] = v;
  }

  get barCount(): number {
    return this.lastBar - this.firstBar + 1;
  }

  /** §4.1; any equal high or equal low merges, so adjacent merged bars differ strictly in both. */
  relation(high: number, low: number): Relation {
    const p = this.p,
      i = this.idx;
    const mh = p.high[i],
      ml = p.low[i];
    if (mh >= high && ml <= low) return COMBINE;
    if (mh <= high && ml >= low) return COMBINE;
    if (mh > high && ml > low) return DOWN;
    return UP;
  }

  /** The plain merged bar (what JSON.stringify and spreading callers expect). */
  toJSON(): MergedBar {
    return {
      idx: this.idx,
      dir: this.dir,
      fx: this.fx,
      high: this.high,
      low: this.low,
      firstBar: this.firstBar,
      lastBar: this.lastBar,
      peakHighBar: this.peakHighBar,
      peakLowBar: this.peakLowBar,
      maxBarHigh: this.maxBarHigh,
      minBarLow: this.minBarLow,
    };
  }
}

/** Undo record of one `absorb` (constant size; see Level.replaceLast). */
export class MergedUndo {
  high = 0.5;
  low = 0.5;
  lastBar = 0;
  peakHighBar = 0;
  peakLowBar = 0;
  maxBarHigh = 0.5;
  minBarLow = 0.5;

  save(p: KlcPrices, i: number): void {
    this.high = p.high[i];
    this.low = p.low[i];
    this.lastBar = p.lastBar[i];
    this.peakHighBar = p.peakHighBar[i];
    this.peakLowBar = p.peakLowBar[i];
    this.maxBarHigh = p.maxBarHigh[i];
    this.minBarLow = p.minBarLow[i];
  }

  restore(p: KlcPrices, i: number): void {
    p.high[i] = this.high;
    p.low[i] = this.low;
    p.lastBar[i] = this.lastBar;
    p.peakHighBar[i] = this.peakHighBar;
    p.peakLowBar[i] = this.peakLowBar;
    p.maxBarHigh[i] = this.maxBarHigh;
    p.minBarLow[i] = this.minBarLow;
  }
}
