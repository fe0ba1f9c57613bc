/**
 * The stroke engine (chan.py CBiList, chan-spec §6.3–§6.9).
 *
 * Invariant outside `addVirtual`…`deleteVirtual`: every stroke is sure and the last stroke's end is chan.py's
 * `last_end`, so `last_end` is not stored separately. The virtual last stroke is an overlay: `addVirtual` applies
 * it, `deleteVirtual` removes it and restores the exact previous objects (so references held by the segment code
 * stay valid).
 *
 * `dirtyFrom` is the lowest stroke index added, removed or changed (end, sureness) since the caller last reset it;
 * the segment code can recompute from there.
 *
 * Candidate merged bars are handled by idx, read from the level's columns; an object (`MergedBars.at`) is made only
 * for a merged bar that becomes a stroke end.
 */
import type { ChanConfig } from '../config.js';
import { FX_BOTTOM, FX_NONE, FX_TOP, UP, type FxType } from '../types.js';
import type { MergedBars, MergedKLine } from '../kline/merged-bar.js';
import { Bi } from './bi.js';
import { StrokeRules } from './rules.js';

/** Constant-size snapshot of what one `updateSure` can change (see Level.replaceLast). */
export class BiUndo {
  count = 0;
  last: Bi | null = null;
  lastEnd: MergedKLine | null = null;
  prev: Bi | null = null;
  prevEnd: MergedKLine | null = null;
  lastStale: Bi | null = null;
  prevStale: Bi | null = null;
  freeFxCount = 0;
}

export class BiList {
  readonly list: Bi[] = [];
  /** Fractals (merged bar idx) seen before the first stroke (§6.7), in insertion order. */
  private readonly freeFx: number[] = [];
  readonly rules: StrokeRules;
  private readonly allowSubPeak: boolean;
  /**
   * Whether strokes record chan.py's stale successor pointer (Bi.staleNext, quirk C/D): under `quirks: 'chanpy'`
   * with the sub-peak rule on, the only rule that removes a stroke.
   */
  readonly tracksStale: boolean;
  /** True while the virtual overlay is applied (possibly as "no change"). */
  virtualApplied = false;
  /** Stroke removed by the virtual form of the sub-peak rule, put back by deleteVirtual. */
  private virtualRemoved: Bi | null = null;
  /** The staleNext the virtual sub-peak rule overwrote on the stroke before the removed one. */
  private virtualPrevStale: Bi | null = null;
  dirtyFrom = Infinity;

  constructor(
    private readonly mb: MergedBars,
    cfg: ChanConfig,
  ) {
    this.rules = new StrokeRules(mb, cfg);
    this.allowSubPeak = cfg.biAllowSubPeak;
    this.tracksStale = !cfg.biAllowSubPeak && cfg.quirks === 'chanpy';
  }

  get length(): number {
    return this.list.length;
  }

  /** chan.py last_end: the end merged bar of the last stroke. */
  get lastEnd(): MergedKLine | null {
    const n = this.list.length;
    return n === 0 ? null : this.list[n - 1].endKlc;
  }

  private dirty(i: number): void {
    if (i < this.dirtyFrom) this.dirtyFrom = i;
  }

  /** Returns the lowest changed stroke index since the previous call (Infinity: nothing) and resets it. */
  takeDirtyFrom(): number {
    const d = this.dirtyFrom;
    this.dirtyFrom = Infinity;
    return d;
  }

  /**
   * A new merged bar starts chan.py's stroke update, which first clears the last stroke's successor pointer:
   * a stale one (quirk C/D) lasts until then. Call before `updateSure`, with the virtual overlay removed.
   */
  clearStale(): void {
    const n = this.list.length;
    if (n === 0) return;
    const last = this.list[n - 1];
    if (last.staleNext === null) return;
    last.staleNext = null;
    // What follows the last stroke changed: position n, where the stale stroke was read.
    this.dirty(n);
  }

