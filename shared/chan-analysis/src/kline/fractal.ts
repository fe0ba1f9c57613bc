/** Fractal (分型) of a merged bar from its two neighbours (chan-spec §5). */
import { FX_BOTTOM, FX_NONE, FX_TOP, type FxType } from '../types.js';
import type { KlcPrices, MergedKLine } from './merged-bar.js';

export function fractalOf(pre: MergedKLine, cur: MergedKLine, next: MergedKLine): FxType {
  const h = cur.high,
    l = cur.low;
  if (pre.high < h && next.high < h && pre.low < l && next.low < l) return FX_TOP;
  if (pre.high > h && next.high > h && pre.low > l && next.low > l) return FX_BOTTOM;
  return FX_NONE;
}

/** `fractalOf` of merged bar `i` between `i − 1` and `i + 1`, read from the level's columns (the per-bar path). */
export function fractalAt(p: KlcPrices, i: number): FxType {
  const hi = p.high,
    lo = p.low;
  const h = hi[i],
    l = lo[i];
  const ph = hi[i - 1],
    pl = lo[i - 1],
    nh = hi[i + 1],
    nl = lo[i + 1];
  if (ph < h && nh < h && pl < l && nl < l) return FX_TOP;
  if (ph > h && nh > h && pl > l && nl > l) return FX_BOTTOM;
  return FX_NONE;
}
