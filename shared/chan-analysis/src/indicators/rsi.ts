/**
 * RSI as chan.py computes it (chan-spec §3.3): 50 on the first bar; for the first period−1 differences the
 * average gain/loss is the plain mean over the differences so far, then Wilder smoothing. Only the `rsi`
 * divergence metric reads it.
 */
import { grown } from './grow.js';

export class RsiSeries {
  /** Running sums of gains/losses during the warm-up (kept per bar so replaceLast can step back). */
  private sumUp = new Float64Array(0);
  private sumDown = new Float64Array(0);
  private avgUp = new Float64Array(0);
  private avgDown = new Float64Array(0);
  private closes = new Float64Array(0);
  rawRsi = new Float64Array(0);
  length = 0;

  constructor(readonly period = 14) {
    if (!(period >= 1)) throw new RangeError(`RSI period must be ≥ 1, got ${period}`);
  }

  push(close: number): void {
    const i = this.length;
    if (i >= this.rawRsi.length) {
      const cap = i + 1;
      this.sumUp = grown(this.sumUp, cap);
      this.sumDown = grown(this.sumDown, cap);
      this.avgUp = grown(this.avgUp, cap);
      this.avgDown = grown(this.avgDown, cap);
      this.closes = grown(this.closes, cap);
      this.rawRsi = grown(this.rawRsi, cap);
    }
    this.length = i + 1;
    this.compute(i, close);
  }

  replaceLast(close: number): void {
    if (this.length === 0) throw new RangeError('RsiSeries.replaceLast on an empty series');
    this.compute(this.length - 1, close);
  }

  pop(): void {
    if (this.length > 0) this.length--;
  }

  rsiAt(i: number): number {
    return this.rawRsi[i];
  }

  get rsi(): Float64Array {
    return this.rawRsi.subarray(0, this.length);
  }

  private compute(i: number, close: number): void {
    this.closes[i] = close;
    if (i === 0) {
      this.sumUp[0] = 0;
      this.sumDown[0] = 0;
      this.avgUp[0] = 0;
      this.avgDown[0] = 0;
      this.rawRsi[0] = 50;
      return;
    }
    const diff = close - this.closes[i - 1];
    const p = this.period;
    let up: number, down: number;
    if (i < p) {
      // i = number of differences so far.
      const su = this.sumUp[i - 1] + (diff > 0 ? diff : 0);
      const sd = this.sumDown[i - 1] + (diff < 0 ? -diff : 0);
      this.sumUp[i] = su;
      this.sumDown[i] = sd;
      up = su / i;
      down = sd / i;
    } else {
      up = (this.avgUp[i - 1] * (p - 1) + (diff > 0 ? diff : 0)) / p;
      down = (this.avgDown[i - 1] * (p - 1) + (diff < 0 ? -diff : 0)) / p;
    }
    this.avgUp[i] = up;
    this.avgDown[i] = down;
    this.rawRsi[i] = down === 0 ? (up > 0 ? 100 : 0) : 100 - 100 / (1 + up / down);
  }
}

/** Batch RSI of a whole close series. */
export function rsiSeries(closes: ArrayLike<number>, period = 14): Float64Array {
  const s = new RsiSeries(period);
  for (let i = 0; i < closes.length; i++) s.push(closes[i]);
  return s.rsi.slice();
}
