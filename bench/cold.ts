/**
 * The engine as users meet it, each figure in a fresh process (median of RUNS): what a CLI run or a Lambda cold
 * start pays, unlike the warm in-process core figures of `npm run bench -- engine`.
 *   - import: loading the built package (dist/) alone;
 *   - first analyze(): the first `analyze()` of a series in that process (cold JIT), bars already parsed;
 *   - warm analyze(): the same call after five warm-up runs in that process, full result document;
 *   - CLI process: `node bin/chan.js analyze FILE --json > /dev/null`, wall time and peak RSS of the process.
 * Runs on the Node that runs the bench (printed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ENGINE = fileURLToPath(new URL('../shared/chan-analysis/', import.meta.url));
const SHARED = fileURLToPath(new URL('../../shared/data/', import.meta.url));
const FIXTURES = `${ENGINE}test/fixtures/`;
const RUNS = 7;

const file = (name: string) => (existsSync(`${SHARED}${name}.csv`) ? `${SHARED}${name}.csv` : `${FIXTURES}${name}.csv`);

/** A child script printing one JSON line of timings; the bars are parsed before the clock starts. */
const probe = (csv: string) => `
const t0 = performance.now();
const m = await import(${JSON.stringify(`${ENGINE}dist/index.js`)});
const tImport = performance.now() - t0;
const { readFileSync } = await import('node:fs');
const { bars } = m.parseCsv(readFileSync(${JSON.stringify(csv)}, 'utf8'));
let t = performance.now();
m.analyze(bars);
const tFirst = performance.now() - t;
for (let i = 0; i < 5; i++) m.analyze(bars);
t = performance.now();
m.analyze(bars);
const tWarm = performance.now() - t;
console.log(JSON.stringify({ tImport, tFirst, tWarm, bars: bars.length }));
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function inProcess(csv: string) {
  const runs = Array.from({ length: RUNS }, () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe(csv)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cold probe failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as { tImport: number; tFirst: number; tWarm: number; bars: number };
  });
  return {
    bars: runs[0].bars,
    import: median(runs.map((r) => r.tImport)),
    first: median(runs.map((r) => r.tFirst)),
    warm: median(runs.map((r) => r.tWarm)),
  };
}

/** Wall time and peak RSS of one whole CLI process (RSS read by the process itself at exit). */
function cliProcess(csv: string) {
  const rssAtExit = "process.on('exit',()=>process.stderr.write('\\nMAXRSS '+process.resourceUsage().maxRSS+'\\n'))";
  const runs = Array.from({ length: RUNS }, () => {
    const t = performance.now();
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        `data:text/javascript,${encodeURIComponent(rssAtExit)}`,
        `${ENGINE}bin/chan.js`,
        'analyze',
        csv,
        '--json',
      ],
      { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
    );
    const ms = performance.now() - t;
    if (r.status !== 0) throw new Error(`chan analyze failed: ${r.stderr}`);
    const rssKb = Number(/MAXRSS (\d+)/.exec(r.stderr)?.[1]);
    return { ms, rssMb: rssKb / 1024, outMb: Buffer.byteLength(r.stdout) / 1e6 };
  });
  return {
    ms: median(runs.map((r) => r.ms)),
    rssMb: median(runs.map((r) => r.rssMb)),
    outMb: runs[0].outMb,
  };
}

export async function benchCold(): Promise<string[]> {
  const rows = [
    `Node ${process.version}; each figure the median of ${RUNS} fresh processes.`,
    '',
    '| data set | bars | import | first `analyze()` | warm `analyze()` | CLI process (`analyze --json`) | CLI peak RSS | JSON out |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const name of ['us_spy_1d', 'us_spy_1h', 'cn_sse000001_1m']) {
    const csv = file(name);
    if (!existsSync(csv)) continue;
    const p = inProcess(csv);
    const c = cliProcess(csv);
    rows.push(
      `| ${name} | ${p.bars} | ${p.import.toFixed(1)} ms | ${p.first.toFixed(1)} ms | ${p.warm.toFixed(1)} ms | ${c.ms.toFixed(0)} ms | ${c.rssMb.toFixed(0)} MB | ${c.outMb.toFixed(1)} MB |`,
    );
  }
  return rows;
}
