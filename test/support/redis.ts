/**
 * Real redis-server processes in cluster mode, as close to ElastiCache Serverless (cluster-mode only) as a laptop
 * gets: CROSSSLOT errors, MOVED and ASK redirects behave as in production.
 *
 * - startRedisCluster: one node holding all 16384 slots (what the service tests run against).
 * - startRedisCluster3: three masters on loopback, slots split between them, for routing and redirect tests.
 * - startRedisCluster({ tls: true, args: [...] }): TLS only (`--port 0`), with a self-signed certificate for
 *   `localhost` made at start, announcing itself by host name the way ElastiCache Serverless does.
 *
 * `--cluster-announce-ip 127.0.0.1` keeps CLUSTER SLOTS pointing at loopback. The cluster bus port is picked
 * free as well (its default, port + 10000, is out of range for high ephemeral ports).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';
export const REDIS_CLI = process.env.REDIS_CLI_BIN ?? '/usr/bin/redis-cli';

export interface RedisCluster {
  port: number;
  /** The cluster bus port (CLUSTER MEET needs it: it is not port + 10000 here). */
  busPort: number;
  url: string;
  pid: number;
  /** PEM of the self-signed certificate (TLS servers only), for the client's `tls.ca`. */
  ca?: string;
  /** redis-cli against this node (TLS handled); stdout, trimmed. */
  cli(...args: string[]): string;
  /** Graceful shutdown (SIGTERM) and wait for exit. */
  stop(): Promise<void>;
  /** Abrupt death (SIGKILL): the cache-outage tests use this. Keeps the node's files for restart(). */
  kill(): Promise<void>;
  /** Starts the node again on the same port with the same cluster config (its slots), after kill(). */
  restart(): Promise<void>;
}

export interface RedisClusterOptions {
  /** TLS only, certificate for CN/SAN localhost; the url becomes rediss://localhost:<port>. */
  tls?: boolean;
  /** Give this node every slot (default); false leaves slot assignment to the caller (startRedisCluster3). */
  allSlots?: boolean;
  /** A plain redis-server, not in cluster mode (for the client's single-server mode). */
  plain?: boolean;
  /** Extra redis-server arguments, e.g. an ACL user: ['--user', 'app', 'on', '>secret', '~*', '+@all']. */
  args?: string[];
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

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, ok: () => boolean, deadline: number) {
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`redis: ${what}`);
    await pause(50);
  }
}

