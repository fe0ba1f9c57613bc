/**
 * chan-spec §16 edge cases of the segment algorithm (9, 10, 11, 16, 19, 20, 22) and the §7.10 update rule, on
 * small hand-built zigzags. `zigzag([v0, v1, …])` makes line i go from v_i to v_(i+1); the comments trace the
 * rules that produce each expectation.
 */
import { describe, expect, it, vi } from 'vitest';
import { FeatureFractal, SegListChan, type Seg } from '../src/seg/index.js';
import { DOWN, UP, type Line } from '../src/types.js';
import { TestLine, zigzag } from './seg-lines.js';

const run = (values: number[]) => {
  const { lines, bars } = zigzag(values);
  const list = new SegListChan<TestLine>({ leftSegMethod: 'peak' }, bars);
  list.update(lines);
  return { lines, bars, list };
};
const rows = (segs: readonly Seg<Line>[]) =>
  segs.map(
    (s) =>
      `${s.startLine.idx}-${s.endLine.idx} ${s.dir === UP ? 'up' : 'down'} ${s.isSure ? 'sure' : 'unsure'} ${s.reason}`,
  );

describe('§16.9 first segment', () => {
  // 0 U 50→53, 1 D →52, 2 U →54, 3 D →47, 4 U →53, 5 D →49, 6 U →55, 7 D →48, 8 U →57, 9 D →50, 10 U →56,
  // 11 D →50, 12 U →55, 13 D →48, 14 U →51
  const values = [50, 53, 52, 54, 47, 53, 49, 55, 48, 57, 50, 56, 50, 55, 48, 51];

  it('splits recursively, leaves 1-line unsure segments, and takes the direction of the first detector with a 2nd element', () => {
    const { lines, list } = run(values);
    // Direction: line 2 gives the DOWN-segment detector a 2nd element, which at once fails (its low 52 > 50)
    // and resets; line 3 gives the UP-segment detector its 2nd element → the first segment is UP and the UP
    // lines stop feeding the other detector.
    // The UP detector's fractal: elements [49,55] (lines 3,5,7 merged upwards … after resets [48,55] = line
    // 7) and [50,57] (lines 9+11), element 3 = line 13 [48,55] breaks below line 11's low 50: confirmed, no
    // gap → sure segment requested for lines 0–8 (the line before the element-2 peak line 9).
    // Split: the lowest DOWN line from 5 back to 0 is line 3 (47; line 5 is skipped, line 3 two places back
    // ends lower), below line 0's low → split at 3; again from line 3: high peak among lines ≤ 0 = line 0
    // (idx 0 always qualifies) → split at 0. The split parts are all unsure, the requested sureness is lost.
    // Left-over: from line 8 (UP, 57), last end 51 < 57, so the peak method takes the low peak ≥ 11: line 13,
    // then "collect as one" adds the single line 14 (opposite direction to line 13 → collect_left_0).
    expect(rows(list.segs)).toEqual([
      '0-0 up unsure split_first_1st',
      '1-3 down unsure split_first_2nd',
      '4-8 up unsure split_first_2nd',
      '9-13 down unsure collectleft_find_low',
      '14-14 up unsure collect_left_0',
    ]);
    expect(list.segs[4].startLine).toBe(lines[14]);
    expect(lines.map((l) => l.segIdx)).toEqual([0, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4]);
  });

  it('gives lines after the last segment the last index + 1, and 0 with no segment at all', () => {
    const { lines, list } = run([50, 60, 55]);
    // Two lines: no fractal, and collect_left needs ≥ 3 lines.
    expect(list.segs).toEqual([]);
    expect(lines.map((l) => l.segIdx)).toEqual([0, 0]);
    const r = run(values.slice(0, 14)); // lines 0–12
    const last = r.list.segs[r.list.segs.length - 1];
    expect(r.lines.slice(last.endLine.idx + 1).every((l) => l.segIdx === r.list.segs.length)).toBe(true);
  });
});

