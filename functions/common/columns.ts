/**
 * `format=columns`: the per-bar parts of an analysis (bars with MACD, mergedBars, fractals) as one array per field
 * instead of one object per bar. The content is the same (decodeColumns gives back the row objects); what goes is
 * the field names repeated on every bar, about a third of the row JSON, and with it a share of the time spent
 * serializing, compressing and parsing it. The chart page reads this format.
 *
 * No runtime imports: the chart page bundles this module to decode what it fetched.
 */
import type { ChanResult, ResultBar, ResultFractal, ResultMergedBar } from 'chan-analysis';
import { INDICATOR_FIELDS } from './indicators.js';

export const FORMATS = ['rows', 'columns'] as const;
export type Format = (typeof FORMATS)[number];

interface PerBar {
  bars: ResultBar;
  mergedBars: ResultMergedBar;
  fractals: ResultFractal;
}

/** What a field may hold (`?`: or null): the page checks every value against it, so a changed field is an error. */
export type ValueKind = 'number' | 'number?' | 'string' | 'string?' | 'boolean' | 'array' | 'object';

/** A K-line's own fields (GET /klines' bars; the analysis bars add the indicator fields), with their kinds. */
export const OHLCV_FIELDS = {
  time: 'string',
  ts: 'number',
  open: 'number',
  high: 'number',
  low: 'number',
  close: 'number',
  volume: 'number?',
} as const satisfies Record<string, ValueKind>;

/**
 * The per-bar parts of a result (what `include` can name: INCLUDE_PARTS is this object's keys), every field of each
 * in the engine's key order, with the kind of value it holds. A bar's indicator fields come from indicators.ts.
 */
export const COLUMN_FIELDS = {
  bars: { ...OHLCV_FIELDS, ...INDICATOR_FIELDS },
  mergedBars: {
    idx: 'number',
    begin: 'string',
    end: 'string',
    beginTs: 'number',
    endTs: 'number',
    barCount: 'number',
    high: 'number',
    low: 'number',
    direction: 'string',
    fractal: 'string?',
  },
  fractals: { mergedIdx: 'number', type: 'string', time: 'string', ts: 'number', value: 'number' },
} as const satisfies { [P in keyof PerBar]: Record<keyof PerBar[P], ValueKind> };

export type IncludePart = keyof typeof COLUMN_FIELDS;
/** In the order the result document has them. */
export const INCLUDE_PARTS = Object.keys(COLUMN_FIELDS) as IncludePart[];

/** One array per field; every array has one entry per row. */
export type Columns<T> = { [K in keyof T]-?: T[K][] };

/** The analysis result as format=columns sends it: the per-bar parts present are columns, the rest as in rows. */
export type ColumnarResult = Omit<Partial<ChanResult>, IncludePart> & { [P in IncludePart]?: Columns<PerBar[P]> };

function toColumns<T extends object>(rows: readonly T[], fields: readonly (keyof T)[]): Columns<T> {
  const out = {} as Columns<T>;
  // map, not new Array(n) filled by index: a holey array takes JSON.stringify's slow path (2-4× slower here).
  for (const f of fields) out[f] = rows.map((r) => r[f]);
  return out;
}

const fieldsOf = <P extends IncludePart>(part: P) => Object.keys(COLUMN_FIELDS[part]) as (keyof PerBar[P])[];

/** The projected result with each per-bar part it holds turned into columns (other keys untouched, same order). */
export function columnarResult(result: Partial<ChanResult>): ColumnarResult {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(result)) {
    out[k] = Object.hasOwn(COLUMN_FIELDS, k) ? toColumns(v as object[], fieldsOf(k as IncludePart)) : v;
  }
  return out as ColumnarResult;
}

export class ColumnsError extends Error {
  override name = 'ColumnsError';
}

/** The kind as an error message says it: `number?` is "a number or null". */
export const kindName = (kind: ValueKind): string =>
  kind.endsWith('?')
    ? `a ${kind.slice(0, -1)} or null`
    : kind === 'array' || kind === 'object'
      ? `an ${kind}`
      : `a ${kind}`;

export function isKind(kind: ValueKind, v: unknown): boolean {
  if (v === null) return kind.endsWith('?');
  if (kind === 'array') return Array.isArray(v);
  if (kind === 'object') return typeof v === 'object' && !Array.isArray(v);
  return typeof v === kind.replace('?', '');
}

/**
 * Rows back from the columns of one part, checking that every field is there, every column has the same length and
 * every value is of its field's kind; `path` names the part in the error (e.g. `result.bars`).
 */
export function decodeColumns<P extends IncludePart>(part: P, columns: unknown, path: string): PerBar[P][] {
  if (columns === null || typeof columns !== 'object' || Array.isArray(columns))
    throw new ColumnsError(`${path} is not an object of columns`);
  const cols = columns as Record<string, unknown>;
  const spec = COLUMN_FIELDS[part] as Record<string, ValueKind>;
  const fields = Object.keys(spec);
  const extra = Object.keys(cols).find((k) => !Object.hasOwn(spec, k));
  if (extra !== undefined) throw new ColumnsError(`${path}.${extra} is not a field of ${part}`);
  let n = -1;
  for (const f of fields) {
    const col = cols[f];
    if (!Array.isArray(col)) throw new ColumnsError(`${path}.${f} is missing or not an array`);
    if (n === -1) n = col.length;
    else if (col.length !== n)
      throw new ColumnsError(`${path}.${f} has ${col.length} entries where ${path}.${fields[0]} has ${n}`);
    const kind = spec[f]!;
    const bad = col.findIndex((v) => !isKind(kind, v));
    if (bad !== -1)
      throw new ColumnsError(`${path}.${f}[${bad}] is ${JSON.stringify(col[bad])}, not ${kindName(kind)}`);
  }
  const rows = new Array<PerBar[P]>(n);
  for (let i = 0; i < n; i++) {
    const row: Record<string, unknown> = {};
    for (const f of fields) row[f] = (cols[f] as unknown[])[i];
    rows[i] = row as unknown as PerBar[P];
  }
  return rows;
}
