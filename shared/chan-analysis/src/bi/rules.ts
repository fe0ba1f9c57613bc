/**
 * Can two fractal merged bars make a stroke? (chan.py can_make_bi, chan-spec §6.4–§6.6.)
 * S is the start (the last stroke end, or a free fractal before the first stroke), E the candidate end.
 * Merged bars are given by idx and read from the level's merged-bar columns (no objects on this path), which is
 * why this is a class over them.
 */
import type { BiFxCheck, ChanConfig } from '../config.js';
import { DOWN, FX_BOTTOM, FX_TOP, UP } from '../types.js';
import type { MergedBars } from '../kline/merged-bar.js';

const CHECK_STRICT = 0,
  CHECK_LOSS = 1,
  CHECK_HALF = 2,
  CHECK_TOTALLY = 3;

function checkCode(m: BiFxCheck): number {
  switch (m) {
    case 'strict':
      return CHECK_STRICT;
    case 'loss':
      return CHECK_LOSS;
    case 'half':
      return CHECK_HALF;
    case 'totally':
      return CHECK_TOTALLY;
    default:
      throw new RangeError(`unknown biFxCheck ${String(m)}`);
  }
}

export class StrokeRules {
  private readonly spanRule: boolean;
  private readonly strict: boolean;
  private readonly gapAsKl: boolean;
  private readonly endIsPeak: boolean;
  private readonly fxCheck: number;

  constructor(
    private readonly mb: MergedBars,
    cfg: ChanConfig,
  ) {
    if (cfg.biAlgo !== 'normal' && cfg.biAlgo !== 'fx') throw new RangeError(`unknown biAlgo ${String(cfg.biAlgo)}`);
    this.spanRule = cfg.biAlgo === 'normal';
    this.strict = cfg.biStrict;
    this.gapAsKl = cfg.gapAsKl;
    this.endIsPeak = cfg.biEndIsPeak;
    this.fxCheck = checkCode(cfg.biFxCheck);
  }

  /** Merged bars `e` and `s` by idx. */
  canMakeBi(e: number, s: number, virtual: boolean): boolean {
    if (this.spanRule && !this.satisfySpan(e, s)) return false;
    if (!this.fxValid(s, e, virtual)) return false;
    if (this.endIsPeak && !this.isEndPeak(s, e)) return false;
    return true;
  }

  /** §6.4. */
  satisfySpan(e: number, s: number): boolean {
    const span = this.span(e, s);
    if (this.strict) return span >= 4;
    const p = this.mb.p;
    const first = p.firstBar,
      lastBar = p.lastBar;
    const last = this.mb.count - 1;
    let count = 0;
    let t = s + 1;
    for (;;) {
      count += lastBar[t] - first[t] + 1;
      // chan.py gives up when the count walks onto the last merged bar (it has no next); kept for parity.
      if (t >= last) return false;
      if (t + 1 < e) t++;
      else break;
    }
    return span >= 3 && count >= 3;
  }

  private span(e: number, s: number): number {
    let span = e - s;
    if (!this.gapAsKl || span >= 4) return span;
    const p = this.mb.p;
    const maxH = p.maxBarHigh,
      minL = p.minBarLow;
    for (let t = s; t < e; t++) {
      // Strict gap between the raw ranges; touching ranges are not a gap.
      if (minL[t + 1] > maxH[t] || maxH[t + 1] < minL[t]) span++;
    }
    return span;
  }

  /** §6.5; for a virtual end E is any merged bar of the right direction and E.next is not looked at. */
  fxValid(s: number, e: number, virtual: boolean): boolean {
    const p = this.mb.p;
    const hi = p.high,
      lo = p.low;
    const m = this.fxCheck;
    const sFx = p.fx[s];
    if (sFx === FX_TOP) {
      if (virtual && p.dir[e] !== DOWN) return false;
      let eHigh: number, sLow: number;
      if (m === CHECK_HALF) {
        eHigh = Math.max(hi[e - 1], hi[e]);
        sLow = Math.min(lo[s], lo[s + 1]);
      } else if (m === CHECK_LOSS) {
        eHigh = hi[e];
        sLow = lo[s];
      } else {
        eHigh = Math.max(hi[e - 1], hi[e]);
        if (!virtual) eHigh = Math.max(eHigh, hi[e + 1]);
        sLow = Math.min(lo[s - 1], lo[s], lo[s + 1]);
      }
      if (m === CHECK_TOTALLY) return lo[s] > eHigh;
      return hi[s] > eHigh && lo[e] < sLow;
    }
    if (sFx === FX_BOTTOM) {
      if (virtual && p.dir[e] !== UP) return false;
      let eLow: number, sHigh: number;
      if (m === CHECK_HALF) {
        eLow = Math.min(lo[e - 1], lo[e]);
        sHigh = Math.max(hi[s], hi[s + 1]);
      } else if (m === CHECK_LOSS) {
        eLow = lo[e];
        sHigh = hi[s];
      } else {
        eLow = Math.min(lo[e - 1], lo[e]);
        if (!virtual) eLow = Math.min(eLow, lo[e + 1]);
        sHigh = Math.max(hi[s - 1], hi[s], hi[s + 1]);
      }
      if (m === CHECK_TOTALLY) return hi[s] < eLow;
      return lo[s] < eLow && hi[e] > sHigh;
    }
    throw new Error(`stroke start merged bar ${s} is not a fractal`);
  }

  /** §6.6: no merged bar strictly between S and E goes beyond E's extreme (only E is checked). */
  isEndPeak(s: number, e: number): boolean {
    const p = this.mb.p;
    const sFx = p.fx[s];
    if (sFx === FX_BOTTOM) {
      const hi = p.high;
      const th = hi[e];
      for (let t = s + 1; t < e; t++) if (hi[t] > th) return false;
    } else if (sFx === FX_TOP) {
      const lo = p.low;
      const th = lo[e];
      for (let t = s + 1; t < e; t++) if (lo[t] < th) return false;
    }
    return true;
  }
}
