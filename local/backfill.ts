/**
 * Backfill from the command line:
 *
 *   npm run backfill -- --symbol BTCUSDT --interval 1m --from 2024-01-01 [--to 2024-02-01]
 *                       [--provider <an ingestible provider, e.g. binance>] [--provider-symbol BTCUSDT] [--source-url URL] [--remote]
 *
 * Default (local): runs the worker's chunks in this process against DynamoDB — the local runtime's data folder
 * (DATA_DIR, .data; stop `npm start` first, dynalite holds a lock) or the table named by TABLE_NAME at
 * AWS_ENDPOINT_URL_DYNAMODB / your AWS account. `--remote`: creates the job and queues chunk 0 on
 * INGEST_QUEUE_URL, and the deployed workers do the work; this process only follows the job record.
 * Either way it prints bars done / total, rate and ETA after every chunk.
 */
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { parseTime } from '../functions/common/domain.js';
import { isIngestInterval } from '../functions/ingest/intervals.js';
import type { IngestMessage } from '../functions/ingest/messages.js';
import { INGESTIBLE_PROVIDERS, isIngestible } from '../functions/ingest/providers/index.js';
import type { BackfillJob } from '../functions/ingest/ports.js';
import type { WorkerDeps } from '../functions/ingest/worker.js';
import { applyDefaults, DEV_DEFAULTS } from './env.js';

const { values } = parseArgs({
  options: {
    symbol: { type: 'string' },
    interval: { type: 'string', default: '1m' },
    from: { type: 'string' },
    to: { type: 'string' },
    provider: { type: 'string' },
    'provider-symbol': { type: 'string' },
    'source-url': { type: 'string' },
    remote: { type: 'boolean', default: false },
  },
});

function fail(msg: string): never {
  console.error(`backfill: ${msg}`);
  process.exit(2);
}

const symbol = values.symbol?.toUpperCase() ?? fail('--symbol is required');
const interval = values.interval!;
if (!isIngestInterval(interval)) fail(`unknown interval ${interval}`);
const from = parseTime(values.from ?? fail('--from is required (epoch ms, YYYY-MM-DD or ISO date-time)'));
const to = values.to === undefined ? undefined : parseTime(values.to);
if (!Number.isFinite(from) || (to !== undefined && !Number.isFinite(to)))
  fail('--from/--to must be epoch ms, YYYY-MM-DD or ISO date-time');

export function progressLine(
  job: Pick<BackfillJob, 'barsDone' | 'totalEstimate' | 'status' | 'cursor' | 'to'>,
  startedAt: number,
  startBars: number,
  now = Date.now(),
): string {
  const secs = Math.max((now - startedAt) / 1000, 1e-3);
  const rate = (job.barsDone - startBars) / secs;
  const left = Math.max(job.totalEstimate - job.barsDone, 0);
  const eta = job.status === 'running' && rate > 0 ? `${Math.ceil(left / rate)} s` : '-';
  const pct = job.totalEstimate ? ((100 * job.barsDone) / job.totalEstimate).toFixed(1) : '100.0';
  return `${job.barsDone.toLocaleString('en-US')} / ${job.totalEstimate.toLocaleString('en-US')} bars (${pct}%)  ${Math.round(rate).toLocaleString('en-US')} bars/s  ETA ${eta}  at ${new Date(Math.min(job.cursor, job.to)).toISOString()}  [${job.status}]`;
}

/**
 * The store the backfill writes to: without --remote or AWS credentials the local runtime's (dynalite in the data
 * folder, refused while `npm start` holds it); returns how to close it, or undefined for the deployed table.
 */
async function openStore(): Promise<(() => Promise<void>) | undefined> {
  if (
    values.remote ||
    process.env.AWS_ENDPOINT_URL_DYNAMODB ||
    process.env.AWS_PROFILE ||
    process.env.AWS_ACCESS_KEY_ID
  ) {
    applyDefaults({ POWERTOOLS_METRICS_DISABLED: 'true', LOG_LEVEL: 'WARN', SECRET_KEY: DEV_DEFAULTS.SECRET_KEY! });
    return undefined;
  }
  // The local runtime's store.
  applyDefaults(DEV_DEFAULTS);
  const { startDynalite, ensureTable } = await import('./dynalite.js');
  const { lockDataDir, DataDirLockedError } = await import('./lock.js');
  const dataDir = resolve(process.env.DATA_DIR ?? '.data');
  try {
    lockDataDir(dataDir, 'npm run backfill');
  } catch (e) {
    if (!(e instanceof DataDirLockedError)) throw e;
    const api = e.holder.url
      ? `, or backfill through it: curl -X POST ${e.holder.url}/api/v1/symbols/${symbol}/backfill -H 'x-api-key: …' -H 'content-type: application/json' -d '{"interval":"${interval}","from":"${values.from}"}'`
      : '';
    fail(`${e.message}, which holds the local store: stop it first${api}`);
  }
  const db = await startDynalite({ path: join(dataDir, 'dynalite'), thread: true }).catch((e) =>
    fail(`cannot open the local store ${join(dataDir, 'dynalite')}: ${(e as Error).message}`),
  );
  process.env.AWS_ENDPOINT_URL_DYNAMODB = db.endpoint;
  await ensureTable(db.endpoint, process.env.TABLE_NAME!);
  return db.close;
}

