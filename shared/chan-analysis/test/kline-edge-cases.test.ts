/** chan-spec §16 items 1–4: inclusion merge and fractals on hand-built series. */
import { describe, expect, it } from 'vitest';
import { DOWN, FX_BOTTOM, FX_NONE, FX_TOP, UP } from '../src/types.js';
import { barsHL, run } from './kline-bi-helpers.js';

describe('inclusion merge (§4)', () => {
  it('§16.1 merges upward at the series start (first merged bar is UP)', () => {
    // Bar 1 is inside bar 0: an UP merge keeps the higher low (6), a DOWN merge would have kept 5 and high 9.
    const lv = run(
      barsHL([
        [10, 5],
        [9, 6],
      ]),
    );
    expect(lv.merged).toHaveLength(1);
    const k = lv.merged[0];
    expect([k.dir, k.high, k.low, k.firstBar, k.lastBar]).toEqual([UP, 10, 6, 0, 1]);
    // Same when bar 1 contains bar 0.
    const lv2 = run(
      barsHL([
        [9, 6],
        [10, 5],
      ]),
    );
    expect([lv2.merged[0].high, lv2.merged[0].low]).toEqual([10, 6]);
  });

  it('merges in the direction the merged bar was created with, never recomputed', () => {
    // 0 → 1 is DOWN; bar 2 is inside bar 1 → DOWN merge (min, min); bar 3 contains → still DOWN.
    const lv = run(
      barsHL([
        [10, 8],
        [9, 6],
        [8.5, 7],
        [9.5, 5.5],
      ]),
    );
    expect(lv.merged).toHaveLength(2);
    const k = lv.merged[1];
    expect([k.dir, k.high, k.low, k.barCount]).toEqual([DOWN, 8.5, 5.5, 3]);
    expect([k.maxBarHigh, k.minBarLow]).toEqual([9.5, 5.5]);
  });

  it('§16.2 an equal high or an equal low merges, so there is no fractal across equal values', () => {
    // Without the equality rule bar 2 (high 12 = bar 1's high) would make bar 1 a top.
    const lv = run(
      barsHL([
        [10, 8],
        [12, 9],
        [12, 8.5],
        [11, 7],
      ]),
    );
    expect(lv.merged.map((k) => k.barCount)).toEqual([1, 2, 1]);
    expect(lv.merged[1].fx).toBe(FX_TOP);
    // Equal low: [12, 9] then [13, 9] merge (UP: high 13, low 9).
    const lv2 = run(
      barsHL([
        [10, 8],
        [12, 9],
        [13, 9],
      ]),
    );
    expect(lv2.merged.map((k) => [k.high, k.low])).toEqual([
      [10, 8],
      [13, 9],
    ]);
    // Adjacent merged bars always differ strictly in both high and low.
    for (const l of [lv, lv2]) {
      for (let i = 1; i < l.merged.length; i++) {
        expect(l.merged[i].high).not.toBe(l.merged[i - 1].high);
        expect(l.merged[i].low).not.toBe(l.merged[i - 1].low);
      }
    }
  });

  it('§16.3 a one-price bar at the merged extreme does not move the range', () => {
    // UP merged bar [12, 9]; a one-price bar at 12 would otherwise lift the low to 12.
    const lv = run(
      barsHL([
        [10, 8],
        [12, 9],
        [12, 12],
      ]),
    );
    const k = lv.merged[1];
    expect([k.high, k.low, k.barCount]).toEqual([12, 9, 2]);
    expect(k.peakHighBar).toBe(2);
    expect(k.peakLowBar).toBe(1);
    // DOWN merged bar [9, 6]; a one-price bar at its low 6 would otherwise cut the high to 6.
    const lv2 = run(
      barsHL([
        [10, 8],
        [9, 6],
        [6, 6],
      ]),
    );
    expect([lv2.merged[1].high, lv2.merged[1].low]).toEqual([9, 6]);
    // A one-price bar elsewhere inside merges normally (UP: low := max(9, 10.5)).
    const lv3 = run(
      barsHL([
        [10, 8],
        [12, 9],
        [10.5, 10.5],
      ]),
    );
    expect([lv3.merged[1].high, lv3.merged[1].low]).toEqual([12, 10.5]);
  });

  it('§16.4 the peak bar is the latest bar holding the merged extreme', () => {
    // UP merged bar from bars 1..4: highs 12, 11, 12, 11.5 → peak high bar 3; lows lift to 10 (bar 4).
    const lv = run(
      barsHL([
        [10, 8],
        [12, 9],
        [11, 9.5],
        [12, 9.8],
        [11.5, 10],
        [9, 7],
      ]),
    );
    const k = lv.merged[1];
    expect([k.high, k.low, k.firstBar, k.lastBar]).toEqual([12, 10, 1, 4]);
    expect(k.peakHighBar).toBe(3);
    expect(k.peakLowBar).toBe(4);
    expect(k.fx).toBe(FX_TOP);
  });
});

describe('fractals (§5)', () => {
  it('marks tops and bottoms from the neighbours, never the first or the last merged bar', () => {
    const lv = run(
      barsHL([
        [10, 8],
        [12, 9],
        [11, 7],
        [13, 10],
        [14, 11],
      ]),
    );
    expect(lv.merged.map((k) => k.fx)).toEqual([FX_NONE, FX_TOP, FX_BOTTOM, FX_NONE, FX_NONE]);
    // A top is always an UP merged bar, a bottom a DOWN one.
    expect(lv.merged[1].dir).toBe(UP);
    expect(lv.merged[2].dir).toBe(DOWN);
  });

  it('bars later merged into the next merged bar do not change a decided fractal', () => {
    // Bar 3 contains bar 2 and merges DOWN into it (high 11, low 6): merged bar 1 stays a top.
    const lv = run(
      barsHL([
        [10, 8],
        [12, 9],
        [11, 7],
        [11.5, 6],
      ]),
    );
    expect(lv.merged[1].fx).toBe(FX_TOP);
    expect([lv.merged[2].barCount, lv.merged[2].high, lv.merged[2].low]).toEqual([2, 11, 6]);
  });
});
