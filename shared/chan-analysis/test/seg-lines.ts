/**
 * Test-only `Line` implementation and builders for the segment tests: lines read from a reference fixture's
 * `bi` list, and hand-built zigzags.
 */
import { DOWN, UP, type Direction, type Line, type Segment } from '../src/types.js';
import type { Seg } from '../src/seg/index.js';
import { readCsvRows, readReference, type RefLine, type Reference } from './support/fixtures.js';

export class TestLine implements Line {
  segIdx = -1;
  parentSeg: Segment<Line> | undefined = undefined;
  constructor(
    public idx: number,
    public dir: Direction,
    public beginVal: number,
    public endVal: number,
    public beginBar: number,
    public endBar: number,
    public isSure = true,
    public wasSure = true,
  ) {}
  get high(): number {
    return Math.max(this.beginVal, this.endVal);
  }
  get low(): number {
    return Math.min(this.beginVal, this.endVal);
  }
  get amp(): number {
    return Math.abs(this.endVal - this.beginVal);
  }
}

export type { RefLine };

export interface Fixture extends Pick<Reference, 'bi' | 'seg' | 'segseg'> {
  bars: { high: number; low: number; time: string }[];
}

export function loadFixture(name: string): Fixture {
  const { bi, seg, segseg } = readReference(name);
  return { bi, seg, segseg, bars: readCsvRows(name).map(({ high, low, time }) => ({ high, low, time })) };
}

/**
 * Lines from the reference strokes. A stroke's high/low equal its begin/end values (§6.1). wasSure: chan.py
 * does not export used_to_be_sure. Every stroke before the last is sure (and so was sure); the last one may be
 * virtual, and then its used_to_be_sure is true only for a virtual extension of a sure stroke and false for a
 * new virtual stroke — not recoverable from the export. In the three fixtures every stroke is sure, so
 * wasSure = isSure is exact here.
 */
export function linesFromRef(bi: RefLine[]): TestLine[] {
  return bi.map(
    (b) =>
      new TestLine(
        b.idx,
        b.dir === 'UP' ? UP : DOWN,
        b.begin_val,
        b.end_val,
        b.begin_klu_idx,
        b.end_klu_idx,
        b.is_sure,
        b.is_sure,
      ),
  );
}

/**
 * A zigzag from turning-point values: line i goes from values[i] to values[i+1] and runs between bars
 * i and i+1; `bars` gives each bar's high/low as the turning value (what a stroke's peak bar has).
 */
export function zigzag(values: number[]): { lines: TestLine[]; bars: { high: number; low: number }[] } {
  const lines: TestLine[] = [];
  for (let i = 0; i + 1 < values.length; i++) {
    const a = values[i];
    const b = values[i + 1];
    if (a === b) throw new Error(`flat line at ${i}`);
    lines.push(new TestLine(i, b > a ? UP : DOWN, a, b, i, i + 1));
  }
  const bars = values.map((v) => ({ high: v, low: v }));
  return { lines, bars };
}

/** Everything a segment list exposes, as comparable text: segments and each line's segIdx / parentSeg. */
export function segState(segs: readonly Seg<Line>[], lines: readonly Line[]) {
  return {
    segs: segs.map((s) =>
      [
        s.idx,
        s.startLine.idx,
        s.endLine.idx,
        s.dir,
        s.isSure,
        s.wasSure,
        s.reason,
        s.beginVal,
        s.endVal,
        s.high,
        s.low,
      ].join(' '),
    ),
    segIdx: lines.map((l) => l.segIdx),
    parent: lines.map((l) =>
      l.parentSeg
        ? `${l.parentSeg.idx}:${(l.parentSeg as Seg<Line>).startLine.idx}-${(l.parentSeg as Seg<Line>).endLine.idx}`
        : '-',
    ),
  };
}
