/**
 * Eastmoney's public kline endpoint (no token): GET {base}/api/qt/stock/kline/get?secid&klt&fqt&beg&end&lmt&
 * fields1&fields2. secid is "<market>.<code>": 1 = Shanghai (600519.SH → 1.600519, the SSE Composite 000001.SH →
 * 1.000001), 0 = Shenzhen (000001.SZ → 0.000001). klt: 1/5/15/30 minutes, 101 day, 102 week. fqt: 0 unadjusted,
 * 1 前复权, 2 后复权. beg/end: YYYYMMDD. Body {rc, data: {code, market, name, klines: [...]}} with each kline a string
 * "date,open,close,high,low,volume,amount,amplitude,pct,change,turnover" (fields2 f51–f61; note close before
 * high); day bars dated "YYYY-MM-DD" (a week's bar by its last trading day), minute bars "YYYY-MM-DD HH:MM" at
 * their END in CST. Volume is in lots of 100 shares (手) and is stored in shares. An unknown secid answers
 * `data: null`.
 *
 * Bars are fetched unadjusted (fqt=0). Eastmoney publishes no factor table, so the factors are the ratio of its
 * 后复权 (fqt=2) close to the unadjusted close, a new point only where that ratio moves beyond what the rounding of
 * the adjusted price to the cent explains.
 */
import { checkBar, type IngestBar, type RejectedRow } from '../bar.js';
import type { IngestInterval } from '../intervals.js';
import type { FactorPoint } from '../../store/adjustments.js';
import { barCloseTime } from '../../common/market-calendar.js';
import { getText, parseJson, type HttpOptions } from './http.js';
import { assemblePage, continueAfterWindow } from './page.js';
import {
  A_SHARE_SESSION_MINUTES,
  cstEndToOpen,
  dateStamp,
  mondayOf,
  parseAShare,
  refuseOffGrid,
  windowEnd,
  ymd,
  SHARES_PER_LOT,
} from './stock-symbols.js';
import { ProviderError, type MarketDataProvider, type Page, type PageRequest } from './types.js';

export const EASTMONEY_DEFAULT_BASE = 'https://push2his.eastmoney.com';

const KLT: Partial<Record<IngestInterval, string>> = {
  '1m': '1',
  '5m': '5',
  '15m': '15',
  '30m': '30',
  '1d': '101',
  '1w': '102',
};
const HALF_CENT = 0.005;

export function eastmoneySecid(symbol: string): string {
  const s = parseAShare('eastmoney', symbol);
  return `${s.exchange === 'SH' ? 1 : 0}.${s.code}`;
}

export class EastmoneyProvider implements MarketDataProvider {
  readonly name = 'eastmoney' as const;
  readonly maxLimit = 1000;
  constructor(
    private readonly baseUrl: string = EASTMONEY_DEFAULT_BASE,
    private readonly http: HttpOptions = { timeoutMs: 10_000 },
  ) {}

  /** The raw kline strings of one request. */
  private async klines(
    symbol: string,
    interval: IngestInterval,
    fqt: 0 | 2,
    beg: string,
    end: string,
    lmt: number,
    signal?: AbortSignal,
  ): Promise<string[]> {
    refuseOffGrid(this.name, interval);
    const klt = KLT[interval];
    if (!klt) throw new ProviderError(this.name, 'bad_request', `no ${interval} klines on eastmoney`);
    const url = new URL('/api/qt/stock/kline/get', this.baseUrl);
    url.search = new URLSearchParams({
      secid: eastmoneySecid(symbol),
      klt,
      fqt: String(fqt),
      beg,
      end,
      lmt: String(lmt),
      fields1: 'f1,f2,f3,f4,f5,f6',
      fields2: 'f51,f52,f53,f54,f55,f56,f57,f58,f59,f60,f61',
    }).toString();
    const { text } = await getText(this.name, url.toString(), this.http, signal);
    const body = parseJson(this.name, text) as { rc?: unknown; data?: { klines?: unknown } | null };
    if (typeof body !== 'object' || body === null || !('data' in body)) {
      throw new ProviderError(this.name, 'malformed', `no data in ${text.slice(0, 120)}`);
    }
    if (body.data === null) {
      throw new ProviderError(this.name, 'bad_request', `unknown symbol ${symbol} (secid ${eastmoneySecid(symbol)})`);
    }
    const k = body.data?.klines;
    if (!Array.isArray(k)) throw new ProviderError(this.name, 'malformed', 'data.klines is not an array');
    return k as string[];
  }

  async fetchPage(req: PageRequest, signal?: AbortSignal): Promise<Page> {
    const limit = Math.min(req.limit, this.maxLimit);
    const end = windowEnd(req, limit, A_SHARE_SESSION_MINUTES);
    const daily = req.interval === '1d' || req.interval === '1w';
    const lines = await this.klines(req.symbol, req.interval, 0, ymd(req.startTime), ymd(end), limit, signal);
    const rows: Array<IngestBar | RejectedRow> = lines.map((line, i) => {
      if (typeof line !== 'string')
        return { index: i, reason: 'not_a_row', detail: JSON.stringify(line).slice(0, 120) };
      const f = line.split(',');
      if (f.length < 6) return { index: i, reason: 'not_a_row', detail: line.slice(0, 120) };
      const t = daily ? dateStamp(f[0]!) : cstEndToOpen(f[0]!, req.interval);
      const time = req.interval === '1w' && Number.isFinite(t) ? mondayOf(t) : t;
      const volume = f[5]!.trim() === '' ? f[5] : Number(f[5]) * SHARES_PER_LOT;
      return checkBar(i, Number.isFinite(time) ? time : f[0], f[1], f[3], f[4], f[2], volume, req.interval);
    });
    return continueAfterWindow(
      assemblePage(rows, { ...req, endTime: end, limit }, lines.length, (t) => barCloseTime('cn', req.interval, t)),
      end,
      req,
    );
  }

  async fetchFactors(symbol: string, now: number, signal?: AbortSignal): Promise<FactorPoint[]> {
    if (parseAShare(this.name, symbol).index) return [];
    const [raw, hfq] = await Promise.all(
      ([0, 2] as const).map((fqt) => this.klines(symbol, '1d', fqt, '19900101', ymd(now), 100_000, signal)),
    );
    const rawClose = new Map(raw.map((l) => [l.slice(0, 10), Number(l.split(',')[2])]));
    // Each day bounds the factor to [adjusted − ½ cent, adjusted + ½ cent] / close (the adjusted price is rounded to
    // the cent). A run of days whose bounds still intersect shares one factor (the middle of the intersection); a
    // day outside them starts a new run: an ex-date.
    const runs: Array<{ date: number; lo: number; hi: number }> = [];
    for (const line of hfq) {
      const date = line.slice(0, 10);
      const adjusted = Number(line.split(',')[2]);
      const c = rawClose.get(date);
      if (!c || !Number.isFinite(adjusted) || adjusted <= 0) continue;
      const lo = (adjusted - HALF_CENT) / c;
      const hi = (adjusted + HALF_CENT) / c;
      const run = runs.at(-1);
      if (run && lo <= run.hi && hi >= run.lo) {
        run.lo = Math.max(run.lo, lo);
        run.hi = Math.min(run.hi, hi);
      } else runs.push({ date: dateStamp(date), lo, hi });
    }
    const points = runs.map((r) => ({ date: r.date, factor: (r.lo + r.hi) / 2 }));
    return points;
  }
}
