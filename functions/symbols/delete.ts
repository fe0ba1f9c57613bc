/**
 * DELETE /api/v1/symbols/{symbol}: stop tracking a symbol, and with `?purge=true` remove its data too: every bar
 * of every series, the series themselves (their rev kept, so no cache entry of the old bars can be served for new
 * ones: functions/store/kline-store.ts), its ingestion checkpoints and its stored latest analyses; the cached
 * summaries are invalidated. Alert dedupe items are left to their TTL, so re-tracking cannot re-send old alerts.
 *
 * Bounded: a purge works for at most `budgetMs` (below the function's timeout) and answers 202 `done: false`
 * when bars remain; the symbol stays listed, inactive (no scheduled ingestion), until a repeated DELETE finishes.
 * A backfill running for the symbol → 409, nothing deleted: it would write bars back while they are removed.
 */
import { adjustmentsKey, metaKey, SYMBOLS_LIST_KEY, type ResilientCache } from '../cache/index.js';
import type { AdjustmentRepository } from '../store/adjustments.js';
import { conflict, notFound } from '../common/errors.js';
import type { BackfillJobStore } from '../ingest/ports.js';
import type { KlineStore } from '../store/kline-store.js';
import type { CheckpointRepository } from '../store/checkpoints.js';
import type { AnalysisRepository, SymbolRepository } from '../store/repositories.js';

/** A purge's working time per request: well below the symbols function's 10 s timeout (lib/api-handlers.ts). */
export const PURGE_BUDGET_MS = 6_000;

export interface DeleteSymbolDeps {
  symbols: Pick<SymbolRepository, 'get' | 'deactivate' | 'delete'>;
  klines: Pick<KlineStore, 'listSeries' | 'purgeSeries'>;
  checkpoints: Pick<CheckpointRepository, 'deleteForSymbol'>;
  analysis: Pick<AnalysisRepository, 'deleteForSymbol'>;
  /** A stock symbol's adjustment factors go with its bars. */
  adjustments?: Pick<AdjustmentRepository, 'deleteForSymbol'>;
  backfills: Pick<BackfillJobStore, 'listRunning'>;
  cache: Pick<ResilientCache, 'del'>;
  now(): number;
  /** How long a purge may work in one request. */
  budgetMs: number;
}

export async function deleteSymbol(symbol: string, purge: boolean, deps: DeleteSymbolDeps) {
  const tracked = await deps.symbols.get(symbol);
  if (!tracked) {
    throw notFound(`Unknown symbol ${symbol}: it is not tracked (GET /api/v1/symbols lists those that are)`, [
      { field: 'path.symbol', message: 'not tracked' },
    ]);
  }
  const running = (await deps.backfills.listRunning()).find((j) => j.symbol === symbol);
  if (running) {
    throw conflict(
      `A backfill of ${symbol} ${running.interval} is running (job ${running.jobId}): wait until it ends (GET /api/v1/jobs/${running.jobId}), then repeat; nothing was deleted`,
      { field: 'path.symbol', jobId: running.jobId },
    );
  }
  const series = await deps.klines.listSeries(symbol);
  const deleted = { bars: 0, series: 0, checkpoints: 0, analyses: 0 };
  if (purge) {
    const deadline = deps.now() + deps.budgetMs;
    await deps.symbols.deactivate(symbol);
    for (const s of series) {
      const r = await deps.klines.purgeSeries(symbol, s.interval, deadline);
      deleted.bars += r.deleted;
      if (!r.done) {
        await deps.cache.del([SYMBOLS_LIST_KEY, metaKey(symbol, s.interval)]);
        return {
          statusCode: 202,
          body: {
            symbol,
            purge,
            done: false,
            deleted,
            message: `Purge of ${symbol} stopped after ${deleted.bars} bars to stay within the request's time; repeat DELETE /api/v1/symbols/${symbol}?purge=true to continue (${symbol} stays listed, inactive, until it is done)`,
          },
        };
      }
      deleted.series++;
    }
    deleted.checkpoints = await deps.checkpoints.deleteForSymbol(symbol);
    deleted.analyses = await deps.analysis.deleteForSymbol(symbol);
    if (deps.adjustments && (await deps.adjustments.deleteForSymbol(symbol)) > 0)
      await deps.cache.del([adjustmentsKey(symbol)]);
  }
  await deps.symbols.delete(symbol);
  await deps.cache.del([SYMBOLS_LIST_KEY, ...series.map((s) => metaKey(symbol, s.interval))]);
  return {
    statusCode: 200,
    body: {
      symbol,
      purge,
      done: true,
      deleted,
      message: purge
        ? `${symbol} is no longer tracked; its bars, series, checkpoints and analyses were removed`
        : series.length === 0
          ? `${symbol} is no longer tracked (it had no stored bars)`
          : `${symbol} is no longer tracked; its stored bars (${series.map((s) => s.interval).join(', ')}) are kept: PUT /api/v1/symbols/${symbol} resumes it, DELETE with ?purge=true removes them`,
    },
  };
}
