/** chan-spec §16 items 5–8 and every stroke option of §6.2, on hand-built series (expected values derived by hand). */
import { describe, expect, it } from 'vitest';
import type { ChanConfig } from '../src/config.js';
import { Level } from '../src/level.js';
import { CHANPY } from '../src/config.js';
import { UP } from '../src/types.js';
import { barsHL, describeStrokes, run, zigzag } from './kline-bi-helpers.js';

const sure = (lv: Level): string[] => lv.sureStrokes().map((b) => `${b.beginKlc.idx}>${b.endKlc.idx}`);

describe('stroke edge cases (§16.5–8)', () => {
  it('§16.5 an equal-extreme top of the same type moves the end to the later one', () => {
    // Tops at merged bars 30 and 34 both have high 31; the dip between (span 2) makes no stroke.
    const lv = run(barsHL(zigzag([20, 10, 30, 28, 30, 20])));
    const b = lv.strokes()[0];
    expect(b.endKlc.idx).toBe(34);
    expect(b.endVal).toBe(31);
    expect(b.isSure).toBe(true);
  });

  it('§16.6 the first stroke may start at a non-extreme fractal (free fractals tried in order)', () => {
    // Bottoms at merged bar 8 (low 11) and 14 (low 9): the top at 34 pairs with the first stored one.
    const lv = run(barsHL(zigzag([20, 12, 15, 10, 30, 25], [1, 1, 2, 1, 1])));
    const b = lv.strokes()[0];
    expect([b.beginKlc.idx, b.endKlc.idx, b.beginVal]).toEqual([8, 34, 11]);
    expect(lv.merged[14].low).toBeLessThan(b.beginVal);
  });

  it('§16.7a the last stroke can be a virtually extended sure stroke, restored when it is removed', () => {
    const lv = run(barsHL(zigzag([20, 10, 30, 27, 35])));
    const strokes = lv.strokes();
    expect(describeStrokes(lv)).toEqual(['10>41 up virtual']);
    const b = strokes[0];
    expect([b.isSure, b.wasSure, b.endVal]).toEqual([false, true, 36]);
    // Removing the overlay restores the sure end, on the same object.
    expect(sure(lv)).toEqual(['10>30']);
    expect(lv.sureStrokes()[0]).toBe(b);
    expect([b.isSure, b.endVal]).toEqual([true, 31]);
  });

  it('§16.7b the last stroke can be a new unconfirmed stroke ending at the last merged bar', () => {
    const lv = run(barsHL(zigzag([20, 10, 30, 20])));
    expect(describeStrokes(lv)).toEqual(['10>30 up', '30>40 down virtual']);
    const v = lv.strokes()[1];
    expect([v.isSure, v.wasSure, v.endVal]).toEqual([false, false, 19]);
    expect(sure(lv)).toEqual(['10>30']);
  });

  it('§16.7c the virtual stroke is found scanning back from the last merged bar', () => {
    // The last bar jumps up (dir UP, high 30 < the top's 31): it cannot end a down stroke, and under
    // `totally` its high spoils the sure check of the bottom before it, which only the virtual form accepts.
    const hl = zigzag([20, 10, 30, 20]);
    hl.push([30, 20]);
    const lv = run(barsHL(hl), { biFxCheck: 'totally' });
    expect(lv.merged).toHaveLength(42);
    expect(describeStrokes(lv)).toEqual(['10>30 up', '30>40 down virtual']);
    expect(sure(lv)).toEqual(['10>30']);
  });

  it('§16.8 a sure last stroke still moves its end to a more extreme top', () => {
    const bars = barsHL(zigzag([20, 10, 30, 28, 35, 30]));
    const lv = new Level(CHANPY);
    for (const b of bars.slice(0, 34)) lv.push(b);
    const first = lv.sureStrokes()[0];
    expect([first.endKlc.idx, first.isSure]).toEqual([30, true]);
    for (const b of bars.slice(34)) lv.push(b);
    expect(lv.sureStrokes()[0]).toBe(first);
    expect([first.endKlc.idx, first.isSure, first.endVal]).toEqual([39, true, 36]);
  });
});

