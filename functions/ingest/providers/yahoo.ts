/**
 * Yahoo Finance's chart endpoint (no token): GET {base}/v8/finance/chart/{symbol}?interval&period1&period2&
 * events=div,splits&includeAdjustedClose=true (period1/2 in epoch seconds). Body
 * {chart: {result: [{meta, timestamp: [s…], events?: {dividends: {<s>: {amount, date}}, splits: {<s>: {date,
 * numerator, denominator, splitRatio}}}, indicators: {quote: [{open, high, low, close, volume}], adjclose:
 * [{adjclose}]}}], error}}; an unknown symbol is HTTP 404 with chart.error {code: "Not Found", description}.
 * Arrays may hold null where nothing traded (skipped, not rejected). Daily timestamps are the session's open
 * instant (09:30 New York), stored at UTC midnight of that New York date; weekly ones open on Monday; intraday ones
 * stamp the bar's start. Intraday history is short (1m: 7 days a request, 30 days back; 5m–30m: 60 days back).
 *
 * Yahoo's OHLCV are split-adjusted as of today (dividends only in adjclose). The service stores what traded, so
 * prices are multiplied (volumes divided) by the splits after each bar, from the symbol's full split history
 * (one extra request, kept SPLITS_TTL_MS). Factors: cumulative from the first bar, × numerator/denominator at a
 * split and × close₋₁ / (close₋₁ − dividend) at an ex-dividend date, which reproduces Yahoo's adjclose as qfq.
 */
import { checkBar, type IngestBar, type RejectedRow } from '../bar.js';
import { INTERVAL_MS, type IngestInterval } from '../intervals.js';
import type { FactorPoint } from '../../store/adjustments.js';
import { barCloseTime, dateInZone, marketOf } from '../../common/market-calendar.js';
import { getText, parseJson, type HttpOptions } from './http.js';
import { assemblePage, continueAfterWindow } from './page.js';
import { dateStamp, refuseOffGrid, windowEnd } from './stock-symbols.js';
import { ProviderError, type MarketDataProvider, type Page, type PageRequest } from './types.js';

export const YAHOO_DEFAULT_BASE = 'https://query1.finance.yahoo.com';

const YAHOO_INTERVAL: Partial<Record<IngestInterval, string>> = {
  '1m': '1m',
  '5m': '5m',
  '15m': '15m',
  '30m': '30m',
  '1d': '1d',
  '1w': '1wk',
};
/** NYSE regular session minutes. */
const SESSION_MINUTES = 390;
/** 1m history is served at most 7 days per request. */
const MAX_1M_WINDOW_MS = 7 * 86_400_000;
const SPLITS_TTL_MS = 3_600_000;

interface ChartResult {
  meta?: { exchangeTimezoneName?: string };
  timestamp?: number[];
  events?: {
    dividends?: Record<string, { amount: number; date: number }>;
    splits?: Record<string, { date: number; numerator: number; denominator: number }>;
  };
  indicators?: { quote?: Array<Record<'open' | 'high' | 'low' | 'close' | 'volume', Array<number | null>>> };
}

interface Split {
  /** UTC midnight of the ex-date (New York date). */
  date: number;
  ratio: number;
}

/**
 * Epoch seconds → UTC midnight of the exchange's date (daily bars and events are stamped at the session open in the
 * exchange's zone: New York for US listings, Hong Kong for .HK ones).
 */
const exchangeDay = (r: ChartResult) => {
  const tz = r.meta?.exchangeTimezoneName ?? 'America/New_York';
  return (sec: number) => dateStamp(dateInZone(tz, sec * 1000));
};

export class YahooProvider implements MarketDataProvider {
  readonly name = 'yahoo' as const;
  readonly maxLimit = 1000;
  private splits = new Map<string, { at: number; splits: Split[] }>();
  constructor(
    private readonly baseUrl: string = YAHOO_DEFAULT_BASE,
    private readonly http: HttpOptions = { timeoutMs: 10_000 },
  ) {}

  private async chart(symbol: string, params: Record<string, string>, signal?: AbortSignal): Promise<ChartResult> {
    if (!/^[A-Za-z0-9.^=-]{1,20}$/.test(symbol))
      throw new ProviderError(this.name, 'bad_request', `symbol "${symbol}" is not a Yahoo ticker (e.g. AAPL, SPY)`);
    const url = new URL(`/v8/finance/chart/${encodeURIComponent(symbol)}`, this.baseUrl);
    url.search = new URLSearchParams({ ...params, events: 'div,splits', includeAdjustedClose: 'true' }).toString();
    const { text } = await getText(this.name, url.toString(), this.http, signal);
    const body = parseJson(this.name, text) as { chart?: { result?: ChartResult[] | null; error?: unknown } };
    const result = body?.chart?.result?.[0];
    if (!result) {
      const err = body?.chart?.error as { description?: string } | undefined;
      if (err) throw new ProviderError(this.name, 'bad_request', String(err.description ?? JSON.stringify(err)));
      throw new ProviderError(this.name, 'malformed', `no chart.result in ${text.slice(0, 120)}`);
    }
    return result;
  }

