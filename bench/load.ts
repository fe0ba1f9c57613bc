/**
 * `npm run bench -- load`: the local runtime (`npm start`, in its own process, throttling off, a fresh data folder
 * seeded with the sample series: SPY daily, 5,849 bars) under autocannon, 50 connections:
 *   analysis cold    the first seconds of a fresh process: every connection starts on an empty cache at once
 *                    (identical misses coalesce into one store read and one analysis)
 *   analysis miss    every request a distinct cache key (a `to` past the last bar), so each one runs the engine
 *   analysis warm    the same request again and again: served from the analysis cache
 *   klines warm      GET /api/v1/klines/SPY?interval=1d&limit=1000
 * Reports req/s, latency p50/p99 and the non-2xx count; any non-2xx fails the bench.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon, { type Result } from 'autocannon';

const CONNECTIONS = 50;
const SECONDS = Number(process.env.LOAD_SECONDS ?? 10);

async function startRuntime(dataDir: string): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: new URL('..', import.meta.url),
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, THROTTLE: 'false' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: proc.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`npm start exited with ${code}`)));
    lines.once('line', (l) => resolve(l.trim()));
  });
  lines.on('line', () => {}); // keep draining the runtime's output
  return { url, proc };
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

function line(name: string, r: Result): string {
  const rps = r.requests.total / r.duration;
  return (
    `${name.padEnd(16)} ${rps.toFixed(0).padStart(6)} req/s  p50 ${String(r.latency.p50).padStart(4)} ms  ` +
    `p99 ${String(r.latency.p99).padStart(5)} ms  ${r.requests.total} requests, non-2xx ${r.non2xx}, errors ${r.errors}`
  );
}

export async function benchLoad(): Promise<string[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chan-load-'));
  const out = [`autocannon, ${CONNECTIONS} connections, ${SECONDS} s each, npm start with THROTTLE=false`];
  const failures: string[] = [];
  const { url, proc } = await startRuntime(dataDir);
  try {
    const analysis = `${url}/api/v1/analysis/SPY?interval=1d`;
    const run = async (name: string, opts: Parameters<typeof autocannon>[0]) => {
      const r = await autocannon({ connections: CONNECTIONS, duration: SECONDS, timeout: 30, ...opts });
      out.push(line(name, r));
      if (r.non2xx || r.errors) failures.push(`${name}: ${JSON.stringify(r.statusCodeStats)}, errors ${r.errors}`);
    };
    // First: nothing has been read or analysed by this process yet.
    await run('analysis cold', { url: analysis });
    let i = 0;
    const to = Date.UTC(2030, 0, 1);
    await run('analysis miss', {
      url: analysis,
      requests: [
        { setupRequest: (req) => ({ ...req, path: `/api/v1/analysis/SPY?interval=1d&to=${to + ++i * 60_000}` }) },
      ],
    });
    await run('analysis warm', { url: analysis });
    await run('klines warm', { url: `${url}/api/v1/klines/SPY?interval=1d&limit=1000` });
  } finally {
    await stop(proc);
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (failures.length) throw new Error(`non-2xx answers under load:\n  ${failures.join('\n  ')}\n${out.join('\n')}`);
  return out;
}
