/**
 * Divergence metrics of a line (chan.py cal_macd_metric, chan-spec §9): how strong a stroke or segment is,
 * compared between the line entering a pivot and the line leaving it (type 1/1p buy/sell points).
 *
 * Strokes read every raw bar of every merged bar they cover (BarSpan), segments only their begin/end bars.
 * Sums run in bar order, as chan.py does, so the divergence_rate feature matches it to the last bit.
 */
import type { Bar, BarSpan, IndicatorSeries, Line } from '../types.js';
import { UP } from '../types.js';
import type { MacdAlgo } from '../config.js';

export type StrokeLike = Line & BarSpan;

/** Bar columns indexed by bar idx (the engine's BarStore): metrics then need no `Bar` object per bar. */
export interface BarColumns {
  readonly high: ArrayLike<number>;
  readonly low: ArrayLike<number>;
  readonly volume: ArrayLike<number>;
  readonly turnover: ArrayLike<number>;
  readonly turnoverRate: ArrayLike<number>;
}

/** What the metrics read the bars from: an array of bars, or bar columns. */
export type BarSource = readonly Bar[] | BarColumns;

type TradeField = 'volume' | 'turnover' | 'turnoverRate';

/** Uniform access to a BarSource (one class per kind keeps the call sites monomorphic). */
interface BarReader {
  high(i: number): number;
  low(i: number): number;
  trade(field: TradeField, i: number): number | null | undefined;
}

class ArrayBarReader implements BarReader {
  constructor(private readonly bars: readonly Bar[]) {}
  high(i: number): number {
    return this.bars[i]!.high;
  }
  low(i: number): number {
    return this.bars[i]!.low;
  }
  trade(field: TradeField, i: number): number | null | undefined {
    return this.bars[i]![field];
  }
}

class ColumnBarReader implements BarReader {
  constructor(private readonly cols: BarColumns) {}
  high(i: number): number {
    return this.cols.high[i]!;
  }
  low(i: number): number {
    return this.cols.low[i]!;
  }
  trade(field: TradeField, i: number): number {
    return this.cols[field][i]!;
  }
}

function barReader(bars: BarSource): BarReader {
  return (bars as Partial<BarColumns>).high !== undefined
    ? new ColumnBarReader(bars as BarColumns)
    : new ArrayBarReader(bars as readonly Bar[]);
}

/** The metric function a buy/sell-point calculator is given for its level. */
export type MetricFn<L extends Line> = (line: L, algo: MacdAlgo, isReverse: boolean) => number;

export class DivergenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DivergenceError';
  }
}

/** Metric for a stroke (all twelve algorithms). */
export function strokeMetric(
  line: StrokeLike,
  algo: MacdAlgo,
  isReverse: boolean,
  bars: BarSource,
  ind: IndicatorSeries,
): number {
  return strokeMetricOf(line, algo, isReverse, barReader(bars), ind);
}

function strokeMetricOf(
  line: StrokeLike,
  algo: MacdAlgo,
  isReverse: boolean,
  bars: BarReader,
  ind: IndicatorSeries,
): number {
  switch (algo) {
    case 'peak':
      return macdPeak(line, ind.macd);
    case 'full_area':
      return macdFullArea(line, ind.macd);
    case 'area':
      return isReverse ? macdAreaReverse(line, ind.macd) : macdAreaForward(line, ind.macd);
    case 'diff':
      return macdDiff(line, ind.macd);
    case 'slope':
      return slope(line, bars);
    case 'amp':
      return amp(line, bars);
    case 'volumn':
      return tradeSum(line, bars, 'volume', false);
    case 'amount':
      return tradeSum(line, bars, 'turnover', false);
    case 'volumn_avg':
      return tradeSum(line, bars, 'volume', true);
    case 'amount_avg':
      return tradeSum(line, bars, 'turnover', true);
    case 'turnrate_avg':
      return tradeSum(line, bars, 'turnoverRate', true);
    case 'rsi':
      return rsiMetric(line, ind);
    default:
      throw new DivergenceError(`unknown macd_algo "${String(algo)}"`);
  }
}

/** Metric for a segment used as a line: chan.py only defines slope and amp there. */
export function segmentMetric(line: Line, algo: MacdAlgo, _isReverse: boolean, bars: BarSource): number {
  return segmentMetricOf(line, algo, barReader(bars));
}