  /**
   * §6.3, run when merged bar K+1 has just been created and K's fractal decided (K by idx). The virtual overlay must
   * have been removed. Returns true when a stroke was added, removed or moved.
   */
  updateSure(k: number): boolean {
    const fx = this.mb.p.fx[k] as FxType;
    if (fx === FX_NONE) return false;
    const list = this.list;
    const n = list.length;
    if (n === 0) return this.tryCreateFirst(k, fx);
    const last = list[n - 1];
    const s = last.endKlc;
    if (fx === s.fx) return this.tryUpdateEnd(k, false);
    if (this.rules.canMakeBi(k, s.idx, false)) {
      this.addBi(s, this.mb.at(k), true);
      return true;
    }
    return this.updatePeak(k, false);
  }

  /** §6.7: the first stroke starts at the first stored free fractal that works, in insertion order. */
  private tryCreateFirst(k: number, fx: FxType): boolean {
    const free = this.freeFx;
    const fxs = this.mb.p.fx;
    for (let i = 0; i < free.length; i++) {
      const f = free[i];
      if (fxs[f] === fx) continue;
      if (this.rules.canMakeBi(k, f, false)) {
        this.addBi(this.mb.at(f), this.mb.at(k), true);
        return true;
      }
    }
    free.push(k);
    return false;
  }

  private addBi(begin: MergedKLine, end: MergedKLine, sure: boolean): void {
    const i = this.list.length;
    this.list.push(new Bi(i, begin, end, sure));
    this.dirty(i);
  }

  /**
   * Extension (§6.3 step 4): a same-type fractal at least as extreme moves the last stroke's end; equal extremes
   * move it to the later fractal. In virtual form K only needs the right direction, and the move is undoable.
   */
  private tryUpdateEnd(k: number, virtual: boolean): boolean {
    const n = this.list.length;
    if (n === 0) return false;
    const last = this.list[n - 1];
    const p = this.mb.p;
    const ok =
      last.dir === UP
        ? (virtual ? p.dir[k] === UP : p.fx[k] === FX_TOP) && p.high[k] >= last.endVal
        : (virtual ? p.dir[k] !== UP : p.fx[k] === FX_BOTTOM) && p.low[k] <= last.endVal;
    if (!ok) return false;
    const kObj = this.mb.at(k);
    if (virtual) this.virtualEnd(last, kObj);
    else last.endKlc = kObj;
    this.dirty(n - 1);
    return true;
  }

  private virtualEnd(bi: Bi, k: MergedKLine): void {
    bi.sureEnd.push(bi.endKlc);
    bi.endKlc = k;
    bi.usedToBeSure = bi.isSure;
    bi.isSure = false;
  }

  /**
   * Sub-peak rule (§6.8, only with biAllowSubPeak = false): K beyond the last stroke's begin absorbs the last
   * stroke into an extension of the one before.
   */
  private updatePeak(k: number, virtual: boolean): boolean {
    if (this.allowSubPeak) return false;
    const list = this.list;
    const n = list.length;
    if (n < 2) return false;
    const last = list[n - 1],
      prev = list[n - 2];
    const p = this.mb.p;
    if (last.dir === UP) {
      if (p.low[k] > last.beginVal) return false;
    } else if (p.high[k] < last.beginVal) return false;
    if (!this.rules.isEndPeak(prev.beginKlc.idx, k)) return false;
    if (last.dir === UP) {
      if (last.endVal > prev.beginVal) return false;
    } else if (last.endVal < prev.beginVal) return false;
    list.pop();
    if (!this.tryUpdateEnd(k, virtual)) {
      list.push(last);
      return false;
    }
    if (this.tracksStale) {
      // chan.py pops the stroke without unlinking it: the previous one still names it as its successor.
      if (virtual) this.virtualPrevStale = prev.staleNext;
      prev.staleNext = last;
    }
    if (virtual) {
      prev.sureEnd.push(last.endKlc);
      this.virtualRemoved = last;
    }
    this.dirty(n - 2);
    return true;
  }

