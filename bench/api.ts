/**
 * GET /api/v1/analysis for 5,000 daily bars (the last 5,000 SPY sessions) through the local API Gateway adapter
 * and the real handler stack on dynalite with the in-process cache (what `npm start` runs):
 *   warm        analysis response cached (the steady state for a chart being viewed)
 *   cold        analysis cache miss on every request (distinct cache key, identical work: engine + serialization),
 *               bars still served from the per-bucket cache
 *   store-cold  every cache emptied before each request: series summary and bars read from dynalite too
 * each for the default document (meta + structures) and for `include=all` (plus every bar with MACD, merged bar
 * and fractal, as rows; the chart page's columnar request is bench/wire.ts). The engine alone (analyze() on the same bars, in-process) is
 * measured too, so the share of a miss that is engine time is visible.
 * Latency is measured sequentially (p50/p99); requests/s with 8 concurrent clients. Responses are requested
 * uncompressed: in AWS, API Gateway compresses outside the function, and the local adapter's gzip (zlib's native
 * buffers, which bring V8's full collections on sooner) would be counted as the function's time; what compression
 * does to a response users load is bench/wire.ts.
 */
import { readFileSync } from 'node:fs';
import { startService } from '../test/support/service.js';

const N_BARS = 5000;
const UNCOMPRESSED = { headers: { 'accept-encoding': 'identity' } };

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function timed(
  n: number,
  url: (i: number) => string,
  before?: () => Promise<void>,
  init: RequestInit = UNCOMPRESSED,
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    await before?.();
    const t0 = performance.now();
    const r = await fetch(url(i), init);
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`${url(i)} → ${r.status}`);
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}

async function throughput(n: number, concurrency: number, url: (i: number) => string): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const r = await fetch(url(i), UNCOMPRESSED);
        await r.arrayBuffer();
        if (r.status !== 200) throw new Error(`${url(i)} → ${r.status}`);
      }
    }),
  );
  return n / ((performance.now() - t0) / 1000);
}

export async function benchApi(): Promise<string[]> {
  const svc = await startService({ env: { LOG_LEVEL: 'SILENT', MAX_ANALYSIS_BARS: '20000' }, throttle: false });
  try {
    const csv = readFileSync(new URL('../shared/chan-analysis/test/fixtures/us_spy_1d.csv', import.meta.url), 'utf8')
      .trim()
      .split('\n');
    const body = [csv[0], ...csv.slice(-N_BARS)].join('\n');
    const h = { 'x-api-key': svc.apiKey };
    await svc.fetch('/api/v1/symbols/SPY', {
      method: 'PUT',
      headers: { ...h, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'upload', intervals: ['1d'] }),
    });
    const up = (await (
      await svc.fetch('/api/v1/klines/SPY?interval=1d', {
        method: 'POST',
        headers: { ...h, 'content-type': 'text/csv' },
        body,
      })
    ).json()) as { inserted: number };
    if (up.inserted !== N_BARS) throw new Error(`seeded ${up.inserted} bars, expected ${N_BARS}`);

    const base = `${svc.url}/api/v1/analysis/SPY?interval=1d`;
    const full = `${base}&include=all`;
    // A `to` beyond the last bar changes the cache key but not the bars analysed.
    const coldUrl = (u: string) => (i: number) => `${u}&to=${Date.UTC(2030, 0, 1) + i * 60_000}`;
    const { getDeps } = await import('../functions/common/deps.js');
    const clearCache = async () => getDeps().cache.inner.close();

    const first = (await (await fetch(full)).json()) as { barCount: number; result: { bars: unknown[] } };
    if (first.barCount !== N_BARS || first.result.bars.length !== N_BARS)
      throw new Error(`analysed ${first.barCount} bars`);
    await timed(20, coldUrl(base)); // JIT warm-up of the engine path
    await timed(10, coldUrl(full));

    const variant = async (u: string, n: { warm: number; cold: number; storeCold: number }, offset: number) => {
      const cold = await timed(n.cold, (i) => coldUrl(u)(offset + i));
      const storeCold = await timed(n.storeCold, () => u, clearCache);
      await fetch(u, UNCOMPRESSED);
      const warm = await timed(n.warm, () => u);
      const warmRps = await throughput(n.warm * 2, 8, () => u);
      const coldRps = await throughput(Math.max(100, n.cold), 8, (i) => coldUrl(u)(offset + 5000 + i));
      const size = (await (await fetch(u, UNCOMPRESSED)).arrayBuffer()).byteLength;
      return { cold, storeCold, warm, warmRps, coldRps, size };
    };
    const lean = await variant(base, { warm: 2000, cold: 200, storeCold: 50 }, 1000);
    const gzipped = await timed(2000, () => base, undefined, { headers: { 'accept-encoding': 'gzip' } });
    const all = await variant(full, { warm: 500, cold: 100, storeCold: 20 }, 20_000);

    // The engine alone on the same bars (what the handler's AnalysisTime metric measures).
    const { analyze } = await import('chan-analysis');
    const bars = csv.slice(-N_BARS).map((l) => {
      const [time, open, high, low, close, volume] = l.split(',');
      return { time: time!, open: +open!, high: +high!, low: +low!, close: +close!, volume: +volume! };
    });
    const engine: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      analyze(bars, { preset: 'chanpy' });
      engine.push(performance.now() - t0);
    }
    engine.sort((a, b) => a - b);

    const line = (name: string, s: number[], rps: number | null, target: string) =>
      `  ${name.padEnd(11)} p50 ${pct(s, 50).toFixed(2).padStart(7)} ms  p99 ${pct(s, 99).toFixed(2).padStart(7)} ms  ${rps === null ? '          ' : `${rps.toFixed(0).padStart(5)} req/s`}  (${s.length} req; ${target})`;
    return [
      `GET /api/v1/analysis/SPY?interval=1d, ${N_BARS} daily bars, local adapter + dynalite + in-process cache, uncompressed:`,
      ` default document (meta + structures), ${(lean.size / 1024).toFixed(0)} KB:`,
      line('warm', lean.warm, lean.warmRps, 'target p99 ≤ 10 ms'),
      line('cold', lean.cold, lean.coldRps, 'target p99 ≤ 60 ms'),
      line('store-cold', lean.storeCold, null, 'informational: bars read from dynalite'),
      line('warm, gzip', gzipped, null, "informational: the local adapter's compression, API Gateway's in AWS"),
      ` include=all (plus bars with MACD, mergedBars, fractals, as rows), ${(all.size / 1024).toFixed(0)} KB:`,
      line('warm', all.warm, all.warmRps, 'informational'),
      line('cold', all.cold, all.coldRps, 'informational'),
      line('store-cold', all.storeCold, null, 'informational'),
      ` engine alone, analyze() of the same ${N_BARS} bars in-process:`,
      line('analyze', engine, null, 'part of every cold request'),
    ];
  } finally {
    await svc.stop();
  }
}
