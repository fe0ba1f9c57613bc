/** Fractal (分型) of a merged bar from its two neighbours (chan-spec §5). */
import { FX_BOTTOM, FX_NONE, FX_TOP, type FxType } from '../types.js';
import type { MergedKLine } from './merged-bar.js';

export function fractalOf(pre: MergedKLine, cur: MergedKLine, next: MergedKLine): FxType {
  const h = cur.high,
    l = cur.low;
  if (pre.high < h && next.high < h && pre.low < l && next.low < l) return FX_TOP;
  if (pre.high > h && next.high > h && pre.low > l && next.low > l) return FX_BOTTOM;
  return FX_NONE;
}
