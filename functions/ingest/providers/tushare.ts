/**
 * Tushare Pro (token): POST {base}/ with JSON {api_name, token, params, fields}; answer {request_id, code, msg,
 * data: {fields: [...], items: [[...]], has_more}}, rows NEWEST first. code 0 is success; 40101 a missing or
 * invalid token; 40203 a per-minute/hour quota ("每分钟最多访问…") or an API the account's points do not cover
 * ("没有访问该接口的权限"); other codes are bad parameters or server trouble.
 * - `daily` (stocks) / `index_daily` (indexes: 000xxx.SH, 399xxx.SZ): trade_date YYYYMMDD, vol in lots (×100 →
 *   shares), at most 6000 rows a call;
 * - `stk_mins`: freq 1min/5min/15min/30min, trade_time "YYYY-MM-DD HH:MM:SS" at the bar's END (CST), vol in shares;
 * - `adj_factor`: the cumulative factor of every trading day (hfq = price × adj_factor), paged by offset/limit.
 * The token travels in the body only (never a URL, a log line or an error message), from TUSHARE_TOKEN locally or
 * the secret TUSHARE_TOKEN_ARN names when deployed (functions/common/secrets.ts).
 */
import { checkBar, type IngestBar, type RejectedRow } from '../bar.js';
import { INTERVAL_MS, type IngestInterval } from '../intervals.js';
import type { FactorPoint } from '../../store/adjustments.js';
import { barCloseTime } from '../../common/market-calendar.js';
import { getText, parseJson, type HttpOptions } from './http.js';
import { assemblePage, continueAfterWindow } from './page.js';
import {
  A_SHARE_SESSION_MINUTES,
  cstDateTime,
  cstEndToOpen,
  dateStamp,
  parseAShare,
  refuseOffGrid,
  windowEnd,
  ymd,
  SHARES_PER_LOT,
} from './stock-symbols.js';
import { ProviderError, type MarketDataProvider, type Page, type PageRequest } from './types.js';

export const TUSHARE_DEFAULT_BASE = 'http://api.tushare.pro';

const MIN_FREQ: Partial<Record<IngestInterval, string>> = {
  '1m': '1min',
  '5m': '5min',
  '15m': '15min',
  '30m': '30min',
};
const FACTOR_PAGE = 6000;
/** Tushare's quotas are per minute: wait that long when it says a quota is spent. */
const QUOTA_WAIT_MS = 60_000;

export const TUSHARE_TOKEN_MISSING =
  'no Tushare token is configured: set TUSHARE_TOKEN (local) or TUSHARE_TOKEN_ARN (deployed, a Secrets Manager secret holding the token); get one at https://tushare.pro (register, then 个人主页 → 接口TOKEN)';

type Table = { fields: string[]; items: unknown[][] };

export class TushareProvider implements MarketDataProvider {
  readonly name = 'tushare' as const;
  readonly maxLimit = 1000;
  constructor(
    private readonly token: () => Promise<string | undefined>,
    private readonly baseUrl: string = TUSHARE_DEFAULT_BASE,
    private readonly http: HttpOptions = { timeoutMs: 15_000 },
  ) {}

  private async call(
    api: string,
    params: Record<string, unknown>,
    fields: string,
    signal?: AbortSignal,
  ): Promise<Table> {
    const token = await this.token();
    if (!token) throw new ProviderError(this.name, 'forbidden', TUSHARE_TOKEN_MISSING);
    const { text } = await getText(this.name, this.baseUrl, this.http, signal, {
      api_name: api,
      token,
      params,
      fields,
    });
    const body = parseJson(this.name, text) as { code?: unknown; msg?: unknown; data?: Partial<Table> | null };
    if (typeof body !== 'object' || body === null || typeof body.code !== 'number')
      throw new ProviderError(this.name, 'malformed', `no code in ${text.slice(0, 120)}`);
    if (body.code !== 0) {
      const msg = String(body.msg ?? '');
      if (body.code === 40101)
        throw new ProviderError(
          this.name,
          'forbidden',
          `Tushare rejected the token (code 40101: ${msg}); check TUSHARE_TOKEN / the secret`,
        );
      if (/每分钟|每小时|每天|最多访问/.test(msg))
        throw new ProviderError(this.name, 'rate_limited', `${api}: ${msg}`, QUOTA_WAIT_MS);
      if (/权限/.test(msg))
        throw new ProviderError(this.name, 'forbidden', `${api}: the token's account may not call it (${msg})`);
      throw new ProviderError(
        this.name,
        body.code >= 50000 ? 'server' : 'bad_request',
        `${api} code ${body.code}: ${msg}`,
      );
    }
    const data = body.data;
    if (!data || !Array.isArray(data.fields) || !Array.isArray(data.items))
      throw new ProviderError(this.name, 'malformed', `${api}: data.fields/items missing`);
    return data as Table;
  }

