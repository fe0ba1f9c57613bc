/**
 * The ingest worker's core: one SQS message → fetch from the stored position, validate, upsert, advance the
 * position only after the write succeeded, refresh cache and latest analysis, emit metrics.
 *
 * Invariants (what the fault tests check):
 * - A bar is written before any position (checkpoint / job cursor) that claims it is advanced, so a crash at
 *   any point loses nothing: the redelivered message re-fetches from the old position.
 * - Writes are idempotent upserts keyed by open time, so re-fetching never duplicates.
 * - Positions move by compare-and-set, so concurrent or repeated copies of a message cannot move them back,
 *   and only the copy that moved the position queues the continuation (no runaway fan-out).
 * - A malformed row stops the run before it: the good prefix is stored, the position stops at the bad row,
 *   and the message fails so the queue retries it (then the DLQ): a bad row is never skipped over.
 * - The forming (unclosed) bar is never stored: the provider layer sets it aside, and the range asked ends at
 *   the newest closed bar.
 * - Nothing older than the interval's retention window (KLINE_RETENTION_DAYS) is fetched: the sync start, the
 *   gap check and backfill chunks all start at `retentionFloor`, since such bars would be stamped already expired.
 */
import { retentionStart, type KlineRetentionDays } from '../store/retention.js';
import type { IngestBar } from './bar.js';
import { DEFAULT_FETCH_POLICY, fetchPageWithRetry, type FetchPolicy } from './fetcher.js';
import { floorToInterval, INTERVAL_MS, type IngestInterval } from './intervals.js';
import type { BackfillMessage, IngestMessage, SyncMessage } from './messages.js';
import type { IngestMetrics } from './metrics.js';
import { canHaveBars, lastClosedOpen, marketOf, type MarketId } from '../common/market-calendar.js';
import type {
  AdjustmentSink,
  AfterIngest,
  BackfillJobStore,
  BarWriter,
  CheckpointStore,
  QueueSender,
} from './ports.js';
import type { ProviderSpec } from './providers/index.js';
import { isProviderError, ProviderError, type MarketDataProvider, type Page } from './providers/types.js';

export interface WorkerLimits {
  /** Bars one message may ingest before the rest is re-queued (bounded chunks). */
  maxBarsPerInvocation: number;
  /** Provider calls one message may make. */
  maxPagesPerInvocation: number;
  /** Rows asked per provider call (≤ 1000). */
  pageLimit: number;
  /** History a newly tracked series starts with, in bars, when it names no start. */
  defaultHistoryBars: number;
  /** Provider data older than this is final: empty windows before it may be stepped over, and gaps are verified only there. */
  settleMs: number;
  /** Stored bars one run examines for gaps. */
  verifyWindowBars: number;
  /** Provider calls one run may spend on filling gaps. */
  maxGapFetches: number;
  /** Default waits when the provider names none. */
  rateLimitBackoffMs: number;
  banBackoffMs: number;
  haltMs: number;
  /** Stop starting new pages when the invocation has less time left than this. */
  reserveMs: number;
}

export const DEFAULT_LIMITS: WorkerLimits = {
  maxBarsPerInvocation: 5_000,
  maxPagesPerInvocation: 10,
  pageLimit: 1_000,
  defaultHistoryBars: 2_000,
  settleMs: 3_600_000,
  verifyWindowBars: 10_000,
  maxGapFetches: 3,
  rateLimitBackoffMs: 60_000,
  banBackoffMs: 600_000,
  haltMs: 3_600_000,
  reserveMs: 15_000,
};

export interface Logger {
  info(msg: string, extra?: Record<string, unknown>): void;
  warn(msg: string, extra?: Record<string, unknown>): void;
  error(msg: string, extra?: Record<string, unknown>): void;
}

const silent: Logger = { info() {}, warn() {}, error() {} };

