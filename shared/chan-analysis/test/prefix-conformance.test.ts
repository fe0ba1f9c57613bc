/**
 * Prefix conformance: on the three reference series, the state a live user sees after each bar (a streaming
 * analyser, snapshot after every bar) equals a batch run over the bars so far, and after the last bar equals
 * chan.py's output (reference/README.md "agrees").
 *
 * Every prefix of SSE Composite daily (3,332 bars) and SPY daily (5,849); of SPY hourly (40,832 bars, where a
 * batch run per prefix would be 0.8 G bar updates) the first 3,000 prefixes and the last 300.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeToAnalyzer, ChanAnalyzer, parseCsv, type BarInput, type LevelSnapshot } from '../src/index.js';
import { FIXTURES, readReference } from './support/fixtures.js';

function readBars(name: string): BarInput[] {
  const { bars, labels } = parseCsv(readFileSync(`${FIXTURES}${name}.csv`, 'utf8'));
  return bars.map((b, i) => ({ ...b, time: labels[i] }));
}

/**
 * Everything a snapshot reports, as one string: lines by their bars, pivots by their lines and prices,
 * buy/sell points by line, side, types and features. Cheaper than the JSON document, and as strict.
 */
function signature(s: LevelSnapshot): string {
  const line = (l: { beginBar: number; endBar: number; dir: number; isSure: boolean }) =>
    `${l.beginBar}:${l.endBar}:${l.dir}:${l.isSure ? 1 : 0}`;
  const seg = (g: LevelSnapshot['segments'][number]) => `${line(g)}:${g.startLine.idx}:${g.endLine.idx}:${g.reason}`;
  const pivot = (z: LevelSnapshot['strokePivots'][number]) =>
    `${z.beginLine.idx}:${z.endLine.idx}:${z.low}:${z.high}:${z.peakLow}:${z.peakHigh}:${z.isSure ? 1 : 0}:${z.lineIn?.idx}:${z.lineOut?.idx}`;
  const point = (p: LevelSnapshot['strokeSignals'][number]) =>
    `${p.line.idx}:${p.isBuy ? 'b' : 's'}:${p.types.join(',')}:${JSON.stringify(p.features)}`;
  return [
    s.strokes.map(line).join(' '),
    s.segments.map(seg).join(' '),
    s.segmentsOfSegments.map(seg).join(' '),
    s.strokePivots.map(pivot).join(' '),
    s.segmentPivots.map(pivot).join(' '),
    s.strokeSignals.map(point).join(' '),
    s.segmentSignals.map(point).join(' '),
  ].join('\n');
}

/** [series, first prefix checked, end] (a prefix = the bars up to index i); each window streams from bar 0. */
const WINDOWS: [string, number, number | undefined][] = [
  ['cn_sse000001_1d', 0, undefined],
  ['us_spy_1d', 0, 3000],
  ['us_spy_1d', 3000, undefined],
  ['us_spy_1h', 0, 3000],
  ['us_spy_1h', -300, undefined],
];

function streamAndCompare(name: string, from: number, to: number | undefined): ChanAnalyzer {
  const bars = readBars(name);
  const n = bars.length;
  const start = from < 0 ? n + from : from;
  const end = to ?? n;
  const live = new ChanAnalyzer({ preset: 'chanpy' });
  for (let i = 0; i < end; i++) {
    live.update(bars[i]);
    // A snapshot after every bar drives the incremental layers as a live user does.
    const snap = live.snapshot();
    if (i < start) continue;
    const streamed = signature(snap);
    const batch = signature(analyzeToAnalyzer(bars.slice(0, i + 1), { preset: 'chanpy' }).snapshot());
    if (streamed !== batch) expect(streamed, `${name}: after bar ${i} (${String(bars[i].time)})`).toBe(batch);
  }
  return live;
}

describe.each(WINDOWS)('%s, prefixes from %i to %s', (name, from, to) => {
  it('the streaming snapshot after each bar equals a batch run over the bars so far', () => {
    streamAndCompare(name, from, to);
  });
});

describe.each(['cn_sse000001_1d', 'us_spy_1d', 'us_spy_1h'])('%s', (name) => {
  it('after the last bar, the streamed state (a snapshot after every bar) equals chan.py', () => {
    const live = streamAndCompare(name, Infinity, undefined);
    const ref = readReference(name);
    const out = live.result();
    const dir = (d: string) => d.toLowerCase();
    for (const [mine, theirs] of [
      [out.strokes, ref.bi],
      [out.segments, ref.seg],
      [out.segmentsOfSegments, ref.segseg],
    ] as const) {
      expect(mine.map((l) => [l.begin, l.end, l.direction, l.confirmed])).toEqual(
        theirs.map((l) => [l.begin_time, l.end_time, dir(l.dir), l.is_sure]),
      );
    }
    for (const [mine, theirs] of [
      [out.strokePivots, ref.bi_zs],
      [out.segmentPivots, ref.seg_zs],
    ] as const) {
      expect(mine.map((z) => [z.begin, z.end, z.zd, z.zg, z.gg, z.dd, z.confirmed])).toEqual(
        theirs.map((z) => [z.begin_time, z.end_time, z.ZD_low, z.ZG_high, z.GG_peak_high, z.DD_peak_low, z.is_sure]),
      );
    }
    for (const [mine, theirs] of [
      [out.strokeSignals, ref.bsp],
      [out.segmentSignals, ref.seg_bsp],
    ] as const) {
      expect(mine.map((p) => [p.time, p.side, p.types.join(',')])).toEqual(
        theirs.map((p) => [p.time, p.is_buy ? 'buy' : 'sell', p.types]),
      );
    }
  });
});
