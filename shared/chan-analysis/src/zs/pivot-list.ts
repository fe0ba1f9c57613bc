/**
 * The pivot list of one level (chan.py CZSList): normal / over_seg / auto algorithms (chan-spec §8.2–8.3),
 * combining (§8.4) and, after every update, the assignment of pivots to segments (§8.5).
 *
 * Used at stroke level (lines = strokes, segs = segments) and at segment level (lines = segments,
 * segs = segments of segments). `update` is incremental: it keeps the pivots that begin before the start
 * of the last sure segment of the previous update and rebuilds the rest, so the cost of an update depends on
 * the unsure tail, not on the history; the result equals a full recomputation (`reset()` + `update`).
 */
import type { Direction, Line, Segment } from '../types.js';
import type { ChanConfig } from '../config.js';
import { successor } from '../quirks.js';
import { PivotImpl } from './pivot.js';
import { assignPivotsToSegments } from './assign.js';

export type PivotConfig = Pick<ChanConfig, 'zsAlgo' | 'oneBiZs' | 'zsCombine' | 'zsCombineMode'> &
  Partial<Pick<ChanConfig, 'quirks'>>;

const NORMAL = 0;
const OVER_SEG = 1;

export class PivotList<L extends Line = Line> {
  readonly pivots: PivotImpl<L>[] = [];
  /** Candidate lines (chan.py free_item_lst); emptied in place, never shared. */
  private readonly free: L[] = [];
  /** Start line idx / list idx of the last sure segment seen by the previous update (-1 / 0: none). */
  private lastSurePos = -1;
  private lastSegIdx = 0;
  /** That segment (undefined: none, or its pivots must be rebuilt). */
  private lastSure: Segment<L> | undefined = undefined;
  /** Segments whose pivot lists can no longer change (chan.py ele_inside_is_sure). */
  private settled = new WeakSet<Segment<L>>();

  /** chan.py's successor pointers, stale ones included (quirk C), in the over-segment rule. */
  private readonly chanpy: boolean;

  constructor(private readonly config: PivotConfig) {
    if (config.zsAlgo === 'over_seg' && config.oneBiZs) {
      throw new Error('zs_algo "over_seg" requires one_bi_zs = false');
    }
    this.chanpy = (config.quirks ?? 'chanpy') === 'chanpy';
  }

  /** Forget everything: the next update recomputes from the first segment. */
  reset(): void {
    this.pivots.length = 0;
    this.clearFree();
    this.lastSurePos = -1;
    this.lastSegIdx = 0;
    this.lastSure = undefined;
    this.settled = new WeakSet();
  }

  /**
   * Segments [0, kept) are the same objects as at the previous update, the rest are new (a streaming snapshot
   * after a forming bar gave back a price and took confirmed segments with it): move the incremental scope
   * back to the last kept segment, which is sure (only sure segments are kept), so the next `update` rebuilds
   * exactly what those segments' replacements affect.
   */
  resumeFrom(segs: readonly Segment<L>[], kept: number): void {
    if (kept === 0) {
      this.reset();
      return;
    }
    const seg = segs[kept - 1]!;
    if (seg.startLine.idx < this.lastSurePos) {
      this.lastSurePos = seg.startLine.idx;
      this.lastSegIdx = kept - 1;
      this.lastSure = undefined;
      // Its pivots are rebuilt, so its pivot list must be reassigned.
      this.settled.delete(seg);
    }
  }

  /**
   * Recomputes the pivots after `lines` / `segs` changed (lines must already carry segIdx / parentSeg of
   * `segs`), then refreshes `segment.pivots` and each pivot's lineIn / lineOut.
   */
  update(lines: ArrayLike<L>, segs: readonly Segment<L>[]): void {
    const pivots = this.pivots;
    const algo = this.config.zsAlgo;
    let from = this.lastSegIdx;
    let keepBefore = this.lastSurePos;
    const sure = this.lastSure;
    if (algo === 'normal' && sure !== undefined && segs[from] === sure) {
      // chan.py rebuilds the pivots from the last sure segment on. When that segment is still the same object,
      // its lines are unchanged, and normal pivots are built from one segment's own lines only (never extended
      // or combined from a later segment): rebuilding them would give the same pivots, so they are kept.
      keepBefore = sure.endLine.idx + 1;
      from++;
    }
    while (pivots.length > 0 && pivots[pivots.length - 1]!.beginLine.idx >= keepBefore) pivots.pop();
    if (algo === 'normal') this.runNormal(lines, segs, from);
    else if (algo === 'over_seg')
      this.runOverSeg(lines, pivots.length > 0 ? pivots[pivots.length - 1]!.endLine.idx + 1 : 0);
    else this.runAuto(lines, segs);
    this.updateLastPos(segs);
    assignPivotsToSegments(lines, segs, pivots, this.settled);
  }

  private runNormal(lines: ArrayLike<L>, segs: readonly Segment<L>[], from: number): void {
    for (let i = from; i < segs.length; i++) {
      const seg = segs[i]!;
      if (seg.startLine.idx < this.lastSurePos) continue;
      this.clearFree();
      this.addFromRange(lines, seg.startLine.idx, seg.endLine.idx, seg.dir, seg.isSure);
    }
    if (segs.length > 0) {
      // Lines after the last segment: counter lines of a hypothetical next segment (the last one's direction).
      const last = segs[segs.length - 1]!;
      this.clearFree();
      this.addFromRange(lines, last.endLine.idx + 1, lines.length - 1, -last.dir as Direction, false);
    }
  }

