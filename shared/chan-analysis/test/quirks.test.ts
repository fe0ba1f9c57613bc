/**
 * The quirk contract (README, "The quirk contract"): each minimal case of fixtures/quirks under both semantics.
 * `chanpy` (chan.py's option names, the default) gives chan.py's own output; `corrected` gives the output of
 * the rule without the quirk; and in both, a batch run over every prefix equals the streaming snapshot after
 * that bar.
 */
import { describe, expect, it } from 'vitest';
import { analyze, ChanAnalyzer, fromChanPy, Level, toBars, type ChanResult, type Line } from '../src/index.js';
import { main } from '../src/cli.js';
import { createSegList } from '../src/seg/index.js';
import { FIXTURES } from './support/fixtures.js';
import { readCsvRows } from './support/fixtures.js';
import { quirkCase, quirkCases, toDump, type QuirkCase } from './support/quirk-cases.js';
import { structures } from './support/structures.js';

const CASES = quirkCases();
const corrected = (c: QuirkCase) => ({ ...c.config, quirks: 'corrected' });

describe.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  // B has neither: chan.py raised an error there (tested below).
  if (!('error' in c.chanpy)) {
    it('chanpy semantics: equals chan.py', () => {
      expect(toDump(analyze(c.bars, { config: c.config }))).toEqual(c.chanpy);
    });
  }

  if (c.corrected !== undefined) {
    it('corrected semantics: equals the rule without the quirk', () => {
      expect(toDump(analyze(c.bars, { config: corrected(c) }))).toEqual(c.corrected);
    });
  }

  it.each([['chanpy'], ['corrected']])('%s: batch over every prefix equals the streaming snapshot', (quirks) => {
    const config = { ...c.config, quirks };
    const live = new ChanAnalyzer({ config });
    c.bars.forEach((bar, i) => {
      live.update(bar);
      expect(structures(live.result({ structuresOnly: true })), `after bar ${i}`).toEqual(
        structures(analyze(c.bars.slice(0, i + 1), { config })),
      );
    });
  });
});

/** Plain copies of lines: the same values, with or without the stale successor pointer. */
function copyLines(lines: readonly Line[], keepStale: boolean): Line[] {
  const out: Line[] = lines.map((l) => ({
    idx: l.idx,
    dir: l.dir,
    isSure: l.isSure,
    wasSure: l.wasSure,
    high: l.high,
    low: l.low,
    beginVal: l.beginVal,
    endVal: l.endVal,
    amp: l.amp,
    beginBar: l.beginBar,
    endBar: l.endBar,
    segIdx: -1,
    parentSeg: undefined,
  }));
  const last = lines[lines.length - 1];
  if (keepStale && last.staleNext) {
    // The removed stroke, one place past the end of the list, and the chain behind it.
    let from: Line | null | undefined = last.staleNext;
    let prev = out[out.length - 1] as { staleNext?: Line | null };
    while (from) {
      const copy: Line = { ...copyLines([from], false)[0], staleNext: null };
      prev.staleNext = copy;
      prev = copy as { staleNext?: Line | null };
      from = from.staleNext;
    }
  }
  return out;
}