export interface WorkerDeps {
  bars: BarWriter;
  checkpoints: CheckpointStore;
  jobs: BackfillJobStore;
  queue: QueueSender;
  after: AfterIngest;
  metrics: IngestMetrics;
  providerFor(spec: ProviderSpec): MarketDataProvider;
  now(): number;
  limits: WorkerLimits;
  fetchPolicy?: FetchPolicy;
  /** Lambda's context.getRemainingTimeInMillis; unlimited when absent. */
  remainingMs?(): number;
  logger?: Logger;
  /** K-line retention per interval (the store's policy); no window when absent. */
  retentionDays?: KlineRetentionDays;
  /** Where stock providers' adjustment factors go; without it they are not fetched. */
  adjustments?: AdjustmentSink;
}

/** How often a stock symbol's factors are asked for: ex-dates are announced days ahead and take effect daily. */
export const FACTOR_REFRESH_MS = 6 * 3_600_000;

export type Outcome =
  | { status: 'ok'; bars: number; more: boolean }
  | { status: 'skipped'; reason: string }
  | { status: 'backoff' | 'halted'; kind: string };

/**
 * The newest bar final at `now`: the end of its period, or for a stock market's daily bar its session's close
 * (functions/common/market-calendar.ts).
 */
export function lastClosedOpenTime(interval: IngestInterval, now: number, market: MarketId = 'crypto'): number {
  return lastClosedOpen(market, interval, now);
}

/** The calendar a series follows, from its provider and the provider's symbol. */
export const marketOfSource = (source: ProviderSpec, symbol: string) => marketOf(source.provider, symbol);

/** First aligned open time at or after `t`. */
export function ceilToInterval(t: number, interval: IngestInterval): number {
  const f = floorToInterval(t, interval);
  return f < t ? f + INTERVAL_MS[interval] : f;
}

/**
 * The oldest open time worth fetching at `now`: the first aligned bar inside the retention window (older bars
 * would be stamped already expired); -Infinity when the interval is kept forever.
 */
export function retentionFloor(
  interval: IngestInterval,
  retention: KlineRetentionDays | undefined,
  now: number,
): number {
  const start = retention ? retentionStart(interval, retention, now) : undefined;
  return start === undefined ? -Infinity : ceilToInterval(start, interval);
}

export async function processMessage(msg: IngestMessage, deps: WorkerDeps): Promise<Outcome> {
  return msg.kind === 'sync' ? processSync(msg, deps) : processBackfill(msg, deps);
}

/**
 * Rate-limit back-offs (429 with a long Retry-After, 418) a backfill job may take in a row without progress before
 * it ends FAILED: at the default waits (60 s, 10 min) between about 10 minutes and 1.5 hours.
 */
export const MAX_BACKFILL_BACKOFFS = 10;

/** A completed sync run: the series is healthy again. */
const RUN_SUCCEEDED = { failures: 0, lastError: '' } as const;

/** The reason a message failed, as the job and the checkpoint keep it (the provider's own words). */
export function failureReason(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).slice(0, 500);
}

/**
 * Records a failed try of a message (the queue will retry it), so the failure is visible while it is retried:
 * a sync's checkpoint gets the reason and one more failure (/health turns degraded); a backfill job gets the
 * reason as its lastError. With `final` (the last try: the message goes to the dead-letter queue next), a
 * backfill job ends FAILED with that reason, and its series' checkpoint records the failure too. Called by the
 * worker Lambda (ApproximateReceiveCount) and by the local queue.
 */
export async function recordFailedTry(
  msg: IngestMessage,
  error: unknown,
  deps: Pick<WorkerDeps, 'checkpoints' | 'jobs' | 'now'>,
  final: boolean,
): Promise<void> {
  const reason = failureReason(error);
  if (msg.kind === 'sync') {
    await deps.checkpoints.patch(msg.symbol, msg.interval, { lastError: reason });
    return;
  }
  const job = await deps.jobs.get(msg.jobId);
  if (!job || job.status !== 'running' || job.seq !== msg.seq) return;
  if (!final) {
    await deps.jobs.patch(job.jobId, { lastError: reason, updatedAt: deps.now() });
    return;
  }
  await deps.jobs.patch(job.jobId, { status: 'failed', lastError: reason, updatedAt: deps.now() });
  await deps.checkpoints.patch(job.symbol, job.interval, { lastError: `backfill ${job.jobId} failed: ${reason}` });
}

