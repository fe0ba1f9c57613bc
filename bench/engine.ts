/**
 * Engine figures for each data set of ../shared/data (the in-repo fixtures when that folder is absent):
 * batch bars/s, streaming bars/s, p99 of one update at the end of the series, retained memory per bar (heap plus
 * ArrayBuffers), a plain MACD(12,26,9) pass over the same closes and the ratio engine ÷ MACD. Run with `npm run bench -- engine`
 * (node --expose-gc, so the memory figure is measured after full collections). "Batch" is the engine core, warm:
 * pre-parsed bars with their labels, best of 30 after the JIT has warmed on every data set; what `analyze()`, a
 * cold process or the CLI costs is measured apart (see the README's figures table).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dataFile } from './data.js';
import { fileURLToPath } from 'node:url';
import { ChanAnalyzer, parseCsv, type BarInput } from 'chan-analysis';

const ENGINE_DIST = fileURLToPath(new URL('../shared/chan-analysis/dist/index.js', import.meta.url));
const DATASETS = [
  'cn_sse000001_1d',
  'us_spy_1d',
  'crypto_ethbtc_5m',
  'crypto_unittestbtc_1m',
  'us_spy_1h',
  'cn_sse000001_1m',
];

function load(name: string): { inputs: BarInput[]; labels: string[] } | null {
  const file = dataFile(name);
  if (!existsSync(file)) return null;
  const { bars, labels } = parseCsv(readFileSync(file, 'utf8'));
  return { inputs: bars, labels };
}

/**
 * Everything one retained analyser keeps, per bar: JS heap plus the typed arrays' backing stores, which live outside
 * the heap (heapUsed alone under-counts the engine's column storage). Measured in a fresh process after full
 * collections, so buffers freed by earlier runs of this bench cannot blur the difference.
 */
function retainedPerBar(name: string): string {
  const file = dataFile(name);
  const script = `
const m = await import(${JSON.stringify(ENGINE_DIST)});
const { readFileSync } = await import('node:fs');
const { bars, labels } = m.parseCsv(readFileSync(${JSON.stringify(file)}, 'utf8'));
const settle = async () => { for (let i = 0; i < 4; i++) { gc(); await new Promise((r) => setTimeout(r, 25)); } };
await settle();
const m0 = process.memoryUsage();
const a = new m.ChanAnalyzer();
a.reserve(bars.length);
for (let i = 0; i < bars.length; i++) a.update(bars[i], labels[i]);
a.snapshot();
await settle();
const m1 = process.memoryUsage();
if (a.barCount !== bars.length) throw new Error('unreachable');
console.log(JSON.stringify({ heap: (m1.heapUsed - m0.heapUsed) / bars.length, buffers: (m1.arrayBuffers - m0.arrayBuffers) / bars.length }));
`;
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) return `n/a (${r.stderr.split('\n')[0]})`;
  const { heap, buffers } = JSON.parse(r.stdout) as { heap: number; buffers: number };
  return `${(heap + buffers).toFixed(0)} B (${heap.toFixed(0)} + ${buffers.toFixed(0)})`;
}

function best(runs: number, fn: () => void): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

/** The plain MACD pass the engine is compared with: EMAs 12/26, signal 9, histogram, into typed arrays. */
function macdPass(closes: Float64Array, out: Float64Array): void {
  let fast = closes[0];
  let slow = closes[0];
  let dea = 0;
  for (let i = 0; i < closes.length; i++) {
    const c = closes[i];
    if (i > 0) {
      fast = (2 * c + 11 * fast) / 13;
      slow = (2 * c + 25 * slow) / 27;
    }
    const dif = i > 0 ? fast - slow : 0;
    dea = i > 0 ? (2 * dif + 8 * dea) / 10 : 0;
    out[i] = 2 * (dif - dea);
  }
}

function batch(inputs: BarInput[], labels: string[]): ChanAnalyzer {
  const a = new ChanAnalyzer();
  a.reserve(inputs.length); // as analyze() does
  for (let i = 0; i < inputs.length; i++) a.update(inputs[i], labels[i]);
  a.snapshot();
  return a;
}

export async function benchEngine(): Promise<string[]> {
  const rows: string[] = [
    '| data set | bars | batch bars/s | streaming bars/s (update + snapshot per bar) | update-only bars/s | p99 update+snapshot at end | memory/bar (heap + ArrayBuffers) | MACD pass | engine ÷ MACD |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  // Warm the JIT on every data set first, so the first one measured is not penalised.
  const loaded = DATASETS.map((name) => [name, load(name)] as const);
  for (const [, data] of loaded) if (data) for (let k = 0; k < 3; k++) batch(data.inputs, data.labels);
  for (const [name, data] of loaded) {
    if (!data) {
      rows.push(`| ${name} | (not found) |`);
      continue;
    }
    const { inputs, labels } = data;
    const n = inputs.length;
    // Best of 30: single runs swing with where garbage collections land.
    const runs = 30;
    const tBatch = best(runs, () => batch(inputs, labels));

    const tStream = best(3, () => {
      const a = new ChanAnalyzer();
      for (let i = 0; i < n; i++) {
        a.update(inputs[i], labels[i]);
        a.snapshot();
      }
    });
    const tUpdate = best(3, () => {
      const a = new ChanAnalyzer();
      for (let i = 0; i < n; i++) a.update(inputs[i], labels[i]);
    });

    // p99 of one update (+ snapshot) over the last 2,000 bars of the series, each bar first forming then closing.
    const tail = Math.min(2000, Math.floor(n / 5));
    const a = new ChanAnalyzer();
    for (let i = 0; i < n - tail; i++) a.update(inputs[i], labels[i]);
    a.snapshot();
    const samples: number[] = [];
    for (let i = n - tail; i < n; i++) {
      const t = process.hrtime.bigint();
      a.update(inputs[i], labels[i]);
      a.snapshot();
      samples.push(Number(process.hrtime.bigint() - t) / 1000);
    }
    samples.sort((x, y) => x - y);
    const p99 = samples[Math.floor(samples.length * 0.99)];

    // Filled in after every timing loop has run: the fresh processes it spawns must not interleave with them.
    const memory = `{memory:${name}}`;

    const closes = Float64Array.from(inputs, (b) => b.close);
    const out = new Float64Array(n);
    macdPass(closes, out);
    const tMacd = best(50, () => macdPass(closes, out));

    const rate = (ms: number) => `${(((n / ms) * 1000) / 1e6).toFixed(2)} M`;
    rows.push(
      `| ${name} | ${n} | ${rate(tBatch)} | ${rate(tStream)} | ${rate(tUpdate)} | ${p99.toFixed(1)} µs | ${memory} | ${(tMacd * 1000).toFixed(0)} µs | ${(tBatch / tMacd).toFixed(0)} |`,
    );
  }
  return rows.map((r) => r.replace(/\{memory:([\w]+)\}/, (_m, name: string) => retainedPerBar(name)));
}
