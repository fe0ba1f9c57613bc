/**
 * A segment (线段), or a segment of segments (chan.py CSeg), chan-spec §7.1. It is itself a `Line`, so the
 * same algorithms run one level up over a list of segments.
 */
import { UP, type Direction, type Line, type Pivot, type Segment } from '../types.js';

/**
 * Raw-bar prices by bar idx: an array of bars (any `Bar[]` fits), or price columns (the engine's BarStore, so
 * that the structure code never needs a `Bar` object per bar).
 */
export type BarPrices = ArrayLike<{ readonly high: number; readonly low: number }> | PriceColumns;

/** Prices as columns indexed by bar idx. Read through the holder on every access (columns may be regrown). */
export interface PriceColumns {
  readonly high: ArrayLike<number>;
  readonly low: ArrayLike<number>;
}

/** Columns have a `high` column; an array of bars has no `high` property. */
export function isPriceColumns(bars: BarPrices): bars is PriceColumns {
  return (bars as Partial<PriceColumns>).high !== undefined;
}

/** chan.py SEG_END_VALUE_ERR: a sure segment whose end is not beyond its begin in its direction. */
export class SegEndValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SegEndValueError';
  }
}

export class Seg<L extends Line> implements Segment<L> {
  readonly idx: number;
  readonly dir: Direction;
  /** chan.py is_sure: false for a segment of fewer than 3 sub-lines whatever was requested. */
  readonly isSure: boolean;
  /**
   * chan.py is_used_to_be_sure = is_sure || the is_sure requested at creation (before the < 3 sub-lines
   * downgrade): the sureness this segment lends as a sub-line of segments of segments (§7.1, §16.19).
   */
  readonly wasSure: boolean;
  readonly startLine: L;
  readonly endLine: L;
  readonly reason: string;
  // Prices and bars are fixed at creation: a segment is rebuilt whenever a line it covers can still change.
  readonly beginVal: number;
  readonly endVal: number;
  readonly high: number;
  readonly low: number;
  readonly amp: number;
  readonly beginBar: number;
  readonly endBar: number;
  segIdx = -1;
  parentSeg: Segment<Line> | undefined = undefined;
  pivots: Pivot<L>[] = [];
  /**
   * The line forming element 3 of the feature fractal that closed this segment (none for segments made from
   * left-over lines). Update drops the last sure segment while this line is not sure (§7.10).
   */
  eigenEnd: L | undefined = undefined;
  /** Highest sub-line idx the confirmation of this segment read (FeatureFractal.reach); its end otherwise. */
  reach: number;

  constructor(
    idx: number,
    startLine: L,
    endLine: L,
    requestedSure: boolean,
    dir: Direction | undefined,
    reason: string,
    bars: BarPrices,
  ) {
    this.idx = idx;
    this.startLine = startLine;
    this.endLine = endLine;
    this.dir = dir ?? endLine.dir;
    this.reason = reason;
    this.wasSure = requestedSure;
    this.isSure = requestedSure && endLine.idx - startLine.idx >= 2;
    this.beginVal = startLine.beginVal;
    this.endVal = endLine.endVal;
    this.amp = Math.abs(this.endVal - this.beginVal);
    this.beginBar = startLine.beginBar;
    this.endBar = endLine.endBar;
    this.reach = endLine.idx;
    // From the bars, not the lines' values: they differ when the first or last line runs against the
    // segment's direction (possible for unsure segments given an explicit direction).
    const highBar = this.dir === UP ? this.endBar : this.beginBar;
    const lowBar = this.dir === UP ? this.beginBar : this.endBar;
    if (isPriceColumns(bars)) {
      this.high = bars.high[highBar];
      this.low = bars.low[lowBar];
    } else {
      this.high = bars[highBar].high;
      this.low = bars[lowBar].low;
    }
  }

  isUp(): boolean {
    return this.dir === UP;
  }

  /** §7.1 value check of a sure segment (chan.py CSeg.check); unsure segments are not checked. */
  valueOk(): boolean {
    if (!this.isSure) return true;
    return this.dir === UP ? this.beginVal <= this.endVal : this.beginVal >= this.endVal;
  }
}
