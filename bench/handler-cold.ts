/**
 * A Lambda cold start as the analysis function pays it, on this machine: a fresh Node process loads the handler
 * bundle built exactly as the stack deploys it (lib/bundling.ts: minified ESM, AWS SDK external), then serves its
 * first `GET /api/v1/analysis/SPY?interval=1d` over 5,000 daily bars (series summary and buckets read from
 * dynalite, the engine run, the response serialized; no cache: the in-process LRU starts empty), then a second,
 * identical request (an analysis cache hit) for comparison. Median of RUNS processes.
 * Not counted: the Lambda runtime's own start-up and the network to DynamoDB/ElastiCache (in a VPC each store
 * round trip is a few ms, which the bucket reads pay once per bucket).
 */
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { esbuildOptions } from '../lib/bundling.js';
import { lambdaContext, proxyEvent } from '../local/proxy-event.js';
import { startService } from '../test/support/service.js';
import { median } from './stats.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const N_BARS = 5000;
const RUNS = 7;

/** The child: load the bundle, invoke twice, print the timings as one JSON line. */
const probe = (bundle: string) => `
const event = JSON.parse(process.env.BENCH_EVENT);
const context = JSON.parse(process.env.BENCH_CONTEXT);
context.getRemainingTimeInMillis = () => 29000;
const t0 = performance.now();
const { handler } = await import(${JSON.stringify(bundle)});
const tLoad = performance.now() - t0;
let t = performance.now();
const first = await handler(event, context);
const tFirst = performance.now() - t;
t = performance.now();
const second = await handler(event, context);
const tSecond = performance.now() - t;
if (first.statusCode !== 200 || second.statusCode !== 200) throw new Error('status ' + first.statusCode + ' ' + first.body);
console.log(JSON.stringify({ tLoad, tFirst, tSecond, bytes: first.body.length, cache: first.headers?.['x-cache'] }));
`;

const run = promisify(execFile);

export async function benchHandlerCold(): Promise<string[]> {
  const load0 = loadavg()[0]!;
  const bundle = `${root}cdk.out/bench-cold-analysis.mjs`;
  await build({
    ...esbuildOptions(`${root}functions/analysis/handler.ts`, root),
    outfile: bundle,
    write: true,
    logLevel: 'silent',
  });
  const svc = await startService({ env: { LOG_LEVEL: 'SILENT' }, throttle: false });
  try {
    const csv = readFileSync(new URL('../shared/chan-analysis/test/fixtures/us_spy_1d.csv', import.meta.url), 'utf8')
      .trim()
      .split('\n');
    await svc.uploadCsv('SPY', '1d', [csv[0], ...csv.slice(-N_BARS)].join('\n'));
    const event = proxyEvent({
      method: 'GET',
      resource: '/api/v1/analysis/{symbol}',
      path: '/api/v1/analysis/SPY',
      pathParameters: [['symbol', 'SPY']],
      query: [['interval', '1d']],
      headers: [['host', 'localhost']],
      body: null,
      requestId: 'bench-cold',
      stage: 'local',
      sourceIp: '127.0.0.1',
    });
    // The child reads the same table through the same configuration the service runs with.
    const env = {
      ...process.env,
      BENCH_EVENT: JSON.stringify(event),
      BENCH_CONTEXT: JSON.stringify(lambdaContext('analysis', 'bench-cold')),
    };
    // Sequential and asynchronous: dynalite serves from this process, so it must keep running while a child does.
    type Probe = { tLoad: number; tFirst: number; tSecond: number; bytes: number; cache?: string };
    const runs: Probe[] = [];
    for (let i = 0; i < RUNS; i++) {
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe(bundle)], {
        encoding: 'utf8',
        env,
      });
      runs.push(JSON.parse(stdout.trim().split('\n').at(-1)!) as Probe);
    }
    const ms = (x: number) => `${x.toFixed(1)} ms`;
    const load = median(runs.map((r) => r.tLoad));
    const first = median(runs.map((r) => r.tFirst));
    const sum = median(runs.map((r) => r.tLoad + r.tFirst));
    return [
      `analysis handler cold start (bundle as deployed, ${(readFileSync(bundle).byteLength / 1024).toFixed(0)} KB; GET /api/v1/analysis/SPY?interval=1d, ${N_BARS} daily bars in dynalite; median of ${RUNS} fresh processes, Node ${process.version}, load average ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}):`,
      `  module load ${ms(load)} + first request ${ms(first)} (cache ${runs[0]!.cache ?? '?'}, ${(runs[0]!.bytes / 1024).toFixed(0)} KB) = ${ms(sum)}; the same request again in that process ${ms(median(runs.map((r) => r.tSecond)))}`,
    ];
  } finally {
    await svc.stop();
  }
}
