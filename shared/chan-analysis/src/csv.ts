/**
 * CSV bar files: the one reader. The CLI (`chan analyze`, `chan resample`), API uploads (`POST /klines`,
 * functions/common/bars.ts) and the URL provider (functions/ingest/providers/url-source.ts) all read through
 * `scanCsv`, so a file one of them accepts the others accept too.
 *
 * - Header: the first non-blank line. Columns are found by name, in any order, case-insensitive; other columns are
 *   ignored. Accepted names (CSV_COLUMNS): time = `time`, `date`, `datetime`, `timestamp`, `open_time`, `opentime`,
 *   `t`; `open`/`o`, `high`/`h`, `low`/`l`, `close`/`c`; optional volume = `volume`, `vol`, `v`; turnover =
 *   `turnover`, `amount`; turnover rate = `turnover_rate`, `turnoverrate`. When several columns name one field
 *   (`date` and `time`, say), the leftmost is read and the others are ignored.
 * - Separator: comma, semicolon or tab — whichever the header line holds most of.
 * - Cells: surrounding spaces and one pair of enclosing double quotes are dropped. The line is split at separators
 *   first, so quotes do not protect a separator (or a line break) inside a cell.
 * - Times: `YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|±HH:MM]` (UTC without an offset; `/` date separators and a space for
 *   `T` too; see parseTimeString) or integer epoch milliseconds.
 * - A UTF-8 BOM, CRLF line ends and blank lines are fine.
 * - Row numbers: every error names the file line, 1-based, the header being line 1 and blank lines counted
 *   (the number an editor shows).
 */
import {
  BarFields,
  BarValidationError,
  formatTime,
  parseTimeString,
  readBarExtras,
  readBarPrices,
  type BarOptions,
} from './bar.js';
import type { BarInput } from './types.js';

export class CsvError extends Error {
  override readonly name = 'CsvError';
  /** `line` is 1-based (the header is line 1); `column` is the header name when one cell is at fault. */
  constructor(
    readonly line: number,
    readonly column: string | undefined,
    readonly detail: string,
  ) {
    super(`CSV line ${line}${column === undefined ? '' : ` (${column})`}: ${detail}`);
  }
}

export interface CsvBars {
  /** Times are epoch ms (already parsed), so the bars can be fed to `toBar` without re-parsing. */
  bars: BarInput[];
  /** The time cells as written, echoed back in outputs. */
  labels: string[];
}

export interface CsvOptions extends BarOptions {
  /** Also check price sanity and strictly increasing time, reporting the line (default true). */
  validate?: boolean;
}

/** Each field's accepted header names, case-insensitive (see the module comment). */
export const CSV_COLUMNS = {
  time: ['time', 'date', 'datetime', 'timestamp', 'open_time', 'opentime', 't'],
  open: ['open', 'o'],
  high: ['high', 'h'],
  low: ['low', 'l'],
  close: ['close', 'c'],
  volume: ['volume', 'vol', 'v'],
  turnover: ['turnover', 'amount'],
  turnoverRate: ['turnover_rate', 'turnoverrate'],
} as const;

export type CsvField = keyof typeof CSV_COLUMNS;

/** The fields every file must have. */
export const CSV_REQUIRED = ['time', 'open', 'high', 'low', 'close'] as const satisfies readonly CsvField[];

const FIELD_OF = new Map<string, CsvField>(
  Object.entries(CSV_COLUMNS).flatMap(([field, names]) => names.map((n) => [n, field as CsvField] as const)),
);

const SEPARATORS = [44, 59, 9]; // , ; tab

/** Narrows the span `bounds[k]…bounds[k + 1]` of `text` to the cell's value: trimmed, enclosing quotes dropped. */
function trimCell(text: string, bounds: Int32Array, k: number): void {
  let a = bounds[k],
    b = bounds[k + 1];
  while (a < b && text.charCodeAt(a) <= 32) a++;
  while (b > a && text.charCodeAt(b - 1) <= 32) b--;
  if (b - a >= 2 && text.charCodeAt(a) === 34 && text.charCodeAt(b - 1) === 34) {
    a++;
    b--;
    while (a < b && text.charCodeAt(a) <= 32) a++;
    while (b > a && text.charCodeAt(b - 1) <= 32) b--;
  }
  bounds[k] = a;
  bounds[k + 1] = b;
}

function cellText(h: string): string {
  const b = Int32Array.of(0, h.length);
  trimCell(h, b, 0);
  return h.slice(b[0], b[1]);
}

/** Exact powers of ten (10^22 is the largest a double holds exactly). */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * The plain decimal in text[a, b) (`-12.5`), or NaN when the cell is anything else. Exact: an integer below 2^53
 * divided by an exact power of ten is one correctly rounded operation, the double `Number()` gives. Reads the
 * characters in place (no substring per cell).
 */
