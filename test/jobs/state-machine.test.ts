/**
 * The jobs workflow end to end, locally: the definition from the synthesized template, run by
 * aws-local-stepfunctions with the real task handlers against dynalite, for all three job kinds, with a
 * failing symbol (Catch), a throttled task (Retry), the distributed Map for a large universe, and job-level
 * failures. Results are checked against the engine run directly on the same bars.
 */
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from 'chan-analysis';
import { STATES } from '../../lib/jobs.js';
import type { StoredBar } from '../../functions/common/domain.js';
import type { JobParams } from '../../functions/jobs/model.js';
import { backtestBars, scanBars } from '../../functions/jobs/analyses.js';
import { fixtureBars, randomDaily, startJobsEnv, storeSeries } from './fixtures.js';
import {
  runExecution,
  stateMachineDefinition,
  synthJobsStack,
  templateHandlers,
  type Json,
  type RunReport,
  type TaskHandler,
} from './harness.js';
import type { TestTable } from '../support/dynalite.js';

const aslValidator = createRequire(import.meta.url)('asl-validator') as (
  def: unknown,
  opts?: Record<string, unknown>,
) => { isValid: boolean; errorsText: (sep?: string) => string };

let table: TestTable;
let def: Json;
let handlers: Record<string, TaskHandler>;
const series: Record<string, StoredBar[]> = {};

const asInput = (bars: StoredBar[]) =>
  bars.map((b) => ({
    time: new Date(b.ts).toISOString().slice(0, 10),
    open: b.open,
    high: b.high,
    low: b.low,
    close: b.close,
    volume: b.volume!,
  }));

beforeAll(async () => {
  table = await startJobsEnv();
  const synth = synthJobsStack();
  def = stateMachineDefinition(synth.template);
  handlers = await templateHandlers(synth.template, def);
  series.SPY = fixtureBars('us_spy_1d').slice(-1000);
  series['000001.SH'] = fixtureBars('cn_sse000001_1d').slice(-800);
  series.SYN1 = randomDaily(700, 11);
  series.SYN2 = randomDaily(700, 22);
  for (const [s, bars] of Object.entries(series)) await storeSeries(s, '1d', bars);
  await storeSeries('SPY', '1h', fixtureBars('us_spy_1h').slice(-7 * 400));
  const { getDeps } = await import('../../functions/common/deps.js');
  await getDeps().watchlists.put('core', ['SPY', '000001.SH', 'NOPE']);
});

afterAll(async () => {
  await table?.close();
});

async function job(
  params: Json,
  wrap: Record<string, (h: TaskHandler) => TaskHandler> = {},
): Promise<{ id: string; run: RunReport; job: Json; results: Json[] }> {
  const { getDeps } = await import('../../functions/common/deps.js');
  const { JobRequestSchema } = await import('../../functions/jobs/model.js');
  const parsed = JobRequestSchema.parse(params) as JobParams;
  const id = randomUUID();
  // What POST /api/v1/jobs does before StartExecution.
  await getDeps().jobs.create({
    id,
    type: parsed.kind,
    status: 'QUEUED',
    input: parsed as unknown as Record<string, unknown>,
  });
  const hs = Object.fromEntries(Object.entries(handlers).map(([k, h]) => [k, wrap[k] ? wrap[k](h) : h]));
  const run = await runExecution(def, hs, { jobId: id, params: parsed });
  const results: Json[] = [];
  for await (const r of getDeps().jobResults.all(id)) results.push(r);
  return { id, run, job: await getDeps().jobs.get(id), results };
}

/** The execution's own failure (the Fail state's error), from the event log. */
const failedWith = (run: RunReport) =>
  run.events.find((e) => e.type === 'ExecutionFailed')?.Error as string | undefined;

const entered = (run: RunReport, name: string) =>
  run.events.filter((e) => e.type === 'StateEntered' && e.state?.name === name);

describe('definition', () => {
  it('passes asl-validator and uses JSONPath only (no JSONata states the local interpreter would skip)', () => {
    const r = aslValidator(def);
    expect(r.isValid, r.errorsText('\n')).toBe(true);
    const text = JSON.stringify(def);
    expect(text).not.toContain('JSONata');
    expect(text).not.toContain('"Arguments"');
  });

  it('maps every Task state to the task Lambda the construct built for it', () => {
    expect(Object.keys(handlers).sort()).toEqual(
      [
        STATES.prepare,
        STATES.multilevel,
        STATES.symbol,
        STATES.recordFailure,
        STATES.symbolDistributed,
        STATES.recordFailureDistributed,
        STATES.aggregate,
        STATES.markFailed,
      ].sort(),
    );
  });
});

