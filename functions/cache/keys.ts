/**
 * Cache keys. Everything about one series shares the hash tag `{SYMBOL:interval}`, so it lives in one cluster slot
 * and MGET/DEL over it never raise CROSSSLOT on ElastiCache Serverless (cluster mode only).
 *
 *   {SPY:1d}:meta                                  series summary (first/last/rev)        realtime tier
 *   {SPY:1d}:k:<bucket>:<rev>                      all bars of one bucket at series rev   static (closed) / realtime (open)
 *   {SPY:1d}:a:<lastBarTs>:<rev>:<configHash>:<from>:<to>:<include>[:columns]   analysis response body   general tier
 *   {SPY:1d}:a:…[:columns]:<adjust>.<factorsRev>   the same for an adjusted (qfq/hfq) analysis
 *   {600519.SH:adj}:factors                        price-adjustment factors of a symbol   general tier
 *   {symbols}:list                                 tracked symbols list                   general tier
 *
 * The series `rev` in bar and analysis keys means a write never has to find and delete old entries (no SCAN
 * across cluster nodes): it bumps rev, deletes the one meta key, and old entries age out.
 */
import type { Interval } from '../common/domain.js';

export const seriesTag = (symbol: string, interval: Interval) => `{${symbol}:${interval}}`;
export const metaKey = (symbol: string, interval: Interval) => `${seriesTag(symbol, interval)}:meta`;
export const bucketKey = (symbol: string, interval: Interval, bucket: string, rev: number) =>
  `${seriesTag(symbol, interval)}:k:${bucket}:${rev}`;
/**
 * `include` is the canonical list of per-bar parts in the body (`-` for none) and `format` their layout: each variant
 * is its own entry (the default rows format adds nothing to the key).
 */
export const analysisKey = (
  symbol: string,
  interval: Interval,
  lastBarTs: number,
  rev: number,
  configHash: string,
  from: number | 'first',
  to: number | 'last',
  include: readonly string[] = [],
  format: 'rows' | 'columns' = 'rows',
  /** functions/common/adjust.ts resolveAdjustment's tag; unadjusted keys keep their original form. */
  adjust = 'none',
) =>
  `${seriesTag(symbol, interval)}:a:${lastBarTs}:${rev}:${configHash}:${from}:${to}:${include.length ? include.join('+') : '-'}${format === 'columns' ? ':columns' : ''}${adjust === 'none' ? '' : `:${adjust}`}`;
/** A symbol's adjustment factors (functions/store/adjustments.ts); deleted by the worker when they change. */
export const adjustmentsKey = (symbol: string) => `{${symbol}:adj}:factors`;
export const SYMBOLS_LIST_KEY = '{symbols}:list';