export async function startRedisCluster(opts: RedisClusterOptions = {}): Promise<RedisCluster> {
  const [port, busPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
  const tlsArgs: string[] = [];
  let ca: string | undefined;
  if (opts.tls) {
    const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
    const gen = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    if (gen.status !== 0) throw new Error(`openssl failed: ${gen.stderr}`);
    ca = readFileSync(cert, 'utf8');
    tlsArgs.push(
      ...['--port', '0', '--tls-port', String(port), '--tls-cert-file', cert, '--tls-key-file', key],
      ...['--tls-ca-cert-file', cert, '--tls-auth-clients', 'no', '--tls-replication', 'yes'],
    );
    if (!opts.plain) {
      tlsArgs.push(
        '--tls-cluster',
        'yes',
        // Clients then meet the host name the certificate names, as with ElastiCache Serverless's DNS endpoint.
        ...['--cluster-announce-hostname', 'localhost', '--cluster-preferred-endpoint-type', 'hostname'],
      );
    }
  }
  const args = [
    ...(opts.tls ? tlsArgs : ['--port', String(port)]),
    ...['--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    ...(opts.plain
      ? []
      : ['--cluster-enabled', 'yes', '--cluster-announce-ip', '127.0.0.1', '--cluster-port', String(busPort)]),
    ...(opts.plain ? [] : ['--cluster-config-file', join(dir, 'nodes.conf')]),
    ...(opts.args ?? []),
  ];
  const cli = (...a: string[]) => {
    const conn = opts.tls ? ['--tls', '--cacert', join(dir, 'cert.pem'), '-h', 'localhost'] : ['-h', '127.0.0.1'];
    const r = spawnSync(REDIS_CLI, [...conn, '-p', String(port), ...a], { encoding: 'utf8', timeout: 5000 });
    return `${r.stdout ?? ''}`.trim();
  };

  let proc: ChildProcess;
  let exited: Promise<void>;
  const launch = async () => {
    proc = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
    exited = new Promise<void>((r) => proc.once('exit', () => r()));
    const deadline = Date.now() + 15_000;
    await waitFor(
      `redis-server on ${port} did not start`,
      () => {
        if (proc.exitCode !== null) throw new Error(`redis-server on ${port} exited (${proc.exitCode})`);
        return cli('ping') === 'PONG';
      },
      deadline,
    );
    if (opts.allSlots === false || opts.plain) return;
    // A restarted node has its slots back from nodes.conf.
    if (/cluster_slots_assigned:0\b/.test(cli('cluster', 'info'))) {
      const add = cli('cluster', 'addslotsrange', '0', '16383');
      if (!/OK/.test(add)) throw new Error(`cluster addslotsrange failed: ${add}`);
    }
    await waitFor(
      'cluster did not reach cluster_state:ok',
      () => /cluster_state:ok/.test(cli('cluster', 'info')),
      deadline,
    );
  };
  await launch();

  const end = async (signal: NodeJS.Signals) => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    await exited;
  };
  return {
    port,
    busPort,
    url: opts.tls ? `rediss://localhost:${port}` : `redis://127.0.0.1:${port}`,
    get pid() {
      return proc.pid!;
    },
    ...(ca ? { ca } : {}),
    cli,
    stop: async () => {
      await end('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    kill: () => end('SIGKILL'),
    restart: launch,
  };
}

export interface RedisCluster3 {
  nodes: RedisCluster[];
  /** Node ids, in the order of `nodes`. */
  ids: string[];
  /** The seed the client is given (the first node). */
  url: string;
  /** Waits until every node reports the same slot map (after a test changed it). */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/** Three masters, slots split 0–5460 / 5461–10922 / 10923–16383, joined by CLUSTER MEET. */
export async function startRedisCluster3(): Promise<RedisCluster3> {
  const nodes = [
    await startRedisCluster({ allSlots: false }),
    await startRedisCluster({ allSlots: false }),
    await startRedisCluster({ allSlots: false }),
  ];
  try {
    const ranges = [
      [0, 5460],
      [5461, 10922],
      [10923, 16383],
    ];
    nodes.forEach((n, i) => {
      // Distinct config epochs from the start, as redis-cli --cluster create sets them: otherwise the nodes settle
      // their equal epochs over the next seconds, and a slot moved meanwhile may flip back in some node's view.
      n.cli('cluster', 'set-config-epoch', String(i + 1));
      n.cli('cluster', 'addslotsrange', String(ranges[i]![0]), String(ranges[i]![1]));
    });
    for (const n of nodes.slice(1)) nodes[0]!.cli('cluster', 'meet', '127.0.0.1', String(n.port), String(n.busPort));
    const ids = nodes.map((n) => n.cli('cluster', 'myid'));
    // Every node must know every other before a redirect it sends can name the right one.
    await waitFor(
      '3-node cluster did not converge',
      () =>
        nodes.every((n) => /cluster_state:ok/.test(n.cli('cluster', 'info'))) &&
        nodes.every(
          (n) =>
            n
              .cli('cluster', 'nodes')
              .split('\n')
              .filter((l) => / connected\b/.test(l)).length === 3,
        ),
      Date.now() + 20_000,
    );
    return {
      nodes,
      ids,
      url: nodes[0]!.url,
      settled: () =>
        waitFor(
          'the nodes did not agree on the slot map',
          () => new Set(nodes.map((n) => n.cli('cluster', 'slots'))).size === 1,
          Date.now() + 10_000,
        ),
      stop: async () => {
        await Promise.all(nodes.map((n) => n.stop()));
      },
    };
  } catch (e) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw e;
  }
}
