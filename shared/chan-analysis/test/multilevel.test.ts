/**
 * Multi-level analysis: bar alignment across labels and calendars (24-hour markets with 00:00 bars, A-share
 * bar-end stamps, New York days across DST), stroke links on real data, and the confirmation rules on a
 * hand-built pair of levels whose answer is known.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../src/chan.js';
import {
  analyzeMultiLevel,
  analyzeMultiLevelFromBase,
  assignBars,
  barPoints,
  barWindows,
  linkLevels,
  type LevelAnalysis,
  type LevelLink,
} from '../src/multilevel.js';
import { MARKETS, resample, toBarInputs } from '../src/resample.js';
import type { ChanResult, ResultBar, ResultLine, ResultSignal } from '../src/result.js';
import { readCsvRows, ts } from './support/fixtures.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const withTs = (name: string) => readCsvRows(name).map((r) => ({ ...r, time: ts(r.time), label: r.time }));
const utcDate = (t: number) => new Date(t).toISOString().slice(0, 10);

/** A deterministic 24-hour random walk of hourly bars starting at `start` (a UTC midnight). */
function cryptoHours(start: number, n: number, seed = 7) {
  let x = seed;
  const rnd = () => (x = (x * 48271) % 2147483647) / 2147483647;
  let p = 100;
  return Array.from({ length: n }, (_, i) => {
    const o = p;
    p = Math.max(1, p + (rnd() - 0.5) * 2);
    const hi = Math.max(o, p) + rnd();
    const lo = Math.min(o, p) - rnd();
    return { ts: start + i * HOUR, time: start + i * HOUR, open: o, high: hi, low: lo, close: p };
  });
}

