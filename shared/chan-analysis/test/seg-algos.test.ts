/**
 * chan.py's deprecated segment algorithms (chan-spec §7.9): `seg_algo = "break"` (CSegListDef, SegListBreak)
 * and `seg_algo = "1+1"` (CSegListDYH, SegListDYH). Hand-built zigzags show each rule; a streaming list must
 * equal a batch run after every change; the §15 counts are checked on the fixtures.
 *
 * `zigzag([v0, v1, …])` makes line i go from v_i to v_(i+1).
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../src/index.js';
import { createSegList, SegList, SegListBreak, SegListChan, SegListDYH, type Seg } from '../src/seg/index.js';
import { UP, type Line } from '../src/types.js';
import { readCsvRows } from './support/fixtures.js';
import { linesFromRef, loadFixture, segState as snapshot, TestLine, zigzag } from './seg-lines.js';

type Algo = 'break' | '1+1';
const make = <L extends Line>(algo: Algo, bars: { high: number; low: number }[]): SegList<L> =>
  algo === 'break'
    ? new SegListBreak<L>({ leftSegMethod: 'peak' }, bars)
    : new SegListDYH<L>({ leftSegMethod: 'peak' }, bars);

const run = (algo: Algo, values: number[]) => {
  const { lines, bars } = zigzag(values);
  const list = make<TestLine>(algo, bars);
  list.update(lines);
  return { lines, list };
};
const rows = (segs: readonly Seg<Line>[]) =>
  segs.map(
    (s) =>
      `${s.startLine.idx}-${s.endLine.idx} ${s.dir === UP ? 'up' : 'down'} ${s.isSure ? 'sure' : 'unsure'} ${s.reason}`,
  );

describe('createSegList', () => {
  it('returns the class of each seg_algo, all with the same public surface', () => {
    const bars = [{ high: 1, low: 0 }];
    const chan = createSegList<Line>({ segAlgo: 'chan', leftSegMethod: 'peak' }, bars);
    const brk = createSegList<Line>({ segAlgo: 'break', leftSegMethod: 'peak' }, bars);
    const dyh = createSegList<Line>({ segAlgo: '1+1', leftSegMethod: 'all' }, bars);
    expect(chan).toBeInstanceOf(SegListChan);
    expect(brk).toBeInstanceOf(SegListBreak);
    expect(dyh).toBeInstanceOf(SegListDYH);
    // Type level: any of them fits where a SegListChan is expected (the engine's field type).
    const asChan: SegListChan<Line> = brk;
    expect(asChan.segs).toEqual([]);
    expect(asChan.keptCount).toBe(0);
  });
});

describe('seg_algo = "break"', () => {
  it('candidate, replacement by a more extreme one, closing by an opposite candidate ≥ 3 lines later, final unsure seg', () => {
    // 0 U 10→20, 1 D →15, 2 U →25, 3 D →18, 4 U →30, 5 D →22, 6 U →28, 7 D →12, 8 U →24, 9 D →8, 10 U →20,
    // 11 D →14, 12 U →26, 13 D →16, 14 U →18
    const { lines, list } = run('break', [10, 20, 15, 25, 18, 30, 22, 28, 12, 24, 8, 20, 14, 26, 16, 18]);
    // Line 2 (high 25) breaks above line 0 (20): first candidate. Line 3 (low 18) does not break line 1 (15).
    // Line 4 (30 ≥ 25) replaces it. Line 7 (low 12 < line 5's 22) is an opposite candidate 3 lines after line
    // 4: sure UP segment 0–4 (no split: the lowest DOWN line before, line 1 at 15, is not below line 0's 10),
    // candidate → 7. Line 9 (8 ≤ 12) replaces it. Line 12 (26 > line 10's 20) closes the sure DOWN segment
    // 5–9. Lines 13, 14 break nothing and do not replace line 12; the final candidate closes an unsure segment
    // 10–12, and 2 lines left are too few for collect_left.
    expect(rows(list.segs)).toEqual(['0-4 up sure normal', '5-9 down sure normal', '10-12 up unsure normal']);
    expect(lines.map((l) => l.segIdx)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3]);
    expect(lines[14].parentSeg).toBeUndefined();
    expect(lines[11].parentSeg).toBe(list.segs[2]);
  });

  it('ignores an opposite candidate closer than 3 lines; the left-over goes through collect_left', () => {
    // 0 U 10→20, 1 D →15, 2 U →25, 3 D →12, 4 U →22, 5 D →18, 6 U →30, 7 D →24, 8 U →27, 9 D →14, 10 U →20,
    // 11 D →16, 12 U →18
    const { list } = run('break', [10, 20, 15, 25, 12, 22, 18, 30, 24, 27, 14, 20, 16, 18]);
    // Line 3 (12 < line 1's 15) breaks, but only 1 line after candidate 2: ignored (else segment 0–2). Line 6
    // (30) replaces candidate 2; line 9 (14 < line 7's 24) closes sure UP 0–6; final candidate 9 → unsure
    // DOWN 7–9. collect_left: 3 lines after line 9, line 12 (18) not below 14, no high peak ≥ line 12 that
    // survives find_peak (line 12's 18 < line 10's 20) → collect as one: UP 10–12.
    expect(rows(list.segs)).toEqual(['0-6 up sure normal', '7-9 down unsure normal', '10-12 up unsure collect_left_0']);
  });

  it('without any break there is no candidate: collect_left alone decides', () => {
    // A narrowing triangle (0 U 10→30, 1 D →12, 2 U →28, 3 D →14, 4 U →26, 5 D →16, 6 U →24): no line goes
    // beyond the line two places back. collect_left with no segment: the high side is farther from 10 →
    // UP to the high peak line 0; collect as one: line 6 has line 0's direction → DOWN 1–5, line 6 left over.
    const { list } = run('break', [10, 30, 12, 28, 14, 26, 16, 24]);
    expect(rows(list.segs)).toEqual(['0-0 up unsure 0seg_find_high', '1-5 down unsure collect_left_1']);
  });
});

describe('seg_algo = "1+1"', () => {
  // 0 D 30→10, 1 U →20, 2 D →15, 3 U →25, 4 D →18, 5 U →32, 6 D →24, 7 U →28, 8 D →16, 9 U →22, 10 D →12,
  // 11 U →26, 12 D →14, 13 U →20, 14 D →17, 15 U →19
  const base = [30, 10, 20, 15, 25, 18, 32, 24, 28, 16, 22, 12, 26, 14, 20, 17, 19];

  it('situation 1 and 2 on (prev, this, next) same-direction lines; ≥ 4 lines from the last end', () => {
    const { list } = run('1+1', base);
    // idx 2 (D 20→15): next = line 4 (high 25) is not below line 2's high 20 → no break.
    // idx 3 (U 15→25): next = line 5 keeps above its low (18 > 15) and line 3 breaks line 1's high (25 > 20):
    //   situation 1 → sure DOWN segment 0–2, ending at the line before.
    // Then only DOWN lines (the end line's direction) at idx ≥ 2 + 4 are examined.
    // idx 6 (D 32→24): next = line 8 stays below its high (28 < 32); line 6 does not break line 4's low
    //   (24 ≥ 18) but line 8 goes below line 6's low (16 < 24): situation 2 → sure UP 3–5.
    // idx 9 (U 16→22, ≥ 5 + 4): next = line 11 goes below its low (12 < 16) → no break. idx 11 (U 12→26):
    //   next = line 13 keeps above 12, 26 > line 9's 22: situation 1 → sure DOWN 6–10.
    // Lines 14, 15 are past n − 3. collect_left: line 15 (19) not below 12; no high peak survives
    //   find_peak → collect as one: UP 11–15.
    expect(rows(list.segs)).toEqual([
      '0-2 down sure normal',
      '3-5 up sure normal',
      '6-10 down sure normal',
      '11-15 up unsure collect_left_0',
    ]);
  });

  it('moves the last segment end to a later more extreme line and marks it unsure', () => {
    // As above up to line 8, then 9 U 16→35 (beyond the top 32 at line 5), 10 D →30.
    const { list } = run('1+1', [...base.slice(0, 10), 35, 30]);
    // idx 6 still breaks (situation 2, line 8 = D 28→16) → UP 3–5; idx 9 is past n − 3. Line 9 is an UP line
    // after the last segment's end higher than its 32: the segment becomes 3–9, unsure.
    expect(rows(list.segs)).toEqual(['0-2 down sure normal', '3-9 up unsure dyh_update_end']);
  });

  it('adds a trailing unsure segment when the lines after the last one go beyond their first line', () => {
    // As the first case up to line 12, then 13 U 14→30, 14 D →21, 15 U →24.
    const { list } = run('1+1', [...base.slice(0, 14), 30, 21, 24]);
    // idx 11 breaks as before (line 13 keeps above 12) → DOWN 6–10. After it: line 11 (U to 26) is the first
    // line, line 13 reaches 30 > 26 → unsure UP 11–13. Lines 14, 15 are too few for collect_left.
    expect(rows(list.segs).slice(2)).toEqual(['6-10 down sure normal', '11-13 up unsure dyh_left']);
  });

  it('sure segments after the first always have an odd number ≥ 3 of lines', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const { lines, bars } = zigzag(randomWalk(seed, 400));
      const list = make<TestLine>('1+1', bars);
      list.update(lines);
      expect(list.segs.length).toBeGreaterThan(10);
      for (const s of list.segs.slice(1)) {
        const n = s.endLine.idx - s.startLine.idx + 1;
        if (s.isSure) expect(n >= 3 && n % 2 === 1, rows([s])[0]).toBe(true);
      }
    }
  });
});

/** Turning values of a random zigzag (no two equal neighbours). */
function randomWalk(seed: number, n: number): number[] {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out = [1000];
  for (let i = 0; i < n; i++) {
    const step = Math.round(1 + rnd() * 20);
    out.push(out[out.length - 1] + (i % 2 === 0 ? step : -step));
  }
  return out;
}

