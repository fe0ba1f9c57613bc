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

/** chan.py's reference output (reference/README.md; chan-spec §18): the one description every test reads. */
export interface RefLine {
  idx: number;
  dir: 'UP' | 'DOWN';
  begin_time: string;
  end_time: string;
  begin_klu_idx: number;
  end_klu_idx: number;
  begin_val: number;
  end_val: number;
  high: number;
  low: number;
  is_sure: boolean;
  begin_klc_idx?: number;
  end_klc_idx?: number;
  klc_cnt?: number;
  seg_idx?: number;
  start_sub_idx?: number;
  end_sub_idx?: number;
  reason?: string;
}

export interface RefZs {
  begin_sub_idx: number;
  end_sub_idx: number;
  begin_time: string;
  end_time: string;
  ZD_low: number;
  ZG_high: number;
  DD_peak_low: number;
  GG_peak_high: number;
  is_sure: boolean;
  is_one_bi_zs: boolean;
  bi_in_idx: number | null;
  bi_out_idx: number | null;
  sub_zs_cnt: number;
}

export interface RefBsp {
  time: string;
  klu_idx: number;
  types: string;
  is_buy: boolean;
  line_idx: number;
  line_is_sure: boolean;
  relate_bsp1_klu_idx: number | null;
  features: Record<string, number | string | null>;
}

export interface Reference {
  /** [idx, first bar time, last bar time, bar count, low, high, dir, fx] per merged bar. */
  klc: [number, string, string, number, number, number, string, string][];
  fractals: { klc_idx: number; type: 'TOP' | 'BOTTOM'; time: string; klu_idx: number; value: number }[];
  bi: RefLine[];
  seg: RefLine[];
  segseg: RefLine[];
  bi_zs: RefZs[];
  seg_zs: RefZs[];
  bsp: RefBsp[];
  seg_bsp: RefBsp[];
}

export function readReference(name: string): Reference {
  return JSON.parse(readFileSync(`${FIXTURES}${name}.json`, 'utf8'));
}

/** Epoch ms of a fixture time string (date-only = UTC midnight). */
export function ts(time: string): number {
  return Date.parse(time.length === 10 ? `${time}T00:00:00Z` : time);
}
