/**
 * Buy/sell-point edge cases (chan-spec §16 items 13, 14, 18, 21; §12).
 */
import { describe, expect, it } from 'vitest';
import { CHANPY, resolveConfig, type BspSideConfig, type MacdAlgo } from '../src/config.js';
import { PivotList } from '../src/zs/pivot-list.js';
import { BspCalculator } from '../src/bsp/calculator.js';
import { BspStore } from '../src/bsp/store.js';
import { strokeMetricFn, type MetricFn } from '../src/divergence/metrics.js';
import { assignSegIdx, barsFor, linesFromPath, loadFixture, makeSeg, type TestLine } from './zs-bsp-fixture.js';

const side = (o: Partial<BspSideConfig> = {}): BspSideConfig => ({ ...CHANPY.bsp.buy, ...o });
const one: MetricFn<TestLine> = () => 1;

function points(
  path: number[],
  segRanges: [number, number, boolean, ('UP' | 'DOWN')?][],
  buy: BspSideConfig,
  sell: BspSideConfig,
  metric = one,
) {
  const lines = linesFromPath(path);
  const segs = segRanges.map(([s, e, sure, d], i) => makeSeg(lines, i, s, e, sure, d));
  assignSegIdx(lines, segs);
  new PivotList<TestLine>(CHANPY).update(lines, segs);
  const calc = new BspCalculator<TestLine>({ buy, sell }, metric);
  calc.update(lines, segs);
  return calc.points.map((p) => [p.line.idx, p.isBuy ? 'buy' : 'sell', p.types.join(',')]);
}

// seg 0 UP (lines 0..4) with a pivot on lines 1..3 left upwards by line 4 (type 1 sell), seg 1 DOWN (5..7),
// lines 8, 9 after the last segment.
const PATH_18 = [10, 20, 15, 22, 16, 30, 12, 17, 8, 14, 9];

describe('§16.18 lines after the last segment', () => {
  it('do not stop the 2s and 3b scans (their segIdx is last + 1)', () => {
    const got = points(
      PATH_18,
      [
        [0, 4, true],
        [5, 7, false],
      ],
      side(),
      side(),
    );
    expect(got).toEqual([
      [4, 'sell', '1'],
      [6, 'sell', '2'],
      // line 8 lies after the last segment: 2s (scan from line 6 in the unsure last segment) and 3b
      // (lines 6 came back into the pivot, line 8 stays below it) both reach it.
      [8, 'sell', '2s,3b'],
    ]);
  });

  it('a sure segment holding the type-2 line does stop the 2s scan there', () => {
    const got = points(
      PATH_18,
      [
        [0, 4, true],
        [5, 7, true],
      ],
      side(),
      side(),
    );
    expect(got).toEqual([
      [4, 'sell', '1'],
      [6, 'sell', '2'],
      [8, 'sell', '3b'],
    ]);
  });
});

