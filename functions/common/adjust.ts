/**
 * Price adjustment (复权) at read time. Stored bars are the exchange's unadjusted prices; a symbol's factors
 * (functions/store/adjustments.ts) turn them into
 * - qfq (前复权, forward): price × f(t) / f(latest). The newest prices are the real ones and history moves on
 *   every ex-date, which is why it is never stored: the default for analysing stock symbols (Chan users expect it);
 * - hfq (后复权, backward): price × f(t). History keeps its values, the newest prices grow;
 * - none: the stored prices.
 * Volume is left as traded (Tushare's and Eastmoney's adjusted series do the same).
 */
import { adjustmentsKey } from '../cache/keys.js';
import type { AdjustmentRecord, FactorPoint } from '../store/adjustments.js';
import { getDeps } from './deps.js';
import type { AdjustMode } from './domain.js';

export { ADJUST_MODES, type AdjustMode } from './domain.js';

const DAY = 86_400_000;

/** The factor in force at bar time `t`: the last point dated on or before t's UTC date (the first before any). */
export function factorAt(factors: readonly FactorPoint[], t: number): number {
  const day = Math.floor(t / DAY) * DAY;
  let lo = 0;
  let hi = factors.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (factors[mid]!.date <= day) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return factors[found]?.factor ?? 1;
}

/** Six decimals: removes float noise (1715 × 1.1 = 1886.5000000000002) without rounding away real precision. */
const tidy = (x: number) => Math.round(x * 1e6) / 1e6;

export function adjustBars<B extends { ts: number; open: number; high: number; low: number; close: number }>(
  bars: readonly B[],
  factors: readonly FactorPoint[],
  mode: AdjustMode,
): B[] {
  if (mode === 'none' || factors.length === 0) return [...bars];
  const base = mode === 'qfq' ? factors.at(-1)!.factor : 1;
  return bars.map((b) => {
    const k = factorAt(factors, b.ts) / base;
    return { ...b, open: tidy(b.open * k), high: tidy(b.high * k), low: tidy(b.low * k), close: tidy(b.close * k) };
  });
}

/**
 * A symbol's factors through the cache (one small item, read by every adjusted request). The worker deletes the
 * cached copy when the factors change, so the next read sees the new rev.
 */
export async function getAdjustments(symbol: string): Promise<AdjustmentRecord | undefined> {
  const { cache, adjustments } = getDeps();
  const key = adjustmentsKey(symbol);
  const hit = await cache.get(key);
  if (hit !== null) return hit === '-' ? undefined : (JSON.parse(hit) as AdjustmentRecord);
  const rec = await adjustments.get(symbol);
  await cache.set(key, rec ? JSON.stringify(rec) : '-', 'general');
  return rec;
}

/**
 * The adjustment a read applies: the one asked for, else qfq for a symbol that has factors (a stock) and none for
 * the rest (crypto, uploads), so existing series read as before. `tag` goes into cache keys.
 */
export async function resolveAdjustment(
  symbol: string,
  asked: AdjustMode | undefined,
): Promise<{ mode: AdjustMode; factors: FactorPoint[]; tag: string }> {
  const rec = await getAdjustments(symbol);
  const mode = asked ?? (rec && rec.factors.length > 0 ? 'qfq' : 'none');
  if (mode === 'none' || !rec) return { mode, factors: [], tag: mode };
  return { mode, factors: rec.factors, tag: `${mode}.${rec.rev}` };
}
