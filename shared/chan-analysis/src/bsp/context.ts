/**
 * What the buy/sell-point rules of one level read (chan-spec §12): its lines, segments (with their pivots
 * assigned), per-side config, divergence metric and the point store.
 */
import type { Line, Segment } from '../types.js';
import type { BspSideConfig } from '../config.js';
import type { MetricFn } from '../divergence/metrics.js';
import type { BspStore } from './store.js';

export interface BspContext<L extends Line> {
  readonly lines: ArrayLike<L>;
  readonly segs: readonly Segment<L>[];
  readonly buy: BspSideConfig;
  readonly sell: BspSideConfig;
  readonly metric: MetricFn<L>;
  readonly store: BspStore<L>;
}

/** Config of the side "buy" (a DOWN line / segment) or "sell". */
export function sideConfig<L extends Line>(ctx: BspContext<L>, isBuy: boolean): BspSideConfig {
  return isBuy ? ctx.buy : ctx.sell;
}

/** Strict overlap of two ranges (chan.py has_overlap). */
export function overlaps(low1: number, high1: number, low2: number, high2: number): boolean {
  return high2 > low1 && high1 > low2;
}