function outOfTime(deps: WorkerDeps): boolean {
  return deps.remainingMs !== undefined && deps.remainingMs() < deps.limits.reserveMs;
}

/** Records a provider error and decides: rethrow (queue retry) or return a backoff/halt outcome. */
function classify(
  e: unknown,
  deps: WorkerDeps,
): { handling: 'retry' | 'backoff' | 'halt'; err: ProviderError } | undefined {
  if (!isProviderError(e)) return undefined;
  deps.metrics.providerError(e.provider, e.kind);
  if (e.rejected?.length) deps.metrics.rejectedRows(e.provider, e.rejected);
  return { handling: e.handling, err: e };
}

function waitFor(err: ProviderError, limits: WorkerLimits): number {
  const dflt = err.kind === 'ip_banned' ? limits.banBackoffMs : limits.rateLimitBackoffMs;
  return Math.max(err.retryAfterMs ?? dflt, 1_000);
}

/** What one message's page walk may spend: bars, provider calls and the invocation's time. */
class ChunkBudget {
  written = 0;
  pages = 0;
  constructor(private readonly deps: WorkerDeps) {}
  /** Rows to ask for in the next page. */
  limit = (): number => Math.min(this.deps.limits.pageLimit, this.deps.limits.maxBarsPerInvocation - this.written);
  spent = (): boolean =>
    this.written >= this.deps.limits.maxBarsPerInvocation ||
    this.pages >= this.deps.limits.maxPagesPerInvocation ||
    outOfTime(this.deps);
  /** Counts a page the walk handed over. */
  take(page: Page): void {
    this.pages++;
    this.written += page.bars.length;
  }
}

/** One walk over provider pages: what to fetch, for which series, and when to stop early. */
interface PageWalk {
  provider: MarketDataProvider;
  /** Ours (the store's key) and the provider's code for it. */
  symbol: string;
  providerSymbol: string;
  interval: IngestInterval;
  from: number;
  /** Last open time wanted (inclusive). */
  to: number;
  now: number;
  /** Rows to ask for in the next page. */
  limit(): number;
  /** Checked before every fetch: true ends the walk there (the caller knows why: its budget). */
  stop(): boolean;
  /** Where the page after one whose provider said `nextStart` begins (default: there). */
  resumeAt?(nextStart: number): number;
  /** The error's words when a page holds rejected rows. */
  rejectedMessage(page: Page): string;
}

/**
 * The worker's one page loop (sync, gap repair and backfill chunks): fetch a page, store its bars, hand it to the
 * caller (who moves its position), then end at a rejected row (a malformed error, after the good prefix was
 * stored and handed over), at the provider's end of data, past `to`, or when `stop` says so.
 */
async function* storedPages(w: PageWalk, deps: WorkerDeps): AsyncGenerator<Page> {
  let start = w.from;
  while (start <= w.to && !w.stop()) {
    const page = await fetchPageWithRetry(
      w.provider,
      { symbol: w.providerSymbol, interval: w.interval, startTime: start, endTime: w.to, limit: w.limit(), now: w.now },
      deps.fetchPolicy ?? DEFAULT_FETCH_POLICY,
    );
    if (page.bars.length > 0) await deps.bars.putBars(w.symbol, w.interval, page.bars);
    yield page;
    // Counted once the caller has taken the page (a sync run that lost its checkpoint to another run stops first).
    if (page.bars.length > 0) deps.metrics.barsIngested(page.bars.length);
    if (page.rejected.length > 0)
      throw new ProviderError(
        w.provider.name,
        'malformed',
        w.rejectedMessage(page),
        undefined,
        undefined,
        page.rejected,
      );
    if (page.nextStart === undefined) return;
    start = w.resumeAt ? w.resumeAt(page.nextStart) : page.nextStart;
  }
}

