/** The API backfill entry: validation, tracked-symbol lookup, job creation and the queued first chunk, then the chain to done. */
import { afterEach, expect, it } from 'vitest';
import { requestBackfill } from '../../functions/ingest/backfill-api.js';
import { drain } from '../support/sqs-standin.js';
import { startHarness, type Harness } from './harness.js';
import { sseSlice } from './fixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

it('POST backfill: 404 untracked, 400 bad body / empty range, 202 with a job that runs to done', async () => {
  const { bars, endNow } = sseSlice(1_200);
  h = await startHarness({ now: endNow, limits: { maxBarsPerInvocation: 500 } });
  h.fake.setSeries('BTC', '1m', bars);
  const deps = { symbols: h.symbols, jobs: h.jobs, queue: h.queue, now: () => h!.clock.now };
  await expect(requestBackfill('BTC', { interval: '1m', from: bars[0]!.time }, deps)).rejects.toMatchObject({
    statusCode: 404,
  });
  await h.symbols.put({ symbol: 'BTC', provider: 'binance', intervals: ['1m'], providerSymbol: 'BTC', active: true });
  await expect(requestBackfill('BTC', { interval: '2m', from: bars[0]!.time }, deps)).rejects.toMatchObject({
    statusCode: 400,
    message: expect.stringContaining('interval'),
  });
  await expect(requestBackfill('BTC', { interval: '1m', from: endNow + 86_400_000 }, deps)).rejects.toMatchObject({
    statusCode: 400,
    message: expect.stringContaining('empty range'),
  });

  const res = await requestBackfill('BTC', { interval: '1m', from: new Date(bars[0]!.time).toISOString() }, deps);
  expect(res.statusCode).toBe(202);
  expect(res.body.links.job).toBe(`/api/v1/jobs/${res.body.jobId}`);
  const { invocations } = await drain(h.queue, h.clock, h.worker, { batchSize: 1 });
  expect(invocations).toBeGreaterThanOrEqual(3); // bounded chunks of 500
  const job = await h.jobs.get(res.body.jobId);
  expect(job).toMatchObject({ status: 'done', barsDone: 1_200 });
  expect(await h.stored('BTC', '1m')).toEqual(bars);
  // GET /api/v1/jobs/{id} reads the same item through the store's JobRepository.
  const { JobRepository } = await import('../../functions/store/jobs.js');
  const viaJobs = await new JobRepository(h.table.doc, h.table.tableName).get(res.body.jobId);
  expect(viaJobs).toMatchObject({ type: 'backfill', status: 'SUCCEEDED', result: { barsDone: 1_200 } });
});

