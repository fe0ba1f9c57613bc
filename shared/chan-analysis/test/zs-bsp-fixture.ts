/**
 * Test-only lines built straight from chan.py's reference outputs (test/fixtures/*.json, chan-spec §18), so that
 * the pivot, divergence and buy/sell-point stages can be checked against chan.py independently of the
 * stroke and segment stages.
 */
import {
  DOWN,
  UP,
  type Bar,
  type BarSpan,
  type Direction,
  type IndicatorSeries,
  type Line,
  type Pivot,
  type Segment,
} from '../src/types.js';
import { MacdSeries } from '../src/indicators/macd.js';
import {
  readCsvRows,
  readReference,
  ts,
  type RefBsp,
  type RefLine,
  type RefZs,
  type Reference,
} from './support/fixtures.js';

export type { RefBsp, RefLine, RefZs, Reference };

export class TestLine implements Line, BarSpan {
  segIdx = -1;
  parentSeg: Segment<Line> | undefined = undefined;
  readonly dir: Direction;
  readonly isSure: boolean;
  readonly wasSure: boolean;
  readonly high: number;
  readonly low: number;
  readonly beginVal: number;
  readonly endVal: number;
  readonly amp: number;
  readonly beginBar: number;
  readonly endBar: number;
  constructor(
    readonly idx: number,
    r: RefLine,
    readonly firstBar: number,
    readonly lastBar: number,
  ) {
    this.dir = r.dir === 'UP' ? UP : DOWN;
    this.isSure = r.is_sure;
    this.wasSure = r.is_sure;
    this.high = r.high;
    this.low = r.low;
    this.beginVal = r.begin_val;
    this.endVal = r.end_val;
    this.amp = Math.abs(r.end_val - r.begin_val);
    this.beginBar = r.begin_klu_idx;
    this.endBar = r.end_klu_idx;
  }
}

export class TestSeg<L extends Line> extends TestLine implements Segment<L> {
  pivots: Pivot<L>[] = [];
  readonly reason: string;
  constructor(
    idx: number,
    r: RefLine,
    readonly startLine: L,
    readonly endLine: L,
  ) {
    super(idx, r, -1, -1);
    this.reason = r.reason ?? '';
  }
}

export interface Fixture {
  ref: Reference;
  bars: Bar[];
  ind: IndicatorSeries;
  strokes: TestLine[];
  segs: TestSeg<TestLine>[];
  segsegs: TestSeg<TestSeg<TestLine>>[];
}

export function loadBars(name: string): Bar[] {
  return readCsvRows(name).map((r, idx) => {
    return {
      idx,
      time: ts(r.time),
      label: r.time,
      open: r.open,
      high: r.high,
      low: r.low,
      close: r.close,
      // chan.py's CSV source does not read volume.
      volume: NaN,
      turnover: NaN,
      turnoverRate: NaN,
    };
  });
}

export function macdOf(bars: readonly Bar[]): IndicatorSeries {
  const m = new MacdSeries(12, 26, 9);
  for (const b of bars) m.push(b.close);
  return {
    macd: m.rawMacd.subarray(0, bars.length),
    dif: m.rawDif.subarray(0, bars.length),
    dea: m.rawDea.subarray(0, bars.length),
  };
}

/** Sets segIdx / parentSeg of `lines` from `segs` (lines after the last segment: last idx + 1, no parent). */
export function assignSegIdx<L extends TestLine>(lines: readonly L[], segs: readonly Segment<L>[]): void {
  for (const l of lines) {
    l.segIdx = segs.length;
    l.parentSeg = undefined;
  }
  for (const s of segs) {
    for (let i = s.startLine.idx; i <= s.endLine.idx; i++) {
      lines[i]!.segIdx = s.idx;
      lines[i]!.parentSeg = s as unknown as Segment<Line>;
    }
  }
}

export function loadFixture(name: string): Fixture {
  const ref = readReference(name);
  const bars = loadBars(name);
  const ind = macdOf(bars);
  const klcFirst: number[] = [];
  let acc = 0;
  for (const k of ref.klc) {
    klcFirst.push(acc);
    acc += k[3];
  }
  const strokes = ref.bi.map(
    (r, i) =>
      new TestLine(i, r, klcFirst[r.begin_klc_idx!]!, klcFirst[r.end_klc_idx!]! + ref.klc[r.end_klc_idx!]![3] - 1),
  );
  const segs = ref.seg.map((r, i) => new TestSeg<TestLine>(i, r, strokes[r.start_sub_idx!]!, strokes[r.end_sub_idx!]!));
  const segsegs = ref.segseg.map(
    (r, i) => new TestSeg<TestSeg<TestLine>>(i, r, segs[r.start_sub_idx!]!, segs[r.end_sub_idx!]!),
  );
  assignSegIdx(strokes, segs);
  assignSegIdx(segs, segsegs);
  return { ref, bars, ind, strokes, segs, segsegs };
}

/**
 * Hand-built strokes through the given turning points: line i goes from v[i] to v[i+1] and covers bars
 * 2i … 2i+2 (so consecutive lines share a bar, like strokes sharing a fractal).
 */
export function linesFromPath(v: readonly number[], isSure = true): TestLine[] {
  const out: TestLine[] = [];
  for (let i = 0; i + 1 < v.length; i++) {
    const a = v[i]!;
    const b = v[i + 1]!;
    const r: RefLine = {
      idx: i,
      dir: b > a ? 'UP' : 'DOWN',
      begin_klu_idx: 2 * i,
      end_klu_idx: 2 * i + 2,
      begin_time: '',
      end_time: '',
      begin_val: a,
      end_val: b,
      high: Math.max(a, b),
      low: Math.min(a, b),
      is_sure: isSure,
    };
    out.push(new TestLine(i, r, 2 * i, 2 * i + 2));
  }
  return out;
}

/** A hand-built segment over lines[start..end] (direction of its end line unless given). */
export function makeSeg<L extends TestLine>(
  lines: readonly L[],
  idx: number,
  start: number,
  end: number,
  isSure: boolean,
  dir?: 'UP' | 'DOWN',
): TestSeg<L> {
  const s = lines[start]!;
  const e = lines[end]!;
  const d = dir ?? (e.dir === UP ? 'UP' : 'DOWN');
  const r: RefLine = {
    idx,
    dir: d,
    begin_klu_idx: s.beginBar,
    end_klu_idx: e.endBar,
    begin_time: '',
    end_time: '',
    begin_val: s.beginVal,
    end_val: e.endVal,
    high: d === 'UP' ? e.endVal : s.beginVal,
    low: d === 'UP' ? s.beginVal : e.endVal,
    is_sure: isSure,
  };
  return new TestSeg<L>(idx, r, s, e);
}

/** Bars under hand-built lines: prices on a straight path, the given MACD histogram. */
export function barsFor(n: number, macd: readonly number[] = [], volume = NaN): { bars: Bar[]; ind: IndicatorSeries } {
  const bars: Bar[] = [];
  for (let i = 0; i < n; i++) {
    bars.push({
      idx: i,
      time: i,
      label: String(i),
      open: 10,
      high: 11,
      low: 9,
      close: 10,
      volume,
      turnover: NaN,
      turnoverRate: NaN,
    });
  }
  const m = Float64Array.from({ length: n }, (_, i) => macd[i] ?? 0);
  return { bars, ind: { macd: m, dif: m, dea: m } };
}
