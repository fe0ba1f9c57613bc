/**
 * chan.py FindPeakBi (chan-spec §7.7): the most extreme line end of one direction in a range of the
 * sub-line list, walked forwards or backwards.
 */
import { DOWN, UP, type Line } from '../types.js';

/**
 * Walks lines[from], lines[from + step], … while inside [0, to] (step ±1; `to` inclusive, `to` < `from`
 * when walking backwards). Takes UP lines for `high` (DOWN for low) whose endVal is ≥ (≤) the best so far,
 * skipping one whose same-direction line two places back in the whole list ends strictly more extremely;
 * the last qualifying line in walking order wins ties.
 */
export function findPeak<L extends Line>(
  lines: ArrayLike<L>,
  high: boolean,
  from: number,
  to: number,
  step: 1 | -1,
): L | undefined {
  const want = high ? UP : DOWN;
  let best: L | undefined;
  let bestVal = high ? -Infinity : Infinity;
  for (let i = from; step > 0 ? i <= to : i >= to; i += step) {
    const line = lines[i];
    if (line.dir !== want) continue;
    const v = line.endVal;
    if (high ? v < bestVal : v > bestVal) continue;
    const k = line.idx;
    if (k >= 2) {
      const pre2 = lines[k - 2].endVal;
      if (high ? pre2 > v : pre2 < v) continue;
    }
    bestVal = v;
    best = line;
  }
  return best;
}
