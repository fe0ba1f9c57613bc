/**
 * The stock providers' wire formats for the fake server (test/support/fake-provider.ts), replaying its unadjusted
 * bars and corporate actions the way each provider publishes them:
 * - Eastmoney: klines as "date,open,close,high,low,volume(lots),amount,amplitude,pct,change,turnover" strings;
 *   fqt=1/2 adjusted with its own factors, rounded to the cent; an unknown secid answers data: null.
 * - Yahoo: chart.result[0] with timestamps (daily: the 09:30 New York open instant), split-adjusted quote arrays,
 *   adjclose (dividends as well, the CRSP multiplier method) and events; 404 + chart.error for an unknown symbol.
 * - Tushare: {code, msg, data: {fields, items}} rows newest first for daily / index_daily / stk_mins / adj_factor;
 *   code 40101 for a wrong token.
 * The factors here are computed independently of the service's code (a forward product over the actions), so the
 * tests compare two implementations.
 */
import { barCloseTime, sessionsOn, type MarketId } from '../../functions/common/market-calendar.js';
import type { Interval } from '../../functions/common/domain.js';
import type { FakeProvider, RequestLog, SourceBar } from './fake-provider.js';

export type StockProvider = 'eastmoney' | 'yahoo' | 'tushare';
type Send = (status: number, body: string, headers?: Record<string, string>) => void;

export const FAKE_TUSHARE_TOKEN = 'fake-tushare-token-0123456789abcdef';

/** An ex-date: a cash dividend per share and/or a split (new shares per old share, e.g. 4 for 4:1, 1.2 for 10转2). */
export interface CorporateAction {
  date: string;
  dividend?: number;
  split?: number;
}

const DAY = 86_400_000;
const CST = 8 * 3_600_000;
/** A stock exchange's day is final at its close (the fake follows the exchange calendar, as the providers do). */
const closes = (market: MarketId, interval: string) => (t: number) => barCloseTime(market, interval as Interval, t);
const isoDate = (t: number) => new Date(t).toISOString().slice(0, 10);
const cents = (x: number) => Math.round(x * 100) / 100;

export function stockProviderOf(method: string, path: string): StockProvider | undefined {
  if (path === '/api/qt/stock/kline/get') return 'eastmoney';
  if (path.startsWith('/v8/finance/chart/')) return 'yahoo';
  if (method === 'POST' && path === '/') return 'tushare';
  return undefined;
}

/**
 * Cumulative factors by date over the daily series (1 on the first bar): × prevClose / (prevClose − dividend) and
 * × split on each ex-date. hfq = raw × f; qfq = raw × f / f(latest).
 */
export function fakeFactors(fake: FakeProvider, symbol: string): Map<string, number> {
  const daily = fake.getSeries(symbol, '1d');
  const actions = new Map(fake.getActions(symbol).map((a) => [a.date, a]));
  const out = new Map<string, number>();
  let f = 1;
  daily.forEach((b, i) => {
    const a = actions.get(isoDate(b.time));
    if (a && i > 0) {
      const prev = daily[i - 1]!.close;
      if (a.dividend) f *= prev / (prev - a.dividend);
      if (a.split) f *= a.split;
    }
    out.set(isoDate(b.time), f);
  });
  return out;
}

function factorOn(factors: Map<string, number>, date: string): number {
  let f = 1;
  for (const [d, v] of factors) {
    if (d > date) break;
    f = v;
  }
  return f;
}

// ------------------------------------------------------------------------------------------------- eastmoney

const KLT: Record<string, string> = { '1': '1m', '5': '5m', '15': '15m', '30': '30m', '101': '1d', '102': '1w' };

