/**
 * Segment list by the "break" algorithm (chan.py CSegListDef, `seg_algo = "break"`, deprecated in chan.py),
 * chan-spec §7.9. A segment ends where the sub-line two places back is broken in the opposite direction; no
 * feature sequence is built. The left-over goes through the shared `collect_left` (§7.8).
 *
 * Interpretations of the terse §7.9 text (each checked against the §15 counts, see seg-algos.test.ts):
 * - "goes beyond the sub-line two places back in its own direction": an UP line whose high is strictly above
 *   the high of line idx − 2 (DOWN: low strictly below its low). Line idx − 2 has the same direction.
 * - "replaced by a more extreme one": a line of the pending candidate's direction that reaches at least as
 *   far (UP: high ≥ candidate high; DOWN: low ≤) replaces it, with no need to break its own line two back;
 *   ties move the candidate to the later line. This test comes first, so a replacing line is never also
 *   treated as an opposite candidate.
 * - "a candidate of the opposite direction … at least 3 sub-lines later": an opposite-direction line that
 *   breaks its line two back and lies ≥ 3 lines after the pending candidate closes a sure segment ending at
 *   the pending candidate and becomes the new candidate; one closer than that is ignored (the pending
 *   candidate stays).
 * - The first candidate is any breaking line (there is no segment direction to oppose yet); after a segment
 *   exists there is always a pending candidate, of the direction opposite to the last segment.
 * - Segments are added through the shared `addSeg` (§7.7): the first one may be split, and a first segment
 *   failing the value check is skipped (the candidate still moves on). A later sure segment cannot fail the
 *   check: lines between two candidates never go beyond the earlier one (it would have been replaced).
 * - After the pass, the pending candidate (if any) closes an unsure segment, then `collect_left` runs.
 */
import { UP, type Line } from '../types.js';
import type { BarPrices } from './seg.js';
import { Checkpoints } from './seg-checkpoints.js';
import { SegList, type SegAlgorithm, type SegListCore, type SegListOptions } from './seg-list-base.js';

export class SegListBreak<L extends Line> extends SegList<L> {
  constructor(options: SegListOptions, bars: BarPrices) {
    super(options, bars, (core) => new BreakScan<L>(core));
  }
}

/** The pass state after a closing line: resume after `peak`, with `peak` as the pending candidate. */
interface BreakState {
  readonly peak: number;
}

/** True if `line` goes beyond `ref` (a line of the same direction) in its own direction. */
function breaks(line: Line, ref: Line): boolean {
  return line.dir === UP ? line.high > ref.high : line.low < ref.low;
}

/** True if `line` (same direction as `peak`) reaches at least as far as `peak`. */
function atLeastAsExtreme(line: Line, peak: Line): boolean {
  return line.dir === UP ? line.high >= peak.high : line.low <= peak.low;
}

class BreakScan<L extends Line> implements SegAlgorithm {
  private readonly core: SegListCore<L>;
  private readonly checkpoints = new Checkpoints<BreakState>();
  private resume: BreakState | undefined;

  constructor(core: SegListCore<L>) {
    this.core = core;
  }

  trim(dirtyFrom: number): void {
    this.resume = this.checkpoints.restore(this.core, dirtyFrom);
  }

  scan(): void {
    const core = this.core;
    const lines = core.lines;
    const n = lines.length;
    const segs = core.segs;
    let peak = this.resume === undefined ? -1 : this.resume.peak;
    for (let i = peak < 0 ? 2 : peak + 1; i < n; i++) {
      const line = lines[i];
      if (peak >= 0) {
        const p = lines[peak];
        if (line.dir === p.dir) {
          if (atLeastAsExtreme(line, p)) peak = i;
          continue;
        }
      }
      if (!breaks(line, lines[i - 2])) continue;
      if (peak < 0) {
        if (segs.length === 0 || line.dir !== segs[segs.length - 1].dir) peak = i;
        continue;
      }
      if (i - peak < 3) continue;
      core.addSeg(peak, true, undefined, true, 'normal');
      peak = i;
      this.checkpoints.push(core, i, { peak });
    }
    if (peak >= 0) core.addSeg(peak, false, undefined, true, 'normal');
  }
}
