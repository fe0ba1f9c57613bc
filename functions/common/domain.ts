/**
 * The API's vocabulary shared by handlers, the store, ingestion and the OpenAPI document: intervals, symbols,
 * times and bars. Kept free of AWS and middy imports so every bundle (and the ingest worker) can use it.
 */
import { formatTime as engineLabel, isInteger, parseTimeString, type BarInput } from 'chan-analysis';
import * as z from './zod.js';

export const INTERVALS = ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w'] as const;
export type Interval = (typeof INTERVALS)[number];

export const INTERVAL_MS: Record<Interval, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
  '1w': 604_800_000,
};

export const IntervalSchema = z.enum(INTERVALS, {
  error: (iss) =>
    iss.input === undefined
      ? 'interval is required (one of ' + INTERVALS.join(', ') + ')'
      : `unknown interval "${String(iss.input)}": use one of ${INTERVALS.join(', ')}`,
});

/**
 * Symbols: exchange codes like SPY, 000001.SH, BTCUSDT, ^GSPC, BRK-B. Upper-cased so "spy" and "SPY" are one
 * series. Braces, '#', ':' and '/' are excluded because they delimit DynamoDB keys and Redis hash tags.
 */
export const SymbolSchema = z.pipe(
  z
    .string()
    .check(
      z.trim(),
      z.minLength(1, { error: 'symbol must not be empty' }),
      z.maxLength(32, { error: 'symbol must be at most 32 characters' }),
      z.regex(/^[A-Za-z0-9._\-^=]+$/, { error: 'symbol may contain only letters, digits and . _ - ^ =' }),
    ),
  z.transform((s: string) => s.toUpperCase()),
);

/** Earliest and latest bar times the service accepts (ISO sort keys stay 4-digit-year and positive). */
export const MIN_TIME_MS = Date.UTC(1900, 0, 1);
export const MAX_FUTURE_MS = 2 * 86_400_000;

/**
 * A time as the API accepts it: epoch milliseconds (an integer, or a string of one), or a string the engine's
 * parseTimeString accepts — a date (YYYY-MM-DD, UTC midnight) or an ISO date-time (UTC when no offset is given).
 * Returns NaN when it is none of these. One grammar with the CLI and CSV uploads (shared/chan-analysis csv.ts).
 */
export function parseTime(v: unknown): number {
  if (typeof v === 'number') return Number.isInteger(v) ? v : NaN;
  if (typeof v !== 'string') return NaN;
  const s = v.trim();
  if (isInteger(s)) return Number(s);
  try {
    return parseTimeString(s);
  } catch {
    return NaN;
  }
}

/** Query-string time (from/to). */
export const TimeParamSchema = z
  .pipe(
    z.string(),
    z.transform((v: string, ctx) => {
      const t = parseTime(v);
      if (!Number.isFinite(t)) {
        ctx.issues.push({
          code: 'custom',
          message: `"${v}" is not a time: use epoch milliseconds, YYYY-MM-DD or an ISO 8601 date-time`,
          input: v,
        });
        return z.NEVER;
      }
      if (t < MIN_TIME_MS || t > Date.now() + 100 * 365 * 86_400_000) {
        ctx.issues.push({ code: 'custom', message: `"${v}" is out of range (1900-01-01 onwards)`, input: v });
        return z.NEVER;
      }
      return t;
    }),
  )
  .check(
    z.meta({
      description: 'Epoch milliseconds, YYYY-MM-DD or ISO 8601 date-time (UTC unless an offset is given)',
      examples: ['2024-01-31'],
    }),
  );

const DAY_MS = 86_400_000;
/** Years 0000–9999 (ISO's four-digit years): where the engine's formatter is used; Date outside them. */
const YEAR_0_MS = -62_167_219_200_000;
const YEAR_10000_MS = 253_402_300_800_000;
const engineFormats = (ts: number) => ts >= YEAR_0_MS && ts < YEAR_10000_MS;

const isDaily = (interval: Interval) => interval === '1d' || interval === '1w';

/**
 * How a stored bar's time is shown: dates for daily and weekly bars at UTC midnight, ISO date-times otherwise
 * (milliseconds only when there are some). The engine's own label of an epoch-ms time, except that intraday bars
 * at midnight keep their time of day; formatted by the engine's hand-written formatter, because a Date and
 * toISOString per bar were a tenth of an analysis cache miss over 20,000 bars.
 */
export function formatTime(interval: Interval, ts: number): string {
  if (!engineFormats(ts)) {
    const iso = new Date(ts).toISOString();
    if (isDaily(interval) && iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10);
    return iso.replace('.000Z', 'Z');
  }
  const label = engineLabel(ts);
  return ts % DAY_MS === 0 && !isDaily(interval) ? `${label}T00:00:00Z` : label;
}

/**
 * A stored bar's time as engine input: the epoch ms wherever the engine's own label of it is formatTime's (so the
 * engine neither parses a string back nor keeps one per bar), the formatted string where it is not.
 */
export function engineTime(interval: Interval, ts: number): string | number {
  return engineFormats(ts) && (isDaily(interval) || ts % DAY_MS !== 0) ? ts : formatTime(interval, ts);
}

/** Price adjustment modes of stored bars (functions/common/adjust.ts): none, 前复权 (qfq), 后复权 (hfq). */
export const ADJUST_MODES = ['none', 'qfq', 'hfq'] as const;
export type AdjustMode = (typeof ADJUST_MODES)[number];

/** A bar as stored and served. `ts` = open time in epoch ms. */
export interface StoredBar {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
}

export interface ApiBar extends Omit<StoredBar, 'ts'> {
  time: string;
  ts: number;
}

/**
 * Bars as engine input — the one mapping from stored (or uploaded) bars to the engine's BarInput. `time` is what
 * the result labels each bar with: the API's formatTime for stored series, an upload's own time cells, or the
 * epoch ms (the engine then labels by its own formatTime).
 */
export function toEngineBars<B extends Omit<StoredBar, 'ts'>>(
  bars: readonly B[],
  time: (b: B, i: number) => string | number,
): BarInput[] {
  return bars.map((b, i) => ({
    time: time(b, i),
    open: b.open,
    high: b.high,
    low: b.low,
    close: b.close,
    ...(b.volume === null ? {} : { volume: b.volume }),
  }));
}

export const toApiBar = (interval: Interval, b: StoredBar): ApiBar => ({
  time: formatTime(interval, b.ts),
  ts: b.ts,
  open: b.open,
  high: b.high,
  low: b.low,
  close: b.close,
  volume: b.volume,
});

/**
 * Engine options under chan.py's names (a JSON object), passed on as the caller sent it. z.record would copy it key
 * by key, and a "__proto__" key (an own key after JSON.parse) would become the copy's prototype and vanish instead
 * of being refused as an unknown option; the engine reads only own keys of the original.
 */
export const ChanPyOptionsSchema = z
  .pipe(
    z.unknown().check(
      z.refine((v) => v !== null && typeof v === 'object' && !Array.isArray(v), {
        error: 'config must be an object of chan.py option names',
      }),
    ),
    z.transform((v: unknown) => v as Record<string, unknown>),
  )
  .check(
    z.meta({
      type: 'object',
      additionalProperties: {},
      description: 'chan.py option names, e.g. {"bi_strict":false,"divergence_rate":0.9}',
    } as Record<string, unknown>),
  );
