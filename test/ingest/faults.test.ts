/**
 * Fault tests: every scenario drives the real worker (SQS event shape, partial batch failures) against dynalite
 * through the in-process queue, and ends with the stored series equal to the source bar for bar.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  UpdateCommand,
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { dispatch } from '../../functions/ingest/dispatcher.js';
import { startBackfill } from '../../functions/ingest/backfill.js';
import type { SyncMessage } from '../../functions/ingest/messages.js';
import { drain } from '../support/sqs-standin.js';
import { startHarness, type Harness } from './harness.js';
import { sseSlice } from './fixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const SYM = '000001.SH';
const sync = (historyFrom: number): SyncMessage => ({
  kind: 'sync',
  symbol: SYM,
  interval: '1m',
  source: { provider: 'binance' },
  historyFrom,
});

async function expectEqualToSource(hh: Harness) {
  const stored = await hh.stored(SYM, '1m');
  const source = hh.fake.closedBars(SYM, '1m');
  expect(stored.length).toBe(source.length);
  expect(stored).toEqual(source);
}

describe('backfill and sync under faults', () => {
  it('provider fails mid-backfill: the chunk is retried from the job cursor, nothing lost or doubled', async () => {
    const { bars, endNow } = sseSlice(4_200);
    h = await startHarness({ now: endNow, limits: { maxBarsPerInvocation: 2_000 } });
    h.fake.setSeries(SYM, '1m', bars);
    // The 3rd provider call (inside the 2nd chunk) fails, and so does its in-invocation retry.
    h.fake.inject({ kind: 'status', status: 500 }, { target: 'binance', atRequest: 3, times: 2 });
    const job = await startBackfill(
      { symbol: SYM, interval: '1m', source: { provider: 'binance' }, from: bars[0]!.time, to: bars.at(-1)!.time },
      { jobs: h.jobs, queue: h.queue, now: () => h!.clock.now },
    );
    await drain(h.queue, h.clock, h.worker);
    await expectEqualToSource(h);
    const done = await h.jobs.get(job.jobId);
    expect(done).toMatchObject({ status: 'done', barsDone: 4_200, totalEstimate: 4_200 });
    expect(h.metrics.errors.map((e) => e.kind)).toEqual(['server']);
    expect(h.queue.dlq).toHaveLength(0);
    // The failed chunk was delivered twice; every chunk was bounded.
    expect(h.fake.requests.filter((r) => r.status === 500)).toHaveLength(2);
  });

  it('the same message delivered three times (sequentially and concurrently) stores every bar once', async () => {
    const { bars, endNow } = sseSlice(2_500);
    h = await startHarness({ now: endNow });
    h.fake.setSeries(SYM, '1m', bars);
    await h.queue.send([sync(bars[0]!.time)]);
    const ev = h.queue.receive(1)!;
    const copies = [ev.Records[0]!, h.queue.duplicate(ev.Records[0]!), h.queue.duplicate(ev.Records[0]!)];
    expect(copies.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['1', '2', '3']);
    const responses = await Promise.all(copies.map((r) => h!.worker({ Records: [r] })));
    for (const [i, r] of responses.entries()) h.queue.complete({ Records: [copies[i]!] }, r);
    await expectEqualToSource(h);
    const cp = await h.checkpoints.get(SYM, '1m');
    expect(cp?.nextOpenTime).toBe(bars.at(-1)!.time + 60_000);

    // A backfill chunk message delivered three times in a row: the 2nd and 3rd are recognised as done.
    const job = await startBackfill(
      { symbol: SYM, interval: '1m', source: { provider: 'binance' }, from: bars[0]!.time, to: bars.at(-1)!.time },
      { jobs: h.jobs, queue: h.queue, now: () => h!.clock.now },
    );
    const bev = h.queue.receive(1)!;
    const r1 = await h.worker(bev);
    const r2 = await h.worker({ Records: [h.queue.duplicate(bev.Records[0]!)] });
    const r3 = await h.worker({ Records: [h.queue.duplicate(bev.Records[0]!)] });
    expect([r1, r2, r3].every((r) => r.batchItemFailures.length === 0)).toBe(true);
    h.queue.complete(bev, r1);
    await drain(h.queue, h.clock, h.worker);
    expect((await h.jobs.get(job.jobId))?.barsDone).toBe(2_500);
    await expectEqualToSource(h);
  });

  it('a worker that dies after the write and before the checkpoint: the redelivery re-fetches, no loss, no duplicate', async () => {
    const { bars, endNow } = sseSlice(3_000);
    h = await startHarness({ now: endNow, limits: { maxBarsPerInvocation: 1_000 } });
    h.fake.setSeries(SYM, '1m', bars);
    // Kill the process between the write and the checkpoint of the 2nd page: the checkpoint write never happens.
    const realAdvance = h.checkpoints.advance.bind(h.checkpoints);
    let advances = 0;
    let died = false;
    h.checkpoints.advance = async (...args) => {
      if (++advances === 2) {
        died = true;
        throw new Error('process killed');
      }
      return realAdvance(...args);
    };
    const storedBeforeDeath: number[] = [];
    await h.queue.send([sync(bars[0]!.time)]);
    const result = await drain(h.queue, h.clock, async (ev) => {
      const r = await h!.worker(ev);
      if (died && storedBeforeDeath.length === 0) {
        storedBeforeDeath.push((await h!.stored(SYM, '1m')).length);
        throw new Error('Runtime exited'); // no response: the whole batch reappears after the visibility timeout
      }
      return r;
    });
    expect(result.crashes).toBe(1);
    expect(storedBeforeDeath[0]).toBe(2_000); // the 2nd page was written, its checkpoint was not
    await expectEqualToSource(h);
    expect((await h.checkpoints.get(SYM, '1m'))?.nextOpenTime).toBe(bars.at(-1)!.time + 60_000);
    const series = await h.klines.getSeries(SYM, '1m');
    expect(series?.count).toBe(3_000);
  });

  it('DynamoDB UnprocessedItems: retried inside the write; when it persists the message fails and is redelivered', async () => {
    const { bars, endNow } = sseSlice(1_500);
    let batchCalls = 0;
    let persistFor = 0;
    h = await startHarness({
      now: endNow,
      doc: (real) => {
        const mocked = DynamoDBDocumentClient.from(
          new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
        );
        const m = mockClient(mocked);
        m.on(BatchWriteCommand).callsFake(async (input: BatchWriteCommand['input']) => {
          batchCalls++;
          const [tableName, reqs] = Object.entries(input.RequestItems!)[0]!;
          // While `persistFor` > 0 DynamoDB takes nothing (sustained throttling).
          if (persistFor > 0) {
            persistFor--;
            return { UnprocessedItems: { [tableName]: reqs } };
          }
          // Every 3rd call DynamoDB takes only the first half.
          if (batchCalls % 3 === 0) {
            const half = Math.ceil(reqs.length / 2);
            await real.send(new BatchWriteCommand({ RequestItems: { [tableName]: reqs.slice(0, half) } }));
            return { UnprocessedItems: reqs.length > half ? { [tableName]: reqs.slice(half) } : {} };
          }
          return real.send(new BatchWriteCommand(input));
        });
        m.on(QueryCommand).callsFake((i) => real.send(new QueryCommand(i)));
        m.on(GetCommand).callsFake((i) => real.send(new GetCommand(i)));
        m.on(PutCommand).callsFake((i) => real.send(new PutCommand(i)));
        m.on(UpdateCommand).callsFake((i) => real.send(new UpdateCommand(i)));
        return mocked;
      },
    });
    h.fake.setSeries(SYM, '1m', bars);
    await h.queue.send([sync(bars[0]!.time)]);
    // First run: partial batches are retried until written.
    await drain(h.queue, h.clock, h.worker);
    await expectEqualToSource(h);
    expect(batchCalls).toBeGreaterThan(Math.ceil(1_500 / 25));

    // Now DynamoDB keeps refusing past the retry budget (8 attempts) on a new page of bars.
    h.fake.setSeries(SYM, '1m', sseSlice(2_500).bars);
    h.clock.now = h.fake.now = sseSlice(2_500).endNow;
    // Refused until reset below, however many BatchWriteItem calls the store keeps in flight.
    persistFor = Infinity;
    await h.queue.send([sync(bars[0]!.time)]);
    const ev = h.queue.receive(1)!;
    const r = await h.worker(ev);
    expect(r.batchItemFailures).toEqual([{ itemIdentifier: ev.Records[0]!.messageId }]);
    h.queue.complete(ev, r);
    // The checkpoint did not move past what was durably written.
    expect((await h.checkpoints.get(SYM, '1m'))?.nextOpenTime).toBe(bars.at(-1)!.time + 60_000);
    persistFor = 0;
    await drain(h.queue, h.clock, h.worker);
    await expectEqualToSource(h);
  });

  it('a malformed row stops the run before it; the message is retried and the series completes', async () => {
    const { bars, endNow } = sseSlice(1_800);
    h = await startHarness({ now: endNow });
    h.fake.setSeries(SYM, '1m', bars);
    h.fake.inject({ kind: 'bad-row', row: 400, corrupt: 'ohlc' }, { target: 'binance', atRequest: 2 });
    await h.queue.send([sync(bars[0]!.time)]);
    const ev = h.queue.receive()!;
    const r = await h.worker(ev);
    expect(r.batchItemFailures).toHaveLength(1);
    h.queue.complete(ev, r);
    // Stored: page 1 (1000) and page 2 up to the bad row (400); the checkpoint sits on the bad row.
    expect((await h.stored(SYM, '1m')).length).toBe(1_400);
    expect((await h.checkpoints.get(SYM, '1m'))?.nextOpenTime).toBe(bars[1_400]!.time);
    expect(h.metrics.rejected.map((x) => x.reason)).toEqual(['ohlc_inconsistent']);
    expect(h.metrics.errors.map((x) => x.kind)).toEqual(['malformed']);
    await drain(h.queue, h.clock, h.worker);
    await expectEqualToSource(h);
  });

  it('the forming last bar is never stored; it is stored with its final values once closed', async () => {
    const { bars } = sseSlice(300);
    const formingAt = bars[299]!.time + 20_000; // 20 s into the last bar
    h = await startHarness({ now: formingAt });
    h.fake.setSeries(SYM, '1m', bars);
    await h.queue.send([sync(bars[0]!.time)]);
    await drain(h.queue, h.clock, h.worker);
    let stored = await h.stored(SYM, '1m');
    expect(stored.length).toBe(299);
    expect(stored.at(-1)!.time).toBe(bars[298]!.time);
    // The minute ends; the next tick stores the bar with its final values (not the partial ones served before).
    h.clock.now = h.fake.now = bars[299]!.time + 61_000;
    await h.queue.send([sync(bars[0]!.time)]);
    await drain(h.queue, h.clock, h.worker);
    stored = await h.stored(SYM, '1m');
    expect(stored.at(-1)).toEqual(bars[299]);
    await expectEqualToSource(h);
  });

  it('429 with a short Retry-After is waited out inline; a long one and 418 pause the series; 451 halts it', async () => {
    const { bars, endNow } = sseSlice(1_200);
    h = await startHarness({ now: endNow });
    h.fake.setSeries(SYM, '1m', bars);
    await h.symbols.put({ symbol: SYM, provider: 'binance', intervals: ['1m'], active: true });
    await h.table.doc.send(
      new UpdateCommand({
        TableName: h.table.tableName,
        Key: { pk: 'SYMBOLS', sk: SYM },
        UpdateExpression: 'SET historyFrom = :f',
        ExpressionAttributeValues: { ':f': bars[0]!.time },
      }),
    );

    h.fake.inject({ kind: 'status', status: 429, retryAfter: '1' }, { target: 'binance' });
    await dispatch('minute', h.dispatcherDeps);
    await drain(h.queue, h.clock, h.worker);
    expect((await h.stored(SYM, '1m')).length).toBe(1_200);
    expect(h.metrics.errors).toEqual([]); // waited out inside the invocation, not a failure

    // New bars, a long 429: the series is paused until Retry-After, the message is not burned.
    const more = sseSlice(1_300);
    h.fake.setSeries(SYM, '1m', more.bars);
    h.clock.now = h.fake.now = more.endNow;
    h.fake.inject({ kind: 'status', status: 429, retryAfter: '120' }, { target: 'binance', times: 2 });
    await dispatch('minute', h.dispatcherDeps);
    await drain(h.queue, h.clock, h.worker);
    let cp = await h.checkpoints.get(SYM, '1m');
    expect(cp?.backoffUntil).toBe(h.clock.now + 120_000);
    expect(h.metrics.errors.map((e) => e.kind)).toEqual(['rate_limited']);
    expect((await dispatch('minute', h.dispatcherDeps)).paused).toBe(1);
    h.clock.now = h.fake.now = h.clock.now + 121_000;
    h.fake.clearFaults();
    h.fake.inject({ kind: 'status', status: 418, retryAfter: '600' }, { target: 'binance' });
    await dispatch('minute', h.dispatcherDeps);
    await drain(h.queue, h.clock, h.worker);
    cp = await h.checkpoints.get(SYM, '1m');
    expect(cp?.backoffUntil).toBe(h.clock.now + 600_000);
    expect(h.metrics.errors.at(-1)?.kind).toBe('ip_banned');

    h.clock.now = h.fake.now = h.clock.now + 601_000;
    h.fake.inject({ kind: 'status', status: 451 }, { target: 'binance' });
    await dispatch('minute', h.dispatcherDeps);
    await drain(h.queue, h.clock, h.worker);
    cp = await h.checkpoints.get(SYM, '1m');
    expect(cp?.haltedUntil).toBeGreaterThan(h.clock.now);
    expect(cp?.lastError).toMatch(/geo_blocked/);
    expect(h.queue.dlq).toHaveLength(0);

    // After the halt window, ingestion resumes from the checkpoint.
    h.clock.now = h.fake.now = cp!.haltedUntil! + 1;
    await dispatch('minute', h.dispatcherDeps);
    await drain(h.queue, h.clock, h.worker);
    await expectEqualToSource(h);
  });

  it('a permanent provider failure ends in the DLQ after maxReceiveCount, the checkpoint not moved but the failures counted', async () => {
    const { bars, endNow } = sseSlice(500);
    h = await startHarness({ now: endNow });
    h.fake.setSeries(SYM, '1m', bars);
    h.fake.inject({ kind: 'status', status: 503 }, { target: 'binance', times: 1_000 });
    await h.queue.send([sync(bars[0]!.time)]);
    await drain(h.queue, h.clock, h.worker);
    expect(h.queue.dlq).toHaveLength(1);
    expect(JSON.parse(h.queue.dlq[0]!.body)).toMatchObject({ kind: 'sync', symbol: SYM });
    // No position was claimed; each failed run is counted with its reason (/health reads them).
    expect(await h.checkpoints.get(SYM, '1m')).toMatchObject({
      nextOpenTime: undefined,
      failures: 5,
      lastError: expect.stringMatching(/binance server: HTTP 503/),
    });
    expect(h.metrics.errors.length).toBe(5);
    // Redrive from the DLQ once the provider recovers.
    h.fake.clearFaults();
    await h.queue.send([JSON.parse(h.queue.dlq[0]!.body)]);
    await drain(h.queue, h.clock, h.worker);
    await expectEqualToSource(h);
  });

  it('a provider timeout is retried by the queue', async () => {
    const { bars, endNow } = sseSlice(300);
    h = await startHarness({ now: endNow });
    h.fake.setSeries(SYM, '1m', bars);
    h.fake.inject({ kind: 'hang', ms: 2_500 }, { target: 'binance', times: 2 });
    await h.queue.send([sync(bars[0]!.time)]);
    await drain(h.queue, h.clock, h.worker);
    expect(h.metrics.errors.map((e) => e.kind)).toEqual(['timeout']);
    await expectEqualToSource(h);
  });

  it('gaps: a hole the provider fills late is detected once settled and filled', async () => {
    const { bars } = sseSlice(600);
    // A hole in the last hour before the clock (the exchange has not published those minutes yet).
    const holed = [...bars.slice(0, 560), ...bars.slice(590)];
    const t0 = bars[599]!.time + 65_000;
    h = await startHarness({ now: t0, limits: { settleMs: 60 * 60_000 } });
    h.fake.setSeries(SYM, '1m', holed);
    await h.queue.send([sync(bars[0]!.time)]);
    await drain(h.queue, h.clock, h.worker);
    expect((await h.stored(SYM, '1m')).length).toBe(570);
    // The exchange repairs its data; two hours later the region is settled and the next run verifies it.
    h.fake.setSeries(SYM, '1m', bars);
    h.clock.now = h.fake.now = t0 + 2 * 3_600_000;
    await h.queue.send([sync(bars[0]!.time)]);
    await drain(h.queue, h.clock, h.worker);
    await expectEqualToSource(h);
    // Market-closed stretches (lunch, overnight) were asked once and stay empty; verification moved on.
    const cp = await h.checkpoints.get(SYM, '1m');
    expect(cp?.verifiedThrough).toBe(cp?.nextOpenTime);
    const before = h.fake.requests.length;
    await h.queue.send([sync(bars[0]!.time)]);
    await drain(h.queue, h.clock, h.worker);
    // One poll for new bars (the market is closed: none), and no gap re-verification of settled history.
    expect(h.fake.requests.length - before).toBe(1);
  });

  it('a backfill over a range with deleted bars restores them (explicit repair)', async () => {
    const { bars, endNow } = sseSlice(1_000);
    h = await startHarness({ now: endNow });
    h.fake.setSeries(SYM, '1m', bars);
    await h.queue.send([sync(bars[0]!.time)]);
    await drain(h.queue, h.clock, h.worker);
    const { klinePk, klineSk, bucketId } = await import('../../functions/store/buckets.js');
    for (const b of bars.slice(100, 110)) {
      await h.table.doc.send(
        new BatchWriteCommand({
          RequestItems: {
            [h.table.tableName]: [
              { DeleteRequest: { Key: { pk: klinePk(SYM, '1m', bucketId('day', b.time)), sk: klineSk(b.time) } } },
            ],
          },
        }),
      );
    }
    expect((await h.stored(SYM, '1m')).length).toBe(990);
    await startBackfill(
      { symbol: SYM, interval: '1m', source: { provider: 'binance' }, from: bars[50]!.time, to: bars[150]!.time },
      { jobs: h.jobs, queue: h.queue, now: () => h!.clock.now },
    );
    await drain(h.queue, h.clock, h.worker);
    await expectEqualToSource(h);
  });
});
