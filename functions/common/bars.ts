/**
 * Validation of uploaded bars (JSON rows or CSV text) into StoredBar[]. Every row is checked and every problem is
 * reported with its row index and field, so a client fixes a file in one round trip. Policy (documented in the
 * README): a request with any bad row is rejected whole with 400 and nothing is written — a partial write would
 * leave gaps the engine would read as real market structure.
 */
import { CsvError, CsvScanner, isInteger, missingColumns } from 'chan-analysis';
import * as z from './zod.js';
import {
  formatTime,
  INTERVAL_MS,
  INTERVALS,
  MAX_FUTURE_MS,
  MIN_TIME_MS,
  parseTime,
  type Interval,
  type StoredBar,
} from './domain.js';
import { badRequest, type FieldProblem } from './errors.js';

const price = (name: string) =>
  z
    .number({
      error: (iss) =>
        iss.input === undefined ? `${name} is required` : `${name} must be a number, got ${describe(iss.input)}`,
    })
    .check(z.refine((v) => v > 0, { error: `${name} must be positive` }));

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `string "${v.length > 20 ? v.slice(0, 20) + '…' : v}"`;
  if (typeof v === 'number') return String(v);
  return typeof v;
}

/** One bar as the API accepts it (JSON). Time: epoch ms, YYYY-MM-DD or ISO date-time. */
export const BarInputSchema = z
  .object({
    time: z.union([z.string(), z.number()], {
      error: (iss) =>
        iss.input === undefined
          ? 'time is required'
          : `time must be a string or epoch milliseconds, got ${describe(iss.input)}`,
    }),
    open: price('open'),
    high: price('high'),
    low: price('low'),
    close: price('close'),
    volume: z.optional(
      z.nullable(
        z
          .number({ error: (iss) => `volume must be a number or null, got ${describe(iss.input)}` })
          .check(z.refine((v) => v >= 0, { error: 'volume must not be negative' })),
      ),
    ),
  })
  .check(z.meta({ id: 'BarInput', description: 'One OHLCV bar; time is the bar open time' }));

export type BarInputJson = z.input<typeof BarInputSchema>;

/** Cross-field rules on one bar (after the per-field ones passed). */
function barProblems(b: {
  open: number;
  high: number;
  low: number;
  close: number;
}): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  if (b.high < b.low) out.push({ field: 'high', message: `high ${b.high} is below low ${b.low}` });
  else {
    if (b.high < Math.max(b.open, b.close))
      out.push({ field: 'high', message: `high ${b.high} is below open/close ${Math.max(b.open, b.close)}` });
    if (b.low > Math.min(b.open, b.close))
      out.push({ field: 'low', message: `low ${b.low} is above open/close ${Math.min(b.open, b.close)}` });
  }
  return out;
}

export interface ValidatedBars {
  bars: StoredBar[];
  problems: FieldProblem[];
}

/** Where a row read from CSV sat in its file (a key JSON cannot carry, so JSON rows never have it). */
const CSV_LINE = Symbol('csvLine');

/**
 * Validate rows (already objects). `where` prefixes field paths ("body" → body[3].high). Times must be strictly
 * increasing: duplicates and out-of-order rows are errors, because silently re-sorting would hide a broken feed.
 */