function segmentMetricOf(line: Line, algo: MacdAlgo, bars: BarReader): number {
  if (algo === 'slope') return slope(line, bars);
  if (algo === 'amp') return amp(line, bars);
  throw new DivergenceError(`macd_algo "${algo}" is not supported for segments (use "slope" or "amp")`);
}

export function strokeMetricFn<L extends StrokeLike>(bars: BarSource, ind: IndicatorSeries): MetricFn<L> {
  const r = barReader(bars);
  return (line, algo, isReverse) => strokeMetricOf(line, algo, isReverse, r, ind);
}

export function segmentMetricFn<L extends Line>(bars: BarSource): MetricFn<L> {
  const r = barReader(bars);
  return (line, algo) => segmentMetricOf(line, algo, r);
}

// ---------------------------------------------------------------------------------------------------------

function macdPeak(line: StrokeLike, macd: ArrayLike<number>): number {
  let peak = 1e-7;
  const up = line.dir === UP;
  for (let i = line.firstBar; i <= line.lastBar; i++) {
    const m = macd[i]!;
    if (up ? m > 0 && m > peak : m < 0 && -m > peak) peak = Math.abs(m);
  }
  return peak;
}

function macdFullArea(line: StrokeLike, macd: ArrayLike<number>): number {
  let s = 1e-7;
  const up = line.dir === UP;
  for (let i = line.beginBar; i <= line.endBar; i++) {
    const m = macd[i]!;
    if (up ? m > 0 : m < 0) s += Math.abs(m);
  }
  return s;
}

/** From the begin peak bar forwards while the histogram keeps the begin bar's sign (1e-7 is a start value). */
function macdAreaForward(line: StrokeLike, macd: ArrayLike<number>): number {
  let s = 1e-7;
  const ref = macd[line.beginBar]!;
  for (let i = line.beginBar; i <= line.lastBar; i++) {
    const m = macd[i]!;
    if (m * ref > 0) s += Math.abs(m);
    else break;
  }
  return s;
}

function macdAreaReverse(line: StrokeLike, macd: ArrayLike<number>): number {
  let s = 1e-7;
  const ref = macd[line.endBar]!;
  for (let i = line.endBar; i >= line.firstBar; i--) {
    const m = macd[i]!;
    if (m * ref > 0) s += Math.abs(m);
    else break;
  }
  return s;
}

function macdDiff(line: StrokeLike, macd: ArrayLike<number>): number {
  let max = -Infinity;
  let min = Infinity;
  for (let i = line.firstBar; i <= line.lastBar; i++) {
    const m = macd[i]!;
    if (m > max) max = m;
    if (m < min) min = m;
  }
  return max - min;
}

function slope(line: Line, bars: BarReader): number {
  const b = line.beginBar;
  const e = line.endBar;
  const n = e - b + 1;
  if (line.dir === UP) {
    const eh = bars.high(e);
    return (eh - bars.low(b)) / eh / n;
  }
  const bh = bars.high(b);
  return (bh - bars.low(e)) / bh / n;
}

function amp(line: Line, bars: BarReader): number {
  const b = line.beginBar;
  const e = line.endBar;
  if (line.dir === UP) {
    const bl = bars.low(b);
    return (bars.high(e) - bl) / bl;
  }
  const bh = bars.high(b);
  return (bh - bars.low(e)) / bh;
}

/**
 * Volume-type sums over all covered bars; 0 when any bar lacks the field. The average divides by the
 * peak-to-peak bar count although the sum covers more bars (chan.py quirk, §9).
 */
function tradeSum(line: StrokeLike, bars: BarReader, field: TradeField, avg: boolean): number {
  let s = 0;
  for (let i = line.firstBar; i <= line.lastBar; i++) {
    const v = bars.trade(field, i);
    if (v === undefined || v === null || Number.isNaN(v)) return 0;
    s += v;
  }
  return avg ? s / (line.endBar - line.beginBar + 1) : s;
}

function rsiMetric(line: StrokeLike, ind: IndicatorSeries): number {
  const rsi = ind.rsi;
  if (rsi === undefined) throw new DivergenceError('macd_algo "rsi" needs the RSI series (IndicatorSeries.rsi)');
  if (line.dir === UP) {
    let max = -Infinity;
    for (let i = line.firstBar; i <= line.lastBar; i++) if (rsi[i]! > max) max = rsi[i]!;
    return max;
  }
  let min = Infinity;
  for (let i = line.firstBar; i <= line.lastBar; i++) if (rsi[i]! < min) min = rsi[i]!;
  return 10000 / (min + 1e-7);
}