describe('C, D: the stale successor pointer', () => {
  it('C: the over-segment pivot is extended by the last stroke through the stroke the sub-peak rule removed', () => {
    const c = quirkCase('C_');
    const live = new ChanAnalyzer({ config: c.config });
    c.bars.forEach((b) => live.update(b));
    const strokes = live.snapshot().strokes;
    const last = strokes[strokes.length - 1];
    // chan.py removed the down stroke 2000-02-02 → 2000-02-08 near the series end; the last stroke still names it.
    const removed = last.staleNext!;
    expect([c.bars[removed.beginBar].time, c.bars[removed.endBar].time]).toEqual(['2000-02-02', '2000-02-08']);
    const chanpy = analyze(c.bars, { config: c.config });
    const fixed = analyze(c.bars, { config: corrected(c) });
    // Both pivots: strokes 1… with the same ZD/ZG; the over-segment rule extends a pivot by a stroke only when
    // the stroke after it exists and overlaps the pivot. chan.py's last stroke "has" one (the removed stroke).
    expect(removed.high > chanpy.strokePivots[0].zd && chanpy.strokePivots[0].zg > removed.low).toBe(true);
    expect(chanpy.strokePivots.map((z) => [z.startLine, z.endLine])).toEqual([[1, strokes.length - 1]]);
    expect(fixed.strokePivots.map((z) => [z.startLine, z.endLine])).toEqual([[1, strokes.length - 2]]);
    // Corrected, the last stroke leaves the pivot above ZG: a type-1 sell at its end.
    expect(fixed.strokeSignals.map((p) => [p.time, p.side, p.types])).toEqual([['2000-02-10', 'sell', ['1']]]);
    expect(chanpy.strokeSignals).toEqual([]);
  });

  it('D: the segments are the feature-sequence rule over the reported strokes, plus (chanpy) the removed one', () => {
    const c = quirkCase('D_');
    const bars = c.bars.map((b) => ({ high: b.high, low: b.low }));
    const segmentsOver = (lines: Line[]) => {
      const list = createSegList<Line>({ segAlgo: 'chan', leftSegMethod: 'peak', quirks: 'chanpy' }, bars);
      list.update(lines);
      return list.segs.map((s) => [s.startLine.idx, s.endLine.idx, s.dir, s.isSure]);
    };
    const live = new ChanAnalyzer({ config: c.config });
    c.bars.forEach((b) => live.update(b));
    const strokes = live.snapshot().strokes;
    expect(strokes[strokes.length - 1].staleNext).toBeTruthy();
    const segs = (r: ChanResult) =>
      r.segments.map((s) => [s.startLine, s.endLine, s.direction === 'up' ? 1 : -1, s.confirmed]);
    expect(segs(analyze(c.bars, { config: c.config }))).toEqual(segmentsOver(copyLines(strokes, true)));
    expect(segs(analyze(c.bars, { config: corrected(c) }))).toEqual(segmentsOver(copyLines(strokes, false)));
    expect(segmentsOver(copyLines(strokes, true))).not.toEqual(segmentsOver(copyLines(strokes, false)));
  });

  it('in the confirmed state the pointer lasts while bars merge into the last merged bar, until the next one', () => {
    const c = quirkCase('D_');
    const level = new Level(fromChanPy(c.config));
    // D's bars, then a bar above the last one (its merged bar makes the last one a bottom that moves a peak),
    // one inside it (merged into it) and one below (a new merged bar).
    const day = (d: number) => `2000-03-${String(d).padStart(2, '0')}`;
    const bars = toBars([
      ...c.bars,
      { time: day(6), open: 53, high: 54, low: 52.5, close: 53 },
      { time: day(7), open: 53, high: 53.5, low: 53, close: 53 },
      { time: day(8), open: 52, high: 52.5, low: 51, close: 51 },
    ]);
    const staleOfLast = () => {
      const s = level.sureStrokes();
      return s.length === 0 ? null : s[s.length - 1].staleNext;
    };
    let kept = 0;
    let cleared = 0;
    for (let i = 0; i < bars.length; i++) {
      const before = level.merged.length;
      const stale = staleOfLast();
      level.push(bars[i]);
      const now = staleOfLast();
      if (level.merged.length === before) {
        expect(now, `bar ${i} merged`).toBe(stale);
        if (now !== null) kept++;
      } else if (stale !== null) {
        // A new merged bar clears it; its stroke update may remove another stroke (a new pointer).
        expect(now, `bar ${i} new merged bar`).not.toBe(stale);
        if (now === null) cleared++;
      }
    }
    expect([kept, cleared]).toEqual([1, 1]);
    expect(staleOfLast()).toBeNull();
  });
});

describe('E, E2: the actual-break flag', () => {
  it('E: corrected, the down segment ends at 2000-01-13, confirmed; chan.py carries an abandoned verdict on to 01-19', () => {
    const c = quirkCase('E_');
    const seg1 = (r: ChanResult) => [r.segments[1].begin, r.segments[1].end, r.segments[1].confirmed];
    expect(seg1(analyze(c.bars, { config: corrected(c) }))).toEqual(['2000-01-06', '2000-01-13', true]);
    expect(seg1(analyze(c.bars, { config: c.config }))).toEqual(['2000-01-06', '2000-01-19', false]);
  });

  it('E2: the same flag one level up changes the segments of segments only', () => {
    const c = quirkCase('E2_');
    const a = analyze(c.bars, { config: c.config });
    const b = analyze(c.bars, { config: corrected(c) });
    expect(b.strokes).toEqual(a.strokes);
    expect(b.segments).toEqual(a.segments);
    expect(b.segmentsOfSegments).not.toEqual(a.segmentsOfSegments);
  });
});