// 0 U 50→51, 1 D →47, 2 U →48, 3 D →47, 4 U →54, 5 D →45, 6 U →53, 7 D →46, 8 U →47, 9 D →41, 10 U →46,
// 11 D →44, 12 U →53, 13 D →52, 14 U →60
const gapValues = [50, 51, 47, 48, 47, 54, 45, 53, 46, 47, 41, 46, 44, 53, 52, 60];

describe('§16.10 feature-sequence gap', () => {
  it('confirms the segment end with the opposite segment’s fractal', () => {
    const { lines, bars } = zigzag(gapValues);
    // DOWN-segment detector over UP lines: e1 = line 0 [50,51], e2 = line 2 [47,48], e3 = line 4 [47,54]:
    // BOTTOM with e1.low 50 > e2.high 48, a gap. The opposite (UP-segment) detector from line 3 over lines
    // 3,5,7,9: e1 [47,48], e2 = 5+7 merged upwards [46,54], e3 = line 9 [41,47] → TOP, confirmed, no gap.
    const fx = new FeatureFractal<TestLine>();
    fx.start(DOWN, lines);
    expect([0, 2, 4].map((i) => fx.add(lines[i]))).toEqual([false, false, true]);
    expect(fx.gap).toBe(true);
    expect(fx.peakIdx()).toBe(1);
    const scratch = new FeatureFractal<TestLine>();
    expect(fx.canBeEnd(scratch)).toBe(1);
    expect(fx.lastEvidence).toBe(lines[9]);

    const list = new SegListChan<TestLine>({ leftSegMethod: 'peak' }, bars);
    list.update(lines);
    expect(rows(list.segs)).toEqual([
      '0-1 down unsure normal', // requested sure, 2 lines (§16.19)
      '2-4 up sure normal',
      '5-9 down sure normal',
      '10-14 up unsure collectleft_find_high',
    ]);
  });

  it('leaves the end undetermined (an unsure segment) while the opposite segment shows no fractal', () => {
    // Only lines 0–6: the opposite detector sees lines 3 and 5 only and finds nothing.
    const { list } = run(gapValues.slice(0, 8));
    expect(rows(list.segs)[0]).toBe('0-1 down unsure normal');
    expect(list.segs[0].wasSure).toBe(false);
  });

  it('walks a chain of nested gaps without recursion', () => {
    // Period 0→10→8→30→20→25→0: every segment end is a feature fractal with a gap (the UP segment's DOWN
    // feature lines [8,10] and [20,30] do not overlap; the DOWN segment's UP lines [20,25] and [0,10] neither),
    // so confirming the first end needs the next opposite fractal, whose gap needs the next, … to the end of
    // the series: a chain of ~6000 links (chan.py recurses once per link). It never meets a gap-free fractal,
    // so the first segment stays undetermined and everything after it is left-over.
    const values: number[] = [];
    for (let i = 0; i < 3000; i++) values.push(0, 10, 8, 30, 20, 25);
    values.push(0);
    const { lines, bars } = zigzag(values);
    const list = new SegListChan<TestLine>({ leftSegMethod: 'peak' }, bars);
    list.update(lines);
    expect(rows(list.segs)).toEqual(['0-2 up unsure normal', `3-${lines.length - 1} down unsure collectleft_find_low`]);
  });
});

describe('§16.11 equal top / bottom in the 3rd element', () => {
  it('keeps a line with the same bottom but a higher top out of element 2, forming the fractal', () => {
    const { lines } = zigzag(gapValues);
    // e2 = line 2 [47,48]; line 4 [47,54] contains it, which would merge by plain inclusion; with the same low
    // and a higher high it becomes element 3 and the BOTTOM forms.
    const fx = new FeatureFractal<TestLine>();
    fx.start(DOWN, lines);
    fx.add(lines[0]);
    fx.add(lines[2]);
    expect(fx.e2.relation3(lines[4])).toBe(1);
    expect(fx.add(lines[4])).toBe(true);
    expect(fx.e3Line).toBe(lines[4]);
    // The UP-segment mirror: DOWN feature lines [40,50], [45,55], then [42,55] (same high, lower low).
    const { lines: m } = zigzag([35, 50, 40, 55, 45, 55, 42]);
    const up = new FeatureFractal<TestLine>();
    up.start(UP, m);
    expect([1, 3, 5].map((i) => up.add(m[i]))).toEqual([false, false, true]);
    expect(up.e3Line).toBe(m[5]);
    expect(up.peakIdx()).toBe(2);
  });
});

