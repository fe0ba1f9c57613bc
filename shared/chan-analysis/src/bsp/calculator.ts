/**
 * Buy/sell points of one level (chan.py CBSPointList, chan-spec §12): stroke level (lines = strokes,
 * segs = segments, bi pivots, config sides buy/sell) or segment level (lines = segments, segs = segments of
 * segments, segment pivots, config sides segBuy/segSell, metric = segmentMetric).
 *
 * `update` is incremental (§12.2 "Scope", §10.2): points on lines ending after the begin bar of the last sure
 * segment's end line are dropped and recomputed for the segments from the last sure one on; a full
 * recomputation is `reset()` + `update`.
 */
import type { Bar, IndicatorSeries, Line, Segment } from '../types.js';
import { DOWN } from '../types.js';
import type { BspSideConfig, ChanConfig } from '../config.js';
import { segmentMetricFn, strokeMetricFn, type MetricFn, type StrokeLike } from '../divergence/metrics.js';
import { BspStore } from './store.js';
import type { BuySellPointImpl } from './point.js';
import type { BspContext } from './context.js';
import { bsp1ForSegment } from './type1.js';
import { bsp2ForSegment } from './type2.js';
import { bsp3ForSegment } from './type3.js';

export class BspCalculator<L extends Line = Line> {
  private readonly store: BspStore<L>;
  /** Raw bar idx where the previous update's last sure segment's end line begins (-1: none). */
  private lastSurePos = -1;
  private lastSureSegIdx = 0;

  constructor(
    private readonly sides: { buy: BspSideConfig; sell: BspSideConfig },
    private readonly metric: MetricFn<L>,
  ) {
    this.store = new BspStore<L>(sides);
  }

  /** Stroke level: config sides buy / sell, metrics over the strokes' bars and MACD. */
  static forStrokes<S extends StrokeLike>(
    config: ChanConfig,
    bars: readonly Bar[],
    ind: IndicatorSeries,
  ): BspCalculator<S> {
    return new BspCalculator<S>({ buy: config.bsp.buy, sell: config.bsp.sell }, strokeMetricFn<S>(bars, ind));
  }

  /** Segment level (lines = segments): config sides segBuy / segSell, slope / amp metrics. */
  static forSegments<S extends Line>(config: ChanConfig, bars: readonly Bar[]): BspCalculator<S> {
    return new BspCalculator<S>({ buy: config.bsp.segBuy, sell: config.bsp.segSell }, segmentMetricFn<S>(bars));
  }

  /** Stored points in line order (chan.py's sorted bsp list). */
  get points(): readonly BuySellPointImpl<L>[] {
    return this.store.points;
  }

  /** Newest first by line idx; n = 0 → all (chan.py get_latest_bsp). */
  latest(n = 0): BuySellPointImpl<L>[] {
    const all = this.store.points.slice().reverse();
    return n > 0 ? all.slice(0, n) : all;
  }

  reset(): void {
    this.store.clear();
    this.lastSurePos = -1;
    this.lastSureSegIdx = 0;
  }

  /** See PivotList.resumeFrom: segments [0, kept) are unchanged, the rest were rebuilt. */
  resumeFrom(segs: readonly Segment<L>[], kept: number): void {
    if (kept === 0) {
      this.reset();
      return;
    }
    const seg = segs[kept - 1]!;
    if (seg.endLine.beginBar < this.lastSurePos) {
      this.lastSurePos = seg.endLine.beginBar;
      this.lastSureSegIdx = kept - 1;
    }
  }

  /** `segs` must carry their pivots (PivotList.update) and `lines` their segIdx / parentSeg. */
  update(lines: ArrayLike<L>, segs: readonly Segment<L>[]): void {
    const ctx: BspContext<L> = {
      lines,
      segs,
      buy: this.sides.buy,
      sell: this.sides.sell,
      metric: this.metric,
      store: this.store,
    };
    this.store.dropAfter(this.lastSurePos);
    const from = this.lastSureSegIdx;
    const pos = this.lastSurePos;
    for (let i = from; i < segs.length; i++) {
      const seg = segs[i]!;
      if (seg.endLine.endBar > pos) bsp1ForSegment(ctx, seg);
    }
    for (let i = from; i < segs.length; i++) {
      const seg = segs[i]!;
      if (seg.endLine.endBar <= pos) continue;
      const t = (seg.dir === DOWN ? this.sides.buy : this.sides.sell).bsType;
      if (t.includes('2') || t.includes('2s')) bsp2ForSegment(ctx, seg);
    }
    for (let i = from; i < segs.length; i++) {
      const seg = segs[i]!;
      if (seg.endLine.endBar <= pos) continue;
      const t = (seg.dir === DOWN ? this.sides.buy : this.sides.sell).bsType;
      if (t.includes('3a') || t.includes('3b')) bsp3ForSegment(ctx, seg);
    }
    this.updateLastPos(segs);
  }

  private updateLastPos(segs: readonly Segment<L>[]): void {
    this.lastSurePos = -1;
    this.lastSureSegIdx = 0;
    for (let i = segs.length - 1; i >= 0; i--) {
      const seg = segs[i]!;
      if (seg.isSure) {
        this.lastSurePos = seg.endLine.beginBar;
        this.lastSureSegIdx = i;
        return;
      }
    }
  }
}
