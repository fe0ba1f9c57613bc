/**
 * A merged bar (chan.py CKLine) and the inclusion merge of one raw bar into it (chan-spec §4).
 * Fields are plain mutable properties (read through the readonly `MergedBar` interface elsewhere) so that the
 * hot path is field loads and stores on one monomorphic class.
 */
import { DOWN, FX_NONE, UP, type Bar, type Direction, type FxType, type MergedBar } from '../types.js';

/** Relation result of §4.1: COMBINE, or the direction of the new merged bar. */
export const COMBINE = 0 as const;
export type Relation = typeof COMBINE | Direction;

export class MergedKLine implements MergedBar {
  fx: FxType = FX_NONE;
  high: number;
  low: number;
  lastBar: number;
  peakHighBar: number;
  peakLowBar: number;
  maxBarHigh: number;
  minBarLow: number;
  readonly firstBar: number;

  constructor(
    readonly idx: number,
    /** Fixed at creation: later merges follow it even if they reverse the move (§4.2). */
    readonly dir: Direction,
    bar: Bar,
  ) {
    this.high = bar.high;
    this.low = bar.low;
    this.firstBar = bar.idx;
    this.lastBar = bar.idx;
    this.peakHighBar = bar.idx;
    this.peakLowBar = bar.idx;
    this.maxBarHigh = bar.high;
    this.minBarLow = bar.low;
  }

  get barCount(): number {
    return this.lastBar - this.firstBar + 1;
  }

  /** §4.1; any equal high or equal low merges, so adjacent merged bars differ strictly in both. */
  relation(high: number, low: number): Relation {
    if (this.high >= high && this.low <= low) return COMBINE;
    if (this.high <= high && this.low >= low) return COMBINE;
    if (this.high > high && this.low > low) return DOWN;
    return UP;
  }

  /** Adds a bar that `relation` found COMBINE (§4.2), keeping the peak bars of §4.3 up to date. */
  absorb(bar: Bar): void {
    const h = bar.high,
      l = bar.low;
    // One-price bar at the merged extreme: the range must not move (一字K线 exception).
    const onePrice = h === l && (this.dir === UP ? h === this.high : l === this.low);
    if (!onePrice) {
      if (this.dir === UP) {
        if (h > this.high) this.high = h;
        if (l > this.low) this.low = l;
      } else {
        if (h < this.high) this.high = h;
        if (l < this.low) this.low = l;
      }
    }
    // The merged extremes are always some member's own value; the latest such member is the peak bar.
    if (h === this.high) this.peakHighBar = bar.idx;
    if (l === this.low) this.peakLowBar = bar.idx;
    if (h > this.maxBarHigh) this.maxBarHigh = h;
    if (l < this.minBarLow) this.minBarLow = l;
    this.lastBar = bar.idx;
  }
}

/** Undo record of one `absorb` (constant size; see Level.replaceLast). */
export class MergedUndo {
  high = 0;
  low = 0;
  lastBar = 0;
  peakHighBar = 0;
  peakLowBar = 0;
  maxBarHigh = 0;
  minBarLow = 0;

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
