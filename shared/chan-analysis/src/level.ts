/**
 * One level's incremental state (chan.py CKLine_List up to strokes): raw bars → indicators → merged bars with
 * fractals → strokes, plus the virtual last stroke on demand.
 *
 * Streaming: `push` appends a closed bar; `replaceLast` replaces the still-forming last bar without re-scanning
 * history. Every push captures a constant-size undo record (the last merged bar's mutable fields, or the fact that
 * a merged bar was created together with the stroke-list tail and the free-fractal count); `replaceLast` restores
 * it and pushes the new bar. Because the virtual stroke is only an overlay over the sure state, `strokes()` after
 * any sequence of pushes/replacements equals a batch run over the same final bars.
 */
import { BarFields, BarStore, BarValidationError, formatTime } from './bar.js';
import { BiList, BiUndo } from './bi/bi-list.js';
import type { Bi } from './bi/bi.js';
import { CHANPY, type ChanConfig } from './config.js';
import { MacdSeries } from './indicators/macd.js';
import { RsiSeries } from './indicators/rsi.js';
import { fractalAt } from './kline/fractal.js';
import { KlcPrices, MergedKLine, MergedUndo } from './kline/merged-bar.js';
import { DOWN, FX_NONE, UP, type Bar, type IndicatorSeries } from './types.js';

/** What the last push did to the merged bars. */
const PUSH_NONE = 0,
  PUSH_FIRST = 1,
  PUSH_COMBINE = 2,
  PUSH_NEW = 3,
  /** A new merged bar that made its predecessor a fractal (the strokes may have changed). */
  PUSH_NEW_FX = 4;

export interface LevelOptions {
  /** Compute RSI (needed by the `rsi` divergence metric); default false. */
  rsi?: boolean;
}

export class Level {
  /** The raw bars, struct of arrays (see BarStore); `bars` gives them as Bar objects. */
  readonly store = new BarStore();
  readonly macd: MacdSeries;
  readonly rsi: RsiSeries | undefined;
  /** Merged bars (chan.py CKLine list); the last one can still grow. */
  readonly merged: MergedKLine[] = [];
  readonly bi: BiList;

  private lastPush = PUSH_NONE;
  private readonly klcPrices = new KlcPrices();
  private readonly mergedUndo = new MergedUndo();
  private readonly biUndo = new BiUndo();

  constructor(
    readonly config: ChanConfig = CHANPY,
    opts?: LevelOptions,
  ) {
    this.macd = new MacdSeries(config.macd.fast, config.macd.slow, config.macd.signal);
    this.rsi = opts?.rsi === true ? new RsiSeries(config.rsiCycle) : undefined;
    this.bi = new BiList(this.merged, config);
    const m = this.macd,
      r = this.rsi;
    this.indicators = {
      get macd() {
        return m.macd;
      },
      get dif() {
        return m.dif;
      },
      get dea() {
        return m.dea;
      },
      get rsi() {
        return r?.rsi;
      },
    };
  }

  /**
   * The indicator series, live: each read gives the values up to the current bar (holders of this object, like
   * the stroke-level divergence metrics, always see the whole series, not the one at the time they got it).
   */
  readonly indicators: IndicatorSeries;

  /** Room for `n` bars in every per-bar column (a batch run knows its length; streaming grows by doubling). */
  reserve(n: number): void {
    this.store.reserve(n);
    this.macd.reserve(n);
    this.klcPrices.reserve(n);
  }

  /** The raw bars as `Bar` views (index = idx): one live array, extended on each read. */
  get bars(): readonly Bar[] {
    return this.store.views();
  }

  /** Number of bars received. */
  get barCount(): number {
    return this.store.length;
  }

  /** Appends a closed bar (its idx must be the next position and its time later than the last bar's). */
  push(bar: Bar): void {
    const n = this.store.length;
    if (bar.idx !== n) {
      throw new BarValidationError(bar.idx, 'time', `bar idx ${bar.idx} pushed at position ${n}`);
    }
    this.pushValues(bar.time, bar.label, fieldsOf(bar));
  }

  /**
   * Appends a closed bar from validated values (no Bar object): `time` must be later than the last bar's.
   * `label` undefined: formatted from the time when first read.
   */
  pushValues(time: number, label: string | undefined, f: BarFields): void {
    const store = this.store;
    const n = store.length;
    if (n > 0 && !(time > store.time[n - 1])) {
      throw new BarValidationError(
        n,
        'time',
        `time ${label ?? formatTime(time)} is not after the previous bar's time ${store.label(n - 1)}: times must strictly increase`,
      );
    }
    this.bi.deleteVirtual();
    store.push(time, label, f);
    this.macd.push(f.close);
    if (this.rsi !== undefined) this.rsi.push(f.close);
    this.merge(n, f.high, f.low);
  }

