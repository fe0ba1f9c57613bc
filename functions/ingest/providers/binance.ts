/**
 * Binance spot klines: GET {base}/api/v3/klines?symbol&interval&startTime&endTime&limit, rows oldest first:
 * [openTime, open, high, low, close, volume, closeTime, quoteVolume, trades, takerBase, takerQuote, ignore],
 * prices as strings. Default base: the key-less market-data host.
 */
import { checkBar, type IngestBar, type RejectedRow } from '../bar.js';
import { INTERVAL_MS } from '../intervals.js';
import { getText, parseJson, type HttpOptions } from './http.js';
import { assemblePage } from './page.js';
import { ProviderError, type MarketDataProvider, type Page, type PageRequest } from './types.js';

export const BINANCE_DEFAULT_BASE = 'https://data-api.binance.vision';

export class BinanceProvider implements MarketDataProvider {
  readonly name = 'binance' as const;
  readonly maxLimit = 1000;
  constructor(
    private readonly baseUrl: string = BINANCE_DEFAULT_BASE,
    private readonly http: HttpOptions = { timeoutMs: 10_000 },
  ) {}

  async fetchPage(req: PageRequest, signal?: AbortSignal): Promise<Page> {
    const limit = Math.min(req.limit, this.maxLimit);
    const url = new URL('/api/v3/klines', this.baseUrl);
    url.search = new URLSearchParams({
      symbol: req.symbol,
      interval: req.interval,
      startTime: String(req.startTime),
      endTime: String(req.endTime),
      limit: String(limit),
    }).toString();
    const { text } = await getText(this.name, url.toString(), this.http, signal);
    const body = parseJson(this.name, text);
    if (!Array.isArray(body))
      throw new ProviderError(this.name, 'malformed', `expected an array of rows, got ${text.slice(0, 120)}`);
    const ms = INTERVAL_MS[req.interval];
    const rows: Array<IngestBar | RejectedRow> = body.map((row: unknown, i) => {
      if (!Array.isArray(row) || row.length < 7)
        return { index: i, reason: 'not_a_row', detail: JSON.stringify(row).slice(0, 120) };
      const checked = checkBar(i, row[0], row[1], row[2], row[3], row[4], row[5], req.interval);
      if ('reason' in checked) return checked;
      if (Number(row[6]) !== checked.time + ms - 1) {
        return {
          index: i,
          reason: 'bad_time',
          detail: `closeTime ${String(row[6])} does not end the ${req.interval} bar opening ${checked.time}`,
        };
      }
      return checked;
    });
    return assemblePage(rows, { ...req, limit }, body.length);
  }
}