export function eastmoney(fake: FakeProvider, q: Record<string, string>, send: Send, log: RequestLog): void {
  const interval = KLT[q.klt ?? ''];
  const m = /^([01])\.(\d{6})$/.exec(q.secid ?? '');
  const envelope = (data: unknown) => JSON.stringify({ rc: 0, rt: 17, svr: 181216, lt: 1, full: 0, dlmkts: '', data });
  if (!interval || !m) return send(200, JSON.stringify({ rc: 102, rt: 17, data: null }));
  const symbol = `${m[2]}.${m[1] === '1' ? 'SH' : 'SZ'}`;
  if (!fake.hasSeries(symbol, interval)) return send(200, envelope(null));
  const daily = interval === '1d' || interval === '1w';
  const iv = interval === '1w' ? 7 * DAY : daily ? DAY : Number(interval.slice(0, -1)) * 60_000;
  const dateOf = (b: SourceBar) =>
    interval === '1w'
      ? isoDate(b.time + 4 * DAY) // a week is dated by its (last trading) Friday
      : daily
        ? isoDate(b.time)
        : new Date(b.time + iv + CST).toISOString().slice(0, 16).replace('T', ' '); // bar END, CST
  const ymd = (s: string) => s.slice(0, 10).replaceAll('-', '');
  const factors = fakeFactors(fake, symbol);
  const latest = [...factors.values()].at(-1) ?? 1;
  const fqt = q.fqt ?? '0';
  const rows = (fake.window(symbol, interval, 0, Number.MAX_SAFE_INTEGER, closes('cn', interval)) ?? [])
    .map(({ bar }) => bar)
    .filter((b) => ymd(dateOf(b)) >= (q.beg ?? '0') && ymd(dateOf(b)) <= (q.end ?? '99999999'));
  const picked = rows.slice(-Number(q.lmt ?? 1_000_000));
  const klines = picked.map((b) => {
    const f = fqt === '0' ? 1 : factorOn(factors, isoDate(b.time)) / (fqt === '1' ? latest : 1);
    const [o, c, h, l] = [b.open, b.close, b.high, b.low].map((x) => cents(x * f).toFixed(2));
    const lots = Math.round(b.volume / 100);
    return `${dateOf(b)},${o},${c},${h},${l},${lots},${(b.volume * b.close).toFixed(2)},1.00,0.10,0.01,0.50`;
  });
  log.rows = klines.length;
  send(200, envelope({ code: m[2], market: Number(m[1]), name: symbol, decimal: 2, dktotal: rows.length, klines }));
}

// ---------------------------------------------------------------------------------------------------- yahoo

const YAHOO_IV: Record<string, string> = {
  '1m': '1m',
  '5m': '5m',
  '15m': '15m',
  '30m': '30m',
  '1d': '1d',
  '1wk': '1w',
};

/** The 09:30 New York open of a date, in epoch seconds (Yahoo stamps daily bars and events with it). */
const usOpen = (date: string) =>
  Math.floor((sessionsOn('us', date)[0]?.open ?? Date.parse(`${date}T14:30:00Z`)) / 1000);

export function yahoo(
  fake: FakeProvider,
  symbol: string,
  q: Record<string, string>,
  send: Send,
  log: RequestLog,
): void {
  // Hong Kong listings open at 09:30 HKT (01:30Z, no DST); everything else in New York.
  const hk = symbol.endsWith('.HK');
  const nyOpen = (date: string) => (hk ? Date.parse(`${date}T01:30:00Z`) / 1000 : usOpen(date));
  const notFound = () =>
    send(
      404,
      JSON.stringify({
        chart: { result: null, error: { code: 'Not Found', description: 'No data found, symbol may be delisted' } },
      }),
    );
  if (!fake.hasSeries(symbol, '1d')) return notFound();
  const p1 = Number(q.period1 ?? 0) * 1000;
  const p2 = Number(q.period2 ?? Date.now() / 1000) * 1000;
  const actions = fake.getActions(symbol).filter((a) => {
    const t = nyOpen(a.date) * 1000;
    return t >= p1 && t <= p2;
  });
  // Split-adjusted as of today: every split after a bar divides its prices (and multiplies its volume).
  const allSplits = fake.getActions(symbol).filter((a) => a.split);
  const splitAfter = (date: string) => allSplits.filter((a) => a.date > date).reduce((k, a) => k * a.split!, 1);
  const events = {
    dividends: Object.fromEntries(
      actions
        .filter((a) => a.dividend)
        .map((a) => [String(nyOpen(a.date)), { amount: a.dividend! / splitAfter(a.date), date: nyOpen(a.date) }]),
    ),
    splits: Object.fromEntries(
      actions
        .filter((a) => a.split)
        .map((a) => [
          String(nyOpen(a.date)),
          { date: nyOpen(a.date), numerator: a.split!, denominator: 1, splitRatio: `${a.split}:1` },
        ]),
    ),
  };
  const interval = YAHOO_IV[q.interval ?? ''];
  const bars =
    interval === undefined
      ? [] // e.g. 3mo: the service asks it only for the events
      : (fake.window(symbol, interval, 0, Number.MAX_SAFE_INTEGER, closes('us', interval)) ?? [])
          .map(({ bar }) => bar)
          .filter((b) => {
            const t = interval === '1d' || interval === '1w' ? nyOpen(isoDate(b.time)) * 1000 : b.time;
            return t >= p1 && t < p2;
          });
  if (q.interval && !interval && q.interval !== '3mo')
    return send(
      422,
      JSON.stringify({
        chart: {
          result: null,
          error: {
            code: 'Unprocessable Entity',
            description: `Invalid input - interval=${q.interval} is not supported.`,
          },
        },
      }),
    );
  const daily = interval === '1d' || interval === '1w';
  const adj = bars.map((b) => {
    const k = splitAfter(isoDate(b.time));
    return { ...b, open: b.open / k, high: b.high / k, low: b.low / k, close: b.close / k, volume: b.volume * k };
  });
  // adjclose: backwards product of (1 − dividend / previous close) over the ex-dates after each bar.
  const dividends = fake.getActions(symbol).filter((a) => a.dividend);
  const all1d = fake.getSeries(symbol, '1d');
  const mult = (date: string) =>
    dividends
      .filter((a) => a.date > date)
      .reduce((m, a) => {
        const i = all1d.findIndex((b) => isoDate(b.time) === a.date);
        const prev = all1d[i - 1]!;
        return m * (1 - a.dividend! / prev.close);
      }, 1);
  const result = {
    meta: {
      currency: 'USD',
      symbol,
      exchangeName: 'NMS',
      instrumentType: 'EQUITY',
      gmtoffset: hk ? 28800 : -14400,
      timezone: hk ? 'HKT' : 'EDT',
      exchangeTimezoneName: hk ? 'Asia/Hong_Kong' : 'America/New_York',
      dataGranularity: q.interval,
    },
    timestamp: adj.map((b) => (daily ? nyOpen(isoDate(b.time)) : b.time / 1000)),
    events,
    indicators: {
      quote: [
        {
          open: adj.map((b) => b.open),
          high: adj.map((b) => b.high),
          low: adj.map((b) => b.low),
          close: adj.map((b) => b.close),
          volume: adj.map((b) => Math.round(b.volume)),
        },
      ],
      adjclose: [{ adjclose: adj.map((b) => b.close * mult(isoDate(b.time))) }],
    },
  };
  log.rows = adj.length;
  send(200, JSON.stringify({ chart: { result: [result], error: null } }));
}

