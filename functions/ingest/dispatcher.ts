/**
 * The dispatcher's core: on a schedule tick for an interval family, decide which tracked (symbol, interval)
 * series are due and queue one `sync` message each; restart backfill jobs whose chain stalled; report the
 * ingestion lag (the most stale series' time since its last completed run).
 */
import { INTERVAL_FAMILIES, INTERVAL_MS, type IntervalFamily } from './intervals.js';
import type { IngestMessage } from './messages.js';
import type { IngestMetrics } from './metrics.js';
import type { BackfillJobStore, Checkpoint, CheckpointStore, QueueSender, TrackedSymbolsSource } from './ports.js';
import { lastClosedOpenTime } from './worker.js';

export interface DispatcherDeps {
  tracked: TrackedSymbolsSource;
  checkpoints: CheckpointStore;
  jobs: BackfillJobStore;
  queue: QueueSender;
  metrics: IngestMetrics;
  now(): number;
  /** A queued continuation or a backfill chunk with no progress for this long is considered lost. */
  stallMs: number;
}

export interface DispatchResult {
  queued: number;
  notDue: number;
  paused: number;
  inFlight: number;
  restartedBackfills: number;
  lagSeconds: number;
}

/** Due when a bar has closed since the checkpoint (or the series has no checkpoint: its history starts). */
export function isDue(cp: Checkpoint | undefined, interval: keyof typeof INTERVAL_MS, now: number): boolean {
  if (cp?.nextOpenTime === undefined) return true;
  return cp.nextOpenTime <= lastClosedOpenTime(interval, now);
}

export async function dispatch(family: IntervalFamily, deps: DispatcherDeps): Promise<DispatchResult> {
  const now = deps.now();
  const intervals = new Set<string>(INTERVAL_FAMILIES[family].intervals);
  const tracked = await deps.tracked.listTracked();
  const series = tracked.flatMap((t) =>
    t.intervals.filter((iv) => intervals.has(iv)).map((interval) => ({ t, interval })),
  );
  const cps = new Map(
    (await deps.checkpoints.getMany(series.map((s) => ({ symbol: s.t.symbol, interval: s.interval })))).map((c) => [
      `${c.symbol}#${c.interval}`,
      c,
    ]),
  );

  const messages: IngestMessage[] = [];
  const res: DispatchResult = { queued: 0, notDue: 0, paused: 0, inFlight: 0, restartedBackfills: 0, lagSeconds: 0 };
  for (const { t, interval } of series) {
    const cp = cps.get(`${t.symbol}#${interval}`);
    if ((cp?.backoffUntil ?? 0) > now || (cp?.haltedUntil ?? 0) > now) {
      res.paused++;
    } else if ((cp?.continuationAt ?? 0) > now - deps.stallMs) {
      res.inFlight++; // a worker is still working through a backlog and queued its own continuation
    } else if (!isDue(cp, interval, now)) {
      res.notDue++;
    } else {
      messages.push({
        kind: 'sync',
        symbol: t.symbol,
        interval,
        source: t.source,
        ...(t.providerSymbol ? { providerSymbol: t.providerSymbol } : {}),
        ...(t.historyFrom !== undefined ? { historyFrom: t.historyFrom } : {}),
      });
    }
    // Lag: time since the series last completed a run (a series never run counts from now: it is about to).
    if (cp?.lastRunAt !== undefined) res.lagSeconds = Math.max(res.lagSeconds, Math.round((now - cp.lastRunAt) / 1000));
  }

  // Watchdog: a backfill chain whose next chunk message was lost (worker died after recording the chunk).
  for (const job of await deps.jobs.listRunning()) {
    if (job.updatedAt < now - deps.stallMs) {
      messages.push({ kind: 'backfill', jobId: job.jobId, seq: job.seq });
      await deps.jobs.patch(job.jobId, { updatedAt: now });
      res.restartedBackfills++;
    }
  }

  if (messages.length) await deps.queue.send(messages);
  res.queued = messages.length - res.restartedBackfills;
  deps.metrics.lagSeconds(res.lagSeconds);
  return res;
}