it('every backfill ends: a provider that keeps failing → FAILED with its error after MAX_RECEIVE_COUNT receives; one at a time per series (409); tracked intervals only (400)', async () => {
  const { MAX_RECEIVE_COUNT } = await import('../../functions/ingest/messages.js');
  const { bars, endNow } = sseSlice(600);
  h = await startHarness({ now: endNow });
  h.fake.setSeries('BTC', '1m', bars);
  h.fake.inject({ kind: 'status', status: 500 }, { target: 'binance', times: 1_000 });
  const deps = { symbols: h.symbols, jobs: h.jobs, queue: h.queue, now: () => h!.clock.now };
  await h.symbols.put({ symbol: 'BTC', provider: 'binance', intervals: ['1m'], providerSymbol: 'BTC', active: true });
  const untracked = requestBackfill('BTC', { interval: '5m', from: bars[0]!.time }, deps);
  await expect(untracked).rejects.toMatchObject({
    statusCode: 400,
    message: expect.stringMatching(/does not track 5m/),
  });
  await expect(untracked).rejects.toMatchObject({ details: [{ field: 'body.interval' }] });

  const res = await requestBackfill('BTC', { interval: '1m', from: bars[0]!.time }, deps);
  const second = requestBackfill('BTC', { interval: '1m', from: bars[100]!.time }, deps);
  await expect(second).rejects.toMatchObject({ statusCode: 409, details: { jobId: res.body.jobId } });
  await expect(second).rejects.toMatchObject({ message: expect.stringContaining(res.body.jobId) });
  expect((await h.jobs.listRunning()).map((j) => j.jobId)).toEqual([res.body.jobId]); // the 409 wrote nothing

  // The worker Lambda with SQS's receive counts (visibility timeouts on the virtual clock).
  await drain(h.queue, h.clock, h.worker);
  expect(h.queue.dlq).toHaveLength(1);
  const job = await h.jobs.get(res.body.jobId);
  expect(job).toMatchObject({
    status: 'failed',
    barsDone: 0,
    lastError: expect.stringMatching(/^binance server: HTTP 500/),
  });
  // Every receive tried the provider twice (one in-invocation retry of a 5xx), and then it stopped.
  expect(h.fake.requests.filter((r) => r.status === 500)).toHaveLength(2 * MAX_RECEIVE_COUNT);
  // The series records the failure (what /health reads) and nothing was stored.
  expect(await h.checkpoints.get('BTC', '1m')).toMatchObject({
    failures: 1,
    lastError: expect.stringMatching(/HTTP 500/),
  });
  expect(await h.stored('BTC', '1m')).toEqual([]);
  const { JobRepository } = await import('../../functions/store/jobs.js');
  expect(await new JobRepository(h.table.doc, h.table.tableName).get(res.body.jobId)).toMatchObject({
    status: 'FAILED',
    error: expect.stringMatching(/HTTP 500/),
  });

  // Ended, so a new backfill of the series is accepted, and with the provider back it completes.
  h.fake.clearFaults();
  const again = await requestBackfill('BTC', { interval: '1m', from: bars[0]!.time }, deps);
  await drain(h.queue, h.clock, h.worker);
  expect(await h.jobs.get(again.body.jobId)).toMatchObject({ status: 'done', barsDone: 600 });
  expect(await h.stored('BTC', '1m')).toEqual(bars);
});

it('requests that arrive together start one backfill: the others get 409 naming it, and nothing of theirs is stored', async () => {
  const { bars, endNow } = sseSlice(300);
  h = await startHarness({ now: endNow });
  h.fake.setSeries('BTC', '1m', bars);
  const deps = { symbols: h.symbols, jobs: h.jobs, queue: h.queue, now: () => h!.clock.now };
  await h.symbols.put({ symbol: 'BTC', provider: 'binance', intervals: ['1m'], providerSymbol: 'BTC', active: true });
  // All eight pass the "is one running?" read before any has written: only the store's lock can tell them apart.
  const results = await Promise.allSettled(
    Array.from({ length: 8 }, () => requestBackfill('BTC', { interval: '1m', from: bars[0]!.time }, deps)),
  );
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Record<string, unknown>] : []));
  expect(started).toHaveLength(1);
  const winner = started[0]!.body.jobId;
  expect(refused).toHaveLength(7);
  for (const e of refused) expect(e).toMatchObject({ statusCode: 409, details: { jobId: winner } });
  expect((await h.jobs.listRunning()).map((j) => j.jobId)).toEqual([winner]);
  await drain(h.queue, h.clock, h.worker);
  expect(await h.jobs.get(winner)).toMatchObject({ status: 'done', barsDone: 300 });
  expect(await h.stored('BTC', '1m')).toEqual(bars);
  // A request that died between claiming the lock and writing its job: held for a grace period, then free.
  const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
  const orphan = (claimedAt: number) =>
    h!.table.doc.send(
      new PutCommand({
        TableName: h!.table.tableName,
        Item: { pk: 'BACKFILL#BTC#1m', sk: 'LOCK', jobId: 'died-before-its-job', claimedAt },
      }),
    );
  await orphan(h.clock.now - 1_000);
  await expect(requestBackfill('BTC', { interval: '1m', from: bars[0]!.time }, deps)).rejects.toMatchObject({
    statusCode: 409,
    details: { jobId: 'died-before-its-job' },
  });
  await orphan(h.clock.now - 120_000);
  expect((await requestBackfill('BTC', { interval: '1m', from: bars[0]!.time }, deps)).statusCode).toBe(202);
  await drain(h.queue, h.clock, h.worker);
  // Another interval of the same symbol is another series: its backfill is not held up by this one's lock.
  await h.symbols.put({
    symbol: 'BTC',
    provider: 'binance',
    intervals: ['1m', '5m'],
    providerSymbol: 'BTC',
    active: true,
  });
  const first = await requestBackfill('BTC', { interval: '1m', from: bars[0]!.time }, deps);
  const other = await requestBackfill('BTC', { interval: '5m', from: bars[0]!.time }, deps);
  expect(first.statusCode).toBe(202);
  expect(other.statusCode).toBe(202);
});

