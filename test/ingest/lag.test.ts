/**
 * IngestionLag on the schedules the stack deploys (lib/ingestion.ts FAMILY_SCHEDULES): the real dispatcher and
 * worker against dynalite and the fake Binance, on a virtual clock that ticks each family's rule. A healthy
 * series of every interval reports ~0 at every tick; a stalled one crosses the critical alarm's threshold
 * (lib/monitoring.ts) in every 5-minute period, so the alarm's 2-of-2 evaluation fires.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FAMILY_SCHEDULES } from '../../lib/ingestion.js';
import { loadMonitoringConfig } from '../../lib/monitoring.js';
import { dispatch } from '../../functions/ingest/dispatcher.js';
import {
  floorToInterval,
  INTERVAL_FAMILIES,
  INTERVAL_MS,
  type IngestInterval,
  type IntervalFamily,
} from '../../functions/ingest/intervals.js';
import { retime } from '../support/fake-provider.js';
import { drain } from '../support/sqs-standin.js';
import { sse1m } from './fixtures.js';
import { startHarness, type Harness } from './harness.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The critical ingestion-lag alarm: Maximum over 5 minutes, 2 of 2 periods (lib/monitoring.ts). */
const ALARM = { threshold: loadMonitoringConfig(undefined).critical.ingestionLagSeconds, periodMs: 5 * MINUTE, n: 2 };

/** Minutes of the hour a family's rule fires at, read from the deployed schedule expression. */
function tickMinutes(family: IntervalFamily): Set<number> {
  const expr = FAMILY_SCHEDULES[family].expressionString;
  const rate = /^rate\((\d+) minutes?\)$/.exec(expr);
  if (rate) return new Set(Array.from({ length: 60 / Number(rate[1]) }, (_, i) => i * Number(rate[1])));
  const cron = /^cron\((\S+) (\S+) /.exec(expr);
  if (!cron || cron[2] !== '*') throw new Error(`schedule ${expr}: only every-hour minute patterns are modelled`);
  const [start, step] = cron[1]!.split('/').map(Number) as [number, number | undefined];
  const out = new Set<number>();
  for (let m = start; m < 60; m += step ?? 60) out.add(m);
  return out;
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const SYM = 'BTCUSDT';

/** A harness tracking SYM on `intervals`, its source running from well before `from` to well after `to`. */
async function track(intervals: IngestInterval[], from: number, to: number): Promise<Harness> {
  const hh = await startHarness({ now: from, limits: { defaultHistoryBars: 3 } });
  const prices = sse1m();
  for (const iv of intervals) {
    const start = floorToInterval(from - 10 * INTERVAL_MS[iv], iv);
    hh.fake.setSeries(SYM, iv, retime(prices, start, INTERVAL_MS[iv], Math.ceil((to - start) / INTERVAL_MS[iv]) + 10));
  }
  await hh.symbols.put({ symbol: SYM, provider: 'binance', intervals, active: true });
  return hh;
}

interface Sample {
  at: number;
  family: IntervalFamily;
  lag: number;
}

/** Runs every family's ticks between `from` and `to` (minute steps); the worker drains after each tick if `work`. */
async function run(hh: Harness, from: number, to: number, families: IntervalFamily[], work = () => true) {
  const ticks = families.map((f) => [f, tickMinutes(f)] as const);
  const samples: Sample[] = [];
  for (let t = from; t < to; t += MINUTE) {
    for (const [family, minutes] of ticks) {
      if (!minutes.has(new Date(t).getUTCMinutes())) continue;
      hh.clock.now = hh.fake.now = t;
      const r = await dispatch(family, hh.dispatcherDeps);
      samples.push({ at: t, family, lag: r.lagSeconds });
      if (work()) await drain(hh.queue, hh.clock, hh.worker);
      expect(hh.queue.dlq).toHaveLength(0);
    }
  }
  return samples;
}

/** CloudWatch's view: Maximum per period, and the first time n consecutive periods are above the threshold. */
function alarmFiresAt(samples: Sample[]): number | undefined {
  const max = new Map<number, number>();
  for (const s of samples) {
    const p = Math.floor(s.at / ALARM.periodMs) * ALARM.periodMs;
    max.set(p, Math.max(max.get(p) ?? 0, s.lag));
  }
  const periods = [...max.keys()].sort((a, b) => a - b);
  let run = 0;
  for (const p of periods) {
    run = max.get(p)! > ALARM.threshold ? run + 1 : 0;
    if (run >= ALARM.n) return p + ALARM.periodMs;
  }
  return undefined;
}

// Monday 2026-11-02 00:00 UTC, so the daily run sees two weekly bars close.
const T0 = Date.UTC(2026, 10, 2);

describe('IngestionLag', () => {
  it('reads the tick minutes from the deployed schedules', () => {
    expect(tickMinutes('minute').size).toBe(60);
    expect([...tickMinutes('quarter')]).toEqual([1, 16, 31, 46]);
    expect([...tickMinutes('daily')]).toEqual([2]);
  });

  it.each([
    ['minute', 40 * MINUTE],
    ['quarter', 8 * HOUR + 5 * MINUTE],
    ['daily', 7 * DAY + HOUR],
  ] as const)('a healthy series of every %s-family interval reports ~0 at every tick', async (family, span) => {
    const intervals = [...INTERVAL_FAMILIES[family].intervals];
    h = await track(intervals, T0, T0 + span);
    const samples = await run(h, T0, T0 + span, [family]);
    // Each interval ran: its checkpoint is at the newest closed bar.
    for (const iv of intervals) {
      const cp = await h.checkpoints.get(SYM, iv);
      expect(cp?.nextOpenTime, iv).toBe(floorToInterval(T0 + span - MINUTE, iv));
    }
    expect(samples.length).toBeGreaterThan(20);
    // Before the fix the 4h series reported up to 4 h and the weekly one up to 7 days here.
    expect(Math.max(...samples.map((s) => s.lag))).toBeLessThanOrEqual(60);
    expect(alarmFiresAt(samples)).toBeUndefined();
  });

  it('a stalled daily series crosses the threshold in every 5-minute period, and the 2-of-2 alarm fires', async () => {
    const lastRun = T0 + DAY + 2 * MINUTE; // the 00:02 daily run of day 1; the worker stops after it
    const late = lastRun + DAY + ALARM.threshold * 1000;
    // Minute ticks (one dispatch a minute) only around the moment it becomes late, to keep the test short.
    const window = late - HOUR;
    const end = late + HOUR;
    h = await track(['1d'], T0, end);
    const hh = h;
    const working = () => hh.clock.now <= lastRun;
    const samples = [
      ...(await run(hh, T0, window, ['daily'], working)),
      ...(await run(hh, window, end, ['minute', 'daily'], working)),
    ];
    expect((await hh.checkpoints.get(SYM, '1d'))!.lastRunAt).toBe(lastRun);

    // On time until a day plus the threshold after that run; from then on, every tick of every family says so.
    expect(Math.max(...samples.filter((s) => s.at <= late).map((s) => s.lag))).toBeLessThanOrEqual(ALARM.threshold);
    const after = samples.filter((s) => s.at > late);
    expect(after.filter((s) => s.family === 'minute').length).toBeGreaterThanOrEqual(59);
    for (const s of after) expect(s.lag, new Date(s.at).toISOString()).toBeGreaterThan(ALARM.threshold);
    const fired = alarmFiresAt(samples);
    expect(fired).toBeGreaterThan(late);
    expect(fired).toBeLessThanOrEqual(late + 2 * ALARM.periodMs + MINUTE);
  });
});
