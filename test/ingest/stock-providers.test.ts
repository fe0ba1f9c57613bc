/**
 * The stock providers (Eastmoney, Yahoo, Tushare) against the fake server speaking their wire formats: paging
 * through date windows, symbol mapping, bar stamps (dates, bar-end CST minutes, New York opens), unadjusted prices
 * (Yahoo's split adjustment undone), factors whose qfq/hfq equal the provider's own adjusted series, holidays and
 * a suspended day, rate limits, errors, and a missing or rejected Tushare token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adjustBars } from '../../functions/common/adjust.js';
import { changePoints } from '../../functions/store/adjustments.js';
import { EastmoneyProvider, eastmoneySecid } from '../../functions/ingest/providers/eastmoney.js';
import { TushareProvider, TUSHARE_TOKEN_MISSING } from '../../functions/ingest/providers/tushare.js';
import { ProviderError, type MarketDataProvider } from '../../functions/ingest/providers/types.js';
import { YahooProvider } from '../../functions/ingest/providers/yahoo.js';
import type { IngestInterval } from '../../functions/ingest/intervals.js';
import { FAKE_TUSHARE_TOKEN, FakeProvider, type SourceBar } from '../support/fake-provider.js';
import { sseSlice } from './fixtures.js';
import { aapl2020, CN_ACTIONS, pingAn2016, SUSPENDED_DAY, US_ACTIONS } from './stock-fixtures.js';

const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
const CN = pingAn2016();
const US = aapl2020();
const { bars: MIN } = sseSlice(480); // two whole trading days of the SSE Composite, 1-minute
let fake: FakeProvider;
let em: EastmoneyProvider;
let yh: YahooProvider;
let ts: TushareProvider;
let base: string;

beforeAll(async () => {
  fake = new FakeProvider(Date.parse('2021-06-01T00:00:00Z'));
  fake.setSeries('000001.SZ', '1d', CN).setActions('000001.SZ', CN_ACTIONS);
  fake.setSeries('AAPL', '1d', US).setActions('AAPL', US_ACTIONS);
  fake.setSeries('000001.SH', '1m', MIN);
  base = await fake.start();
  em = new EastmoneyProvider(base, { timeoutMs: 1_000 });
  yh = new YahooProvider(base, { timeoutMs: 1_000 });
  ts = new TushareProvider(async () => FAKE_TUSHARE_TOKEN, base, { timeoutMs: 1_000 });
});
afterAll(() => fake.stop());

async function readAll(
  p: MarketDataProvider,
  symbol: string,
  interval: IngestInterval,
  from: number,
  to: number,
  limit = 100,
) {
  const out: SourceBar[] = [];
  let start: number | undefined = from;
  let calls = 0;
  while (start !== undefined) {
    const page = await p.fetchPage({ symbol, interval, startTime: start, endTime: to, limit, now: fake.now });
    calls++;
    expect(page.rejected).toEqual([]);
    out.push(...page.bars);
    start = page.nextStart;
  }
  return { out, calls };
}

describe.each([
  ['eastmoney', () => em],
  ['tushare', () => ts],
])('%s A-share daily bars', (name, get) => {
  it('pages a year by date windows: every unadjusted bar, none on holidays, the suspended day simply absent', async () => {
    const before = fake.requests.length;
    const { out, calls } = await readAll(get(), '000001.SZ', '1d', CN[0]!.time, CN.at(-1)!.time);
    expect(out).toEqual(CN);
    expect(out.map((b) => iso(b.time))).not.toContain(SUSPENDED_DAY);
    expect(out.map((b) => iso(b.time))).not.toContain('2016-10-03'); // National Day
    expect(calls).toBeGreaterThan(3);
    for (const r of fake.requests.slice(before)) expect(r.rows).toBeLessThanOrEqual(100);
    if (name === 'eastmoney') {
      expect(fake.requests.at(-1)!.query).toMatchObject({ secid: '0.000001', klt: '101', fqt: '0' });
    }
  });

  it('1-minute bars stamped at their end in CST are stored at their open; the lunch break is no gap', async () => {
    const { out } = await readAll(get(), '000001.SH', '1m', MIN[0]!.time, MIN.at(-1)!.time, 1000);
    expect(out).toEqual(MIN);
    expect(new Date(out[0]!.time).toISOString()).toBe('2015-01-05T01:30:00.000Z'); // 09:31 CST bar
  });
});

describe('symbols and intervals', () => {
  it('maps the user convention to Eastmoney secids (the SSE index and Ping An share the code 000001)', () => {
    expect(eastmoneySecid('600519.SH')).toBe('1.600519');
    expect(eastmoneySecid('000001.SH')).toBe('1.000001');
    expect(eastmoneySecid('000001.SZ')).toBe('0.000001');
  });

  it.each([
    ['eastmoney', 'AAPL', () => em, /not an A-share code/],
    ['tushare', '600519', () => ts, /not an A-share code/],
    ['yahoo', 'BAD SYMBOL', () => yh, /not a Yahoo ticker/],
    ['eastmoney', '600000.SH', () => em, /unknown symbol 600000.SH/],
    ['yahoo', 'NOPE', () => yh, /No data found/],
  ] as const)('%s refuses %s (bad_request, the reason named)', async (_n, symbol, get, reason) => {
    const err = await get()
      .fetchPage({ symbol, interval: '1d', startTime: CN[0]!.time, endTime: CN[9]!.time, limit: 10, now: fake.now })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ kind: 'bad_request', handling: 'halt' });
    expect((err as Error).message).toMatch(reason);
  });

  it('hourly bars of a 09:30 session are refused with the way out (30m + resampling)', async () => {
    await expect(
      em.fetchPage({ symbol: '600519.SH', interval: '1h', startTime: 0, endTime: 3_600_000, limit: 10, now: fake.now }),
    ).rejects.toMatchObject({ kind: 'bad_request', message: expect.stringContaining('track 30m') });
  });
});

describe('Yahoo', () => {
  it('stores the unadjusted prices: the split Yahoo applied to history is undone, daily opens become dates', async () => {
    const { out } = await readAll(yh, 'AAPL', '1d', US[0]!.time, US.at(-1)!.time);
    expect(out.map((b) => b.time)).toEqual(US.map((b) => b.time));
    out.forEach((b, i) => {
      expect(b.close).toBeCloseTo(US[i]!.close, 6);
      expect(b.volume).toBe(US[i]!.volume);
    });
    const q = fake.requests.find((r) => r.provider === 'yahoo' && r.query.interval === '1d')!.query;
    expect(q).toMatchObject({ events: 'div,splits', includeAdjustedClose: 'true' });
  });

  it('Hong Kong listings are dated in Hong Kong (a 09:30 HKT open is the previous evening in New York)', async () => {
    const hk = CN.slice(0, 30);
    fake.setSeries('0700.HK', '1d', hk);
    const { out } = await readAll(yh, '0700.HK', '1d', hk[0]!.time, hk.at(-1)!.time);
    expect(out).toEqual(hk);
  });

  it("qfq from its factors equals Yahoo's adjclose; hfq is continuous across the 4:1 split", async () => {
    const factors = changePoints(await yh.fetchFactors('AAPL', fake.now));
    expect(factors.length).toBe(US_ACTIONS.length + 1);
    const stored = US.map((b) => ({ ...b, ts: b.time }));
    const qfq = adjustBars(stored, factors, 'qfq');
    const r = (await (
      await fetch(`${base}/v8/finance/chart/AAPL?interval=1d&period1=0&period2=${fake.now / 1000}`)
    ).json()) as {
      chart: { result: Array<{ indicators: { adjclose: Array<{ adjclose: number[] }> } }> };
    };
    const adjclose = r.chart.result[0]!.indicators.adjclose[0]!.adjclose;
    qfq.forEach((b, i) => expect(b.close).toBeCloseTo(adjclose[i]!, 6));
    const hfq = adjustBars(stored, factors, 'hfq');
    const split = US.findIndex((b) => iso(b.time) === '2020-08-31');
    expect(hfq[split]!.close / hfq[split - 1]!.close).toBeGreaterThan(0.9); // no 75 % "crash" at the split
    expect(US[split]!.close / US[split - 1]!.close).toBeLessThan(0.3);
  });
});

describe("factors equal the provider's own adjusted series", () => {
  it('Eastmoney: qfq/hfq from the derived factors match its fqt=1 / fqt=2 klines to the cent', async () => {
    const factors = changePoints(await em.fetchFactors('000001.SZ', fake.now));
    expect(factors.map((f) => iso(f.date))).toEqual([iso(CN[0]!.time), '2016-06-16']);
    const stored = CN.map((b) => ({ ...b, ts: b.time }));
    for (const [fqt, mode] of [
      ['1', 'qfq'],
      ['2', 'hfq'],
    ] as const) {
      const r = (await (
        await fetch(`${base}/api/qt/stock/kline/get?secid=0.000001&klt=101&fqt=${fqt}&beg=0&end=20500101&lmt=100000`)
      ).json()) as { data: { klines: string[] } };
      const theirs = r.data.klines.map((k) => Number(k.split(',')[2]));
      const ours = adjustBars(stored, factors, mode).map((b) => b.close);
      ours.forEach((c, i) => expect(Math.abs(c - theirs[i]!)).toBeLessThanOrEqual(0.011));
    }
    expect(await em.fetchFactors('000001.SH', fake.now)).toEqual([]); // an index has none
  });

  it('Tushare: adj_factor change points; qfq = price × adj_factor / latest (its pro_bar rule)', async () => {
    const factors = changePoints(await ts.fetchFactors('000001.SZ', fake.now));
    expect(factors.map((f) => iso(f.date))).toEqual([iso(CN[0]!.time), '2016-06-16']);
    expect(factors[0]!.factor).toBe(1);
    const before = CN.findIndex((b) => iso(b.time) === '2016-06-16') - 1;
    const qfq = adjustBars(
      CN.map((b) => ({ ...b, ts: b.time })),
      factors,
      'qfq',
    );
    expect(qfq[before]!.close).toBeCloseTo(CN[before]!.close / factors[1]!.factor, 6);
    expect(qfq.at(-1)!.close).toBe(CN.at(-1)!.close);
  });
});

describe('errors', () => {
  const req = () => ({
    symbol: '000001.SZ',
    interval: '1d' as const,
    startTime: CN[0]!.time,
    endTime: CN[20]!.time,
    limit: 30,
    now: fake.now,
  });

  it("HTTP 429 with Retry-After backs off (eastmoney, yahoo); Tushare's per-minute quota waits a minute", async () => {
    fake.inject({ kind: 'status', status: 429, retryAfter: '9', body: 'Too Many Requests' }, { target: 'eastmoney' });
    await expect(em.fetchPage(req())).rejects.toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 9_000,
      handling: 'backoff',
    });
    fake.inject({ kind: 'status', status: 429, body: 'Too Many Requests' }, { target: 'yahoo' });
    await expect(yh.fetchFactors('AAPL', fake.now)).rejects.toMatchObject({ kind: 'rate_limited' });
    fake.inject(
      {
        kind: 'status',
        status: 200,
        body: JSON.stringify({ code: 40203, msg: '抱歉，您每分钟最多访问该接口500次', data: null }),
      },
      { target: 'tushare' },
    );
    await expect(ts.fetchPage(req())).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 60_000 });
    fake.inject({ kind: 'status', status: 502 }, { target: 'tushare' });
    await expect(ts.fetchPage(req())).rejects.toMatchObject({ kind: 'server', handling: 'retry' });
  });

  it('a missing Tushare token halts with how to configure one; a rejected one says so; neither shows the token', async () => {
    const none = new TushareProvider(async () => undefined, base, { timeoutMs: 1_000 });
    const before = fake.requests.length;
    const e1 = await none.fetchPage(req()).catch((e: unknown) => e);
    expect(e1).toMatchObject({
      kind: 'forbidden',
      handling: 'halt',
      message: `tushare forbidden: ${TUSHARE_TOKEN_MISSING}`,
    });
    expect(fake.requests.length).toBe(before); // nothing was sent
    const wrong = 'wrong-token-ABCDEFGHIJKLMNOP';
    const bad = new TushareProvider(async () => wrong, base, { timeoutMs: 1_000 });
    const e2 = (await bad.fetchPage(req()).catch((e: unknown) => e)) as ProviderError;
    expect(e2).toMatchObject({ kind: 'forbidden', handling: 'halt' });
    expect(e2.message).toContain('40101');
    expect(e2.message).not.toContain(wrong);
    // The token travels in the POST body, never in the URL.
    expect(fake.requests.at(-1)!).toMatchObject({ provider: 'tushare', path: '/', query: {} });
  });
});
