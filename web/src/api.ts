/**
 * The page's view of the HTTP API (functions/routes.ts): tracked symbols, the analysis and K-lines. The response
 * types are the API's own (functions/common/api-types.ts, inferred from the schemas the handlers validate with), the
 * analysis comes in its compact format (format=columns) and is decoded by the API's own decoder, and every response
 * is checked against its type before use: one that does not match is an error the page shows, naming the field.
 */
import type {
  ApiBar,
  ColumnarAnalysisResponse,
  KlinesResponse,
  SymbolsResponse,
  TrackedSymbol,
} from '../../functions/common/api-types.js';
import type { IncludePart } from '../../functions/common/api-spec.js';
import { decodeColumns, isKind, kindName, OHLCV_FIELDS, type ValueKind } from '../../functions/common/columns.js';
import { API_PREFIX } from '../../functions/routes.js';
import type {
  ChanResult,
  ResultBar,
  ResultLine,
  ResultPivot,
  ResultSignal,
} from '../../shared/chan-analysis/src/result.js';

/** A symbol in the picker: a tracked one, or one named on the page URL (provider and state unknown). */
export type SymbolInfo = Pick<TrackedSymbol, 'symbol' | 'intervals'> &
  Partial<Pick<TrackedSymbol, 'provider' | 'active'>>;

export type Kline = ApiBar;

/** API origin: `?api=` on the page URL, else `<meta name="chan-api-base">`, else the page's own origin. */
export function apiBase(): string {
  const fromQuery = new URLSearchParams(location.search).get('api');
  const fromMeta = document.querySelector<HTMLMetaElement>('meta[name="chan-api-base"]')?.content;
  return (fromQuery ?? fromMeta ?? '').replace(/\/+$/, '');
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** A 200 whose body is not what the API's types say: the page and the API disagree, and nothing is drawn. */
export class ResponseShapeError extends Error {
  override name = 'ResponseShapeError';
}

async function getJson(
  path: string,
  params: Record<string, string | undefined> = {},
  signal?: AbortSignal,
): Promise<unknown> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') qs.set(k, v);
  const url = `${apiBase()}${API_PREFIX}${path}${qs.size ? `?${qs}` : ''}`;
  const res = await fetch(url, { headers: { accept: 'application/json' }, signal });
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    if (res.ok) throw new ResponseShapeError(`GET ${API_PREFIX}${path} answered something that is not JSON`);
  }
  if (!res.ok) {
    // The API's errors are {error, message, details}; a proxy in between may answer otherwise (HTML, plain text).
    const message = (body as { message?: unknown } | undefined)?.message;
    throw new ApiError(`${res.status} ${typeof message === 'string' ? message : text.slice(0, 200)}`, res.status);
  }
  return body;
}

/** `value` when it is of `kind`, else a ResponseShapeError naming `path`. */
function expectKind(value: unknown, kind: ValueKind, path: string): void {
  if (!isKind(kind, value))
    throw new ResponseShapeError(`${path} is ${JSON.stringify(value) ?? 'missing'}, expected ${kindName(kind)}`);
}

function expectObject(value: unknown, path: string): Record<string, unknown> {
  expectKind(value, 'object', path);
  return value as Record<string, unknown>;
}

function expectArray(value: unknown, path: string): unknown[] {
  expectKind(value, 'array', path);
  return value as unknown[];
}

/** Every element of `path` an object whose named fields are of their kind (other fields are left alone). */
function expectRows<T>(value: unknown, fields: Partial<Record<keyof T, ValueKind>>, path: string): T[] {
  const rows = expectArray(value, path);
  rows.forEach((row, i) => {
    const o = expectObject(row, `${path}[${i}]`);
    for (const [f, kind] of Object.entries(fields) as [string, ValueKind][])
      expectKind(o[f], kind, `${path}[${i}].${f}`);
  });
  return rows as T[];
}

export async function fetchSymbols(): Promise<SymbolInfo[]> {
  const body = expectObject(await getJson('/symbols'), 'symbols response');
  return expectRows<SymbolsResponse['symbols'][number]>(
    body.symbols,
    { symbol: 'string', provider: 'string', intervals: 'array', active: 'boolean' },
    'symbols',
  ).map(({ symbol, provider, intervals, active }) => ({ symbol, provider, intervals, active }));
}

