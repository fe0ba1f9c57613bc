/**
 * What a user sees when `npm start` or `npm run backfill` cannot run: one line saying why and what to do, a
 * non-zero exit code, no stack trace. The real entry points run as child processes (as `npm start` runs them).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir } from '../../local/lock.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'chan-start-'));
  dirs.push(d);
  return d;
};

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function run(
  file: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, file), ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'ERROR', SCHEDULES: 'off', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A lock file as a running `npm start` leaves it (this test process stands in for it: it is alive). */
function heldBy(dir: string, url = 'http://127.0.0.1:3999') {
  writeFileSync(
    join(dir, '.lock'),
    JSON.stringify({ pid: process.pid, holder: 'npm start', url, since: new Date().toISOString() }),
  );
}

describe('the data-folder lock', () => {
  it('refuses a second holder while the first lives, naming it; takes over a lock whose process is gone', () => {
    const dir = tempDir();
    // A holder that no longer exists (no such pid): taken over, and released again.
    writeFileSync(join(dir, '.lock'), JSON.stringify({ pid: 2 ** 22 + 17, holder: 'npm start', since: 'then' }));
    lockDataDir(dir, 'npm start').release();
    // A live holder (the test runner's parent process stands in for a running `npm start`): refused.
    writeFileSync(
      join(dir, '.lock'),
      JSON.stringify({ pid: process.ppid, holder: 'npm start', url: 'http://127.0.0.1:3999', since: 'now' }),
    );
    expect(() => lockDataDir(dir, 'npm run backfill')).toThrow(DataDirLockedError);
    expect(() => lockDataDir(dir, 'npm run backfill')).toThrow(
      `is in use by \`npm start\` (pid ${process.ppid}, http://127.0.0.1:3999, since now)`,
    );
  });
});

describe('npm start / npm run backfill: one-line errors', () => {
  it('a second `npm start` on the same data folder: one line naming the running one, exit 1', async () => {
    const dir = tempDir();
    heldBy(dir);
    const r = await run('local/start.ts', [], { DATA_DIR: dir, PORT: '0' });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^npm start: .* is in use by `npm start` \(pid \d+, http:\/\/127\.0\.0\.1:3999/);
    expect(lines[0]).toMatch(/DATA_DIR=.* PORT=\d+ npm start$/);
    expect(r.stdout).not.toMatch(/http:\/\//); // it never started serving
  });

  it('`npm run backfill` while the server holds the store: one line, with the API alternative, exit 2', async () => {
    const dir = tempDir();
    heldBy(dir);
    const r = await run('local/backfill.ts', ['--symbol', 'BTCUSDT', '--interval', '1h', '--from', '2026-11-01'], {
      DATA_DIR: dir,
      AWS_ENDPOINT_URL_DYNAMODB: '',
      AWS_ACCESS_KEY_ID: '',
      AWS_PROFILE: '',
    });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^backfill: .* is in use by `npm start` .*stop it first, or backfill through it: curl -X POST http:\/\/127\.0\.0\.1:3999\/api\/v1\/symbols\/BTCUSDT\/backfill/,
    );
  });

  it('a busy port: one line naming the port and a free alternative, exit 1, and the data folder is released', async () => {
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as AddressInfo).port;
    const dir = tempDir();
    try {
      const r = await run('local/start.ts', [], { DATA_DIR: dir, PORT: String(port) });
      expect(r.code).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toBe(
        `npm start: port ${port} is already in use (another \`npm start\`, or another program): stop it, or choose a free port: PORT=${port + 1} npm start`,
      );
      // The lock went with the process: the folder can be used at once.
      lockDataDir(dir, 'test').release();
    } finally {
      busy.close();
    }
  }, 180_000);
});
