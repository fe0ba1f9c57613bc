/**
 * Raw bars: time parsing, validation (chan-spec §2) and BarInput → Bar conversion.
 *
 * Times are compared as real instants. chan.py's "00:00 means 23:59 of that day" rule (§2.3) is deliberately
 * not reproduced: it rejects valid intraday series that contain a midnight bar (§16 item 15).
 */
import { reserved } from './indicators/grow.js';
import type { Bar, BarInput } from './types.js';

/** A bar that cannot be accepted. `index` is the bar's position in its series, `field` the offending field. */
export class BarValidationError extends Error {
  override readonly name = 'BarValidationError';
  constructor(
    readonly index: number,
    readonly field: 'time' | 'open' | 'high' | 'low' | 'close' | 'volume' | 'turnover' | 'turnoverRate',
    readonly detail: string,
  ) {
    super(`bar ${index}: ${field}: ${detail}`);
  }
}

export interface BarOptions {
  /** Replace low/high by the min/max of the four prices instead of rejecting the bar (chan.py `autofix`). */
  autofix?: boolean;
}

class OhlcBar implements Bar {
  constructor(
    readonly idx: number,
    readonly time: number,
    readonly label: string,
    readonly open: number,
    readonly high: number,
    readonly low: number,
    readonly close: number,
    readonly volume: number,
    readonly turnover: number,
    readonly turnoverRate: number,
  ) {}
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (exact integer arithmetic, no Date object). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Reads `n` decimal digits at `pos`; -1 if any of them is not a digit. */
function digits(s: string, pos: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(pos + i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function badTime(s: string, why: string): never {
  throw new RangeError(`invalid time ${JSON.stringify(s)}: ${why}`);
}

/**
 * Parses a time string to epoch ms: the one time grammar of the engine, the CLI, API uploads and query times and
 * the URL provider. Accepted: `YYYY-MM-DD` (UTC midnight; `/` separators too), `YYYY-MM-DD[T| ]HH:MM[:SS[.fff]]`
 * followed by nothing (UTC), `Z`, or an offset `±HH:MM` / `±HHMM`.
 * Hand-written because Date.parse is slow and treats offset-less date-times as local time.
 */
export function parseTimeString(s: string): number {
  const len = s.length;
  if (len < 10) badTime(s, 'expected YYYY-MM-DD');
  const y = digits(s, 0, 4);
  const sep = s.charCodeAt(4);
  const m = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  if (y < 0 || m < 0 || d < 0 || (sep !== 45 && sep !== 47) || s.charCodeAt(7) !== sep) {
    badTime(s, 'expected YYYY-MM-DD');
  }
  if (m < 1 || m > 12) badTime(s, 'month out of range');
  if (d < 1 || d > daysInMonth(y, m)) badTime(s, 'day out of range');
  let ms = daysFromCivil(y, m, d) * DAY_MS;
  if (len === 10) return ms;
  const t = s.charCodeAt(10);
  if ((t !== 84 && t !== 116 && t !== 32) || len < 16 || s.charCodeAt(13) !== 58) {
    badTime(s, 'expected YYYY-MM-DDTHH:MM[:SS]');
  }
  const hh = digits(s, 11, 2);
  const mm = digits(s, 14, 2);
  if (hh < 0 || mm < 0 || hh > 23 || mm > 59) badTime(s, 'hour or minute out of range');
  ms += hh * 3_600_000 + mm * 60_000;
  let p = 16;
  if (p < len && s.charCodeAt(p) === 58) {
    const ss = digits(s, p + 1, 2);
    if (ss < 0 || ss > 59 || p + 3 > len) badTime(s, 'second out of range');
    ms += ss * 1000;
    p += 3;
    if (p < len && s.charCodeAt(p) === 46) {
      // Fraction: keep milliseconds, ignore finer digits.
      p++;
      let scale = 100;
      const start = p;
      while (p < len) {
        const c = s.charCodeAt(p) - 48;
        if (c < 0 || c > 9) break;
        ms += c * scale;
        scale /= 10;
        p++;
      }
      if (p === start) badTime(s, 'empty fraction of a second');
      ms = Math.floor(ms);
    }
  }
  if (p === len) return ms;
  const z = s.charCodeAt(p);
  if ((z === 90 || z === 122) && p + 1 === len) return ms;
  if (z === 43 || z === 45) {
    const oh = digits(s, p + 1, 2);
    const hasColon = s.charCodeAt(p + 3) === 58;
    const om = digits(s, p + (hasColon ? 4 : 3), 2);
    const end = p + (hasColon ? 6 : 5);
    if (oh < 0 || om < 0 || oh > 23 || om > 59 || end !== len) badTime(s, 'bad UTC offset');
    const off = (oh * 60 + om) * 60_000;
    return z === 43 ? ms - off : ms + off;
  }
  return badTime(s, 'unexpected trailing characters');
}

/** Epoch ms of a BarInput time (number = epoch ms, Date, or a string accepted by parseTimeString). */
export function parseTime(t: number | string | Date): number {
  if (typeof t === 'number') {
    if (!Number.isFinite(t)) throw new RangeError(`invalid time ${t}: not a finite epoch-ms number`);
    return t;
  }
  if (typeof t === 'string') return parseTimeString(t);
  if (t instanceof Date) {
    const v = t.getTime();
    if (!Number.isFinite(v)) throw new RangeError('invalid time: invalid Date');
    return v;
  }
  throw new RangeError(`invalid time ${String(t)}: expected epoch ms, Date or string`);
}

const pad2 = (v: number) => (v < 10 ? `0${v}` : `${v}`);

/** The date part of the day formatted last: consecutive bars of an intraday series share it. */
let cachedDay = NaN;
let cachedDate = '';
/** `THH:MM:SSZ` per second of the day, made on first use (an intraday series repeats its times of day). */
const timeOfDay: (string | undefined)[] = [];

/**
 * Label for a time given without its own string: `YYYY-MM-DD` at UTC midnight, else ISO `…THH:MM:SS[.sss]Z`.
 * Formatted by hand (the inverse of `daysFromCivil`): a result of bars given epoch-ms times labels every bar, and
 * a Date plus toISOString per bar was a tenth of a cold first analysis. The date part is computed once per day
 * and the time part once per second of the day: a 50k-bar minute series then costs one concatenation per bar.
 */
export function formatTime(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  let date = cachedDate;
  if (days !== cachedDay) {
    const d = dateOf(days);
    // Outside four-digit years ISO needs an expanded year: leave that to Date.
    if (d === undefined) return formatTimeIso(ms);
    cachedDay = days;
    cachedDate = date = d;
  }
  const rest = ms - days * DAY_MS;
  if (rest === 0) return date;
  const sec = Math.floor(rest / 1000);
  const frac = rest - sec * 1000;
  if (frac === 0) return date + (timeOfDay[sec] ??= `${hmsOf(sec)}Z`);
  return `${date}${hmsOf(sec)}.${String(frac).padStart(3, '0')}Z`;
}

/** `THH:MM:SS` of a second of the day. */
const hmsOf = (sec: number) => `T${pad2(Math.floor(sec / 3600))}:${pad2(Math.floor(sec / 60) % 60)}:${pad2(sec % 60)}`;

/** `YYYY-MM-DD` of a day since 1970-01-01, undefined outside years 0–9999. */
function dateOf(days: number): string | undefined {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  if (!(y >= 0 && y <= 9999)) return undefined;
  return `${y < 1000 ? String(y).padStart(4, '0') : y}-${pad2(m)}-${pad2(d)}`;
}

function formatTimeIso(ms: number): string {
  const iso = new Date(ms).toISOString();
  if (ms % DAY_MS === 0) return iso.slice(0, 10);
  return ms % 1000 === 0 ? iso.slice(0, 19) + 'Z' : iso;
}

function optionalNumber(v: number | undefined, idx: number, field: 'volume' | 'turnover' | 'turnoverRate'): number {
  if (v === undefined || v === null) return NaN;
  if (typeof v !== 'number') throw new BarValidationError(idx, field, `must be a number, got ${typeof v}`);
  // NaN is the engine's "missing" marker; infinities are corrupt data.
  if (v === Infinity || v === -Infinity) throw new BarValidationError(idx, field, 'must not be infinite');
  return v;
}

function price(v: unknown, idx: number, field: 'open' | 'high' | 'low' | 'close'): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new BarValidationError(idx, field, `must be a finite number, got ${String(v)}`);
  }
  return v;
}

/**
 * Validated prices and optional numbers of one input bar (a reusable record: no allocation per bar). The values
 * travel in this record rather than as arguments: a double passed to a call that is not inlined is boxed.
 */
export class BarFields {
  /** Open time (ms); read by `BarStore.push` and `Level.pushValues`, not by `setLast` / `replaceLastValues`. */
  time = 0;
  open = 0;
  high = 0;
  low = 0;
  close = 0;
  // NaN, not 0: a volume starts as a small integer and may pass 2^30 far into a series (minute bars of an index),
  // where a field first stored as one kind of number changes to another and V8 throws away the code compiled for
  // every function that read the record, mid-run. The prices and the time change kind at the first bar, harmlessly.
  volume = NaN;
  turnover = NaN;
  turnoverRate = NaN;
}

/** Validates the prices of `input` (bar `idx`) into `out` (chan-spec §2, `autofix`). */
export function readBarPrices(input: BarInput, idx: number, autofix: boolean, out: BarFields): void {
  const open = price(input.open, idx, 'open');
  let high = price(input.high, idx, 'high');
  let low = price(input.low, idx, 'low');
  const close = price(input.close, idx, 'close');
  if (autofix) {
    low = Math.min(open, high, low, close);
    high = Math.max(open, high, low, close);
  } else {
    if (low > open || low > close || low > high) {
      throw new BarValidationError(idx, 'low', `low ${low} is above open/high/close (${open}/${high}/${close})`);
    }
    if (high < open || high < close) {
      throw new BarValidationError(idx, 'high', `high ${high} is below open/close (${open}/${close})`);
    }
  }
  out.open = open;
  out.high = high;
  out.low = low;
  out.close = close;
}

/** Validates the optional numbers of `input` into `out` (NaN when absent). */
export function readBarExtras(input: BarInput, idx: number, out: BarFields): void {
  out.volume = optionalNumber(input.volume, idx, 'volume');
  out.turnover = optionalNumber(input.turnover, idx, 'turnover');
  out.turnoverRate = optionalNumber(input.turnoverRate, idx, 'turnoverRate');
}

const scratch = new BarFields();

/**
 * Converts and validates one input bar. `label` defaults to the input's own time string (or a formatted time).
 * Time order against the previous bar is checked by the level (`checkTimeOrder`), not here.
 */
export function toBar(input: BarInput, idx: number, label?: string, opts?: BarOptions): Bar {
  const f = scratch;
  readBarPrices(input, idx, opts !== undefined && opts.autofix === true, f);
  let time: number;
  try {
    time = parseTime(input.time);
  } catch (e) {
    throw new BarValidationError(idx, 'time', (e as Error).message);
  }
  readBarExtras(input, idx, f);
  const lbl = label ?? (typeof input.time === 'string' ? input.time : formatTime(time));
  return new OhlcBar(idx, time, lbl, f.open, f.high, f.low, f.close, f.volume, f.turnover, f.turnoverRate);
}

/** Throws unless `bar` is strictly later than `prev` (chan.py KL_NOT_MONOTONOUS). */
export function checkTimeOrder(prev: Bar | undefined, bar: Bar): void {
  if (prev !== undefined && !(bar.time > prev.time)) {
    throw new BarValidationError(
      bar.idx,
      'time',
      `time ${bar.label} is not after the previous bar's time ${prev.label}: times must strictly increase`,
    );
  }
}

/** Converts a whole series (idx 0…n−1), validating every bar and the strictly increasing time order. */
export function toBars(inputs: readonly BarInput[], labels?: readonly string[], opts?: BarOptions): Bar[] {
  const out: Bar[] = new Array(inputs.length);
  let prev: Bar | undefined;
  for (let i = 0; i < inputs.length; i++) {
    const b = toBar(inputs[i], i, labels === undefined ? undefined : labels[i], opts);
    checkTimeOrder(prev, b);
    out[i] = b;
    prev = b;
  }
  return out;
}

/**
 * A level's raw bars as a struct of arrays (one Float64Array column per field): appending a bar allocates no
 * object, so a long series puts no per-bar garbage-collector load on the hot path. `Bar` objects for the
 * structure code and the outputs are thin views (`views()`), created on demand and only once per bar; a view
 * reads the store, so the view of a still-forming bar shows its latest values.
 */
export class BarStore {
  length = 0;
  time = new Float64Array(0);
  open = new Float64Array(0);
  high = new Float64Array(0);
  low = new Float64Array(0);
  close = new Float64Array(0);
  volume = new Float64Array(0);
  turnover = new Float64Array(0);
  turnoverRate = new Float64Array(0);
  /** The caller's time strings; undefined where none was given (formatted from the time on first read). */
  private labels: (string | undefined)[] = [];
  private readonly viewList: Bar[] = [];