describe('bar alignment', () => {
  it('24-hour market, start labels: the 00:00 bar opens its own day (not 23:59 of the previous one)', () => {
    const start = Date.UTC(2024, 2, 1);
    const hours = cryptoHours(start, 24 * 10);
    const days = resample(hours, '1d', MARKETS.crypto).map((d) => ({ ...d, ts: d.time }));
    expect(days).toHaveLength(10);
    const parent = assignBars(barPoints(hours, '1h', 'start'), barWindows(days, '1d', 'start'));
    for (let i = 0; i < hours.length; i++) expect(days[parent[i]].label).toBe(utcDate(hours[i].ts));
    // Every midnight bar is the first child of its day, and the day's range is exactly its children's range.
    for (let d = 0; d < days.length; d++) {
      const kids = hours.filter((_, i) => parent[i] === d);
      expect(kids).toHaveLength(24);
      expect(kids[0].ts % DAY).toBe(0);
      expect(Math.max(...kids.map((k) => k.high))).toBe(days[d].high);
      expect(Math.min(...kids.map((k) => k.low))).toBe(days[d].low);
    }
  });

  it('24-hour market, end labels: the bar stamped 00:00 closes the previous day', () => {
    const start = Date.UTC(2024, 2, 1);
    // The same hours stamped at their close: 01:00 … 24:00 (= next day 00:00).
    const hours = cryptoHours(start, 48).map((h) => ({ ...h, ts: h.ts + HOUR }));
    const days = [{ ts: Date.UTC(2024, 2, 1) }, { ts: Date.UTC(2024, 2, 2) }];
    const parent = assignBars(barPoints(hours, '1h', 'end'), barWindows(days, '1d', 'start'));
    const midnight = hours.findIndex((h) => h.ts === Date.UTC(2024, 2, 2));
    expect(parent[midnight]).toBe(0);
    expect(parent[midnight + 1]).toBe(1);
    expect([...parent].filter((p) => p === 0)).toHaveLength(24);
    expect([...parent].filter((p) => p === 1)).toHaveLength(24);
  });

  it('A shares, bar-end stamps: 1-minute bars land in their 60-minute and daily buckets (lunch break included)', () => {
    const minutes = withTs('cn_sse000001_1m')
      .slice(0, 240 * 20)
      .map((m) => ({ ...m, ts: m.time }));
    const hours = resample(minutes, '1h', MARKETS.cn).map((h) => ({ ...h, ts: h.time }));
    const days = resample(minutes, '1d', MARKETS.cn).map((d) => ({ ...d, ts: d.time }));
    const toHour = assignBars(barPoints(minutes, '1m', 'end'), barWindows(hours, '1h', 'end', MARKETS.cn));
    expect(toHour.every((p) => p >= 0)).toBe(true);
    for (let h = 0; h < hours.length; h++) {
      const kids = minutes.filter((_, i) => toHour[i] === h);
      expect(kids).toHaveLength(hours[h].count);
      expect(Math.max(...kids.map((k) => k.high))).toBe(hours[h].high);
      expect(kids[kids.length - 1].close).toBe(hours[h].close);
    }
    // 10:30 CST (02:30Z) is the last minute of the first hour; 10:31 the first of the second.
    const i1030 = minutes.findIndex((m) => m.label === '2015-01-05T02:30:00Z');
    expect(hours[toHour[i1030]].label).toBe('2015-01-05T02:30:00Z');
    expect(hours[toHour[i1030 + 1]].label).toBe('2015-01-05T03:30:00Z');
    // Hours into days: four per trading day, by the Shanghai calendar date.
    const toDay = assignBars(barPoints(hours, '1h', 'end'), barWindows(days, '1d', 'start', MARKETS.cn));
    for (let d = 0; d < days.length; d++) expect([...toDay].filter((p) => p === d)).toHaveLength(4);
  });

  it('US equities fed per interval: vendor daily bars get the hourly bars of their New York date across DST', () => {
    const hourly = withTs('us_spy_1h').map((h) => ({ ...h, ts: h.time }));
    const daily = readCsvRows('us_spy_1d').map((d) => ({ ...d, ts: ts(d.time) }));
    const parent = assignBars(
      barPoints(hourly, '1h', 'start', MARKETS.us),
      barWindows(daily, '1d', 'start', MARKETS.us),
    );
    expect(parent.every((p) => p >= 0)).toBe(true);
    const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' });
    let checkedDst = 0;
    for (let i = 0; i < hourly.length; i += 97) {
      expect(daily[parent[i]].time).toBe(fmt.format(hourly[i].ts));
      if (hourly[i].label.endsWith('T13:00:00Z')) checkedDst++;
    }
    expect(checkedDst).toBeGreaterThan(0);
    // Each day's extreme is made by one of its own hours (the vendor series are consistent).
    for (let d = 0; d < daily.length; d += 50) {
      const kids = hourly.filter((_, i) => parent[i] === d);
      expect(Math.max(...kids.map((k) => k.high))).toBe(daily[d].high);
    }
  });
});

