/**
 * Incremental pivot and buy/sell-point updates (chan-spec §8.2, §12.2 "Scope", §10.2) must end in the same
 * state as a full recomputation. Earlier states are simulated from the reference data: the first m strokes
 * and the segments that end within them (sure segments never change, so they are shared objects).
 */
import { describe, expect, it } from 'vitest';
import { CHANPY, resolveConfig } from '../src/config.js';
import { PivotList } from '../src/zs/pivot-list.js';
import { BspCalculator } from '../src/bsp/calculator.js';
import type { Line, Pivot } from '../src/types.js';
import type { BuySellPointImpl } from '../src/bsp/point.js';
import { assignSegIdx, loadFixture, type TestLine, type TestSeg } from './zs-bsp-fixture.js';

function pivotKey<L extends Line>(z: Pivot<L>) {
  return [
    z.beginLine.idx,
    z.endLine.idx,
    z.low,
    z.high,
    z.peakLow,
    z.peakHigh,
    z.isSure,
    z.lineIn?.idx,
    z.lineOut?.idx,
    z.parts.length,
  ];
}

function bspKey<L extends Line>(p: BuySellPointImpl<L>) {
  return [p.line.idx, p.isBuy, p.types.join(','), p.relateBsp1?.line.idx, p.features];
}

describe.each(['cn_sse000001_1d', 'us_spy_1d', 'us_spy_1h'])('incremental = full: %s', (name) => {
  it('stroke-level pivots and buy/sell points', () => {
    const { bars, ind, strokes, segs } = loadFixture(name);
    const step = Math.max(1, Math.floor(strokes.length / 120));
    const inc = new PivotList<TestLine>(CHANPY);
    const incBsp = BspCalculator.forStrokes<TestLine>(CHANPY, bars, ind);
    for (let m = 3; m < strokes.length; m += step) {
      const lines = strokes.slice(0, m);
      const ss = segs.filter((s) => s.endLine.idx < m);
      assignSegIdx(lines, ss);
      inc.update(lines, ss);
      incBsp.update(lines, ss);
    }
    assignSegIdx(strokes, segs);
    inc.update(strokes, segs);
    incBsp.update(strokes, segs);
    const incPivots = inc.pivots.map(pivotKey);
    const incSegPivots = segs.map((s) => s.pivots.map(pivotKey));
    const incPoints = incBsp.points.map(bspKey);

    const full = new PivotList<TestLine>(CHANPY);
    full.update(strokes, segs);
    const fullBsp = BspCalculator.forStrokes<TestLine>(CHANPY, bars, ind);
    fullBsp.update(strokes, segs);
    expect(incPivots).toEqual(full.pivots.map(pivotKey));
    expect(incSegPivots).toEqual(segs.map((s) => s.pivots.map(pivotKey)));
    expect(incPoints).toEqual(fullBsp.points.map(bspKey));
  });

  it('segment-level pivots and buy/sell points', () => {
    const { bars, segs, segsegs } = loadFixture(name);
    const inc = new PivotList<TestSeg<TestLine>>(CHANPY);
    const incBsp = BspCalculator.forSegments<TestSeg<TestLine>>(CHANPY, bars);
    for (let m = 3; m < segs.length; m++) {
      const lines = segs.slice(0, m);
      const ss = segsegs.filter((s) => s.endLine.idx < m);
      assignSegIdx(lines, ss);
      inc.update(lines, ss);
      incBsp.update(lines, ss);
    }
    assignSegIdx(segs, segsegs);
    inc.update(segs, segsegs);
    incBsp.update(segs, segsegs);
    const incPivots = inc.pivots.map(pivotKey);
    const incPoints = incBsp.points.map(bspKey);
    const full = new PivotList<TestSeg<TestLine>>(CHANPY);
    full.update(segs, segsegs);
    const fullBsp = BspCalculator.forSegments<TestSeg<TestLine>>(CHANPY, bars);
    fullBsp.update(segs, segsegs);
    expect(incPivots).toEqual(full.pivots.map(pivotKey));
    expect(incPoints).toEqual(fullBsp.points.map(bspKey));
  });
});

describe('incremental = full for every pivot algorithm', () => {
  const variants = [
    { zsAlgo: 'normal', oneBiZs: false, zsCombineMode: 'peak' },
    { zsAlgo: 'normal', oneBiZs: true, zsCombineMode: 'zs' },
    { zsAlgo: 'over_seg', oneBiZs: false, zsCombineMode: 'zs' },
    { zsAlgo: 'over_seg', oneBiZs: false, zsCombineMode: 'peak' },
    { zsAlgo: 'auto', oneBiZs: false, zsCombineMode: 'zs' },
    { zsAlgo: 'auto', oneBiZs: true, zsCombineMode: 'peak' },
  ] as const;
  it.each(variants)('%j', (v) => {
    const cfg = resolveConfig(v);
    for (const name of ['cn_sse000001_1d', 'us_spy_1d']) {
      const { strokes, segs } = loadFixture(name);
      const inc = new PivotList<TestLine>(cfg);
      for (let m = 3; m < strokes.length; m += 3) {
        const lines = strokes.slice(0, m);
        const ss = segs.filter((s) => s.endLine.idx < m);
        assignSegIdx(lines, ss);
        inc.update(lines, ss);
      }
      assignSegIdx(strokes, segs);
      inc.update(strokes, segs);
      const got = inc.pivots.map(pivotKey);
      const full = new PivotList<TestLine>(cfg);
      full.update(strokes, segs);
      expect(got).toEqual(full.pivots.map(pivotKey));
    }
  });
});
