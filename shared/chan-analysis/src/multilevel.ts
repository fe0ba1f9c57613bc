/**
 * Multi-level analysis (多级别, the basis of 区间套): several intervals of one symbol analysed together.
 *
 * chan.py only loads levels side by side (chan-spec §11) and leaves combining them to closed code. Here each
 * level is analysed on its own (the same `analyze` as a single level), then adjacent levels are linked:
 *
 * 1. Bar alignment. Every bar is turned into a window of real instants, so labels need no special cases:
 *    - intraday, start-labelled (crypto, US): [t, t + d); end-labelled (A-shares, chan.py): [t − d, t);
 *      consecutive windows are clipped against each other, so session-truncated buckets (a 2-hour morning in a
 *      4-hour A-share bar) cannot overlap the next one;
 *    - daily/weekly: the exchange's local calendar day(s) [local 00:00, local 00:00 + n days), DST-aware.
 *    A lower bar belongs to the higher bar whose window holds one instant strictly inside the lower bar (its
 *    start, or 1 ms before its end stamp, or local noon for a daily bar). On a 24-hour market a 00:00 bar is
 *    therefore the first bar of its day (start label) or the last bar of the previous day (end label), and
 *    never collides with chan.py's "00:00 means 23:59" rule (§2.3 quirk, §16 item 15).
 * 2. Stroke links. A higher stroke turns at the extreme of its begin and end bars; inside the lower level that
 *    turn is the lower bar holding the same extreme (latest on ties, like a peak bar, §4.3). The lower bars
 *    between the two turns are the stroke's lower span, and consecutive spans share exactly the turning bar.
 *    Each lower stroke goes to the one higher stroke whose span holds its midpoint, so every lower stroke has at
 *    most one parent and the children of a stroke are a contiguous run.
 * 3. Confirmation of each higher stroke buy/sell point (at the end of stroke L), by the lower structure inside
 *    L: (a) a lower signal of the same side on L's final lower leg or after it within the signal's own higher
 *    bar, or (b) lower-level divergence: the last lower stroke in L's direction makes a new extreme beyond the
 *    previous one with less MACD force (histogram area of its own sign) — the 背驰 that ends a move.
 *    With three levels the check is chained (区间套): a confirming lower signal is itself checked one level
 *    further down, and `depth` counts the levels that agree.
 */
import { parseTime } from './bar.js';
import { analyze, type AnalyzerOptions } from './chan.js';
import {
  INTERVAL_MINUTES,
  MARKETS,
  resample,
  toBarInputs,
  ZoneOffsets,
  type Interval,
  type MarketCalendar,
} from './resample.js';
import type { ChanResult, DirectionName, ResultBar, ResultLine, ResultSignal } from './result.js';
import type { BarInput, BspType } from './types.js';

export type BarLabel = 'start' | 'end';

export interface MultiLevelLevelInput {
  interval: Interval;
  bars: readonly BarInput[];
  /** How this level's bars are stamped. Default: the calendar's `barLabel` intraday, `start` for daily/weekly. */
  label?: BarLabel;
}

export interface MultiLevelOptions extends AnalyzerOptions {
  /** Market calendar (time zone, sessions, label convention). Default MARKETS.crypto (UTC, 24 hours). */
  calendar?: MarketCalendar;
}

/** One analysed level (highest interval first in results). */
export interface LevelAnalysis {
  interval: Interval;
  label: BarLabel;
  result: ChanResult;
}

export interface LowerSpan {
  /** Lower bar idx of the turn where the higher stroke begins / ends. */
  fromBar: number;
  toBar: number;
  from: string;
  to: string;
  /** Lower strokes assigned to this higher stroke (contiguous idx run); -1/-1 and count 0 when none. */
  firstStroke: number;
  lastStroke: number;
  count: number;
  /** An odd number of lower strokes, first and last in the higher stroke's direction: a textbook fit. */
  consistent: boolean;
}

export interface StrokeLink {
  idx: number;
  id: string;
  direction: DirectionName;
  begin: string;
  end: string;
  confirmed: boolean;
  /** null when the lower level does not cover both ends of the stroke (e.g. its history is shorter). */
  lower: LowerSpan | null;
}

