/**
 * A CSV or JSON document at a URL (e.g. an exported data set or a vendor file on S3/HTTPS). The URL is a
 * template: `{symbol}` and `{interval}` are substituted. Accepted documents:
 * - CSV with a header naming time (or timestamp/date/open_time), open, high, low, close and optionally volume;
 * - JSON: an array (or `{bars: [...]}` / `{data: [...]}`) of objects with those keys (or o/h/l/c/v/t), or of
 *   Binance-style arrays [time, open, high, low, close, volume, ...].
 * Times are ISO-8601 or epoch ms (epoch seconds when below 1e11). `label: 'end'` marks sources that stamp a bar
 * with its close (e.g. A-share minute bars); they are shifted to open times. The document is fetched once per
 * `cacheMs` and paged locally.
 */
import { checkBar, type IngestBar, type RejectedRow } from '../bar.js';
import { INTERVAL_MS, type IngestInterval } from '../intervals.js';
import { getText, parseJson, type HttpOptions } from './http.js';
import { assemblePage } from './page.js';
import { ProviderError, type MarketDataProvider, type Page, type PageRequest } from './types.js';

export interface UrlSourceOptions {
  urlTemplate: string;
  label?: 'start' | 'end';
  cacheMs?: number;
  http?: HttpOptions;
}

type Raw = [unknown, unknown, unknown, unknown, unknown, unknown];

const KEYS = {
  time: ['time', 'timestamp', 'date', 'datetime', 'open_time', 'opentime', 't'],
  open: ['open', 'o'],
  high: ['high', 'h'],
  low: ['low', 'l'],
  close: ['close', 'c'],
  volume: ['volume', 'vol', 'v'],
} as const;

function toEpoch(v: unknown): unknown {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
  if (n !== undefined) return n < 1e11 ? n * 1000 : n;
  return v;
}

export function parseDocument(text: string, contentType: string | null): Raw[] {
  const trimmed = text.trimStart();
  const isJson = (contentType ?? '').includes('json') || trimmed.startsWith('[') || trimmed.startsWith('{');
  if (isJson) {
    let body = parseJson('url', text) as unknown;
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      const o = body as Record<string, unknown>;
      body = o.bars ?? o.data ?? o.klines;
    }
    if (!Array.isArray(body)) throw new ProviderError('url', 'malformed', 'JSON document holds no array of bars');
    return body.map((r: unknown): Raw => {
      if (Array.isArray(r)) return [r[0], r[1], r[2], r[3], r[4], r[5] ?? 0];
      if (r && typeof r === 'object') {
        const o = Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v]));
        const pick = (ks: readonly string[]) => ks.map((k) => o[k]).find((v) => v !== undefined);
        return [
          pick(KEYS.time),
          pick(KEYS.open),
          pick(KEYS.high),
          pick(KEYS.low),
          pick(KEYS.close),
          pick(KEYS.volume) ?? 0,
        ];
      }
      return [undefined, undefined, undefined, undefined, undefined, undefined];
    });
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  const header = lines[0]!.split(',').map((h) => h.trim().toLowerCase());
  const col = (ks: readonly string[]) => header.findIndex((h) => (ks as readonly string[]).includes(h));
  const idx = [col(KEYS.time), col(KEYS.open), col(KEYS.high), col(KEYS.low), col(KEYS.close), col(KEYS.volume)];
  if (idx.slice(0, 5).some((i) => i < 0))
    throw new ProviderError('url', 'malformed', `CSV header lacks time/open/high/low/close: ${lines[0]}`);
  return lines.slice(1).map((l) => {
    const f = l.split(',').map((x) => x.trim());
    return idx.map((i, k) => (i < 0 ? (k === 5 ? '0' : undefined) : f[i])) as Raw;
  });
}

export class UrlSourceProvider implements MarketDataProvider {
  readonly name = 'url' as const;
  readonly maxLimit = 1000;
  private cache = new Map<string, { at: number; rows: Raw[] }>();
  constructor(private readonly opts: UrlSourceOptions) {}

  private async load(url: string, signal?: AbortSignal): Promise<Raw[]> {
    const hit = this.cache.get(url);
    const ttl = this.opts.cacheMs ?? 30_000;
    if (hit && Date.now() - hit.at < ttl) return hit.rows;
    const { text, headers } = await getText('url', url, this.opts.http ?? { timeoutMs: 30_000 }, signal);
    const rows = parseDocument(text, headers.get('content-type'));
    this.cache.set(url, { at: Date.now(), rows });
    return rows;
  }

  async fetchPage(req: PageRequest, signal?: AbortSignal): Promise<Page> {
    const limit = Math.min(req.limit, this.maxLimit);
    const url = this.opts.urlTemplate
      .replaceAll('{symbol}', encodeURIComponent(req.symbol))
      .replaceAll('{interval}', req.interval);
    const raw = await this.load(url, signal);
    const shift = this.opts.label === 'end' ? INTERVAL_MS[req.interval] : 0;
    const checked: Array<IngestBar | RejectedRow> = raw.map((r, i) => {
      const t = toEpoch(r[0]);
      const tt =
        typeof t === 'number'
          ? t - shift
          : typeof t === 'string' && Number.isFinite(Date.parse(t))
            ? Date.parse(t) - shift
            : t;
      return checkBar(i, tt, r[1], r[2], r[3], r[4], r[5], req.interval as IngestInterval);
    });
    // Keep rows in the window (rejections are always kept so that they stop the page), at most `limit`.
    const inWindow: Array<IngestBar | RejectedRow> = [];
    for (const c of checked) {
      if ('reason' in c) inWindow.push(c);
      else if (c.time >= req.startTime && c.time <= req.endTime) inWindow.push(c);
      if (inWindow.length >= limit) break;
    }
    return assemblePage(inWindow, { ...req, limit }, inWindow.length);
  }
}