/** Runs the backfill's chunks in this process, retrying a failed chunk as the queue would; the job as it ended. */
async function drainLocally(
  pending: IngestMessage[],
  wdeps: WorkerDeps,
  job: BackfillJob,
  startedAt: number,
): Promise<BackfillJob | undefined> {
  let last: BackfillJob | undefined = job;
  const { processMessage, recordFailedTry } = await import('../functions/ingest/worker.js');
  const { MAX_RECEIVE_COUNT } = await import('../functions/ingest/messages.js');
  let failures = 0;
  while (pending.length) {
    const msg = pending.shift()!;
    try {
      await processMessage(msg, wdeps);
      failures = 0;
    } catch (e) {
      // The same budget as the queue's: the last failed try ends the job FAILED with the provider's error.
      const final = ++failures >= MAX_RECEIVE_COUNT;
      await recordFailedTry(msg, e, wdeps, final);
      if (final) {
        last = await wdeps.jobs.get(job.jobId);
        break;
      }
      console.error(
        `chunk failed (${(e as Error).message}); try ${failures + 1} of ${MAX_RECEIVE_COUNT} in ${failures} s`,
      );
      await new Promise((r) => setTimeout(r, failures * 1000));
      pending.unshift(msg);
      continue;
    }
    last = await wdeps.jobs.get(job.jobId);
    if (last) console.log(progressLine(last, startedAt, 0));
  }
  return last;
}

/** Follows a deployed backfill's progress every 5 s until it is no longer running. */
async function followRemote(
  jobs: Pick<WorkerDeps['jobs'], 'get'>,
  job: BackfillJob,
  startedAt: number,
): Promise<BackfillJob | undefined> {
  let last: BackfillJob | undefined = job;
  while (last && last.status === 'running') {
    await new Promise((r) => setTimeout(r, 5000));
    last = await jobs.get(job.jobId);
    if (last) console.log(progressLine(last, startedAt, 0));
  }
  return last;
}

async function main() {
  const closeDb = await openStore();
  process.env.LOG_LEVEL ??= 'WARN';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

  const { getDeps } = await import('../functions/common/deps.js');
  const { startBackfill } = await import('../functions/ingest/backfill.js');
  const runtime = await import('../functions/ingest/runtime.js');
  const tracked = await getDeps().symbols.get(symbol);
  const provider = values.provider ?? tracked?.provider ?? 'binance';
  if (!isIngestible(provider))
    fail(`provider ${provider} cannot be fetched from (use --provider ${INGESTIBLE_PROVIDERS.join('|')})`);
  const source = { provider, ...(values['source-url'] ? { sourceUrl: values['source-url'] } : {}) };
  const providerSymbol =
    values['provider-symbol'] ??
    (tracked?.providerSymbol && tracked.providerSymbol !== symbol ? tracked.providerSymbol : undefined);

  // Local mode: an in-process queue the loop below drains; remote: the deployed queue.
  const pending: IngestMessage[] = [];
  if (!values.remote) runtime.setQueueSender({ send: async (m) => void pending.push(...m) });
  const deps = values.remote ? runtime.buildDispatcherDeps() : runtime.buildWorkerDeps({ logger: undefined });
  const job = await startBackfill(
    { symbol, interval: interval as never, source, providerSymbol, from, to },
    {
      jobs: deps.jobs,
      queue: deps.queue,
      now: Date.now,
      retentionDays: (await import('../functions/common/config.js')).getConfig().klineRetentionDays,
    },
  );
  if (job.note) console.log(`note: ${job.note}`);
  console.log(
    `backfill ${job.jobId}: ${symbol} ${interval} ${new Date(job.from).toISOString()} → ${new Date(job.to).toISOString()} from ${provider}, ~${job.totalEstimate.toLocaleString('en-US')} bars`,
  );
  const startedAt = Date.now();

  const last = values.remote
    ? await followRemote(deps.jobs, job, startedAt)
    : await drainLocally(pending, deps as WorkerDeps, job, startedAt);
  console.log(
    last?.status === 'done'
      ? `done: ${last.barsDone.toLocaleString('en-US')} bars stored`
      : `ended ${last?.status === 'running' ? 'RUNNING' : 'FAILED'}: ${last?.lastError ?? ''}`,
  );
  await closeDb?.();
  process.exit(last?.status === 'done' ? 0 : 1);
}

await main();
