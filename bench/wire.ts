/**
 * What the chart page meets on the wire: GET /api/v1/analysis?include=all for the newest 20,000 hourly SPY bars
 * through the local API Gateway adapter (gzip negotiated as API Gateway does), in the default row format and in
 * format=columns. Timed from request to a parsed document on the client (decompression and JSON.parse included):
 *   miss  analysis cache miss on every request (a distinct `to` past the last bar: same bars, new key)
 *   hit   the cached response body
 * Wire bytes are the compressed body as sent; the raw size is the JSON before compression.
 * Targets (issue 12): ≤ 0.4 s and ≤ 3 MB on the wire.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { loadavg } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { startService } from '../test/support/service.js';
import { dataFile } from './data.js';
import { median } from './stats.js';

const N_BARS = 20_000;
const TARGET_MS = 400;
const TARGET_BYTES = 3 * 1024 * 1024;

interface Fetched {
  ms: number;
  wire: number;
  raw: number;
}

/** One GET with gzip accepted, timed to the parsed document; node:http so the compressed size can be counted. */
function get(url: string): Promise<Fetched> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const wire = Buffer.concat(chunks);
        if (res.statusCode !== 200) return reject(new Error(`${url} → ${res.statusCode}: ${wire.subarray(0, 200)}`));
        const raw = res.headers['content-encoding'] === 'gzip' ? gunzipSync(wire) : wire;
        JSON.parse(raw.toString('utf8'));
        resolve({ ms: performance.now() - t0, wire: wire.length, raw: raw.length });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MB`;

export async function benchWire(): Promise<string[]> {
  const svc = await startService({ env: { LOG_LEVEL: 'SILENT', MAX_ANALYSIS_BARS: String(N_BARS) }, throttle: false });
  try {
    const csv = readFileSync(dataFile('us_spy_1h'), 'utf8').trim().split('\n');
    await svc.uploadCsv('SPY', '1h', [csv[0], ...csv.slice(-N_BARS)].join('\n'));
    const base = `${svc.url}/api/v1/analysis/SPY?interval=1h&include=all`;
    // A `to` beyond the last bar changes the cache key but not the bars analysed.
    let n = 0;
    const missUrl = (u: string) => `${u}&to=${Date.UTC(2030, 0, 1) + ++n * 60_000}`;
    const formats = [
      ['rows (default)', base],
      ['format=columns', `${base}&format=columns`],
    ] as const;
    for (const [, u] of formats) for (let i = 0; i < 3; i++) await get(missUrl(u)); // JIT warm-up

    const out = [
      `GET /api/v1/analysis/SPY?interval=1h&include=all, ${N_BARS} hourly bars, local adapter (gzip) + dynalite + in-process cache;`,
      `time to a parsed document, median of 7 (target ≤ ${TARGET_MS} ms), compressed bytes on the wire (target ≤ ${mb(TARGET_BYTES)});`,
      `load average at the start ${loadavg()[0]!.toFixed(1)}:`,
    ];
    // Interleaved, so both formats meet the same machine load and the same cache fill.
    const miss = formats.map((): Fetched[] => []);
    const hit = formats.map((): Fetched[] => []);
    for (const [, u] of formats) await get(u);
    for (let i = 0; i < 7; i++) {
      for (const [f, [, u]] of formats.entries()) miss[f]!.push(await get(missUrl(u)));
      for (const [f, [, u]] of formats.entries()) hit[f]!.push(await get(u));
    }
    for (const [f, [name]] of formats.entries()) {
      const { wire, raw } = hit[f]![0]!;
      const ok = (ms: number) => (ms <= TARGET_MS && wire <= TARGET_BYTES ? 'meets' : 'MISSES');
      const missMs = median(miss[f]!.map((x) => x.ms));
      const hitMs = median(hit[f]!.map((x) => x.ms));
      out.push(
        `  ${name.padEnd(15)} miss ${missMs.toFixed(0).padStart(5)} ms (${ok(missMs)} target)  hit ${hitMs.toFixed(0).padStart(5)} ms (${ok(hitMs)} target)  wire ${mb(wire)}  raw JSON ${mb(raw)}`,
      );
    }
    return out;
  } finally {
    await svc.stop();
  }
}