  /** The still-forming last bar changed: same idx and the same open time. */
  replaceLast(bar: Bar): void {
    const store = this.store;
    const n = store.length;
    if (n === 0) throw new BarValidationError(bar.idx, 'time', 'replaceLast with no bar to replace');
    if (bar.idx !== n - 1 || bar.time !== store.time[n - 1]) {
      throw new BarValidationError(
        bar.idx,
        'time',
        `replaceLast needs the last bar's idx ${n - 1} and time ${store.label(n - 1)}, got idx ${bar.idx} time ${bar.label}`,
      );
    }
    this.replaceLastValues(bar.label, fieldsOf(bar));
  }

  /** replaceLast from validated values; the time is the last bar's. */
  replaceLastValues(label: string | undefined, f: BarFields): void {
    const store = this.store;
    const n = store.length;
    if (n === 0) throw new BarValidationError(0, 'time', 'replaceLast with no bar to replace');
    this.bi.deleteVirtual();
    this.undoMerge();
    store.setLast(label, f);
    this.macd.replaceLast(f.close);
    if (this.rsi !== undefined) this.rsi.replaceLast(f.close);
    this.merge(n - 1, f.high, f.low);
  }

  /**
   * The stroke list with the virtual last stroke for the current last merged bar (§6.9). The returned array is
   * the live list: valid until the next push/replaceLast.
   */
  strokes(): readonly Bi[] {
    const bl = this.bi;
    if (!bl.virtualApplied && this.merged.length > 0) bl.addVirtual(this.merged[this.merged.length - 1]);
    return bl.list;
  }

  /** The confirmed-state stroke list (no virtual stroke), as chan.py holds it between bars in batch mode. */
  sureStrokes(): readonly Bi[] {
    this.bi.deleteVirtual();
    return this.bi.list;
  }

  private merge(bar: number, high: number, low: number): void {
    const klc = this.merged;
    const n = klc.length;
    const p = this.klcPrices;
    if (n === 0) {
      // Start-of-series rule: the first merged bar is UP, so an inclusion with bar 1 merges upwards.
      klc.push(new MergedKLine(0, UP, bar, high, low, p));
      this.lastPush = PUSH_FIRST;
      return;
    }
    // MergedKLine.relation, read from the columns (the per-bar path).
    const mh = p.high[n - 1],
      ml = p.low[n - 1];
    if ((mh >= high && ml <= low) || (mh <= high && ml >= low)) {
      const last = klc[n - 1];
      this.mergedUndo.save(last);
      last.absorb(bar, high, low);
      this.lastPush = PUSH_COMBINE;
      return;
    }
    klc.push(new MergedKLine(n, mh > high && ml > low ? DOWN : UP, bar, high, low, p));
    if (n >= 2) {
      const fx = fractalAt(p, n - 1);
      if (fx !== FX_NONE) {
        // Only a fractal can change the strokes (updateSure returns at once otherwise): undo state only then.
        p.fx[n - 1] = fx;
        this.bi.saveUndo(this.biUndo);
        this.lastPush = PUSH_NEW_FX;
        this.bi.updateSure(klc[n - 1]);
        return;
      }
    }
    this.lastPush = PUSH_NEW;
  }

  private undoMerge(): void {
    const klc = this.merged;
    switch (this.lastPush) {
      case PUSH_FIRST:
        klc.pop();
        break;
      case PUSH_COMBINE:
        this.mergedUndo.restore(klc[klc.length - 1]);
        break;
      case PUSH_NEW:
        klc.pop();
        break;
      case PUSH_NEW_FX:
        klc.pop();
        this.bi.restoreUndo(this.biUndo);
        klc[klc.length - 1].fx = FX_NONE;
        break;
      default:
        throw new Error('replaceLast: nothing to undo');
    }
    this.lastPush = PUSH_NONE;
  }
}

const barScratch = new BarFields();

/** The values of a Bar object in the reusable record (Level.push / replaceLast with a Bar). */
function fieldsOf(bar: Bar): BarFields {
  const f = barScratch;
  f.open = bar.open;
  f.high = bar.high;
  f.low = bar.low;
  f.close = bar.close;
  f.volume = bar.volume;
  f.turnover = bar.turnover;
  f.turnoverRate = bar.turnoverRate;
  return f;
}