  private async splitHistory(symbol: string, now: number, signal?: AbortSignal): Promise<Split[]> {
    const hit = this.splits.get(symbol);
    if (hit && now - hit.at < SPLITS_TTL_MS) return hit.splits;
    const r = await this.chart(
      symbol,
      { interval: '3mo', period1: '0', period2: String(Math.floor(now / 1000)) },
      signal,
    );
    const splits = Object.values(r.events?.splits ?? {})
      .map((s) => ({ date: exchangeDay(r)(s.date), ratio: s.numerator / s.denominator }))
      .filter((s) => Number.isFinite(s.ratio) && s.ratio > 0)
      .sort((a, b) => a.date - b.date);
    this.splits.set(symbol, { at: now, splits });
    return splits;
  }

  async fetchPage(req: PageRequest, signal?: AbortSignal): Promise<Page> {
    refuseOffGrid(this.name, req.interval);
    const interval = YAHOO_INTERVAL[req.interval];
    if (!interval) throw new ProviderError(this.name, 'bad_request', `no ${req.interval} bars on yahoo`);
    const limit = Math.min(req.limit, this.maxLimit);
    let end = windowEnd(req, limit, SESSION_MINUTES);
    if (req.interval === '1m') end = Math.min(end, req.startTime + MAX_1M_WINDOW_MS - INTERVAL_MS['1m']);
    const ms = INTERVAL_MS[req.interval];
    const splits = await this.splitHistory(req.symbol, req.now, signal);
    const r = await this.chart(
      req.symbol,
      { interval, period1: String(Math.floor(req.startTime / 1000)), period2: String(Math.ceil((end + ms) / 1000)) },
      signal,
    );
    const ts = r.timestamp ?? [];
    const dayOf = exchangeDay(r);
    const q = r.indicators?.quote?.[0];
    if (ts.length > 0 && !q) throw new ProviderError(this.name, 'malformed', 'indicators.quote is missing');
    const rows: Array<IngestBar | RejectedRow> = [];
    ts.forEach((sec, i) => {
      const [o, h, l, c, v] = (['open', 'high', 'low', 'close', 'volume'] as const).map((k) => q![k]?.[i]);
      if (o === null && h === null && l === null && c === null) return; // no trade in that period
      const time =
        req.interval === '1d' || req.interval === '1w' ? dayOf(sec) : typeof sec === 'number' ? sec * 1000 : sec;
      // Splits on or after the bar's next day were applied to it by Yahoo: undo them.
      let k = 1;
      for (const s of splits) if (s.date > time) k *= s.ratio;
      const num = (x: unknown) => (typeof x === 'number' ? x * k : x);
      const vol = typeof v === 'number' ? Math.round(v / k) : v;
      rows.push(checkBar(i, time, num(o), num(h), num(l), num(c), vol ?? 0, req.interval));
    });
    return continueAfterWindow(
      assemblePage(rows, { ...req, endTime: end, limit }, rows.length, (t) =>
        barCloseTime(marketOf(this.name, req.symbol), req.interval, t),
      ),
      end,
      req,
    );
  }

  async fetchFactors(symbol: string, now: number, signal?: AbortSignal): Promise<FactorPoint[]> {
    const r = await this.chart(
      symbol,
      { interval: '1d', period1: '0', period2: String(Math.floor(now / 1000)) },
      signal,
    );
    const dayOf = exchangeDay(r);
    const closes = (r.timestamp ?? []).map((sec, i) => ({
      date: dayOf(sec),
      close: r.indicators?.quote?.[0]?.close?.[i],
    }));
    const events = new Map<number, number>(); // date → multiplier
    const bump = (date: number, m: number) => events.set(date, (events.get(date) ?? 1) * m);
    for (const s of Object.values(r.events?.splits ?? {})) bump(dayOf(s.date), s.numerator / s.denominator);
    for (const d of Object.values(r.events?.dividends ?? {})) {
      const date = dayOf(d.date);
      // Yahoo's closes and dividends are both split-adjusted, so their ratio is the real one.
      const prev = closes.filter((c) => c.date < date && typeof c.close === 'number').at(-1)?.close;
      if (typeof prev === 'number' && prev > d.amount) bump(date, prev / (prev - d.amount));
    }
    if (closes.length === 0) return [];
    let f = 1;
    const points: FactorPoint[] = [{ date: closes[0]!.date, factor: 1 }];
    for (const [date, m] of [...events].sort((a, b) => a[0] - b[0])) {
      if (date <= closes[0]!.date) continue;
      f *= m;
      points.push({ date, factor: f });
    }
    return points;
  }
}
