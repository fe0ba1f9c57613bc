/**
 * End to end, with the real handlers on real time: a symbol is tracked through the API, a scheduled
 * EventBridge event reaches the dispatcher handler, its SQS messages reach the worker handler (exact SQS event
 * shape, through the in-process queue), the worker fetches from the fake Binance, and the API then serves
 * exactly the source's closed bars.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDocClient } from '../../functions/store/client.js';
import { CheckpointRepository } from '../../functions/store/checkpoints.js';
import { setQueueSender } from '../../functions/ingest/runtime.js';
import { FakeProvider, retime } from '../support/fake-provider.js';
import { startService, type TestService } from '../support/service.js';
import { drain, InProcessQueue } from '../support/sqs-standin.js';
import { scheduledEvent } from './harness.js';
import { sse1m } from './fixtures.js';

let svc: TestService;
let fake: FakeProvider;
const clock = { now: Date.now() };
const queue = new InProcessQueue({ clock });

beforeAll(async () => {
  // 1,500 real SSE minutes re-timed onto the 24/7 grid so that the newest one is forming right now.
  const start = Math.floor(Date.now() / 60_000) * 60_000 - 1_499 * 60_000;
  fake = new FakeProvider(Date.now()).useClock(Date.now);
  fake.setSeries('BTCUSDT', '1m', retime(sse1m(), start, 60_000, 1_500));
  await fake.start();
  svc = await startService({
    env: { BINANCE_BASE_URL: fake.url, INGEST_QUEUE_URL: 'https://sqs.invalid/unused', LOG_LEVEL: 'ERROR' },
  });
  setQueueSender(queue);
});

afterAll(async () => {
  setQueueSender(undefined);
  await svc?.stop();
  await fake?.stop();
});

it('scheduled event → dispatcher → queue → worker → DynamoDB → API, bar for bar', async () => {
  const put = await svc.fetch('/api/v1/symbols/BTCUSDT', {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'x-api-key': svc.apiKey },
    body: JSON.stringify({ provider: 'binance', intervals: ['1m', '1h'] }),
  });
  expect(put.status).toBeLessThan(300);

  const { handler: dispatcher } = await import('../../functions/ingest/dispatch-handler.js');
  const { handler: worker } = await import('../../functions/ingest/worker-handler.js');
  const tick = Date.now();
  const result = await dispatcher(scheduledEvent('minute', tick) as never);
  // The minute family covers 1m (due: never ingested); 1h belongs to another schedule.
  expect(result).toMatchObject({ queued: 1 });
  const body = JSON.parse(queue.messages[0]!.body);
  expect(body).toMatchObject({ kind: 'sync', symbol: 'BTCUSDT', interval: '1m', source: { provider: 'binance' } });

  clock.now = Date.now();
  await drain(queue, clock, (e) => worker(e));
  expect(queue.dlq).toHaveLength(0);

  const cp = await new CheckpointRepository(createDocClient({ endpoint: svc.table.endpoint }), svc.table.tableName).get(
    'BTCUSDT',
    '1m',
  );
  expect(cp?.nextOpenTime).toBeGreaterThanOrEqual(Math.floor(tick / 60_000) * 60_000); // up to the bar closed at the tick
  const expected = fake.getSeries('BTCUSDT', '1m').filter((b) => b.time < cp!.nextOpenTime!);
  expect(expected.length).toBeGreaterThanOrEqual(1_499);

  const res = await svc.fetch(`/api/v1/klines/BTCUSDT?interval=1m&from=${expected[0]!.time}&limit=5000`);
  expect(res.status).toBe(200);
  const served = (await res.json()) as {
    bars: Array<{ ts: number; open: number; high: number; low: number; close: number; volume: number }>;
  };
  expect(
    served.bars.map((b) => ({ time: b.ts, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume })),
  ).toEqual(expected);
  // The forming bar is not there.
  expect(served.bars.at(-1)!.ts).toBeLessThan(Math.floor(Date.now() / 60_000) * 60_000);
});

it('the local runtime allows plain-http URL sources (its fake servers): tracked through the API and ingested', async () => {
  const start = Math.floor(Date.now() / 300_000) * 300_000 - 99 * 300_000;
  fake.setSeries('ETHCSV', '5m', retime(sse1m(), start, 300_000, 100));
  const sourceUrl = `${fake.url}/files/{symbol}_{interval}.csv`;
  expect(sourceUrl).toMatch(/^http:\/\/127\.0\.0\.1:/);
  const put = await svc.fetch('/api/v1/symbols/ETHCSV', {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'x-api-key': svc.apiKey },
    body: JSON.stringify({ provider: 'url', intervals: ['5m'], sourceUrl }),
  });
  expect(put.status, await put.clone().text()).toBe(201);

  const { handler: dispatcher } = await import('../../functions/ingest/dispatch-handler.js');
  const { handler: worker } = await import('../../functions/ingest/worker-handler.js');
  await dispatcher(scheduledEvent('minute', Date.now()) as never);
  clock.now = Date.now();
  await drain(queue, clock, (e) => worker(e));
  expect(queue.dlq).toHaveLength(0);

  const res = await svc.fetch(`/api/v1/klines/ETHCSV?interval=5m&from=${start}&limit=5000`);
  expect(res.status).toBe(200);
  const served = (await res.json()) as { bars: Array<{ ts: number; close: number }> };
  const closed = fake.closedBars('ETHCSV', '5m');
  expect(closed.length).toBeGreaterThanOrEqual(99);
  expect(served.bars.map((b) => [b.ts, b.close])).toEqual(closed.map((b) => [b.time, b.close]));
});
