/**
 * Bybit v5 market klines: GET {base}/v5/market/kline?category&symbol&interval&start&end&limit,
 * body {retCode, retMsg, result: {category, symbol, list: [[startTime, open, high, low, close, volume, turnover], …]}},
 * strings, NEWEST FIRST; the first row may still be forming. Asked for a window that holds more than `limit`
 * bars, Bybit returns the newest ones, so pages are asked as windows of at most `limit` bars.
 */
import { checkBar, type IngestBar, type RejectedRow } from '../bar.js';
import { INTERVAL_MS, type IngestInterval } from '../intervals.js';
import { getText, parseJson, type HttpOptions } from './http.js';
import { assemblePage, continueAfterWindow } from './page.js';
import { ProviderError, type MarketDataProvider, type Page, type PageRequest } from './types.js';

export const BYBIT_DEFAULT_BASE = 'https://api.bybit.com';

export const BYBIT_INTERVAL: Readonly<Record<IngestInterval, string>> = {
  '1m': '1',
  '5m': '5',
  '15m': '15',
  '30m': '30',
  '1h': '60',
  '4h': '240',
  '1d': 'D',
  '1w': 'W',
};

export class BybitProvider implements MarketDataProvider {
  readonly name = 'bybit' as const;
  readonly maxLimit = 1000;
  constructor(
    private readonly baseUrl: string = BYBIT_DEFAULT_BASE,
    private readonly http: HttpOptions = { timeoutMs: 10_000 },
    private readonly category: 'spot' | 'linear' | 'inverse' = 'spot',
  ) {}

  async fetchPage(req: PageRequest, signal?: AbortSignal): Promise<Page> {
    const limit = Math.min(req.limit, this.maxLimit);
    const ms = INTERVAL_MS[req.interval];
    // A window of exactly `limit` bars: the newest-first answer then is the whole window.
    const end = Math.min(req.endTime, req.startTime + (limit - 1) * ms);
    const url = new URL('/v5/market/kline', this.baseUrl);
    url.search = new URLSearchParams({
      category: this.category,
      symbol: req.symbol,
      interval: BYBIT_INTERVAL[req.interval],
      start: String(req.startTime),
      end: String(end),
      limit: String(limit),
    }).toString();
    const { text, headers } = await getText(this.name, url.toString(), this.http, signal);
    const body = parseJson(this.name, text) as { retCode?: unknown; retMsg?: unknown; result?: { list?: unknown } };
    if (typeof body !== 'object' || body === null || typeof body.retCode !== 'number') {
      throw new ProviderError(this.name, 'malformed', `no retCode in ${text.slice(0, 120)}`);
    }
    if (body.retCode !== 0) {
      // 10006: too many visits (rate limit); 10001: bad parameters (e.g. unknown symbol).
      if (body.retCode === 10006 || body.retCode === 10018) {
        const reset = Number(headers.get('x-bapi-limit-reset-timestamp'));
        throw new ProviderError(
          this.name,
          'rate_limited',
          String(body.retMsg),
          Number.isFinite(reset) && reset > 0 ? Math.max(0, reset - Date.now()) : undefined,
        );
      }
      if (body.retCode === 10001) throw new ProviderError(this.name, 'bad_request', String(body.retMsg));
      throw new ProviderError(this.name, 'server', `retCode ${body.retCode}: ${String(body.retMsg)}`);
    }
    const list = body.result?.list;
    if (!Array.isArray(list)) throw new ProviderError(this.name, 'malformed', 'result.list is not an array');
    const ascending = [...list].reverse();
    const rows: Array<IngestBar | RejectedRow> = ascending.map((row: unknown, j) => {
      const i = list.length - 1 - j; // index in the provider's own (newest-first) order
      if (!Array.isArray(row) || row.length < 6)
        return { index: i, reason: 'not_a_row', detail: JSON.stringify(row).slice(0, 120) };
      return checkBar(i, row[0], row[1], row[2], row[3], row[4], row[5], req.interval);
    });
    return continueAfterWindow(assemblePage(rows, { ...req, endTime: end, limit }, list.length), end, req);
  }
}