function plainDecimal(text: string, a: number, b: number): number {
  let i = a;
  const sign = text.charCodeAt(i);
  if (sign === 45 || sign === 43) i++;
  let mant = 0,
    scale = 0,
    digits = 0,
    dot = false;
  for (; i < b; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c >= 0 && c <= 9) {
      mant = mant * 10 + c;
      digits++;
      if (dot) scale++;
    } else if (c === -2 && !dot) dot = true;
    else return NaN;
  }
  if (digits === 0 || scale > 22 || mant >= 9007199254740992) return NaN;
  const v = scale === 0 ? mant : mant / POW10[scale];
  return sign === 45 ? -v : v;
}

function num(text: string, a: number, b: number, line: number, column: string, optional: boolean): number {
  if (a === b) {
    if (optional) return NaN;
    throw new CsvError(line, column, 'empty cell');
  }
  const fast = plainDecimal(text, a, b);
  if (fast === fast) return fast;
  // Exponents, long mantissas and the rest: Number's own grammar, as before.
  const cell = text.slice(a, b);
  const v = Number(cell);
  if (!Number.isFinite(v)) throw new CsvError(line, column, `not a finite number: ${JSON.stringify(cell)}`);
  return v;
}

const isBlank = (text: string, from: number, to: number) => {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) > 32) return false;
  return true;
};

/** A file's header: where it is and which column holds each field. */
export interface CsvHeader {
  /** Its line number (1-based). */
  line: number;
  /** The header cells, trimmed, unquoted and lower-cased. */
  names: string[];
  /** The column of each field, -1 when the file has none. */
  col: Record<CsvField, number>;
}

/** The required fields a header lacks, in CSV_REQUIRED order. */
export const missingColumns = (h: CsvHeader): CsvField[] => CSV_REQUIRED.filter((f) => h.col[f] < 0);

/**
 * The scanner under every CSV consumer: one pass over the text, lines and cells found by index (no array of lines,
 * no array of cells per row). The constructor finds the header (an empty file throws CsvError); each `next()` moves to the next non-blank line and marks its cells: cell k spans
 * `text[bounds[2k], bounds[2k + 1])` untrimmed (for k below the header's width), `count` is how many the line has.
 * What a row must hold is the consumer's to check. The loop stays in the consumer, so the per-row work inlines.
 */
export class CsvScanner {
  readonly header: CsvHeader;
  readonly bounds: Int32Array;
  /** Cells on the current line. */
  count = 0;
  /** The current line's number (1-based, blank lines counted). */
  line = 0;
  private pos: number;
  private start = 0;
  private end = 0;
  private readonly sep: string;
  private readonly width: number;

  constructor(readonly text: string) {
    this.pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    let found = false;
    while (this.nextLine()) {
      if (!isBlank(text, this.start, this.end)) {
        found = true;
        break;
      }
    }
    if (!found) throw new CsvError(1, undefined, 'empty file: a header line is required');
    const headerText = text.slice(this.start, this.end);
    let sep = 44,
      most = 0;
    for (const c of SEPARATORS) {
      let n = 0;
      for (let i = 0; i < headerText.length; i++) if (headerText.charCodeAt(i) === c) n++;
      if (n > most) [sep, most] = [c, n];
    }
    this.sep = String.fromCharCode(sep);
    const header: CsvHeader = {
      line: this.line,
      names: headerText.split(this.sep).map((h) => cellText(h).toLowerCase()),
      col: { time: -1, open: -1, high: -1, low: -1, close: -1, volume: -1, turnover: -1, turnoverRate: -1 },
    };
    header.names.forEach((name, c) => {
      const field = FIELD_OF.get(name);
      if (field !== undefined && header.col[field] < 0) header.col[field] = c;
    });
    this.header = header;
    this.width = header.names.length;
    // Start of cell c at 2c, end at 2c + 1.
    this.bounds = new Int32Array(this.width * 2);
  }

  /** Moves to the next line (blank or not); false at the end of the text. */
  private nextLine(): boolean {
    const len = this.text.length;
    if (this.pos > len || (this.pos === len && this.line > 0)) return false;
    this.start = this.pos;
    const nl = this.text.indexOf('\n', this.pos);
    this.end = nl < 0 ? len : nl;
    this.pos = this.end + 1;
    this.line++;
    return true;
  }

  /** Moves to the next non-blank line and marks its cells; false at the end of the text. */
  next(): boolean {
    const text = this.text,
      bounds = this.bounds,
      width = this.width,
      sep = this.sep;
    do {
      if (!this.nextLine()) return false;
    } while (isBlank(text, this.start, this.end));
    const end = this.end;
    let count = 0;
    let from = this.start;
    for (;;) {
      const at = text.indexOf(sep, from);
      const to = at < 0 || at > end ? end : at;
      if (count < width) {
        bounds[2 * count] = from;
        bounds[2 * count + 1] = to;
      }
      count++;
      if (to === end) break;
      from = to + 1;
    }
    this.count = count;
    return true;
  }