export interface LowerSignalRef {
  id: string;
  time: string;
  types: BspType[];
  confirmed: boolean;
  lineIdx: number;
}

export interface LowerDivergence {
  /** Lower stroke idx of the previous and the last stroke in the higher stroke's direction. */
  prevStroke: number;
  lastStroke: number;
  prevForce: number;
  lastForce: number;
  /** lastForce / prevForce (< 1 = weaker). */
  rate: number;
  newExtreme: boolean;
  found: boolean;
}

export interface SignalConfirmation {
  signalId: string;
  time: string;
  side: 'buy' | 'sell';
  types: BspType[];
  /** The higher signal's own line confirmation (it can still vanish when false, chan-spec §12.8). */
  signalConfirmed: boolean;
  strokeIdx: number;
  /** false when the lower level does not cover the stroke: nothing can be said. */
  covered: boolean;
  bySignals: LowerSignalRef[];
  divergence: LowerDivergence | null;
  confirmed: boolean;
  /** Levels below that confirm in a chain (区间套): 0 = not confirmed; 2 = the lower and the one below it. */
  depth: number;
}

export interface LevelLink {
  higher: Interval;
  lower: Interval;
  /** Lower bars that fall in no higher bar (outside its history or in a gap). */
  unassignedLowerBars: number;
  strokes: StrokeLink[];
  signals: SignalConfirmation[];
}

export interface MultiLevelResult {
  /** Highest interval first. */
  levels: LevelAnalysis[];
  /** One per adjacent pair, highest pair first. */
  links: LevelLink[];
}

const DAY = 86_400_000;
const MINUTE = 60_000;

const isDateLevel = (interval: Interval) => INTERVAL_MINUTES[interval] >= 1440;

/**
 * The local date (days since epoch) a date-level bar stands for. Bars stamped at UTC midnight carry their
 * trading date that way (this system's and the resampler's convention); any other stamp is read as an instant
 * in the exchange's zone (1 ms before it for an end label, so a 00:00 close stamp is the previous day).
 */
function tradingDay(ts: number, label: BarLabel, zone: ZoneOffsets): number {
  if (ts % DAY === 0) return ts / DAY;
  const t = label === 'end' ? ts - 1 : ts;
  return Math.floor((t + zone.offset(t)) / DAY);
}

interface Windows {
  start: Float64Array;
  end: Float64Array;
}

/** Half-open instant windows of a level's bars (see the module comment). */
export function barWindows(
  bars: readonly { ts: number }[],
  interval: Interval,
  label: BarLabel,
  calendar: MarketCalendar = MARKETS.crypto,
): Windows {
  const n = bars.length;
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const zone = new ZoneOffsets(calendar.timeZone);
  if (isDateLevel(interval)) {
    const days = Math.round(INTERVAL_MINUTES[interval] / 1440);
    for (let i = 0; i < n; i++) {
      const d = tradingDay(bars[i].ts, label, zone);
      // A weekly bar stamped at its start covers its date onwards; stamped at its end, the days up to its date.
      const first = label === 'start' ? d : d + 1 - days;
      start[i] = zone.toInstant(first * DAY);
      end[i] = zone.toInstant((first + days) * DAY);
    }
  } else {
    const d = INTERVAL_MINUTES[interval] * MINUTE;
    for (let i = 0; i < n; i++) {
      const t = bars[i].ts;
      if (label === 'start') {
        start[i] = t;
        end[i] = t + d;
      } else {
        start[i] = t - d;
        end[i] = t;
      }
    }
  }
  // Clip so windows never overlap (session-truncated buckets, irregular stamps).
  for (let i = 1; i < n; i++) {
    if (label === 'start') {
      if (end[i - 1] > start[i]) end[i - 1] = start[i];
    } else if (start[i] < end[i - 1]) start[i] = end[i - 1];
  }
  return { start, end };
}

