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
import { BarValidationError, checkTimeOrder } from './bar.js';
import { BiList, BiUndo } from './bi/bi-list.js';
import type { Bi } from './bi/bi.js';
import { CHANPY, type ChanConfig } from './config.js';
import { MacdSeries } from './indicators/macd.js';
import { RsiSeries } from './indicators/rsi.js';
import { fractalOf } from './kline/fractal.js';
import { COMBINE, MergedKLine, MergedUndo } from './kline/merged-bar.js';
import { FX_NONE, UP, type Bar, type IndicatorSeries } from './types.js';

/** What the last push did to the merged bars. */
const PUSH_NONE = 0,
  PUSH_FIRST = 1,
  PUSH_COMBINE = 2,
  PUSH_NEW = 3;

export interface LevelOptions {
  /** Compute RSI (needed by the `rsi` divergence metric); default false. */
  rsi?: boolean;
}

export class Level {
  readonly bars: Bar[] = [];
  readonly macd: MacdSeries;
  readonly rsi: RsiSeries | undefined;
  /** Merged bars (chan.py CKLine list); the last one can still grow. */
  readonly merged: MergedKLine[] = [];
  readonly bi: BiList;

  private lastPush = PUSH_NONE;
  private readonly mergedUndo = new MergedUndo();
  private readonly biUndo = new BiUndo();

  constructor(
    readonly config: ChanConfig = CHANPY,
    opts?: LevelOptions,
  ) {
    this.macd = new MacdSeries(config.macd.fast, config.macd.slow, config.macd.signal);
    this.rsi = opts?.rsi === true ? new RsiSeries(config.rsiCycle) : undefined;
    this.bi = new BiList(this.merged, config);
  }

  get indicators(): IndicatorSeries {
    const m = this.macd;
    return { macd: m.macd, dif: m.dif, dea: m.dea, rsi: this.rsi?.rsi };
  }

  /** Appends a closed bar (its idx must be the next position and its time later than the last bar's). */
  push(bar: Bar): void {
    const bars = this.bars;
    if (bar.idx !== bars.length) {
      throw new BarValidationError(bar.idx, 'time', `bar idx ${bar.idx} pushed at position ${bars.length}`);
    }
    checkTimeOrder(bars.length > 0 ? bars[bars.length - 1] : undefined, bar);
    this.bi.deleteVirtual();
    bars.push(bar);
    this.macd.push(bar.close);
    if (this.rsi !== undefined) this.rsi.push(bar.close);
    this.merge(bar);
  }

  /** The still-forming last bar changed: same idx and the same open time. */
  replaceLast(bar: Bar): void {
    const bars = this.bars;
    const n = bars.length;
    if (n === 0) throw new BarValidationError(bar.idx, 'time', 'replaceLast with no bar to replace');
    const old = bars[n - 1];
    if (bar.idx !== old.idx || bar.time !== old.time) {
      throw new BarValidationError(
        bar.idx,
        'time',
        `replaceLast needs the last bar's idx ${old.idx} and time ${old.label}, got idx ${bar.idx} time ${bar.label}`,
      );
    }
    this.bi.deleteVirtual();
    this.undoMerge();
    bars[n - 1] = bar;
    this.macd.replaceLast(bar.close);
    if (this.rsi !== undefined) this.rsi.replaceLast(bar.close);
    this.merge(bar);
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

  private merge(bar: Bar): void {
    const klc = this.merged;
    const n = klc.length;
    if (n === 0) {
      // Start-of-series rule: the first merged bar is UP, so an inclusion with bar 1 merges upwards.
      klc.push(new MergedKLine(0, UP, bar));
      this.lastPush = PUSH_FIRST;
      return;
    }
    const last = klc[n - 1];
    const rel = last.relation(bar.high, bar.low);
    if (rel === COMBINE) {
      this.mergedUndo.save(last);
      last.absorb(bar);
      this.lastPush = PUSH_COMBINE;
      return;
    }
    const cur = new MergedKLine(n, rel, bar);
    klc.push(cur);
    this.lastPush = PUSH_NEW;
    this.bi.saveUndo(this.biUndo);
    if (n >= 2) {
      last.fx = fractalOf(klc[n - 2], last, cur);
      this.bi.updateSure(last);
    }
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
        this.bi.restoreUndo(this.biUndo);
        klc[klc.length - 1].fx = FX_NONE;
        break;
      default:
        throw new Error('replaceLast: nothing to undo');
    }
    this.lastPush = PUSH_NONE;
  }
}
