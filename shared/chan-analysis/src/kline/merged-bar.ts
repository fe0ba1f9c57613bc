/**
 * A merged bar (chan.py CKLine) and the inclusion merge of one raw bar into it (chan-spec §4).
 *
 * Every value lives in the level's `KlcPrices` columns (typed arrays indexed by the merged bar's idx) and is read
 * through getters; the object itself is two fields. Every merged bar of a series survives, so its size is what
 * the garbage collector pays per merged bar; V8 would also box each double-valued field in its own heap number.
 */
import { reserved } from '../indicators/grow.js';
import { DOWN, FX_NONE, UP, type Direction, type FxType, type MergedBar } from '../types.js';

/** Relation result of §4.1: COMBINE, or the direction of the new merged bar. */
export const COMBINE = 0 as const;
export type Relation = typeof COMBINE | Direction;

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

export class MergedKLine implements MergedBar {
  constructor(
    readonly idx: number,
    /** Fixed at creation: later merges follow it even if they reverse the move (§4.2). */
    dir: Direction,
    /** The first raw bar: its idx, high and low. */
    bar: number,
    high: number,
    low: number,
    /** The level's columns (this merged bar's values are at `idx`). */
    private readonly p: KlcPrices,
  ) {
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
  }

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

  /** Adds bar `bar` (idx) with range [l, h] that `relation` found COMBINE (§4.2), keeping the peak bars of §4.3 up to date. */
  absorb(bar: number, h: number, l: number): void {
    const p = this.p,
      i = this.idx;
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

  save(k: MergedKLine): void {
    this.high = k.high;
    this.low = k.low;
    this.lastBar = k.lastBar;
    this.peakHighBar = k.peakHighBar;
    this.peakLowBar = k.peakLowBar;
    this.maxBarHigh = k.maxBarHigh;
    this.minBarLow = k.minBarLow;
  }

  restore(k: MergedKLine): void {
    k.high = this.high;
    k.low = this.low;
    k.lastBar = this.lastBar;
    k.peakHighBar = this.peakHighBar;
    k.peakLowBar = this.peakLowBar;
    k.maxBarHigh = this.maxBarHigh;
    k.minBarLow = this.minBarLow;
  }
}