/** One instant strictly inside each bar, for placing it in a higher level's windows. */
export function barPoints(
  bars: readonly { ts: number }[],
  interval: Interval,
  label: BarLabel,
  calendar: MarketCalendar = MARKETS.crypto,
): Float64Array {
  const out = new Float64Array(bars.length);
  if (isDateLevel(interval)) {
    const w = barWindows(bars, interval, label, calendar);
    // Local noon of the first day: inside the day whatever the zone's offset.
    for (let i = 0; i < bars.length; i++) out[i] = w.start[i] + DAY / 2;
  } else {
    for (let i = 0; i < bars.length; i++) out[i] = label === 'start' ? bars[i].ts : bars[i].ts - 1;
  }
  return out;
}

/** Parent (higher bar idx) of every lower bar, -1 when none; both inputs in time order (two pointers). */
export function assignBars(lowerPoints: Float64Array, higher: Windows): Int32Array {
  const parent = new Int32Array(lowerPoints.length).fill(-1);
  const m = higher.start.length;
  let j = 0;
  for (let i = 0; i < lowerPoints.length; i++) {
    const p = lowerPoints[i];
    while (j < m && higher.end[j] <= p) j++;
    if (j < m && higher.start[j] <= p) parent[i] = j;
  }
  return parent;
}

function indexByTs(bars: readonly ResultBar[]): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < bars.length; i++) m.set(bars[i].ts, i);
  return m;
}

/** MACD force of a stroke: histogram area of the stroke's own sign (down strokes: the negative bars). */
function strokeForce(bars: readonly ResultBar[], from: number, to: number, dir: DirectionName): number {
  let s = 0;
  for (let i = from; i <= to; i++) {
    const h = bars[i].macd;
    if (dir === 'up' ? h > 0 : h < 0) s += Math.abs(h);
  }
  return s;
}

interface PairState {
  link: LevelLink;
  /** For chaining: confirmation by lower signal id. */
  bySignalId: Map<string, SignalConfirmation>;
}