  /** Appends bar `length` (no time-order check: the level does it). */
  push(label: string | undefined, f: BarFields): void {
    const i = this.length;
    if (i === this.time.length) this.grow(i + 1);
    this.time[i] = f.time;
    // An index store: `reserve` may have pre-sized the array (a push would grow it again from its length).
    this.labels[i] = label;
    this.length = i + 1;
    this.write(i, f);
  }

  /** Replaces the values (and label) of the last bar; its time stays. */
  setLast(label: string | undefined, f: BarFields): void {
    const i = this.length - 1;
    this.labels[i] = label;
    this.write(i, f);
  }

  label(i: number): string {
    let l = this.labels[i];
    if (l === undefined) {
      l = formatTime(this.time[i]);
      this.labels[i] = l;
    }
    return l;
  }

  /** The bars as `Bar` views, index = idx. The same array object every call, extended to `length`. */
  views(): Bar[] {
    const v = this.viewList;
    for (let i = v.length; i < this.length; i++) v.push(new BarView(this, i));
    return v;
  }

  /** Room for `n` bars up front (batch runs know their length: no regrowth, no garbage from it). */
  reserve(n: number): void {
    if (n <= this.time.length) return;
    // Pre-sized label slots: growing the array by pushes would copy it ~25 times over a long series.
    const labels = new Array<string | undefined>(n);
    for (let i = 0; i < this.length; i++) labels[i] = this.labels[i];
    this.labels = labels;
    this.time = reserved(this.time, n);
    this.open = reserved(this.open, n);
    this.high = reserved(this.high, n);
    this.low = reserved(this.low, n);
    this.close = reserved(this.close, n);
    this.volume = reserved(this.volume, n);
    this.turnover = reserved(this.turnover, n);
    this.turnoverRate = reserved(this.turnoverRate, n);
  }

