/**
 * Test wiring: dynalite with the service table, the fake provider, the in-process queue, and the worker /
 * dispatcher deps bound to the REAL adapters (store, checkpoints, jobs) under a virtual clock.
 */
import type { SQSEvent } from 'aws-lambda';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MemoryCache } from '../../functions/cache/memory.js';
import { ResilientCache } from '../../functions/cache/resilient.js';
import { SeriesService } from '../../functions/common/series.js';
import { DynamoKlineStore } from '../../functions/store/kline-store.js';
import { SymbolRepository } from '../../functions/store/repositories.js';
import { RepoTrackedSymbols, StoreAdjustmentSink, StoreBarWriter } from '../../functions/ingest/adapters.js';
import { AdjustmentRepository } from '../../functions/store/adjustments.js';
import { CheckpointRepository } from '../../functions/store/checkpoints.js';
import { BackfillJobRepository } from '../../functions/store/jobs.js';
import type { DispatcherDeps } from '../../functions/ingest/dispatcher.js';
import { CountingMetrics } from '../../functions/ingest/metrics.js';
import type { IngestInterval } from '../../functions/ingest/intervals.js';
import { getProvider } from '../../functions/ingest/providers/factories.js';
import { handleBatch } from '../../functions/ingest/worker-handler.js';
import { DEFAULT_LIMITS, type WorkerDeps, type WorkerLimits } from '../../functions/ingest/worker.js';
import { createDocClient } from '../../functions/store/client.js';
import type { KlineRetentionDays } from '../../functions/store/retention.js';
import { startTestTable } from '../support/dynalite.js';
import { FAKE_TUSHARE_TOKEN, FakeProvider, type SourceBar } from '../support/fake-provider.js';
import { InProcessQueue } from '../support/sqs-standin.js';

export interface LocalTable {
  doc: DynamoDBDocumentClient;
  tableName: string;
  endpoint: string;
}

export interface Harness {
  table: LocalTable;
  fake: FakeProvider;
  clock: { now: number };
  queue: InProcessQueue;
  metrics: CountingMetrics;
  refreshes: string[];
  klines: DynamoKlineStore;
  symbols: SymbolRepository;
  adjustments: AdjustmentRepository;
  checkpoints: CheckpointRepository;
  jobs: BackfillJobRepository;
  deps: WorkerDeps;
  dispatcherDeps: DispatcherDeps;
  worker: (event: SQSEvent) => ReturnType<typeof handleBatch>;
  stored(symbol: string, interval: IngestInterval): Promise<SourceBar[]>;
  stop(): Promise<void>;
}

export async function startHarness(opts: {
  now: number;
  limits?: Partial<WorkerLimits>;
  doc?: (real: DynamoDBDocumentClient) => DynamoDBDocumentClient;
  tableName?: string;
  /** K-line retention for the store and the worker (on the virtual clock); none by default. */
  retentionDays?: KlineRetentionDays;
  /** dynalite on a worker thread, as `npm start` runs it (the bench). */
  dbThread?: boolean;
}): Promise<Harness> {
  const t = await startTestTable(opts.tableName ?? `ingest-${Math.random().toString(36).slice(2, 8)}`, {
    thread: opts.dbThread,
  });
  const table: LocalTable = {
    doc: createDocClient({ endpoint: t.endpoint }),
    tableName: t.tableName,
    endpoint: t.endpoint,
  };
  const fake = new FakeProvider(opts.now);
  const url = await fake.start();
  const clock = { now: opts.now };
  fake.now = opts.now;
  const queue = new InProcessQueue({ clock, maxReceiveCount: 5, visibilityTimeoutMs: 6 * 60_000 });
  const metrics = new CountingMetrics();
  const refreshes: string[] = [];
  const doc = opts.doc ? opts.doc(table.doc) : table.doc;
  const klines = new DynamoKlineStore(
    doc,
    table.tableName,
    { sleep: async () => {} },
    { retentionDays: opts.retentionDays, now: () => clock.now },
  );
  const cache = new ResilientCache(new MemoryCache(16 * 1024 * 1024), { timeoutMs: 1000, cooldownMs: 0 });
  const checkpoints = new CheckpointRepository(doc, table.tableName);
  const jobs = new BackfillJobRepository(doc, table.tableName);
  const symbols = new SymbolRepository(doc, table.tableName);
  const adjustments = new AdjustmentRepository(doc, table.tableName);
  const providerCfg = {
    baseUrls: { binance: url, bybit: url, eastmoney: url, yahoo: url, tushare: url },
    tushareToken: { value: FAKE_TUSHARE_TOKEN },
    timeoutMs: 2_000,
  };
  const deps: WorkerDeps = {
    bars: new StoreBarWriter(new SeriesService(klines, cache, () => clock.now), klines),
    checkpoints,
    jobs,
    queue,
    after: { refresh: async (s, i) => void refreshes.push(`${s}#${i}`) },
    metrics,
    providerFor: (spec) => getProvider(spec, providerCfg),
    adjustments: new StoreAdjustmentSink(adjustments, cache),
    now: () => clock.now,
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    retentionDays: opts.retentionDays,
    fetchPolicy: { maxInlineWaitMs: 2_000, transientRetryMs: 1, sleep: async () => {} },
  };
  const dispatcherDeps: DispatcherDeps = {
    tracked: new RepoTrackedSymbols(symbols),
    checkpoints,
    jobs,
    queue,
    metrics,
    now: () => clock.now,
    stallMs: 15 * 60_000,
  };
  return {
    table,
    fake,
    clock,
    queue,
    metrics,
    refreshes,
    klines,
    symbols,
    adjustments,
    checkpoints,
    jobs,
    deps,
    dispatcherDeps,
    worker: (event) => handleBatch(event, deps),
    async stored(symbol, interval) {
      const meta = await klines.getSeries(symbol, interval);
      if (!meta) return [];
      const bars = await klines.readRange(symbol, interval, { from: meta.firstTs, to: meta.lastTs });
      return bars.map((b) => ({
        time: b.ts,
        open: b.open,
        high: b.high,
        low: b.low,
        close: b.close,
        volume: b.volume ?? 0,
      }));
    },
    async stop() {
      await fake.stop();
      table.doc.destroy();
      await t.close();
    },
  };
}

/** The scheduled event EventBridge sends (as the rule's target input carries it, with the family in detail). */
export { scheduledEvent } from '../../local/schedules.js';