function linkPair(hi: LevelAnalysis, lo: LevelAnalysis, calendar: MarketCalendar): PairState {
  const hb = hi.result.bars;
  const lb = lo.result.bars;
  if (hb.length === 0 || lb.length === 0) {
    // The per-bar arrays are needed (times and MACD); structuresOnly results cannot be linked.
    if (hi.result.meta.barCount > 0 && lo.result.meta.barCount > 0)
      throw new Error('linkLevels needs results with bars (not structuresOnly)');
  }
  const parent = assignBars(
    barPoints(lb, lo.interval, lo.label, calendar),
    barWindows(hb, hi.interval, hi.label, calendar),
  );
  const first = new Int32Array(hb.length).fill(-1);
  const last = new Int32Array(hb.length).fill(-1);
  let unassigned = 0;
  for (let i = 0; i < parent.length; i++) {
    const p = parent[i];
    if (p < 0) {
      unassigned++;
      continue;
    }
    if (first[p] < 0) first[p] = i;
    last[p] = i;
  }
  /** The lower bar holding a higher bar's extreme (latest on ties); -1 when the bar has no lower bars. */
  const turn = (h: number, top: boolean): number => {
    if (first[h] < 0) return -1;
    let best = first[h];
    for (let i = first[h] + 1; i <= last[h]; i++) {
      if (top ? lb[i].high >= lb[best].high : lb[i].low <= lb[best].low) best = i;
    }
    return best;
  };

  const hIdx = indexByTs(hb);
  const lIdx = indexByTs(lb);
  const lowerStrokes = lo.result.strokes;
  const lsBegin = lowerStrokes.map((s) => lIdx.get(s.beginTs)!);
  const lsEnd = lowerStrokes.map((s) => lIdx.get(s.endTs)!);

  // Spans of the higher strokes, then the midpoint assignment (both sequences are in time order).
  const spans: Array<[number, number] | null> = hi.result.strokes.map((s) => {
    const b = hIdx.get(s.beginTs)!;
    const e = hIdx.get(s.endTs)!;
    const up = s.direction === 'up';
    const from = turn(b, !up);
    const to = turn(e, up);
    return from < 0 || to < 0 || to < from ? null : [from, to];
  });
  const firstChild = new Int32Array(spans.length).fill(-1);
  const lastChild = new Int32Array(spans.length).fill(-1);
  let k = 0;
  for (let j = 0; j < lowerStrokes.length; j++) {
    const mid = (lsBegin[j] + lsEnd[j]) / 2;
    while (k < spans.length && (spans[k] === null || spans[k]![1] <= mid)) k++;
    if (k >= spans.length) break;
    const sp = spans[k]!;
    if (sp[0] <= mid && mid < sp[1]) {
      if (firstChild[k] < 0) firstChild[k] = j;
      lastChild[k] = j;
    }
  }

  const strokes: StrokeLink[] = hi.result.strokes.map((s: ResultLine, i) => {
    const sp = spans[i];
    let lower: LowerSpan | null = null;
    if (sp) {
      const f = firstChild[i];
      const l = lastChild[i];
      const count = f < 0 ? 0 : l - f + 1;
      lower = {
        fromBar: sp[0],
        toBar: sp[1],
        from: lb[sp[0]].time,
        to: lb[sp[1]].time,
        firstStroke: f,
        lastStroke: l,
        count,
        consistent:
          count % 2 === 1 && lowerStrokes[f].direction === s.direction && lowerStrokes[l].direction === s.direction,
      };
    }
    return { idx: s.idx, id: s.id, direction: s.direction, begin: s.begin, end: s.end, confirmed: s.confirmed, lower };
  });

  const lowerSignals = lo.result.strokeSignals.map((sig) => ({ sig, bar: lIdx.get(sig.ts)! }));
  const signals: SignalConfirmation[] = hi.result.strokeSignals.map((sig: ResultSignal) => {
    const link = strokes[sig.lineIdx];
    const base = {
      signalId: sig.id,
      time: sig.time,
      side: sig.side,
      types: [...sig.types],
      signalConfirmed: sig.confirmed,
      strokeIdx: sig.lineIdx,
    };
    const span = link?.lower;
    if (!span) return { ...base, covered: false, bySignals: [], divergence: null, confirmed: false, depth: 0 };
    const dir = link.direction;
    // (a) Same-side lower signals on the final lower leg into the turn, or after it within the signal's bar.
    const sigBar = hIdx.get(sig.ts)!;
    const windowEnd = last[sigBar] >= 0 ? last[sigBar] : span.toBar;
    const windowStart = span.count > 0 ? lsBegin[span.lastStroke] : span.fromBar;
    const bySignals: LowerSignalRef[] = lowerSignals
      .filter(({ sig: s, bar }) => s.side === sig.side && bar >= windowStart && bar <= windowEnd)
      .map(({ sig: s }) => ({
        id: s.id,
        time: s.time,
        types: [...s.types],
        confirmed: s.confirmed,
        lineIdx: s.lineIdx,
      }));
    // (b) Divergence between the last two lower strokes in the higher stroke's direction.
    let divergence: LowerDivergence | null = null;
    if (span.count > 0) {
      const same: number[] = [];
      for (let j = span.lastStroke; j >= span.firstStroke && same.length < 2; j--)
        if (lowerStrokes[j].direction === dir) same.push(j);
      if (same.length === 2) {
        const [lastS, prevS] = same;
        const a = lowerStrokes[prevS];
        const b = lowerStrokes[lastS];
        const prevForce = strokeForce(lb, lsBegin[prevS], lsEnd[prevS], dir);
        const lastForce = strokeForce(lb, lsBegin[lastS], lsEnd[lastS], dir);
        const newExtreme = dir === 'down' ? b.low < a.low : b.high > a.high;
        const rate = prevForce > 0 ? lastForce / prevForce : lastForce > 0 ? Infinity : 1;
        divergence = {
          prevStroke: prevS,
          lastStroke: lastS,
          prevForce,
          lastForce,
          rate,
          newExtreme,
          found: newExtreme && lastForce < prevForce,
        };
      }
    }
    const confirmed = bySignals.length > 0 || divergence?.found === true;
    return { ...base, covered: true, bySignals, divergence, confirmed, depth: confirmed ? 1 : 0 };
  });

  const bySignalId = new Map(signals.map((s) => [s.signalId, s]));
  return {
    link: { higher: hi.interval, lower: lo.interval, unassignedLowerBars: unassigned, strokes, signals },
    bySignalId,
  };
}

