/**
 * Segments and segments of segments against chan.py's reference output (chan-spec §18): the reference strokes
 * go in, every seg / segseg must agree (times, direction, is_sure, sub-line span, reason, prices).
 */
import { describe, expect, it } from 'vitest';
import { SegListChan } from '../src/seg/index.js';
import { DOWN, UP, type Line } from '../src/types.js';
import { linesFromRef, loadFixture, type Fixture, type RefLine } from './seg-lines.js';

interface Row {
  begin: string;
  end: string;
  dir: string;
  sure: boolean;
  start: number;
  endSub: number;
  reason: string;
  beginVal: number;
  endVal: number;
  high: number;
  low: number;
}

function refRows(ref: RefLine[]): Row[] {
  return ref.map((s) => ({
    begin: s.begin_time,
    end: s.end_time,
    dir: s.dir,
    sure: s.is_sure,
    start: s.start_sub_idx!,
    endSub: s.end_sub_idx!,
    reason: s.reason!,
    beginVal: s.begin_val,
    endVal: s.end_val,
    high: s.high,
    low: s.low,
  }));
}

function ourRows(list: SegListChan<Line>, fx: Fixture): Row[] {
  return list.segs.map((s) => ({
    begin: fx.bars[s.beginBar].time,
    end: fx.bars[s.endBar].time,
    dir: s.dir === UP ? 'UP' : s.dir === DOWN ? 'DOWN' : '?',
    sure: s.isSure,
    start: s.startLine.idx,
    endSub: s.endLine.idx,
    reason: s.reason,
    beginVal: s.beginVal,
    endVal: s.endVal,
    high: s.high,
    low: s.low,
  }));
}

describe.each(['cn_sse000001_1d', 'us_spy_1d', 'us_spy_1h'])('segments conform to chan.py on %s', (name) => {
  const fx = loadFixture(name);
  const lines = linesFromRef(fx.bi);
  const segList = new SegListChan<Line>({ leftSegMethod: 'peak' }, fx.bars);
  segList.update(lines);
  const segsegList = new SegListChan<Line>({ leftSegMethod: 'peak' }, fx.bars);
  segsegList.update(segList.segs);

  it('seg list agrees', () => {
    expect(ourRows(segList, fx)).toEqual(refRows(fx.seg));
  });

  it('every stroke carries its seg_idx and parent segment', () => {
    expect(lines.map((l) => l.segIdx)).toEqual(fx.bi.map((b) => b.seg_idx));
    for (const seg of segList.segs) {
      for (let i = seg.startLine.idx; i <= seg.endLine.idx; i++) expect(lines[i].parentSeg).toBe(seg);
    }
  });

  it('segseg list agrees', () => {
    expect(ourRows(segsegList, fx)).toEqual(refRows(fx.segseg));
  });
});