describe('scan', () => {
  it('scans a named watchlist; the symbol without bars fails alone (Catch) and the job succeeds', async () => {
    const { run, job: j, results } = await job({ kind: 'scan', watchlist: 'core', interval: '1d', withinBars: 60 });
    expect(run.error).toBeUndefined();
    expect(entered(run, STATES.map)).toHaveLength(1);
    expect(entered(run, STATES.recordFailure)).toHaveLength(1);
    expect(j.status).toBe('SUCCEEDED');
    expect([j.total, j.done, j.failed]).toEqual([3, 3, 1]);
    const bySymbol = Object.fromEntries(results.map((r) => [r.symbol, r]));
    expect(bySymbol.NOPE).toMatchObject({ ok: false });
    expect(bySymbol.NOPE.error).toMatch(/^NoBarsError: no bars stored for NOPE/);
    // Each stored result is what the engine finds on the same bars.
    const params = {
      signalTypes: ['1', '1p', '2', '2s', '3a', '3b'] as const,
      sides: ['buy', 'sell'] as const,
      levels: ['stroke'] as const,
      withinBars: 60,
    };
    for (const s of ['SPY', '000001.SH']) {
      const expected = scanBars(
        asInput(series[s]!),
        { ...params, signalTypes: [...params.signalTypes], sides: [...params.sides], levels: [...params.levels] },
        { preset: 'chanpy' },
      );
      expect(bySymbol[s].ok).toBe(true);
      expect(bySymbol[s].data).toEqual(expected);
      expect(bySymbol[s].matched).toBe(expected.matched);
    }
    expect(j.result.matched).toBe(results.filter((r) => r.matched).length);
    expect(j.result.failed).toBe(1);
    expect(j.result.errors).toEqual([{ symbol: 'NOPE', error: bySymbol.NOPE.error }]);
  });

  it('filters by signal type, side and recency exactly like the engine output says', async () => {
    const { job: j, results } = await job({
      kind: 'scan',
      symbols: ['SPY', 'SYN1', 'SYN2'],
      interval: '1d',
      signalTypes: ['2', '3b'],
      sides: ['buy'],
      withinBars: 200,
      levels: ['stroke', 'segment'],
    });
    expect(j.status).toBe('SUCCEEDED');
    for (const r of results) {
      const full = analyze(asInput(series[r.symbol]!));
      const n = full.bars.length;
      const want = [
        ...full.strokeSignals.map((s) => ({ level: 'stroke', s })),
        ...full.segmentSignals.map((s) => ({ level: 'segment', s })),
      ].filter(
        ({ s }) =>
          s.side === 'buy' &&
          s.types.some((t) => t === '2' || t === '3b') &&
          n - 1 - full.bars.findIndex((b) => b.ts === s.ts) < 200,
      );
      expect(r.data.signals).toHaveLength(want.length);
      for (const sig of r.data.signals) expect(sig.side).toBe('buy');
    }
  });

  it('retries a throttled task with backoff and loses nothing', async () => {
    let throttled = 0;
    const once =
      (h: TaskHandler): TaskHandler =>
      async (input) => {
        if (input.symbol === 'SPY' && throttled === 0) {
          throttled++;
          // What Step Functions reports when Lambda refuses the invoke for lack of concurrency.
          throw Object.assign(new Error('Rate Exceeded.'), { name: 'Lambda.TooManyRequestsException' });
        }
        return h(input);
      };
    const {
      run,
      job: j,
      results,
    } = await job({ kind: 'scan', symbols: ['SPY', 'SYN1'], interval: '1d' }, { [STATES.symbol]: once });
    expect(throttled).toBe(1);
    const retried = run.events.filter((e) => e.type === 'StateRetried' && e.state?.name === STATES.symbol);
    expect(retried).toHaveLength(1);
    expect(retried[0].retry.retrier.ErrorEquals).toContain('Lambda.TooManyRequestsException');
    expect(entered(run, STATES.recordFailure)).toHaveLength(0);
    expect(j.status).toBe('SUCCEEDED');
    expect(results.every((r) => r.ok)).toBe(true);
    expect([j.done, j.failed]).toEqual([2, 0]);
  });

  it('runs a universe above 500 symbols in the DISTRIBUTED Map', async () => {
    const symbols = ['SPY', 'SYN1', ...Array.from({ length: 499 }, (_, i) => `MISSING${i}`)];
    const { run, job: j } = await job({ kind: 'scan', symbols, interval: '1d' });
    expect(run.error).toBeUndefined();
    expect(entered(run, STATES.mapDistributed)).toHaveLength(1);
    expect(entered(run, STATES.map)).toHaveLength(0);
    expect(entered(run, STATES.recordFailureDistributed)).toHaveLength(499);
    expect(j.status).toBe('SUCCEEDED');
    expect([j.total, j.done, j.failed]).toEqual([501, 501, 499]);
  });

  it('fails the job (MarkFailed) when the universe cannot be resolved', async () => {
    const { run, job: j } = await job({ kind: 'scan', watchlist: 'nosuchlist', interval: '1d' });
    expect(failedWith(run)).toBe('JobFailed');
    expect(entered(run, STATES.markFailed)).toHaveLength(1);
    expect(j.status).toBe('FAILED');
    expect(j.error).toMatch(/^JobInputError: unknown watchlist "nosuchlist"/);
  });
});

