/**
 * The reading side of chan.py's successor-pointer quirk (C, D in the README's quirk contract).
 *
 * chan.py links each stroke to the next one. When its sub-peak rule removes the last stroke to move a peak
 * (bi_allow_sub_peak false), the stroke that becomes last keeps pointing at the removed one until a new stroke
 * is appended or the next merged bar starts a stroke update. The segment rule's actual-break check and the
 * over-segment pivot rule read that pointer. The stroke list records it (Bi.staleNext); this is how the
 * algorithms above strokes follow it.
 */
import type { Line } from './types.js';

/**
 * The line after `x` as chan.py's `next` gives it: the following line of the list, or past the end of the
 * list, under chan.py semantics (`stale`), the removed stroke the pointer still names. A line read here that
 * lies beyond the list has idx ≥ lines.length, so incremental code that records the highest idx it read
 * rebuilds once the list or the pointer changes there.
 */
export function successor<L extends Line>(lines: ArrayLike<L>, x: L, stale: boolean): L | undefined {
  const i = x.idx + 1;
  if (i < lines.length) return lines[i];
  return stale ? ((x.staleNext ?? undefined) as L | undefined) : undefined;
}
