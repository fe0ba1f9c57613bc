/**
 * Time buckets for K-line partitions.
 *
 * Rule: partition key = `K#<symbol>#<interval>#<bucket>`, the bucket being the UTC calendar period that holds the
 * bar's open time, sized per interval so a partition never holds more than ~9k items however long the history
 * grows, and a typical chart read (a few hundred to a few thousand bars) touches only a handful of partitions:
 *
 * | interval        | bucket       | id example | max bars per bucket          |
 * | --------------- | ------------ | ---------- | ---------------------------- |
 * | 1m              | UTC day      | 2024-03-15 | 1,440                        |
 * | 5m, 15m, 30m, 1h| UTC month    | 2024-03    | 8,928 (5m) … 744 (1h)        |
 * | 4h, 1d          | UTC year     | 2024       | 2,196 (4h), 366 (1d)         |
 * | 1w              | UTC decade   | 2020s      | 522                          |
 *
 * Items are ~150 bytes, so the largest bucket is ~1.3 MB: a single Query page (1 MB) or two.
 */
import type { Interval } from '../common/domain.js';

export type BucketKind = 'day' | 'month' | 'year' | 'decade';

export const BUCKET_KIND: Record<Interval, BucketKind> = {
  '1m': 'day',
  '5m': 'month',
  '15m': 'month',
  '30m': 'month',
  '1h': 'month',
  '4h': 'year',
  '1d': 'year',
  '1w': 'decade',
};

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** Start (epoch ms) of the bucket holding `ts`. */
export function bucketStart(kind: BucketKind, ts: number): number {
  const d = new Date(ts);
  const y = d.getUTCFullYear();
  switch (kind) {
    case 'day':
      return Date.UTC(y, d.getUTCMonth(), d.getUTCDate());
    case 'month':
      return Date.UTC(y, d.getUTCMonth(), 1);
    case 'year':
      return Date.UTC(y, 0, 1);
    case 'decade':
      return Date.UTC(Math.floor(y / 10) * 10, 0, 1);
  }
}

/** Start of the bucket after the one starting at `start`. */
export function nextBucketStart(kind: BucketKind, start: number): number {
  const d = new Date(start);
  const y = d.getUTCFullYear();
  switch (kind) {
    case 'day':
      return start + 86_400_000;
    case 'month':
      return Date.UTC(y, d.getUTCMonth() + 1, 1);
    case 'year':
      return Date.UTC(y + 1, 0, 1);
    case 'decade':
      return Date.UTC(y + 10, 0, 1);
  }
}

export function bucketId(kind: BucketKind, ts: number): string {
  const d = new Date(bucketStart(kind, ts));
  const y = pad(d.getUTCFullYear(), 4);
  switch (kind) {
    case 'day':
      return `${y}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
    case 'month':
      return `${y}-${pad(d.getUTCMonth() + 1, 2)}`;
    case 'year':
      return y;
    case 'decade':
      return `${y}s`;
  }
}

export interface Bucket {
  id: string;
  /** Inclusive start, exclusive end (epoch ms). */
  start: number;
  end: number;
}

/**
 * The buckets covering [from, to] (both inclusive), oldest first. Stops after `max + 1` buckets so a caller can
 * refuse over-wide ranges without enumerating millions of days.
 */
export function bucketsBetween(interval: Interval, from: number, to: number, max = Infinity): Bucket[] {
  const kind = BUCKET_KIND[interval];
  const out: Bucket[] = [];
  if (to < from) return out;
  for (let s = bucketStart(kind, from); s <= to && out.length <= max;) {
    const e = nextBucketStart(kind, s);
    out.push({ id: bucketId(kind, s), start: s, end: e });
    s = e;
  }
  return out;
}

export const klinePk = (symbol: string, interval: Interval, bucket: string) => `K#${symbol}#${interval}#${bucket}`;

/** Sort key: the bar's open time as an ISO-8601 UTC string (lexicographic order = time order for 1900-9999). */
export const klineSk = (ts: number) => new Date(ts).toISOString();
