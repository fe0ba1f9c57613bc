/**
 * Type 1 (trend divergence) and 1p (consolidation divergence) at the end line of a segment (chan-spec §12.3).
 */
import type { Line, Pivot, Segment } from '../types.js';
import { DOWN, UP } from '../types.js';
import type { BspSideConfig } from '../config.js';
import { sideConfig, type BspContext } from './context.js';

export function bsp1ForSegment<L extends Line>(ctx: BspContext<L>, seg: Segment<L>): void {
  const conf = sideConfig(ctx, seg.dir === DOWN);
  const pivots = seg.pivots;
  let zsCnt = pivots.length;
  if (conf.bsp1OnlyMultibiZs) {
    zsCnt = 0;
    for (const z of pivots) if (!z.isOneLine) zsCnt++;
  }
  const isTarget = conf.minZsCnt <= 0 || zsCnt >= conf.minZsCnt;
  const last = seg.endLine;
  const z = pivots[pivots.length - 1];
  if (
    z !== undefined &&
    !z.isOneLine &&
    ((z.lineOut !== undefined && z.lineOut.idx >= last.idx) || z.endLine.idx >= last.idx) &&
    z.lineIn !== undefined &&
    last.idx - z.lineIn.idx > 2
  ) {
    trendBsp1(ctx, seg, z, conf, isTarget);
  } else {
    consolidationBsp1(ctx, seg, conf, isTarget);
  }
}

/** bi_out must be the extreme among the pivot's own lines up to the segment end (chan.py out_bi_is_peak). */
function outIsPeak<L extends Line>(lines: ArrayLike<L>, z: Pivot<L>, endIdx: number): boolean {
  const out = z.lineOut;
  if (out === undefined) return false;
  for (let i = z.beginLine.idx; i <= z.endLine.idx && i <= endIdx; i++) {
    const x = lines[i]!;
    if (out.dir === DOWN ? x.low < out.low : x.high > out.high) return false;
  }
  return true;
}

function trendBsp1<L extends Line>(
  ctx: BspContext<L>,
  seg: Segment<L>,
  z: Pivot<L>,
  conf: BspSideConfig,
  isTarget: boolean,
): void {
  const last = seg.endLine;
  if (conf.bs1Peak && !outIsPeak(ctx.lines, z, last.idx)) isTarget = false;
  let rate: number | null = null;
  const breaks = last.dir === DOWN ? last.low < z.low : last.dir === UP && last.high > z.high;
  if (breaks) {
    const inMetric = ctx.metric(z.lineIn!, conf.macdAlgo, false);
    const outMetric = ctx.metric(last, conf.macdAlgo, true);
    rate = outMetric / inMetric;
    // A rate above 100 means "always divergent" (chan.py's pass-through for divergence_rate = inf).
    if (!(conf.divergenceRate > 100 || outMetric <= conf.divergenceRate * inMetric)) isTarget = false;
  } else {
    isTarget = false;
  }
  ctx.store.add('1', last, undefined, isTarget, {
    divergence_rate: rate,
    zs_cnt: seg.pivots.length,
    bsp_bi_amp: last.amp,
  });
}

function consolidationBsp1<L extends Line>(
  ctx: BspContext<L>,
  seg: Segment<L>,
  conf: BspSideConfig,
  isTarget: boolean,
): void {
  const last = seg.endLine;
  const lines = ctx.lines;
  // chan.py indexes bi_list[idx - 2], which wraps to the list's tail for the first two lines (Python).
  const pre = lines[last.idx >= 2 ? last.idx - 2 : lines.length + last.idx - 2];
  if (pre === undefined) return;
  if (last.segIdx !== pre.segIdx) return;
  if (last.dir !== seg.dir) return;
  if (last.dir === DOWN && last.low > pre.low) return;
  if (last.dir === UP && last.high < pre.high) return;
  const inMetric = ctx.metric(pre, conf.macdAlgo, false);
  const outMetric = ctx.metric(last, conf.macdAlgo, true);
  // inf·0 = NaN makes this false: a zero volume-type metric never diverges under the default inf rate.
  if (!(outMetric <= conf.divergenceRate * inMetric)) isTarget = false;
  ctx.store.add('1p', last, undefined, isTarget, {
    divergence_rate: outMetric / (inMetric + 1e-7),
    bsp1_bi_amp: last.amp,
    bsp_bi_amp: last.amp,
  });
}
