/**
 * The engine as users meet it, each figure in a fresh process (median of RUNS): what a CLI run or a Lambda cold
 * start pays, unlike the warm in-process core figures of `npm run bench -- engine`.
 *   - import: loading the built package (dist/, one bundled module) alone;
 *   - first analyze(): the first `analyze()` of a series in that process (cold JIT), bars already parsed;
 *   - warm analyze(): the same call after five warm-up runs in that process, the fastest of 9 (a median of a few
 *     in-process runs swings with a shared machine's load; the fastest is the run the load left alone): the
 *     document as returned (its per-bar parts are built when first read) and the full document (every per-bar
 *     part read); next to them the engine core (every bar through `update`, one snapshot: no document); the
 *     three run in turn, so none is measured before the others' code has tiered up;
 *   - CLI process: `node bin/chan.js analyze FILE --json [--include all] > /dev/null`, wall time, CPU time and
 *     peak RSS;
 *     and `npx chan analyze FILE --json`, as a user types it: in a fresh project that installed the packed engine
 *     (and, for comparison, inside this repository's workspace);
 *   - chan.py: a fresh python3 process importing chan.py and running it once on the same bars (parsed before the
 *     clock, as ours), when chan.py is found (CHANPY_TOOLS, default ../../shared/tools: chanpy_dump.py + chanpy/).
 * Then each figure of issue 12 next to its target. Runs on the Node that runs the bench (printed). Ours and chan.py
 * run interleaved (one of each in turn), so a change of load hits both; on a loaded machine the wall times are
 * also given as CPU times (the process's own, which waiting for a core does not inflate), and the load is printed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataFile } from './data.js';
import { median } from './stats.js';

const ENGINE = fileURLToPath(new URL('../shared/chan-analysis/', import.meta.url));
const TOOLS = process.env.CHANPY_TOOLS ?? fileURLToPath(new URL('../../shared/tools/', import.meta.url));
const RUNS = 7;

/** A child script printing one JSON line of timings; the bars are parsed before the clock starts. */
const probe = (csv: string) => `
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const c0 = cpu(), t0 = performance.now();
const m = await import(${JSON.stringify(`${ENGINE}dist/index.js`)});
const tImport = performance.now() - t0, cImport = cpu() - c0;
const { readFileSync } = await import('node:fs');
const { bars, labels } = m.parseCsv(readFileSync(${JSON.stringify(csv)}, 'utf8'));
const c1 = cpu(), t = performance.now();
m.analyze(bars);
const tFirst = performance.now() - t, cpuImportFirst = cImport + cpu() - c1;
const full = () => { const r = m.analyze(bars); r.bars; r.mergedBars; r.fractals; };
for (let i = 0; i < 5; i++) full();
const core = () => { const a = new m.ChanAnalyzer(); a.reserve(bars.length); for (let i = 0; i < bars.length; i++) a.update(bars[i], labels[i]); a.snapshot(); };
// The three in turn, the fastest of each: no one of them measured before the others have tiered up.
let tWarm = Infinity, tWarmFull = Infinity, tCore = Infinity;
const time = (f) => { const s = performance.now(); f(); return performance.now() - s; };
for (let i = 0; i < 9; i++) {
  tCore = Math.min(tCore, time(core));
  tWarm = Math.min(tWarm, time(() => m.analyze(bars)));
  tWarmFull = Math.min(tWarmFull, time(full));
}
console.log(JSON.stringify({ tImport, tFirst, cpuImportFirst, tWarm, tWarmFull, tCore, bars: bars.length }));
`;

/** chan.py's fresh process: import (chan.py's modules), then one batch run over bars read before the clock. */
const chanpyProbe = (csv: string) => `
import sys, time, json
c0 = time.process_time()
t0 = time.perf_counter()
sys.path.insert(0, ${JSON.stringify(TOOLS)})
import chanpy_dump
t_import = (time.perf_counter() - t0) * 1000
c_import = (time.process_time() - c0) * 1000
bars = chanpy_dump.read_csv(${JSON.stringify(csv)})
c1 = time.process_time()
t = time.perf_counter()
chanpy_dump.run_batch(bars)
print(json.dumps({'tImport': t_import, 'tFirst': (time.perf_counter() - t) * 1000, 'cpuImportFirst': c_import + (time.process_time() - c1) * 1000}))
`;

interface Probe {
  tImport: number;
  tFirst: number;
  cpuImportFirst: number;
  tWarm: number;
  tWarmFull: number;
  tCore: number;
  bars: number;
}