describe('stroke links on real data (SPY daily over hourly, fed per interval)', () => {
  const hourly = readCsvRows('us_spy_1h').slice(-7 * 1200);
  const firstDay = hourly[0].time.slice(0, 10);
  // Daily history starts earlier than the hourly one, as stored series usually do.
  const daily = readCsvRows('us_spy_1d').filter((d) => d.time >= '2014-01-01');
  const r = analyzeMultiLevel(
    [
      { interval: '1h', bars: hourly },
      { interval: '1d', bars: daily },
    ],
    { calendar: MARKETS.us },
  );
  const [hi, lo] = r.levels;
  const link = r.links[0];

  it('orders levels highest first and links the pair', () => {
    expect(r.levels.map((l) => l.interval)).toEqual(['1d', '1h']);
    expect(link.higher).toBe('1d');
    expect(link.lower).toBe('1h');
    expect(link.unassignedLowerBars).toBe(0);
    expect(hi.result.strokes.length).toBeGreaterThan(10);
  });

  it('turns a covered stroke at the lower bar holding the same extreme, and neighbours share that bar', () => {
    const covered = link.strokes.filter((s) => s.lower);
    expect(covered.length).toBeGreaterThan(5);
    for (const s of covered) {
      const h = hi.result.strokes[s.idx];
      const [from, to] = [lo.result.bars[s.lower!.fromBar], lo.result.bars[s.lower!.toBar]];
      expect(s.direction === 'up' ? from.low : from.high).toBe(h.beginVal);
      expect(s.direction === 'up' ? to.high : to.low).toBe(h.endVal);
    }
    for (let i = 1; i < link.strokes.length; i++) {
      const [a, b] = [link.strokes[i - 1].lower, link.strokes[i].lower];
      if (a && b) expect(b.fromBar).toBe(a.toBar);
    }
    // Strokes that end before the hourly history starts have no lower span.
    const early = link.strokes.filter((s) => s.end < firstDay);
    expect(early.length).toBeGreaterThan(0);
    expect(early.every((s) => s.lower === null)).toBe(true);
  });

  it('gives every lower stroke at most one parent, as contiguous runs in time order', () => {
    let next = 0;
    let assigned = 0;
    for (const s of link.strokes) {
      if (!s.lower || s.lower.count === 0) continue;
      expect(s.lower.firstStroke).toBeGreaterThanOrEqual(next);
      expect(s.lower.lastStroke - s.lower.firstStroke + 1).toBe(s.lower.count);
      next = s.lower.lastStroke + 1;
      assigned += s.lower.count;
      // Children lie inside the span (by their midpoint).
      const kids = lo.result.strokes.slice(s.lower.firstStroke, s.lower.lastStroke + 1);
      expect(kids[0].endTs).toBeGreaterThan(lo.result.bars[s.lower.fromBar].ts);
      expect(kids[kids.length - 1].beginTs).toBeLessThan(lo.result.bars[s.lower.toBar].ts);
    }
    expect(assigned).toBeGreaterThan(lo.result.strokes.length / 2);
    // Most daily strokes are a textbook odd run of hourly strokes in their own direction.
    const withKids = link.strokes.filter((s) => s.lower && s.lower.count > 0);
    expect(withKids.filter((s) => s.lower!.consistent).length / withKids.length).toBeGreaterThan(0.5);
  });

  it('answers for every higher stroke signal, with reasons that hold', () => {
    expect(link.signals).toHaveLength(hi.result.strokeSignals.length);
    const covered = link.signals.filter((c) => c.covered);
    expect(covered.length).toBeGreaterThan(3);
    for (const c of covered) {
      expect(c.confirmed).toBe(c.bySignals.length > 0 || c.divergence?.found === true);
      expect(c.depth).toBe(c.confirmed ? 1 : 0);
      const span = link.strokes[c.strokeIdx].lower!;
      for (const s of c.bySignals) {
        const lower = lo.result.strokeSignals.find((x) => x.id === s.id)!;
        expect(lower.side).toBe(c.side);
        // On or after the start of the stroke's final lower leg, and not after the signal's own day.
        expect(lower.ts).toBeGreaterThanOrEqual(lo.result.strokes[span.lastStroke].beginTs);
        expect(lower.time.slice(0, 10) <= c.time).toBe(true);
      }
      if (c.divergence) {
        const d = c.divergence;
        expect(lo.result.strokes[d.lastStroke].direction).toBe(link.strokes[c.strokeIdx].direction);
        expect(d.found).toBe(d.newExtreme && d.lastForce < d.prevForce);
      }
    }
    expect(covered.some((c) => c.confirmed)).toBe(true);
  });
});

// ------------------------------------------------------------------------------------------- hand-built pair

const D0 = Date.UTC(2024, 0, 1);

function bar(t: number, high: number, low: number, macd = 0): ResultBar {
  return {
    time: new Date(t).toISOString(),
    ts: t,
    open: low,
    high,
    low,
    close: high,
    volume: null,
    dif: 0,
    dea: 0,
    macd,
  };
}

