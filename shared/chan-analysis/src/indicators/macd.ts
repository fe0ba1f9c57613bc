/**
 * MACD exactly as chan.py computes it (chan-spec §3.1): no warm-up, the first bar seeds both EMAs with its close,
 * and the histogram is 2·(DIF − DEA). The arithmetic is written in chan.py's operation order so that values
 * agree to the last bit, which keeps divergence features reproducible.
 */
import { grown, reserved } from './grow.js';

export interface MacdValues {
  dif: Float64Array;
  dea: Float64Array;
  macd: Float64Array;
}

/** A record holding a close (Level passes its reusable bar record). */
export interface CloseOf {
  readonly close: number;
}

const closeScratch = { close: 0.5 };

/**
 * Incremental MACD over a growing series. `replaceLast` recomputes the last value from the previous one, which is
 * what a still-forming bar needs. Reading `dif`/`dea`/`macd` gives views of exactly `length` values; for hot loops
 * use `macdAt(i)` etc. or the raw columns (`rawMacd`), whose capacity may exceed `length`.
 */
export class MacdSeries {
  private emaFast = new Float64Array(0);
  private emaSlow = new Float64Array(0);
  rawDif = new Float64Array(0);
  rawDea = new Float64Array(0);
  rawMacd = new Float64Array(0);
  length = 0;
  private viewLen = -1;
  private vDif = new Float64Array(0);
  private vDea = new Float64Array(0);
  private vMacd = new Float64Array(0);

  constructor(
    readonly fast = 12,
    readonly slow = 26,
    readonly signal = 9,
  ) {}

  /** Room for `n` values up front (see BarStore.reserve). */
  reserve(n: number): void {
    this.emaFast = reserved(this.emaFast, n);
    this.emaSlow = reserved(this.emaSlow, n);
    this.rawDif = reserved(this.rawDif, n);
    this.rawDea = reserved(this.rawDea, n);
    this.rawMacd = reserved(this.rawMacd, n);
  }

  push(close: number): void {
    closeScratch.close = close;
    this.pushFrom(closeScratch);
  }

  /**
   * `push(r.close)`. The per-bar path uses this form: the close is read here rather than passed, since a double
   * passed to a call that is not inlined is boxed (a heap number per bar).
   */
  pushFrom(r: CloseOf): void {
    const i = this.length;
    if (i >= this.rawMacd.length) {
      const cap = i + 1;
      this.emaFast = grown(this.emaFast, cap);
      this.emaSlow = grown(this.emaSlow, cap);
      this.rawDif = grown(this.rawDif, cap);
      this.rawDea = grown(this.rawDea, cap);
      this.rawMacd = grown(this.rawMacd, cap);
    }
    this.length = i + 1;
    this.compute(i, r);
  }

  /** The last bar's close changed (same bar, still forming). */
  replaceLast(close: number): void {
    if (this.length === 0) throw new RangeError('MacdSeries.replaceLast on an empty series');
    closeScratch.close = close;
    this.compute(this.length - 1, closeScratch);
    this.viewLen = -1;
  }

  /** Drops the last value (undo of a push). */
  pop(): void {
    if (this.length > 0) this.length--;
  }

  private compute(i: number, r: CloseOf): void {
    const close = r.close;
    if (i === 0) {
      this.emaFast[0] = close;
      this.emaSlow[0] = close;
      this.rawDif[0] = 0;
      this.rawDea[0] = 0;
      this.rawMacd[0] = 0;
      return;
    }
    const f = this.fast,
      s = this.slow,
      g = this.signal;
    const ef = (2 * close + (f - 1) * this.emaFast[i - 1]) / (f + 1);
    const es = (2 * close + (s - 1) * this.emaSlow[i - 1]) / (s + 1);
    const dif = ef - es;
    const dea = (2 * dif + (g - 1) * this.rawDea[i - 1]) / (g + 1);
    this.emaFast[i] = ef;
    this.emaSlow[i] = es;
    this.rawDif[i] = dif;
    this.rawDea[i] = dea;
    this.rawMacd[i] = 2 * (dif - dea);
  }

  macdAt(i: number): number {
    return this.rawMacd[i];
  }
  difAt(i: number): number {
    return this.rawDif[i];
  }
  deaAt(i: number): number {
    return this.rawDea[i];
  }

  private views(): void {
    if (this.viewLen === this.length && this.vMacd.buffer === this.rawMacd.buffer) return;
    this.viewLen = this.length;
    this.vDif = this.rawDif.subarray(0, this.length);
    this.vDea = this.rawDea.subarray(0, this.length);
    this.vMacd = this.rawMacd.subarray(0, this.length);
  }
  get dif(): Float64Array {
    this.views();
    return this.vDif;
  }
  get dea(): Float64Array {
    this.views();
    return this.vDea;
  }
  get macd(): Float64Array {
    this.views();
    return this.vMacd;
  }
}

/** Batch MACD of a whole close series (same numbers as pushing the closes one by one). */
export function macdSeries(closes: ArrayLike<number>, fast = 12, slow = 26, signal = 9): MacdValues {
  const n = closes.length;
  const dif = new Float64Array(n),
    dea = new Float64Array(n),
    macd = new Float64Array(n);
  if (n === 0) return { dif, dea, macd };
  let ef = closes[0],
    es = closes[0],
    d = 0;
  for (let i = 1; i < n; i++) {
    const c = closes[i];
    ef = (2 * c + (fast - 1) * ef) / (fast + 1);
    es = (2 * c + (slow - 1) * es) / (slow + 1);
    const df = ef - es;
    d = (2 * df + (signal - 1) * d) / (signal + 1);
    dif[i] = df;
    dea[i] = d;
    macd[i] = 2 * (df - d);
  }
  return { dif, dea, macd };
}