function probeOnce(csv: string): Probe {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe(csv)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cold probe failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Probe;
}

function chanpyOnce(csv: string): Pick<Probe, 'tImport' | 'tFirst' | 'cpuImportFirst'> {
  const r = spawnSync('python3', ['-c', chanpyProbe(csv)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`chan.py probe failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Pick<Probe, 'tImport' | 'tFirst' | 'cpuImportFirst'>;
}

/** Ours (and chan.py, when `withChanpy`) in fresh processes, one of each in turn. */
function inProcess(csv: string, withChanpy: boolean) {
  const ours: Probe[] = [];
  const py: ReturnType<typeof chanpyOnce>[] = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(probeOnce(csv));
    if (withChanpy) py.push(chanpyOnce(csv));
  }
  const med = <T>(xs: T[], f: (x: T) => number) => median(xs.map(f));
  return {
    bars: ours[0].bars,
    import: med(ours, (r) => r.tImport),
    first: med(ours, (r) => r.tFirst),
    importFirst: med(ours, (r) => r.tImport + r.tFirst),
    cpuImportFirst: med(ours, (r) => r.cpuImportFirst),
    warm: med(ours, (r) => r.tWarm),
    warmFull: med(ours, (r) => r.tWarmFull),
    core: med(ours, (r) => r.tCore),
    chanpy: withChanpy
      ? {
          import: med(py, (r) => r.tImport),
          importFirst: med(py, (r) => r.tImport + r.tFirst),
          cpuImportFirst: med(py, (r) => r.cpuImportFirst),
        }
      : null,
  };
}

/** Wall time, CPU time and peak RSS of one whole CLI process (CPU and RSS read by the process itself at exit). */
function cliProcess(csv: string, extra: string[], env: Record<string, string> = {}) {
  const atExit =
    "process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('\\nUSAGE '+u.maxRSS+' '+(u.userCPUTime+u.systemCPUTime)+'\\n')})";
  const runs = Array.from({ length: RUNS }, () => {
    const t = performance.now();
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        `data:text/javascript,${encodeURIComponent(atExit)}`,
        `${ENGINE}bin/chan.js`,
        'analyze',
        csv,
        '--json',
        ...extra,
      ],
      { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, ...env } },
    );
    const ms = performance.now() - t;
    if (r.status !== 0) throw new Error(`chan analyze failed: ${r.stderr}`);
    const [, rssKb, cpuUs] = /USAGE (\d+) (\d+)/.exec(r.stderr) ?? [];
    return { ms, cpuMs: Number(cpuUs) / 1000, rssMb: Number(rssKb) / 1024, outMb: Buffer.byteLength(r.stdout) / 1e6 };
  });
  return {
    ms: median(runs.map((r) => r.ms)),
    cpuMs: median(runs.map((r) => r.cpuMs)),
    rssMb: median(runs.map((r) => r.rssMb)),
    outMb: runs[0].outMb,
  };
}

/**
 * `npx chan analyze FILE --json` as a user types it: in a new project that installed the engine the way npm
 * publishes it (`npm pack`, then `npm install` of the tarball, offline: the engine has no dependencies).
 */
function npxInstalled(csv: string): number {
  const dir = mkdtempSync(join(tmpdir(), 'chan-npx-'));
  try {
    const run = (cmd: string, args: string[]) => {
      const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
      return r.stdout;
    };
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'chan-user', private: true }));
    const tgz = run('npm', ['pack', ENGINE, '--pack-destination', dir, '--silent']).trim().split('\n').pop()!;
    run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--silent', join(dir, tgz)]);
    return npxProcess(csv, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `npx chan analyze FILE --json` from `cwd` (wall time, median of RUNS). */
function npxProcess(csv: string, cwd: string): number {
  return median(
    Array.from({ length: RUNS }, () => {
      const t = performance.now();
      const r = spawnSync('npx', ['--no-install', 'chan', 'analyze', csv, '--json'], {
        cwd,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      if (r.status !== 0) throw new Error(`npx chan failed: ${r.stderr}`);
      return performance.now() - t;
    }),
  );
}

/** A bare `node -e 0`: the floor under every whole-process figure on this machine at this load. */
function bareNode(): number {
  return median(
    Array.from({ length: RUNS }, () => {
      const t = performance.now();
      spawnSync(process.execPath, ['-e', '0']);
      return performance.now() - t;
    }),
  );
}

const load = () => loadavg()[0].toFixed(1);
const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
const ms = (v: number) => `${v.toFixed(v < 100 ? 1 : 0)} ms`;

export async function benchCold(): Promise<string[]> {
  const loadBefore = load();
  const hasChanpy = existsSync(`${TOOLS}chanpy_dump.py`);
  const rows = [
    `Node ${process.version}; each figure the median of ${RUNS} fresh processes; load average ${loadBefore} at the start (2 cores).`,
    '',
    '| data set | bars | import | first `analyze()` | warm `analyze()` (as returned) | warm, every per-bar part read | engine core (warm) | CLI `--json` | CPU | peak RSS | out | CLI `--json --include all` | CPU | peak RSS | out |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const measured = new Map<string, { p: ReturnType<typeof inProcess>; c: ReturnType<typeof cliProcess> }>();
  for (const name of ['us_spy_1d', 'us_spy_1h', 'cn_sse000001_1m']) {
    const csv = dataFile(name);
    if (!existsSync(csv)) continue;
    const p = inProcess(csv, hasChanpy && name === 'us_spy_1d');
    const c = cliProcess(csv, []);
    const all = cliProcess(csv, ['--include', 'all']);
    measured.set(name, { p, c });
    rows.push(
      `| ${name} | ${p.bars} | ${ms(p.import)} | ${ms(p.first)} | ${ms(p.warm)} | ${ms(p.warmFull)} | ${ms(p.core)} | ${ms(c.ms)} | ${ms(c.cpuMs)} | ${c.rssMb.toFixed(0)} MB | ${c.outMb.toFixed(2)} MB | ${ms(all.ms)} | ${ms(all.cpuMs)} | ${all.rssMb.toFixed(0)} MB | ${all.outMb.toFixed(1)} MB |`,
    );
  }

  rows.push('', '| issue 12 figure | measured | target | |', '| --- | ---: | ---: | --- |');
  const spy = measured.get('us_spy_1d');
  const py = spy?.p.chanpy;
  if (spy && py) {
    const ratio = py.importFirst / spy.p.importFirst;
    rows.push(
      `| fresh process, import + first \`analyze()\`, SPY 1d, wall: ours ${ms(spy.p.importFirst)} (import ${ms(spy.p.import)}), chan.py ${ms(py.importFirst)} (import ${ms(py.import)}) | ${ratio.toFixed(1)}× chan.py | ≥ 5× (aim 10×) | ${verdict(ratio >= 5)} |`,
      `| the same in CPU time (waiting for a core not counted): ours ${ms(spy.p.cpuImportFirst)}, chan.py ${ms(py.cpuImportFirst)} | ${(py.cpuImportFirst / spy.p.cpuImportFirst).toFixed(1)}× chan.py | ≥ 5× | |`,
    );
  } else rows.push('| import + first `analyze()` vs chan.py | chan.py not found (CHANPY_TOOLS) | ≥ 5× | |');
  const sse = measured.get('cn_sse000001_1m');
  if (sse) {
    const sseCsv = dataFile('cn_sse000001_1m');
    rows.push(
      `| \`chan analyze --json\` on cn_sse000001_1m, whole process (CPU ${ms(sse.c.cpuMs)}) | ${ms(sse.c.ms)} | ≤ 600 ms | ${verdict(sse.c.ms <= 600)} |`,
    );
    const npx = npxInstalled(sseCsv);
    rows.push(
      `| the same through \`npx chan\` in a project that installed the package (npm pack + install) | ${ms(npx)} | ≤ 1000 ms | ${verdict(npx <= 1000)} |`,
      `| \`npx chan\` inside this repository's workspace, for comparison: npm re-reads the whole dev tree when tools have written into node_modules since the last install | ${ms(npxProcess(sseCsv, ENGINE))} | | |`,
    );
    rows.push(`| a bare \`node -e 0\` at this load, for scale | ${ms(bareNode())} | | |`);
    const full = sse.p.warmFull / sse.p.core;
    rows.push(
      `| warm \`analyze()\` ÷ engine core, cn_sse000001_1m, document as returned (${ms(sse.p.warm)} ÷ ${ms(sse.p.core)}) | ${(sse.p.warm / sse.p.core).toFixed(1)}× | ≤ 3× | ${verdict(sse.p.warm / sse.p.core <= 3)} |`,
      `| the same with every per-bar part read (the full document: ${ms(sse.p.warmFull)}) | ${full.toFixed(1)}× | ≤ 3× | ${verdict(full <= 3)} |`,
    );
  }
  rows.push('', `Load average ${loadBefore} at the start, ${load()} at the end: wall times grow with it.`);
  return rows;
}
