/**
 * What the stock providers share: the user's symbol convention (600519.SH, 000001.SZ, 000001.SH for the SSE
 * Composite index, AAPL, SPY) mapped to each provider's code; exchange dates and times to the service's bar
 * stamps; and page windows sized so that one call never holds more rows than asked for.
 */
import { INTERVAL_MS, type IngestInterval } from '../intervals.js';
import { ProviderError, type PageRequest, type ProviderName } from './types.js';

const DAY = 86_400_000;
/** China Standard Time has no DST: exchange wall-clock = UTC + 8 h all year. */
const CST_OFFSET = 8 * 3_600_000;

/** A-share trading minutes a day (09:30–11:30, 13:00–15:00) and shares per lot (手), which volumes count in. */
export const A_SHARE_SESSION_MINUTES = 240;
export const SHARES_PER_LOT = 100;

export interface AShare {
  code: string;
  exchange: 'SH' | 'SZ';
  /** SSE 000xxx and SZSE 399xxx codes are indexes (Tushare serves them from index_daily, not daily). */
  index: boolean;
}

export function parseAShare(provider: ProviderName, symbol: string): AShare {
  const m = /^(\d{6})\.(SH|SZ)$/i.exec(symbol);
  if (!m) {
    throw new ProviderError(
      provider,
      'bad_request',
      `symbol "${symbol}" is not an A-share code: use 600519.SH, 000001.SZ or 000001.SH (the SSE Composite index)`,
    );
  }
  const code = m[1]!;
  const exchange = m[2]!.toUpperCase() as 'SH' | 'SZ';
  return { code, exchange, index: exchange === 'SH' ? code.startsWith('000') : code.startsWith('399') };
}

/** "YYYYMMDD" of a bar stamp's UTC date (daily bars are stamped at UTC midnight of their exchange date). */
export const ymd = (t: number) => new Date(t).toISOString().slice(0, 10).replaceAll('-', '');

/** "YYYYMMDD" or "YYYY-MM-DD" → UTC midnight of that date; NaN when malformed. */
export function dateStamp(s: string): number {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(s);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
}

/** Weekly bars are stamped at the Monday of their week (the service's grid), whichever day a provider dates them. */
export function mondayOf(t: number): number {
  const wd = new Date(t).getUTCDay();
  return t - ((wd + 6) % 7) * DAY;
}

/** An exchange-local "YYYY-MM-DD HH:MM[:SS]" in CST that stamps a bar's END → the bar's open time (epoch ms). */
export function cstEndToOpen(s: string, interval: IngestInterval): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  if (!m) return NaN;
  const local = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  return local - CST_OFFSET - INTERVAL_MS[interval];
}

/** "YYYY-MM-DD HH:MM:SS" in CST of an instant (Tushare's minute-bar request bounds). */
export function cstDateTime(t: number): string {
  return new Date(t + CST_OFFSET).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The end of a page window that holds at most `limit` bars, for a market trading `sessionMinutes` a day: the
 * provider answers by date range, so the range itself is what bounds the rows.
 */
export function windowEnd(req: PageRequest, limit: number, sessionMinutes: number): number {
  const ms = INTERVAL_MS[req.interval];
  if (ms >= DAY) return Math.min(req.endTime, req.startTime + (limit - 1) * ms);
  const barsPerDay = Math.ceil((sessionMinutes * 60_000) / ms);
  const days = Math.max(1, Math.floor(limit / barsPerDay));
  return Math.min(req.endTime, req.startTime + days * DAY - ms);
}

/** Intervals whose bars cannot sit on the service's UTC grid for a session opening at :30 (09:30 CST / ET). */
export function refuseOffGrid(provider: ProviderName, interval: IngestInterval): void {
  if (interval === '1h' || interval === '4h') {
    throw new ProviderError(
      provider,
      'bad_request',
      `${interval} bars of a session opening at 09:30 do not fall on the service's UTC hour grid: track 30m (or 1m/5m) and let multi-level analysis resample on the exchange calendar`,
    );
  }
}

/**
 * What PUT /symbols refuses for a stock provider before anything is stored (a 400 naming the field): a code the
 * provider cannot map, intervals it cannot serve on the service's grid, Tushare without a configured token.
 */
export function stockTrackingProblem(
  provider: string,
  symbol: string,
  intervals: readonly IngestInterval[],
  /** Whether a Tushare token is configured (TUSHARE_TOKEN or TUSHARE_TOKEN_ARN, functions/common/config.ts). */
  tushareToken: boolean,
): { field: string; message: string } | undefined {
  if (provider !== 'eastmoney' && provider !== 'tushare' && provider !== 'yahoo') return undefined;
  const field = 'body.providerSymbol';
  if (provider === 'yahoo' && !/^[A-Za-z0-9.^=-]{1,20}$/.test(symbol))
    return { field, message: `"${symbol}" is not a Yahoo ticker (e.g. AAPL, SPY, 0700.HK)` };
  if (provider !== 'yahoo' && !/^\d{6}\.(SH|SZ)$/i.test(symbol))
    return { field, message: `"${symbol}" is not an A-share code: use 600519.SH, 000001.SZ or 000001.SH (index)` };
  const offGrid = intervals.filter((i) => i === '1h' || i === '4h');
  if (offGrid.length > 0)
    return {
      field: 'body.intervals',
      message: `${offGrid.join(', ')} bars of a session opening at 09:30 are off the service's UTC hour grid: track 30m (multi-level analysis resamples on the exchange calendar)`,
    };
  if (provider === 'tushare' && !tushareToken)
    return {
      field: 'body.provider',
      message:
        'tushare needs a token and none is configured: set TUSHARE_TOKEN (local) or TUSHARE_TOKEN_ARN (deployed); or use provider "eastmoney", which needs none',
    };
  return undefined;
}
