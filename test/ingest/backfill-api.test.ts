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
  const { JobRepository } = await import('../../functions/store/repositories.js');
  const viaJobs = await new JobRepository(h.table.doc, h.table.tableName).get(res.body.jobId);
  expect(viaJobs).toMatchObject({ type: 'backfill', status: 'SUCCEEDED', result: { barsDone: 1_200 } });
});
