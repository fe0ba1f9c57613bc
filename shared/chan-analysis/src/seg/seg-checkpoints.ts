/**
 * Streaming support for the single-pass segment algorithms (`break`, `1+1`, chan-spec §7.9): their state
 * after a sub-line is (the segments so far, a few line indices), and it depends only on the lines read so far.
 * A checkpoint records that state each time a segment is added by the pass; an update resumes from the latest
 * checkpoint whose lines are unchanged and whose segments are still in the list as they were created, and
 * drops everything after it. The segments after the resume point are rebuilt, so a snapshot equals a batch
 * run, and an update costs the lines since that checkpoint (the unsure tail), not the whole history.
 */
import type { Line } from '../types.js';
import type { Seg } from './seg.js';
import type { SegListCore } from './seg-list-base.js';

export interface Checkpoint<S> {
  /** Segments in the list when the checkpoint was taken. */
  readonly segCount: number;
  /** The last of them (identity check: collect_left or a later step may have replaced or dropped it). */
  readonly lastSeg: Seg<Line> | undefined;
  /** Highest line idx the state depends on. */
  readonly readUpTo: number;
  /** The algorithm's own state (next line to process, pending candidate, …). */
  readonly state: S;
}

export class Checkpoints<S> {
  private readonly list: Checkpoint<S>[] = [];

  /** Records the state after the segments currently in `core`. */
  push<L extends Line>(core: SegListCore<L>, readUpTo: number, state: S): void {
    const segs = core.segs;
    this.list.push({ segCount: segs.length, lastSeg: segs[segs.length - 1], readUpTo, state });
  }

  /**
   * Rolls `core` back to the latest valid checkpoint (popping the segments after it and unlinking every line
   * after the last kept segment, stale `parentSeg` links of the §7.8 quirk included) and returns its state;
   * undefined = start from scratch (the list is then empty).
   */
  restore<L extends Line>(core: SegListCore<L>, dirtyFrom: number): S | undefined {
    const segs = core.segs;
    const lines = core.lines;
    const n = lines.length;
    const list = this.list;
    let cp: Checkpoint<S> | undefined;
    while (list.length > 0) {
      const c = list[list.length - 1];
      const intact =
        c.readUpTo < dirtyFrom &&
        c.readUpTo < n &&
        segs.length >= c.segCount &&
        (c.segCount === 0 || segs[c.segCount - 1] === c.lastSeg);
      if (intact) {
        cp = c;
        break;
      }
      list.pop();
    }
    const keep = cp === undefined ? 0 : cp.segCount;
    while (segs.length > keep) core.popSeg();
    for (let i = keep > 0 ? segs[keep - 1].endLine.idx + 1 : 0; i < n; i++) lines[i].parentSeg = undefined;
    return cp?.state;
  }
}
