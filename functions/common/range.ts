/** Request-range checks shared by the klines and analysis routes. */
import { bucketsBetween } from '../store/buckets.js';
import type { Interval } from './domain.js';
import { badRequest, notFound } from './errors.js';
import type { SeriesMeta } from '../store/kline-store.js';

/** An explicit from..to wider than MAX_RANGE_BUCKETS partitions is refused before any read (huge ranges). */
export function checkRangeWidth(
  interval: Interval,
  from: number | undefined,
  to: number | undefined,
  maxBuckets: number,
): void {
  if (from === undefined || to === undefined) return;
  const n = bucketsBetween(interval, from, to, maxBuckets).length;
  if (n > maxBuckets) {
    throw badRequest(
      `Invalid query.from: the range ${new Date(from).toISOString()} … ${new Date(to).toISOString()} spans more than ${maxBuckets} storage partitions at interval ${interval}; narrow from/to`,
      [{ field: 'query.from', message: 'range too wide' }],
    );
  }
}

export function requireSeries(meta: SeriesMeta | null, symbol: string, interval: Interval): SeriesMeta {
  if (!meta)
    throw notFound(`Unknown symbol or series: no bars stored for ${symbol} at interval ${interval}`, [
      { field: 'path.symbol', message: 'no such series' },
    ]);
  return meta;
}
