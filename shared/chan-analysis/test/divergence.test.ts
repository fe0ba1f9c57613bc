/**
 * Divergence metrics (chan-spec §9, §16 item 17).
 */
import { describe, expect, it } from 'vitest';
import { DivergenceError, segmentMetric, strokeMetric } from '../src/divergence/metrics.js';
import { barsFor, linesFromPath, TestLine, type RefLine } from './zs-bsp-fixture.js';

/** A DOWN stroke whose merged bars cover bars 0..6, peak bars 1 and 5. */
function downStroke(): TestLine {
  const r: RefLine = {
    idx: 1,
    dir: 'DOWN',
    begin_klu_idx: 1,
    end_klu_idx: 5,
    begin_time: '',
    end_time: '',
    begin_val: 20,
    end_val: 10,
    high: 20,
    low: 10,
    is_sure: true,
  };
  return new TestLine(1, r, 0, 6);
}

describe('§16.17 area metric', () => {
  it('is 1e-7 plus the sum, not the sum floored at 1e-7', () => {
    const line = downStroke();
    const { bars, ind } = barsFor(7, [-5, -1e-9, -1e-9, -1e-9, 1, -1e-9, -1e-9]);
    // Forward from bar 1 while the sign of bar 1 holds: bars 1..3.
    expect(strokeMetric(line, 'area', false, bars, ind)).toBe(1e-7 + 1e-9 + 1e-9 + 1e-9);
    expect(strokeMetric(line, 'area', false, bars, ind)).not.toBe(Math.max(3e-9, 1e-7));
    // Reverse from bar 5 back: bar 5 only (bar 4 has the other sign); bar 6 is after the end bar.
    expect(strokeMetric(line, 'area', true, bars, ind)).toBe(1e-7 + 1e-9);
  });

  it('stops at once when the start bar has macd 0', () => {
    const { bars, ind } = barsFor(7, [-5, 0, -3, -3, -3, -3, -3]);
    expect(strokeMetric(downStroke(), 'area', false, bars, ind)).toBe(1e-7);
  });

  it('may run past the end peak bar to the end of the last merged bar (forward)', () => {
    const { bars, ind } = barsFor(7, [0, -1, -1, -1, -1, -1, -1]);
    expect(strokeMetric(downStroke(), 'area', false, bars, ind)).toBe(1e-7 + 6);
  });
});

describe('stroke metrics', () => {
  const macd = [-7, -1, -2, 3, -4, -0.5, -9];
  const { bars, ind } = barsFor(7, macd);
  const line = downStroke();

  it('peak: max |macd| of the stroke sign over all bars of its merged bars (floor 1e-7)', () => {
    expect(strokeMetric(line, 'peak', false, bars, ind)).toBe(9);
    const pos = barsFor(7, [1, 1, 1, 1, 1, 1, 1]);
    expect(strokeMetric(line, 'peak', false, pos.bars, pos.ind)).toBe(1e-7);
  });

  it('full_area: 1e-7 + matching-sign |macd| between the peak bars only', () => {
    expect(strokeMetric(line, 'full_area', false, bars, ind)).toBe(1e-7 + 1 + 2 + 4 + 0.5);
  });

  it('diff: max − min over all bars', () => {
    expect(strokeMetric(line, 'diff', false, bars, ind)).toBe(3 - -9);
  });

  it('slope and amp read the peak bars', () => {
    const b = barsFor(7).bars.map((x, i) => ({ ...x, high: 20 + i, low: 10 + i }));
    // DOWN: (begin.high − end.low) / begin.high / bar count; amp / begin.high.
    expect(strokeMetric(line, 'slope', false, b, ind)).toBe((21 - 15) / 21 / 5);
    expect(strokeMetric(line, 'amp', false, b, ind)).toBe((21 - 15) / 21);
    const up = linesFromPath([10, 20])[0]!; // bars 0..2
    expect(strokeMetric(up, 'slope', false, b, ind)).toBe((22 - 10) / 22 / 3);
    expect(strokeMetric(up, 'amp', false, b, ind)).toBe((22 - 10) / 10);
    expect(segmentMetric(up, 'slope', false, b)).toBe((22 - 10) / 22 / 3);
  });

  it('volume metrics: sum over all bars, average over the peak-to-peak count, 0 when data is missing', () => {
    const v = barsFor(7, macd, 2);
    expect(strokeMetric(line, 'volumn', false, v.bars, v.ind)).toBe(14);
    expect(strokeMetric(line, 'volumn_avg', false, v.bars, v.ind)).toBe(14 / 5);
    expect(strokeMetric(line, 'amount', false, v.bars, v.ind)).toBe(0);
    expect(strokeMetric(line, 'turnrate_avg', false, v.bars, v.ind)).toBe(0);
  });

  it('rsi: DOWN 10000/(min + 1e-7), UP max; needs the RSI series', () => {
    const rsi = Float64Array.from([50, 40, 30, 20, 35, 25, 60]);
    expect(strokeMetric(line, 'rsi', false, bars, { ...ind, rsi })).toBe(10000 / (20 + 1e-7));
    expect(() => strokeMetric(line, 'rsi', false, bars, ind)).toThrow(DivergenceError);
  });

  it('segments only support slope and amp', () => {
    expect(() => segmentMetric(line, 'peak', false, bars)).toThrow(/not supported for segments/);
  });
});