it('a provider that keeps rate-limiting a backfill ends it FAILED after MAX_BACKFILL_BACKOFFS back-offs (it does not wait forever)', async () => {
  const { MAX_BACKFILL_BACKOFFS } = await import('../../functions/ingest/worker.js');
  const { bars, endNow } = sseSlice(300);
  h = await startHarness({ now: endNow });
  h.fake.setSeries('BTC', '1m', bars);
  await h.symbols.put({ symbol: 'BTC', provider: 'binance', intervals: ['1m'], providerSymbol: 'BTC', active: true });
  const deps = { symbols: h.symbols, jobs: h.jobs, queue: h.queue, now: () => h!.clock.now };
  // One good chunk first (progress resets the count), then 429 with a long Retry-After on every call.
  h.fake.inject({ kind: 'status', status: 429, retryAfter: '120' }, { target: 'binance', atRequest: 2, times: 1_000 });
  const res = await requestBackfill('BTC', { interval: '1m', from: bars[0]!.time }, deps);
  h.deps.limits = { ...h.deps.limits, maxBarsPerInvocation: 100 };
  const t0 = h.clock.now;
  await drain(h.queue, h.clock, h.worker);
  const job = await h.jobs.get(res.body.jobId);
  expect(job).toMatchObject({
    status: 'failed',
    barsDone: 100,
    backoffs: MAX_BACKFILL_BACKOFFS,
    lastError: expect.stringMatching(/binance rate_limited: HTTP 429.*10 back-offs in a row/),
  });
  expect(h.queue.dlq).toHaveLength(0); // back-offs do not burn receives; the budget is the count
  // Each back-off waited the provider's Retry-After (virtual clock): bounded, about (N-1) × 120 s.
  expect(h.clock.now - t0).toBeLessThan(MAX_BACKFILL_BACKOFFS * 121_000);
  expect(await h.stored('BTC', '1m')).toEqual(bars.slice(0, 100));
});

