/**
 * CSV bar files: header `time,open,high,low,close[,volume][,turnover][,turnover_rate]` (columns found by name,
 * any order, case-insensitive; other columns are ignored). Tolerates a UTF-8 BOM, CRLF line ends, blank lines
 * and double-quoted cells. Every problem is reported with its 1-based line number.
 */
import {
  BarFields,
  BarValidationError,
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

const REQUIRED = ['time', 'open', 'high', 'low', 'close'] as const;
const OPTIONAL: Record<string, 'volume' | 'turnover' | 'turnoverRate'> = {
  volume: 'volume',
  vol: 'volume',
  turnover: 'turnover',
  amount: 'turnover',
  turnover_rate: 'turnoverRate',
  turnoverrate: 'turnoverRate',
};

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
  const len = text.length;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNo = 0;
  /** Start and end (exclusive, before '\n') of the next line; advances `pos` and `lineNo`. */
  let lineStart = 0,
    lineEnd = 0;
  const nextLine = (): boolean => {
    if (pos > len || (pos === len && lineNo > 0)) return false;
    lineStart = pos;
    const nl = text.indexOf('\n', pos);
    lineEnd = nl < 0 ? len : nl;
    pos = lineEnd + 1;
    lineNo++;
    return true;
  };
  let found = false;
  while (nextLine()) {
    if (!isBlank(text, lineStart, lineEnd)) {
      found = true;
      break;
    }
  }
  if (!found) throw new CsvError(1, undefined, 'empty file: a header line is required');
  const headerLine = lineNo;
  const header = text
    .slice(lineStart, lineEnd)
    .split(',')
    .map((h) => cellText(h).toLowerCase());
  const colOf: Record<string, number> = {};
  for (let c = 0; c < header.length; c++) {
    const key = (REQUIRED as readonly string[]).includes(header[c]) ? header[c] : OPTIONAL[header[c]];
    if (key === undefined) continue;
    if (colOf[key] !== undefined) throw new CsvError(headerLine, header[c], 'duplicate column');
    colOf[key] = c;
  }
  for (const r of REQUIRED) {
    if (colOf[r] === undefined) {
      throw new CsvError(headerLine, r, `missing column (header must contain ${REQUIRED.join(',')})`);
    }
  }
  const width = header.length;
  // Cell bounds of the current row: start of cell c at 2c, end at 2c + 1.
  const bounds = new Int32Array(width * 2);
  const value = (c: number, line: number, column: string, optional: boolean) => {
    trimCell(text, bounds, 2 * c);
    return num(text, bounds[2 * c], bounds[2 * c + 1], line, column, optional);
  };
  const iT = colOf.time,
    iO = colOf.open,
    iH = colOf.high,
    iL = colOf.low,
    iC = colOf.close;
  const iV = colOf.volume ?? -1,
    iTo = colOf.turnover ?? -1,
    iTr = colOf.turnoverRate ?? -1;

  const fields = new BarFields();
  // Each field keeps one kind of value from the start (a field going from undefined to numbers would change the
  // object's layout under the code already compiled for it: measured 4× slower on the first series analysed).
  const row: CsvRow = {
    time: 0,
    open: 0,
    high: 0,
    low: 0,
    close: 0,
    volume: iV < 0 ? undefined : 0,
    turnover: iTo < 0 ? undefined : 0,
    turnoverRate: iTr < 0 ? undefined : 0,
  };
  let count = 0;
  let prevTime = -Infinity;
  let prevLabel = '';
  while (nextLine()) {
    const line = lineNo;
    if (isBlank(text, lineStart, lineEnd)) continue;
    let cells = 0;
    let from = lineStart;
    for (;;) {
      const comma = text.indexOf(',', from);
      const to = comma < 0 || comma > lineEnd ? lineEnd : comma;
      if (cells < width) {
        bounds[2 * cells] = from;
        bounds[2 * cells + 1] = to;
      }
      cells++;
      if (to === lineEnd) break;
      from = to + 1;
    }
    if (cells !== width) throw new CsvError(line, undefined, `expected ${width} cells, got ${cells}`);
    trimCell(text, bounds, 2 * iT);
    const label = text.slice(bounds[2 * iT], bounds[2 * iT + 1]);
    let time: number;
    try {
      time = parseTimeString(label);
    } catch (e) {
      throw new CsvError(line, 'time', (e as Error).message);
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