function line(bars: ResultBar[], idx: number, b: number, e: number, dir: 'up' | 'down'): ResultLine {
  const [B, E] = [bars[b], bars[e]];
  const beginVal = dir === 'up' ? B.low : B.high;
  const endVal = dir === 'up' ? E.high : E.low;
  return {
    id: `bi-${B.ts}`,
    idx,
    begin: B.time,
    end: E.time,
    beginTs: B.ts,
    endTs: E.ts,
    direction: dir,
    beginVal,
    endVal,
    high: Math.max(beginVal, endVal),
    low: Math.min(beginVal, endVal),
    confirmed: true,
  };
}

function signal(
  bars: ResultBar[],
  lines: ResultLine[],
  lineIdx: number,
  side: 'buy' | 'sell',
  types: ResultSignal['types'],
): ResultSignal {
  const l = lines[lineIdx];
  return {
    id: `bsp-${l.endTs}-${side}`,
    time: l.end,
    ts: l.endTs,
    side,
    types,
    confirmed: true,
    lineIdx,
    price: l.endVal,
    features: {},
  };
}

function result(bars: ResultBar[], strokes: ResultLine[], strokeSignals: ResultSignal[]): ChanResult {
  return {
    meta: { engine: 'test', version: '0', preset: null, barCount: bars.length },
    bars,
    mergedBars: [],
    fractals: [],
    strokes,
    segments: [],
    segmentsOfSegments: [],
    strokePivots: [],
    segmentPivots: [],
    strokeSignals,
    segmentSignals: [],
  };
}

/**
 * Four days of hourly bars on a path 110 (hour 10) → 100 (30) → 105 (40) → 95 (60) → 108 (95); the daily
 * level has a down stroke day 0 → day 2 with a buy at its end, and an up stroke day 2 → day 3. The hourly level
 * has the strokes of that path; `finalLegMacd` sets the force of the last down leg (the first has 2 per bar).
 */
function handBuilt(opts: { finalLegMacd: number; lowerSignals: Array<[number, 'buy' | 'sell']> }) {
  const way: Array<[number, number]> = [
    [0, 104],
    [10, 110],
    [30, 100],
    [40, 105],
    [60, 95],
    [95, 108],
  ];
  const price = (i: number) => {
    for (let k = 1; k < way.length; k++) {
      const [[a, pa], [b, pb]] = [way[k - 1], way[k]];
      if (i <= b) return pa + ((pb - pa) * (i - a)) / (b - a);
    }
    return way[way.length - 1][1];
  };
  const macd = (i: number) => (i >= 10 && i <= 30 ? -2 : i >= 40 && i <= 60 ? -opts.finalLegMacd : 0.1);
  const lb = Array.from({ length: 96 }, (_, i) => bar(D0 + i * HOUR, price(i) + 0.5, price(i) - 0.5, macd(i)));
  const ls = [
    line(lb, 0, 10, 30, 'down'),
    line(lb, 1, 30, 40, 'up'),
    line(lb, 2, 40, 60, 'down'),
    line(lb, 3, 60, 95, 'up'),
  ];
  const lsig = opts.lowerSignals.map(([k, side]) => signal(lb, ls, k, side, ['1']));
  const hb = [0, 1, 2, 3].map((d) => {
    const kids = lb.slice(d * 24, d * 24 + 24);
    const b = bar(D0 + d * DAY, Math.max(...kids.map((k) => k.high)), Math.min(...kids.map((k) => k.low)));
    return { ...b, time: utcDate(b.ts) };
  });
  const hs = [line(hb, 0, 0, 2, 'down'), line(hb, 1, 2, 3, 'up')];
  const hsig = [signal(hb, hs, 0, 'buy', ['1p'])];
  const levels: LevelAnalysis[] = [
    { interval: '1h', label: 'start', result: result(lb, ls, lsig) },
    { interval: '1d', label: 'start', result: result(hb, hs, hsig) },
  ];
  return linkLevels(levels)[0];
}

