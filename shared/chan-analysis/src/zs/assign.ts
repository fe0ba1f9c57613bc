/**
 * Assigning pivots to segments (chan.py update_zs_in_seg, chan-spec §8.5): `segment.pivots` and each pivot's
 * lineIn / lineOut.
 */
import type { Line, Segment } from '../types.js';
import type { PivotImpl } from './pivot.js';

/**
 * Walks segments from the last one backwards and stops at one already settled; a segment becomes settled
 * once more than two sure segments after (and including) it have been visited, because pivots that early can
 * no longer be rebuilt by an incremental update. Pass a fresh WeakSet for a one-off full assignment.
 *
 * chan.py rescans the pivot list from its end for every segment (quadratic on a first batch run). Pivots are
 * ordered by first line and each ends after it begins, so the same result comes from one backward pass:
 * a segment owns the pivots whose first line lies in it, and lineIn / lineOut are set on every pivot that ends
 * at or after the first bar of the earliest segment walked (the union of chan.py's per-segment scans).
 */
export function assignPivotsToSegments<L extends Line>(
  lines: ArrayLike<L>,
  segs: readonly Segment<L>[],
  pivots: readonly PivotImpl<L>[],
  settled: WeakSet<Segment<L>>,
): void {
  let sureCnt = 0;
  let zi = pivots.length - 1;
  let earliestBar = Infinity;
  for (let si = segs.length - 1; si >= 0; si--) {
    const seg = segs[si]!;
    if (settled.has(seg)) break;
    if (seg.isSure) sureCnt++;
    earliestBar = seg.startLine.beginBar;
    const startIdx = seg.startLine.idx;
    const endIdx = seg.endLine.idx;
    while (zi >= 0 && pivots[zi]!.beginLine.idx > endIdx) zi--;
    const own: PivotImpl<L>[] = [];
    while (zi >= 0 && pivots[zi]!.beginLine.idx >= startIdx) own.push(pivots[zi--]!);
    own.reverse();
    seg.pivots = own;
    if (sureCnt > 2) settled.add(seg);
  }
  for (let i = pivots.length - 1; i >= 0; i--) {
    const zs = pivots[i]!;
    if (zs.endBar < earliestBar) break;
    zs.lineIn = lines[zs.beginLine.idx - 1];
    // chan.py never clears lineOut: a pivot ending at the last line keeps the one it had.
    const out = lines[zs.endLine.idx + 1];
    if (out !== undefined) zs.lineOut = out;
  }
}
