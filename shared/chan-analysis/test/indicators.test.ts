/** MACD (chan-spec §3.1) and RSI (§3.3). */
import { describe, expect, it } from 'vitest';
import { MacdSeries, macdSeries } from '../src/indicators/macd.js';
import { RsiSeries, rsiSeries } from '../src/indicators/rsi.js';

const closes = [10, 11, 10.5, 12, 13, 12.5, 11, 11.5, 14, 13, 15, 16, 15.5, 14, 13, 13.5, 12, 14, 15, 17];

describe('MACD', () => {
  it('seeds with the first close and uses macd = 2·(dif − dea)', () => {
    const m = macdSeries(closes, 12, 26, 9);
    expect([m.dif[0], m.dea[0], m.macd[0]]).toEqual([0, 0, 0]);
    // Hand computation of bar 1.
    const ef = (2 * 11 + 11 * 10) / 13;
    const es = (2 * 11 + 25 * 10) / 27;
    const dif = ef - es;
    const dea = (2 * dif + 8 * 0) / 10;
    expect(m.dif[1]).toBe(dif);
    expect(m.dea[1]).toBe(dea);
    expect(m.macd[1]).toBe(2 * (dif - dea));
  });

  it('incremental = batch, and replaceLast = pushing the final value', () => {
    const batch = macdSeries(closes, 12, 26, 9);
    const s = new MacdSeries(12, 26, 9);
    for (const c of closes) {
      s.push(c + 3);
      s.replaceLast(c - 1);
      s.replaceLast(c);
    }
    expect(s.length).toBe(closes.length);
    expect(Array.from(s.dif)).toEqual(Array.from(batch.dif));
    expect(Array.from(s.dea)).toEqual(Array.from(batch.dea));
    expect(Array.from(s.macd)).toEqual(Array.from(batch.macd));
    expect(s.macdAt(5)).toBe(batch.macd[5]);
    // Views have exactly `length` values even though the storage grows by doubling.
    for (let i = 0; i < 100; i++) s.push(20);
    expect(s.macd.length).toBe(closes.length + 100);
  });
});

describe('RSI', () => {
  it('is 50 on the first bar, plain means during warm-up, then Wilder smoothing', () => {
    const p = 3;
    const r = rsiSeries([10, 11, 10, 12, 12, 11], p);
    expect(r[0]).toBe(50);
    // 1 difference (+1): up 1, down 0 → 100.
    expect(r[1]).toBe(100);
    // 2 differences (+1, −1): up 0.5, down 0.5 → 50.
    expect(r[2]).toBe(50);
    // Wilder from the 3rd difference (+2): up (0.5·2 + 2)/3 = 1, down (0.5·2 + 0)/3 = 1/3.
    const up3 = (0.5 * 2 + 2) / 3,
      dn3 = (0.5 * 2 + 0) / 3;
    expect(r[3]).toBe(100 - 100 / (1 + up3 / dn3));
    const up4 = (up3 * 2 + 0) / 3,
      dn4 = (dn3 * 2 + 0) / 3;
    expect(r[4]).toBe(100 - 100 / (1 + up4 / dn4));
    // Flat series: no gains, no losses → 0.
    expect(Array.from(rsiSeries([5, 5, 5], 14))).toEqual([50, 0, 0]);
  });

  it('replaceLast = pushing the final value', () => {
    const s = new RsiSeries(5);
    for (const c of closes) {
      s.push(c * 2);
      s.replaceLast(c);
    }
    expect(Array.from(s.rsi)).toEqual(Array.from(rsiSeries(closes, 5)));
  });
});
