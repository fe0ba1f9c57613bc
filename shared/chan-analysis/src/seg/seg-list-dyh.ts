/**
 * Segment list by the "1+1" algorithm (chan.py CSegListDYH, `seg_algo = "1+1"`, deprecated in chan.py),
 * chan-spec §7.9. No feature sequence is merged: three same-direction sub-lines decide where a segment ends.
 * After the pass the last segment may be stretched, a trailing unsure segment may be added, and the left-over
 * goes through the shared `collect_left` (§7.8).
 *
 * Interpretations of the terse §7.9 text (checked against the §15 counts, see seg-algos.test.ts):
 * - The lines examined are the feature lines of the segment being formed: once a segment exists, lines of
 *   the same direction as its end line (a forming UP segment is examined at its DOWN lines); before the first
 *   segment, lines of either direction. A break found at line b = lines[idx] ends the forming segment at the
 *   line before it (idx − 1, the turning point), so the next one begins at b.
 * - idx runs over 2..n−3 (the patterns read lines idx − 2 and idx + 2). "Minimum distance of 4 from the last
 *   seg end": idx − end.idx ≥ 4, i.e. the new segment (end.idx + 1 .. idx − 1) has at least 3 lines (always an
 *   odd number, as b has the end line's direction); not applied before the first segment.
 * - A guard keeps the new segment from ending behind its own begin: for b DOWN it is skipped when the turning
 *   line's high is below the low of the segment's first line (mirrored for b UP).
 * - The two patterns on (prev = lines[idx − 2], b, next = lines[idx + 2]), written for b DOWN, i.e. a top of a
 *   forming UP segment at line idx − 1 (mirrored for b UP); both need next.high < b.high (the rebound after b
 *   stays below the top, so the top holds):
 *   situation 1: b.low < prev.low — the first line down already breaks the previous counter line ("1", then
 *                "+1" for the failed rebound);
 *   situation 2: b.low ≥ prev.low but next.low < b.low — the second line down makes the lower low.
 *   This reading gives exactly the §15 segment count on SSE 1d (34); see the report in the tests.
 * - A break adds a sure segment through the shared `addSeg` (§7.7: first-segment split, a first segment
 *   failing the value check is skipped and the scan goes on unchanged).
 * - "Moves the last seg's end to later more extreme sub-lines (marking it unsure)": after the pass, the
 *   most extreme later line of the last segment's end direction strictly beyond its end (UP: higher high;
 *   DOWN: lower low) becomes its new end, and the segment is re-created unsure (reason "dyh_update_end").
 * - "Handles a trailing unsure seg": when ≥ 3 lines follow the last segment, the lines of the direction of the
 *   first of them (e + 1) that go strictly beyond that line's own extreme, from e + 3 on, end an unsure segment at
 *   the most extreme of them (reason "dyh_left"). Then `collect_left` runs as for every algorithm.
 */
import { DOWN, UP, type Line } from '../types.js';
import type { BarPrices } from './seg.js';
import { Checkpoints } from './seg-checkpoints.js';
import { SegList, type SegAlgorithm, type SegListCore, type SegListOptions } from './seg-list-base.js';

export class SegListDYH<L extends Line> extends SegList<L> {
  constructor(options: SegListOptions, bars: BarPrices) {
    super(options, bars, (core) => new DyhScan<L>(core));
  }
}

/** The pass state after a segment was added: resume at line `next`. */
interface DyhState {
  readonly next: number;
}

/** Situations 1 and 2 at feature line lines[idx] (needs idx − 2 ≥ 0 and idx + 2 < n). */
function dyhBreakAt(lines: ArrayLike<Line>, idx: number): boolean {
  const b = lines[idx];
  const prev = lines[idx - 2];
  const next = lines[idx + 2];
  if (b.dir === DOWN) {
    if (!(next.high < b.high)) return false;
    return b.low < prev.low || next.low < b.low;
  }
  if (!(next.low > b.low)) return false;
  return b.high > prev.high || next.high > b.high;
}

class DyhScan<L extends Line> implements SegAlgorithm {
  private readonly core: SegListCore<L>;
  private readonly checkpoints = new Checkpoints<DyhState>();
  private resume: DyhState | undefined;

  constructor(core: SegListCore<L>) {
    this.core = core;
  }

  trim(dirtyFrom: number): void {
    this.resume = this.checkpoints.restore(this.core, dirtyFrom);
  }

  scan(): void {
    this.pass();
    this.updateLastEnd();
    this.addTrailing();
  }

  private pass(): void {
    const core = this.core;
    const lines = core.lines;
    const n = lines.length;
    const segs = core.segs;
    for (let idx = this.resume === undefined ? 2 : this.resume.next; idx + 2 < n; idx++) {
      const b = lines[idx];
      const last = segs[segs.length - 1];
      if (last !== undefined && (b.dir !== last.endLine.dir || idx - last.endLine.idx < 4)) continue;
      const first = lines[last === undefined ? 0 : last.endLine.idx + 1];
      const turn = lines[idx - 1];
      if (b.dir === DOWN ? turn.high < first.low : turn.low > first.high) continue;
      if (!dyhBreakAt(lines, idx)) continue;
      if (!core.addSeg(idx - 1, true, undefined, true, 'normal')) continue;
      // The state now depends on the lines up to idx + 2 (read by the patterns).
      this.checkpoints.push(core, idx + 2, { next: idx + 1 });
    }
  }

  private updateLastEnd(): void {
    const core = this.core;
    const lines = core.lines;
    const last = core.segs[core.segs.length - 1];
    if (last === undefined) return;
    const e = last.endLine;
    const up = e.dir === UP;
    let best = -1;
    let v = up ? e.high : e.low;
    for (let i = e.idx + 2; i < lines.length; i += 2) {
      const l = lines[i];
      if (up ? l.high > v : l.low < v) {
        v = up ? l.high : l.low;
        best = i;
      }
    }
    if (best < 0) return;
    const start = last.startLine.idx;
    const dir = last.dir;
    // The re-created segment is a new object: the checkpoint taken after `last` no longer matches and an
    // update resumes from the one before (restore() checks identity).
    core.popSeg();
    core.pushSeg(start, best, false, dir, 'dyh_update_end');
  }

  private addTrailing(): void {
    const core = this.core;
    const lines = core.lines;
    const last = core.segs[core.segs.length - 1];
    if (last === undefined) return;
    const e = last.endLine.idx;
    if (lines.length - 1 - e < 3) return;
    const first = lines[e + 1];
    const up = first.dir === UP;
    let best = -1;
    let v = up ? first.high : first.low;
    for (let i = e + 3; i < lines.length; i += 2) {
      const l = lines[i];
      if (up ? l.high > v : l.low < v) {
        v = up ? l.high : l.low;
        best = i;
      }
    }
    if (best >= 0) core.addSeg(best, false, undefined, true, 'dyh_left');
  }
}