export function validateRows(rows: unknown[], where: string, now = Date.now()): ValidatedBars {
  const problems: FieldProblem[] = [];
  const bars: StoredBar[] = [];
  let prevTs = -Infinity;
  let prevIdx = -1;
  const push = (i: number, field: string, message: string) => {
    const line = (rows[i] as { [CSV_LINE]?: number } | null)?.[CSV_LINE];
    if (problems.length < 200)
      problems.push({
        field: `${where}[${i}]${field ? '.' + field : ''}`,
        message: line === undefined ? message : `${message} (CSV line ${line})`,
      });
  };
  rows.forEach((row, i) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      push(
        i,
        '',
        `row must be an object {time, open, high, low, close, volume}, got ${Array.isArray(row) ? 'array' : describe(row)}`,
      );
      return;
    }
    const r = BarInputSchema.safeParse(row);
    if (!r.success) {
      for (const iss of r.error.issues) push(i, iss.path.join('.'), iss.message);
      return;
    }
    const ts = parseTime(r.data.time);
    if (!Number.isFinite(ts)) {
      push(
        i,
        'time',
        `"${String(r.data.time)}" is not a time: use epoch milliseconds, YYYY-MM-DD or an ISO 8601 date-time`,
      );
      return;
    }
    if (ts < MIN_TIME_MS || ts > now + MAX_FUTURE_MS) {
      push(i, 'time', `${new Date(ts).toISOString()} is out of range (1900-01-01 to two days from now)`);
      return;
    }
    const cross = barProblems(r.data);
    if (cross.length) {
      for (const p of cross) push(i, p.field, p.message);
      return;
    }
    if (ts <= prevTs) {
      push(
        i,
        'time',
        `${ts === prevTs ? 'duplicate' : 'out-of-order'} time ${new Date(ts).toISOString()}: must be after row ${prevIdx} (${new Date(prevTs).toISOString()})`,
      );
      return;
    }
    prevTs = ts;
    prevIdx = i;
    bars.push({
      ts,
      open: r.data.open,
      high: r.data.high,
      low: r.data.low,
      close: r.data.close,
      volume: r.data.volume ?? null,
    });
  });
  return { bars, problems };
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * The closest two consecutive bars of an interval may be. Gaps of any size are fine (sessions, weekends,
 * holidays, outages); what is refused is spacing finer than the interval, which means the bars are of another,
 * finer interval (hourly bars posted as "4h" would be stored as a 4h series the engine reads as real structure).
 * Open times need not sit on a UTC grid: session opens (09:30 New York, 09:15 Mumbai) put genuine hourly bars
 * off it. Two allowances: daily bars stamped at a local time come 23 h apart across a DST change, and weekly
 * bars labelled by their last trading day can be a Friday and the next Monday (a week cut short by holidays).
 */
export const MIN_SPACING_MS: Record<Interval, number> = {
  ...INTERVAL_MS,
  '1d': 23 * HOUR,
  '1w': 3 * DAY,
};

/** How many offending rows a spacing error lists. */
const MAX_SPACING_PROBLEMS = 20;

const describeGap = (ms: number): string => {
  const iv = INTERVALS.find((i) => INTERVAL_MS[i] === ms);
  if (iv) return iv;
  return ms % DAY === 0 ? `${ms / DAY} days` : ms % HOUR === 0 ? `${ms / HOUR} h` : `${ms / 60_000} min`;
};

/**
 * Rows (by index) closer to their predecessor than `interval` allows, the first MAX_SPACING_PROBLEMS of them,
 * and how many there are in all; `bars` are sorted, one per row.
 */
export function spacingProblems(
  bars: readonly StoredBar[],
  interval: Interval,
  where: string,
): { problems: FieldProblem[]; total: number } {
  const min = MIN_SPACING_MS[interval];
  const problems: FieldProblem[] = [];
  let total = 0;
  for (let i = 1; i < bars.length; i++) {
    const gap = bars[i]!.ts - bars[i - 1]!.ts;
    if (gap >= min) continue;
    if (total++ >= MAX_SPACING_PROBLEMS) continue;
    problems.push({
      field: `${where}[${i}].time`,
      message: `${formatTime(interval, bars[i]!.ts)} is ${describeGap(gap)} after row ${i - 1} (${formatTime(interval, bars[i - 1]!.ts)}): ${interval} bars must be at least ${describeGap(min)} apart`,
    });
  }
  return { problems, total };
}

/** The interval the closest bars fit, for the hint in a spacing error (none when they fit none). */
function likelyInterval(bars: readonly StoredBar[]): Interval | undefined {
  let gap = Infinity;
  for (let i = 1; i < bars.length; i++) gap = Math.min(gap, bars[i]!.ts - bars[i - 1]!.ts);
  return [...INTERVALS].reverse().find((iv) => MIN_SPACING_MS[iv] <= gap && gap < 2 * INTERVAL_MS[iv]);
}

