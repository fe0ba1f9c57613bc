/**
 * Exchange calendars: on which days and at which instants a stock market trades, so that ingestion fetches only
 * when a market can have produced a new bar and the lag metric does not count closed hours. Time zones and session
 * hours are the engine's (chan-analysis MARKETS, also used by resampling and multi-level alignment); this module
 * adds what the engine does not need: holidays and US half days.
 *
 * - cn (SSE/SZSE A-shares): 09:30–11:30 and 13:00–15:00 Asia/Shanghai, Monday–Friday except CN_HOLIDAYS.
 * - us (NYSE/Nasdaq): 09:30–16:00 America/New_York (DST through the engine's ZoneOffsets), holidays and 13:00
 *   early closes computed from the NYSE rules below, plus the one-off closures in US_SPECIAL_CLOSURES.
 * - crypto: always open.
 */
import { MARKETS, ZoneOffsets } from 'chan-analysis';
import { floorToInterval } from '../ingest/intervals.js';
import { INTERVAL_MS, type Interval } from './domain.js';

export type MarketId = keyof typeof MARKETS;

const DAY = 86_400_000;
const MIN = 60_000;

/**
 * SSE trading holidays (weekdays without a session), "MM-DD" by year.
 * - 2007–2020 (to July): every weekday missing from the SSE Composite daily series in
 *   shared/chan-analysis/test/fixtures/cn_sse000001_1d.csv (an index has a bar on every trading day, so a missing
 *   weekday is a closure); test/ingest/market-calendar.test.ts re-derives them from that file.
 * - 2020 (October) – 2026: transcribed from the exchange's yearly notice (上海证券交易所《关于 20xx 年部分节假日休市
 *   安排的通知》); weekend make-up working days (调休) are not trading days, so they never appear here.
 * Years outside the table are treated as weekdays-only (hasTableFor says whether a year is covered).
 */
