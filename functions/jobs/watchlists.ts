/**
 * A watchlist upload → its symbols. JSON `{ "symbols": [...] }`, or CSV with a header row naming a symbol column:
 * `symbol`, or the column an index-constituent export uses (Tushare index_weight's `con_code`, its other tables'
 * `ts_code`, `ticker`), case-insensitive; other columns (weight, trade_date) are ignored. Both go through
 * WatchlistBodySchema, so a CSV row is held to the same rules as a JSON element; its problems name the element
 * (`body.symbols[i]`) and the file line.
 */
import { CsvError, CsvScanner } from 'chan-analysis';
import * as z from '../common/zod.js';
import { badRequest, fromZod } from '../common/errors.js';
import { WatchlistBodySchema } from './model.js';

export const SYMBOL_COLUMNS = ['symbol', 'con_code', 'ts_code', 'ticker'] as const;

export type WatchlistBody = { kind: 'json'; value: unknown } | { kind: 'csv'; text: string };

function csvSymbols(text: string): { symbols: string[]; lines: number[] } {
  let scan: CsvScanner;
  try {
    scan = new CsvScanner(text);
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    throw badRequest(`body: ${e.message}`, [{ field: 'body.header', message: e.detail }]);
  }
  const names = scan.header.names;
  const col = names.findIndex((n) => (SYMBOL_COLUMNS as readonly string[]).includes(n));
  if (col < 0)
    throw badRequest(
      `body: CSV header must name a symbol column (${SYMBOL_COLUMNS.join(', ')}); got ${names.join(', ')}`,
      [{ field: 'body.header', message: 'no symbol column' }],
    );
  const symbols: string[] = [];
  const lines: number[] = [];
  while (scan.next()) {
    // A short row has no cell in the column: an empty symbol, reported with its line like any other bad cell.
    symbols.push(scan.count > col ? scan.cell(col) : '');
    lines.push(scan.line);
  }
  return { symbols, lines };
}

/** The de-duplicated, normalised symbols of an upload, or a 400 naming the first bad element. */
export function watchlistSymbols(body: WatchlistBody): string[] {
  const csv = body.kind === 'csv' ? csvSymbols(body.text) : undefined;
  const r = WatchlistBodySchema.safeParse(csv ? { symbols: csv.symbols } : (body as { value: unknown }).value);
  if (r.success) return r.data.symbols;
  if (!csv) throw fromZod('body', r.error);
  const atLine = (path: readonly PropertyKey[]) =>
    path[0] === 'symbols' && typeof path[1] === 'number' ? ` (CSV line ${csv.lines[path[1]]})` : '';
  throw fromZod('body', new z.$ZodError(r.error.issues.map((i) => ({ ...i, message: i.message + atLine(i.path) }))));
}
