/**
 * One pivot (中枢, chan.py CZS) over sub-lines of type L (chan-spec §8.1, §8.4).
 */
import type { Line, Pivot as PivotShape } from '../types.js';
import type { ZsCombineMode } from '../config.js';

export class PivotImpl<L extends Line = Line> implements PivotShape<L> {
  beginLine: L;
  endLine: L;
  low: number;
  high: number;
  peakLow: number;
  peakHigh: number;
  readonly isSure: boolean;
  parts: PivotImpl<L>[] = [];
  lineIn: L | undefined = undefined;
  lineOut: L | undefined = undefined;

  /**
   * Built from candidate lines lines[from, to) (default: all, ≥ 1; nothing is copied out of the caller's list),
   * ZD/ZG = the overlap of exactly these lines.
   */
  constructor(lines: ArrayLike<L>, isSure: boolean, from = 0, to = lines.length) {
    const first = lines[from]!;
    this.beginLine = first;
    this.endLine = lines[to - 1]!;
    let low = first.low;
    let high = first.high;
    let peakLow = first.low;
    let peakHigh = first.high;
    for (let i = from + 1; i < to; i++) {
      const x = lines[i]!;
      if (x.low > low) low = x.low;
      if (x.high < high) high = x.high;
      if (x.low < peakLow) peakLow = x.low;
      if (x.high > peakHigh) peakHigh = x.high;
    }
    this.low = low;
    this.high = high;
    this.peakLow = peakLow;
    this.peakHigh = peakHigh;
    this.isSure = isSure;
  }

  get isOneLine(): boolean {
    return this.beginLine.idx === this.endLine.idx;
  }

  get mid(): number {
    return (this.low + this.high) / 2;
  }

  /** Raw bar idx of the pivot's first / last bar. */
  get beginBar(): number {
    return this.beginLine.beginBar;
  }

  get endBar(): number {
    return this.endLine.endBar;
  }

  /** chan.py in_range: strict overlap of [ZD, ZG] with the line's range. */
  inRange(x: Line): boolean {
    return x.high > this.low && this.high > x.low;
  }

  /** Extends the pivot with x if x overlaps it (ZD/ZG stay; a one-line pivot recomputes them). */
  tryAddToEnd(x: L): boolean {
    if (!this.inRange(x)) return false;
    if (this.isOneLine) {
      const b = this.beginLine;
      this.low = Math.max(b.low, x.low);
      this.high = Math.min(b.high, x.high);
    }
    this.endLine = x;
    if (x.low < this.peakLow) this.peakLow = x.low;
    if (x.high > this.peakHigh) this.peakHigh = x.high;
    return true;
  }

  /**
   * zs_combine: absorbs `next` (the later pivot) when both begin in the same segment and their ranges
   * overlap — [ZD, ZG] touching counts in "zs" mode, [DD, GG] must overlap strictly in "peak" mode. The
   * result spans the union (not the intersection) of both ranges.
   */
  combine(next: PivotImpl<L>, mode: ZsCombineMode): boolean {
    if (next.isOneLine) return false;
    if (this.beginLine.segIdx !== next.beginLine.segIdx) return false;
    if (mode === 'zs') {
      if (!(next.high >= this.low && this.high >= next.low)) return false;
    } else if (!(next.peakHigh > this.peakLow && this.peakHigh > next.peakLow)) {
      return false;
    }
    if (this.parts.length === 0) this.parts.push(this.copy());
    this.parts.push(next);
    this.low = Math.min(this.low, next.low);
    this.high = Math.max(this.high, next.high);
    this.peakLow = Math.min(this.peakLow, next.peakLow);
    this.peakHigh = Math.max(this.peakHigh, next.peakHigh);
    this.endLine = next.endLine;
    this.lineOut = next.lineOut;
    return true;
  }

  private copy(): PivotImpl<L> {
    const c = new PivotImpl<L>([this.beginLine], this.isSure);
    c.endLine = this.endLine;
    c.low = this.low;
    c.high = this.high;
    c.peakLow = this.peakLow;
    c.peakHigh = this.peakHigh;
    c.lineIn = this.lineIn;
    c.lineOut = this.lineOut;
    return c;
  }

  /** Pivots whose first line lies in `seg` belong to it (§8.5). */
  isInside(startIdx: number, endIdx: number): boolean {
    const b = this.beginLine.idx;
    return startIdx <= b && b <= endIdx;
  }
}
