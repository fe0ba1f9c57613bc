/**
 * K-line retention: how long bars of an interval are kept, as a TTL stamp on the item (`expiresAt`, epoch
 * seconds, the table's TimeToLive attribute). The stamp is the bar's open time + the interval's retention, so it
 * is a pure function of the bar: re-sending a bar computes the same stamp and the upsert stays "unchanged".
 * Intervals without a retention are kept forever (no stamp). DynamoDB deletes expired items lazily (up to ~48 h
 * late), so reads drop items whose stamp has passed (`isExpired`) and results never depend on TTL timing.
 */
import type { Interval } from '../common/domain.js';
import { expiresAfterDays } from './table.js';

/** Days each interval's bars are kept; an interval not listed is kept forever. */
export type KlineRetentionDays = Partial<Record<Interval, number>>;

/** 1-minute bars ~13 months; everything else forever. */
export const DEFAULT_KLINE_RETENTION_DAYS: Readonly<KlineRetentionDays> = Object.freeze({ '1m': 400 });

/** The interval's own entry only: an interval string is never matched against Object.prototype members. */
const daysOf = (retention: KlineRetentionDays, interval: Interval): number | undefined =>
  Object.hasOwn(retention, interval) ? retention[interval] : undefined;

/** The TTL stamp (epoch seconds) of a bar opening at `ts`, or undefined when the interval is kept forever. */
export function klineExpiresAt(interval: Interval, ts: number, retention: KlineRetentionDays): number | undefined {
  const days = daysOf(retention, interval);
  return days === undefined ? undefined : expiresAfterDays(days, ts);
}

/** Whether a stored `expiresAt` (epoch seconds) has passed at `now` (epoch ms). Non-numbers never expire. */
export const isExpired = (expiresAt: unknown, now: number): boolean =>
  typeof expiresAt === 'number' && expiresAt * 1000 <= now;

/**
 * The oldest open time (epoch ms, not aligned to the interval) a bar may have at `now` and still be inside the
 * retention window, i.e. not be stamped already expired; undefined when the interval is kept forever.
 */
export function retentionStart(interval: Interval, retention: KlineRetentionDays, now: number): number | undefined {
  const days = daysOf(retention, interval);
  return days === undefined ? undefined : now - Math.round(days * 86_400) * 1000 + 1;
}