// prettier-ignore
export const CN_HOLIDAYS: Readonly<Record<number, readonly string[]>> = {
  2007: ['01-01', '01-02', '01-03', '02-19', '02-20', '02-21', '02-22', '02-23', '05-01', '05-02', '05-03', '05-04', '05-07', '10-01', '10-02', '10-03', '10-04', '10-05', '12-31'],
  2008: ['01-01', '02-06', '02-07', '02-08', '02-11', '02-12', '04-04', '05-01', '05-02', '06-09', '09-15', '09-29', '09-30', '10-01', '10-02', '10-03'],
  2009: ['01-01', '01-02', '01-26', '01-27', '01-28', '01-29', '01-30', '04-06', '05-01', '05-28', '05-29', '10-01', '10-02', '10-05', '10-06', '10-07', '10-08'],
  2010: ['01-01', '02-15', '02-16', '02-17', '02-18', '02-19', '04-05', '05-03', '06-14', '06-15', '06-16', '09-22', '09-23', '09-24', '10-01', '10-04', '10-05', '10-06', '10-07'],
  2011: ['01-03', '02-02', '02-03', '02-04', '02-07', '02-08', '04-04', '04-05', '05-02', '06-06', '09-12', '10-03', '10-04', '10-05', '10-06', '10-07'],
  2012: ['01-02', '01-03', '01-23', '01-24', '01-25', '01-26', '01-27', '04-02', '04-03', '04-04', '04-30', '05-01', '06-22', '10-01', '10-02', '10-03', '10-04', '10-05'],
  2013: ['01-01', '01-02', '01-03', '02-11', '02-12', '02-13', '02-14', '02-15', '04-04', '04-05', '04-29', '04-30', '05-01', '06-10', '06-11', '06-12', '09-19', '09-20', '10-01', '10-02', '10-03', '10-04', '10-07'],
  2014: ['01-01', '01-31', '02-03', '02-04', '02-05', '02-06', '04-07', '05-01', '05-02', '06-02', '09-08', '10-01', '10-02', '10-03', '10-06', '10-07'],
  2015: ['01-01', '01-02', '02-18', '02-19', '02-20', '02-23', '02-24', '04-06', '05-01', '06-22', '09-03', '09-04', '10-01', '10-02', '10-05', '10-06', '10-07'],
  2016: ['01-01', '02-08', '02-09', '02-10', '02-11', '02-12', '04-04', '05-02', '06-09', '06-10', '09-15', '09-16', '10-03', '10-04', '10-05', '10-06', '10-07'],
  2017: ['01-02', '01-27', '01-30', '01-31', '02-01', '02-02', '04-03', '04-04', '05-01', '05-29', '05-30', '10-02', '10-03', '10-04', '10-05', '10-06'],
  2018: ['01-01', '02-15', '02-16', '02-19', '02-20', '02-21', '04-05', '04-06', '04-30', '05-01', '06-18', '09-24', '10-01', '10-02', '10-03', '10-04', '10-05', '12-31'],
  2019: ['01-01', '02-04', '02-05', '02-06', '02-07', '02-08', '04-05', '05-01', '05-02', '05-03', '06-07', '09-13', '10-01', '10-02', '10-03', '10-04', '10-07'],
  2020: ['01-01', '01-24', '01-27', '01-28', '01-29', '01-30', '01-31', '04-06', '05-01', '05-04', '05-05', '06-25', '06-26', '10-01', '10-02', '10-05', '10-06', '10-07', '10-08'],
  2021: ['01-01', '02-11', '02-12', '02-15', '02-16', '02-17', '04-05', '05-03', '05-04', '05-05', '06-14', '09-20', '09-21', '10-01', '10-04', '10-05', '10-06', '10-07'],
  2022: ['01-03', '01-31', '02-01', '02-02', '02-03', '02-04', '04-04', '04-05', '05-02', '05-03', '05-04', '06-03', '09-12', '10-03', '10-04', '10-05', '10-06', '10-07'],
  2023: ['01-02', '01-23', '01-24', '01-25', '01-26', '01-27', '04-05', '05-01', '05-02', '05-03', '06-22', '06-23', '09-29', '10-02', '10-03', '10-04', '10-05', '10-06'],
  2024: ['01-01', '02-09', '02-12', '02-13', '02-14', '02-15', '02-16', '04-04', '04-05', '05-01', '05-02', '05-03', '06-10', '09-16', '09-17', '10-01', '10-02', '10-03', '10-04', '10-07'],
  2025: ['01-01', '01-28', '01-29', '01-30', '01-31', '02-03', '02-04', '04-04', '05-01', '05-02', '05-05', '06-02', '10-01', '10-02', '10-03', '10-06', '10-07', '10-08'],
  2026: ['01-01', '01-02', '02-16', '02-17', '02-18', '02-19', '02-20', '02-23', '04-06', '05-01', '05-04', '05-05', '06-19', '09-25', '10-01', '10-02', '10-05', '10-06', '10-07'],
};

/** NYSE closures outside the yearly rules (national mourning, weather, 9/11). */
// prettier-ignore
export const US_SPECIAL_CLOSURES: readonly string[] = [
  '2001-09-11', '2001-09-12', '2001-09-13', '2001-09-14', '2004-06-11', '2007-01-02', '2012-10-29', '2012-10-30',
  '2018-12-05', '2025-01-09',
];

const cnSets = new Map(Object.entries(CN_HOLIDAYS).map(([y, days]) => [Number(y), new Set(days)]));

/** "YYYY-MM-DD" of a UTC-midnight day number's date. */
const iso = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
const dayOf = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / DAY;
const weekday = (day: number) => new Date(day * DAY).getUTCDay();

/** The n-th (1-based; negative = from the end) given weekday of a month, as a day number. */
function nthWeekday(y: number, m: number, wd: number, n: number): number {
  if (n > 0) {
    const first = dayOf(y, m, 1);
    return first + ((wd - weekday(first) + 7) % 7) + (n - 1) * 7;
  }
  const last = dayOf(y, m + 1, 1) - 1;
  return last - ((weekday(last) - wd + 7) % 7) + (n + 1) * 7;
}

