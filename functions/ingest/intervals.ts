/**
 * Bar intervals the ingestion pipeline knows, their lengths, how they map to provider codes, and which
 * EventBridge schedule ("interval family") drives them.
 */
import { INTERVALS, INTERVAL_MS, type Interval } from '../common/domain.js';

export { INTERVAL_MS };
/** The service's intervals (functions/common/domain.ts); ingestion uses exactly these. */
export const INGEST_INTERVALS = INTERVALS;
export type IngestInterval = Interval;

const DAY = 86_400_000;

export function isIngestInterval(v: string): v is IngestInterval {
  return Object.prototype.hasOwnProperty.call(INTERVAL_MS, v);
}

/** Weekly bars open on Monday 00:00 UTC; the epoch (1970-01-01) was a Thursday, so weeks are offset 4 days. */
const WEEK_OFFSET = 4 * DAY;

/** Whether `t` is a valid open time for the interval (UTC-aligned, as Binance and Bybit stamp bars). */
export function isAligned(t: number, interval: IngestInterval): boolean {
  const ms = INTERVAL_MS[interval];
  return interval === '1w' ? (t - WEEK_OFFSET) % ms === 0 : t % ms === 0;
}

/** The open time of the bar containing `t`. */
export function floorToInterval(t: number, interval: IngestInterval): number {
  const ms = INTERVAL_MS[interval];
  if (interval === '1w') return Math.floor((t - WEEK_OFFSET) / ms) * ms + WEEK_OFFSET;
  return Math.floor(t / ms) * ms;
}

/** A bar opening at `openTime` is closed (final) once `now` has reached its end. */
export function isClosed(openTime: number, interval: IngestInterval, now: number): boolean {
  return openTime + INTERVAL_MS[interval] <= now;
}

/**
 * Interval families: one EventBridge schedule each. A schedule fires at the rate of the shortest interval in
 * its family; the dispatcher then decides per symbol/interval whether a closed bar is due.
 */
export const INTERVAL_FAMILIES = {
  minute: { rateMinutes: 1, intervals: ['1m', '5m'] },
  quarter: { rateMinutes: 15, intervals: ['15m', '30m', '1h', '4h'] },
  daily: { rateMinutes: 60, intervals: ['1d', '1w'] },
} as const satisfies Record<string, { rateMinutes: number; intervals: readonly IngestInterval[] }>;

export type IntervalFamily = keyof typeof INTERVAL_FAMILIES;

export function isIntervalFamily(v: string): v is IntervalFamily {
  return Object.prototype.hasOwnProperty.call(INTERVAL_FAMILIES, v);
}

export function familyOf(interval: IngestInterval): IntervalFamily {
  for (const [name, fam] of Object.entries(INTERVAL_FAMILIES)) {
    if ((fam.intervals as readonly string[]).includes(interval)) return name as IntervalFamily;
  }
  throw new Error(`no family for ${interval}`);
}

/**
 * When each family's schedule fires: every `everyMinutes` minutes of the UTC hour, starting at `atMinute` (the
 * minute after a bar closes gives the provider time to finalise it). lib/ingestion.ts builds the EventBridge
 * rules from this and the local runtime its timers (local/schedules.ts).
 */
export const FAMILY_TICKS: Record<IntervalFamily, { everyMinutes: number; atMinute: number }> = {
  minute: { everyMinutes: INTERVAL_FAMILIES.minute.rateMinutes, atMinute: 0 },
  quarter: { everyMinutes: 15, atMinute: 1 },
  daily: { everyMinutes: 60, atMinute: 2 },
};

/** The first tick of a family strictly after `t` (epoch ms). */
export function nextTick(family: IntervalFamily, t: number): number {
  const { everyMinutes, atMinute } = FAMILY_TICKS[family];
  const minute = 60_000;
  const hour = Math.floor(t / 3_600_000) * 3_600_000;
  for (let m = atMinute; ; m += everyMinutes) {
    const at = hour + m * minute;
    if (at > t) return at;
  }
}