// ---------------------------------------------------------------------------------------------------------
// sync: bring a tracked series up to date from its checkpoint

async function processSync(msg: SyncMessage, deps: WorkerDeps): Promise<Outcome> {
  const { symbol, interval } = msg;
  const log = deps.logger ?? silent;
  const now = deps.now();
  const cp = await deps.checkpoints.get(symbol, interval);
  if (cp?.backoffUntil !== undefined && cp.backoffUntil > now) return { status: 'skipped', reason: 'provider backoff' };
  if (cp?.haltedUntil !== undefined && cp.haltedUntil > now) return { status: 'skipped', reason: 'halted' };

  try {
    return await runSync(msg, deps, cp?.nextOpenTime, cp?.verifiedThrough, cp?.refreshedThrough, now);
  } catch (e) {
    const c = classify(e, deps);
    if (!c || c.handling === 'retry') throw e;
    const until = now + (c.handling === 'halt' ? deps.limits.haltMs : waitFor(c.err, deps.limits));
    await deps.checkpoints.patch(symbol, interval, {
      [c.handling === 'halt' ? 'haltedUntil' : 'backoffUntil']: until,
      lastError: c.err.message.slice(0, 500),
    });
    log.warn('provider refused; series paused', {
      symbol,
      interval,
      kind: c.err.kind,
      until: new Date(until).toISOString(),
    });
    return { status: c.handling === 'halt' ? 'halted' : 'backoff', kind: c.err.kind };
  }
}

async function runSync(
  msg: SyncMessage,
  deps: WorkerDeps,
  stored: number | undefined,
  verifiedThrough: number | undefined,
  refreshedThrough: number | undefined,
  now: number,
): Promise<Outcome> {
  const provider = deps.providerFor(msg.source);
  const fwd = await fetchForward(msg, deps, provider, stored, now);
  if ('status' in fwd) return fwd;
  if (fwd.more) {
    await deps.checkpoints.patch(msg.symbol, msg.interval, { continuationAt: now, lastRunAt: now });
    await deps.queue.send([{ ...msg, continuation: true }]);
    return { status: 'ok', bars: fwd.written, more: true };
  }
  const filled =
    fwd.position === undefined
      ? 0
      : await finishCaughtUp(
          msg,
          deps,
          provider,
          fwd.position,
          fwd.verifiedThrough ?? verifiedThrough,
          refreshedThrough,
          now,
        );
  return { status: 'ok', bars: fwd.written + filled, more: false };
}

interface Forward {
  /** The checkpoint after the run (undefined: nothing stored yet, nothing fetched). */
  position: number | undefined;
  /** Set when this run started the series: the history before it counts as verified. */
  verifiedThrough?: number;
  /** Stopped at the invocation's budget with bars still due. */
  more: boolean;
  written: number;
}

/**
 * From the checkpoint to the newest closed bar, page by page within one invocation's budget, advancing the
 * checkpoint after each page (compare-and-set: a run that finds it moved stops, another run owns the series).
 */
