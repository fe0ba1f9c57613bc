/** Small hand-built series for the unit tests. */
import { toBar } from '../src/bar.js';
import { CHANPY, type ChanConfig } from '../src/config.js';
import { Level } from '../src/level.js';
import type { Bar } from '../src/types.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

/** Bars from [high, low] pairs (open = low, close = high), one per day from 2024-01-01. */
export function barsHL(hl: readonly (readonly [number, number])[]): Bar[] {
  return hl.map(([h, l], i) => toBar({ time: T0 + i * DAY, open: l, high: h, low: l, close: h }, i));
}

/**
 * A zigzag through the given pivot mid-prices, moving by `step` per bar; each bar spans mid ± 1. Consecutive bars
 * therefore never include each other and every pivot is a fractal. `step` may be given per leg.
 */
export function zigzag(pivots: readonly number[], step: number | readonly number[] = 1): [number, number][] {
  const out: [number, number][] = [];
  let mid = pivots[0];
  out.push([mid + 1, mid - 1]);
  for (let p = 1; p < pivots.length; p++) {
    const target = pivots[p];
    const st = typeof step === 'number' ? step : step[p - 1];
    const s = target > mid ? st : -st;
    while (mid !== target) {
      mid = Math.abs(target - mid) < st ? target : mid + s;
      out.push([mid + 1, mid - 1]);
    }
  }
  return out;
}

export function run(bars: readonly Bar[], cfg: Partial<ChanConfig> = {}): Level {
  const lv = new Level({ ...CHANPY, ...cfg });
  for (const b of bars) lv.push(b);
  return lv;
}

/** Compact stroke description: "klcBegin>klcEnd dir sure". */
export function describeStrokes(lv: Level): string[] {
  return lv
    .strokes()
    .map((b) => `${b.beginKlc.idx}>${b.endKlc.idx} ${b.dir > 0 ? 'up' : 'down'}${b.isSure ? '' : ' virtual'}`);
}