describe('§16.13 types on one line', () => {
  it('merge in detection order ("2s,3b" above); an untargeted type is appended to an existing point', () => {
    // 3b is not a target type of the sell side, but 3a is (so the type-3 rules run): 3b still lands on line 8.
    const sell = side({ bsType: ['1', '2', '2s', '3a'] });
    expect(
      points(
        PATH_18,
        [
          [0, 4, true],
          [5, 7, false],
        ],
        side(),
        sell,
      ),
    ).toEqual([
      [4, 'sell', '1'],
      [6, 'sell', '2'],
      [8, 'sell', '2s,3b'],
    ]);
    // … but it creates no point of its own.
    const sell2 = side({ bsType: ['1', '2', '3a'] });
    expect(
      points(
        PATH_18,
        [
          [0, 4, true],
          [5, 7, false],
        ],
        side(),
        sell2,
      ),
    ).toEqual([
      [4, 'sell', '1'],
      [6, 'sell', '2'],
    ]);
  });

  it('store: appends even when not a target; keeps the first relate_bsp1; merges features', () => {
    const lines = linesFromPath([10, 20, 15, 30, 12]);
    const store = new BspStore<TestLine>({ buy: side({ bsType: ['2'] }), sell: side() });
    store.add('1', lines[0]!, undefined, true, { a: 1 });
    const relate = store.bsp1At(0);
    expect(relate).toBeDefined();
    store.add('2', lines[1]!, relate, true, { x: 1 });
    store.add('3b', lines[1]!, undefined, false, { x: 2, y: 3 });
    // line 3 is DOWN: buy side, whose bs_type lacks 3b.
    store.add('3b', lines[3]!, undefined, true, {});
    expect(store.points.map((p) => [p.line.idx, p.types.join(',')])).toEqual([
      [0, '1'],
      [1, '2,3b'],
    ]);
    expect(store.points[1]!.relateBsp1).toBe(relate);
    expect(store.points[1]!.features).toEqual({ x: 2, bsp_bi_amp: 5, y: 3 });
  });

  it('on real data: 3b appended to stored points although only 3a is configured', () => {
    const { bars, ind, strokes, segs } = loadFixture('us_spy_1d');
    new PivotList<TestLine>(CHANPY).update(strokes, segs);
    const s = side({ bsType: ['1', '1p', '2', '2s', '3a'] });
    const calc = new BspCalculator<TestLine>({ buy: s, sell: s }, strokeMetricFn(bars, ind));
    calc.update(strokes, segs);
    const types = calc.points.map((p) => p.types);
    expect(types.some((t) => t.includes('3b'))).toBe(true);
    expect(types.some((t) => t[0] === '3b')).toBe(false);
  });
});

describe('§16.14 divergence_rate = inf', () => {
  // One DOWN segment over lines 0..4 without pivot, last line making a new low: a type-1p candidate.
  const path = [20, 10, 12, 6, 8, 3];
  function run(algo: MacdAlgo) {
    const lines = linesFromPath(path);
    const segs = [makeSeg(lines, 0, 0, 4, true)];
    assignSegIdx(lines, segs);
    new PivotList<TestLine>(CHANPY).update(lines, segs);
    const { bars, ind } = barsFor(11);
    const buy = side({ macdAlgo: algo, minZsCnt: 0 });
    const calc = new BspCalculator<TestLine>({ buy, sell: side() }, strokeMetricFn(bars, ind));
    calc.update(lines, segs);
    return calc.points.map((p) => [p.line.idx, p.types.join(','), p.features.divergence_rate]);
  }

  it('peak-type metrics are ≥ 1e-7, so out ≤ inf·in always holds', () => {
    // macd is all 0: both metrics are the 1e-7 floor; the feature is out / (in + 1e-7).
    expect(run('peak')).toEqual([[4, '1p', 1e-7 / (1e-7 + 1e-7)]]);
  });

  it('a zero volume metric gives inf·0 = NaN: no divergence, no point', () => {
    expect(run('volumn')).toEqual([]);
  });
});

describe('§16.21 side of a point', () => {
  // A lone UP segment whose first line is DOWN (unsure first segments can start against their direction).
  const path = [20, 10, 15, 12, 25];
  const segRanges: [number, number, boolean, 'UP'][] = [[0, 3, false, 'UP']];

  it('comes from the line, while the single-segment type-2 rule runs on the opposite side config', () => {
    // The rule reads the *buy* config (no follow-1 needed) for this UP segment; line 1 is UP, so the point
    // is a sell and passes the sell side's bs_type.
    const got = points(path, segRanges, side({ bsp2Follow1: false }), side());
    expect(got).toEqual([[1, 'sell', '2']]);
  });

  it('and the bs_type filter is the line side (sell) one', () => {
    const sell = side({ bsType: ['1', '1p', '2s', '3a', '3b'] });
    expect(points(path, segRanges, side({ bsp2Follow1: false }), sell)).toEqual([]);
  });

  it('the sell config (follow-1 on) does not drive the rule', () => {
    expect(points(path, segRanges, side(), side({ bsp2Follow1: false }))).toEqual([]);
  });
});

describe('config sides', () => {
  it('seg level reads segBuy / segSell (slope metric)', () => {
    const c = resolveConfig();
    expect(c.bsp.segBuy.macdAlgo).toBe('slope');
    expect(c.bsp.buy.macdAlgo).toBe('peak');
  });
});
