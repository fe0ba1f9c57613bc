/**
 * Feature fractal detector (特征序列分形, chan.py CEigenFX), chan-spec §7.3–7.5.
 *
 * A detector for a segment of direction `dir` is fed the counter-direction lines (the feature lines) and
 * reports when element 2 of its feature sequence becomes the wanted fractal (TOP for an UP segment, BOTTOM
 * for a DOWN one). Detector objects are reused across scans (`start` re-initialises them) so that a batch run
 * allocates nothing per feature line.
 */
import { successor } from '../quirks.js';
import { DOWN, UP, type Direction, type Line } from '../types.js';
import { FeatureElement, REL_COMBINE } from './eigen.js';

/** Outcome of `canBeEnd` (chan.py True / None; the code never returns False, chan-spec §7.5). */
export const END_SURE = 1;
export const END_UNDETERMINED = 0;
export type EndTest = typeof END_SURE | typeof END_UNDETERMINED;

const FED_NONE = 0;
const FED_FOUND = 1;
const FED_RESET = 2;

export class FeatureFractal<L extends Line> {
  dir: Direction = UP;
  /** The whole sub-line list: the actual-break check looks ahead of the line being fed. */
  private lines: ArrayLike<L> = [];
  /**
   * Feature lines in feeding order. buf[head, fed) is the detector's current list (chan.py `lst`);
   * buf[fed, size) are lines still to be (re-)fed after a reset. Keeping them in one buffer turns chan.py's
   * recursive reset-and-re-add into a loop without copying.
   */
  private readonly buf: L[] = [];
  private head = 0;
  private fed = 0;
  private size = 0;
  /** 0: empty, 1: e1, 2: e1+e2, 3: fractal found (e3 formed). */
  stage = 0;
  readonly e1 = new FeatureElement<L>();
  readonly e2 = new FeatureElement<L>();
  /** The single line of element 3, once the fractal is found. */
  e3Line: L | undefined = undefined;
  /** The line whose sureness vouches for the break (chan.py last_evidence_bi) and that sureness. */
  lastEvidence: L | undefined = undefined;
  lastEvidenceSure = false;
  /**
   * false when the actual-break check accepted the break only tentatively (§7.4). Corrected: the verdict of
   * the attempt that formed the fractal. chan.py (`chanpy`, quirk E/E2): its actual_break_flag, true when the
   * detector starts and cleared by every tentative verdict, never set again (not by a confirmed break, not when
   * the feature sequence restarts), so an abandoned attempt's verdict can decide the fractal found later.
   */
  breakConfirmed = true;
  /** Feature-sequence gap between elements 1 and 2 of the found fractal (§7.3). */
  gap = false;
  /**
   * Highest line idx this detector has read since `start` (fed lines, the actual-break look-ahead and the
   * opposite-segment chain of `canBeEnd`). A segment confirmed by the detector depends on no later line, so
   * it stays valid exactly while lines up to `reach` are unchanged (streaming equals batch, see SegListChan).
   */
  reach = -1;

  /** `quirks: 'chanpy'`: the sticky break flag (quirk E/E2) and stale successor pointers (quirk C/D). */
  constructor(private readonly chanpy = false) {}

  /** Re-initialise for a segment of direction `dir` over `lines`. */
  start(dir: Direction, lines: ArrayLike<L>): void {
    this.dir = dir;
    this.lines = lines;
    this.reach = -1;
    this.breakConfirmed = true;
    this.clear();
  }

  /** Drop every element and feature line (chan.py clear()). */
  clear(): void {
    this.head = 0;
    this.fed = 0;
    this.size = 0;
    this.stage = 0;
    this.e3Line = undefined;
    this.gap = false;
  }

  /** Feed the next feature line; true when the fractal is found (the detector must not be fed further). */
  add(line: L): boolean {
    if (line.idx > this.reach) this.reach = line.idx;
    this.buf[this.size++] = line;
    const buf = this.buf;
    while (this.fed < this.size) {
      const r = this.feed(buf[this.fed++]);
      if (r === FED_FOUND) {
        // Lines not yet re-fed leave the detector's list (chan-spec §7.3, §16.20).
        this.size = this.fed;
        return true;
      }
      if (r === FED_RESET) {
        // Drop the first feature line and re-feed the rest from scratch.
        this.head++;
        this.fed = this.head;
        this.stage = 0;
      }
    }
    return false;
  }

  /** Number of feature lines currently in the detector's list. */
  get featureCount(): number {
    return this.fed - this.head;
  }

  /** The detector's feature lines (a copy; for inspection and plotting, not used by the algorithm). */
  featureLines(): L[] {
    return this.buf.slice(this.head, this.fed);
  }

  allFeatureLinesWereSure(): boolean {
    const buf = this.buf;
    for (let i = this.head; i < this.fed; i++) if (!buf[i].wasSure) return false;
    return true;
  }