const copy = (l: TestLine) =>
  new TestLine(l.idx, l.dir, l.beginVal, l.endVal, l.beginBar, l.endBar, l.isSure, l.wasSure);

/**
 * Streams `final` into a long-lived list (and its segment-of-segment list): each line first appears with a
 * partial end, is replaced by a new object, extended, sometimes removed and re-added; after every change the
 * lists must equal a fresh batch run over a copy. `dirtyFrom` is passed as the stroke engine does.
 */
function checkStream(algo: Algo, final: TestLine[], bars: { high: number; low: number }[]): number {
  const seg = make<Line>(algo, bars);
  const segseg = make<Line>(algo, bars);
  const live: TestLine[] = [];
  let states = 0;
  const compare = (dirtyFrom: number) => {
    seg.update(live, dirtyFrom);
    segseg.update(seg.segs, seg.keptCount);
    const batchLines = live.map(copy);
    const bSeg = make<Line>(algo, bars);
    bSeg.update(batchLines);
    const bSegseg = make<Line>(algo, bars);
    bSegseg.update(bSeg.segs);
    expect(snapshot(seg.segs, live), `${algo} segs after ${live.length} lines`).toEqual(
      snapshot(bSeg.segs, batchLines),
    );
    expect(snapshot(segseg.segs, seg.segs), `${algo} segsegs after ${live.length} lines`).toEqual(
      snapshot(bSegseg.segs, bSeg.segs),
    );
    states++;
  };
  for (const f of final) {
    const part = (x: number) => f.beginVal + x * (f.endVal - f.beginVal);
    live.push(new TestLine(f.idx, f.dir, f.beginVal, part(0.5), f.beginBar, f.endBar, false, false));
    compare(f.idx);
    if (f.idx % 5 === 3) {
      // The newest line disappears (a forming bar gave the price back), then comes back.
      live.pop();
      compare(f.idx);
      live.push(new TestLine(f.idx, f.dir, f.beginVal, part(0.6), f.beginBar, f.endBar, false, false));
      compare(f.idx);
    }
    const line = new TestLine(f.idx, f.dir, f.beginVal, part(1.2), f.beginBar, f.endBar, true, true);
    live[f.idx] = line;
    compare(f.idx);
    line.endVal = f.endVal; // given back to its final end
    compare(f.idx);
  }
  return states;
}

