/**
 * End-to-end conformance with chan.py (reference/README.md "agrees"): the public `analyze` over each reference
 * CSV, in the `chanpy` preset, gives the same strokes, segments, segments of segments, pivots and buy/sell
 * points as chan.py's batch run. Prices are compared to 1e-9 relative.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze, parseCsv, type ChanResult } from '../src/index.js';
import { FIXTURES, readReference } from './support/fixtures.js';

const DATASETS = ['cn_sse000001_1d', 'us_spy_1d', 'us_spy_1h'] as const;

function run(name: string): ChanResult {
  const { bars, labels } = parseCsv(readFileSync(`${FIXTURES}${name}.csv`, 'utf8'));
  return analyze(
    bars.map((b, i) => ({ ...b, time: labels[i] })),
    { preset: 'chanpy' },
  );
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

function expectPrices(actual: number[], expected: number[], what: string): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => {
    if (!close(v, expected[i])) throw new Error(`${what}: price ${i} is ${v}, chan.py says ${expected[i]}`);
  });
}

describe.each(DATASETS)('%s agrees with chan.py', (name) => {
  const ref = readReference(name);
  const out = run(name);
  const dir = (d: string) => d.toLowerCase();

  it('strokes, segments and segments of segments: (begin, end, direction, is_sure) and prices', () => {
    const pairs = [
      [out.strokes, ref.bi],
      [out.segments, ref.seg],
      [out.segmentsOfSegments, ref.segseg],
    ] as const;
    for (const [mine, theirs] of pairs) {
      expect(mine.map((l) => [l.begin, l.end, l.direction, l.confirmed])).toEqual(
        theirs.map((l) => [l.begin_time, l.end_time, dir(l.dir), l.is_sure]),
      );
      mine.forEach((l, i) =>
        expectPrices(
          [l.high, l.low, l.beginVal, l.endVal],
          [theirs[i].high, theirs[i].low, theirs[i].begin_val, theirs[i].end_val],
          `line ${i}`,
        ),
      );
    }
    expect(out.segments.map((s) => [s.startLine, s.endLine, s.reason])).toEqual(
      ref.seg.map((s) => [s.start_sub_idx, s.end_sub_idx, s.reason]),
    );
  });

  it('pivots: (begin, end, ZD, ZG, GG, DD) and is_sure at stroke and segment level', () => {
    for (const [mine, theirs] of [
      [out.strokePivots, ref.bi_zs],
      [out.segmentPivots, ref.seg_zs],
    ] as const) {
      expect(mine.map((z) => [z.begin, z.end, z.confirmed, z.startLine, z.endLine])).toEqual(
        theirs.map((z) => [z.begin_time, z.end_time, z.is_sure, z.begin_sub_idx, z.end_sub_idx]),
      );
      mine.forEach((z, i) =>
        expectPrices(
          [z.zd, z.zg, z.gg, z.dd],
          [theirs[i].ZD_low, theirs[i].ZG_high, theirs[i].GG_peak_high, theirs[i].DD_peak_low],
          `pivot ${i}`,
        ),
      );
    }
  });

  it('buy/sell points: (time, side, set of types) at stroke and segment level', () => {
    for (const [mine, theirs] of [
      [out.strokeSignals, ref.bsp],
      [out.segmentSignals, ref.seg_bsp],
    ] as const) {
      expect(mine.map((p) => [p.time, p.side, [...p.types].sort().join(',')])).toEqual(
        theirs.map((p) => [p.time, p.is_buy ? 'buy' : 'sell', p.types.split(',').sort().join(',')]),
      );
      // Types in detection order, too (e.g. "2,3b").
      expect(mine.map((p) => p.types.join(','))).toEqual(theirs.map((p) => p.types));
      // Features, e.g. divergence_rate (MACD metrics over the strokes' bars): same keys, values to 1e-9 relative.
      mine.forEach((p, i) => {
        const want = theirs[i].features;
        expect(Object.keys(p.features).sort(), `${p.time} features`).toEqual(Object.keys(want).sort());
        for (const [k, v] of Object.entries(want)) {
          const got = p.features[k];
          if (typeof v === 'number' && typeof got === 'number') {
            if (!close(got, v)) throw new Error(`${p.time} ${k}: ${got}, chan.py says ${v}`);
          } else {
            const norm = (x: unknown) =>
              x === Infinity || x === 'inf'
                ? 'inf'
                : x === null || Number.isNaN(x as number) || x === 'nan'
                  ? 'nan'
                  : x;
            expect(norm(got), `${p.time} ${k}`).toEqual(norm(v));
          }
        }
      });
    }
  });

  it('merged bars and fractals', () => {
    expect(out.mergedBars.length).toBe(ref.klc.length);
    expect(out.fractals.map((f) => [f.mergedIdx, f.type, f.time])).toEqual(
      ref.fractals.map((f) => [f.klc_idx, f.type.toLowerCase(), f.time]),
    );
  });
});
