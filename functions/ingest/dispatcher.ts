/**
 * The dispatcher's core: on a schedule tick for an interval family, decide which tracked (symbol, interval)
 * series are due and queue one `sync` message each; restart backfill jobs whose chain stalled; report the
 * ingestion lag (how far the most overdue tracked series is behind its schedule, see `overdueSeconds`).
 */
import { INTERVAL_FAMILIES, INTERVAL_MS, type IntervalFamily } from './intervals.js';
import type { IngestMessage } from './messages.js';
import type { IngestMetrics } from './metrics.js';
import type { BackfillJobStore, Checkpoint, CheckpointStore, QueueSender, TrackedSymbolsSource } from './ports.js';
import { lastClosedOpenTime } from './worker.js';
import { firstBarCloseAfter, marketOf, type MarketId } from '../common/market-calendar.js';

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

/**
 * Due when a bar has closed since the checkpoint (or the series has no checkpoint: its history starts). A stock
 * market is due only once a session has produced that bar: nights, weekends and holidays cost no fetch.
 */
export function isDue(
  cp: Checkpoint | undefined,
  interval: keyof typeof INTERVAL_MS,
  now: number,
  market: MarketId = 'crypto',
): boolean {
  if (cp?.nextOpenTime === undefined) return true;
  if (cp.nextOpenTime > lastClosedOpenTime(interval, now, market)) return false;
  return market === 'crypto' || firstBarCloseAfter(market, interval, cp.nextOpenTime, now) !== undefined;
}

/**
 * How late a series' next run is, in whole seconds: a healthy series runs once per bar, so its last run is at most
 * one interval old when the next is due; only the time beyond that is lag. A stock series is late only from when
 * its market produced the next bar: a closed market (night, weekend, holiday) is no lag, so IngestionLag stays
 * quiet. Floored at 0. A series never run counts as on time: its first run is being queued now.
 */
export function overdueSeconds(
  cp: Checkpoint | undefined,
  interval: keyof typeof INTERVAL_MS,
  now: number,
  market: MarketId = 'crypto',
): number {
  if (cp?.lastRunAt === undefined) return 0;
  let since = cp.lastRunAt + INTERVAL_MS[interval];
  if (market !== 'crypto' && cp.nextOpenTime !== undefined) {
    const close = firstBarCloseAfter(market, interval, cp.nextOpenTime, now);
    if (close === undefined) return 0;
    since = Math.max(since, close);
  }
  return Math.max(0, Math.round((now - since) / 1000));
}

export async function dispatch(family: IntervalFamily, deps: DispatcherDeps): Promise<DispatchResult> {
  const now = deps.now();
  const intervals = new Set<string>(INTERVAL_FAMILIES[family].intervals);
  const tracked = await deps.tracked.listTracked();
  // Every tracked series, not only this family's: the lag below covers them all on every tick, so the minute
  // schedule reports a stalled daily series in every 5-minute alarm period, not once an hour. (The checkpoint
  // store reads the whole checkpoint partition either way.)
  const all = tracked.flatMap((t) => t.intervals.map((interval) => ({ t, interval })));
  const cps = new Map(
    (await deps.checkpoints.getMany(all.map((s) => ({ symbol: s.t.symbol, interval: s.interval })))).map((c) => [
      `${c.symbol}#${c.interval}`,
      c,
    ]),
  );
  const series = all.filter((s) => intervals.has(s.interval));

  const messages: IngestMessage[] = [];
  const res: DispatchResult = { queued: 0, notDue: 0, paused: 0, inFlight: 0, restartedBackfills: 0, lagSeconds: 0 };
  for (const { t, interval } of series) {
    const cp = cps.get(`${t.symbol}#${interval}`);
    if ((cp?.backoffUntil ?? 0) > now || (cp?.haltedUntil ?? 0) > now) {
      res.paused++;
    } else if ((cp?.continuationAt ?? 0) > now - deps.stallMs) {
      res.inFlight++; // a worker is still working through a backlog and queued its own continuation
    } else if (!isDue(cp, interval, now, marketOf(t.source.provider, t.providerSymbol ?? t.symbol))) {
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
  }
  for (const { t, interval } of all) {
    const market = marketOf(t.source.provider, t.providerSymbol ?? t.symbol);
    res.lagSeconds = Math.max(
      res.lagSeconds,
      overdueSeconds(cps.get(`${t.symbol}#${interval}`), interval, now, market),
    );
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
