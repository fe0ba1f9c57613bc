/**
 * Incremental update == batch (chan-spec §7.10): the stroke list grows one stroke at a time, and the newest
 * stroke goes through the states a stroke engine gives it (virtual with a partial end, then sure, virtually
 * extended, then extended for sure to its final end). After every change one long-lived segment list (and its segment-of-segment
 * list) is updated incrementally and must equal a fresh batch run over a copy of the same strokes.
 */
import { describe, expect, it } from 'vitest';
import { SegListChan } from '../src/seg/index.js';
import type { Line } from '../src/types.js';
import { linesFromRef, loadFixture, segState as snapshot, TestLine, zigzag } from './seg-lines.js';

function copy(l: TestLine): TestLine {
  return new TestLine(l.idx, l.dir, l.beginVal, l.endVal, l.beginBar, l.endBar, l.isSure, l.wasSure);
}

/** Runs the growing-prefix stream over `final`; returns how many states were compared. */
function checkStream(final: TestLine[], bars: { high: number; low: number }[]): number {
  const seg = new SegListChan<Line>({ leftSegMethod: 'peak' }, bars);
  const segseg = new SegListChan<Line>({ leftSegMethod: 'peak' }, bars);
  const live: TestLine[] = [];
  let states = 0;
  const compare = () => {
    seg.update(live);
    segseg.update(seg.segs);
    const batchLines = live.map(copy);
    const bSeg = new SegListChan<Line>({ leftSegMethod: 'peak' }, bars);
    bSeg.update(batchLines);
    const bSegseg = new SegListChan<Line>({ leftSegMethod: 'peak' }, bars);
    bSegseg.update(bSeg.segs);
    expect(snapshot(seg.segs, live), `segs after ${live.length} lines`).toEqual(snapshot(bSeg.segs, batchLines));
    expect(snapshot(segseg.segs, seg.segs), `segsegs after ${live.length} lines`).toEqual(
      snapshot(bSegseg.segs, bSeg.segs),
    );
    states++;
  };
  for (const f of final) {
    const part = (x: number) => f.beginVal + x * (f.endVal - f.beginVal);
    // A new virtual stroke with a partial end …
    live.push(new TestLine(f.idx, f.dir, f.beginVal, part(0.5), f.beginBar, f.endBar, false, false));
    compare();
    // … replaced by a sure stroke (a new object) …
    const line = new TestLine(f.idx, f.dir, f.beginVal, part(0.8), f.beginBar, f.endBar, true, true);
    live[f.idx] = line;
    compare();
    // … virtually extended (unsure, yet it was sure: chan.py used_to_be_sure) …
    line.endVal = part(0.9);
    line.isSure = false;
    compare();
    // … and then extended for sure to its final place (a price once reached is never given back).
    line.endVal = f.endVal;
    line.isSure = true;
    compare();
  }
  return states;
}

describe('incremental update equals batch', () => {
  it.each(['cn_sse000001_1d', 'us_spy_1d'])('on the growing stroke list of %s', (name) => {
    const fx = loadFixture(name);
    expect(checkStream(linesFromRef(fx.bi), fx.bars)).toBe(fx.bi.length * 4);
  });

  it('on the first 800 strokes of us_spy_1h', () => {
    const fx = loadFixture('us_spy_1h');
    expect(checkStream(linesFromRef(fx.bi.slice(0, 800)), fx.bars)).toBe(3200);
  });

  it('on random walks', () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let run = 0; run < 30; run++) {
      const values = [100];
      for (let i = 0; i < 120; i++) {
        const prev = values[values.length - 1];
        const up = i % 2 === 0;
        values.push(prev + (up ? 1 : -1) * (1 + Math.floor(rnd() * 20)));
      }
      const { lines, bars } = zigzag(values);
      checkStream(lines, bars);
    }
  });
});
