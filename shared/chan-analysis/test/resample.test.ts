import { describe, expect, it } from 'vitest';
import { MARKETS, Resampler, resample } from '../src/resample.js';
import { readCsvRows, ts } from './support/fixtures.js';

const withTs = (name: string) => readCsvRows(name).map((r) => ({ ...r, time: ts(r.time), label: r.time }));

describe('resample', () => {
  it('SPY hourly → daily equals the vendor daily series bar for bar (DST-aware New York days)', () => {
    const hourly = withTs('us_spy_1h');
    const daily = readCsvRows('us_spy_1d');
    const out = resample(hourly, '1d', MARKETS.us);
    expect(out.length).toBe(daily.length);
    for (let i = 0; i < daily.length; i++) {
      const [a, b] = [out[i], daily[i]];
      expect(a.label).toBe(b.time);
      expect([a.open, a.high, a.low, a.close]).toEqual([b.open, b.high, b.low, b.close]);
    }
  });

  it('A-share 1-minute → 60-minute buckets follow the sessions (09:30–10:30 … 14:00–15:00, bar-end labels)', () => {
    const minutes = withTs('cn_sse000001_1m');
    const hours = resample(minutes, '1h', MARKETS.cn);
    const firstDay = hours.filter((h) => h.label.startsWith('2015-01-05'));
    expect(firstDay.map((h) => h.label)).toEqual([
      '2015-01-05T02:30:00Z',
      '2015-01-05T03:30:00Z',
      '2015-01-05T06:00:00Z',
      '2015-01-05T07:00:00Z',
    ]);
    expect(firstDay.map((h) => h.count)).toEqual([60, 60, 60, 60]);
    const day0 = minutes.filter((m) => m.label.startsWith('2015-01-05'));
    expect(firstDay[0].open).toBe(day0[0].open);
    expect(firstDay[0].high).toBe(Math.max(...day0.slice(0, 60).map((m) => m.high)));
    expect(firstDay[3].close).toBe(day0[day0.length - 1].close);
    // 208 whole trading days of 4 hourly bars, one daily bar each, none spilling across the lunch break.
    expect(hours.length).toBe(208 * 4);
    expect(resample(minutes, '1d', MARKETS.cn).length).toBe(208);
    expect(resample(minutes, '30m', MARKETS.cn).length).toBe(208 * 8);
    // The source misses 3 of 49,920 minutes: the buckets still line up, and every minute lands in exactly one.
    const fives = resample(minutes, '5m', MARKETS.cn);
    expect(fives.length).toBe(208 * 48);
    expect(fives.reduce((n, b) => n + b.count, 0)).toBe(minutes.length);
    expect(fives.filter((b) => b.count !== 5).length).toBe(3);
  });

  it('24-hour markets start a day at 00:00 (a 00:00 bar opens the day, it does not end the previous one)', () => {
    const t0 = Date.UTC(2024, 0, 1, 23, 0);
    const bars = Array.from({ length: 180 }, (_, i) => ({
      time: t0 + i * 60_000,
      open: i,
      high: i + 1,
      low: i - 1,
      close: i + 0.5,
      volume: 1,
    }));
    const days = resample(bars, '1d', MARKETS.crypto);
    expect(days.map((d) => [d.label, d.count])).toEqual([
      ['2024-01-01', 60],
      ['2024-01-02', 120],
    ]);
    const fourHours = resample(bars, '4h', MARKETS.crypto);
    expect(fourHours.map((d) => [d.label, d.count])).toEqual([
      ['2024-01-01T20:00:00Z', 60],
      ['2024-01-02T00:00:00Z', 120],
    ]);
    expect(fourHours[1].volume).toBe(120);
  });

  it('streams: each source bar updates the forming bucket and closes the previous one once', () => {
    const minutes = withTs('cn_sse000001_1m').slice(0, 480);
    const r = new Resampler('15m', MARKETS.cn);
    const closed = [];
    for (const m of minutes) {
      const step = r.update(m);
      if (step.closed) closed.push(step.closed);
      expect(step.forming.close).toBe(m.close);
    }
    closed.push(r.flush()!);
    expect(closed).toEqual(resample(minutes, '15m', MARKETS.cn));
    expect(closed.length).toBe(32);
  });
});
