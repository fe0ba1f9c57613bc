/** Real bars for the ingest tests: the in-repo (Apache-2.0) SSE Composite 1-minute fixture, as open times. */
import { fileURLToPath } from 'node:url';
import { loadCsvBars, type SourceBar } from '../support/fake-provider.js';

export const SSE_1M_PATH = fileURLToPath(
  new URL('../../shared/chan-analysis/test/fixtures/cn_sse000001_1m.csv', import.meta.url),
);

let cache: SourceBar[] | undefined;

/** All 49,917 bars (bar-end stamps in the file, converted to open times). */
export function sse1m(): SourceBar[] {
  cache ??= loadCsvBars(SSE_1M_PATH, { label: 'end', intervalMs: 60_000 });
  return cache;
}

/** The first n bars, and a clock just after the last one closed. */
export function sseSlice(n: number, offset = 0): { bars: SourceBar[]; endNow: number } {
  const bars = sse1m().slice(offset, offset + n);
  return { bars, endNow: bars[bars.length - 1]!.time + 60_000 + 5_000 };
}
