// Reads the reference fixtures (Apache-2.0 series copied from ../shared/data with their provenance, see fixtures/SOURCES.md).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface CsvRow {
  time: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export function readCsvRows(name: string): CsvRow[] {
  const lines = readFileSync(`${FIXTURES}${name}.csv`, 'utf8').trim().split('\n');
  return lines.slice(1).map((line) => {
    const [time, open, high, low, close, volume] = line.split(',');
    return { time, open: +open, high: +high, low: +low, close: +close, volume: +volume };
  });
}

/** chan.py's reference output (reference/README.md; chan-spec §18), the fields the tests read. */
export interface RefLine {
  dir: 'UP' | 'DOWN';
  begin_time: string;
  end_time: string;
  begin_val: number;
  end_val: number;
  high: number;
  low: number;
  is_sure: boolean;
  start_sub_idx?: number;
  end_sub_idx?: number;
  reason?: string;
}
export interface RefPivot {
  begin_time: string;
  end_time: string;
  begin_sub_idx: number;
  end_sub_idx: number;
  ZD_low: number;
  ZG_high: number;
  DD_peak_low: number;
  GG_peak_high: number;
  is_sure: boolean;
}
export interface RefSignal {
  time: string;
  types: string;
  is_buy: boolean;
  features: Record<string, number | string | null>;
}
export interface Reference {
  klc: unknown[][];
  fractals: { klc_idx: number; type: 'TOP' | 'BOTTOM'; time: string }[];
  bi: RefLine[];
  seg: RefLine[];
  segseg: RefLine[];
  bi_zs: RefPivot[];
  seg_zs: RefPivot[];
  bsp: RefSignal[];
  seg_bsp: RefSignal[];
}

export function readReference(name: string): Reference {
  return JSON.parse(readFileSync(`${FIXTURES}${name}.json`, 'utf8'));
}

/** Epoch ms of a fixture time string (date-only = UTC midnight). */
export function ts(time: string): number {
  return Date.parse(time.length === 10 ? `${time}T00:00:00Z` : time);
}
