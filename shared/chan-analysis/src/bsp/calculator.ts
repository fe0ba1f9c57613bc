/**
 * Buy/sell points of one level (chan.py CBSPointList, chan-spec §12): stroke level (lines = strokes,
 * segs = segments, bi pivots, config sides buy/sell) or segment level (lines = segments, segs = segments of
 * segments, segment pivots, config sides segBuy/segSell, metric = segmentMetric).
 *
 * `update` is incremental (§12.2 "Scope", §10.2): points on lines ending after the begin bar of the last sure
 * segment's end line are dropped and recomputed for the segments from the last sure one on; a full
 * recomputation is `reset()` + `update`.
 */
import type { BspType, IndicatorSeries, Line, Segment } from '../types.js';
import { DOWN } from '../types.js';
import type { BspSideConfig, ChanConfig } from '../config.js';
import {
  segmentMetricFn,
  strokeMetricFn,
  type BarSource,
  type MetricFn,
  type StrokeLike,
} from '../divergence/metrics.js';
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
  /** That segment (undefined: none, or its type-1 point must be recomputed). */
  private lastSureSeg: Segment<L> | undefined = undefined;
  /** The rules' context (lines and segments set per update). */
  private readonly ctx: { -readonly [K in keyof BspContext<L>]: BspContext<L>[K] };
  /** Whether type 2/2s, 3a/3b are configured per side (the per-segment pass test). */
  private readonly buyHas2: boolean;
  private readonly sellHas2: boolean;
  private readonly buyHas3: boolean;
  private readonly sellHas3: boolean;

  /**
   * `fixedSurePivots`: the pivots of a sure segment that survives an update keep their values (the `normal`
   * pivot algorithm: a segment's pivots come from its own lines only), so its type-1/1p point can be kept
   * rather than recomputed (see `update`).
   */
  constructor(
    sides: { buy: BspSideConfig; sell: BspSideConfig },
    metric: MetricFn<L>,
    private readonly fixedSurePivots = false,
  ) {
    this.store = new BspStore<L>(sides);
    this.ctx = { lines: [], segs: [], buy: sides.buy, sell: sides.sell, metric, store: this.store };
    this.buyHas2 = has(sides.buy, '2', '2s');
    this.sellHas2 = has(sides.sell, '2', '2s');
    this.buyHas3 = has(sides.buy, '3a', '3b');
    this.sellHas3 = has(sides.sell, '3a', '3b');
  }

  /** Stroke level: config sides buy / sell, metrics over the strokes' bars and MACD. */
  static forStrokes<S extends StrokeLike>(config: ChanConfig, bars: BarSource, ind: IndicatorSeries): BspCalculator<S> {
    return new BspCalculator<S>(
      { buy: config.bsp.buy, sell: config.bsp.sell },
      strokeMetricFn<S>(bars, ind),
      config.zsAlgo === 'normal',
    );
  }

  /** Segment level (lines = segments): config sides segBuy / segSell, slope / amp metrics. */
  static forSegments<S extends Line>(config: ChanConfig, bars: BarSource): BspCalculator<S> {
    return new BspCalculator<S>(
      { buy: config.bsp.segBuy, sell: config.bsp.segSell },
      segmentMetricFn<S>(bars),
      config.zsAlgo === 'normal',
    );
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
    this.lastSureSeg = undefined;
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
      this.lastSureSeg = undefined;
    }
  }

  /** `segs` must carry their pivots (PivotList.update) and `lines` their segIdx / parentSeg. */
  update(lines: ArrayLike<L>, segs: readonly Segment<L>[]): void {
    const ctx = this.ctx;
    ctx.lines = lines;
    ctx.segs = segs;
    const from = this.lastSureSegIdx;
    const pos = this.lastSurePos;
    let bsp1From = from;
    const sure = this.lastSureSeg;
    if (this.fixedSurePivots && sure !== undefined && segs[from] === sure && this.store.onlyBsp1At(sure.endLine.idx)) {
      // chan.py recomputes the type-1/1p point of the last sure segment too. The segment is the same object, so
      // its lines, pivots and metrics are unchanged, and what the previous update left at its end line is
      // exactly that rule's output (nothing else landed there): keep it and drop only the points after it.
      this.store.dropAfter(sure.endLine.endBar);
      bsp1From = from + 1;
    } else {
      this.store.dropAfter(pos);
    }
    for (let i = bsp1From; i < segs.length; i++) {
      const seg = segs[i]!;
      if (seg.endLine.endBar > pos) bsp1ForSegment(ctx, seg);
    }
    for (let i = from; i < segs.length; i++) {
      const seg = segs[i]!;
      if (seg.endLine.endBar <= pos) continue;
      if (seg.dir === DOWN ? this.buyHas2 : this.sellHas2) bsp2ForSegment(ctx, seg);
    }
    for (let i = from; i < segs.length; i++) {
      const seg = segs[i]!;
      if (seg.endLine.endBar <= pos) continue;
      if (seg.dir === DOWN ? this.buyHas3 : this.sellHas3) bsp3ForSegment(ctx, seg);
    }
    this.store.sort();
    this.updateLastPos(segs);
  }

  private updateLastPos(segs: readonly Segment<L>[]): void {
    this.lastSurePos = -1;
    this.lastSureSegIdx = 0;
    this.lastSureSeg = undefined;
    for (let i = segs.length - 1; i >= 0; i--) {
      const seg = segs[i]!;
      if (seg.isSure) {
        this.lastSurePos = seg.endLine.beginBar;
        this.lastSureSegIdx = i;
        this.lastSureSeg = seg;
        return;
      }
    }
  }
}

function has(side: BspSideConfig, a: BspType, b: BspType): boolean {
  return side.bsType.includes(a) || side.bsType.includes(b);
}
