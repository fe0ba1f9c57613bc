/**
 * A real redis-server in cluster mode (one node holding all 16384 slots), as close to ElastiCache Serverless
 * (cluster-mode only) as a laptop gets: CROSSSLOT errors and MOVED handling behave as in production.
 * `--cluster-announce-ip 127.0.0.1` is required, or ioredis' Cluster loops forever on the node's own address.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';
export const REDIS_CLI = process.env.REDIS_CLI_BIN ?? '/usr/bin/redis-cli';

export interface RedisCluster {
  port: number;
  url: string;
  pid: number;
  /** Graceful shutdown (SIGTERM) and wait for exit. */
  stop(): Promise<void>;
  /** Abrupt death (SIGKILL): the cache-outage tests use this. */
  kill(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

const cli = (port: number, ...args: string[]) =>
  spawnSync(REDIS_CLI, ['-p', String(port), ...args], { encoding: 'utf8', timeout: 5000 });

export async function startRedisCluster(): Promise<RedisCluster> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
  const proc: ChildProcess = spawn(
    REDIS_SERVER,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--cluster-enabled',
      'yes',
      '--cluster-announce-ip',
      '127.0.0.1',
      '--cluster-config-file',
      join(dir, 'nodes.conf'),
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const deadline = Date.now() + 15_000;
  // Wait for the server to answer, then give it every slot and wait for cluster_state:ok.
  while (cli(port, 'ping').stdout?.trim() !== 'PONG') {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`redis-server on ${port} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const add = cli(port, 'cluster', 'addslotsrange', '0', '16383');
  if (!/OK/.test(add.stdout ?? '')) throw new Error(`cluster addslotsrange failed: ${add.stdout}${add.stderr}`);
  while (!/cluster_state:ok/.test(cli(port, 'cluster', 'info').stdout ?? '')) {
    if (Date.now() > deadline) throw new Error('redis cluster did not reach cluster_state:ok');
    await new Promise((r) => setTimeout(r, 50));
  }
  const finish = async (signal: NodeJS.Signals) => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: proc.pid!,
    stop: () => finish('SIGTERM'),
    kill: () => finish('SIGKILL'),
  };
}
