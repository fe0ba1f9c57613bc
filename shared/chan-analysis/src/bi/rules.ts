/**
 * Can two fractal merged bars make a stroke? (chan.py can_make_bi, chan-spec §6.4–§6.6.)
 * S is the start (the last stroke end, or a free fractal before the first stroke), E the candidate end.
 * Neighbours are looked up by index in the level's merged-bar array, which is why this is a class over it.
 */
import type { BiFxCheck, ChanConfig } from '../config.js';
import { DOWN, FX_BOTTOM, FX_TOP, UP } from '../types.js';
import type { MergedKLine } from '../kline/merged-bar.js';

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
    private readonly klc: MergedKLine[],
    cfg: ChanConfig,
  ) {
    if (cfg.biAlgo !== 'normal' && cfg.biAlgo !== 'fx') throw new RangeError(`unknown biAlgo ${String(cfg.biAlgo)}`);
    this.spanRule = cfg.biAlgo === 'normal';
    this.strict = cfg.biStrict;
    this.gapAsKl = cfg.gapAsKl;
    this.endIsPeak = cfg.biEndIsPeak;
    this.fxCheck = checkCode(cfg.biFxCheck);
  }

  canMakeBi(e: MergedKLine, s: MergedKLine, virtual: boolean): boolean {
    if (this.spanRule && !this.satisfySpan(e, s)) return false;
    if (!this.fxValid(s, e, virtual)) return false;
    if (this.endIsPeak && !this.isEndPeak(s, e)) return false;
    return true;
  }

  /** §6.4. */
  satisfySpan(e: MergedKLine, s: MergedKLine): boolean {
    const span = this.span(e, s);
    if (this.strict) return span >= 4;
    const klc = this.klc;
    const last = klc.length - 1;
    let count = 0;
    let t = s.idx + 1;
    for (;;) {
      count += klc[t].barCount;
      // chan.py gives up when the count walks onto the last merged bar (it has no next); kept for parity.
      if (t >= last) return false;
      if (t + 1 < e.idx) t++;
      else break;
    }
    return span >= 3 && count >= 3;
  }

  private span(e: MergedKLine, s: MergedKLine): number {
    let span = e.idx - s.idx;
    if (!this.gapAsKl || span >= 4) return span;
    const klc = this.klc;
    for (let t = s.idx; t < e.idx; t++) {
      const x = klc[t],
        n = klc[t + 1];
      // Strict gap between the raw ranges; touching ranges are not a gap.
      if (n.minBarLow > x.maxBarHigh || n.maxBarHigh < x.minBarLow) span++;
    }
    return span;
  }

  /** §6.5; for a virtual end E is any merged bar of the right direction and E.next is not looked at. */
  fxValid(s: MergedKLine, e: MergedKLine, virtual: boolean): boolean {
    const klc = this.klc;
    const sPre = klc[s.idx - 1],
      sNext = klc[s.idx + 1],
      ePre = klc[e.idx - 1];
    const m = this.fxCheck;
    if (s.fx === FX_TOP) {
      if (virtual && e.dir !== DOWN) return false;
      let eHigh: number, sLow: number;
      if (m === CHECK_HALF) {
        eHigh = Math.max(ePre.high, e.high);
        sLow = Math.min(s.low, sNext.low);
      } else if (m === CHECK_LOSS) {
        eHigh = e.high;
        sLow = s.low;
      } else {
        eHigh = Math.max(ePre.high, e.high);
        if (!virtual) eHigh = Math.max(eHigh, klc[e.idx + 1].high);
        sLow = Math.min(sPre.low, s.low, sNext.low);
      }
      if (m === CHECK_TOTALLY) return s.low > eHigh;
      return s.high > eHigh && e.low < sLow;
    }
    if (s.fx === FX_BOTTOM) {
      if (virtual && e.dir !== UP) return false;
      let eLow: number, sHigh: number;
      if (m === CHECK_HALF) {
        eLow = Math.min(ePre.low, e.low);
        sHigh = Math.max(s.high, sNext.high);
      } else if (m === CHECK_LOSS) {
        eLow = e.low;
        sHigh = s.high;
      } else {
        eLow = Math.min(ePre.low, e.low);
        if (!virtual) eLow = Math.min(eLow, klc[e.idx + 1].low);
        sHigh = Math.max(sPre.high, s.high, sNext.high);
      }
      if (m === CHECK_TOTALLY) return s.high < eLow;
      return s.low < eLow && e.high > sHigh;
    }
    throw new Error(`stroke start merged bar ${s.idx} is not a fractal`);
  }

  /** §6.6: no merged bar strictly between S and E goes beyond E's extreme (only E is checked). */
  isEndPeak(s: MergedKLine, e: MergedKLine): boolean {
    const klc = this.klc;
    const end = e.idx;
    if (s.fx === FX_BOTTOM) {
      const th = e.high;
      for (let t = s.idx + 1; t < end; t++) if (klc[t].high > th) return false;
    } else if (s.fx === FX_TOP) {
      const th = e.low;
      for (let t = s.idx + 1; t < end; t++) if (klc[t].low < th) return false;
    }
    return true;
  }
}
