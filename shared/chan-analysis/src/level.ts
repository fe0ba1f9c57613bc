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
import { MergedBars, MergedUndo, type MergedKLine } from './kline/merged-bar.js';
import { DOWN, FX_NONE, UP, type Bar, type IndicatorSeries } from './types.js';

/** What the last push did to the merged bars. */
const PUSH_NONE = 0,
  PUSH_FIRST = 1,
  PUSH_COMBINE = 2,
  PUSH_NEW = 3,
  /** A new merged bar that may have changed the strokes (its predecessor became a fractal, or a stale
   * successor pointer was cleared). */
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
  readonly bi: BiList;

  private lastPush = PUSH_NONE;
  /** The merged bars' values (columns); objects only on demand (`merged`, stroke ends). */
  private readonly mb = new MergedBars();
  private readonly mergedUndo = new MergedUndo();
  private readonly biUndo = new BiUndo();

  constructor(
    readonly config: ChanConfig = CHANPY,
    opts?: LevelOptions,
  ) {
    this.macd = new MacdSeries(config.macd.fast, config.macd.slow, config.macd.signal);
    this.rsi = opts?.rsi === true ? new RsiSeries(config.rsiCycle) : undefined;
    this.bi = new BiList(this.mb, config);
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
    this.mb.p.reserve(n);
  }

  /**
   * Merged bars (chan.py CKLine list); the last one can still grow. Made on first read (the merge works on columns):
   * one array, brought up to date on each read. Its objects are views equal in value, not in identity, to the
   * strokes' end merged bars.
   */
  get merged(): readonly MergedKLine[] {
    return this.mb.list();
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
    const f = fieldsOf(bar);
    f.time = bar.time;
    this.pushValues(bar.label, f);
  }

  /**
   * Appends a closed bar from validated values (no Bar object): `f.time` must be later than the last bar's.
   * `label` undefined: formatted from the time when first read.
   */
  pushValues(label: string | undefined, f: BarFields): void {
    const time = f.time;
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
    store.push(label, f);
    this.macd.pushFrom(f);
    if (this.rsi !== undefined) this.rsi.push(f.close);
    this.merge(n, f);
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
    this.merge(n - 1, f);
  }

  /**
   * The stroke list with the virtual last stroke for the current last merged bar (§6.9). The returned array is
   * the live list: valid until the next push/replaceLast.
   */
  strokes(): readonly Bi[] {
    const bl = this.bi;
    if (!bl.virtualApplied && this.mb.count > 0) bl.addVirtual(this.mb.count - 1);
    return bl.list;
  }

  /** The confirmed-state stroke list (no virtual stroke), as chan.py holds it between bars in batch mode. */
  sureStrokes(): readonly Bi[] {
    this.bi.deleteVirtual();
    return this.bi.list;
  }

  /** Bar `bar`'s range into the merged bars. The prices are read from `f`, not passed: doubles passed to a call
   * that is not inlined are boxed, one heap number each per bar. */
  private merge(bar: number, f: BarFields): void {
    const high = f.high,
      low = f.low;
    const mb = this.mb;
    const n = mb.count;
    if (n === 0) {
      // Start-of-series rule: the first merged bar is UP, so an inclusion with bar 1 merges upwards.
      mb.add(UP, bar, f);
      this.lastPush = PUSH_FIRST;
      return;
    }
    const p = mb.p;
    // §4.1 relation with the last merged bar.
    const mh = p.high[n - 1],
      ml = p.low[n - 1];
    if ((mh >= high && ml <= low) || (mh <= high && ml >= low)) {
      this.mergedUndo.save(p, n - 1);
      mb.absorb(n - 1, bar, f);
      this.lastPush = PUSH_COMBINE;
      return;
    }
    mb.add(mh > high && ml > low ? DOWN : UP, bar, f);
    const fx = n >= 2 ? fractalAt(mb.p, n - 1) : FX_NONE;
    const bi = this.bi;
    // Only a fractal can change the strokes (updateSure returns at once otherwise), or, under chan.py's
    // quirks, the clearing of a stale successor pointer that every new merged bar does: undo state only then.
    if (fx !== FX_NONE || bi.tracksStale) {
      bi.saveUndo(this.biUndo);
      this.lastPush = PUSH_NEW_FX;
      bi.clearStale();
      if (fx !== FX_NONE) {
        mb.p.fx[n - 1] = fx;
        bi.updateSure(n - 1);
      }
      return;
    }
    this.lastPush = PUSH_NEW;
  }

  private undoMerge(): void {
    const mb = this.mb;
    switch (this.lastPush) {
      case PUSH_FIRST:
        mb.pop();
        break;
      case PUSH_COMBINE:
        this.mergedUndo.restore(mb.p, mb.count - 1);
        break;
      case PUSH_NEW:
        mb.pop();
        break;
      case PUSH_NEW_FX:
        mb.pop();
        this.bi.restoreUndo(this.biUndo);
        mb.p.fx[mb.count - 1] = FX_NONE;
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
