/**
 * The engine as users meet it, each figure in a fresh process (median of RUNS): what a CLI run or a Lambda cold
 * start pays, unlike the warm in-process core figures of `npm run bench -- engine`.
 *   - import: loading the built package (dist/, one bundled module) alone;
 *   - first analyze(): the first `analyze()` of a series in that process (cold JIT), bars already parsed;
 *   - warm analyze(): the same call after five warm-up runs in that process, full result document; next to it the
 *     engine core in the same process (every bar through `update`, one snapshot: no document);
 *   - CLI process: `node bin/chan.js analyze FILE --json [--include all] > /dev/null`, wall time and peak RSS;
 *     and `npx chan analyze FILE --json` once per run, as a user types it;
 *   - chan.py: a fresh python3 process importing chan.py and running it once on the same bars (parsed before the
 *     clock, as ours), when chan.py is found (CHANPY_TOOLS, default ../../shared/tools: chanpy_dump.py + chanpy/).
 * Then each figure of issue 12 next to its target. Runs on the Node that runs the bench (printed). On a loaded
 * machine every figure is a median of wall times: the load is printed with them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dataFile } from './data.js';

const ENGINE = fileURLToPath(new URL('../shared/chan-analysis/', import.meta.url));
const TOOLS = process.env.CHANPY_TOOLS ?? fileURLToPath(new URL('../../shared/tools/', import.meta.url));
const RUNS = 7;

/** A child script printing one JSON line of timings; the bars are parsed before the clock starts. */
const probe = (csv: string) => `
const t0 = performance.now();
const m = await import(${JSON.stringify(`${ENGINE}dist/index.js`)});
const tImport = performance.now() - t0;
const { readFileSync } = await import('node:fs');
const { bars, labels } = m.parseCsv(readFileSync(${JSON.stringify(csv)}, 'utf8'));
let t = performance.now();
m.analyze(bars);
const tFirst = performance.now() - t;
for (let i = 0; i < 5; i++) m.analyze(bars);
const med = (f) => { const xs = []; for (let i = 0; i < 5; i++) { const s = performance.now(); f(); xs.push(performance.now() - s); } return xs.sort((a, b) => a - b)[2]; };
const tWarm = med(() => m.analyze(bars));
const tCore = med(() => { const a = new m.ChanAnalyzer(); a.reserve(bars.length); for (let i = 0; i < bars.length; i++) a.update(bars[i], labels[i]); a.snapshot(); });
console.log(JSON.stringify({ tImport, tFirst, tWarm, tCore, bars: bars.length }));
`;

/** chan.py's fresh process: import (chan.py's modules), then one batch run over bars read before the clock. */
const chanpyProbe = (csv: string) => `
import sys, time, json
t0 = time.perf_counter()
sys.path.insert(0, ${JSON.stringify(TOOLS)})
import chanpy_dump
t_import = (time.perf_counter() - t0) * 1000
bars = chanpy_dump.read_csv(${JSON.stringify(csv)})
t = time.perf_counter()
chanpy_dump.run_batch(bars)
print(json.dumps({'tImport': t_import, 'tFirst': (time.perf_counter() - t) * 1000}))
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function inProcess(csv: string) {
  const runs = Array.from({ length: RUNS }, () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe(csv)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cold probe failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as { tImport: number; tFirst: number; tWarm: number; tCore: number; bars: number };
  });
  return {
    bars: runs[0].bars,
    import: median(runs.map((r) => r.tImport)),
    first: median(runs.map((r) => r.tFirst)),
    importFirst: median(runs.map((r) => r.tImport + r.tFirst)),
    warm: median(runs.map((r) => r.tWarm)),
    core: median(runs.map((r) => r.tCore)),
  };
}

function chanpy(csv: string): { import: number; importFirst: number } | null {
  if (!existsSync(`${TOOLS}chanpy_dump.py`)) return null;
  const runs = Array.from({ length: RUNS }, () => {
    const r = spawnSync('python3', ['-c', chanpyProbe(csv)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`chan.py probe failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as { tImport: number; tFirst: number };
  });
  return { import: median(runs.map((r) => r.tImport)), importFirst: median(runs.map((r) => r.tImport + r.tFirst)) };
}