/** Links analysed levels (any order; sorted highest first). Pure: no engine run. */
export function linkLevels(levels: readonly LevelAnalysis[], calendar: MarketCalendar = MARKETS.crypto): LevelLink[] {
  const sorted = [...levels].sort((a, b) => INTERVAL_MINUTES[b.interval] - INTERVAL_MINUTES[a.interval]);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].interval === sorted[i - 1].interval)
      throw new Error(`linkLevels: interval ${sorted[i].interval} given twice`);
  }
  const pairs: PairState[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) pairs.push(linkPair(sorted[i], sorted[i + 1], calendar));
  // Chain (区间套): bottom-up, a confirmation by lower signals deepens by the best depth among those signals.
  for (let i = pairs.length - 2; i >= 0; i--) {
    const below = pairs[i + 1].bySignalId;
    for (const c of pairs[i].link.signals) {
      if (!c.confirmed) continue;
      let extra = 0;
      for (const s of c.bySignals) extra = Math.max(extra, below.get(s.id)?.depth ?? 0);
      c.depth = 1 + extra;
    }
  }
  return pairs.map((p) => p.link);
}

function defaultLabel(interval: Interval, calendar: MarketCalendar): BarLabel {
  return isDateLevel(interval) ? 'start' : calendar.barLabel;
}

function engineOptions(options: MultiLevelOptions): AnalyzerOptions {
  const { calendar: _c, ...rest } = options;
  return rest;
}

/** Analyse bars given per interval (2 or more levels of one symbol) and link them. */
export function analyzeMultiLevel(
  levels: readonly MultiLevelLevelInput[],
  options: MultiLevelOptions = {},
): MultiLevelResult {
  if (levels.length < 2) throw new Error('analyzeMultiLevel needs at least two intervals');
  const calendar = options.calendar ?? MARKETS.crypto;
  const opts = engineOptions(options);
  const analysed: LevelAnalysis[] = levels.map((l) => ({
    interval: l.interval,
    label: l.label ?? defaultLabel(l.interval, calendar),
    result: analyze(l.bars, opts),
  }));
  const sorted = analysed.sort((a, b) => INTERVAL_MINUTES[b.interval] - INTERVAL_MINUTES[a.interval]);
  return { levels: sorted, links: linkLevels(sorted, calendar) };
}

/**
 * Analyse the lowest interval's bars and the higher intervals resampled from them on the market's calendar
 * (chan.py's depth-first loading, §11, from one feed). `intervals` may include `base.interval` or not.
 */
export function analyzeMultiLevelFromBase(
  base: { interval: Interval; bars: readonly BarInput[]; label?: BarLabel },
  intervals: readonly Interval[],
  options: MultiLevelOptions = {},
): MultiLevelResult {
  const calendar = options.calendar ?? MARKETS.crypto;
  const baseMinutes = INTERVAL_MINUTES[base.interval];
  for (const iv of intervals) {
    if (INTERVAL_MINUTES[iv] < baseMinutes)
      throw new Error(`cannot resample ${base.interval} bars to the lower interval ${iv}`);
  }
  // The resampler needs epoch times and places end-stamped bars by the calendar's convention.
  const baseLabel = base.label ?? defaultLabel(base.interval, calendar);
  const timed = base.bars.map((b) => ({ ...b, time: parseTime(b.time) }));
  const resampleCalendar: MarketCalendar = { ...calendar, barLabel: baseLabel };
  const levels: MultiLevelLevelInput[] = [{ interval: base.interval, bars: base.bars, label: baseLabel }];
  for (const iv of new Set(intervals)) {
    if (iv === base.interval) continue;
    // Resampled intraday bars carry the calendar's own label convention; daily/weekly carry dates.
    const out = resample(timed, iv, { ...resampleCalendar });
    levels.push({ interval: iv, bars: toBarInputs(out), label: isDateLevel(iv) ? 'start' : baseLabel });
  }
  return analyzeMultiLevel(levels, options);
}
