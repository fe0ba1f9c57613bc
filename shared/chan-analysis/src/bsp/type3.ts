/**
 * Type 3a (pullback after a pivot of the next segment) and 3b (pullback after the pivot the type-1 line
 * left) of a segment (chan-spec §12.5).
 */
import type { Line, Pivot, Segment } from '../types.js';
import { DOWN, UP } from '../types.js';
import type { BspSideConfig } from '../config.js';
import type { BuySellPointImpl } from './point.js';
import { sideConfig, type BspContext } from './context.js';

export function bsp3ForSegment<L extends Line>(ctx: BspContext<L>, seg: Segment<L>): void {
  const { segs, store } = ctx;
  let bsp1Line: L | undefined;
  let next: Segment<L> | undefined;
  let nextIdx: number;
  let conf: BspSideConfig;
  if (segs.length > 1) {
    bsp1Line = seg.endLine;
    conf = sideConfig(ctx, seg.dir === DOWN);
    nextIdx = seg.idx + 1;
    next = segs[seg.idx + 1];
  } else {
    next = seg;
    nextIdx = seg.idx;
    conf = sideConfig(ctx, seg.dir === UP);
  }
  if (conf.bsp3Follow1 && (bsp1Line === undefined || store.storedAt(bsp1Line.idx) === undefined)) return;
  const relate = bsp1Line === undefined ? undefined : store.bsp1At(bsp1Line.idx);
  if (next !== undefined) bsp3After(ctx, next, conf, relate, bsp1Line === undefined ? -1 : bsp1Line.idx, nextIdx);
  bsp3Before(ctx, seg, next, bsp1Line, conf, relate, nextIdx);
}

/** X pulls back into the pivot (X's own direction decides the side). */
function backIntoPivot(x: Line, z: Pivot<Line>): boolean {
  return x.dir === DOWN ? x.low < z.high : x.dir === UP && x.high > z.low;
}

function clearsPeak(x: Line, z: Pivot<Line>): boolean {
  return x.dir === DOWN ? x.high >= z.peakHigh : x.dir === UP && x.low <= z.peakLow;
}

function subLineCount(seg: Segment<Line>): number {
  return seg.endLine.idx - seg.startLine.idx + 1;
}

function bsp3After<L extends Line>(
  ctx: BspContext<L>,
  next: Segment<L>,
  conf: BspSideConfig,
  relate: BuySellPointImpl<L> | undefined,
  bsp1Idx: number,
  nextIdx: number,
): void {
  const { lines, segs } = ctx;
  // The next segment's pivots with ≥ 2 sub-lines, in order (walked in place: no filtered copy).
  const pivots = next.pivots;
  let zi = 0;
  while (zi < pivots.length && pivots[zi]!.isOneLine) zi++;
  if (zi === pivots.length) return;
  if (conf.strictBsp3 && pivots[zi]!.lineIn?.idx !== bsp1Idx + 1) return;
  // The count comes from the config of the side "next segment is DOWN", whatever side drives the rule (quirk).
  const maxCnt = sideConfig(ctx, next.dir === DOWN).bsp3aMaxZsCnt;
  for (let cnt = 0; zi < pivots.length && cnt < maxCnt; zi++) {
    const z = pivots[zi]!;
    if (z.isOneLine) continue;
    cnt++;
    if (z.lineOut === undefined || z.lineOut.idx + 1 >= lines.length) break;
    const x = lines[z.lineOut.idx + 1]!;
    const parent = x.parentSeg;
    if (parent === undefined) {
      if (next.idx !== segs.length - 1) break;
    } else if (parent.idx !== next.idx && subLineCount(parent) >= 3) {
      break;
    }
    if (x.dir === next.dir) break;
    if (x.segIdx !== nextIdx && nextIdx < segs.length - 2) break;
    if (backIntoPivot(x, z)) continue;
    if (conf.bsp3Peak && !clearsPeak(x, z)) continue;
    ctx.store.add('3a', x, relate, true, {
      bsp3_zs_height: (z.high - z.low) / z.low,
      bsp3_bi_amp: x.amp,
      bsp_bi_amp: x.amp,
    });
  }
}

/** Last line idx a 3b may sit on: the exit of the next segment's first pivot, else just before its end. */
function bsp3bEndIdx<L extends Line>(next: Segment<L> | undefined, segs: readonly Segment<L>[]): number {
  if (next === undefined) return Infinity;
  const pivots = next.pivots;
  let anyMulti = false;
  for (let i = 0; i < pivots.length; i++) {
    const z = pivots[i]!;
    if (z.isOneLine) continue;
    anyMulti = true;
    if (z.lineOut !== undefined) return z.lineOut.idx;
  }
  if (!anyMulti && segs[next.idx + 1] === undefined) return Infinity;
  return next.endLine.idx - 1;
}

/** The last pivot of `seg` with ≥ 2 sub-lines. */
function lastMultiLinePivot<L extends Line>(seg: Segment<L>): Pivot<L> | undefined {
  const pivots = seg.pivots;
  for (let i = pivots.length - 1; i >= 0; i--) if (!pivots[i]!.isOneLine) return pivots[i];
  return undefined;
}

function bsp3Before<L extends Line>(
  ctx: BspContext<L>,
  seg: Segment<L>,
  next: Segment<L> | undefined,
  bsp1Line: L | undefined,
  conf: BspSideConfig,
  relate: BuySellPointImpl<L> | undefined,
  nextIdx: number,
): void {
  const { lines, segs } = ctx;
  const z = lastMultiLinePivot(seg);
  if (z === undefined || bsp1Line === undefined) return;
  if (conf.strictBsp3 && (z.lineOut === undefined || z.lineOut.idx !== bsp1Line.idx)) return;
  const endIdx = bsp3bEndIdx(next, segs);
  for (let i = bsp1Line.idx + 2; i < lines.length; i += 2) {
    const x = lines[i]!;
    if (x.idx > endIdx) break;
    if (x.segIdx !== nextIdx && x.segIdx < segs.length - 1) break;
    if (backIntoPivot(x, z)) continue;
    ctx.store.add('3b', x, relate, true, {
      bsp3_zs_height: (z.high - z.low) / z.low,
      bsp3_bi_amp: x.amp,
      bsp_bi_amp: x.amp,
    });
    break;
  }
}
