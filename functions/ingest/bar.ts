/**
 * The bar shape ingestion moves around, and the row validator every provider uses: a row is either a bar or a
 * rejection with a reason (never silently dropped, never "repaired").
 */
import { parseTime } from '../common/domain.js';
import { isAligned, type IngestInterval } from './intervals.js';

/** One closed OHLCV bar, stamped with its open time (epoch ms, UTC). */
export interface IngestBar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export type RejectReason =
  | 'not_a_row'
  | 'bad_time'
  | 'misaligned_time'
  | 'bad_number'
  | 'ohlc_inconsistent'
  | 'negative_volume'
  | 'out_of_order'
  | 'duplicate_time';

export interface RejectedRow {
  /** Position of the row in the provider's response. */
  index: number;
  reason: RejectReason;
  detail: string;
}

/** Parses a decimal that providers send as a string (or number); rejects '', 'NaN', exponents are fine. */
export function parseNum(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** A provider's row time: epoch ms (a number or a string of digits, as exchanges send), else the shared grammar. */
function rowTime(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const t = parseTime(v);
  return Number.isSafeInteger(t) && t >= 0 ? t : undefined;
}

/** Validates one candidate bar's values (time alignment, finite numbers, OHLC consistency, volume ≥ 0). */
export function checkBar(
  index: number,
  time: unknown,
  o: unknown,
  h: unknown,
  l: unknown,
  c: unknown,
  v: unknown,
  interval: IngestInterval,
): IngestBar | RejectedRow {
  const t = rowTime(time);
  if (t === undefined) return { index, reason: 'bad_time', detail: `time ${JSON.stringify(time)}` };
  if (!isAligned(t, interval))
    return { index, reason: 'misaligned_time', detail: `${new Date(t).toISOString()} is not a ${interval} open time` };
  const open = parseNum(o),
    high = parseNum(h),
    low = parseNum(l),
    close = parseNum(c),
    volume = parseNum(v);
  if (open === undefined || high === undefined || low === undefined || close === undefined || volume === undefined) {
    return { index, reason: 'bad_number', detail: `ohlcv ${JSON.stringify([o, h, l, c, v])}` };
  }
  if (!(low <= Math.min(open, close) && high >= Math.max(open, close) && low > 0)) {
    return { index, reason: 'ohlc_inconsistent', detail: `o=${open} h=${high} l=${low} c=${close}` };
  }
  if (volume < 0) return { index, reason: 'negative_volume', detail: `volume ${volume}` };
  return { time: t, open, high, low, close, volume };
}

export function isRejected(x: IngestBar | RejectedRow): x is RejectedRow {
  return (x as RejectedRow).reason !== undefined;
}

/**
 * Orders and checks a page of candidate bars (already ascending): rejects out-of-order and duplicate times.
 * Returns the bars up to (not including) the first rejected row, so a caller that advances a checkpoint can
 * never skip over a bad row, and all rejections for reporting.
 */
export function acceptPrefix(rows: Array<IngestBar | RejectedRow>): { bars: IngestBar[]; rejected: RejectedRow[] } {
  const bars: IngestBar[] = [];
  const rejected: RejectedRow[] = [];
  let last = -Infinity;
  for (const [i, r] of rows.entries()) {
    if (isRejected(r)) {
      rejected.push(r);
      continue;
    }
    if (r.time <= last) {
      rejected.push({
        index: i,
        reason: r.time === last ? 'duplicate_time' : 'out_of_order',
        detail: new Date(r.time).toISOString(),
      });
      continue;
    }
    last = r.time;
    if (rejected.length === 0) bars.push(r);
  }
  return { bars, rejected };
}