describe('stroke options (§6.2)', () => {
  const cases = (hl: [number, number][], variants: Record<string, Partial<ChanConfig>>): Record<string, string[]> => {
    const out: Record<string, string[]> = {};
    for (const [name, cfg] of Object.entries(variants)) out[name] = describeStrokes(run(barsHL(hl), cfg));
    return out;
  };

  it('biAlgo fx drops the span rule', () => {
    expect(cases(zigzag([20, 10, 13, 11, 30]), { normal: {}, fx: { biAlgo: 'fx' } })).toEqual({
      normal: [],
      fx: ['10>13 up', '13>15 down', '15>34 up virtual'],
    });
  });

  it('biStrict false: span 3 with at least 3 raw bars strictly between', () => {
    // Merged bar 11 holds two raw bars (an inside bar).
    const withInside: [number, number][] = [
      ...zigzag([20, 10]),
      [12, 10],
      [11.5, 10.5],
      [13, 11],
      [14, 12],
      [13, 11],
      [12, 10],
      [11, 9],
    ];
    expect(cases(withInside, { strict: {}, loose: { biStrict: false } })).toEqual({ strict: [], loose: ['10>13 up'] });
    const twoRaw: [number, number][] = [...zigzag([20, 10]), [12, 10], [13, 11], [14, 12], [13, 11], [12, 10], [11, 9]];
    expect(describeStrokes(run(barsHL(twoRaw), { biStrict: false }))).toEqual([]);
  });

  it('gapAsKl counts a price gap as an extra merged bar when the span is short', () => {
    const gap: [number, number][] = [...zigzag([20, 10]), [14, 12], [15, 13], [16, 14], [15, 13], [14, 12], [13, 11]];
    expect(cases(gap, { plain: {}, gap: { gapAsKl: true } })).toEqual({ plain: [], gap: ['10>13 up'] });
  });

  it('biFxCheck: strict uses the bar before the start top, half/loss/totally do not', () => {
    // The start top's previous bar has low 5, below the candidate bottom's low 25.
    const hl: [number, number][] = [
      [12, 10],
      [11, 5],
      [31, 29],
      [30, 28],
      [29, 27],
      [28, 26],
      [27, 25],
      [28, 26],
      [29, 27],
    ];
    expect(
      cases(hl, {
        strict: { biFxCheck: 'strict' },
        loss: { biFxCheck: 'loss' },
        half: { biFxCheck: 'half' },
        totally: { biFxCheck: 'totally' },
      }),
    ).toEqual({ strict: [], loss: ['2>6 down'], half: ['2>6 down'], totally: ['2>6 down'] });
  });

  it('biFxCheck: loss looks at the two fractal bars only; half also at the bar after the start', () => {
    // The bar after the start bottom has high 14 = the end top's high.
    const hl: [number, number][] = [
      [12, 10],
      [11, 9],
      [14, 10],
      [13.5, 9.5],
      [13.8, 10],
      [14, 12],
      [13, 11],
    ];
    expect(
      cases(hl, {
        strict: { biFxCheck: 'strict' },
        loss: { biFxCheck: 'loss' },
        half: { biFxCheck: 'half' },
        totally: { biFxCheck: 'totally' },
      }),
    ).toEqual({ strict: [], loss: ['1>5 up'], half: [], totally: [] });
  });

  it('biFxCheck totally needs the two fractal windows not to overlap in price', () => {
    const hl = zigzag([11, 10, 12, 9], [0.5, 0.5, 0.5]);
    expect(cases(hl, { strict: {}, totally: { biFxCheck: 'totally' } })).toEqual({
      strict: ['2>6 up', '6>12 down virtual'],
      totally: [],
    });
  });

  it('biEndIsPeak: the end must be the extreme of the whole stroke', () => {
    // A spike top (merged bar 4, high 21) too close to the bottom at 2 sits above the later top at 13 (high 20).
    const hl = zigzag([12, 10, 20, 15, 19, 12], [1, 5, 1, 1, 1]);
    expect(cases(hl, { peak: {}, free: { biEndIsPeak: false } })).toEqual({
      peak: ['9>13 up', '13>20 down virtual'],
      free: ['2>13 up', '13>20 down virtual'],
    });
  });

  it('biAllowSubPeak false absorbs a stroke whose start is exceeded (§6.8)', () => {
    const hl = zigzag([20, 10, 30, 25, 32, 15], [1, 1, 1, 3, 1]);
    const on = run(barsHL(hl));
    const off = run(barsHL(hl), { biAllowSubPeak: false });
    expect(sure(on)).toEqual(['10>30', '30>35']);
    expect(sure(off)).toEqual(['10>38']);
    expect(describeStrokes(off)).toEqual(['10>38 up', '38>55 down virtual']);
  });

  it('biAllowSubPeak false, virtual form: the absorbed stroke comes back when the overlay is removed', () => {
    const hl = zigzag([20, 10, 30, 25, 32], [1, 1, 1, 3]);
    const lv = run(barsHL(hl), { biAllowSubPeak: false });
    const [a, b] = lv.sureStrokes();
    expect(describeStrokes(lv)).toEqual(['10>38 up virtual']);
    expect([lv.strokes()[0].isSure, lv.strokes()[0].wasSure]).toEqual([false, true]);
    const restored = lv.sureStrokes();
    expect(sure(lv)).toEqual(['10>30', '30>35']);
    expect(restored[0]).toBe(a);
    expect(restored[1]).toBe(b);
    expect(restored[1].isSure).toBe(true);
    // With the default the same series keeps both strokes.
    expect(describeStrokes(run(barsHL(hl)))).toEqual(['10>30 up', '30>35 down']);
  });
});

describe('stroke values (§6.1)', () => {
  it('derives prices and bars from its merged bars', () => {
    const lv = run(barsHL(zigzag([20, 10, 30, 20])));
    const [up, down] = lv.strokes();
    expect(up.dir).toBe(UP);
    expect([up.beginVal, up.endVal, up.low, up.high, up.amp]).toEqual([9, 31, 9, 31, 22]);
    expect([up.beginBar, up.endBar]).toEqual([10, 30]);
    expect([down.beginVal, down.endVal, down.high, down.low]).toEqual([31, 19, 31, 19]);
    expect(down.segIdx).toBe(-1);
    expect(down.parentSeg).toBeUndefined();
  });
});
