/**
 * CSV bar files: header `time,open,high,low,close[,volume][,turnover][,turnover_rate]` (columns found by name,
 * any order, case-insensitive; other columns are ignored). Tolerates a UTF-8 BOM, CRLF line ends, blank lines
 * and double-quoted cells. Every problem is reported with its 1-based line number.
 */
import { BarValidationError, checkTimeOrder, parseTimeString, toBar, type BarOptions } from './bar.js';
import type { Bar, BarInput } from './types.js';

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

function unquote(cell: string): string {
  const t = cell.trim();
  return t.length >= 2 && t.charCodeAt(0) === 34 && t.charCodeAt(t.length - 1) === 34 ? t.slice(1, -1).trim() : t;
}

function num(cell: string, line: number, column: string, optional: boolean): number {
  if (cell === '') {
    if (optional) return NaN;
    throw new CsvError(line, column, 'empty cell');
  }
  const v = Number(cell);
  if (!Number.isFinite(v)) throw new CsvError(line, column, `not a finite number: ${JSON.stringify(cell)}`);
  return v;
}

export function parseCsv(text: string, opts?: CsvOptions): CsvBars {
  const validate = opts?.validate !== false;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n');
  let headerLine = 0;
  while (headerLine < lines.length && lines[headerLine].trim() === '') headerLine++;
  if (headerLine === lines.length) throw new CsvError(1, undefined, 'empty file: a header line is required');
  const header = lines[headerLine].split(',').map((h) => unquote(h).toLowerCase());
  const colOf: Record<string, number> = {};
  for (let c = 0; c < header.length; c++) {
    const key = (REQUIRED as readonly string[]).includes(header[c]) ? header[c] : OPTIONAL[header[c]];
    if (key === undefined) continue;
    if (colOf[key] !== undefined) throw new CsvError(headerLine + 1, header[c], 'duplicate column');
    colOf[key] = c;
  }
  for (const r of REQUIRED) {
    if (colOf[r] === undefined) {
      throw new CsvError(headerLine + 1, r, `missing column (header must contain ${REQUIRED.join(',')})`);
    }
  }
  const iT = colOf.time,
    iO = colOf.open,
    iH = colOf.high,
    iL = colOf.low,
    iC = colOf.close;
  const iV = colOf.volume ?? -1,
    iTo = colOf.turnover ?? -1,
    iTr = colOf.turnoverRate ?? -1;

  const bars: BarInput[] = [];
  const labels: string[] = [];
  let prev: Bar | undefined;
  for (let li = headerLine + 1; li < lines.length; li++) {
    const raw = lines[li];
    const line = li + 1;
    if (raw.trim() === '') continue;
    const cells = raw.split(',');
    if (cells.length !== header.length) {
      throw new CsvError(line, undefined, `expected ${header.length} cells, got ${cells.length}`);
    }
    const label = unquote(cells[iT]);
    let time: number;
    try {
      time = parseTimeString(label);
    } catch (e) {
      throw new CsvError(line, 'time', (e as Error).message);
    }
    const input: BarInput = {
      time,
      open: num(unquote(cells[iO]), line, 'open', false),
      high: num(unquote(cells[iH]), line, 'high', false),
      low: num(unquote(cells[iL]), line, 'low', false),
      close: num(unquote(cells[iC]), line, 'close', false),
      volume: iV < 0 ? undefined : num(unquote(cells[iV]), line, 'volume', true),
      turnover: iTo < 0 ? undefined : num(unquote(cells[iTo]), line, 'turnover', true),
      turnoverRate: iTr < 0 ? undefined : num(unquote(cells[iTr]), line, 'turnover_rate', true),
    };
    if (validate) {
      try {
        const b = toBar(input, bars.length, label, opts);
        checkTimeOrder(prev, b);
        prev = b;
        if (opts?.autofix === true) {
          input.low = b.low;
          input.high = b.high;
        }
      } catch (e) {
        if (e instanceof BarValidationError) throw new CsvError(line, e.field, e.detail);
        throw e;
      }
    }
    bars.push(input);
    labels.push(label);
  }
  return { bars, labels };
}