  /** Cell k of the current line, trimmed and unquoted. */
  cell(k: number): string {
    trimCell(this.text, this.bounds, 2 * k);
    return this.text.slice(this.bounds[2 * k], this.bounds[2 * k + 1]);
  }
}

/** Whether a cell is an integer (epoch milliseconds in a time column). */
export function isInteger(s: string): boolean {
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  if (i === s.length) return false;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return false;
  }
  return true;
}

/** Every row as a new BarInput (epoch-ms time) and its time cell as written. */
export function parseCsv(text: string, opts?: CsvOptions): CsvBars {
  const bars: BarInput[] = [];
  const labels: string[] = [];
  readCsv(text, opts, (r, label) => {
    // A literal (not a spread of the reused row): every bar gets one map with plain number fields.
    bars.push({
      time: r.time,
      open: r.open,
      high: r.high,
      low: r.low,
      close: r.close,
      volume: r.volume,
      turnover: r.turnover,
      turnoverRate: r.turnoverRate,
    });
    labels.push(label);
  });
  return { bars, labels };
}

/** One row as `readCsv` hands it over: the same object for every row (a consumer copies what it keeps). */
export interface CsvRow extends BarInput {
  time: number;
}

/**
 * The reader: one pass over the text, lines and cells found by index (no array of lines, no array of cells per
 * row, no substring per number), validation into one reused record, and one reused row object handed to `onRow`.
 * A consumer that copies the values (the analyser does) then allocates nothing per row but the label: for a
 * 50k-row file, 50k objects that survive to the end cost more in garbage collection than the parse itself.
 */
export function readCsv(
  text: string,
  opts: CsvOptions | undefined,
  onRow: (row: CsvRow, label: string, line: number) => void,
): void {
  const validate = opts?.validate !== false;
  const autofix = opts?.autofix === true;
  const scan = new CsvScanner(text);
  const h = scan.header;
  const missing = missingColumns(h);
  if (missing.length) {
    throw new CsvError(h.line, missing[0], `missing column (header must contain ${CSV_REQUIRED.join(',')})`);
  }
  const width = h.names.length;
  const bounds = scan.bounds;
  const value = (c: number, line: number, column: string, optional: boolean) => {
    trimCell(text, bounds, 2 * c);
    return num(text, bounds[2 * c], bounds[2 * c + 1], line, column, optional);
  };
  const { time: iT, open: iO, high: iH, low: iL, close: iC, volume: iV, turnover: iTo, turnoverRate: iTr } = h.col;

  const fields = new BarFields();
  // Each field keeps one kind of value from the start (a field going from undefined to numbers would change the
  // object's layout under the code already compiled for it: measured 4× slower on the first series analysed).
  const row: CsvRow = {
    time: 0,
    open: 0,
    high: 0,
    low: 0,
    close: 0,
    // NaN for the reason BarFields gives: a volume can outgrow the small-integer kind mid-file.
    volume: iV < 0 ? undefined : NaN,
    turnover: iTo < 0 ? undefined : NaN,
    turnoverRate: iTr < 0 ? undefined : NaN,
  };
  let count = 0;
  let prevTime = -Infinity;
  let prevLabel = '';
  while (scan.next()) {
    const line = scan.line;
    if (scan.count !== width) throw new CsvError(line, undefined, `expected ${width} cells, got ${scan.count}`);
    let label = scan.cell(iT);
    let time: number;
    // A date's fifth character is its separator: only other cells can be epoch milliseconds.
    const c4 = label.charCodeAt(4);
    if (c4 !== 45 && c4 !== 47 && isInteger(label)) {
      time = Number(label);
      label = formatTime(time);
    } else {
      try {
        time = parseTimeString(label);
      } catch (e) {
        throw new CsvError(line, 'time', (e as Error).message);
      }
    }
    const input = row;
    input.time = time;
    input.open = value(iO, line, 'open', false);
    input.high = value(iH, line, 'high', false);
    input.low = value(iL, line, 'low', false);
    input.close = value(iC, line, 'close', false);
    if (iV >= 0) input.volume = value(iV, line, 'volume', true);
    if (iTo >= 0) input.turnover = value(iTo, line, 'turnover', true);
    if (iTr >= 0) input.turnoverRate = value(iTr, line, 'turnover_rate', true);
    if (validate) {
      try {
        readBarPrices(input, count, autofix, fields);
        readBarExtras(input, count, fields);
      } catch (e) {
        if (e instanceof BarValidationError) throw new CsvError(line, e.field, e.detail);
        throw e;
      }
      if (!(time > prevTime) && count > 0) {
        throw new CsvError(
          line,
          'time',
          `time ${label} is not after the previous bar's time ${prevLabel}: times must strictly increase`,
        );
      }
      prevTime = time;
      prevLabel = label;
      if (autofix) {
        input.low = fields.low;
        input.high = fields.high;
      }
    }
    onRow(input, label, line);
    count++;
  }
}
