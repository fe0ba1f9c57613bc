/**
 * The one config object of the engine (chan.py CChanConfig). Field names are camelCase; `fromChanPy` accepts
 * chan.py's own option names (chan-spec §13), including the per-side suffixes -buy, -sell, -segbuy, -segsell
 * and -seg of the buy/sell-point keys (§12.1).
 */
import type { BspType } from './types.js';

export type BiAlgo = 'normal' | 'fx';
export type BiFxCheck = 'strict' | 'loss' | 'half' | 'totally';
export type SegAlgo = 'chan' | 'break' | '1+1';
export type LeftSegMethod = 'peak' | 'all';
export type ZsAlgo = 'normal' | 'over_seg' | 'auto';
export type ZsCombineMode = 'zs' | 'peak';
export type MacdAlgo =
  | 'peak'
  | 'full_area'
  | 'area'
  | 'diff'
  | 'slope'
  | 'amp'
  | 'volumn'
  | 'amount'
  | 'volumn_avg'
  | 'amount_avg'
  | 'turnrate_avg'
  | 'rsi';

/** Buy/sell-point knobs for one side of one level (chan-spec §12.1). */
export interface BspSideConfig {
  /** Types that are stored / reported. */
  bsType: BspType[];
  /** Type 1/1p need out ≤ rate·in; for type 1 a rate > 100 means "always divergent". */
  divergenceRate: number;
  minZsCnt: number;
  bsp1OnlyMultibiZs: boolean;
  maxBs2Rate: number;
  macdAlgo: MacdAlgo;
  bs1Peak: boolean;
  bsp2Follow1: boolean;
  bsp3Follow1: boolean;
  bsp3Peak: boolean;
  bsp2sFollow2: boolean;
  /** null = no limit. */
  maxBsp2sLv: number | null;
  strictBsp3: boolean;
  bsp3aMaxZsCnt: number;
}

export interface ChanConfig {
  // Strokes (§6)
  biAlgo: BiAlgo;
  biStrict: boolean;
  biFxCheck: BiFxCheck;
  gapAsKl: boolean;
  biEndIsPeak: boolean;
  biAllowSubPeak: boolean;
  // Segments (§7)
  segAlgo: SegAlgo;
  leftSegMethod: LeftSegMethod;
  // Pivots (§8)
  zsAlgo: ZsAlgo;
  zsCombine: boolean;
  zsCombineMode: ZsCombineMode;
  oneBiZs: boolean;
  // Indicators (§3)
  macd: { fast: number; slow: number; signal: number };
  rsiCycle: number;
  // Buy/sell points (§12), per side and level
  bsp: { buy: BspSideConfig; sell: BspSideConfig; segBuy: BspSideConfig; segSell: BspSideConfig };
}

const chanpySide: BspSideConfig = {
  bsType: ['1', '1p', '2', '2s', '3a', '3b'],
  divergenceRate: Infinity,
  minZsCnt: 1,
  bsp1OnlyMultibiZs: true,
  maxBs2Rate: 0.9999,
  macdAlgo: 'peak',
  bs1Peak: true,
  bsp2Follow1: true,
  bsp3Follow1: true,
  bsp3Peak: false,
  bsp2sFollow2: false,
  maxBsp2sLv: null,
  strictBsp3: false,
  bsp3aMaxZsCnt: 1,
};
/** The seg level gets macd_algo "slope" and counts every pivot (chan-spec §12.1). */
const chanpySegSide: BspSideConfig = { ...chanpySide, macdAlgo: 'slope', bsp1OnlyMultibiZs: false };

/** chan.py's *code* defaults (CChanConfig, commit 429d6ed3): the conformance preset. */
export const CHANPY: ChanConfig = {
  biAlgo: 'normal',
  biStrict: true,
  biFxCheck: 'strict',
  gapAsKl: false,
  biEndIsPeak: true,
  biAllowSubPeak: true,
  segAlgo: 'chan',
  leftSegMethod: 'peak',
  zsAlgo: 'normal',
  zsCombine: true,
  zsCombineMode: 'zs',
  oneBiZs: false,
  macd: { fast: 12, slow: 26, signal: 9 },
  rsiCycle: 14,
  bsp: { buy: chanpySide, sell: chanpySide, segBuy: chanpySegSide, segSell: chanpySegSide },
};