describe('confirmation of a higher buy point by the lower structure inside its last stroke', () => {
  it('links the daily strokes to their hourly strokes at the turning hours', () => {
    const link = handBuilt({ finalLegMacd: 0.5, lowerSignals: [] });
    expect(link.strokes[0].lower).toMatchObject({
      fromBar: 10,
      toBar: 60,
      firstStroke: 0,
      lastStroke: 2,
      count: 3,
      consistent: true,
    });
    expect(link.strokes[1].lower).toMatchObject({
      fromBar: 60,
      toBar: 95,
      firstStroke: 3,
      lastStroke: 3,
      count: 1,
      consistent: true,
    });
  });

  it('confirms by a same-side lower signal at the end of the final leg; earlier or opposite signals do not count', () => {
    const link: LevelLink = handBuilt({
      finalLegMacd: 3,
      lowerSignals: [
        [0, 'buy'],
        [1, 'sell'],
        [2, 'buy'],
      ],
    });
    const c = link.signals[0];
    expect(c.covered).toBe(true);
    expect(c.bySignals.map((s) => s.lineIdx)).toEqual([2]);
    // The final leg is stronger (3 per bar against 2): no divergence, yet the lower buy confirms.
    expect(c.divergence).toMatchObject({ prevStroke: 0, lastStroke: 2, newExtreme: true, found: false });
    expect(c.confirmed).toBe(true);
    expect(c.depth).toBe(1);
  });

  it('confirms by lower divergence: a new low with less MACD area', () => {
    const c = handBuilt({ finalLegMacd: 0.5, lowerSignals: [] }).signals[0];
    expect(c.bySignals).toEqual([]);
    expect(c.divergence!.prevForce).toBeCloseTo(21 * 2);
    expect(c.divergence!.lastForce).toBeCloseTo(21 * 0.5);
    expect(c.divergence!.rate).toBeCloseTo(0.25);
    expect(c.divergence!.found).toBe(true);
    expect(c.confirmed).toBe(true);
  });

  it('does not confirm when the final leg is stronger and no lower buy sits on it', () => {
    const c = handBuilt({ finalLegMacd: 3, lowerSignals: [[0, 'buy']] }).signals[0];
    expect(c.confirmed).toBe(false);
    expect(c.depth).toBe(0);
  });
});

describe('three levels from one feed (A-share minutes resampled to 5m and 30m)', () => {
  const minutes = readCsvRows('cn_sse000001_1m').slice(0, 240 * 60);
  const r = analyzeMultiLevelFromBase({ interval: '1m', bars: minutes }, ['30m', '5m', '1m'], { calendar: MARKETS.cn });

  it('resamples on the A-share sessions and analyses each level like a single-level run', () => {
    expect(r.levels.map((l) => l.interval)).toEqual(['30m', '5m', '1m']);
    const thirty = resample(
      minutes.map((m) => ({ ...m, time: ts(m.time) })),
      '30m',
      MARKETS.cn,
    );
    expect(r.levels[0].result.bars).toHaveLength(60 * 8);
    expect(r.levels[0].result.strokes).toEqual(analyze(toBarInputs(thirty)).strokes);
    expect(r.links.map((l) => [l.higher, l.lower])).toEqual([
      ['30m', '5m'],
      ['5m', '1m'],
    ]);
    expect(r.links.every((l) => l.unassignedLowerBars === 0)).toBe(true);
  });

  it('chains confirmations (区间套): depth 2 only through a middle signal that is itself confirmed', () => {
    const [top, mid] = r.links;
    const midById = new Map(mid.signals.map((s) => [s.signalId, s]));
    expect(top.signals.length).toBeGreaterThan(0);
    for (const c of top.signals) {
      expect(c.depth > 0).toBe(c.confirmed);
      const deeper = c.bySignals.some((s) => midById.get(s.id)?.confirmed === true);
      expect(c.depth).toBe(!c.confirmed ? 0 : deeper ? 2 : 1);
    }
    expect(top.signals.some((c) => c.depth >= 1)).toBe(true);
  });
});