async function fetchForward(
  msg: SyncMessage,
  deps: WorkerDeps,
  provider: MarketDataProvider,
  stored: number | undefined,
  now: number,
): Promise<Forward | Outcome> {
  const { symbol, interval, limits } = { ...msg, limits: deps.limits };
  const iv = INTERVAL_MS[interval];
  const lastClosed = lastClosedOpenTime(interval, now, marketOfSource(msg.source, msg.providerSymbol ?? symbol));
  const floor = retentionFloor(interval, deps.retentionDays, now);
  const seriesStart = Math.max(
    ceilToInterval(msg.historyFrom ?? now - limits.defaultHistoryBars * iv, interval),
    floor,
  );

  let position = stored; // what the checkpoint says (undefined: nothing stored yet)
  let verifiedThrough: number | undefined;
  // A checkpoint left behind the retention window (a long-paused series) resumes at the window's start.
  const next = Math.max(stored ?? seriesStart, floor);
  const budget = new ChunkBudget(deps);
  let more = false;

  const walk = storedPages(
    {
      provider,
      symbol,
      providerSymbol: msg.providerSymbol ?? symbol,
      interval,
      from: next,
      to: lastClosed,
      now,
      limit: budget.limit,
      stop: () => (more = budget.spent()),
      resumeAt: (nextStart) => Math.max(nextStart, position ?? seriesStart, floor),
      rejectedMessage: (page) =>
        `${page.rejected.length} row(s) rejected, first: #${page.rejected[0]!.index} ${page.rejected[0]!.reason} (${page.rejected[0]!.detail}); stored up to the row before it`,
    },
    deps,
  );
  for await (const page of walk) {
    let advanceTo = position ?? seriesStart;
    if (page.bars.length > 0) advanceTo = page.bars[page.bars.length - 1]!.time + iv;
    // Step over windows the provider answered empty only where its data is final (old enough).
    if (page.rejected.length === 0 && page.nextStart !== undefined && page.nextStart <= now - limits.settleMs) {
      advanceTo = Math.max(advanceTo, page.nextStart);
    }
    if (advanceTo !== position && (position === undefined || advanceTo > position)) {
      const first = position === undefined;
      const ok = await deps.checkpoints.advance(symbol, interval, position, advanceTo, {
        lastRunAt: now,
        ...(first ? { verifiedThrough: seriesStart } : {}),
      });
      if (!ok) return { status: 'skipped', reason: 'checkpoint moved by another run' };
      if (first) verifiedThrough = seriesStart;
      position = advanceTo;
    }
    budget.take(page);
  }
  return { position, verifiedThrough, more, written: budget.written };
}

/**
 * Caught up: look for holes in the settled past, then refresh derived data once per new data. Returns the bars
 * the gap repair stored.
 */
async function finishCaughtUp(
  msg: SyncMessage,
  deps: WorkerDeps,
  provider: MarketDataProvider,
  position: number,
  verifiedThrough: number | undefined,
  refreshedThrough: number | undefined,
  now: number,
): Promise<number> {
  const { symbol, interval } = msg;
  const floor = retentionFloor(interval, deps.retentionDays, now);
  const v = await verifyGaps(
    symbol,
    interval,
    msg.providerSymbol ?? symbol,
    provider,
    deps,
    Math.max(verifiedThrough ?? position, floor),
    Math.min(position, now - deps.limits.settleMs),
    now,
  );
  if (v.verifiedThrough !== verifiedThrough)
    await deps.checkpoints.patch(symbol, interval, { verifiedThrough: v.verifiedThrough });
  const factorsChanged = await refreshFactors(msg, provider, deps, now);
  // Derived data is best effort: the bars are stored and the checkpoint is advanced; a failed refresh leaves
  // refreshedThrough behind, so the next run (next schedule tick) tries again. Ingestion never waits on it.
  const refreshed =
    position !== refreshedThrough || v.filled > 0 || factorsChanged ? await tryRefresh(symbol, interval, deps) : false;
  await deps.checkpoints.patch(symbol, interval, {
    ...(refreshed ? { refreshedThrough: position } : {}),
    lastRunAt: now,
    continuationAt: 0,
    ...RUN_SUCCEEDED,
  });
  return v.filled;
}

/**
 * A stock symbol's adjustment factors, at most once per FACTOR_REFRESH_MS: stored beside the bars (which are never
 * rewritten for them). Best effort like the derived data: a failure is logged and the next run asks again.
 * Returns whether they changed (then the latest analysis, which is of qfq prices, is refreshed).
 */