describe('A2, B, S1', () => {
  it('A2: bs_type-buy "2" is ignored by chan.py (the type-1 buy stays); corrected, buys are type 2 only', () => {
    const c = quirkCase('A2_');
    const buys = (r: ChanResult) => r.strokeSignals.filter((p) => p.side === 'buy').map((p) => [p.time, p.types]);
    expect(buys(analyze(c.bars, { config: c.config }))).toEqual([['2000-02-01', ['1']]]);
    expect(buys(analyze(c.bars, { config: corrected(c) }))).toEqual([]);
    // Applying it is what the camelCase settings always did.
    expect(buys(analyze(c.bars, { settings: { bsp: { buy: { bsType: ['2'] } } } }))).toEqual([]);
  });

  it.each([['amount'], ['amount_avg'], ['turnrate_avg']])(
    'B: macd_algo %s without turnover data: chan.py raises ZeroDivisionError, the engine answers',
    (algo) => {
      const c = quirkCase('B_');
      expect(c.chanpy).toEqual({ error: 'ZeroDivisionError: float division by zero' });
      const plain = analyze(c.bars);
      const r = analyze(c.bars, { config: { macd_algo: algo } });
      // Every structure as with the default metric; the metric is 0 for every stroke, so the type-1 point's
      // divergence rate 0/0 is reported as null, and the default rate (inf) lets the zs break through as ever.
      expect(r.strokes).toEqual(plain.strokes);
      expect(r.strokePivots).toEqual(plain.strokePivots);
      expect(r.strokeSignals.map((p) => [p.time, p.side, p.types])).toEqual(
        plain.strokeSignals.map((p) => [p.time, p.side, p.types]),
      );
      expect(r.strokeSignals.length).toBeGreaterThan(0);
      for (const p of r.strokeSignals) expect(p.features.divergence_rate).toBeNaN();
      expect(JSON.parse(JSON.stringify(r.strokeSignals[0].features)).divergence_rate).toBeNull();
      // A finite rate compares out ≤ rate·in, i.e. 0 ≤ 0: still divergent (no data gives no evidence against).
      const finite = analyze(c.bars, { config: { macd_algo: algo, divergence_rate: 0.9 } });
      expect(finite.strokeSignals.map((p) => p.types)).toEqual(plain.strokeSignals.map((p) => p.types));
    },
  );

  it('S1: the engine follows chan.py batch, not its step mode, under both semantics', () => {
    const c = quirkCase('S1_');
    expect(c.chanpyStep!.seg).not.toEqual((c.chanpy as { seg: unknown }).seg);
    for (const config of [c.config, corrected(c)]) {
      const live = new ChanAnalyzer({ config });
      c.bars.forEach((b) => {
        live.update(b);
        live.snapshot();
      });
      expect(toDump(live.result())).toEqual(c.chanpy);
    }
  });
});

describe("with chan.py's default options no quirk arises", () => {
  it.each([['cn_sse000001_1d'], ['us_spy_1d'], ['us_spy_1h']])('%s: the corrected preset equals chanpy', (name) => {
    const bars = readCsvRows(name);
    expect(structures(analyze(bars, { preset: 'corrected' }))).toEqual(structures(analyze(bars, { preset: 'chanpy' })));
  });
});

describe('the setting through the CLI', () => {
  async function pivotEnds(args: string[]): Promise<number[]> {
    let out = '';
    const code = await main(
      ['analyze', `${FIXTURES}quirks/C_overseg_pivot_end/bars.csv`, '--json', ...args],
      { write: (t: string) => (out += t) },
      { write: () => undefined },
    );
    expect(code).toBe(0);
    return (JSON.parse(out) as ChanResult).strokePivots.map((z) => z.endLine);
  }
  const C = '"bi_allow_sub_peak": false, "zs_algo": "over_seg"';

  it('chan.py option names (alone or over the chanpy preset) give chan.py; corrected by preset or by key', async () => {
    expect(await pivotEnds(['--config', `{${C}}`])).toEqual([4]);
    expect(await pivotEnds(['--preset', 'chanpy', '--config', `{${C}}`])).toEqual([4]);
    expect(await pivotEnds(['--preset', 'corrected', '--config', `{${C}}`])).toEqual([3]);
    expect(await pivotEnds(['--config', `{${C}, "quirks": "corrected"}`])).toEqual([3]);
  });
});