  /** Sure segments (and unsure ones before the first sure one) use normal; the rest over_seg. */
  private runAuto(lines: ArrayLike<L>, segs: readonly Segment<L>[]): void {
    let sureSeen = false;
    let anySure = false;
    for (let i = segs.length - 1; i >= 0; i--) {
      if (segs[i]!.isSure) {
        anySure = true;
        break;
      }
    }
    for (let i = this.lastSegIdx; i < segs.length; i++) {
      const seg = segs[i]!;
      if (seg.isSure) sureSeen = true;
      if (seg.startLine.idx < this.lastSurePos) continue;
      this.clearFree();
      if (seg.isSure || (!sureSeen && anySure)) {
        this.addFromRange(lines, seg.startLine.idx, seg.endLine.idx, seg.dir, seg.isSure);
      } else {
        this.runOverSeg(lines, seg.startLine.idx);
        break;
      }
    }
  }

  private runOverSeg(lines: ArrayLike<L>, from: number): void {
    this.clearFree();
    for (let i = from; i < lines.length; i++) this.updateOverSeg(lines, lines[i]!);
  }

  /** Feeds the counter-direction lines of one segment (or of the tail). */
  private addFromRange(lines: ArrayLike<L>, from: number, to: number, segDir: Direction, isSure: boolean): void {
    let dealt = 0;
    for (let i = from; i <= to; i++) {
      const line = lines[i]!;
      if (line.dir === segDir) continue;
      if (dealt === 0) {
        this.addToFree(line, isSure, NORMAL);
        dealt = 1;
      } else if (this.free.length > 0 || !this.tryExtendLast(line)) {
        this.addToFree(line, isSure, NORMAL);
      }
    }
  }

  /** Empties the candidate list in place (a few pops beat a length store, which is a runtime call). */
  private clearFree(): void {
    const free = this.free;
    while (free.length > 0) free.pop();
  }

  private tryExtendLast(line: L): boolean {
    const last = this.pivots[this.pivots.length - 1];
    if (last === undefined || !last.tryAddToEnd(line)) return false;
    this.tryCombine();
    return true;
  }

  private updateOverSeg(lines: ArrayLike<L>, line: L): void {
    const last = this.pivots[this.pivots.length - 1];
    if (last !== undefined && this.free.length === 0) {
      const next = successor(lines, line, this.chanpy);
      if (next === undefined) return;
      const adjacent = line.idx - last.endLine.idx <= 1;
      if (adjacent && last.inRange(next) && last.tryAddToEnd(line)) return;
      if (adjacent && last.inRange(line)) return;
    }
    this.addToFree(line, line.isSure, OVER_SEG);
  }

  private addToFree(line: L, isSure: boolean, algo: number): void {
    const free = this.free;
    if (free.length > 0 && free[free.length - 1]!.idx === line.idx) free.pop();
    free.push(line);
    const zs = this.tryConstruct(free, isSure, algo);
    // A pivot never begins at line 0 (it would have no entering line); the candidates are then kept.
    if (zs !== null && zs.beginLine.idx > 0) {
      this.pivots.push(zs);
      this.clearFree();
      this.tryCombine();
    }
  }

  private tryConstruct(free: readonly L[], isSure: boolean, algo: number): PivotImpl<L> | null {
    // The candidates are free[from, n): no copy is made (the pivot reads them from the list).
    const n = free.length;
    let from = 0;
    if (algo === NORMAL) {
      if (!this.config.oneBiZs) {
        if (n < 2) return null;
        from = n - 2;
      }
    } else {
      if (n < 3) return null;
      from = n - 3;
      // over_seg pivots start with a counter-direction line of its segment; a line after the last segment
      // belongs to a hypothetical next segment, opposite to the last one.
      const first = free[from]!;
      const parent = first.parentSeg;
      if (parent !== undefined && first.dir === parent.dir) return null;
    }
    let minHigh = Infinity;
    let maxLow = -Infinity;
    for (let i = from; i < n; i++) {
      const x = free[i]!;
      if (x.high < minHigh) minHigh = x.high;
      if (x.low > maxLow) maxLow = x.low;
    }
    return minHigh > maxLow ? new PivotImpl<L>(free, isSure, from, n) : null;
  }

  private tryCombine(): void {
    if (!this.config.zsCombine) return;
    const pivots = this.pivots;
    while (
      pivots.length >= 2 &&
      pivots[pivots.length - 2]!.combine(pivots[pivots.length - 1]!, this.config.zsCombineMode)
    ) {
      pivots.pop();
    }
  }

  private updateLastPos(segs: readonly Segment<L>[]): void {
    this.lastSurePos = -1;
    this.lastSegIdx = 0;
    this.lastSure = undefined;
    for (let i = segs.length - 1; i >= 0; i--) {
      const seg = segs[i]!;
      if (seg.isSure) {
        this.lastSurePos = seg.startLine.idx;
        this.lastSegIdx = i;
        this.lastSure = seg;
        return;
      }
    }
  }
}
