/**
 * Process-wide dependencies, built once per cold start from the config: the DynamoDB client and repositories and
 * the cache. Lazily created so that importing a handler costs nothing beyond parsing the config, and resettable
 * so tests and the local runtime can rebuild them after changing the environment.
 */
import { createCache, type ResilientCache } from '../cache/index.js';
import { createDocClient } from '../store/client.js';
import { AdjustmentRepository } from '../store/adjustments.js';
import { DynamoKlineStore, type KlineStore } from '../store/kline-store.js';
import { AnalysisRepository, CheckpointRepository, JobRepository, SymbolRepository } from '../store/repositories.js';
import { getConfig } from './config.js';
import { getLogger } from './observability.js';

export interface Deps {
  klines: KlineStore;
  symbols: SymbolRepository;
  checkpoints: CheckpointRepository;
  analysis: AnalysisRepository;
  jobs: JobRepository;
  /** Price-adjustment factors of stock symbols (functions/common/adjust.ts applies them at read time). */
  adjustments: AdjustmentRepository;
  cache: ResilientCache;
}

let deps: Deps | undefined;

export function getDeps(): Deps {
  if (deps) return deps;
  const cfg = getConfig();
  const doc = createDocClient();
  const log = getLogger();
  deps = {
    klines: new DynamoKlineStore(doc, cfg.tableName, {}, { retentionDays: cfg.klineRetentionDays }),
    symbols: new SymbolRepository(doc, cfg.tableName),
    checkpoints: new CheckpointRepository(doc, cfg.tableName),
    analysis: new AnalysisRepository(doc, cfg.tableName),
    jobs: new JobRepository(doc, cfg.tableName),
    adjustments: new AdjustmentRepository(doc, cfg.tableName),
    // Cache faults are logged at WARN once per cooldown (the breaker opens), never raised.
    cache: createCache(cfg, (op, e) =>
      log.warn('cache unavailable, serving from the store', { op, error: (e as Error)?.message }),
    ),
  };
  return deps;
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
