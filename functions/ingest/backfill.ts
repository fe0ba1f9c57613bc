/**
 * Starting a backfill (from the API or the CLI): validate the range, create the job record, queue chunk 0.
 * The worker then does one bounded chunk per message and queues the next, so any range is fine.
 *
 * Retention (KLINE_RETENTION_DAYS): bars older than the interval's window would be stamped already expired, so
 * a range entirely older than the window is refused (BackfillRangeError → 400 naming `from`), and a range that
 * starts before it is clamped to the window's first bar, with a `note` saying so.
 */
import { randomUUID } from 'node:crypto';
import type { KlineRetentionDays } from '../store/retention.js';
import { INTERVAL_MS, type IngestInterval } from './intervals.js';
import type { BackfillJob, BackfillJobStore, QueueSender } from './ports.js';
import type { ProviderSpec } from './providers/index.js';
import { ceilToInterval, lastClosedOpenTime, marketOfSource, retentionFloor } from './worker.js';
import { floorToInterval } from './intervals.js';

export interface BackfillRequest {
  symbol: string;
  interval: IngestInterval;
  source: ProviderSpec;
  providerSymbol?: string;
  from: number;
  /** Default: the newest closed bar. */
  to?: number;
}

export class BackfillRangeError extends Error {
  override name = 'BackfillRangeError';
}

/** The job was recorded but its first chunk could not be queued; the job is FAILED (the cause says why). */
export class BackfillQueueError extends Error {
  override name = 'BackfillQueueError';
  constructor(
    readonly jobId: string,
    why: string,
    opts: { cause: unknown },
  ) {
    super(`backfill ${jobId} could not be queued: ${why}`, opts);
  }
}

/** Bars a range can hold at most (exact for markets that trade around the clock). */
export function estimateBars(interval: IngestInterval, from: number, to: number): number {
  return to < from ? 0 : Math.floor((to - from) / INTERVAL_MS[interval]) + 1;
}

export async function startBackfill(
  req: BackfillRequest,
  deps: {
    jobs: BackfillJobStore;
    queue: QueueSender;
    now(): number;
    jobId?: string;
    /** K-line retention per interval; no window when absent. */
    retentionDays?: KlineRetentionDays;
  },
): Promise<BackfillJob & { note?: string }> {
  const now = deps.now();
  let from = ceilToInterval(req.from, req.interval);
  const market = marketOfSource(req.source, req.providerSymbol ?? req.symbol);
  const to = Math.min(floorToInterval(req.to ?? now, req.interval), lastClosedOpenTime(req.interval, now, market));
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new BackfillRangeError('from and to must be times');
  if (to < from)
    throw new BackfillRangeError(
      `empty range: from ${new Date(from).toISOString()} is after the newest closed bar ${new Date(to).toISOString()}`,
    );
  const floor = retentionFloor(req.interval, deps.retentionDays, now);
  const days = deps.retentionDays?.[req.interval];
  let note: string | undefined;
  if (from < floor) {
    const window = `${req.interval} bars are kept ${days} days (KLINE_RETENTION_DAYS); the oldest kept now is ${new Date(floor).toISOString()}`;
    if (to < floor)
      throw new BackfillRangeError(
        `from ${new Date(from).toISOString()}: the whole range is older than the retention window: ${window}`,
      );
    note = `from clamped to ${new Date(floor).toISOString()} (requested ${new Date(from).toISOString()}): ${window}`;
    from = floor;
  }
  const job: BackfillJob = {
    jobId: deps.jobId ?? randomUUID(),
    symbol: req.symbol,
    interval: req.interval,
    source: req.source,
    providerSymbol: req.providerSymbol,
    from,
    to,
    cursor: from,
    seq: 0,
    barsDone: 0,
    totalEstimate: estimateBars(req.interval, from, to),
    status: 'running',
    createdAt: now,
    updatedAt: now,
  };
  await deps.jobs.create(job);
  try {
    await deps.queue.send([{ kind: 'backfill', jobId: job.jobId, seq: 0 }]);
  } catch (e) {
    // A job whose first chunk was never queued would show RUNNING forever: it ends here, with why.
    const why = e instanceof Error ? e.message : String(e);
    await deps.jobs.patch(job.jobId, {
      status: 'failed',
      lastError: `could not queue its first chunk: ${why}`,
      updatedAt: deps.now(),
    });
    throw new BackfillQueueError(job.jobId, why, { cause: e });
  }
  return note === undefined ? job : { ...job, note };
}
