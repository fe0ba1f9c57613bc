/**
 * POST /api/v1/symbols/{symbol}/backfill  body {interval, from, to?}  →  202 {jobId, …}; progress at
 * GET /api/v1/jobs/{id} (status RUNNING → SUCCEEDED, result {barsDone, totalEstimate, cursor}).
 * The symbol must be tracked with a fetchable provider (one the registry marks ingestible). Retention (KLINE_RETENTION_DAYS):
 * a range entirely older than the interval's window → 400 naming `from`; one starting before it is clamped to the
 * window and the 202 carries a `note` (see backfill.ts). An interval the symbol does not track → 400 (the chart and
 * the schedules could never reach those bars); a backfill of the same symbol and interval still running → 409
 * naming it (two chains would fetch the same bars twice). Meant to be mounted in the
 * symbols handler's route map (one line): `'POST /api/v1/symbols/{symbol}/backfill': ({ params, body }) => requestBackfill(params.symbol, body)`.
 */
import { badRequest, conflict, fromZod, HttpError, notFound, serviceUnavailable } from '../common/errors.js';
import type { SymbolRepository } from '../store/repositories.js';
import type { KlineRetentionDays } from '../store/retention.js';
import { BackfillQueueError, BackfillRangeError, startBackfill } from './backfill.js';
import { BackfillRunningError } from './ports.js';
import { BackfillBodySchema } from './backfill-schema.js';
import { isIngestible } from './providers/index.js';
import type { BackfillJobStore, QueueSender } from './ports.js';

export { BackfillBodySchema };

export interface BackfillApiDeps {
  symbols: Pick<SymbolRepository, 'get'>;
  jobs: BackfillJobStore;
  queue: QueueSender;
  now(): number;
  /** K-line retention per interval (the config's klineRetentionDays); no window when absent. */
  retentionDays?: KlineRetentionDays;
}

const alreadyRunning = (symbol: string, interval: string, jobId: string) =>
  conflict(
    `A backfill of ${symbol} ${interval} is already running: job ${jobId} (GET /api/v1/jobs/${jobId}); wait for it to end`,
    { jobId, links: { job: `/api/v1/jobs/${jobId}` } },
  );

export async function requestBackfill(symbol: string, body: unknown, deps: BackfillApiDeps) {
  const parsed = BackfillBodySchema.safeParse(body);
  if (!parsed.success) throw fromZod('body', parsed.error);
  const tracked = await deps.symbols.get(symbol);
  if (!tracked) throw notFound(`Symbol ${symbol} is not tracked: PUT /api/v1/symbols/${symbol} first`);
  if (!isIngestible(tracked.provider)) {
    throw badRequest(
      `Symbol ${symbol} has provider "${tracked.provider}", which cannot be fetched from; upload bars instead`,
      [{ field: 'provider', message: 'not fetchable' }],
    );
  }
  const interval = parsed.data.interval;
  if (!tracked.intervals.includes(interval)) {
    throw badRequest(
      `Invalid body.interval: ${symbol} does not track ${interval} (it tracks ${tracked.intervals.join(', ') || 'no interval'}); add it with PUT /api/v1/symbols/${symbol} first`,
      [{ field: 'body.interval', message: `not tracked; tracked: ${tracked.intervals.join(', ')}` }],
    );
  }
  const running = (await deps.jobs.listRunning()).find((j) => j.symbol === symbol && j.interval === interval);
  if (running) throw alreadyRunning(symbol, interval, running.jobId);
  const extra = tracked as typeof tracked & { sourceUrl?: string; sourceLabel?: 'start' | 'end' };
  try {
    const job = await startBackfill(
      {
        symbol,
        interval,
        source: {
          provider: tracked.provider,
          sourceUrl: extra.sourceUrl,
          sourceLabel: extra.sourceLabel,
        },
        providerSymbol:
          tracked.providerSymbol && tracked.providerSymbol !== symbol ? tracked.providerSymbol : undefined,
        from: parsed.data.from,
        to: parsed.data.to,
      },
      deps,
    );
    return {
      statusCode: 202,
      body: {
        jobId: job.jobId,
        status: 'RUNNING',
        symbol,
        interval: job.interval,
        from: new Date(job.from).toISOString(),
        to: new Date(job.to).toISOString(),
        totalEstimate: job.totalEstimate,
        links: { job: `/api/v1/jobs/${job.jobId}` },
        ...(job.note === undefined ? {} : { note: job.note }),
      },
    };
  } catch (e) {
    // Two requests at once both pass the check above; the store's lock lets one through and names it to the other.
    if (e instanceof BackfillRunningError) throw alreadyRunning(symbol, interval, e.jobId);
    if (e instanceof BackfillRangeError)
      throw badRequest(`Invalid range: ${e.message}`, [{ field: 'body.from', message: e.message }]);
    if (e instanceof BackfillQueueError) {
      // A deployment without a queue (500, naming what is missing) is not helped by a retry; a failed send is.
      if (e.cause instanceof HttpError) throw e.cause;
      throw serviceUnavailable(`${e.message}; the job is FAILED, try again`, { jobId: e.jobId });
    }
    throw e;
  }
}
