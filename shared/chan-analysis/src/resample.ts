/**
 * Resampling: higher-interval bars from lower ones (1m → 5m, 15m, 30m, 1h, 4h, 1d, 1w), so that one feed can
 * drive several levels. Buckets follow the market's calendar, not the UTC clock:
 * - intraday buckets are anchored at each session's open, so an A-share 60-minute bar is 09:30–10:30 (labelled
 *   10:30 in the bar-end convention), and the lunch break closes a bucket early instead of spilling into the
 *   afternoon;
 * - a day is the exchange's local calendar day (DST-aware through Intl), so SPY's hourly bars at 14:00Z in
 *   winter and 13:00Z in summer both open the same trading day;
 * - 24-hour markets have one session, 00:00–24:00 in their time zone (UTC for crypto), so 00:00 bars start
 *   a day rather than end the previous one.
 */
import type { BarInput } from './types.js';

export type Interval = '1m' | '3m' | '5m' | '15m' | '30m' | '1h' | '2h' | '4h' | '1d' | '1w';

export const INTERVAL_MINUTES: Readonly<Record<Interval, number>> = {
  '1m': 1,
  '3m': 3,
  '5m': 5,
  '15m': 15,
  '30m': 30,
  '1h': 60,
  '2h': 120,
  '4h': 240,
  '1d': 1440,
  '1w': 10080,
};

export const INTERVALS = Object.keys(INTERVAL_MINUTES) as Interval[];

export function isInterval(value: string): value is Interval {
  return Object.prototype.hasOwnProperty.call(INTERVAL_MINUTES, value);
}

/** How a market's bars are stamped and when it trades. */
export interface MarketCalendar {
  /** IANA time zone of the exchange ("UTC" for crypto). */
  timeZone: string;
  /** Trading sessions in local "HH:MM" (end exclusive); omitted = one 24-hour session. */
  sessions?: ReadonlyArray<readonly [string, string]>;
  /** Whether the source stamps a bar with its open ("start") or its close ("end") time. */
  barLabel: 'start' | 'end';
}

export const MARKETS = {
  crypto: { timeZone: 'UTC', barLabel: 'start' },
  /** China A-shares: 09:30–11:30 and 13:00–15:00 CST, bars stamped at their end (09:31 = first minute). */
  cn: {
    timeZone: 'Asia/Shanghai',
    sessions: [
      ['09:30', '11:30'],
      ['13:00', '15:00'],
    ],
    barLabel: 'end',
  },
  /** US equities regular session 09:30–16:00 New York time, bars stamped at their start. */
  us: { timeZone: 'America/New_York', sessions: [['09:30', '16:00']], barLabel: 'start' },
} as const satisfies Record<string, MarketCalendar>;

export interface ResampledBar {
  /** Epoch ms of the bucket, in the calendar's label convention (date-only bars: UTC midnight of the date). */
  time: number;
  /** "YYYY-MM-DD" for daily and weekly bars, ISO-8601 UTC otherwise. */
  label: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** Number of source bars in the bucket. */
  count: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * Local wall-clock ↔ UTC for one IANA time zone. Offsets only change on the hour (DST), so one Intl lookup per
 * hour of input is enough.
 */
export class ZoneOffsets {
  private readonly fmt: Intl.DateTimeFormat | null;
  private lastHour = NaN;
  private lastOffset = 0;

  constructor(timeZone: string) {
    this.fmt =
      timeZone === 'UTC'
        ? null
        : new Intl.DateTimeFormat('en-US', {
            timeZone,
            hourCycle: 'h23',
            year: 'numeric',
            month: 'numeric',
            day: 'numeric',
            hour: 'numeric',
            minute: 'numeric',
          });
  }

  /** Local wall-clock minus UTC, in ms, at instant t. */
  offset(t: number): number {
    if (this.fmt === null) return 0;
    const hour = Math.floor(t / 3_600_000);
    if (hour === this.lastHour) return this.lastOffset;
    const p: Record<string, number> = {};
    for (const part of this.fmt.formatToParts(t)) if (part.type !== 'literal') p[part.type] = Number(part.value);
    const local = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    this.lastHour = hour;
    this.lastOffset = local - Math.floor(t / MINUTE) * MINUTE;
    return this.lastOffset;
  }