/** Western Easter Sunday (anonymous Gregorian algorithm). */
function easter(y: number): number {
  const a = y % 19,
    b = Math.floor(y / 100),
    c = y % 100,
    d = Math.floor(b / 4),
    e = b % 4;
  const f = Math.floor((b + 8) / 25),
    g = Math.floor((b - f + 1) / 3),
    h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4),
    k = c % 4,
    l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31),
    dd = ((h + l - 7 * m + 114) % 31) + 1;
  return dayOf(y, month, dd);
}

/** A fixed-date holiday moved to Friday when it falls on Saturday, Monday when on Sunday. */
function observed(day: number): number {
  const wd = weekday(day);
  return wd === 6 ? day - 1 : wd === 0 ? day + 1 : day;
}

const usYears = new Map<number, { holidays: Set<number>; early: Set<number> }>();

/** NYSE holidays and 13:00 early closes of a year, from the exchange's rules (Rule 7.2). */
function usYear(y: number): { holidays: Set<number>; early: Set<number> } {
  let r = usYears.get(y);
  if (r) return r;
  const holidays = new Set<number>([
    nthWeekday(y, 1, 1, 3), // Martin Luther King Jr. Day
    nthWeekday(y, 2, 1, 3), // Washington's Birthday
    easter(y) - 2, // Good Friday
    nthWeekday(y, 5, 1, -1), // Memorial Day
    observed(dayOf(y, 7, 4)),
    nthWeekday(y, 9, 1, 1), // Labor Day
    nthWeekday(y, 11, 4, 4), // Thanksgiving
    observed(dayOf(y, 12, 25)),
  ]);
  // New Year's Day on a Saturday is not observed on the Friday before (that Friday closes the books of the year).
  if (weekday(dayOf(y, 1, 1)) !== 6) holidays.add(observed(dayOf(y, 1, 1)));
  if (y >= 2022) holidays.add(observed(dayOf(y, 6, 19))); // Juneteenth
  for (const s of US_SPECIAL_CLOSURES) if (s.startsWith(`${y}-`)) holidays.add(Date.parse(`${s}T00:00:00Z`) / DAY);
  const early = new Set<number>();
  const jul3 = dayOf(y, 7, 3);
  const dec24 = dayOf(y, 12, 24);
  for (const d of [jul3, nthWeekday(y, 11, 4, 4) + 1, dec24])
    if (weekday(d) >= 1 && weekday(d) <= 5 && !holidays.has(d)) early.add(d);
  r = { holidays, early };
  usYears.set(y, r);
  return r;
}

const zones = new Map<string, ZoneOffsets>();
function zone(tz: string): ZoneOffsets {
  let z = zones.get(tz);
  if (!z) zones.set(tz, (z = new ZoneOffsets(tz)));
  return z;
}

const hm = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

/** Whether the holiday table covers a year (the US rules cover every year; crypto has no holidays). */
export function hasTableFor(market: MarketId, year: number): boolean {
  return market !== 'cn' || cnSets.has(year);
}

/** Whether the market trades on a local calendar date ("YYYY-MM-DD"). */
export function isTradingDay(market: MarketId, date: string): boolean {
  if (market === 'crypto') return true;
  const day = Date.parse(`${date}T00:00:00Z`) / DAY;
  const wd = weekday(day);
  if (wd === 0 || wd === 6) return false;
  const y = Number(date.slice(0, 4));
  if (market === 'cn') return !cnSets.get(y)?.has(date.slice(5));
  return !usYear(y).holidays.has(day);
}

/** The sessions of a local date as [open, close) instants (epoch ms); none on a closed day. */
export function sessionsOn(market: MarketId, date: string): Array<{ open: number; close: number }> {
  const day = Date.parse(`${date}T00:00:00Z`);
  if (market === 'crypto') return [{ open: day, close: day + DAY }];
  if (!isTradingDay(market, date)) return [];
  const cal = MARKETS[market];
  const z = zone(cal.timeZone);
  const early = market === 'us' && usYear(Number(date.slice(0, 4))).early.has(day / DAY);
  return cal.sessions.map(([a, b]) => ({
    open: z.toInstant(day + hm(a) * MIN),
    close: z.toInstant(day + (early ? hm('13:00') : hm(b)) * MIN),
  }));
}