// -------------------------------------------------------------------------------------------------- tushare

const MIN_FREQ: Record<string, string> = { '1min': '1m', '5min': '5m', '15min': '15m', '30min': '30m' };

export function tushare(fake: FakeProvider, raw: string, send: Send, log: RequestLog): void {
  let req: { api_name?: string; token?: string; params?: Record<string, string | number>; fields?: string };
  try {
    req = JSON.parse(raw) as typeof req;
  } catch {
    return send(200, JSON.stringify({ code: -2001, msg: '参数错误', data: null }));
  }
  const reply = (fields: string[], items: unknown[][]) =>
    send(200, JSON.stringify({ request_id: 'fake', code: 0, msg: '', data: { fields, items, has_more: false } }));
  if (req.token !== FAKE_TUSHARE_TOKEN)
    return send(200, JSON.stringify({ request_id: 'fake', code: 40101, msg: '抱歉，您输入的TOKEN无效！', data: null }));
  const p = req.params ?? {};
  const code = String(p.ts_code ?? '');
  const fields = String(req.fields ?? '').split(',');
  const pick = (row: Record<string, unknown>) => fields.map((f) => row[f] ?? null);
  const api = req.api_name ?? '';
  if (api === 'daily' || api === 'index_daily') {
    const ymd = (t: number) => isoDate(t).replaceAll('-', '');
    const bars = (fake.window(code, '1d', 0, Number.MAX_SAFE_INTEGER, closes('cn', '1d')) ?? [])
      .map(({ bar }) => bar)
      .filter((b) => ymd(b.time) >= String(p.start_date ?? '0') && ymd(b.time) <= String(p.end_date ?? '99999999'))
      .reverse();
    log.rows = bars.length;
    return reply(
      fields,
      bars.map((b) =>
        pick({
          ts_code: code,
          trade_date: ymd(b.time),
          ...b,
          vol: b.volume / 100,
          amount: (b.volume * b.close) / 1000,
        }),
      ),
    );
  }
  if (api === 'stk_mins') {
    const interval = MIN_FREQ[String(p.freq)];
    if (!interval) return send(200, JSON.stringify({ code: 40001, msg: 'freq参数错误', data: null }));
    const iv = Number(interval.slice(0, -1)) * 60_000;
    const end = (b: SourceBar) => new Date(b.time + iv + CST).toISOString().slice(0, 19).replace('T', ' ');
    const bars = (fake.window(code, interval, 0, Number.MAX_SAFE_INTEGER, closes('cn', interval)) ?? [])
      .map(({ bar }) => bar)
      .filter((b) => end(b) >= String(p.start_date ?? '') && end(b) <= String(p.end_date ?? '9'))
      .reverse();
    log.rows = bars.length;
    return reply(
      fields,
      bars.map((b) => pick({ ts_code: code, trade_time: end(b), ...b, vol: b.volume, amount: b.volume * b.close })),
    );
  }
  if (api === 'adj_factor') {
    const all = [...fakeFactors(fake, code)].reverse();
    const offset = Number(p.offset ?? 0);
    const items = all.slice(offset, offset + Number(p.limit ?? 6000));
    log.rows = items.length;
    return reply(
      fields,
      items.map(([d, f]) =>
        pick({ ts_code: code, trade_date: d.replaceAll('-', ''), adj_factor: Math.round(f * 1000) / 1000 }),
      ),
    );
  }
  send(200, JSON.stringify({ code: 40102, msg: `接口名 ${api} 不存在`, data: null }));
}
