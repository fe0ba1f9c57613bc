/**
 * Segment list by the feature-sequence algorithm (chan.py CSegListChan, `seg_algo = "chan"`), chan-spec
 * §7.6–7.8 and §7.10. Generic over the sub-line type: strokes give segments, segments give segments of
 * segments.
 *
 * One entry point, `update(lines)`, serves batch (one call over the whole list) and streaming (called again
 * after the list changed: lines appended, the last line's end moved or the last line replaced). Each call
 * keeps the sure segments that cannot change, rescans only the lines after them and rebuilds the unsure tail,
 * so its cost follows the number of lines since the last kept segment, not the length of the history.
 */
import type { LeftSegMethod } from '../config.js';
import { DOWN, UP, type Direction, type Line } from '../types.js';
import { END_SURE, FeatureFractal } from './eigen-fx.js';
import { findPeak } from './find-peak.js';
import { Seg, SegEndValueError, type BarPrices } from './seg.js';

export interface SegListOptions {
  leftSegMethod: LeftSegMethod;
}

export class SegListChan<L extends Line> {
  /** The segments, in order; `segs[i].idx === i`. Objects before `keptCount` survive the next update. */
  readonly segs: Seg<L>[] = [];
  /**
   * After an update: how many segments (a prefix of `segs`) were kept from the previous state; segments from
   * this index on are new objects. Downstream stages (pivots, buy/sell points) can resume from here.
   */
  keptCount = 0;

  private readonly leftMethod: LeftSegMethod;
  private readonly bars: BarPrices;
  private lines: ArrayLike<L> = [];
  private readonly upFx = new FeatureFractal<L>();
  private readonly downFx = new FeatureFractal<L>();
  private readonly scratchFx = new FeatureFractal<L>();

  constructor(options: SegListOptions, bars: BarPrices) {
    this.leftMethod = options.leftSegMethod;
    this.bars = bars;
  }

  get length(): number {
    return this.segs.length;
  }

  /**
   * Recompute the segments over `lines` (`lines[i].idx === i`), reusing what the previous call settled.
   * `dirtyFrom` is the lowest line idx added, removed or changed since the previous call (the stroke list's
   * change tracking); a sure segment whose confirmation read such a line is rebuilt. That is what makes a
   * streaming snapshot equal a batch run even when a forming bar gives back a price it had reached.
   */
  update(lines: ArrayLike<L>, dirtyFrom = Infinity): void {
    this.lines = lines;
    const segs = this.segs;
    const n = lines.length;
    // §7.10: unsure segments at the end can change, and so can a sure one whose fractal still rests on an
    // unsure line or whose confirmation read a changed line. Each releases its lines.
    while (segs.length > 0) {
      const seg = segs[segs.length - 1];
      const e3 = seg.eigenEnd;
      if (seg.isSure && seg.reach < dirtyFrom && seg.reach < n && (e3 === undefined || e3.isSure)) break;
      segs.pop();
      const to = Math.min(seg.endLine.idx, n - 1);
      for (let i = seg.startLine.idx; i <= to; i++) if (lines[i].parentSeg === seg) lines[i].parentSeg = undefined;
    }
    this.keptCount = segs.length;
    this.scanSure(segs.length > 0 ? segs[segs.length - 1].endLine.idx + 1 : 0);
    this.collectLeft();
    this.assignSegIdx();
  }

  /** §7.6 as a loop: each confirmed segment restarts the scan after its end with fresh detectors. */
  private scanSure(start: number): void {
    const lines = this.lines;
    const n = lines.length;
    const segs = this.segs;
    const upFx = this.upFx;
    const downFx = this.downFx;
    for (;;) {
      upFx.start(UP, lines);
      downFx.start(DOWN, lines);
      // Direction of the segment before the next one; 0 while the first segment's direction is open.
      let lastDir: number = segs.length > 0 ? segs[segs.length - 1].dir : 0;
      let found: FeatureFractal<L> | undefined;
      for (let i = start; i < n; i++) {
        const line = lines[i];
        const down = line.dir === DOWN;
        if (down) {
          if (lastDir !== UP && upFx.add(line)) found = upFx;
        } else if (lastDir !== DOWN && downFx.add(line)) found = downFx;
        if (segs.length === 0) {
          // The first segment's direction goes to the detector that first holds a 2nd element (not the first
          // to find a fractal), and is re-opened while that detector loses its 2nd element again.
          if (upFx.stage >= 2 && down) {
            lastDir = DOWN;
            downFx.clear();
          } else if (downFx.stage >= 2 && !down) {
            upFx.clear();
            lastDir = UP;
          }
          if (upFx.stage < 2 && lastDir === DOWN && down) lastDir = 0;
          else if (downFx.stage < 2 && lastDir === UP && !down) lastDir = 0;
        }
        if (found !== undefined) break;
      }
      if (found === undefined) return;
      const test = found.canBeEnd(this.scratchFx);
      const end = found.peakIdx();
      const sure = test === END_SURE && found.allFeatureLinesWereSure() && found.lastEvidenceSure;
      const before = segs.length;
      if (!this.addSeg(end, sure, undefined, true, 'normal')) {
        start = end + 1;
        continue;
      }
      segs[segs.length - 1].eigenEnd = found.e3Line;
      // The first-segment split adds several segments, all decided by this fractal.
      for (let k = before; k < segs.length; k++) segs[k].reach = found.reach;
      if (test !== END_SURE) return;
      start = end + 1;
    }
  }

  /**
   * §7.7. Returns false when the very first segment fails the value check (chan.py then scans on); the same
   * failure on a later segment is an engine error, as in chan.py.
   */
  private addSeg(
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

  private pushSeg(start: number, end: number, sure: boolean, dir: Direction | undefined, reason: string): void {
    const lines = this.lines;
    this.claim(new Seg(this.segs.length, lines[start], lines[end], sure, dir, reason, this.bars));
  }

  private claim(seg: Seg<L>): void {
    this.segs.push(seg);
    const lines = this.lines;
    for (let i = seg.startLine.idx, to = seg.endLine.idx; i <= to; i++) lines[i].parentSeg = seg;
  }

  /** §7.8: unsure segments over the lines the sure scan left. Loops where chan.py recurses. */
  private collectLeft(): void {
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
  private assignSegIdx(): void {
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