/** The per-bar parts of the analysis the chart page draws: candles with MACD, merged-bar boxes, fractal marks. */
const CHART_PARTS = ['bars', 'mergedBars', 'fractals'] as const satisfies readonly IncludePart[];

const LINE_FIELDS = {
  id: 'string',
  idx: 'number',
  begin: 'string',
  end: 'string',
  beginTs: 'number',
  endTs: 'number',
  direction: 'string',
  beginVal: 'number',
  endVal: 'number',
  high: 'number',
  low: 'number',
  confirmed: 'boolean',
} as const satisfies Partial<Record<keyof ResultLine, ValueKind>>;
const PIVOT_FIELDS = {
  id: 'string',
  begin: 'string',
  end: 'string',
  beginTs: 'number',
  endTs: 'number',
  zd: 'number',
  zg: 'number',
  dd: 'number',
  gg: 'number',
  confirmed: 'boolean',
  startLine: 'number',
  endLine: 'number',
} as const satisfies Partial<Record<keyof ResultPivot, ValueKind>>;
const SIGNAL_FIELDS = {
  id: 'string',
  time: 'string',
  ts: 'number',
  side: 'string',
  types: 'array',
  confirmed: 'boolean',
  lineIdx: 'number',
  price: 'number',
  features: 'object',
} as const satisfies Partial<Record<keyof ResultSignal, ValueKind>>;

/** The analysis document as the page uses it, from the columnar response, checked field by field. */
export function parseAnalysis(body: unknown): ChanResult {
  const doc = expectObject(body, 'analysis response');
  expectKind(doc.format, 'string', 'format');
  if (doc.format !== 'columns') throw new ResponseShapeError(`format is "${String(doc.format)}", expected "columns"`);
  const include = expectArray(doc.include, 'include');
  const missing = CHART_PARTS.filter((p) => !include.includes(p));
  if (missing.length) throw new ResponseShapeError(`include lacks ${missing.join(', ')}`);
  const r = expectObject(doc.result, 'result') as Partial<Record<keyof ColumnarAnalysisResponse['result'], unknown>>;
  const meta = expectObject(r.meta, 'result.meta') as ChanResult['meta'];
  expectKind(meta.barCount, 'number', 'result.meta.barCount');
  const lines = (k: 'strokes' | 'segments' | 'segmentsOfSegments') =>
    expectRows<ResultLine>(r[k], LINE_FIELDS, `result.${k}`);
  const pivots = (k: 'strokePivots' | 'segmentPivots') => expectRows<ResultPivot>(r[k], PIVOT_FIELDS, `result.${k}`);
  const signals = (k: 'strokeSignals' | 'segmentSignals') =>
    expectRows<ResultSignal>(r[k], SIGNAL_FIELDS, `result.${k}`);
  return {
    meta,
    bars: decodeColumns('bars', r.bars, 'result.bars'),
    mergedBars: decodeColumns('mergedBars', r.mergedBars, 'result.mergedBars'),
    fractals: decodeColumns('fractals', r.fractals, 'result.fractals'),
    strokes: lines('strokes'),
    segments: lines('segments'),
    segmentsOfSegments: lines('segmentsOfSegments'),
    strokePivots: pivots('strokePivots'),
    segmentPivots: pivots('segmentPivots'),
    strokeSignals: signals('strokeSignals'),
    segmentSignals: signals('segmentSignals'),
  };
}

export async function fetchAnalysis(
  symbol: string,
  interval: string,
  preset: string,
  signal?: AbortSignal,
): Promise<ChanResult> {
  const body = await getJson(
    `/analysis/${encodeURIComponent(symbol)}`,
    { interval, preset, include: CHART_PARTS.join(','), format: 'columns' },
    signal,
  );
  return parseAnalysis(body);
}

const BAR_FIELDS = OHLCV_FIELDS satisfies Record<keyof ApiBar, ValueKind>;

/** K-lines from `from` (inclusive) on, oldest first: what the poll uses to refresh the last bar. */
export async function fetchKlines(
  symbol: string,
  interval: string,
  from?: string,
  signal?: AbortSignal,
): Promise<Kline[]> {
  const body = expectObject(
    await getJson(`/klines/${encodeURIComponent(symbol)}`, { interval, from }, signal),
    'klines response',
  );
  return expectRows<KlinesResponse['bars'][number]>(body.bars, BAR_FIELDS, 'bars');
}

export type { ChanResult, ResultBar };
