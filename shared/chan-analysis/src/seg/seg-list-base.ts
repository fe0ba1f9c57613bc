/**
 * What every segment algorithm shares (chan.py CSegListComm): the segment list itself, adding a segment with
 * the first-segment split (chan-spec §7.7), the left-over collection (`collect_left`, §7.8) and the
 * `segIdx` / `parentSeg` assignment (§7.1). The algorithms (`chan`, `break`, `1+1`) differ only in how they
 * find the segments before the left-over and in what an update may keep; each is a `SegAlgorithm` driven by
 * the one public list class, `SegList`.
 *
 * `SegListChan`, `SegListBreak` and `SegListDYH` are `SegList` subclasses that only choose the algorithm,
 * so they have exactly the same public surface (and one is assignable to another).
 */
import type { LeftSegMethod, Quirks } from '../config.js';
import { DOWN, UP, type Direction, type Line } from '../types.js';
import { findPeak } from './find-peak.js';
import { Seg, SegEndValueError, type BarPrices } from './seg.js';

export interface SegListOptions {
  leftSegMethod: LeftSegMethod;
  /** chan.py's quirks in the feature-sequence rule (E/E2, C/D): `chanpy` (the default) or `corrected`. */
  quirks?: Quirks;
}

/** The segment list under construction and the operations the algorithms build it with. */
export class SegListCore<L extends Line> {
  /** The segments, in order; `segs[i].idx === i`. */
  readonly segs: Seg<L>[] = [];
  /** How many segments (a prefix of `segs`) the current update kept from the previous one. */
  keptCount = 0;
  /** The sub-lines of the current update (`lines[i].idx === i`). */
  lines: ArrayLike<L> = [];
  readonly leftMethod: LeftSegMethod;
  readonly bars: BarPrices;

  constructor(options: SegListOptions, bars: BarPrices) {
    this.leftMethod = options.leftSegMethod;
    this.bars = bars;
  }

  /**
   * §7.7. Returns false when the very first segment fails the value check (chan.py then goes on without it);
   * the same failure on a later segment is an engine error, as in chan.py.
   */
  addSeg(
    end: number,
    requestedSure: boolean,
    dir: Direction | undefined,
    allowSplit: boolean,
    reason: string,
  ): boolean {
    const lines = this.lines;
    const segs = this.segs;
    if (segs.length === 0 && allowSplit && end >= 3) {
      // chan.py splits recursively (the first part may split again); unrolled: collect the split points,
      // then add the innermost first part and the second parts outwards.
      let splits: number[] | undefined;
      let e = end;
      while (e >= 3) {
        const peak = findPeak(lines, lines[e].dir === DOWN, e - 3, 0, -1);
        if (peak === undefined) break;
        const first = lines[0];
        const ok =
          peak.dir === DOWN ? peak.low < first.low || peak.idx === 0 : peak.high > first.high || peak.idx === 0;
        if (!ok) break;
        (splits ??= [end]).push(peak.idx);
        e = peak.idx;
      }
      if (splits !== undefined) {
        const k = splits[splits.length - 1];
        this.pushSeg(0, k, false, lines[k].dir, 'split_first_1st');
        for (let j = splits.length - 2; j >= 0; j--) {
          this.pushSeg(segs[segs.length - 1].endLine.idx + 1, splits[j], false, undefined, 'split_first_2nd');
        }
        return true;
      }
    }
    const start = segs.length === 0 ? 0 : segs[segs.length - 1].endLine.idx + 1;
    const seg = new Seg(segs.length, lines[start], lines[end], requestedSure, dir, reason, this.bars);
    if (!seg.valueOk()) {
      if (segs.length === 0) return false;
      throw new SegEndValueError(
        `segment ${seg.idx} (${seg.dir === UP ? 'up' : 'down'}) ends at ${seg.endVal}, beyond its begin ${seg.beginVal}`,
      );
    }
    this.claim(seg);
    return true;
  }

