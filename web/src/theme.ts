/** Colours and line styles of the chart page, in one place. */
export type Convention = 'red-up' | 'green-up';

export interface Palette {
  up: string;
  down: string;
  upVolume: string;
  downVolume: string;
  /** Buy / sell markers: the same hue as the rising / falling candle, darker so they stand out. */
  buy: string;
  sell: string;
}

const RED = '#e53935';
const GREEN = '#26a69a';

export function palette(convention: Convention): Palette {
  const redUp = convention === 'red-up';
  return {
    up: redUp ? RED : GREEN,
    down: redUp ? GREEN : RED,
    upVolume: redUp ? 'rgba(229,57,53,0.45)' : 'rgba(38,166,154,0.45)',
    downVolume: redUp ? 'rgba(38,166,154,0.45)' : 'rgba(229,57,53,0.45)',
    buy: redUp ? '#b71c1c' : '#00796b',
    sell: redUp ? '#00796b' : '#b71c1c',
  };
}

/** Structure colours do not depend on the convention: they must never look like a candle. */
export const STYLE = {
  background: '#ffffff',
  text: '#333333',
  grid: '#f0f0f0',
  stroke: { color: '#2962ff', width: 1.5 },
  segment: { color: '#8e24aa', width: 2.5 },
  segseg: { color: '#ff6d00', width: 3.5 },
  strokePivot: { fill: 'rgba(255,193,7,0.22)', border: '#f9a825', provisionalFill: 'rgba(255,193,7,0.10)' },
  segmentPivot: { fill: 'rgba(142,36,170,0.12)', border: '#8e24aa', provisionalFill: 'rgba(142,36,170,0.05)' },
  mergedBox: { border: 'rgba(96,96,96,0.75)', fill: 'rgba(96,96,96,0.06)' },
  fractalTop: '#d81b60',
  fractalBottom: '#039be5',
  dif: '#1e88e5',
  dea: '#fb8c00',
  dash: [6, 4] as number[],
  highlight: 'rgba(0,0,0,0.85)',
  /** The chart's own font (lightweight-charts' default family), for the labels the overlay paints. */
  labelFont: "-apple-system, BlinkMacSystemFont, 'Trebuchet MS', Roboto, Ubuntu, sans-serif",
  /** Behind label text, so it stays legible over candles and lines. */
  labelHalo: 'rgba(255,255,255,0.9)',
} as const;
