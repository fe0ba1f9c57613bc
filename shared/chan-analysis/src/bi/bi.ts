/**
 * A stroke (笔, chan.py CBi): from a fractal merged bar to the opposite one (chan-spec §6.1). Every price and bar
 * index is derived from the two merged bars on read, so a stroke whose end merged bar is still growing (virtual
 * end at the last merged bar) always reports live values.
 */
import { DOWN, FX_TOP, UP, type BarSpan, type Direction, type Line, type Segment } from '../types.js';
import type { MergedKLine } from '../kline/merged-bar.js';

export class Bi implements Line, BarSpan {
  readonly dir: Direction;
  endKlc: MergedKLine;
  isSure: boolean;
  /** Set when a sure stroke is virtually extended (chan.py used_to_be_sure). */
  usedToBeSure = false;
  /** Sure ends saved while virtually extended, restored by BiList.deleteVirtual (§6.9). */
  readonly sureEnd: MergedKLine[] = [];
  segIdx = -1;
  parentSeg: Segment<Line> | undefined = undefined;
  /**
   * The stroke chan.py still links as this one's successor after the sub-peak rule removed it (quirk C/D),
   * tracked only under `quirks: 'chanpy'` with the sub-peak rule on. Meaningful while this stroke is the last
   * one, or has itself been removed.
   */
  staleNext: Bi | null = null;

  constructor(
    readonly idx: number,
    readonly beginKlc: MergedKLine,
    endKlc: MergedKLine,
    isSure: boolean,
  ) {
    this.dir = beginKlc.fx === FX_TOP ? DOWN : UP;
    this.endKlc = endKlc;
    this.isSure = isSure;
  }

  get wasSure(): boolean {
    return this.isSure || this.usedToBeSure;
  }
  get isUp(): boolean {
    return this.dir === UP;
  }
  get high(): number {
    return this.dir === UP ? this.endKlc.high : this.beginKlc.high;
  }
  get low(): number {
    return this.dir === UP ? this.beginKlc.low : this.endKlc.low;
  }
  get mid(): number {
    return (this.high + this.low) / 2;
  }
  get beginVal(): number {
    return this.dir === UP ? this.beginKlc.low : this.beginKlc.high;
  }
  get endVal(): number {
    return this.dir === UP ? this.endKlc.high : this.endKlc.low;
  }
  get amp(): number {
    return Math.abs(this.endVal - this.beginVal);
  }
  /** Raw bar idx of the begin peak bar (low peak for an up stroke). */
  get beginBar(): number {
    return this.dir === UP ? this.beginKlc.peakLowBar : this.beginKlc.peakHighBar;
  }
  get endBar(): number {
    return this.dir === UP ? this.endKlc.peakHighBar : this.endKlc.peakLowBar;
  }
  /** First raw bar of the begin merged bar (divergence metrics read every bar of both end merged bars). */
  get firstBar(): number {
    return this.beginKlc.firstBar;
  }
  get lastBar(): number {
    return this.endKlc.lastBar;
  }
  /** Number of merged bars, both ends included (reference `klc_cnt`). */
  get klcCount(): number {
    return this.endKlc.idx - this.beginKlc.idx + 1;
  }
  /** Peak-to-peak raw bar count (chan.py bar_count). */
  get barCount(): number {
    return this.endBar - this.beginBar + 1;
  }
}
