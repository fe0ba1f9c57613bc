/**
 * Upload bench: POST /api/v1/klines/us_spy_1h?interval=1h with the whole us_spy_1h CSV (40,832 hourly rows) through
 * the local API Gateway adapter and the real handler stack into dynalite (what `npm start` runs). Reported for a
 * fresh series (every bar inserted) and for the same file again (every bar read back and found unchanged), five
 * rounds each on fresh series. Target (issue 12): uploads at least as fast as a backfill, ≥ 10k rows/s.
 *
 * dynalite runs on a worker thread of this process (as under `npm start`), so the database's work is part of the
 * figure, on the second core as DynamoDB's is elsewhere. The verdict reads the median of the rounds; beside it the
 * bench reports the process's CPU time over both threads: what an upload costs, which a machine busy with other
 * work does not inflate as it does the wall time (the load average is printed with it).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { startService } from '../test/support/service.js';
import { dataFile } from './data.js';
import { median } from './stats.js';

const TARGET_ROWS_PER_S = 10_000;

interface Run {
  ms: number;
  cpuMs: number;
}
const ROUNDS = 5;

export async function benchUpload(): Promise<string[]> {
  const csv = readFileSync(dataFile('us_spy_1h'), 'utf8');
  const rows = csv.trim().split('\n').length - 1;
  const svc = await startService({ env: { LOG_LEVEL: 'SILENT' }, throttle: false, dbThread: true });
  try {
    const h = { 'x-api-key': svc.apiKey };
    const upload = async (symbol: string, want: 'inserted' | 'unchanged'): Promise<Run> => {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const r = await svc.fetch(`/api/v1/klines/${symbol}?interval=1h`, {
        method: 'POST',
        headers: { ...h, 'content-type': 'text/csv' },
        body: csv,
      });
      const body = (await r.json()) as Record<string, number>;
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(c0);
      if (r.status !== 200 || body[want] !== rows)
        throw new Error(
          `upload ${symbol}: ${r.status} ${JSON.stringify(body).slice(0, 300)} (expected ${want} ${rows})`,
        );
      return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
    };
    const fresh: Run[] = [];
    const again: Run[] = [];
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
    const rate = (ms: number) => Math.round(rows / (ms / 1000)).toLocaleString('en-US');
    const verdict = (ms: number) => (rows / (ms / 1000) >= TARGET_ROWS_PER_S ? 'met' : 'NOT met');
    // The verdict reads the median run; CPU time covers both threads (handlers and the store), so it is the
    // cost of an upload, not its speed.
    const line = (what: string, runs: Run[]) => {
      const mid = median(runs.map((r) => r.ms));
      const best = Math.min(...runs.map((r) => r.ms));
      const cpu = median(runs.map((r) => r.cpuMs));
      return `  ${what.padEnd(28)} median ${(mid / 1000).toFixed(2)} s = ${rate(mid).padStart(6)} rows/s, best ${rate(best)} rows/s (runs: ${runs.map((r) => (r.ms / 1000).toFixed(2)).join(' / ')} s), CPU ${(cpu / 1000).toFixed(2)} s over both threads; target ≥ ${TARGET_ROWS_PER_S.toLocaleString('en-US')} rows/s: ${verdict(mid)}`;
    };
    return [
      `POST /api/v1/klines/{symbol}?interval=1h, us_spy_1h.csv (${rows.toLocaleString('en-US')} rows, ${(csv.length / 1e6).toFixed(1)} MB), local adapter + dynalite on a worker thread of the same process (load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores):`,
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
