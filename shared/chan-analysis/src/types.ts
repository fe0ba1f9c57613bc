/**
 * The engine's shared vocabulary. Every Chan concept module (kline, bi, seg, zs, bsp) speaks in these types,
 * so that the segment, pivot and buy/sell-point code can run one level up (segments as the "lines" of
 * segments-of-segments) exactly as chan.py reuses its code.
 *
 * Conventions
 * - Directions and fractal kinds are small integers (hot paths compare numbers, not strings).
 * - Bars are addressed by their index in the level's bar array; merged bars and lines by their list index.
 * - `isSure` is chan.py's is_sure; `wasSure` is chan.py's is_used_to_be_sure (is_sure || used_to_be_sure).
 */

export const UP = 1 as const;
export const DOWN = -1 as const;
export type Direction = typeof UP | typeof DOWN;

export const FX_NONE = 0 as const;
export const FX_TOP = 1 as const;
export const FX_BOTTOM = -1 as const;
export type FxType = typeof FX_NONE | typeof FX_TOP | typeof FX_BOTTOM;

/** One raw OHLCV bar (chan.py CKLine_Unit) as the engine stores it. */
export interface Bar {
  /** Position in the level's bar array (0, 1, 2, …). */
  readonly idx: number;
  /** Open time (or the source's own label time) as epoch milliseconds: compared as real instants. */
  readonly time: number;
  /** The caller's own time string, echoed back in outputs. */
  readonly label: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  /** NaN when the source has none (volume metrics then give 0, as chan.py does). */
  readonly volume: number;
  readonly turnover: number;
  readonly turnoverRate: number;
}

/** Input bar as accepted by the public API (time as epoch ms, Date or ISO/date string). */
export interface BarInput {
  time: number | string | Date;
  open: number;
  high: number;
  low: number;
  close: number;
  volume?: number;
  turnover?: number;
  turnoverRate?: number;
}

/** Per-bar indicator series, indexed by bar idx (struct of arrays: no object per bar). */
export interface IndicatorSeries {
  /** chan.py `macd` = 2·(DIF − DEA), the histogram bar. */
  readonly macd: ArrayLike<number>;
  readonly dif: ArrayLike<number>;
  readonly dea: ArrayLike<number>;
  /** RSI per bar, only when the config asks for it (cal_rsi / macd_algo "rsi"). */
  readonly rsi?: ArrayLike<number>;
}

/** A merged bar (chan.py CKLine) after inclusion processing. */
export interface MergedBar {
  readonly idx: number;
  /** Direction fixed at creation (never recomputed). */
  readonly dir: Direction;
  readonly fx: FxType;
  readonly high: number;
  readonly low: number;
  /** First and last raw bar idx (bars of a merged bar are contiguous). */
  readonly firstBar: number;
  readonly lastBar: number;
  /** Latest member bar whose own high / low equals the merged high / low (§4.3). */
  readonly peakHighBar: number;
  readonly peakLowBar: number;
  /** Max high / min low of the member bars' own ranges (gap detection, §6.4). */
  readonly maxBarHigh: number;
  readonly minBarLow: number;
}

/**
 * A line: a stroke (bi) or a segment (seg). Everything the segment, pivot and buy/sell-point algorithms read.
 * Values are live: a stroke's end can still move while it is the last one.
 */
export interface Line {
  readonly idx: number;
  readonly dir: Direction;
  readonly isSure: boolean;
  /** chan.py is_used_to_be_sure. */
  readonly wasSure: boolean;
  readonly high: number;
  readonly low: number;
  readonly beginVal: number;
  readonly endVal: number;
  /** |endVal − beginVal|. */
  readonly amp: number;
  /** Raw bar idx of the begin / end peak bars (the times a line is drawn between). */
  readonly beginBar: number;
  readonly endBar: number;
  /** Index of the segment this line belongs to (last segment index + 1 for lines after the last one), -1 before any assignment. */
  segIdx: number;
  /** The segment that claims this line (chan.py parent_seg; may be stale, see chan-spec §7.8 quirk). */
  parentSeg: Segment<Line> | undefined;
  /**
   * chan.py's successor pointer where it outlives its target (quirk C/D): on the last stroke, the stroke the
   * sub-peak rule removed after it; on that removed stroke, its own. Read only through `successor` (quirks.ts).
   */
  readonly staleNext?: Line | null;
}

/**
 * The raw bars a stroke covers for the divergence metrics (chan-spec §9): from the first bar of its begin
 * merged bar to the last bar of its end merged bar, i.e. including the bars of those two merged bars outside
 * the peak bars. Strokes implement it; segments do not need to (their metrics read only beginBar/endBar).
 */
export interface BarSpan {
  readonly firstBar: number;
  readonly lastBar: number;
}

/** A segment (or a segment of segments) over sub-lines of type L. It is itself a Line one level up. */
export interface Segment<L extends Line = Line> extends Line {
  readonly startLine: L;
  readonly endLine: L;
  /** chan.py's reason tag ("normal", "split_first_1st", "collectleft_find_high", …). */
  readonly reason: string;
  /** Pivots whose first sub-line lies in this segment, in time order (§8.5). */
  pivots: Pivot<L>[];
}

/** A pivot (中枢, zs) over sub-lines of type L. */
export interface Pivot<L extends Line = Line> {
  readonly beginLine: L;
  readonly endLine: L;
  /** ZD: max of the sub-lines' lows at creation. */
  readonly low: number;
  /** ZG: min of the sub-lines' highs at creation. */
  readonly high: number;
  /** DD / GG: min low / max high over all sub-lines ever added. */
  readonly peakLow: number;
  readonly peakHigh: number;
  readonly isSure: boolean;
  /** Parts merged into this pivot by zs_combine (empty when not combined). */
  readonly parts: readonly Pivot<L>[];
  /** The sub-line entering / leaving the pivot (bi_in / bi_out), when they exist. */
  lineIn: L | undefined;
  lineOut: L | undefined;
  readonly isOneLine: boolean;
}

export type BspType = '1' | '1p' | '2' | '2s' | '3a' | '3b';
export const BSP_TYPES: readonly BspType[] = ['1', '1p', '2', '2s', '3a', '3b'];

/** A buy/sell point (买卖点) at the end of a line. */
export interface BuySellPoint<L extends Line = Line> {
  readonly line: L;
  readonly isBuy: boolean;
  /** In detection order, e.g. ['2', '3b']. */
  readonly types: BspType[];
  readonly relateBsp1: BuySellPoint<L> | undefined;
  readonly features: Record<string, number | null>;
}
