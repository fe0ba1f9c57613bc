/** Segment-list factory from the engine config (chan-spec §7, §13). */
import type { ChanConfig } from '../config.js';
import type { Line } from '../types.js';
import type { BarPrices } from './seg.js';
import { SegListChan } from './seg-list.js';
import type { SegList } from './seg-list-base.js';
import { SegListBreak } from './seg-list-break.js';
import { SegListDYH } from './seg-list-dyh.js';

/**
 * The segment list for `config.segAlgo`: "chan" (chan.py's default feature-sequence algorithm, the
 * conformance target), or chan.py's deprecated "break" (CSegListDef) and "1+1" (CSegListDYH), §7.9. All three
 * have the same public surface.
 */
export function createSegList<L extends Line>(
  config: Pick<ChanConfig, 'segAlgo' | 'leftSegMethod'> & Partial<Pick<ChanConfig, 'quirks'>>,
  bars: BarPrices,
): SegList<L> {
  const options = { leftSegMethod: config.leftSegMethod, quirks: config.quirks };
  switch (config.segAlgo) {
    case 'chan':
      return new SegListChan<L>(options, bars);
    case 'break':
      return new SegListBreak<L>(options, bars);
    case '1+1':
      return new SegListDYH<L>(options, bars);
    default:
      throw new Error(`unknown segAlgo "${String(config.segAlgo)}"`);
  }
}
