/**
 * Upload bench: POST /api/v1/klines/us_spy_1h?interval=1h with the whole us_spy_1h CSV (40,832 hourly rows) through
 * the local API Gateway adapter and the real handler stack into dynalite (what `npm start` runs). Reported for a
 * fresh series (every bar inserted) and for the same file again (every bar read back and found unchanged), each as
 * the best of a few rounds on fresh series. Target (issue 12): uploads at least as fast as a backfill, ≥ 10k rows/s.
 */
import { readFileSync } from 'node:fs';
import { startService } from '../test/support/service.js';
import { dataFile } from './data.js';

const TARGET_ROWS_PER_S = 10_000;
const ROUNDS = 3;

export async function benchUpload(): Promise<string[]> {
  const csv = readFileSync(dataFile('us_spy_1h'), 'utf8');
  const rows = csv.trim().split('\n').length - 1;
  const svc = await startService({ env: { LOG_LEVEL: 'SILENT' }, throttle: false });
  try {
    const h = { 'x-api-key': svc.apiKey };
    const upload = async (symbol: string, want: 'inserted' | 'unchanged'): Promise<number> => {
      const t0 = performance.now();
      const r = await svc.fetch(`/api/v1/klines/${symbol}?interval=1h`, {
        method: 'POST',
        headers: { ...h, 'content-type': 'text/csv' },
        body: csv,
      });
      const body = (await r.json()) as Record<string, number>;
      const ms = performance.now() - t0;
      if (r.status !== 200 || body[want] !== rows)
        throw new Error(`upload ${symbol}: ${r.status} ${JSON.stringify(body).slice(0, 300)} (expected ${want} ${rows})`);
      return ms;
    };
    const fresh: number[] = [];
    const again: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const symbol = `SPY${i}`;
      const put = await svc.fetch(`/api/v1/symbols/${symbol}`, {
        method: 'PUT',
        headers: { ...h, 'content-type': 'application/json' },
        body: JSON.stringify({ provider: 'upload', intervals: ['1h'] }),
      });
      if (put.status !== 201) throw new Error(`PUT ${symbol}: ${put.status}`);
      fresh.push(await upload(symbol, 'inserted'));
      again.push(await upload(symbol, 'unchanged'));
    }
    const line = (what: string, ms: number[]) => {
      const best = Math.min(...ms);
      const rate = rows / (best / 1000);
      return `  ${what.padEnd(28)} ${(best / 1000).toFixed(2)} s = ${Math.round(rate).toLocaleString('en-US').padStart(6)} rows/s (best of ${ms.length}; ${ms.map((x) => (x / 1000).toFixed(2)).join(' / ')} s; target ≥ ${TARGET_ROWS_PER_S.toLocaleString('en-US')} rows/s: ${rate >= TARGET_ROWS_PER_S ? 'met' : 'NOT met'})`;
    };
    return [
      `POST /api/v1/klines/{symbol}?interval=1h, us_spy_1h.csv (${rows.toLocaleString('en-US')} rows, ${(csv.length / 1e6).toFixed(1)} MB), local adapter + dynalite:`,
      line('new series (all inserted)', fresh),
      line('same file again (unchanged)', again),
    ];
  } finally {
    await svc.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchUpload()) console.log(line);
}