  /** The instant of local wall-clock ms `local` (two passes settle DST edges). */
  toInstant(local: number): number {
    const guess = local - this.offset(local);
    return local - this.offset(guess);
  }
}

function parseHm(hm: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hm);
  if (!m) throw new Error(`session time "${hm}" must be HH:MM`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function isoDate(localDay: number): string {
  return new Date(localDay * DAY).toISOString().slice(0, 10);
}

/**
 * Streaming resampler: feed source bars in time order; `update` returns the bar that the new source bar closed
 * (if it opened a new bucket) and the current, still-forming bucket.
 */
export class Resampler {
  private readonly minutes: number;
  private readonly sessions: Array<[number, number]>;
  private readonly zone: ZoneOffsets;
  private readonly labelEnd: boolean;
  private key = NaN;
  private current: ResampledBar | null = null;

  constructor(
    readonly target: Interval,
    readonly calendar: MarketCalendar = MARKETS.crypto,
  ) {
    this.minutes = INTERVAL_MINUTES[target];
    this.sessions = (calendar.sessions ?? [['00:00', '24:00']]).map(([a, b]) => [parseHm(a), parseHm(b)]);
    this.zone = new ZoneOffsets(calendar.timeZone);
    this.labelEnd = calendar.barLabel === 'end';
  }

  update(bar: { time: number; open: number; high: number; low: number; close: number; volume?: number }): {
    closed: ResampledBar | null;
    forming: ResampledBar;
  } {
    // An end-stamped bar covers (t − d, t]: place it by the instant just before its stamp.
    const instant = this.labelEnd ? bar.time - 1 : bar.time;
    const local = instant + this.zone.offset(instant);
    const localDay = Math.floor(local / DAY);
    const minuteOfDay = Math.floor((local - localDay * DAY) / MINUTE);
    const { key, startMin, endMin, day } = this.bucketOf(localDay, minuteOfDay);
    let closed: ResampledBar | null = null;
    if (key !== this.key || this.current === null) {
      closed = this.current;
      this.key = key;
      this.current = this.openBucket(day, startMin, endMin, bar);
    } else {
      const c = this.current;
      if (bar.high > c.high) c.high = bar.high;
      if (bar.low < c.low) c.low = bar.low;
      c.close = bar.close;
      c.volume += bar.volume ?? 0;
      c.count += 1;
    }
    return { closed, forming: this.current };
  }

  /** The still-forming bucket, if any (call at the end of a batch to keep the last partial bar). */
  flush(): ResampledBar | null {
    const c = this.current;
    this.current = null;
    this.key = NaN;
    return c;
  }

  private bucketOf(
    localDay: number,
    minuteOfDay: number,
  ): { key: number; startMin: number; endMin: number; day: number } {
    if (this.minutes >= 10080) {
      // ISO weeks start on Monday; epoch day 0 (1970-01-01) was a Thursday.
      const monday = localDay - ((localDay + 3) % 7);
      return { key: monday, startMin: 0, endMin: 1440 * 7, day: monday };
    }
    if (this.minutes >= 1440) return { key: localDay, startMin: 0, endMin: 1440, day: localDay };
    // Session containing the minute; minutes outside every session join the nearest session of the same day
    // (pre-open auction prints join the first bucket, post-close prints the last).
    let s = 0;
    while (s < this.sessions.length - 1 && minuteOfDay >= this.sessions[s][1]) {
      if (minuteOfDay < this.sessions[s + 1][0]) {
        // In a break: attach to the session it is closer to.
        if (minuteOfDay - this.sessions[s][1] >= this.sessions[s + 1][0] - minuteOfDay) s += 1;
        break;
      }
      s += 1;
    }
    const [open, close] = this.sessions[s];
    const clamped = Math.min(Math.max(minuteOfDay, open), close - 1);
    const n = Math.floor((clamped - open) / this.minutes);
    const startMin = open + n * this.minutes;
    const endMin = Math.min(startMin + this.minutes, close);
    return { key: localDay * 100_000 + startMin, startMin, endMin, day: localDay };
  }

  private openBucket(
    day: number,
    startMin: number,
    endMin: number,
    bar: { open: number; high: number; low: number; close: number; volume?: number },
  ): ResampledBar {
    let time: number;
    let label: string;
    if (this.minutes >= 1440) {
      time = day * DAY;
      label = isoDate(day);
    } else {
      const localMs = day * DAY + (this.labelEnd ? endMin : startMin) * MINUTE;
      // Convert the local stamp back to UTC with the offset in force at that local time.
      const guess = localMs - this.zone.offset(localMs);
      time = localMs - this.zone.offset(guess - (this.labelEnd ? 1 : 0));
      label = new Date(time).toISOString().replace('.000Z', 'Z');
    }
    return {
      time,
      label,
      open: bar.open,
      high: bar.high,
      low: bar.low,
      close: bar.close,
      volume: bar.volume ?? 0,
      count: 1,
    };
  }
}

/** Batch form: every bucket, the last one included even if the source ends inside it. */
export function resample(
  bars: ReadonlyArray<{ time: number; open: number; high: number; low: number; close: number; volume?: number }>,
  target: Interval,
  calendar: MarketCalendar = MARKETS.crypto,
): ResampledBar[] {
  const r = new Resampler(target, calendar);
  const out: ResampledBar[] = [];
  for (const bar of bars) {
    const { closed } = r.update(bar);
    if (closed) out.push(closed);
  }
  const last = r.flush();
  if (last) out.push(last);
  return out;
}

/** Resampled bars as engine input (label kept as the time string). */
export function toBarInputs(bars: readonly ResampledBar[]): BarInput[] {
  return bars.map((b) => ({ time: b.label, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume }));
}
