/**
 * Provider format tests against the fake server speaking the real wire formats, and the row validator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBar } from '../../functions/ingest/bar.js';
import { BinanceProvider } from '../../functions/ingest/providers/binance.js';
import { BybitProvider } from '../../functions/ingest/providers/bybit.js';
import { parseRetryAfter } from '../../functions/ingest/providers/http.js';
import { ProviderError, type MarketDataProvider } from '../../functions/ingest/providers/types.js';
import { UrlSourceProvider } from '../../functions/ingest/providers/url-source.js';
import { FakeProvider } from '../support/fake-provider.js';
import { sseSlice } from './fixtures.js';

const SYM = 'SSE';
const { bars } = sseSlice(2_600);
let fake: FakeProvider;
let binance: BinanceProvider;
let bybit: BybitProvider;
let url: UrlSourceProvider;

beforeAll(async () => {
  fake = new FakeProvider(bars.at(-1)!.time + 30_000); // the last bar is still forming
  fake.setSeries(SYM, '1m', bars);
  const base = await fake.start();
  binance = new BinanceProvider(base, { timeoutMs: 500 });
  bybit = new BybitProvider(base, { timeoutMs: 500 });
  url = new UrlSourceProvider({ urlTemplate: `${base}/files/{symbol}_{interval}.csv`, cacheMs: 0 });
});
afterAll(() => fake.stop());

async function readAll(p: MarketDataProvider, from: number, to: number) {
  const out = [];
  let start: number | undefined = from;
  let calls = 0;
  let forming;
  while (start !== undefined) {
    const page = await p.fetchPage({
      symbol: SYM,
      interval: '1m',
      startTime: start,
      endTime: to,
      limit: 1000,
      now: fake.now,
    });
    calls++;
    expect(page.rejected).toEqual([]);
    out.push(...page.bars);
    forming = page.forming ?? forming;
    start = page.nextStart;
  }
  return { out, calls, forming };
}

describe.each([
  ['binance', () => binance],
  ['bybit', () => bybit],
  ['url', () => url],
])('%s', (name, get) => {
  it('pages through a range (≤ 1000 rows a call) and returns exactly the closed source bars, oldest first', async () => {
    const before = fake.requests.length;
    const { out, forming } = await readAll(get(), bars[0]!.time, bars.at(-1)!.time);
    expect(out).toEqual(bars.slice(0, -1));
    for (const r of fake.requests.slice(before)) {
      // A CSV/JSON URL is one document (paged locally); the exchange APIs send at most 1000 rows a call.
      if (name !== 'url') expect(r.rows).toBeLessThanOrEqual(1000);
      if (r.query.limit) expect(Number(r.query.limit)).toBeLessThanOrEqual(1000);
    }
    if (name !== 'url') {
      // The forming bar is reported separately, with its partial values, never among the closed bars.
      expect(forming?.time).toBe(bars.at(-1)!.time);
      expect(forming).not.toEqual(bars.at(-1));
    }
  });
});

describe('wire formats', () => {
  it('Binance asks with symbol/interval/startTime/endTime/limit and checks closeTime', async () => {
    fake.inject({ kind: 'bad-row', row: 0, corrupt: 'number' }, { target: 'binance' });
    const page = await binance.fetchPage({
      symbol: SYM,
      interval: '1m',
      startTime: bars[0]!.time,
      endTime: bars[9]!.time,
      limit: 10,
      now: fake.now,
    });
    expect(fake.requests.at(-1)!.query).toEqual({
      symbol: SYM,
      interval: '1m',
      startTime: String(bars[0]!.time),
      endTime: String(bars[9]!.time),
      limit: '10',
    });
    expect(page.bars).toEqual([]);
    expect(page.rejected).toEqual([{ index: 0, reason: 'bad_number', detail: expect.stringContaining('NaN') }]);
  });

  it('Bybit: newest-first list is returned ascending; windows never exceed limit bars', async () => {
    const page = await bybit.fetchPage({
      symbol: SYM,
      interval: '1m',
      startTime: bars[0]!.time,
      endTime: bars[2_000]!.time,
      limit: 1000,
      now: fake.now,
    });
    const q = fake.requests.at(-1)!.query;
    expect(q).toMatchObject({ category: 'spot', symbol: SYM, interval: '1', limit: '1000' });
    expect((Number(q.end) - Number(q.start)) / 60_000 + 1).toBeLessThanOrEqual(1000);
    expect(page.bars.map((b) => b.time)).toEqual([...page.bars.map((b) => b.time)].sort((a, b) => a - b));
    expect(page.bars[0]).toEqual(bars[0]);
    expect(page.nextStart).toBeDefined();
  });

  it('malformed rows are rejected with reasons and stop the accepted prefix', async () => {
    fake.inject({ kind: 'bad-row', row: 5, corrupt: 'ohlc' }, { target: 'binance' });
    const page = await binance.fetchPage({
      symbol: SYM,
      interval: '1m',
      startTime: bars[0]!.time,
      endTime: bars[99]!.time,
      limit: 100,
      now: fake.now,
    });
    expect(page.bars).toEqual(bars.slice(0, 5));
    expect(page.rejected.map((r) => [r.index, r.reason])).toEqual([[5, 'ohlc_inconsistent']]);
    fake.inject({ kind: 'bad-row', row: 3, corrupt: 'truncated' }, { target: 'bybit' });
    const p2 = await bybit.fetchPage({
      symbol: SYM,
      interval: '1m',
      startTime: bars[0]!.time,
      endTime: bars[9]!.time,
      limit: 10,
      now: fake.now,
    });
    // Bybit row 3 (newest-first) is the 7th oldest: the 6 before it are accepted.
    expect(p2.rejected.map((r) => [r.index, r.reason])).toEqual([[3, 'not_a_row']]);
    expect(p2.bars).toEqual(bars.slice(0, 6));
  });

  it.each([
    [{ status: 429, retryAfter: '7' }, 'binance', 'rate_limited', 7_000, 'backoff'],
    [{ status: 418, retryAfter: '120' }, 'binance', 'ip_banned', 120_000, 'backoff'],
    [{ status: 451 }, 'binance', 'geo_blocked', undefined, 'halt'],
    [{ status: 403 }, 'binance', 'forbidden', undefined, 'halt'],
    [{ status: 403 }, 'bybit', 'geo_blocked', undefined, 'halt'],
    [{ status: 502 }, 'bybit', 'server', undefined, 'retry'],
  ] as const)('HTTP %o from %s → %s', async (f, target, kind, retryAfterMs, handling) => {
    fake.inject({ kind: 'status', ...f }, { target });
    const p = target === 'binance' ? binance : bybit;
    const err = await p
      .fetchPage({
        symbol: SYM,
        interval: '1m',
        startTime: bars[0]!.time,
        endTime: bars[9]!.time,
        limit: 10,
        now: fake.now,
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ kind, retryAfterMs, status: f.status, handling });
  });

  it('timeouts, invalid JSON, unknown symbols and Bybit retCode errors are classified', async () => {
    const req = {
      symbol: SYM,
      interval: '1m' as const,
      startTime: bars[0]!.time,
      endTime: bars[9]!.time,
      limit: 10,
      now: fake.now,
    };
    fake.inject({ kind: 'hang', ms: 1_000 }, { target: 'binance' });
    await expect(binance.fetchPage(req)).rejects.toMatchObject({ kind: 'timeout' });
    fake.inject({ kind: 'bad-json' }, { target: 'binance' });
    await expect(binance.fetchPage(req)).rejects.toMatchObject({ kind: 'malformed' });
    await expect(binance.fetchPage({ ...req, symbol: 'NOPE' })).rejects.toMatchObject({
      kind: 'bad_request',
      status: 400,
    });
    await expect(bybit.fetchPage({ ...req, symbol: 'NOPE' })).rejects.toMatchObject({ kind: 'bad_request' });
  });

  it('Retry-After: seconds or an HTTP date', () => {
    expect(parseRetryAfter('30')).toBe(30_000);
    expect(parseRetryAfter(new Date(1_000_000 + 5_000).toUTCString(), 1_000_000)).toBe(5_000);
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('row validator reasons', () => {
    expect(checkBar(0, 60_000, '1', '2', '0.5', '1.5', '10', '1m')).toEqual({
      time: 60_000,
      open: 1,
      high: 2,
      low: 0.5,
      close: 1.5,
      volume: 10,
    });
    expect(checkBar(0, 60_001, '1', '2', '0.5', '1.5', '10', '1m')).toMatchObject({ reason: 'misaligned_time' });
    expect(checkBar(0, 'x', '1', '2', '0.5', '1.5', '10', '1m')).toMatchObject({ reason: 'bad_time' });
    expect(checkBar(0, 60_000, '1', '', '0.5', '1.5', '10', '1m')).toMatchObject({ reason: 'bad_number' });
    expect(checkBar(0, 60_000, '1', '1.2', '0.5', '1.5', '10', '1m')).toMatchObject({ reason: 'ohlc_inconsistent' });
    expect(checkBar(0, 60_000, '1', '2', '0.5', '1.5', '-1', '1m')).toMatchObject({ reason: 'negative_volume' });
    // Weekly bars open on Mondays (1970-01-05 was one).
    expect(checkBar(0, Date.UTC(1970, 0, 5), 1, 1, 1, 1, 0, '1w')).toMatchObject({ time: Date.UTC(1970, 0, 5) });
    expect(checkBar(0, Date.UTC(1970, 0, 8), 1, 1, 1, 1, 0, '1w')).toMatchObject({ reason: 'misaligned_time' });
  });
});
