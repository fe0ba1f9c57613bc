/**
 * Streaming: pushing bars one by one with random replacements of the still-forming last bar must give, at every
 * moment, the merged bars, fractals and strokes (virtual included) of a batch run over the same bars — for every
 * stroke option. Also checks the `dirtyFrom` contract the segment code relies on.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toBar } from '../src/bar.js';
import type { Bi } from '../src/bi/bi.js';
import { CHANPY, type ChanConfig } from '../src/config.js';
import { Level } from '../src/level.js';
import type { Bar } from '../src/types.js';

interface Step {
  /** Price move of the bar's mid from the previous bar's. */
  move: number;
  up: number;
  down: number;
  /** 0: new bar; > 0: that many replacements of it afterwards. */
  replacements: { move: number; up: number; down: number }[];
  query: boolean;
}

const shape = {
  move: fc.integer({ min: -3, max: 3 }),
  up: fc.integer({ min: 0, max: 2 }),
  down: fc.integer({ min: 0, max: 2 }),
};
const stepArb: fc.Arbitrary<Step> = fc.record({
  ...shape,
  replacements: fc.array(fc.record(shape), { maxLength: 3 }),
  query: fc.boolean(),
});
const cfgArb: fc.Arbitrary<ChanConfig> = fc
  .record({
    biAlgo: fc.constantFrom('normal' as const, 'fx' as const),
    biStrict: fc.boolean(),
    biFxCheck: fc.constantFrom('strict' as const, 'loss' as const, 'half' as const, 'totally' as const),
    gapAsKl: fc.boolean(),
    biEndIsPeak: fc.boolean(),
    biAllowSubPeak: fc.boolean(),
  })
  .map((o) => ({ ...CHANPY, ...o }));

const MIN = 60_000;
function makeBar(idx: number, prevMid: number, s: { move: number; up: number; down: number }): Bar {
  const mid = prevMid + s.move;
  const high = mid + s.up,
    low = mid - s.down;
  return toBar({ time: idx * MIN, open: low, high, low, close: high }, idx);
}

function klcState(lv: Level): unknown[] {
  return lv.merged.map((k) => [
    k.idx,
    k.dir,
    k.fx,
    k.high,
    k.low,
    k.firstBar,
    k.lastBar,
    k.peakHighBar,
    k.peakLowBar,
    k.maxBarHigh,
    k.minBarLow,
  ]);
}
function biState(b: Bi): unknown[] {
  return [b.idx, b.dir, b.beginKlc.idx, b.endKlc.idx, b.isSure, b.wasSure, b.beginBar, b.endBar, b.beginVal, b.endVal];
}
function batch(bars: readonly Bar[], cfg: ChanConfig): Level {
  const lv = new Level(cfg);
  for (const b of bars) lv.push(b);
  return lv;
}

describe('streaming = batch', () => {
  it('at every queried moment and at the end, for random series, replacements and options', () => {
    fc.assert(
      fc.property(cfgArb, fc.array(stepArb, { minLength: 1, maxLength: 160 }), (cfg, steps) => {
        const lv = new Level(cfg);
        const bars: Bar[] = [];
        let mid = 100;
        let prevStrokes: Bi[] = [];
        let prevStates: unknown[][] = [];
        for (let i = 0; i < steps.length; i++) {
          const st = steps[i];
          let bar = makeBar(i, mid, st);
          lv.push(bar);
          for (const r of st.replacements) {
            if (st.query) lv.strokes(); // a query between replacements exercises the virtual overlay undo
            bar = makeBar(i, mid, r);
            lv.replaceLast(bar);
          }
          bars.push(bar);
          mid = (bar.high + bar.low) / 2;
          if (!st.query && i !== steps.length - 1) continue;

          const strokes = lv.strokes();
          const ref = batch(bars, cfg);
          expect(klcState(lv)).toEqual(klcState(ref));
          expect(strokes.map(biState)).toEqual(ref.strokes().map(biState));
          expect(Array.from(lv.macd.macd)).toEqual(Array.from(ref.macd.macd));

          // Strokes below dirtyFrom are the same objects with the same values as at the previous query.
          const dirty = lv.bi.takeDirtyFrom();
          const keep = Math.min(dirty, prevStrokes.length);
          for (let j = 0; j < keep; j++) {
            expect(strokes[j]).toBe(prevStrokes[j]);
            expect(biState(strokes[j])).toEqual(prevStates[j]);
          }
          if (dirty === Infinity) expect(strokes.length).toBe(prevStrokes.length);
          prevStrokes = strokes.slice();
          prevStates = strokes.map(biState);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('on long random series, every option combination, each bar first pushed as a different partial bar', () => {
    const combos: ChanConfig[] = [];
    for (const biAlgo of ['normal', 'fx'] as const)
      for (const biStrict of [true, false])
        for (const biFxCheck of ['strict', 'loss', 'half', 'totally'] as const)
          for (const gapAsKl of [false, true])
            for (const biEndIsPeak of [true, false])
              for (const biAllowSubPeak of [true, false])
                combos.push({ ...CHANPY, biAlgo, biStrict, biFxCheck, gapAsKl, biEndIsPeak, biAllowSubPeak });
    let seed = 7;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    // Trending random walk with swings, so strokes of every kind (and sub-peaks) occur.
    const n = 1500;
    const full: Bar[] = [];
    const partial: Bar[] = [];
    let price = 100,
      drift = 0;
    for (let i = 0; i < n; i++) {
      if (i % 17 === 0) drift = (rnd() - 0.5) * 1.5;
      const o = price;
      const c = o + drift + (rnd() - 0.5) * 3;
      const h = Math.max(o, c) + rnd() * 1.5;
      const l = Math.min(o, c) - rnd() * 1.5;
      price = c;
      full.push(toBar({ time: i * MIN, open: o, high: h, low: l, close: c }, i));
      // The partial is an unrelated bar half the time (exercises undoing a new merged bar / stroke changes).
      const ph = rnd() < 0.5 ? (o + h) / 2 : o + (rnd() - 0.3) * 4;
      const pl = Math.min(ph, rnd() < 0.5 ? (o + l) / 2 : o - rnd() * 4);
      partial.push(toBar({ time: i * MIN, open: pl, high: ph, low: pl, close: ph }, i));
    }
    let totalStrokes = 0;
    for (const cfg of combos) {
      const lv = new Level(cfg);
      for (let i = 0; i < n; i++) {
        lv.push(partial[i]);
        if (i % 3 === 0) lv.strokes();
        lv.replaceLast(full[i]);
        if (i % 5 === 0) lv.strokes();
      }
      const ref = batch(full, cfg);
      expect(klcState(lv)).toEqual(klcState(ref));
      expect(lv.strokes().map(biState)).toEqual(ref.strokes().map(biState));
      totalStrokes += ref.strokes().length;
    }
    expect(totalStrokes).toBeGreaterThan(combos.length * 20);
  });

  it('replaceLast rejects a bar with another time', () => {
    const lv = new Level(CHANPY);
    lv.push(toBar({ time: 0, open: 1, high: 2, low: 0, close: 1 }, 0));
    expect(() => lv.replaceLast(toBar({ time: MIN, open: 1, high: 2, low: 0, close: 1 }, 0))).toThrow(/replaceLast/);
  });
});