/** The market's local date at instant t. */
export function localDate(market: MarketId, t: number): string {
  return dateInZone(MARKETS[market].timeZone, t);
}

/** The calendar date ("YYYY-MM-DD") in an IANA time zone at instant t (e.g. an exchange a provider names). */
export function dateInZone(timeZone: string, t: number): string {
  return iso(Math.floor((t + zone(timeZone).offset(t)) / DAY));
}

/** Beyond this many days without a session a series is treated as due anyway (a table gap must not stall it). */
const MAX_SCAN_DAYS = 30;

/**
 * The first bar at or after `from` (an open time as ingestion stores it) that the market can produce, as its open
 * time and the instant it is final: daily/weekly bars are stamped at UTC midnight of their local trading date and
 * are final at that day's close; intraday bars open inside a session and are final at open + interval. Holidays,
 * nights and lunch breaks are stepped over. Undefined when no session is found within MAX_SCAN_DAYS (an uncovered
 * year or a long closure).
 */
export function nextBar(
  market: MarketId,
  interval: Interval,
  from: number,
): { open: number; close: number } | undefined {
  const ms = INTERVAL_MS[interval];
  const daily = ms >= DAY;
  let day = daily ? Math.floor(from / DAY) : Math.floor(localDayStart(market, from) / DAY);
  for (let i = 0; i <= MAX_SCAN_DAYS; i++, day++) {
    const sessions = sessionsOn(market, iso(day));
    if (daily && sessions.length > 0) return { open: day * DAY, close: sessions.at(-1)!.close };
    for (const s of daily ? [] : sessions) {
      const open = Math.max(s.open, from);
      if (open < s.close) return { open, close: open + ms };
    }
  }
  return undefined;
}

/** When the first bar at or after `from` is final, or undefined while that is after `now` (see nextBar). */
export function firstBarCloseAfter(
  market: MarketId,
  interval: Interval,
  from: number,
  now: number,
): number | undefined {
  const at = nextBar(market, interval, from)?.close ?? from; // no calendar to go by: simply due
  return at <= now ? at : undefined;
}

/**
 * When the bar opening at `open` is final. A stock market's daily bar is final at its session's close (15:00 CST,
 * 16:00 or 13:00 New York), not at the end of its UTC day; every other bar at the end of its period.
 */
export function barCloseTime(market: MarketId, interval: Interval, open: number): number {
  if (market !== 'crypto' && interval === '1d') {
    const sessions = sessionsOn(market, iso(Math.floor(open / DAY)));
    if (sessions.length > 0) return sessions.at(-1)!.close;
  }
  return open + INTERVAL_MS[interval];
}

/**
 * The open time of the newest bar final at `now` (the end of the range ingestion asks for). For a stock market's
 * daily bars: today's date once today's session has closed, else yesterday's (a closed day's date is a valid
 * range end: the provider simply has no bar for it).
 */
export function lastClosedOpen(market: MarketId, interval: Interval, now: number): number {
  const utc = floorToInterval(now, interval) - INTERVAL_MS[interval];
  if (market === 'crypto' || interval !== '1d') return utc;
  const today = Date.parse(`${localDate(market, now)}T00:00:00Z`);
  return barCloseTime(market, interval, today) <= now ? today : today - DAY;
}

/** Whether the market can have a bar opening in [from, to] (inclusive open times): a hole worth asking about. */
export function canHaveBars(market: MarketId, interval: Interval, from: number, to: number): boolean {
  const bar = nextBar(market, interval, from);
  return bar === undefined || bar.open <= to;
}

function localDayStart(market: MarketId, t: number): number {
  return Date.parse(`${localDate(market, t)}T00:00:00Z`);
}

/** Which calendar a provider's symbols follow. Yahoo's HK listings (".HK") are not modelled yet: always due. */
export function marketOf(provider: string, symbol: string): MarketId {
  if (provider === 'eastmoney' || provider === 'tushare') return 'cn';
  if (provider === 'yahoo') return /\.HK$/i.test(symbol) ? 'crypto' : 'us';
  return 'crypto';
}
