/**
 * The JSON document the engine produces (CLI `--json`, the API, the chart page). Plain data only: every field
 * is a string, number, boolean, null or array/object of those. Times are echoed as the caller's own strings
 * (`begin`, `end`, `time`) and as epoch milliseconds (`beginTs`, `endTs`, `ts`).
 */
import type { BspType } from './types.js';

export type DirectionName = 'up' | 'down';

export interface ResultBar {
  time: string;
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
  /** MACD(12,26,9) as chan.py computes it: dif, dea and the histogram macd = 2·(dif − dea). */
  dif: number;
  dea: number;
  macd: number;
}

export interface ResultMergedBar {
  idx: number;
  begin: string;
  end: string;
  beginTs: number;
  endTs: number;
  barCount: number;
  high: number;
  low: number;
  direction: DirectionName;
  fractal: 'top' | 'bottom' | null;
}

export interface ResultFractal {
  mergedIdx: number;
  type: 'top' | 'bottom';
  time: string;
  ts: number;
  value: number;
}

/** A stroke, segment or segment of segments. */
export interface ResultLine {
  /** Stable across streaming updates: derived from the line's first bar, which never moves. */
  id: string;
  idx: number;
  begin: string;
  end: string;
  beginTs: number;
  endTs: number;
  direction: DirectionName;
  beginVal: number;
  endVal: number;
  high: number;
  low: number;
  /** chan.py is_sure. */
  confirmed: boolean;
  /** Segments: the first and last sub-line idx (strokes for segments, segments for segments of segments). */
  startLine?: number;
  endLine?: number;
  /** Segments: chan.py's reason tag. */
  reason?: string;
}

export interface ResultPivot {
  id: string;
  begin: string;
  end: string;
  beginTs: number;
  endTs: number;
  zd: number;
  zg: number;
  dd: number;
  gg: number;
  confirmed: boolean;
  startLine: number;
  endLine: number;
  lineIn: number | null;
  lineOut: number | null;
  oneLine: boolean;
  combined: number;
}

export interface ResultSignal {
  id: string;
  time: string;
  ts: number;
  side: 'buy' | 'sell';
  types: BspType[];
  /** Whether the line the point sits on is confirmed; an unconfirmed point can still vanish (chan-spec §12.8). */
  confirmed: boolean;
  lineIdx: number;
  price: number;
  features: Record<string, number | null>;
}

export interface ChanResult {
  meta: { engine: string; version: string; preset: string | null; barCount: number };
  bars: ResultBar[];
  mergedBars: ResultMergedBar[];
  fractals: ResultFractal[];
  strokes: ResultLine[];
  segments: ResultLine[];
  segmentsOfSegments: ResultLine[];
  strokePivots: ResultPivot[];
  segmentPivots: ResultPivot[];
  strokeSignals: ResultSignal[];
  segmentSignals: ResultSignal[];
}
