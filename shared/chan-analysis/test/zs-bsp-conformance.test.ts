/**
 * Pivots (bi_zs, seg_zs) and buy/sell points (bsp, seg_bsp) against chan.py's reference outputs, computed
 * from the reference strokes / segments / segments of segments (chan-spec §8, §9, §12, §18).
 */
import { describe, expect, it } from 'vitest';
import { CHANPY, fromChanPy } from '../src/config.js';
import { PivotList } from '../src/zs/pivot-list.js';
import type { PivotImpl as Pivot } from '../src/zs/pivot.js';
import { BspCalculator } from '../src/bsp/calculator.js';
import type { BuySellPointImpl } from '../src/bsp/point.js';
import type { Bar, Line } from '../src/types.js';
import { loadFixture, type RefBsp, type RefZs, type TestLine, type TestSeg } from './zs-bsp-fixture.js';

const DATASETS = ['cn_sse000001_1d', 'us_spy_1d', 'us_spy_1h'];

function zsRow<L extends Line>(z: Pivot<L>, bars: readonly Bar[]) {
  return {
    begin_sub_idx: z.beginLine.idx,
    end_sub_idx: z.endLine.idx,
    begin_time: bars[z.beginLine.beginBar]!.label,
    end_time: bars[z.endLine.endBar]!.label,
    ZD_low: z.low,
    ZG_high: z.high,
    DD_peak_low: z.peakLow,
    GG_peak_high: z.peakHigh,
    is_sure: z.isSure,
    is_one_bi_zs: z.isOneLine,
    bi_in_idx: z.lineIn?.idx ?? null,
    bi_out_idx: z.lineOut?.idx ?? null,
    sub_zs_cnt: z.parts.length,
  } satisfies RefZs;
}

function closeTo(a: number, b: number): boolean {
  if (a === b) return true;
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

function featureValue(v: number | string | null): number | null {
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (v === 'nan') return NaN;
  return v as number | null;
}

function compareBsps<L extends Line>(
  got: readonly BuySellPointImpl<L>[],
  want: readonly RefBsp[],
  bars: readonly Bar[],
): void {
  const gotRows = got.map((p) => ({
    time: bars[p.line.endBar]!.label,
    klu_idx: p.line.endBar,
    types: p.types.join(','),
    is_buy: p.isBuy,
    line_idx: p.line.idx,
    line_is_sure: p.line.isSure,
    relate_bsp1_klu_idx: p.relateBsp1?.line.endBar ?? null,
  }));
  const wantRows = want.map(({ features: _f, ...rest }) => rest);
  expect(gotRows).toEqual(wantRows);
  for (let i = 0; i < want.length; i++) {
    const wf = want[i]!.features;
    const gf = got[i]!.features;
    expect(Object.keys(gf)).toEqual(Object.keys(wf));
    for (const k of Object.keys(wf)) {
      const w = featureValue(wf[k]!);
      const g = gf[k]!;
      if (w === null || g === null) expect(g, `${i} ${k}`).toBe(w);
      else if (Number.isNaN(w)) expect(Number.isNaN(g), `${i} ${k}`).toBe(true);
      else expect(closeTo(g, w), `bsp ${i} (${want[i]!.time}) feature ${k}: got ${g}, want ${w}`).toBe(true);
    }
  }
}

describe.each(DATASETS)('zs and bsp conformance: %s', (name) => {
  const fx = loadFixture(name);
  const { ref, bars, ind, strokes, segs, segsegs } = fx;

  it('reference seg_idx matches the segment ranges', () => {
    expect(strokes.map((s) => s.segIdx)).toEqual(ref.bi.map((b) => b.seg_idx));
  });

  const biPivots = new PivotList<TestLine>(CHANPY);
  biPivots.update(strokes, segs);
  const segPivots = new PivotList<TestSeg<TestLine>>(CHANPY);
  segPivots.update(segs, segsegs);

  it('bi_zs agree', () => {
    expect(biPivots.pivots.map((z) => zsRow(z, bars))).toEqual(ref.bi_zs);
  });

  it('seg_zs agree', () => {
    expect(segPivots.pivots.map((z) => zsRow(z, bars))).toEqual(ref.seg_zs);
  });

  it('segment pivot counts agree (zs_cnt)', () => {
    expect(segs.map((s) => s.pivots.length)).toEqual(ref.seg.map((s) => (s as unknown as { zs_cnt: number }).zs_cnt));
    expect(segsegs.map((s) => s.pivots.length)).toEqual(
      ref.segseg.map((s) => (s as unknown as { zs_cnt: number }).zs_cnt),
    );
  });

  it('seg_bsp agree', () => {
    const calc = BspCalculator.forSegments<TestSeg<TestLine>>(CHANPY, bars);
    calc.update(segs, segsegs);
    compareBsps(calc.points, ref.seg_bsp, bars);
  });

  it('bsp agree', () => {
    const calc = BspCalculator.forStrokes<TestLine>(CHANPY, bars, ind);
    calc.update(strokes, segs);
    compareBsps(calc.points, ref.bsp, bars);
  });
});

/** Single-option sweeps chan-spec §15 reports for chan.py (bi/seg unchanged, so the reference lines apply). */
describe('§15 option sweeps', () => {
  const fixtures = new Map<string, ReturnType<typeof loadFixture>>();
  function count(name: string, opts: Record<string, unknown>) {
    if (!fixtures.has(name)) fixtures.set(name, loadFixture(name));
    const { bars, ind, strokes, segs } = fixtures.get(name)!;
    const cfg = fromChanPy(opts);
    const pivots = new PivotList<TestLine>(cfg);
    pivots.update(strokes, segs);
    const calc = BspCalculator.forStrokes<TestLine>(cfg, bars, ind);
    calc.update(strokes, segs);
    return { zs: pivots.pivots.length, bsp: calc.points.length };
  }

  it('zs_combine_mode=peak: SPY 1h bi-level zs 233 → 200', () => {
    expect(count('us_spy_1h', {}).zs).toBe(233);
    expect(count('us_spy_1h', { zs_combine_mode: 'peak' }).zs).toBe(200);
  });

  it('one_bi_zs=true roughly doubles zs, bsps unchanged except −1 on SPY 1h', () => {
    const base = count('us_spy_1h', {});
    const one = count('us_spy_1h', { one_bi_zs: true });
    expect(one.zs / base.zs).toBeGreaterThan(1.8);
    expect(one.bsp).toBe(base.bsp - 1);
    expect(count('us_spy_1d', { one_bi_zs: true }).bsp).toBe(count('us_spy_1d', {}).bsp);
  });

  it.each([
    [{ divergence_rate: 0.9 }, -0.69, -0.32],
    [{ min_zs_cnt: 0 }, 0.6, 0.69],
    [{ bsp2_follow_1: false, bsp3_follow_1: false }, 0.44, 0.69],
    [{ max_bs2_rate: 0.618 }, -0.4, -0.18],
    [{ bsp2_follow_1: false, bsp3_follow_1: false, min_zs_cnt: 0, bs1_peak: false }, 0.6, 1.0],
  ])('%j changes the bsp count within the reported range', (opts, lo, hi) => {
    for (const name of ['us_spy_1d', 'us_spy_1h']) {
      const base = count(name, {}).bsp;
      const change = (count(name, opts).bsp - base) / base;
      expect(change).toBeGreaterThanOrEqual(lo - 0.005);
      expect(change).toBeLessThanOrEqual(hi + 0.005);
    }
  });
});