  /** Index of the segment's last sub-line: the one before the feature line holding element 2's extreme. */
  peakIdx(): number {
    return this.e2.peak!.idx - 1;
  }

  private feed(line: L): number {
    const up = this.dir === UP;
    // A line's prices may be getters (strokes derive them from their merged bars): read them once.
    const high = line.high;
    const low = line.low;
    if (this.stage === 0) {
      this.e1.start(line, up, high, low);
      this.stage = 1;
      return FED_NONE;
    }
    if (this.stage === 1) {
      const e1 = this.e1;
      if (e1.containsLine(line, high, low)) {
        e1.merge(line, high, low);
        return FED_NONE;
      }
      this.e2.start(line, up, high, low);
      this.stage = 2;
      // Element 2 can no longer become the wanted fractal.
      if (up ? high < e1.high : low > e1.low) return FED_RESET;
      return FED_NONE;
    }
    const e2 = this.e2;
    this.lastEvidence = line;
    this.lastEvidenceSure = line.wasSure;
    if (e2.relation3(line, high, low) === REL_COMBINE) {
      e2.merge(line, high, low);
      return FED_NONE;
    }
    this.e3Line = line;
    if (!this.actualBreak(line, high, low)) return FED_RESET;
    const e1 = this.e1;
    if (up) {
      if (e1.high < e2.high && high <= e2.high && low < e2.low) {
        this.gap = e1.high < e2.low;
        this.stage = 3;
        return FED_FOUND;
      }
    } else if (high > e2.high && e1.low > e2.low && low >= e2.low) {
      this.gap = e1.low > e2.high;
      this.stage = 3;
      return FED_FOUND;
    }
    return FED_RESET;
  }

  /** §7.4: does the price really break past element 2's last member? Sets `breakConfirmed`. */
  private actualBreak(b3: L, b3High: number, b3Low: number): boolean {
    const up = this.dir === UP;
    const last2 = this.e2.last!;
    if (up ? b3Low < last2.low : b3High > last2.high) return this.confirmed();
    // chan.py follows its successor pointers here (b3.next.next), which may name a removed stroke (C/D).
    const next = this.next(b3);
    const nn = next === undefined ? undefined : this.next(next);
    if (nn !== undefined) {
      if (b3.dir === DOWN ? nn.low < b3Low : nn.high > b3High) {
        this.lastEvidence = nn;
        this.lastEvidenceSure = nn.wasSure;
        return this.confirmed();
      }
      if (!nn.wasSure || this.next(nn) === undefined) {
        this.breakConfirmed = false;
        return true;
      }
      return false;
    }
    // The line after the break already makes a new extreme of the segment: the segment goes on.
    if (next !== undefined && (up ? next.high > this.e2.high : next.low < this.e2.low)) return false;
    this.breakConfirmed = false;
    return true;
  }

  private confirmed(): true {
    if (!this.chanpy) this.breakConfirmed = true;
    return true;
  }

  /** The line after `x`, recorded in `reach`. */
  private next(x: L): L | undefined {
    const y = successor(this.lines, x, this.chanpy);
    if (y !== undefined && y.idx > this.reach) this.reach = y.idx;
    return y;
  }

  /**
   * §7.5, on a detector whose fractal was found. Without a gap the break decides. With a gap the opposite
   * segment must show its own fractal, which may itself have a gap, and so on: chan.py recurses; this walks
   * the chain in a loop with one reusable `scratch` detector, so the depth costs no stack. Updates
   * `lastEvidence` / `lastEvidenceSure` as chan.py does.
   */
  canBeEnd(scratch: FeatureFractal<L>): EndTest {
    if (!this.gap) return this.breakConfirmed ? END_SURE : END_UNDETERMINED;
    const lines = this.lines;
    const n = lines.length;
    let peak = this.peakIdx();
    let evidenceSure = true;
    let first = true;
    for (;;) {
      const from = peak + 2;
      if (from >= n) return END_UNDETERMINED;
      scratch.start(lines[from].dir === UP ? DOWN : UP, lines);
      let found = false;
      for (let i = from; i < n; i += 2) {
        if (scratch.add(lines[i])) {
          found = true;
          break;
        }
      }
      if (scratch.reach > this.reach) this.reach = scratch.reach;
      if (!found) return END_UNDETERMINED;
      const e3 = scratch.e3Line!;
      if (first) {
        this.lastEvidence = e3;
        first = false;
      }
      evidenceSure = evidenceSure && e3.wasSure;
      // An opposite fractal whose break was tentative decides "undetermined", with or without its own gap.
      if (!scratch.breakConfirmed) return END_UNDETERMINED;
      if (!scratch.gap) {
        this.lastEvidenceSure = evidenceSure && scratch.lastEvidenceSure;
        return END_SURE;
      }
      peak = scratch.peakIdx();
    }
  }
}