describe('streaming equals batch', () => {
  for (const algo of ['break', '1+1'] as const) {
    it(`${algo}: on the first 500 strokes of us_spy_1h`, () => {
      const fx = loadFixture('us_spy_1h');
      expect(checkStream(algo, linesFromRef(fx.bi).slice(0, 500), fx.bars)).toBeGreaterThan(1500);
    });
    it(`${algo}: on random zigzags`, () => {
      for (let seed = 1; seed <= 12; seed++) {
        const { lines, bars } = zigzag(randomWalk(seed, 160));
        // Extended ends may go beyond the zigzag's bars: give every bar room.
        const wide = bars.map((b) => ({ high: b.high + 1000, low: b.low - 1000 }));
        checkStream(algo, lines, wide);
      }
    });
  }
});

describe('chan-spec §15 counts on the fixtures (analyze with seg_algo)', () => {
  const counts = (name: string, seg_algo?: Algo) => {
    const r = analyze(readCsvRows(name), seg_algo === undefined ? {} : { config: { seg_algo } });
    return { seg: r.segments.length, biZs: r.strokePivots.length, bsp: r.strokeSignals.length };
  };

  it('break: 0 to −5 segments (SPY 1h 268 → 263, exact)', () => {
    expect(counts('us_spy_1h')).toMatchObject({ seg: 268 });
    expect(counts('us_spy_1h', 'break').seg).toBe(263);
    for (const name of ['cn_sse000001_1d', 'us_spy_1d', 'cn_sse000001_1m']) {
      const d = counts(name, 'break').seg - counts(name).seg;
      expect(d, name).toBeLessThanOrEqual(0);
      expect(d, name).toBeGreaterThanOrEqual(-5);
    }
  });

  it('1+1 on SSE 1d: segments 25 → 34 (exact); zs and bsps drop as in §15 (23 → 15, 39 → 22), not to the same values', () => {
    expect(counts('cn_sse000001_1d')).toEqual({ seg: 25, biZs: 23, bsp: 39 });
    const r = counts('cn_sse000001_1d', '1+1');
    expect(r.seg).toBe(34);
    // Our reading of the terse §7.9 gives 17 bi-zs and 29 bsps (spec: 15 and 22); pinned to catch changes.
    expect(r).toEqual({ seg: 34, biZs: 17, bsp: 29 });
  });
});