  /** A segment over lines[start..end] without split or value check. */
  pushSeg(start: number, end: number, sure: boolean, dir: Direction | undefined, reason: string): void {
    const lines = this.lines;
    this.claim(new Seg(this.segs.length, lines[start], lines[end], sure, dir, reason, this.bars));
  }

  private claim(seg: Seg<L>): void {
    this.segs.push(seg);
    const lines = this.lines;
    for (let i = seg.startLine.idx, to = seg.endLine.idx; i <= to; i++) lines[i].parentSeg = seg;
  }

  /** Removes the last segment and unlinks the (still existing) lines it claims (§7.10). */
  popSeg(): Seg<L> {
    const lines = this.lines;
    const seg = this.segs.pop()!;
    // A kept segment replaced after the trim (the 1+1 end update) is no longer kept.
    if (this.segs.length < this.keptCount) this.keptCount = this.segs.length;
    const to = Math.min(seg.endLine.idx, lines.length - 1);
    for (let i = seg.startLine.idx; i <= to; i++) if (lines[i].parentSeg === seg) lines[i].parentSeg = undefined;
    return seg;
  }

  /** §7.8: unsure segments over the lines the algorithm left. Loops where chan.py recurses. */
  collectLeft(): void {
    const lines = this.lines;
    const n = lines.length;
    const segs = this.segs;
    if (n === 0) return;
    for (;;) {
      if (segs.length === 0) {
        this.collectFirst();
        return;
      }
      const last = lines[n - 1];
      let endLine = segs[segs.length - 1].endLine;
      if (last.idx - endLine.idx < 3) return;
      if (endLine.dir === DOWN && last.endVal <= endLine.endVal) {
        // Price is back below the last segment's end: the up move after it must have ended already.
        const peak = findPeak(lines, true, endLine.idx + 3, n - 1, 1);
        if (peak !== undefined) {
          this.addSeg(peak.idx, false, UP, true, 'collectleft_find_high_force');
          continue;
        }
      } else if (endLine.dir === UP && last.endVal >= endLine.endVal) {
        const peak = findPeak(lines, false, endLine.idx + 3, n - 1, 1);
        if (peak !== undefined) {
          this.addSeg(peak.idx, false, DOWN, true, 'collectleft_find_low_force');
          continue;
        }
      } else {
        if (this.leftMethod === 'peak') {
          for (;;) {
            const high = endLine.dir === DOWN;
            const peak = findPeak(lines, high, endLine.idx + 3, n - 1, 1);
            if (peak === undefined || peak.idx - endLine.idx < 3) break;
            this.addSeg(
              peak.idx,
              false,
              high ? UP : DOWN,
              true,
              high ? 'collectleft_find_high' : 'collectleft_find_low',
            );
            endLine = segs[segs.length - 1].endLine;
          }
        }
        this.collectAsOne();
      }
      // [quirk] the dropped segment's lines keep their parentSeg unless a segment added later claims them.
      const tail = segs[segs.length - 1];
      if (!tail.isSure && n - 1 - tail.endLine.idx > 2) {
        segs.pop();
        // Reachable for a kept unsure segment (the first-segment split parts before a dropped sure one).
        if (segs.length < this.keptCount) this.keptCount = segs.length;
        continue;
      }
      return;
    }
  }

  /** §7.8 with no segment at all. */
  private collectFirst(): void {
    const lines = this.lines;
    const n = lines.length;
    if (n < 3) return;
    const v0 = lines[0].beginVal;
    if (this.leftMethod === 'all') {
      this.addSeg(n - 1, false, lines[n - 1].endVal >= v0 ? UP : DOWN, false, '0seg_collect_all');
      return;
    }
    let high = -Infinity;
    let low = Infinity;
    for (let i = 0; i < n; i++) {
      const l = lines[i];
      if (l.high > high) high = l.high;
      if (l.low < low) low = l.low;
    }
    const up = Math.abs(high - v0) >= Math.abs(low - v0);
    // Lines 0 and 1 have no line two places back, so one of them always qualifies: a peak exists.
    const peak = findPeak(lines, up, 0, n - 1, 1)!;
    this.addSeg(peak.idx, false, up ? UP : DOWN, false, up ? '0seg_find_high' : '0seg_find_low');
    this.collectAsOne();
  }