describe('§16.16 long series', () => {
  it('builds thousands of segments and segments of segments without deep recursion', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const values = [1000];
    for (let i = 0; i < 60000; i++) values.push(values[i] + (i % 2 === 0 ? 1 : -1) * (1 + Math.floor(rnd() * 30)));
    const { lines, bars } = zigzag(values);
    const segs = new SegListChan<TestLine>({ leftSegMethod: 'peak' }, bars);
    const t0 = performance.now();
    segs.update(lines);
    const segsegs = new SegListChan<Seg<TestLine>>({ leftSegMethod: 'peak' }, bars);
    segsegs.update(segs.segs);
    const ms = performance.now() - t0;
    expect(segs.segs.length).toBeGreaterThan(3000);
    expect(segs.segs.filter((s) => s.isSure).length).toBeGreaterThan(3000);
    expect(segsegs.segs.length).toBeGreaterThan(100);
    expect(ms).toBeLessThan(2000);
    // Segments tile the lines.
    for (let i = 1; i < segs.segs.length; i++)
      expect(segs.segs[i].startLine.idx).toBe(segs.segs[i - 1].endLine.idx + 1);
  });
});

describe('§16.19 segment requested sure with fewer than 3 lines', () => {
  it('is unsure, yet was sure when it is a sub-line one level up', () => {
    const { list } = run(gapValues);
    const s0 = list.segs[0];
    expect([s0.isSure, s0.wasSure, s0.endLine.idx - s0.startLine.idx + 1]).toEqual([false, true, 2]);
    // One level up, only wasSure counts: a feature line that is unsure but was sure still yields a sure
    // segment; one that never was sure does not.
    const make = (wasSure: boolean) => {
      const { lines, bars } = zigzag(gapValues);
      lines[5].isSure = false; // a feature line of the sure segment 2–4
      lines[5].wasSure = wasSure;
      const l = new SegListChan<TestLine>({ leftSegMethod: 'peak' }, bars);
      l.update(lines);
      return l.segs[1];
    };
    expect(rows([make(true)])).toEqual(['2-4 up sure normal']);
    expect(rows([make(false)])).toEqual(['2-4 up unsure normal']);
  });
});

describe('§16.20 reset stops re-adding at the first fractal', () => {
  it('drops the feature lines not yet re-added from the detector', () => {
    // 0 U 50→56, 1 D →53, 2 U →55, 3 D →50, 4 U →51, 5 D →50, 6 U →52, 7 D →43, 8 U →46, 9 D →37
    const { lines } = zigzag([50, 56, 53, 55, 50, 51, 50, 52, 43, 46, 37]);
    // DOWN-segment detector: lines 0,2,4 merge downwards into e1 [50,51], line 6 [50,52] is e2; line 8
    // [43,46] would be e3, but line 9 makes a new low beyond e2 → not an actual break → reset: re-add from
    // line 2: e1 = [53,55], e2 = line 4 [50,51], e3 = line 6 [50,52] (same bottom, higher top) → BOTTOM:
    // found while re-adding, so line 8 is never re-added.
    lines[8].wasSure = false;
    const fx = new FeatureFractal<TestLine>();
    fx.start(DOWN, lines);
    expect([0, 2, 4, 6, 8].map((i) => fx.add(lines[i]))).toEqual([false, false, false, false, true]);
    expect(fx.featureLines().map((l) => l.idx)).toEqual([2, 4, 6]);
    expect(fx.e3Line).toBe(lines[6]);
    expect(fx.allFeatureLinesWereSure()).toBe(true);
    expect(fx.peakIdx()).toBe(3);
  });
});

