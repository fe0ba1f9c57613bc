/**
 * Segment list by the feature-sequence algorithm (chan.py CSegListChan, `seg_algo = "chan"`), chan-spec
 * §7.6 and §7.10; the shared parts (§7.7, §7.8) are in seg-list-base.ts. Generic over the sub-line type:
 * strokes give segments, segments give segments of segments.
 *
 * Each update keeps the sure segments that cannot change, rescans only the lines after them and rebuilds the
 * unsure tail, so its cost follows the number of lines since the last kept segment, not the length of the
 * history.
 */
import { DOWN, UP, type Line } from '../types.js';
import { END_SURE, FeatureFractal } from './eigen-fx.js';
import type { BarPrices } from './seg.js';
import { SegList, type SegAlgorithm, type SegListCore, type SegListOptions } from './seg-list-base.js';

export type { SegListOptions } from './seg-list-base.js';

export class SegListChan<L extends Line> extends SegList<L> {
  constructor(options: SegListOptions, bars: BarPrices) {
    super(options, bars, (core) => new ChanScan<L>(core, (options.quirks ?? 'chanpy') === 'chanpy'));
  }
}

/** The feature-sequence scan (§7.6) and its update rule (§7.10). */
class ChanScan<L extends Line> implements SegAlgorithm {
  private readonly core: SegListCore<L>;
  private readonly upFx: FeatureFractal<L>;
  private readonly downFx: FeatureFractal<L>;
  private readonly scratchFx: FeatureFractal<L>;

  constructor(core: SegListCore<L>, chanpy: boolean) {
    this.core = core;
    this.upFx = new FeatureFractal<L>(chanpy);
    this.downFx = new FeatureFractal<L>(chanpy);
    this.scratchFx = new FeatureFractal<L>(chanpy);
  }

  /**
   * §7.10: unsure segments at the end can change, and so can a sure one whose fractal still rests on an
   * unsure line or whose confirmation read a changed line (that is what makes a streaming snapshot equal a
   * batch run even when a forming bar gives back a price it had reached). Each releases its lines.
   */
  trim(dirtyFrom: number): void {
    const core = this.core;
    const segs = core.segs;
    const n = core.lines.length;
    while (segs.length > 0) {
      const seg = segs[segs.length - 1];
      const e3 = seg.eigenEnd;
      if (seg.isSure && seg.reach < dirtyFrom && seg.reach < n && (e3 === undefined || e3.isSure)) break;
      core.popSeg();
    }
  }

  scan(): void {
    const segs = this.core.segs;
    this.scanSure(segs.length > 0 ? segs[segs.length - 1].endLine.idx + 1 : 0);
  }

  /** §7.6 as a loop: each confirmed segment restarts the scan after its end with fresh detectors. */
  private scanSure(start: number): void {
    const core = this.core;
    const lines = core.lines;
    const n = lines.length;
    const segs = core.segs;
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
      if (!core.addSeg(end, sure, undefined, true, 'normal')) {
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
}