async function refreshFactors(
  msg: SyncMessage,
  provider: MarketDataProvider,
  deps: WorkerDeps,
  now: number,
): Promise<boolean> {
  if (!provider.fetchFactors || !deps.adjustments) return false;
  try {
    const checked = await deps.adjustments.checkedAt(msg.symbol);
    if (checked !== undefined && now - checked < FACTOR_REFRESH_MS) return false;
    const points = await provider.fetchFactors(msg.providerSymbol ?? msg.symbol, now);
    return (await deps.adjustments.save(msg.symbol, provider.name, points, now)).changed;
  } catch (e) {
    (deps.logger ?? silent).warn('adjustment factors not refreshed; retried on the next run', {
      symbol: msg.symbol,
      error: (e as Error).message,
    });
    return false;
  }
}

async function tryRefresh(symbol: string, interval: IngestInterval, deps: WorkerDeps): Promise<boolean> {
  try {
    await deps.after.refresh(symbol, interval);
    return true;
  } catch (e) {
    (deps.logger ?? silent).error('latest analysis refresh failed; retried on the next run', {
      symbol,
      interval,
      error: (e as Error).message,
    });
    return false;
  }
}

/**
 * Holes in a window of stored bars: the open-time ranges (inclusive) with no stored bar between `from` and
 * `end` (exclusive). Both window edges count as anchors, so a hole touching an edge is found too.
 */
export function findHoles(
  bars: readonly IngestBar[],
  interval: IngestInterval,
  from: number,
  end: number,
): Array<{ from: number; to: number }> {
  const iv = INTERVAL_MS[interval];
  const holes: Array<{ from: number; to: number }> = [];
  let prev = from - iv;
  for (const b of [...bars.map((x) => x.time), end]) {
    if (b - prev > iv) holes.push({ from: prev + iv, to: b - iv });
    prev = b;
  }
  return holes;
}

/**
 * Gap detection: reads the stored bars of a settled window, asks the provider for every hole in it (a hole may
 * be the market's own closed hours: then the provider has nothing and nothing is written), and stores what it
 * returns. Bounded per run; the checkpoint's verifiedThrough remembers where it got to.
 */
async function verifyGaps(
  symbol: string,
  interval: IngestInterval,
  providerSymbol: string,
  provider: MarketDataProvider,
  deps: WorkerDeps,
  from: number,
  to: number,
  now: number,
): Promise<{ filled: number; verifiedThrough: number }> {
  const iv = INTERVAL_MS[interval];
  if (to <= from) return { filled: 0, verifiedThrough: from };
  const end = Math.min(to, from + deps.limits.verifyWindowBars * iv);
  const stored = await deps.bars.getBars(symbol, interval, from, end - iv);
  let filled = 0;
  let fetches = 0;
  const market = marketOf(provider.name, providerSymbol);
  for (const hole of findHoles(stored, interval, from, end)) {
    // Nights, weekends and holidays of a stock market are no holes; a suspended day (停牌) is asked about once.
    if (!canHaveBars(market, interval, hole.from, hole.to)) continue;
    let start = hole.from;
    const walk = storedPages(
      {
        provider,
        symbol,
        providerSymbol,
        interval,
        from: start,
        to: hole.to,
        now,
        limit: () => deps.limits.pageLimit,
        stop: () => fetches >= deps.limits.maxGapFetches,
        rejectedMessage: (page) => `${page.rejected.length} row(s) rejected while filling a gap`,
      },
      deps,
    );
    for await (const page of walk) {
      fetches++;
      start = page.nextStart ?? hole.to + iv;
      if (page.bars.length) {
        filled += page.bars.length;
        deps.logger?.info('gap filled', {
          symbol,
          interval,
          from: new Date(page.bars[0]!.time).toISOString(),
          bars: page.bars.length,
        });
      }
    }
    if (start <= hole.to) return { filled, verifiedThrough: start };
  }
  return { filled, verifiedThrough: end };
}

// ---------------------------------------------------------------------------------------------------------
// backfill: one bounded chunk of an explicit [from, to] job