it('POST /api/v1/symbols/{symbol}/backfill through the local adapter: key, validation, 202, chunks run in-process to done', async () => {
  const { FakeProvider, retime } = await import('../support/fake-provider.js');
  const { startService } = await import('../support/service.js');
  const { installLocalIngestQueue } = await import('../../local/ingest-queue.js');
  const { setQueueSender } = await import('../../functions/ingest/queue.js');
  const { BackfillJobRepository } = await import('../../functions/store/jobs.js');
  const { createDocClient } = await import('../../functions/store/client.js');
  const { sse1m } = await import('./fixtures.js');

  // 1,200 real SSE minutes re-timed onto the 24/7 grid, the newest closed a few minutes ago.
  const start = Math.floor(Date.now() / 60_000) * 60_000 - 1_205 * 60_000;
  const source = retime(sse1m(), start, 60_000, 1_200);
  const fake = new FakeProvider(Date.now()).useClock(Date.now);
  fake.setSeries('ETHUSDT', '1m', source);
  await fake.start();
  const svc = await startService({
    // Small chunks: the backfill must take several messages (each queues the next).
    env: { BINANCE_BASE_URL: fake.url, INGEST_MAX_BARS_PER_INVOCATION: '500', LOG_LEVEL: 'ERROR' },
  });
  // What `npm start` installs: no SQS locally, chunks run in this process through the real worker.
  const queue = await installLocalIngestQueue({ retryDelayMs: 10 });
  try {
    const post = (path: string, body: unknown, key: string | null = svc.apiKey) =>
      svc.fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
        body: JSON.stringify(body),
      });
    const B = '/api/v1/symbols/ETHUSDT/backfill';
    const range = { interval: '1m', from: new Date(source[0]!.time).toISOString(), to: source.at(-1)!.time };

    expect((await post(B, range, null)).status).toBe(403); // write route: API key
    const untracked = await post(B, range);
    expect(untracked.status).toBe(404);
    expect(((await untracked.json()) as { message: string }).message).toMatch(/not tracked/);

    const put = await svc.fetch('/api/v1/symbols/ETHUSDT', {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-api-key': svc.apiKey },
      body: JSON.stringify({ provider: 'binance', intervals: ['1m'], active: false }),
    });
    expect(put.status).toBe(201);

    const bad = await post(B, { ...range, interval: '2m' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/body\.interval/);

    const res = await post(B, range);
    expect(res.status).toBe(202);
    const body = (await res.json()) as { jobId: string; totalEstimate: number; links: { job: string } };
    expect(body.links.job).toBe(`/api/v1/jobs/${body.jobId}`);
    expect(body.totalEstimate).toBe(1_200);

    await queue.idle();
    expect(queue.deadLetters).toEqual([]);
    expect(queue.processed).toBeGreaterThanOrEqual(3); // bounded chunks of 500
    const jobs = new BackfillJobRepository(createDocClient({ endpoint: svc.table.endpoint }), svc.table.tableName);
    expect(await jobs.get(body.jobId)).toMatchObject({ status: 'done', barsDone: 1_200 });

    const got = await svc.fetch(`/api/v1/klines/ETHUSDT?interval=1m&from=${source[0]!.time}&limit=5000`);
    expect(got.status).toBe(200);
    const served = (await got.json()) as {
      bars: Array<{ ts: number; open: number; high: number; low: number; close: number; volume: number }>;
    };
    expect(
      served.bars.map((b) => ({
        time: b.ts,
        open: b.open,
        high: b.high,
        low: b.low,
        close: b.close,
        volume: b.volume,
      })),
    ).toEqual(source);
  } finally {
    setQueueSender(undefined);
    await svc.stop();
    await fake.stop();
  }
});

it('a deployment with no ingest queue: 500 naming INGEST_QUEUE_URL (retrying cannot help), and the job it recorded is FAILED, not RUNNING', async () => {
  const { startService } = await import('../support/service.js');
  const { setQueueSender } = await import('../../functions/ingest/queue.js');
  setQueueSender(undefined);
  const svc = await startService({ env: { INGEST_QUEUE_URL: '' } });
  try {
    const headers = { 'content-type': 'application/json', 'x-api-key': svc.apiKey };
    const put = await svc.fetch('/api/v1/symbols/ETHUSDT', {
      method: 'PUT',
      headers,
      body: JSON.stringify({ provider: 'binance', intervals: ['1h'] }),
    });
    expect(put.status).toBe(201);
    const r = await svc.fetch('/api/v1/symbols/ETHUSDT/backfill', {
      method: 'POST',
      headers,
      body: JSON.stringify({ interval: '1h', from: '2026-01-01' }),
    });
    expect(r.status).toBe(500);
    expect(await r.json()).toMatchObject({
      error: 'ConfigurationError',
      message: expect.stringMatching(/INGEST_QUEUE_URL is not set/),
    });
    const jobs = (await svc.scanAll()).filter((i) => i.type === 'backfill');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      status: 'FAILED',
      error: expect.stringMatching(/could not queue its first chunk: INGEST_QUEUE_URL/),
    });
  } finally {
    await svc.stop();
  }
});
