/**
 * Pivot edge cases (chan-spec §16 item 12, §8.2–8.5) on hand-built strokes.
 */
import { describe, expect, it } from 'vitest';
import { CHANPY, resolveConfig } from '../src/config.js';
import { PivotList } from '../src/zs/pivot-list.js';
import { assignSegIdx, linesFromPath, makeSeg, type TestLine } from './zs-bsp-fixture.js';

function run(path: number[], segRanges: [number, number, boolean][], overrides = {}) {
  const lines = linesFromPath(path);
  const segs = segRanges.map(([s, e, sure], i) => makeSeg(lines, i, s, e, sure));
  assignSegIdx(lines, segs);
  const list = new PivotList<TestLine>(resolveConfig(overrides));
  list.update(lines, segs);
  return { lines, segs, pivots: list.pivots };
}

describe('§16.12 pivots', () => {
  it('never begin at line 0: the candidates are kept and the next pair forms the pivot', () => {
    // seg UP over lines 0..5 whose first line is DOWN: counter lines 0, 2, 4 all overlap.
    const { pivots } = run([20, 10, 18, 12, 17, 13, 30], [[0, 5, true]]);
    expect(pivots.map((z) => [z.beginLine.idx, z.endLine.idx])).toEqual([[2, 4]]);
    expect([pivots[0]!.low, pivots[0]!.high]).toEqual([13, 17]);
  });

  it('need a strict overlap: touching counter lines form no pivot', () => {
    // UP seg, counter DOWN lines 1 [15,20] and 3 [20,25]: they only touch at 20.
    const none = run([10, 20, 15, 25, 20, 30], [[0, 4, true]]);
    expect(none.pivots).toEqual([]);
    const some = run([10, 20, 15, 25, 19.9, 30], [[0, 4, true]]);
    expect(some.pivots.map((z) => [z.low, z.high])).toEqual([[19.9, 20]]);
  });

  it('ZD/ZG are fixed at creation; extension only widens DD/GG', () => {
    // zs from lines 1 [9,11] and 3 [10,12]; line 5 [8,13] overlaps it and extends it.
    const { pivots } = run([0, 11, 9, 12, 10, 13, 8, 20], [[0, 6, true]]);
    expect(pivots).toHaveLength(1);
    const z = pivots[0]!;
    expect([z.beginLine.idx, z.endLine.idx, z.low, z.high, z.peakLow, z.peakHigh]).toEqual([1, 5, 10, 11, 8, 13]);
    expect([z.lineIn?.idx, z.lineOut?.idx]).toEqual([0, 6]);
  });

  it('combined pivots span the union of the ranges ([ZD, ZG] touching merges in "zs" mode)', () => {
    // zs1 = lines 1,3 → [10, 11]; line 5 [11,20] does not overlap strictly → new zs2 = lines 5,7 → [11, 20].
    const path = [0, 11, 9, 12, 10, 20, 11, 21, 10.5, 30];
    const combined = run(path, [[0, 8, true]]);
    expect(combined.pivots).toHaveLength(1);
    const z = combined.pivots[0]!;
    expect([z.beginLine.idx, z.endLine.idx, z.low, z.high, z.parts.length]).toEqual([1, 7, 10, 20, 2]);
    expect(z.lineOut?.idx).toBe(8);
    const separate = run(path, [[0, 8, true]], { zsCombine: false });
    expect(separate.pivots.map((p) => [p.low, p.high])).toEqual([
      [10, 11],
      [11, 20],
    ]);
  });

  it('do not combine across segments', () => {
    // Same shapes, but the second pivot lies in the next UP segment: two touching pivots stay apart.
    const path = [0, 11, 9, 12, 10, 20, 11, 21, 10.5, 30];
    const lines = linesFromPath(path);
    const segs = [makeSeg(lines, 0, 0, 4, true), makeSeg(lines, 1, 5, 8, true, 'UP')];
    assignSegIdx(lines, segs);
    const list = new PivotList<TestLine>(CHANPY);
    list.update(lines, segs);
    expect(list.pivots.map((p) => [p.beginLine.idx, p.endLine.idx, p.low, p.high, p.parts.length])).toEqual([
      [1, 3, 10, 11, 0],
      [5, 7, 11, 20, 0],
    ]);
    expect(segs.map((s) => s.pivots.length)).toEqual([1, 1]);
  });

  it('never span two segments and are assigned to the segment holding their first line', () => {
    const path = [0, 11, 9, 12, 10, 20, 14, 19, 15, 30, 25, 27, 26, 28, 22];
    const { segs, pivots } = run(path, [
      [0, 4, true],
      [5, 8, true],
    ]);
    for (const z of pivots.slice(0, 2)) expect(z.beginLine.segIdx).toBe(z.endLine.segIdx);
    expect(segs.map((s) => s.pivots.map((z) => z.beginLine.idx))).toEqual([[1], [5]]);
    // Lines after the last (UP) segment: its UP lines 10 and 12 are the counter lines of the segment to come,
    // and form an unsure tail pivot that belongs to no segment.
    expect(pivots.map((z) => [z.beginLine.idx, z.endLine.idx, z.isSure, z.low, z.high])).toEqual([
      [1, 3, true, 10, 11],
      [5, 7, true, 15, 19],
      [10, 12, false, 26, 27],
    ]);
    expect(pivots[2]!.lineIn?.idx).toBe(9);
    expect(pivots[2]!.lineOut?.idx).toBe(13);
  });

  it('peak combine mode merges on overlapping [DD, GG]', () => {
    // zs1 lines 1,3: [10,11], DD 9 GG 12; zs2 lines 5,7: [13,14], DD 11.5 GG 20 (no [ZD,ZG] contact).
    const path = [0, 11, 9, 12, 10, 20, 13, 14, 11.5, 30];
    expect(run(path, [[0, 8, true]]).pivots).toHaveLength(2);
    const peak = run(path, [[0, 8, true]], { zsCombineMode: 'peak' }).pivots;
    expect(peak.map((z) => [z.low, z.high, z.peakLow, z.peakHigh])).toEqual([[10, 14, 9, 20]]);
  });

  it('one_bi_zs: a single counter line forms a pivot (not at line 0)', () => {
    const { pivots } = run([0, 11, 9, 20, 15, 30], [[0, 4, true]], { oneBiZs: true });
    expect(pivots.map((z) => [z.beginLine.idx, z.endLine.idx, z.isOneLine])).toEqual([
      [1, 1, true],
      [3, 3, true],
    ]);
  });

  it('over_seg pivots can cross segments', () => {
    // Every line is fed; lines 1..3 overlap (line 1 is counter to segment 0) and lines 4, 5 extend it into
    // segment 1; the last line never extends (it has no successor).
    const path = [0, 11, 9, 12, 10, 11.5, 9.5, 20];
    const lines = linesFromPath(path);
    const segs = [makeSeg(lines, 0, 0, 2, true), makeSeg(lines, 1, 3, 6, false, 'DOWN')];
    assignSegIdx(lines, segs);
    const list = new PivotList<TestLine>(resolveConfig({ zsAlgo: 'over_seg' }));
    list.update(lines, segs);
    expect(list.pivots.map((z) => [z.beginLine.idx, z.endLine.idx])).toEqual([[1, 5]]);
    expect(list.pivots[0]!.endLine.segIdx).toBe(1);
  });
});
