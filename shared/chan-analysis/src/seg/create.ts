/** Segment-list factory from the engine config (chan-spec §7, §13). */
import type { ChanConfig } from '../config.js';
import type { Line } from '../types.js';
import type { BarPrices } from './seg.js';
import { SegListChan } from './seg-list.js';

/**
 * The segment list for `config.segAlgo`. Only "chan" (chan.py's default, the conformance target) exists:
 * "break" and "1+1" are deprecated in chan.py (§7.9) and not implemented here.
 */
export function createSegList<L extends Line>(
  config: Pick<ChanConfig, 'segAlgo' | 'leftSegMethod'>,
  bars: BarPrices,
): SegListChan<L> {
  if (config.segAlgo !== 'chan') {
    throw new Error(`segAlgo "${config.segAlgo}" is not implemented (deprecated in chan.py); use "chan"`);
  }
  return new SegListChan<L>({ leftSegMethod: config.leftSegMethod }, bars);
}
