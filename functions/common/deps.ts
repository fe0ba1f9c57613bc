/**
 * Process-wide dependencies, built once per cold start from the config: the DynamoDB client with one repository
 * per item type (functions/store: the only code that sends DynamoDB commands) and the cache, and the cached
 * series service over both. Lazily created so that importing a handler costs nothing beyond parsing the config, and
 * resettable so tests and the local runtime can rebuild them after changing the environment.
 */
import { createCache, type ResilientCache } from '../cache/index.js';
import { AlertDedupeRepository } from '../store/alert-dedupe.js';
import { CheckpointRepository } from '../store/checkpoints.js';
import { createDocClient } from '../store/client.js';
import { AdjustmentRepository } from '../store/adjustments.js';
import { BackfillJobRepository, JobRepository } from '../store/jobs.js';
import { JobResultsRepository, WatchlistRepository } from '../store/jobs-results.js';
import { DynamoKlineStore, type KlineStore } from '../store/kline-store.js';
import { AnalysisRepository, SymbolRepository } from '../store/repositories.js';
import { getConfig } from './config.js';
import { getLogger } from './observability.js';
import { SeriesService } from './series.js';

export interface Deps {
  klines: KlineStore;
  symbols: SymbolRepository;
  checkpoints: CheckpointRepository;
  analysis: AnalysisRepository;
  jobs: JobRepository;
  backfills: BackfillJobRepository;
  jobResults: JobResultsRepository;
  watchlists: WatchlistRepository;
  alertDedupe: AlertDedupeRepository;
  /** Price-adjustment factors of stock symbols (functions/common/adjust.ts applies them at read time). */
  adjustments: AdjustmentRepository;
  cache: ResilientCache;
}

let deps: Deps | undefined;

export function getDeps(): Deps {
  if (deps) return deps;
  const cfg = getConfig();
  const doc = createDocClient();
  const table = cfg.tableName;
  const log = getLogger();
  deps = {
    klines: new DynamoKlineStore(doc, table, {}, { retentionDays: cfg.klineRetentionDays }),
    symbols: new SymbolRepository(doc, table),
    checkpoints: new CheckpointRepository(doc, table),
    analysis: new AnalysisRepository(doc, table),
    jobs: new JobRepository(doc, table),
    backfills: new BackfillJobRepository(doc, table),
    jobResults: new JobResultsRepository(doc, table),
    watchlists: new WatchlistRepository(doc, table),
    alertDedupe: new AlertDedupeRepository(doc, table),
    adjustments: new AdjustmentRepository(doc, table),
    // Cache faults are logged at WARN once per cooldown (the breaker opens), never raised.
    cache: createCache(cfg, (op, e) =>
      log.warn('cache unavailable, serving from the store', { op, error: (e as Error)?.message }),
    ),
  };
  return deps;
}

let series: { deps: Deps; svc: SeriesService } | undefined;

/**
 * Cached reads and cache-invalidating writes of bars over the deps' store and cache, rebuilt when they are. A
 * function of its own (not a field of Deps) so that a bundle without it holds no SeriesService: the stack puts a
 * function in the VPC exactly when its bundle uses the cache (test/infra/first-deploy.test.ts).
 */
export function getSeriesService(): SeriesService {
  const d = getDeps();
  if (series?.deps !== d) series = { deps: d, svc: new SeriesService(d.klines, d.cache) };
  return series.svc;
}

/** Replace some dependencies (tests inject a store double only where no local equivalent exists). */
export function setDeps(partial: Partial<Deps>): void {
  deps = { ...getDeps(), ...partial };
}

export async function resetDeps(): Promise<void> {
  const d = deps;
  deps = undefined;
  await d?.cache.close();
}
