/**
 * Jobs bench: a scan of 500 symbols × 1,000 daily bars run locally through the synthesized state machine and the
 * real task handlers (dynalite as DynamoDB, in-process cache), then per-symbol cost measured one invocation at a
 * time (what Lambda would bill), and the cost/time model for 5,000 symbols on AWS derived from that figure.
 */
import { randomUUID } from 'node:crypto';
import { randomDaily, startJobsEnv } from '../test/jobs/fixtures.js';
import {
  runExecution,
  stateMachineDefinition,
  synthJobsStack,
  templateHandlers,
  type TaskHandler,
} from '../test/jobs/harness.js';
import { JOB_TASKS, STATES } from '../lib/jobs.js';

const SYMBOLS = 500;
const BARS = 1000;
const SAMPLE = 60;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const f1 = (x: number) => x.toFixed(1);
const usd = (x: number) => `$${x < 0.01 ? x.toFixed(4) : x.toFixed(2)}`;

export async function benchJobs(): Promise<string[]> {
  const out: string[] = [];
  const table = await startJobsEnv();
  try {
    const [{ getSeriesService, getDeps }, { JobRequestSchema }] = await Promise.all([
      import('../functions/common/deps.js'),
      import('../functions/jobs/model.js'),
    ]);
    const symbols = Array.from({ length: SYMBOLS }, (_, i) => `SYM${String(i).padStart(4, '0')}`);
    let t = performance.now();
    for (let i = 0; i < symbols.length; i += 10) {
      await Promise.all(
        symbols.slice(i, i + 10).map((s, k) => getSeriesService().upsert(s, '1d', randomDaily(BARS, 1000 + i + k))),
      );
    }
    out.push(
      `seeded ${SYMBOLS} symbols × ${BARS} daily bars into dynalite in ${f1((performance.now() - t) / 1000)} s (not part of the job)`,
    );

    t = performance.now();
    const synth = synthJobsStack();
    const def = stateMachineDefinition(synth.template);
    const handlers = await templateHandlers(synth.template, def);
    out.push(`synthesized the jobs stack and loaded the task handlers in ${f1((performance.now() - t) / 1000)} s`);

    // Time every AnalyzeSymbol call inside the run (concurrency 40 in one process: includes waiting).
    const inRun: number[] = [];
    const timed =
      (h: TaskHandler): TaskHandler =>
      async (input) => {
        const t0 = performance.now();
        try {
          return await h(input);
        } finally {
          inRun.push(performance.now() - t0);
        }
      };
    const params = JobRequestSchema.parse({ kind: 'scan', symbols, interval: '1d', bars: BARS, withinBars: 5 });
    const id = randomUUID();
    await getDeps().jobs.create({
      id,
      type: 'scan',
      status: 'QUEUED',
      input: params as unknown as Record<string, unknown>,
    });
    t = performance.now();
    const run = await runExecution(
      def,
      { ...handlers, [STATES.symbol]: timed(handlers[STATES.symbol]!) },
      { jobId: id, params },
    );
    const wall = performance.now() - t;
    if (run.error) throw run.error;
    const job = (await getDeps().jobs.get(id)) as unknown as {
      status: string;
      done: number;
      failed: number;
      result: { matched: number };
    };
    out.push(
      `scan job (local state machine, inline Map, concurrency 40): ${job.status}, ${job.done} symbols, ${job.failed} failed, ${job.result.matched} matched, ` +
        `wall ${f1(wall / 1000)} s = ${f1(wall / SYMBOLS)} ms per symbol (one Node thread)`,
    );

    // Per-symbol cost, one invocation at a time, as a Lambda would run it (warm: cache and engine loaded).
    const solo: number[] = [];
    const sym = handlers[STATES.symbol]!;
    for (const s of symbols.slice(0, SAMPLE)) {
      const t0 = performance.now();
      await sym({ jobId: id, symbol: s, params: { ...params, symbols: undefined } });
      solo.push(performance.now() - t0);
    }
    const { scanBars } = await import('../functions/jobs/analyses.js');
    const engine: number[] = [];
    for (let i = 0; i < 40; i++) {
      const bars = randomDaily(BARS, 5000 + i).map((b) => ({
        time: new Date(b.ts).toISOString().slice(0, 10),
        open: b.open,
        high: b.high,
        low: b.low,
        close: b.close,
      }));
      const t0 = performance.now();
      scanBars(
        bars,
        { signalTypes: ['1', '1p', '2', '2s', '3a', '3b'], sides: ['buy', 'sell'], levels: ['stroke'], withinBars: 5 },
        { preset: 'chanpy' },
      );
      engine.push(performance.now() - t0);
    }
    const perSymbol = pct(solo, 50);
    out.push(
      `per symbol (AnalyzeSymbol handler alone, ${SAMPLE} symbols): p50 ${f1(perSymbol)} ms, p95 ${f1(pct(solo, 95))} ms; ` +
        `engine alone (analyze 1,000 bars + filter): p50 ${f1(pct(engine, 50))} ms; the rest is reading ${BARS} bars and writing the result`,
    );

    // ---- cost and time model for 5,000 symbols on AWS (us-east-1 list prices, arm64) ----
    const N = 5000;
    const gb = JOB_TASKS.symbol.memorySize / 1024;
    // Lambda on Graviton runs this workload at roughly this machine's single-thread speed; add a margin for
    // network round trips to DynamoDB from inside the VPC (~5-10 ms each, 3-4 per symbol).
    const lambdaMs = perSymbol + 30;
    const gbs = N * gb * (lambdaMs / 1000);
    const lambdaCost = gbs * 0.0000133334 + (N + 4) * 0.2e-6;
    // Standard parent: ~6 transitions; distributed Map: each child execution is billed like a transition.
    const transitions = 6 + N;
    const sfnStandard = transitions * 0.000025;
    // Express children: $1 per million + $0.00001667 per GB-s at 64 MB, duration = the Lambda call + ~50 ms.
    const expressCost = N * 1e-6 + N * 0.0625 * ((lambdaMs + 50) / 1000) * 0.00001667;
    // Inline-only alternative (not used above 500): every item is ~2 transitions in the Standard parent.
    const inlineAlt = (6 + 2 * N) * 0.000025;
    // DynamoDB on-demand: per symbol a series-summary read, ~1,000 bars (~60 KB) in eventually consistent
    // queries, one ~1.5 KB result write and the progress counter; the aggregate reads every result once.
    const rru = N * (0.5 + Math.ceil(60 / 4) * 0.5) + Math.ceil((N * 1.5) / 4) * 0.5;
    const wru = N * (2 + 1) + 4;
    const ddb = rru * 0.125e-6 + wru * 0.625e-6;
    const logs = N * 6 * 400 * 0.5e-9; // ~6 log events × ~400 B per symbol at $0.50/GB ingested
    const total = lambdaCost + sfnStandard + expressCost + ddb + logs;
    out.push(
      `model, ${N} symbols × ${BARS} bars on AWS (distributed Map, EXPRESS children, Lambda arm64 ${JOB_TASKS.symbol.memorySize} MB):`,
    );
    out.push(`  Lambda: ${N} × ${f1(lambdaMs)} ms × ${gb.toFixed(2)} GB = ${f1(gbs)} GB-s → ${usd(lambdaCost)}`);
    out.push(
      `  Step Functions: Standard parent ${transitions} billed transitions → ${usd(sfnStandard)}; EXPRESS children → ${usd(expressCost)} (an all-inline run would be ${usd(inlineAlt)} and hit the 25,000-event history limit)`,
    );
    out.push(
      `  DynamoDB on-demand: ~${Math.round(rru)} RRU + ~${wru} WRU → ${usd(ddb)}; CloudWatch Logs (level ALL, no data) → ${usd(logs)}`,
    );
    out.push(`  total ≈ ${usd(total)} per 5,000-symbol scan (${usd((total / N) * 1000)} per 1,000 symbols)`);
    for (const c of [40, 100, 300]) {
      const seconds = Math.ceil(N / c) * ((lambdaMs + 80) / 1000) + 2;
      out.push(
        `  wall time at MaxConcurrency ${c}: ≈ ${f1(seconds)} s (+ ~1 s per cold-start wave; Lambda account concurrency must allow ${c})`,
      );
    }
  } finally {
    await table.close();
  }
  return out;
}
