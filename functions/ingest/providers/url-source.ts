/**
 * A CSV or JSON document at a URL (e.g. an exported data set or a vendor file on S3/HTTPS). The URL is a
 * template: `{symbol}` and `{interval}` are substituted. Accepted documents:
 * - CSV as the engine's reader takes it (shared/chan-analysis/src/csv.ts: the same header names, separators and
 *   quoting as `chan analyze` and uploads);
 * - JSON: an array (or `{bars: [...]}` / `{data: [...]}`) of objects keyed by those column names, or of
 *   Binance-style arrays [time, open, high, low, close, volume, ...].
 * A missing volume (no column, or an empty cell as uploads allow) counts as 0. Times: see toEpoch. `label: 'end'` marks sources that stamp a bar
 * with its close (e.g. A-share minute bars); they are shifted to open times. The document is fetched once per
 * `cacheMs` and paged locally.
 */
import { CSV_COLUMNS, CsvError, CsvScanner, isInteger, missingColumns, parseTimeString } from 'chan-analysis';
import { checkBar, type IngestBar, type RejectedRow } from '../bar.js';
import { INTERVAL_MS } from '../intervals.js';
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

/** The fields a row carries, in Raw order; JSON objects use the CSV reader's column names as keys. */
const FIELDS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

/**
 * A time as a vendor document writes it, in epoch ms: integer epoch ms, or seconds when below 1e11 (vendor files
 * use either); a string the shared time grammar accepts (parseTimeString); else whatever Date.parse makes of it
 * (vendor formats such as RFC 2822 dates). Anything else is passed on for checkBar to reject.
 */
function toEpoch(v: unknown): unknown {
  const n = typeof v === 'number' ? v : typeof v === 'string' && isInteger(v) && v[0] !== '-' ? Number(v) : undefined;
  if (n !== undefined) return n < 1e11 ? n * 1000 : n;
  if (typeof v !== 'string') return v;
  try {
    return parseTimeString(v);
  } catch {
    const t = Date.parse(v);
    return Number.isFinite(t) ? t : v;
  }
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
        const [time, open, high, low, close, volume] = FIELDS.map((f) =>
          CSV_COLUMNS[f].map((k) => o[k]).find((v) => v !== undefined),
        );
        return [time, open, high, low, close, volume ?? 0];
      }
      return [undefined, undefined, undefined, undefined, undefined, undefined];
    });
  }
  // CSV: the engine's scanner, so the headers, separators and quoting are the CLI's and the uploads'.
  if (trimmed === '') return [];
  let scan: CsvScanner;
  try {
    scan = new CsvScanner(text);
  } catch (e) {
    if (e instanceof CsvError) throw new ProviderError('url', 'malformed', e.message);
    throw e;
  }
  const { col, names } = scan.header;
  if (missingColumns(scan.header).length)
    throw new ProviderError('url', 'malformed', `CSV header lacks time/open/high/low/close: ${names.join(',')}`);
  const rows: Raw[] = [];
  while (scan.next()) {
    const cell = (k: number) => (k < 0 ? undefined : k < scan.count ? scan.cell(k) : undefined);
    rows.push([
      cell(col.time),
      cell(col.open),
      cell(col.high),
      cell(col.low),
      cell(col.close),
      cell(col.volume) || '0',
    ]);
  }
  return rows;
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
      return checkBar(i, typeof t === 'number' ? t - shift : t, r[1], r[2], r[3], r[4], r[5], req.interval);
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
