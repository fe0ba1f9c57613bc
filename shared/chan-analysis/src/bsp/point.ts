/**
 * One buy/sell point (chan.py CBS_Point, chan-spec §12.2): sits at the end of a line and may carry several
 * types, in detection order.
 */
import type { BspType, BuySellPoint, Line } from '../types.js';
import { DOWN } from '../types.js';

export type Features = Record<string, number | null>;

export class BuySellPointImpl<L extends Line = Line> implements BuySellPoint<L> {
  readonly line: L;
  readonly isBuy: boolean;
  readonly types: BspType[];
  relateBsp1: BuySellPointImpl<L> | undefined;
  readonly features: Features;

  /**
   * Takes ownership of `features` (the rule's own features, a fresh object) and sets the common feature
   * `bsp_bi_amp` on it rather than on a copy, so creating a point copies nothing. Key order matches chan.py's
   * feature dict: the rule's own features, then bsp_bi_amp. The rules list `bsp_bi_amp` last in their object
   * literals already (same value), which spares the object a new property here.
   */
  constructor(line: L, type: BspType, relateBsp1: BuySellPointImpl<L> | undefined, features: Features) {
    this.line = line;
    this.isBuy = line.dir === DOWN;
    this.types = [type];
    this.relateBsp1 = relateBsp1;
    features.bsp_bi_amp = line.amp;
    this.features = features;
  }

  /** Raw bar idx the point sits at (the line's end bar). */
  get bar(): number {
    return this.line.endBar;
  }

  /** A second type on the same line: types accumulate, features merge, relate_bsp1 is kept if already set. */
  addType(type: BspType, relateBsp1: BuySellPointImpl<L> | undefined, features: Features): void {
    this.types.push(type);
    if (this.relateBsp1 === undefined) this.relateBsp1 = relateBsp1;
    for (const k in features) this.features[k] = features[k] as number | null;
  }
}
