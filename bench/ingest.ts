/**
 * Ingestion bench: a backfill of 100,000 one-minute bars (real SSE minutes re-timed onto a 24/7 grid) from the
 * fake Binance server into dynalite, through the real worker, adapters and store, in bounded chunks re-queued
 * through the in-process SQS stand-in. Reports bars/s and DynamoDB write requests per 1,000 bars.
 */
import { startBackfill } from '../functions/ingest/backfill.js';
import { retime } from '../test/support/fake-provider.js';
import { drain } from '../test/support/sqs-standin.js';
import { sse1m } from '../test/ingest/fixtures.js';
import { startHarness } from '../test/ingest/harness.js';

const WRITE_COMMANDS = new Set([
  'BatchWriteCommand',
  'BatchWriteItemCommand',
  'PutCommand',
  'PutItemCommand',
  'UpdateCommand',
  'UpdateItemCommand',
  'DeleteCommand',
  'DeleteItemCommand',
]);

export async function benchIngest(): Promise<string[]> {
  const N = 100_000;
  const start = Date.UTC(2024, 0, 1);
  const bars = retime(sse1m(), start, 60_000, N);
  const now = start + N * 60_000 + 5_000;
  const counts = { writes: 0, batchWrites: 0, reads: 0 };
  // The store on its own thread, as `npm start` runs it and as the upload bench measures: the two compare.
  const h = await startHarness({
    now,
    dbThread: true,
    doc: (real) => {
      real.middlewareStack.add(
        (next, context) => async (args) => {
          const name = String(context.commandName);
          if (WRITE_COMMANDS.has(name)) counts.writes++;
          else counts.reads++;
          if (name.startsWith('BatchWrite')) counts.batchWrites++;
          return next(args);
        },
        { step: 'initialize', name: 'countRequests' },
      );
      return real;
    },
  });
  try {
    h.fake.setSeries('BENCH', '1m', bars);
    const t0 = performance.now();
    const job = await startBackfill(
      { symbol: 'BENCH', interval: '1m', source: { provider: 'binance' }, from: start, to: bars.at(-1)!.time },
      { jobs: h.jobs, queue: h.queue, now: () => h.clock.now },
    );
    const { invocations } = await drain(h.queue, h.clock, h.worker, { batchSize: 1 });
    const secs = (performance.now() - t0) / 1000;
    const done = await h.jobs.get(job.jobId);
    const meta = await h.klines.getSeries('BENCH', '1m');
    if (done?.status !== 'done' || meta?.count !== N)
      throw new Error(`bench backfill incomplete: ${done?.status} ${meta?.count}`);
    return [
      `ingest backfill: ${N.toLocaleString('en-US')} 1m bars, fake Binance → dynalite (on a worker thread) in ${secs.toFixed(1)} s = ${Math.round(N / secs).toLocaleString('en-US')} bars/s (${invocations} worker invocations of ≤ ${h.deps.limits.maxBarsPerInvocation} bars, ${h.fake.requests.length} provider calls)`,
      `ingest DynamoDB write requests per 1,000 bars: ${((counts.writes / N) * 1000).toFixed(1)} (${counts.batchWrites} BatchWriteItem of ≤ 25 + ${counts.writes - counts.batchWrites} checkpoint/job/series updates; ${((counts.reads / N) * 1000).toFixed(1)} read requests per 1,000 bars)`,
    ];
  } finally {
    await h.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchIngest()) console.log(line);
}