  /**
   * §6.9: overlay the unconfirmed last stroke for the latest merged bar K (by idx: virtual extension of the last
   * stroke, or a new unsure stroke found scanning back from K). Call `deleteVirtual` before any further `updateSure`.
   */
  addVirtual(k: number): boolean {
    if (this.virtualApplied) this.deleteVirtual();
    this.virtualApplied = true;
    const list = this.list;
    const n = list.length;
    if (n === 0) return false;
    const last = list[n - 1];
    const s = last.endKlc;
    const si = s.idx;
    if (k === si) return false;
    const p = this.mb.p;
    if (last.dir === UP ? p.high[k] >= p.high[si] : p.low[k] <= p.low[si]) {
      this.virtualEnd(last, this.mb.at(k));
      this.dirty(n - 1);
      return true;
    }
    for (let x = k; x > si; x--) {
      if (this.rules.canMakeBi(x, si, true)) {
        this.addBi(s, this.mb.at(x), false);
        return true;
      }
      if (this.updatePeak(x, true)) return true;
    }
    return false;
  }

  /** Removes the virtual overlay, restoring saved sure ends (and the stroke a virtual sub-peak removed). */
  deleteVirtual(): void {
    if (!this.virtualApplied) return;
    this.virtualApplied = false;
    const list = this.list;
    const n = list.length;
    if (n > 0 && !list[n - 1].isSure) {
      const last = list[n - 1];
      const saved = last.sureEnd;
      if (saved.length > 0) {
        last.endKlc = saved[0];
        last.isSure = true;
        // A sure stroke never had this set in batch runs; clearing keeps streaming state identical to batch.
        last.usedToBeSure = false;
        for (let i = 1; i < saved.length; i++) {
          const removed = this.virtualRemoved;
          if (removed !== null && removed.endKlc === saved[i] && removed.beginKlc === this.lastEnd) {
            list[list.length - 1].staleNext = this.virtualPrevStale;
            this.list.push(removed);
          } else {
            this.addBi(this.lastEnd!, saved[i], true);
          }
        }
        saved.length = 0;
      } else {
        list.pop();
      }
      this.dirty(n - 1);
    }
    this.virtualRemoved = null;
    this.virtualPrevStale = null;
  }

  saveUndo(u: BiUndo): void {
    const list = this.list;
    const n = list.length;
    u.count = n;
    u.last = n > 0 ? list[n - 1] : null;
    u.lastEnd = n > 0 ? list[n - 1].endKlc : null;
    u.prev = n > 1 ? list[n - 2] : null;
    u.prevEnd = n > 1 ? list[n - 2].endKlc : null;
    u.lastStale = n > 0 ? list[n - 1].staleNext : null;
    u.prevStale = n > 1 ? list[n - 2].staleNext : null;
    u.freeFxCount = this.freeFx.length;
  }

  /** Back to the state `saveUndo` captured (one `updateSure` adds, removes or moves at most the last two strokes). */
  restoreUndo(u: BiUndo): void {
    const list = this.list;
    const n = u.count;
    if (list.length > n) {
      list.length = n;
      this.dirty(n);
    } else if (list.length < n) {
      list.push(u.last!);
      this.dirty(n - 1);
    }
    if (u.last !== null && u.last.endKlc !== u.lastEnd) {
      u.last.endKlc = u.lastEnd!;
      this.dirty(n - 1);
    }
    if (u.prev !== null && u.prev.endKlc !== u.prevEnd) {
      u.prev.endKlc = u.prevEnd!;
      this.dirty(n - 2);
    }
    if (u.last !== null && u.last.staleNext !== u.lastStale) {
      u.last.staleNext = u.lastStale;
      this.dirty(n);
    }
    if (u.prev !== null) u.prev.staleNext = u.prevStale;
    this.freeFx.length = u.freeFxCount;
  }
}