  /** The lines after the last segment as one more segment, ending on a line of the opposite direction. */
  private collectAsOne(): void {
    const lines = this.lines;
    const n = lines.length;
    const segs = this.segs;
    const endLine = segs[segs.length - 1].endLine;
    if (endLine.idx + 1 >= n) return;
    const last = lines[n - 1];
    if (endLine.dir === last.dir) this.addSeg(n - 2, false, undefined, true, 'collect_left_1');
    else this.addSeg(n - 1, false, undefined, true, 'collect_left_0');
  }

  /**
   * Lines after the kept segments get their segment's idx, lines after the last segment last idx + 1 (the
   * lines of kept segments cannot have changed).
   */
  assignSegIdx(): void {
    const lines = this.lines;
    const n = lines.length;
    const segs = this.segs;
    let s = this.keptCount;
    let i = s > 0 ? segs[s - 1].endLine.idx + 1 : 0;
    for (; s < segs.length; s++) {
      for (const to = segs[s].endLine.idx; i <= to; i++) lines[i].segIdx = s;
    }
    for (; i < n; i++) lines[i].segIdx = segs.length;
  }
}

/** One segment algorithm: what an update keeps, and the segments it finds before the left-over. */
export interface SegAlgorithm {
  /**
   * Pops (with `SegListCore.popSeg`) every segment that may differ from a batch run over the core's current
   * lines; `dirtyFrom` is the lowest line idx added, removed or changed since the previous update.
   */
  trim(dirtyFrom: number): void;
  /** Appends the algorithm's segments after the kept ones (everything before `collect_left`). */
  scan(): void;
}

/**
 * A segment list (chan.py CSegListComm and its subclasses), generic over the sub-line type: strokes give
 * segments, segments give segments of segments.
 *
 * One entry point, `update(lines)`, serves batch (one call over the whole list) and streaming (called again
 * after the list changed: lines appended, the last line's end moved or the last line replaced). Each call
 * keeps the segments that cannot change, rescans the lines after them and rebuilds the unsure tail.
 */
export class SegList<L extends Line> {
  private readonly core: SegListCore<L>;
  private readonly algo: SegAlgorithm;

  protected constructor(options: SegListOptions, bars: BarPrices, algorithm: (core: SegListCore<L>) => SegAlgorithm) {
    this.core = new SegListCore<L>(options, bars);
    this.algo = algorithm(this.core);
  }

  /** The segments, in order; `segs[i].idx === i`. Objects before `keptCount` survive the next update. */
  get segs(): Seg<L>[] {
    return this.core.segs;
  }

  /**
   * After an update: how many segments (a prefix of `segs`) were kept from the previous state; segments from
   * this index on are new objects. Downstream stages (pivots, buy/sell points) can resume from here.
   */
  get keptCount(): number {
    return this.core.keptCount;
  }

  get length(): number {
    return this.core.segs.length;
  }

  /**
   * Recompute the segments over `lines` (`lines[i].idx === i`), reusing what the previous call settled.
   * `dirtyFrom` is the lowest line idx added, removed or changed since the previous call (the stroke list's
   * change tracking). A snapshot always equals a batch run over the same lines.
   */
  update(lines: ArrayLike<L>, dirtyFrom = Infinity): void {
    const core = this.core;
    core.lines = lines;
    this.algo.trim(dirtyFrom);
    core.keptCount = core.segs.length;
    this.algo.scan();
    core.collectLeft();
    core.assignSegIdx();
  }
}
