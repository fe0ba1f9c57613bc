/**
 * Feature-sequence element (特征序列元素, chan.py CEigen), chan-spec §7.2.
 *
 * An element groups consecutive feature lines the way inclusion merging groups bars. It is a mutable record
 * reused by its detector (no allocation per element): `start` re-initialises it.
 */
import type { Line } from '../types.js';

/** The new line merges into the element. */
export const REL_COMBINE = 0;
/** The new line is higher (both high and low) than the element, or is treated so. */
export const REL_UP = 1;
/** The new line is lower than the element, or is treated so. */
export const REL_DOWN = -1;
export type Relation = typeof REL_COMBINE | typeof REL_UP | typeof REL_DOWN;

export class FeatureElement<L extends Line> {
  high = 0;
  low = 0;
  /**
   * true: members merge upwards (high = max, low = max), the feature sequence of an UP segment;
   * false: downwards (min, min), the feature sequence of a DOWN segment.
   */
  up = true;
  /**
   * The latest member holding the element's extreme (high for `up`, low otherwise): the segment ends just
   * before it. Tracked on merge because the extreme only ever grows in the merge direction.
   */
  peak: L | undefined = undefined;
  /** The last member merged in (the actual-break check compares against it, not the merged range). */
  last: L | undefined = undefined;

  // The line's high / low may be passed in (a Line's prices can be getters: the detector reads them once).
  start(line: L, up: boolean, high = line.high, low = line.low): void {
    this.high = high;
    this.low = low;
    this.up = up;
    this.peak = line;
    this.last = line;
  }

  merge(line: L, high = line.high, low = line.low): void {
    if (this.up) {
      if (high >= this.high) {
        this.high = high;
        this.peak = line;
      }
      if (low > this.low) this.low = low;
    } else {
      if (low <= this.low) {
        this.low = low;
        this.peak = line;
      }
      if (high < this.high) this.high = high;
    }
    this.last = line;
  }

  /**
   * "Exclude-included" test used for the 2nd element: only an element that contains the line merges it; a
   * line containing the element starts a new one (chan.py returns INCLUDED there).
   */
  containsLine(line: L, high = line.high, low = line.low): boolean {
    return this.high >= high && this.low <= low;
  }

  /**
   * "Equal-top/bottom" test used for the 3rd element: inclusion merges either way, except that a line sharing
   * the element's top (UP segment) but reaching lower, or sharing its bottom (DOWN segment) but reaching
   * higher, stays separate so that an equal top / bottom can still form the fractal (chan-spec §16.11).
   */
  relation3(line: L, high = line.high, low = line.low): Relation {
    const h = this.high;
    const l = this.low;
    if (h >= high && l <= low) return REL_COMBINE;
    if (h <= high && l >= low) {
      if (this.up && h === high && l > low) return REL_DOWN;
      if (!this.up && l === low && h < high) return REL_UP;
      return REL_COMBINE;
    }
    return h > high ? REL_DOWN : REL_UP;
  }
}
