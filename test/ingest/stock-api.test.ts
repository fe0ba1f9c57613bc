/**
 * Stock symbols through the API with the real handlers (local adapter, dynalite, in-process queue), against the
 * fake Eastmoney / Yahoo / Tushare: PUT /symbols, a backfill through the API that stores unadjusted bars and the
 * factors, the dispatcher scheduling them, GET /analysis?adjust=qfq, and the 400s a stock provider adds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setQueueSender } from '../../functions/ingest/runtime.js';
import { FAKE_TUSHARE_TOKEN, FakeProvider } from '../support/fake-provider.js';
import { startService, type TestService } from '../support/service.js';
import { drain, InProcessQueue } from '../support/sqs-standin.js';
import { scheduledEvent } from './harness.js';
import { aapl2020, CN_ACTIONS, pingAn2016, US_ACTIONS } from './stock-fixtures.js';

let svc: TestService;
let fake: FakeProvider;
const clock = { now: Date.now() };
const queue = new InProcessQueue({ clock });
const CN = pingAn2016();

beforeAll(async () => {
  fake = new FakeProvider(Date.now()).useClock(Date.now);
  fake.setSeries('600519.SH', '1d', CN).setActions('600519.SH', CN_ACTIONS);
  fake.setSeries('AAPL', '1d', aapl2020()).setActions('AAPL', US_ACTIONS);
  await fake.start();
  svc = await startService({
    env: {
      EASTMONEY_BASE_URL: fake.url,
      YAHOO_BASE_URL: fake.url,
      TUSHARE_BASE_URL: fake.url,
      TUSHARE_TOKEN: '',
      INGEST_QUEUE_URL: 'https://sqs.invalid/unused',
    },
  });
  setQueueSender(queue);
});
afterAll(async () => {
  setQueueSender(undefined);
  delete process.env.TUSHARE_TOKEN;
  await svc?.stop();
  await fake?.stop();
});

const put = (symbol: string, body: unknown) =>
  svc.fetch(`/api/v1/symbols/${symbol}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'x-api-key': svc.apiKey },
    body: JSON.stringify(body),
  });

async function backfill(symbol: string, from: string, to: string) {
  const r = await svc.fetch(`/api/v1/symbols/${symbol}/backfill`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': svc.apiKey },
    body: JSON.stringify({ interval: '1d', from, to }),
  });
  expect(r.status, await r.clone().text()).toBe(202);
  const { handler: worker } = await import('../../functions/ingest/worker-handler.js');
  clock.now = Date.now();
  await drain(queue, clock, (e) => worker(e));
  expect(queue.dlq).toHaveLength(0);
  const job = await svc.fetch(((await r.json()) as { links: { job: string } }).links.job);
  return (await job.json()) as { status: string };
}

describe('A-share through the API', () => {
  it('PUT 600519.SH with eastmoney, backfill, schedule, and GET /analysis?adjust=qfq', async () => {
    expect((await put('600519.SH', { provider: 'eastmoney', intervals: ['1d'] })).status).toBe(201);
    expect(await backfill('600519.SH', '2016-01-01', '2016-12-31')).toMatchObject({ status: 'SUCCEEDED' });

    const none = await svc.fetch('/api/v1/klines/600519.SH?interval=1d&adjust=none&limit=1000');
    const bars = ((await none.json()) as { bars: Array<{ ts: number; close: number }> }).bars;
    expect(bars.map((b) => [b.ts, b.close])).toEqual(CN.map((b) => [b.time, b.close]));

    const { handler: worker } = await import('../../functions/ingest/worker-handler.js');
    const { handler: dispatcher } = await import('../../functions/ingest/dispatch-handler.js');
    // The schedule picks the series up (its checkpoint starts where history begins) and keeps the factors current.
    await dispatcher(scheduledEvent('daily', Date.now()) as never);
    clock.now = Date.now();
    await drain(queue, clock, (e) => worker(e));
    expect(queue.dlq).toHaveLength(0);

    const a = await svc.fetch('/api/v1/analysis/600519.SH?interval=1d&adjust=qfq');
    expect(a.status, await a.clone().text()).toBe(200);
    expect(a.headers.get('x-adjust')).toBe('qfq');
    const q = await svc.fetch('/api/v1/klines/600519.SH?interval=1d&limit=1000');
    expect(q.headers.get('x-adjust')).toBe('qfq'); // the default once the symbol has factors
    const qfq = ((await q.json()) as { bars: Array<{ close: number }> }).bars;
    const ex = CN.findIndex((b) => new Date(b.time).toISOString().startsWith('2016-06-16'));
    expect(qfq.at(-1)!.close).toBe(CN.at(-1)!.close);
    expect(qfq[ex - 1]!.close).toBeLessThan(CN[ex - 1]!.close * 0.85); // 10转2: history scaled to today's shares
  });

  it('refuses what a stock provider cannot serve, naming the field', async () => {
    const bad = async (symbol: string, body: unknown, field: string, text: RegExp) => {
      const r = await put(symbol, body);
      expect(r.status).toBe(400);
      const b = (await r.json()) as { message: string; details: Array<{ field: string }> };
      expect(b.details[0]!.field).toBe(field);
      expect(b.message).toMatch(text);
    };
    await bad('600519', { provider: 'eastmoney', intervals: ['1d'] }, 'body.providerSymbol', /not an A-share code/);
    await bad('600519.SH', { provider: 'eastmoney', intervals: ['1h'] }, 'body.intervals', /track 30m/);
    await bad('000001.SZ', { provider: 'tushare', intervals: ['1d'] }, 'body.provider', /TUSHARE_TOKEN/);
    process.env.TUSHARE_TOKEN = FAKE_TUSHARE_TOKEN;
    expect((await put('000001.SZ', { provider: 'tushare', intervals: ['1d'] })).status).toBe(201);
  });
});

describe('US through the API', () => {
  it('PUT AAPL with yahoo and backfill: unadjusted bars, qfq equal to adjclose-style history', async () => {
    expect((await put('AAPL', { provider: 'yahoo', intervals: ['1d'] })).status).toBe(201);
    expect(await backfill('AAPL', '2020-01-01', '2021-03-31')).toMatchObject({ status: 'SUCCEEDED' });
    const r = await svc.fetch('/api/v1/klines/AAPL?interval=1d&adjust=none&limit=1000');
    const closes = ((await r.json()) as { bars: Array<{ close: number }> }).bars.map((b) => b.close);
    expect(closes.length).toBe(aapl2020().length);
    expect(closes[0]).toBeGreaterThan(250); // before the 4:1 split, as traded
  });
});

it('the OpenAPI document lists the stock providers and adjust', async () => {
  const doc = (await (await svc.fetch('/api/v1/openapi.json')).json()) as {
    paths: Record<string, Record<string, { parameters?: Array<{ name: string; schema: { enum?: string[] } }> }>>;
    components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }> }> };
  };
  const adjust = doc.paths['/api/v1/analysis/{symbol}']!.get!.parameters!.find((p) => p.name === 'adjust');
  expect(adjust?.schema.enum).toEqual(['none', 'qfq', 'hfq']);
  expect(doc.components.schemas.TrackSymbolRequest!.properties.provider!.enum).toEqual(
    expect.arrayContaining(['eastmoney', 'tushare', 'yahoo']),
  );
});
