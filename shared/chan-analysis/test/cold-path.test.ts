/**
 * The cold-path rewrites keep their answers: the result read from the analyser's columns equals the one read from
 * plain objects (a snapshot without columns), and the CSV reader's in-place decimals equal Number()'s.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze, ChanAnalyzer, parseCsv, toResult, type LevelSnapshot } from '../src/index.js';
import { FIXTURES } from './support/fixtures.js';

describe('cold path', () => {
  it('toResult of a snapshot of plain objects equals the result read from the columns', () => {
    const { bars } = parseCsv(readFileSync(`${FIXTURES}us_spy_1d.csv`, 'utf8'));
    const a = new ChanAnalyzer();
    for (const b of bars) a.update(b);
    const s = a.snapshot();
    const plain: LevelSnapshot = {
      bars: s.bars.map((b) => ({
        idx: b.idx,
        time: b.time,
        label: b.label,
        open: b.open,
        high: b.high,
        low: b.low,
        close: b.close,
        volume: b.volume,
        turnover: b.turnover,
        turnoverRate: b.turnoverRate,
      })),
      indicators: s.indicators,
      mergedBars: s.mergedBars.map((m) => ({
        idx: m.idx,
        dir: m.dir,
        fx: m.fx,
        high: m.high,
        low: m.low,
        firstBar: m.firstBar,
        lastBar: m.lastBar,
        peakHighBar: m.peakHighBar,
        peakLowBar: m.peakLowBar,
        maxBarHigh: m.maxBarHigh,
        minBarLow: m.minBarLow,
      })),
      strokes: s.strokes,
      segments: s.segments,
      segmentsOfSegments: s.segmentsOfSegments,
      strokePivots: s.strokePivots,
      segmentPivots: s.segmentPivots,
      strokeSignals: s.strokeSignals,
      segmentSignals: s.segmentSignals,
    };
    const fromObjects = toResult(plain, { preset: 'chanpy' });
    expect(fromObjects).toEqual(analyze(bars));
    expect(fromObjects.fractals.length).toBeGreaterThan(1000);
    expect(toResult(plain, { include: ['fractals'] }).bars).toEqual([]);
  });

  it("analyze()'s per-bar parts, built on first read, are the analyser's own document in every form", () => {
    const { bars, labels } = parseCsv(readFileSync(`${FIXTURES}us_spy_1d.csv`, 'utf8'));
    const a = new ChanAnalyzer();
    bars.forEach((b, i) => a.update(b, labels[i]));
    const eager = a.result();
    expect(eager.bars).toHaveLength(bars.length);
    // Serialised before any part is read: JSON.stringify reads them through the same properties, in key order.
    expect(JSON.stringify(analyze(bars.map((b, i) => ({ ...b, time: labels[i] }))))).toBe(JSON.stringify(eager));
    const doc = analyze(bars.map((b, i) => ({ ...b, time: labels[i] })));
    expect(Object.keys(doc)).toEqual(Object.keys(eager));
    expect({ ...doc }).toEqual(eager);
    expect(doc.fractals).toBe(doc.fractals);
    // A caller may replace a part it has not read.
    doc.mergedBars = [];
    expect(doc.mergedBars).toEqual([]);
    expect(JSON.parse(JSON.stringify(doc)).mergedBars).toEqual([]);
  });

  it('CSV numbers equal Number() of the cell, fast path or not', () => {
    const cell = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
      fc.tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.nat({ max: 25 })).map(([m, s]) => {
        const t = (m < 0n ? -m : m).toString().padStart(s + 1, '0');
        return `${m < 0n ? '-' : ''}${t.slice(0, t.length - s)}${s ? '.' : ''}${t.slice(t.length - s)}`;
      }),
      fc.constantFrom('+5', '-0', '.5', '5.', '007.50', '1e3', '0x10', ' 2.5 ', '"3.25"'),
    );
    fc.assert(
      fc.property(cell, (c) => {
        const { bars } = parseCsv(`time,open,high,low,close,volume\n2020-01-01,1,1,1,1,${c}\n`, { validate: false });
        const expected = Number(c.replaceAll('"', ''));
        expect(Object.is(bars[0].volume, expected), `${c}: ${bars[0].volume} vs ${expected}`).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