  private write(i: number, f: BarFields): void {
    this.open[i] = f.open;
    this.high[i] = f.high;
    this.low[i] = f.low;
    this.close[i] = f.close;
    this.volume[i] = f.volume;
    this.turnover[i] = f.turnover;
    this.turnoverRate[i] = f.turnoverRate;
  }

  private grow(min: number): void {
    let cap = this.time.length < 256 ? 256 : this.time.length * 2;
    while (cap < min) cap *= 2;
    this.time = grownTo(this.time, cap);
    this.open = grownTo(this.open, cap);
    this.high = grownTo(this.high, cap);
    this.low = grownTo(this.low, cap);
    this.close = grownTo(this.close, cap);
    this.volume = grownTo(this.volume, cap);
    this.turnover = grownTo(this.turnover, cap);
    this.turnoverRate = grownTo(this.turnoverRate, cap);
  }
}

function grownTo(a: Float64Array<ArrayBuffer>, cap: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}

/** One bar of a BarStore (read-only view; see BarStore). */
class BarView implements Bar {
  constructor(
    private readonly store: BarStore,
    readonly idx: number,
  ) {}
  get time(): number {
    return this.store.time[this.idx];
  }
  get label(): string {
    return this.store.label(this.idx);
  }
  get open(): number {
    return this.store.open[this.idx];
  }
  get high(): number {
    return this.store.high[this.idx];
  }
  get low(): number {
    return this.store.low[this.idx];
  }
  get close(): number {
    return this.store.close[this.idx];
  }
  get volume(): number {
    return this.store.volume[this.idx];
  }
  get turnover(): number {
    return this.store.turnover[this.idx];
  }
  get turnoverRate(): number {
    return this.store.turnoverRate[this.idx];
  }
  /** The plain bar (what JSON.stringify and spreading callers expect). */
  toJSON(): Bar {
    return {
      idx: this.idx,
      time: this.time,
      label: this.label,
      open: this.open,
      high: this.high,
      low: this.low,
      close: this.close,
      volume: this.volume,
      turnover: this.turnover,
      turnoverRate: this.turnoverRate,
    };
  }
}
