/**
 * What the ingestion core needs from the rest of the system, as small interfaces. The worker and dispatcher
 * are written against these; the store's repositories implement the checkpoint and backfill-job ports
 * (functions/store/checkpoints.ts, jobs.ts), `adapters.ts` binds the rest to the store, the cache and SQS, and
 * functions/common/deps.ts builds them once per process. Tests bind the same classes to dynalite.
 */
import type { IngestBar } from './bar.js';
import type { IngestInterval } from './intervals.js';
import type { ProviderSpec } from './providers/index.js';
import type { FactorPoint } from '../store/adjustments.js';

export interface BarWriter {
  /**
   * Idempotent upsert: a bar is keyed by (symbol, interval, open time), so writing it again replaces it with
   * the same values. Resolves only when every item is durably written (UnprocessedItems retried); rejects
   * otherwise. Returns the number of DynamoDB write requests it made.
   */
  putBars(symbol: string, interval: IngestInterval, bars: readonly IngestBar[]): Promise<{ requests: number }>;
  /** Stored bars with open time in [from, to] (inclusive), ascending. */
  getBars(symbol: string, interval: IngestInterval, from: number, to: number): Promise<IngestBar[]>;
}

/** Per (symbol, interval): where scheduled ingestion stands. */
export interface Checkpoint {
  symbol: string;
  interval: IngestInterval;
  /**
   * Open time of the next bar to fetch: every source bar with an earlier open time (from the series' start)
   * is stored. Advanced only after the bars before it are written. Absent until the first bars are stored.
   */
  nextOpenTime?: number;
  /** Gap verification has checked stored bars up to here (exclusive). */
  verifiedThrough?: number;
  /** Latest analysis and cache were refreshed for data up to here (exclusive). */
  refreshedThrough?: number;
  /** Last time a run completed (advanced or confirmed current): the dispatcher's lag metric. */
  lastRunAt?: number;
  /** A continuation message was queued at this time (the dispatcher does not double it). */
  continuationAt?: number;
  /** Provider asked us to wait (429 / 418): no fetch before this time. */
  backoffUntil?: number;
  /** Non-retryable provider error (451 / 403 / bad symbol): no fetch before this time; reason kept for the operator. */
  haltedUntil?: number;
  lastError?: string;
  /**
   * Failed runs since the last good one (a patch with lastError adds one; a completed run sets 0): /health
   * reports ingestion degraded while any series has failures.
   */
  failures?: number;
  /** When the checkpoint was last written (ISO 8601; set by the store on every write). */
  updatedAt?: string;
}

export type CheckpointPatch = Partial<Omit<Checkpoint, 'symbol' | 'interval' | 'nextOpenTime' | 'updatedAt'>>;

export interface CheckpointStore {
  get(symbol: string, interval: IngestInterval): Promise<Checkpoint | undefined>;
  getMany(keys: ReadonlyArray<{ symbol: string; interval: IngestInterval }>): Promise<Checkpoint[]>;
  /**
   * Compare-and-set: moves nextOpenTime from `expected` (undefined = the checkpoint does not exist yet) to
   * `next`, with the other fields. Returns false (and changes nothing) if another run moved it first.
   */
  advance(
    symbol: string,
    interval: IngestInterval,
    expected: number | undefined,
    next: number,
    patch?: CheckpointPatch,
  ): Promise<boolean>;
  /** Sets bookkeeping fields without touching nextOpenTime (creates the record if missing). */
  patch(symbol: string, interval: IngestInterval, patch: CheckpointPatch): Promise<void>;
}

export interface TrackedSeries {
  symbol: string;
  intervals: IngestInterval[];
  source: ProviderSpec;
  /** Exchange symbol if it differs from ours (e.g. ours 'BTC-USDT', Binance 'BTCUSDT'). */
  providerSymbol?: string;
  /** Where history starts for a newly tracked series (epoch ms); default: INGEST_DEFAULT_HISTORY_BARS back. */
  historyFrom?: number;
}

export interface TrackedSymbolsSource {
  listTracked(): Promise<TrackedSeries[]>;
}

export type BackfillStatus = 'running' | 'done' | 'failed' | 'halted';

/** An explicit history fill over [from, to] (API, CLI, or gap repair), advanced one chunk per message. */
export interface BackfillJob {
  jobId: string;
  symbol: string;
  interval: IngestInterval;
  source: ProviderSpec;
  providerSymbol?: string;
  from: number;
  to: number;
  /** Next open time to fetch. */
  cursor: number;
  /** Chunks completed; a message carries the seq it continues, so duplicates are recognised. */
  seq: number;
  barsDone: number;
  /** Upper bound of bars in [from, to] (exact for 24/7 markets). */
  totalEstimate: number;
  status: BackfillStatus;
  createdAt: number;
  updatedAt: number;
  lastError?: string;
  /** Provider back-offs (429 / 418) in a row without progress: MAX_BACKFILL_BACKOFFS of them end the job FAILED. */
  backoffs?: number;
}

/** Another backfill of the same symbol and interval is running (two chains would fetch the same bars twice). */
export class BackfillRunningError extends Error {
  override name = 'BackfillRunningError';
  constructor(readonly jobId: string) {
    super(`a backfill of the same symbol and interval is already running: job ${jobId}`);
  }
}

export interface BackfillJobStore {
  /** Records a running job; throws BackfillRunningError when one of the same series runs (checked atomically). */
  create(job: BackfillJob): Promise<void>;
  get(jobId: string): Promise<BackfillJob | undefined>;
  /** Compare-and-set on seq: applies `fields` and seq+1 only if the stored seq is still `expectedSeq`. */
  advance(jobId: string, expectedSeq: number, fields: Partial<BackfillJob>): Promise<boolean>;
  patch(jobId: string, fields: Partial<BackfillJob>): Promise<void>;
  listRunning(): Promise<BackfillJob[]>;
}

/** What the worker does after new bars are stored: refresh hot cache entries and the stored latest analysis. */
export interface AfterIngest {
  refresh(symbol: string, interval: IngestInterval): Promise<void>;
}

export interface QueueSender {
  send(messages: readonly import('./messages.js').IngestMessage[], delaySeconds?: number): Promise<void>;
}

/** Where the worker keeps a stock symbol's price-adjustment factors (functions/store/adjustments.ts). */
export interface AdjustmentSink {
  /** When the provider was last asked for the symbol's factors (undefined: never). */
  checkedAt(symbol: string): Promise<number | undefined>;
  /** Stores them; when they changed, cached adjusted data of the symbol is invalidated. */
  save(symbol: string, source: string, points: readonly FactorPoint[], now: number): Promise<{ changed: boolean }>;
}
