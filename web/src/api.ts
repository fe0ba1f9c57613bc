/**
 * The page's view of the HTTP API (functions/routes.ts): tracked symbols, analysis and K-lines. Responses are
 * unwrapped leniently (a bare document or one wrapped in `{ data | result | analysis | items | ... }`), so the
 * page keeps working if a handler adds an envelope.
 */
import type { ChanResult, ResultBar } from '../../shared/chan-analysis/src/result.js';

export interface SymbolInfo {
  symbol: string;
  name?: string;
  intervals: string[];
  /** Where its bars come from (`upload`: only uploads add bars); unknown for a bare list entry. */
  provider?: string;
  /** false: deactivated (no longer ingested), so not offered in the picker. */
  active?: boolean;
}

export interface Kline {
  time: string;
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
}

const API_PREFIX = '/api/v1';

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
    /* not JSON */
  }
  if (!res.ok) {
    const o = body as Record<string, unknown> | undefined;
    const msg = (o && (o.message ?? o.error ?? (o.errors as unknown))) ?? text.slice(0, 200);
    throw new ApiError(`${res.status} ${typeof msg === 'string' ? msg : JSON.stringify(msg)}`, res.status);
  }
  return body;
}

const ENVELOPES = ['data', 'result', 'analysis', 'body', 'payload'];

/** Finds the first object (depth ≤ 3) that satisfies `pred`, looking through common envelope keys. */
function unwrap(body: unknown, pred: (o: Record<string, unknown>) => boolean): Record<string, unknown> | undefined {
  let cur: unknown = body;
  for (let depth = 0; depth < 4 && cur && typeof cur === 'object'; depth++) {
    const o = cur as Record<string, unknown>;
    if (pred(o)) return o;
    const key = ENVELOPES.find((k) => o[k] && typeof o[k] === 'object');
    if (!key) return undefined;
    cur = o[key];
  }
  return undefined;
}

function listOf(body: unknown, keys: string[]): unknown[] {
  if (Array.isArray(body)) return body;
  if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    for (const k of keys) if (Array.isArray(o[k])) return o[k] as unknown[];
    for (const k of ENVELOPES) if (o[k] && typeof o[k] === 'object') return listOf(o[k], keys);
  }
  return [];
}

export async function fetchSymbols(): Promise<SymbolInfo[]> {
  const items = listOf(await getJson('/symbols'), ['symbols', 'items', 'tracked']);
  const out: SymbolInfo[] = [];
  for (const it of items) {
    if (typeof it === 'string') {
      out.push({ symbol: it, intervals: [] });
      continue;
    }
    if (!it || typeof it !== 'object') continue;
    const o = it as Record<string, unknown>;
    const symbol = String(o.symbol ?? o.id ?? o.code ?? o.ticker ?? '');
    if (!symbol) continue;
    let intervals: string[] = [];
    if (Array.isArray(o.intervals))
      intervals = o.intervals
        .map((x) => (typeof x === 'string' ? x : String((x as Record<string, unknown>).interval ?? '')))
        .filter(Boolean);
    else if (typeof o.interval === 'string') intervals = [o.interval];
    // The same symbol may be listed once per interval.
    const prev = out.find((s) => s.symbol === symbol);
    if (prev) prev.intervals.push(...intervals.filter((i) => !prev.intervals.includes(i)));
    else
      out.push({
        symbol,
        name: typeof o.name === 'string' ? o.name : undefined,
        intervals,
        provider: typeof o.provider === 'string' ? o.provider : undefined,
        active: typeof o.active === 'boolean' ? o.active : undefined,
      });
  }
  return out;
}

function isChanResult(o: Record<string, unknown>): boolean {
  return Array.isArray(o.bars) && Array.isArray(o.strokes);
}

/** The per-bar parts of the analysis document the chart page draws (GET /api/v1/analysis `include`). */
export const CHART_INCLUDE = 'bars,mergedBars,fractals';

export async function fetchAnalysis(
  symbol: string,
  interval: string,
  preset: string,
  signal?: AbortSignal,
): Promise<ChanResult> {
  // The API answers structures only unless `include` names the per-bar parts; the chart draws the candles and
  // MACD (bars), the merged-bar boxes and the fractal marks, so it asks for all three.
  const body = await getJson(
    `/analysis/${encodeURIComponent(symbol)}`,
    { interval, preset, include: CHART_INCLUDE },
    signal,
  );
  const r = unwrap(body, isChanResult);
  if (!r) throw new Error('the analysis response holds no ChanResult (bars/strokes)');
  const res = r as unknown as ChanResult;
  // Tolerate documents without the optional levels.
  for (const k of [
    'mergedBars',
    'fractals',
    'segments',
    'segmentsOfSegments',
    'strokePivots',
    'segmentPivots',
    'strokeSignals',
    'segmentSignals',
  ] as const) {
    if (!Array.isArray(res[k])) (res as unknown as Record<string, unknown[]>)[k] = [];
  }
  return res;
}

function num(x: unknown): number {
  return typeof x === 'number' ? x : Number(x);
}

export function toTs(t: unknown): number {
  if (typeof t === 'number') return t < 1e11 ? t * 1000 : t;
  const s = String(t);
  // A bare date is a UTC calendar day, as the engine reads it.
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(s)
    ? `${s}T00:00:00Z`
    : s.includes('T') || s.includes('Z')
      ? s
      : `${s.replace(' ', 'T')}Z`;
  return Date.parse(iso);
}

export function normalizeKline(x: unknown): Kline | undefined {
  if (Array.isArray(x)) {
    const [t, o, h, l, c, v] = x;
    return {
      time: String(t),
      ts: toTs(t),
      open: num(o),
      high: num(h),
      low: num(l),
      close: num(c),
      volume: v == null ? null : num(v),
    };
  }
  if (!x || typeof x !== 'object') return undefined;
  const o = x as Record<string, unknown>;
  const t = o.time ?? o.t ?? o.openTime ?? o.ts ?? o.timestamp;
  if (t === undefined) return undefined;
  const ts = typeof o.ts === 'number' ? o.ts : toTs(t);
  const v = o.volume ?? o.v;
  return {
    time: String(o.time ?? t),
    ts,
    open: num(o.open ?? o.o),
    high: num(o.high ?? o.h),
    low: num(o.low ?? o.l),
    close: num(o.close ?? o.c),
    volume: v == null ? null : num(v),
  };
}

/** K-lines from `from` (inclusive) on: what the poll uses to refresh the last bar. */
export async function fetchKlines(
  symbol: string,
  interval: string,
  from?: string,
  signal?: AbortSignal,
): Promise<Kline[]> {
  const body = await getJson(`/klines/${encodeURIComponent(symbol)}`, { interval, from }, signal);
  return listOf(body, ['klines', 'bars', 'items', 'candles'])
    .map(normalizeKline)
    .filter((k): k is Kline => !!k && Number.isFinite(k.ts) && Number.isFinite(k.close))
    .sort((a, b) => a.ts - b.ts);
}

export type { ChanResult, ResultBar };