describe('§16.22 collect_left drops an unsure segment', () => {
  it('drops the last unsure segment when price is back beyond it without a peak, and re-claims its lines', () => {
    // 0 U 50→54, 1 D →48, 2 U →55, 3 D →52, 4 U →54, 5 D →48, 6 U →49, 7 D →46, 8 U →53, 9 D →46, 10 U →50,
    // 11 D →46
    const { lines, bars } = zigzag([50, 54, 48, 55, 52, 54, 48, 49, 46, 53, 46, 50, 46]);
    const list = new SegListChan<TestLine>({ leftSegMethod: 'peak' }, bars);
    const pop = vi.spyOn(list.segs, 'pop');
    list.update(lines);
    // The scan: DOWN-segment detector, e1 = line 0, e2 = lines 2+4+6+8 merged downwards [46,49], e3 = line 10
    // [46,50] (same bottom): BOTTOM with a gap (e1.low 50 > e2.high 49); the opposite detector over lines
    // 9, 11 finds nothing → undetermined, unsure segment to line 7, split at line 2 into 0–2 and 3–7.
    // collect_left: last end 46 ≤ line 7's end 46 → forced high peak from line 10: line 10 (50) is skipped
    // (line 8 ends higher) → none; 3–7 is unsure with 4 lines after it → dropped; from line 2 the peak method
    // takes the low peak line 11 (ties go to the latest).
    expect(pop).toHaveBeenCalledTimes(1);
    expect(rows(list.segs)).toEqual(['0-2 up unsure split_first_1st', '3-11 down unsure collectleft_find_low']);
    // The dropped segment's lines are claimed again by the segment that replaced it (always so within one
    // update: the loop only stops once every line but the last two belongs to a segment).
    for (let i = 3; i <= 11; i++) expect(lines[i].parentSeg).toBe(list.segs[1]);
  });
});

describe('§7.10 update keeps settled segments', () => {
  it('rebuilds the last sure segment while its 3rd feature element is an unsure line', () => {
    // Lines 0–12 of the gap example: segment 5–9 is closed by element 3 = line 12, the last line.
    const { lines, bars } = zigzag(gapValues.slice(0, 14));
    lines[12].isSure = false; // virtually extended: unsure, but was sure
    const list = new SegListChan<TestLine>({ leftSegMethod: 'peak' }, bars);
    list.update(lines);
    expect(rows(list.segs).slice(0, 3)).toEqual([
      '0-1 down unsure normal',
      '2-4 up sure normal',
      '5-9 down sure normal',
    ]);
    expect(list.segs[2].eigenEnd).toBe(lines[12]);
    const before = list.segs.slice();
    lines[12].endVal = 55;
    list.update(lines);
    expect(list.keptCount).toBe(2);
    expect(list.segs[1]).toBe(before[1]);
    expect(list.segs[2]).not.toBe(before[2]);
    expect(rows([list.segs[2]])).toEqual(['5-9 down sure normal']);
    // Once that line is sure, the segment is kept as is.
    lines[12].isSure = true;
    const kept = list.segs[2];
    list.update(lines);
    expect(list.keptCount).toBe(3);
    expect(list.segs[2]).toBe(kept);
  });

  it('drops trailing unsure segments and releases their lines', () => {
    const { lines, bars } = zigzag(gapValues);
    const list = new SegListChan<TestLine>({ leftSegMethod: 'peak' }, bars);
    list.update(lines);
    const tail = list.segs[3];
    expect(tail.isSure).toBe(false);
    // Replace the last line by a shorter one: the unsure tail is rebuilt.
    lines[14] = new TestLine(14, UP, 52, 56, 14, 15);
    list.update(lines);
    expect(list.keptCount).toBe(3);
    expect(list.segs[3]).not.toBe(tail);
    expect(lines[10].parentSeg).toBe(list.segs[3]);
    expect(lines.some((l) => l.parentSeg === tail)).toBe(false);
  });
});