/** Wall time and peak RSS of one whole CLI process (RSS read by the process itself at exit). */
function cliProcess(csv: string, extra: string[]) {
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
        ...extra,
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

/** `npx chan analyze FILE --json` from the package folder: the npx resolution on top of the process. */
function npxProcess(csv: string): number {
  return median(
    Array.from({ length: RUNS }, () => {
      const t = performance.now();
      const r = spawnSync('npx', ['--no-install', 'chan', 'analyze', csv, '--json'], {
        cwd: ENGINE,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      if (r.status !== 0) throw new Error(`npx chan failed: ${r.stderr}`);
      return performance.now() - t;
    }),
  );
}

const load = () => loadavg()[0].toFixed(1);
const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');

export async function benchCold(): Promise<string[]> {
  const loadBefore = load();
  const rows = [
    `Node ${process.version}; each figure the median of ${RUNS} fresh processes; load average ${loadBefore} at the start (2 cores).`,
    '',
    '| data set | bars | import | first `analyze()` | warm `analyze()` (full document) | engine core (warm) | CLI `--json` | peak RSS | out | CLI `--json --include all` | peak RSS | out |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const measured = new Map<string, { p: ReturnType<typeof inProcess>; c: ReturnType<typeof cliProcess> }>();
  for (const name of ['us_spy_1d', 'us_spy_1h', 'cn_sse000001_1m']) {
    const csv = dataFile(name);
    if (!existsSync(csv)) continue;
    const p = inProcess(csv);
    const c = cliProcess(csv, []);
    const all = cliProcess(csv, ['--include', 'all']);
    measured.set(name, { p, c });
    rows.push(
      `| ${name} | ${p.bars} | ${p.import.toFixed(1)} ms | ${p.first.toFixed(1)} ms | ${p.warm.toFixed(1)} ms | ${p.core.toFixed(1)} ms | ${c.ms.toFixed(0)} ms | ${c.rssMb.toFixed(0)} MB | ${c.outMb.toFixed(2)} MB | ${all.ms.toFixed(0)} ms | ${all.rssMb.toFixed(0)} MB | ${all.outMb.toFixed(1)} MB |`,
    );
  }

  rows.push('', '| issue 12 figure | measured | target | |', '| --- | ---: | ---: | --- |');
  const spy = measured.get('us_spy_1d');
  const py = spy ? chanpy(dataFile('us_spy_1d')) : null;
  if (spy && py) {
    const ratio = py.importFirst / spy.p.importFirst;
    rows.push(
      `| fresh process, import + first \`analyze()\`, SPY 1d: ours ${spy.p.importFirst.toFixed(0)} ms, chan.py ${py.importFirst.toFixed(0)} ms (import ${py.import.toFixed(0)} ms) | ${ratio.toFixed(1)}× chan.py | ≥ 5× (aim 10×) | ${verdict(ratio >= 5)} |`,
    );
  } else rows.push('| import + first `analyze()` vs chan.py | chan.py not found (CHANPY_TOOLS) | ≥ 5× | |');
  const sse = measured.get('cn_sse000001_1m');
  if (sse) {
    rows.push(
      `| \`chan analyze --json\` on cn_sse000001_1m, whole process | ${sse.c.ms.toFixed(0)} ms | ≤ 600 ms | ${verdict(sse.c.ms <= 600)} |`,
    );
    const npx = npxProcess(dataFile('cn_sse000001_1m'));
    rows.push(`| the same through \`npx chan\` | ${npx.toFixed(0)} ms | ≤ 1000 ms | ${verdict(npx <= 1000)} |`);
    const ratio = sse.p.warm / sse.p.core;
    rows.push(
      `| warm \`analyze()\` full document ÷ engine core, cn_sse000001_1m (${sse.p.warm.toFixed(0)} ÷ ${sse.p.core.toFixed(0)} ms) | ${ratio.toFixed(1)}× | ≤ 3× | ${verdict(ratio <= 3)} |`,
    );
  }
  rows.push('', `Load average ${loadBefore} at the start, ${load()} at the end: wall times grow with it.`);
  return rows;
}
