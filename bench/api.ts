/**
 * GET /api/v1/analysis for 5,000 daily bars (the last 5,000 SPY sessions) through the local API Gateway adapter
 * and the real handler stack on dynalite with the in-process cache (what `npm start` runs):
 *   warm        analysis response cached (the steady state for a chart being viewed)
 *   cold        analysis cache miss on every request (distinct cache key, identical work: engine + serialization),
 *               bars still served from the per-bucket cache
 *   store-cold  every cache emptied before each request: series summary and bars read from dynalite too
 * Latency is measured sequentially (p50/p99); requests/s with 8 concurrent clients.
 */
import { readFileSync } from 'node:fs';
import { startService } from '../test/support/service.js';

const N_BARS = 5000;

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function timed(n: number, url: (i: number) => string, before?: () => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    await before?.();
    const t0 = performance.now();
    const r = await fetch(url(i));
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
        const r = await fetch(url(i));
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
    const csv = readFileSync(new URL('../shared/chan-analysis/test/fixtures/us_spy_1d.csv', import.meta.url), 'utf8').trim().split('\n');
    const body = [csv[0], ...csv.slice(-N_BARS)].join('\n');
    const h = { 'x-api-key': svc.apiKey };
    await svc.fetch('/api/v1/symbols/SPY', { method: 'PUT', headers: { ...h, 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'upload', intervals: ['1d'] }) });
    const up = (await (await svc.fetch('/api/v1/klines/SPY?interval=1d', { method: 'POST', headers: { ...h, 'content-type': 'text/csv' }, body })).json()) as { inserted: number };
    if (up.inserted !== N_BARS) throw new Error(`seeded ${up.inserted} bars, expected ${N_BARS}`);

    const base = `${svc.url}/api/v1/analysis/SPY?interval=1d`;
    // A `to` beyond the last bar changes the cache key but not the bars analysed.
    const coldUrl = (i: number) => `${base}&to=${Date.UTC(2030, 0, 1) + i * 60_000}`;
    const { getDeps } = await import('../functions/common/deps.js');
    const clearCache = async () => getDeps().cache.inner.close();

    const first = await (await fetch(base)).json() as { barCount: number };
    if (first.barCount !== N_BARS) throw new Error(`analysed ${first.barCount} bars`);
    await timed(20, coldUrl); // JIT warm-up of the engine path
    const cold = await timed(200, (i) => coldUrl(1000 + i));
    const storeCold = await timed(50, () => base, clearCache);
    await fetch(base);
    const warm = await timed(2000, () => base);
    const warmRps = await throughput(4000, 8, () => base);
    const coldRps = await throughput(200, 8, (i) => coldUrl(5000 + i));
    const size = (await (await fetch(base)).arrayBuffer()).byteLength;

    const line = (name: string, s: number[], rps: number | null, target: string) =>
      `  ${name.padEnd(11)} p50 ${pct(s, 50).toFixed(2).padStart(7)} ms  p99 ${pct(s, 99).toFixed(2).padStart(7)} ms  ${rps === null ? '' : `${rps.toFixed(0).padStart(5)} req/s`}  (${s.length} req; target ${target})`;
    return [
      `GET /api/v1/analysis, ${N_BARS} daily bars (SPY), local adapter + dynalite + in-process cache, response ${(size / 1024).toFixed(0)} KB:`,
      line('warm', warm, warmRps, 'p99 ≤ 10 ms'),
      line('cold', cold, coldRps, 'p99 ≤ 60 ms'),
      line('store-cold', storeCold, null, 'informational: bars read from dynalite'),
    ];
  } finally {
    await svc.stop();
  }
}
