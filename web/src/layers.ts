import { INDICATOR_KEYS, INDICATORS, type Indicator } from '../../functions/common/indicators.js';

/** One layer per indicator (functions/common/indicators.ts), labelled with its name, each in a pane of its own. */
const INDICATOR_LAYERS = INDICATOR_KEYS.map((k): readonly [Indicator, string] => [k, INDICATORS[k].name]);

/** The toggleable layers of the chart and their labels (one checkbox each). */
export const LAYERS = [
  ['candles', 'K线 candles'],
  ['volume', '成交量 volume'],
  ...INDICATOR_LAYERS,
  ['mergedBars', '合并K线 merged bars'],
  ['fractals', '分型 fractals'],
  ['strokes', '笔 strokes'],
  ['segments', '线段 segments'],
  ['segsegs', '段之段 segs of segs'],
  ['strokePivots', '笔中枢 stroke pivots'],
  ['segmentPivots', '段中枢 segment pivots'],
  ['strokeSignals', '买卖点 stroke B/S'],
  ['segmentSignals', '段买卖点 segment B/S'],
] as const;

export type Layer = (typeof LAYERS)[number][0];

/** Merged-bar boxes are off by default (busy on long histories); everything else starts on. */
export const DEFAULT_LAYERS: readonly Layer[] = LAYERS.map(([l]) => l).filter((l) => l !== 'mergedBars');