function rejectAll(problems: FieldProblem[], total: number, hint = ''): never {
  const first = problems[0]!;
  const more = total - 1;
  throw badRequest(
    `Invalid ${first.field}: ${first.message}${more > 0 ? ` (and ${more} more problem${more > 1 ? 's' : ''})` : ''}${hint}; nothing was written`,
    { rejected: total, problems },
  );
}

/**
 * Throws a 400 listing every row problem; returns the bars otherwise. With `interval` (uploads), the rows must
 * also be spaced as that interval's bars (MIN_SPACING_MS): the 400 then names the first offending rows.
 */
export function requireValidRows(rows: unknown[], where: string, interval?: Interval): StoredBar[] {
  if (rows.length === 0)
    throw badRequest(`${where} must contain at least one bar`, [{ field: where, message: 'empty' }]);
  const { bars, problems } = validateRows(rows, where);
  if (problems.length) rejectAll(problems, problems.length);
  if (interval !== undefined) {
    const spacing = spacingProblems(bars, interval, where);
    if (spacing.total) {
      const likely = likelyInterval(bars);
      rejectAll(
        spacing.problems,
        spacing.total,
        likely && likely !== interval
          ? ` — the rows look like ${likely} bars: upload them with ?interval=${likely}, or resample them to ${interval} first`
          : ' — sessions and gaps are fine, bars finer than the interval are not',
      );
    }
  }
  return bars;
}

/** A CSV problem the engine's scanner found before any row (no header, a column named twice) as a 400. */
function csvFileError(e: unknown, where: string): never {
  if (!(e instanceof CsvError)) throw e;
  throw badRequest(`${where}: ${e.message}`, [{ field: `${where}.header`, message: e.detail }]);
}

/**
 * CSV → row objects, read by the engine's scanner (so `chan analyze` accepts what uploads accept): the accepted
 * headers, separators and times are documented in shared/chan-analysis/src/csv.ts. Numeric cells become numbers
 * and anything unparsable stays a string, so the row validator reports "open must be a number, got string "abc""
 * with the row index. Row indexes (`body[i]`) count bars from 0, as in a JSON body; messages about a line add its
 * file line number (1-based, header = line 1, blank lines counted), as every CSV error does.
 */
export function csvToRows(text: string, where = 'body'): unknown[] {
  let scan: CsvScanner;
  try {
    scan = new CsvScanner(text);
  } catch (e) {
    csvFileError(e, where);
  }
  const { col, names } = scan.header;
  const missing = missingColumns(scan.header);
  if (missing.length) {
    throw badRequest(
      `${where}: CSV header must name time, open, high, low, close (volume optional); missing ${missing.join(', ')}`,
      { field: `${where}.header`, header: names, missing },
    );
  }
  const num = (c: string) => (c !== '' && Number.isFinite(Number(c)) ? Number(c) : c);
  const rows: unknown[] = [];
  while (scan.next()) {
    if (scan.count !== names.length) {
      // Keep the row index aligned with data rows (row 0 = first bar after the header).
      rows.push({ __csvError: `CSV line ${scan.line}: expected ${names.length} cells, got ${scan.count}` });
      continue;
    }
    const t = scan.cell(col.time);
    rows.push({
      [CSV_LINE]: scan.line,
      time: isInteger(t) ? Number(t) : t,
      open: num(scan.cell(col.open)),
      high: num(scan.cell(col.high)),
      low: num(scan.cell(col.low)),
      close: num(scan.cell(col.close)),
      ...(col.volume >= 0 ? { volume: scan.cell(col.volume) === '' ? null : num(scan.cell(col.volume)) } : {}),
    });
  }
  return rows;
}

/** validateRows for CSV: reports structural row errors with the same index scheme. */
export function requireValidCsv(text: string, where = 'body', interval?: Interval): StoredBar[] {
  const rows = csvToRows(text, where);
  const structural: FieldProblem[] = [];
  rows.forEach((r, i) => {
    const err = (r as { __csvError?: string }).__csvError;
    if (err) structural.push({ field: `${where}[${i}]`, message: err });
  });
  if (structural.length) {
    throw badRequest(`Invalid ${structural[0]!.field}: ${structural[0]!.message}; nothing was written`, {
      rejected: structural.length,
      problems: structural.slice(0, 200),
    });
  }
  return requireValidRows(rows, where, interval);
}
