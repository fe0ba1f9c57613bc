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

export function readReference(name: string): any {
  return JSON.parse(readFileSync(`${FIXTURES}${name}.json`, 'utf8'));
}

/** Epoch ms of a fixture time string (date-only = UTC midnight). */
export function ts(time: string): number {
  return Date.parse(time.length === 10 ? `${time}T00:00:00Z` : time);
}
