/**
 * Bar time labels: formatTime (the engine's formatter, plus the time of day for intraday bars at midnight) gives
 * what the Date-based rule gives — dates for daily and weekly bars at UTC midnight, ISO date-times without a zero
 * millisecond part otherwise —, and an analysis given engineTime's epoch ms labels every bar, merged bar and
 * fractal as one given the formatted strings does.
 */
import { analyze } from 'chan-analysis';
import { describe, expect, it } from 'vitest';
import {
  engineTime,
  formatTime,
  INTERVALS,
  MIN_TIME_MS,
  toEngineBars,
  type StoredBar,
} from '../../functions/common/domain.js';

/** The rule as first written, with Date and toISOString. */
function byDate(interval: string, ts: number): string {
  const iso = new Date(ts).toISOString();
  if ((interval === '1d' || interval === '1w') && iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10);
  return iso.replace('.000Z', 'Z');
}

const DAY = 86_400_000;
const samples: number[] = [
  0,
  -DAY,
  Date.UTC(1900, 0, 1),
  Date.UTC(1969, 11, 31, 23, 59, 59, 999),
  Date.UTC(2000, 1, 29),
  Date.UTC(2024, 1, 29, 13, 30),
  Date.UTC(2024, 11, 31, 23, 0, 0, 5),
  Date.UTC(9999, 11, 31, 12),
  Date.UTC(10_000, 0, 1),
  Date.UTC(-1, 5, 1, 1),
];
// Deterministic spread over 1900–2100 at second, minute, hour and day resolution.
let seed = 7;
const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
for (const step of [1000, 60_000, 3_600_000, DAY])
  for (let i = 0; i < 2000; i++)
    samples.push(Date.UTC(1900, 0, 1) + Math.floor((rand() * 200 * 365.25 * DAY) / step) * step);

describe('bar time labels', () => {
  it('formatTime matches the Date-based rule for every interval', () => {
    for (const interval of INTERVALS)
      for (const ts of samples) expect(formatTime(interval, ts), `${interval} ${ts}`).toBe(byDate(interval, ts));
  });

  it('engineTime gives epoch ms only where the engine labels it as formatTime does', () => {
    // The times a series can hold (uploads refuse earlier ones; the engine reads four-digit years), in order.
    const storable = [...new Set(samples)]
      .filter((ts) => ts >= MIN_TIME_MS && ts < Date.UTC(10_000, 0, 1))
      .sort((a, b) => a - b);
    for (const interval of INTERVALS) {
      const { bars } = analyze(
        storable.map((ts) => ({ time: engineTime(interval, ts), open: 1, high: 1, low: 1, close: 1 })),
      );
      expect(bars.map((b) => b.time)).toEqual(storable.map((ts) => formatTime(interval, ts)));
    }
    // Intraday midnights keep their time of day, so they go as strings.
    expect(engineTime('1h', Date.UTC(2024, 0, 2))).toBe('2024-01-02T00:00:00Z');
    expect(engineTime('1d', Date.UTC(2024, 0, 2))).toBe(Date.UTC(2024, 0, 2));
  });

  it('an analysis over engineTime inputs is the one over formatted labels', () => {
    const bars: StoredBar[] = [];
    for (let i = 0; i < 600; i++) {
      const mid = 100 + 10 * Math.sin(i / 9) + 3 * Math.sin(i / 2.3);
      bars.push({
        ts: Date.UTC(2024, 0, 1) + i * 3_600_000,
        open: mid,
        high: mid + 1,
        low: mid - 1,
        close: mid + 0.5,
        volume: i,
      });
    }
    const viaMs = analyze(toEngineBars(bars, (b) => engineTime('1h', b.ts)));
    const viaLabels = analyze(toEngineBars(bars, (b) => formatTime('1h', b.ts)));
    expect(viaMs.fractals.length).toBeGreaterThan(10);
    expect(JSON.stringify(viaMs)).toBe(JSON.stringify(viaLabels));
  });
});