describe('backtest', () => {
  it('replays bar by bar: forward returns per type, hit rates, and vanished provisional signals', async () => {
    const {
      run,
      job: j,
      results,
    } = await job({ kind: 'backtest', symbols: ['SPY', 'SYN1', 'NOPE'], interval: '1d', horizons: [5, 20], bars: 500 });
    expect(run.error).toBeUndefined();
    expect(j.status).toBe('SUCCEEDED');
    expect([j.done, j.failed]).toEqual([3, 1]);
    const spy = results.find((r) => r.symbol === 'SPY')!;
    const bars = asInput(series.SPY!.slice(-500));
    expect(spy.data).toEqual(
      backtestBars(bars, { horizons: [5, 20], signalTypes: ['1', '1p', '2', '2s', '3a', '3b'] }, { preset: 'chanpy' }),
    );
    // The signals still reported after the last bar are exactly the batch analysis of all the bars.
    const t = spy.data.totals;
    expect(t.signals - t.vanished).toBe(analyze(bars).strokeSignals.length);
    expect(t.vanished).toBeGreaterThan(0);
    expect(t.provisionalVanished).toBeLessThanOrEqual(t.provisional);
    // The summary adds the symbols up and turns sums into rates.
    const s = j.result;
    expect(s.symbols).toBe(2);
    const syn = results.find((r) => r.symbol === 'SYN1')!.data;
    expect(s.totals.signals).toBe(t.signals + syn.totals.signals);
    expect(s.totals.provisionalVanishedShare).toBeCloseTo(
      (t.provisionalVanished + syn.totals.provisionalVanished) / (t.signals + syn.totals.signals),
    );
    for (const st of Object.values(s.byType) as Json[]) {
      for (const h of ['5', '20']) {
        expect(st.horizons[h].n).toBeLessThanOrEqual(st.signals);
        if (st.horizons[h].n > 0) expect(st.horizons[h].hitRate).toBeGreaterThanOrEqual(0);
        if (st.horizons[h].n > 0) expect(st.horizons[h].hitRate).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('multilevel', () => {
  it('links SPY daily strokes to hourly strokes (stored series) and checks each daily signal', async () => {
    const {
      run,
      job: j,
      results,
    } = await job({ kind: 'multilevel', symbol: 'SPY', intervals: ['1h', '1d'], market: 'us', bars: 1000 });
    expect(run.error).toBeUndefined();
    expect(entered(run, STATES.multilevel)).toHaveLength(1);
    expect(j.status).toBe('SUCCEEDED');
    const data = results[0].data;
    expect(data.levels.map((l: Json) => l.interval)).toEqual(['1d', '1h']);
    const link = data.links[0];
    expect([link.higher, link.lower]).toEqual(['1d', '1h']);
    expect(link.strokes.some((s: Json) => s.lower !== null)).toBe(true);
    for (const c of link.signals) expect(c.confirmed).toBe(c.bySignals.length > 0 || c.divergence?.found === true);
    expect(j.result.links[0]).toEqual({
      higher: '1d',
      lower: '1h',
      signals: link.signalCount,
      confirmed: link.confirmedSignals,
    });
  });

  it('resamples from the lowest interval when asked', async () => {
    const { job: j, results } = await job({
      kind: 'multilevel',
      symbol: 'SPY',
      intervals: ['1d', '1h'],
      source: 'resample',
      market: 'us',
      bars: 2000,
    });
    expect(j.status).toBe('SUCCEEDED');
    const [d, h] = results[0].data.levels;
    expect(h.barCount).toBe(2000);
    // 2,000 hourly bars of 7 per session: the days they cover.
    expect(d.barCount).toBeGreaterThanOrEqual(Math.floor(2000 / 7));
    expect(d.barCount).toBeLessThanOrEqual(Math.ceil(2000 / 7) + 2);
  });

  it('fails the job when a level has no bars', async () => {
    const { run, job: j } = await job({ kind: 'multilevel', symbol: 'SYN1', intervals: ['1h', '1d'] });
    expect(failedWith(run)).toBe('JobFailed');
    expect(j.status).toBe('FAILED');
    expect(j.error).toMatch(/NoBarsError: no bars stored for SYN1 at 1h/);
  });
});