  async fetchPage(req: PageRequest, signal?: AbortSignal): Promise<Page> {
    refuseOffGrid(this.name, req.interval);
    const s = parseAShare(this.name, req.symbol);
    const limit = Math.min(req.limit, this.maxLimit);
    const end = windowEnd(req, limit, A_SHARE_SESSION_MINUTES);
    const tsCode = `${s.code}.${s.exchange}`;
    let table: Table;
    let timeOf: (v: unknown) => unknown;
    let lots = 1;
    if (req.interval === '1d') {
      table = await this.call(
        s.index ? 'index_daily' : 'daily',
        { ts_code: tsCode, start_date: ymd(req.startTime), end_date: ymd(end) },
        'ts_code,trade_date,open,high,low,close,vol,amount',
        signal,
      );
      timeOf = (v) => (typeof v === 'string' && Number.isFinite(dateStamp(v)) ? dateStamp(v) : v);
      lots = SHARES_PER_LOT;
    } else {
      const freq = MIN_FREQ[req.interval];
      if (!freq)
        throw new ProviderError(
          this.name,
          'bad_request',
          `no ${req.interval} bars on tushare (1d and 1m–30m); resample 1d for weeks`,
        );
      table = await this.call(
        'stk_mins',
        {
          ts_code: tsCode,
          freq,
          start_date: cstDateTime(req.startTime),
          end_date: cstDateTime(end + INTERVAL_MS[req.interval]),
        },
        'ts_code,trade_time,open,high,low,close,vol,amount',
        signal,
      );
      timeOf = (v) => {
        const t = typeof v === 'string' ? cstEndToOpen(v, req.interval) : NaN;
        return Number.isFinite(t) ? t : v;
      };
    }
    const col = (name: string) => table.fields.indexOf(name);
    const [it, io, ih, il, ic, iv] = [
      req.interval === '1d' ? 'trade_date' : 'trade_time',
      'open',
      'high',
      'low',
      'close',
      'vol',
    ].map(col);
    if ([it, io, ih, il, ic, iv].some((i) => i! < 0))
      throw new ProviderError(this.name, 'malformed', `fields ${table.fields.join(',')} lack a bar column`);
    const ascending = [...table.items].reverse();
    const rows: Array<IngestBar | RejectedRow> = ascending.map((row, j) => {
      const i = table.items.length - 1 - j; // index in Tushare's newest-first order
      if (!Array.isArray(row)) return { index: i, reason: 'not_a_row', detail: JSON.stringify(row).slice(0, 120) };
      const vol = typeof row[iv!] === 'number' ? (row[iv!] as number) * lots : row[iv!];
      return checkBar(i, timeOf(row[it!]), row[io!], row[ih!], row[il!], row[ic!], vol, req.interval);
    });
    return continueAfterWindow(
      assemblePage(rows, { ...req, endTime: end, limit }, table.items.length, (t) =>
        barCloseTime('cn', req.interval, t),
      ),
      end,
      req,
    );
  }

  async fetchFactors(symbol: string, _now: number, signal?: AbortSignal): Promise<FactorPoint[]> {
    const s = parseAShare(this.name, symbol);
    if (s.index) return [];
    const points: FactorPoint[] = [];
    for (let offset = 0; ; offset += FACTOR_PAGE) {
      const t = await this.call(
        'adj_factor',
        { ts_code: `${s.code}.${s.exchange}`, offset, limit: FACTOR_PAGE },
        'ts_code,trade_date,adj_factor',
        signal,
      );
      const [id, iff] = ['trade_date', 'adj_factor'].map((f) => t.fields.indexOf(f));
      for (const row of t.items) {
        const date = dateStamp(String(row[id!]));
        const factor = Number(row[iff!]);
        if (Number.isFinite(date) && Number.isFinite(factor) && factor > 0) points.push({ date, factor });
      }
      if (t.items.length < FACTOR_PAGE) break;
    }
    return points;
  }
}