async function processBackfill(msg: BackfillMessage, deps: WorkerDeps): Promise<Outcome> {
  const log = deps.logger ?? silent;
  const job = await deps.jobs.get(msg.jobId);
  if (!job) return { status: 'skipped', reason: 'no such job' };
  if (job.status !== 'running') return { status: 'skipped', reason: `job ${job.status}` };
  if (msg.seq !== job.seq) return { status: 'skipped', reason: `stale chunk ${msg.seq} (job at ${job.seq})` };

  const now = deps.now();
  const { interval, symbol } = job;
  const iv = INTERVAL_MS[interval];
  const limits = deps.limits;
  const end = Math.min(
    job.to,
    lastClosedOpenTime(interval, now, marketOfSource(job.source, job.providerSymbol ?? symbol)),
  );
  const provider = deps.providerFor(job.source);
  // The window slides while a job runs: chunks never ask for bars that would be stamped already expired.
  let cursor = Math.max(job.cursor, retentionFloor(interval, deps.retentionDays, now));
  const budget = new ChunkBudget(deps);
  try {
    const walk = storedPages(
      {
        provider,
        symbol,
        providerSymbol: job.providerSymbol ?? symbol,
        interval,
        from: cursor,
        to: end,
        now,
        limit: budget.limit,
        stop: budget.spent,
        // The cursor is not advanced past a rejected row: the job is not advanced, and the redelivered message
        // repeats this chunk (its writes are idempotent).
        rejectedMessage: (page) => `${page.rejected.length} row(s) rejected, first ${page.rejected[0]!.reason}`,
      },
      deps,
    );
    for await (const page of walk) {
      budget.take(page);
      cursor = page.nextStart ?? end + iv;
    }
  } catch (e) {
    const c = classify(e, deps);
    if (!c || c.handling === 'retry') throw e;
    if (c.handling === 'halt') {
      await deps.jobs.patch(job.jobId, { status: 'halted', lastError: c.err.message.slice(0, 500), updatedAt: now });
      log.error('backfill halted', { jobId: job.jobId, kind: c.err.kind });
      return { status: 'halted', kind: c.err.kind };
    }
    // Back off: the same chunk again, later (the job's seq is unchanged, so this copy is the live one) — but not
    // forever: a provider that keeps refusing ends the job, as one that keeps failing does.
    const backoffs = (job.backoffs ?? 0) + 1;
    if (backoffs >= MAX_BACKFILL_BACKOFFS) {
      const reason = `${c.err.message.slice(0, 400)} (${backoffs} back-offs in a row without progress)`;
      await deps.jobs.patch(job.jobId, { status: 'failed', lastError: reason, backoffs, updatedAt: now });
      await deps.checkpoints.patch(symbol, interval, { lastError: `backfill ${job.jobId} failed: ${reason}` });
      log.error('backfill failed: provider kept refusing', { jobId: job.jobId, kind: c.err.kind, backoffs });
      return { status: 'backoff', kind: c.err.kind };
    }
    await deps.jobs.patch(job.jobId, { lastError: c.err.message.slice(0, 500), backoffs, updatedAt: now });
    await deps.queue.send([msg], Math.min(900, Math.ceil(waitFor(c.err, limits) / 1000)));
    return { status: 'backoff', kind: c.err.kind };
  }

  const done = cursor > end;
  if (done) await tryRefresh(symbol, interval, deps);
  const barsDone = job.barsDone + budget.written;
  const ok = await deps.jobs.advance(job.jobId, job.seq, {
    cursor,
    barsDone,
    status: done ? 'done' : 'running',
    updatedAt: now,
    lastError: '',
    backoffs: 0,
    ...(done ? { totalEstimate: barsDone } : {}),
  });
  if (!ok) return { status: 'skipped', reason: 'job moved by another run' };
  if (!done) await deps.queue.send([{ kind: 'backfill', jobId: job.jobId, seq: job.seq + 1 }]);
  return { status: 'ok', bars: budget.written, more: !done };
}
