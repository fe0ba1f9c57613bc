/**
 * Type 2 (first pullback after the type-1 line) and 2s (类二: later pullbacks overlapping it) of a segment
 * (chan-spec §12.4).
 */
import type { Line, Segment } from '../types.js';
import { DOWN, UP } from '../types.js';
import { overlaps, sideConfig, type BspContext } from './context.js';

export function bsp2ForSegment<L extends Line>(ctx: BspContext<L>, seg: Segment<L>): void {
  const { lines, segs, store } = ctx;
  let bsp1Line: L | undefined;
  let breakLine: L;
  let bsp2Line: L;
  let conf;
  if (segs.length > 1) {
    conf = sideConfig(ctx, seg.dir === DOWN);
    bsp1Line = seg.endLine;
    if (bsp1Line.idx + 2 >= lines.length) return;
    breakLine = lines[bsp1Line.idx + 1]!;
    bsp2Line = lines[bsp1Line.idx + 2]!;
  } else {
    // A lone segment uses the *opposite* side's config (chan.py quirk); the point's side still follows the line.
    conf = sideConfig(ctx, seg.dir === UP);
    if (lines.length < 2) return;
    breakLine = lines[0]!;
    bsp2Line = lines[1]!;
  }
  if (conf.bsp2Follow1 && (bsp1Line === undefined || store.storedAt(bsp1Line.idx) === undefined)) return;
  const relate = bsp1Line === undefined ? undefined : store.bsp1At(bsp1Line.idx);
  const retrace = bsp2Line.amp / breakLine.amp;
  if (retrace <= conf.maxBs2Rate) {
    store.add('2', bsp2Line, relate, true, {
      bsp2_retrace_rate: retrace,
      bsp2_break_bi_amp: breakLine.amp,
      bsp2_bi_amp: bsp2Line.amp,
      bsp_bi_amp: bsp2Line.amp,
    });
  } else if (conf.bsp2sFollow2) {
    return;
  }
  if (!sideConfig(ctx, seg.dir === DOWN).bsType.includes('2s')) return;

  const l2Seg = bsp2Line.segIdx;
  let bandLow = 0;
  let bandHigh = 0;
  for (let bias = 2; bsp2Line.idx + bias < lines.length; bias += 2) {
    const x = lines[bsp2Line.idx + bias]!;
    if (conf.maxBsp2sLv !== null && bias / 2 > conf.maxBsp2sLv) break;
    // Lines after the last segment carry segIdx = last + 1 and do not stop the scan by the first clause.
    if (x.segIdx !== l2Seg && (x.segIdx < segs.length - 1 || x.segIdx - l2Seg >= 2 || segs[l2Seg]!.isSure)) break;
    if (bias === 2) {
      if (!overlaps(bsp2Line.low, bsp2Line.high, x.low, x.high)) break;
      bandLow = Math.max(bsp2Line.low, x.low);
      bandHigh = Math.min(bsp2Line.high, x.high);
    } else if (!overlaps(bandLow, bandHigh, x.low, x.high)) {
      break;
    }
    if (x.dir === DOWN ? x.low < breakLine.low : x.high > breakLine.high) break;
    const rate = Math.abs(x.endVal - breakLine.endVal) / breakLine.amp;
    if (rate > conf.maxBs2Rate) break;
    store.add('2s', x, relate, true, {
      bsp2s_retrace_rate: rate,
      bsp2s_break_bi_amp: breakLine.amp,
      bsp2s_bi_amp: x.amp,
      bsp2s_lv: bias / 2,
      bsp_bi_amp: x.amp,
    });
  }
}
