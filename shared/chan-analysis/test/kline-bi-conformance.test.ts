/**
 * Merged bars, fractals and strokes against chan.py's batch output (test/fixtures, chan-spec §18).
 * The reference was produced in batch mode, so the stroke list includes the virtual last stroke.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toBars } from '../src/bar.js';
import { parseCsv } from '../src/csv.js';
import { Level } from '../src/level.js';
import { FX_BOTTOM, FX_TOP, UP } from '../src/types.js';
import { FIXTURES, readReference } from './support/fixtures.js';

function close(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

/** Collects mismatches instead of failing at the first, so a failure report shows the extent of a divergence. */
function check(errors: string[], what: string, ok: boolean): void {
  if (!ok && errors.length < 20) errors.push(what);
}

describe.each(['cn_sse000001_1d', 'us_spy_1d', 'us_spy_1h'])('conformance %s', (name) => {
  const ref = readReference(name);
  const csv = parseCsv(readFileSync(`${FIXTURES}${name}.csv`, 'utf8'));
  const bars = toBars(csv.bars, csv.labels);
  const level = new Level();
  for (const b of bars) level.push(b);
  const strokes = level.strokes();
  const klc = level.merged;
  const label = (i: number): string => bars[i].label;

  it('merged bars', () => {
    expect(klc.length).toBe(ref.klc.length);
    const errors: string[] = [];
    for (let i = 0; i < ref.klc.length; i++) {
      const [idx, first, last, cnt, low, high, dir, fx] = ref.klc[i];
      const k = klc[i];
      const fxName = k.fx === FX_TOP ? 'TOP' : k.fx === FX_BOTTOM ? 'BOTTOM' : 'UNKNOWN';
      check(
        errors,
        `klc ${i}`,
        k.idx === idx &&
          label(k.firstBar) === first &&
          label(k.lastBar) === last &&
          k.barCount === cnt &&
          close(k.low, low) &&
          close(k.high, high) &&
          (k.dir === UP ? 'UP' : 'DOWN') === dir &&
          fxName === fx,
      );
    }
    expect(errors).toEqual([]);
  });

  it('fractals', () => {
    const mine = klc.filter((k) => k.fx !== 0);
    expect(mine.length).toBe(ref.fractals.length);
    const errors: string[] = [];
    for (let i = 0; i < ref.fractals.length; i++) {
      const r = ref.fractals[i];
      const k = mine[i];
      const top = k.fx === FX_TOP;
      const bar = top ? k.peakHighBar : k.peakLowBar;
      check(
        errors,
        `fractal ${i} (klc ${r.klc_idx})`,
        k.idx === r.klc_idx &&
          (top ? 'TOP' : 'BOTTOM') === r.type &&
          bar === r.klu_idx &&
          label(bar) === r.time &&
          close(top ? k.high : k.low, r.value),
      );
    }
    expect(errors).toEqual([]);
  });

  it('strokes (batch, with the virtual last stroke)', () => {
    expect(strokes.length).toBe(ref.bi.length);
    const errors: string[] = [];
    for (let i = 0; i < ref.bi.length; i++) {
      const r = ref.bi[i];
      const b = strokes[i];
      check(
        errors,
        `bi ${i}: got ${label(b.beginBar)}→${label(b.endBar)} klc ${b.beginKlc.idx}→${b.endKlc.idx}, want ${r.begin_time}→${r.end_time} klc ${r.begin_klc_idx}→${r.end_klc_idx}`,
        b.idx === r.idx &&
          (b.dir === UP ? 'UP' : 'DOWN') === r.dir &&
          label(b.beginBar) === r.begin_time &&
          label(b.endBar) === r.end_time &&
          b.beginBar === r.begin_klu_idx &&
          b.endBar === r.end_klu_idx &&
          b.isSure === r.is_sure &&
          close(b.beginVal, r.begin_val) &&
          close(b.endVal, r.end_val) &&
          close(b.high, r.high) &&
          close(b.low, r.low) &&
          b.beginKlc.idx === r.begin_klc_idx &&
          b.endKlc.idx === r.end_klc_idx &&
          b.klcCount === r.klc_cnt,
      );
    }
    expect(errors).toEqual([]);
  });
});
