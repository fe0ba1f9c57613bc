/**
 * A Redis client for a cluster (ElastiCache Serverless is cluster-mode only) or a single server.
 *
 * Cluster routing: CLUSTER SLOTS, asked of the seed, maps each slot to its master; a command goes to the master of
 * its key's slot over one reused connection per node. `MOVED <slot> <node>` (the slot has moved for good) refreshes
 * the map and retries on the named node; `ASK <slot> <node>` (the slot is being migrated and this key is already
 * on the target) retries on that node after ASKING, without touching the map. Redirects are bounded.
 *
 * Failures: a node whose connection breaks is dropped and reconnected on the next call, and the slot map is asked
 * for again (the node may have failed over). A failed connect or a timeout is never retried, so a dead server makes
 * each call fail fast with the connection's error; ResilientCache turns that into a miss.
 */
import { RedisError, type Reply } from './codec.js';
import { Connection, ConnectionError, type ConnectionOptions } from './connection.js';
import { keySlot, SLOTS } from './slot.js';

export interface RedisClientOptions extends Omit<ConnectionOptions, 'host' | 'port' | 'onBroken'> {
  host: string;
  port: number;
  /** false: a single server; every command goes to it and redirects are errors. */
  cluster: boolean;
  /** MOVED/ASK redirects one command may follow. */
  maxRedirects?: number;
  /** Fresh connections one command may try after an established connection broke under it. */
  maxReconnects?: number;
  /** A connection failed or broke (the command's own error still goes to its caller). */
  onError?: (e: Error) => void;
}

const REDIRECT = /^(MOVED|ASK) \d+ (\S*):(\d+)$/;

export class RedisClient {
  private readonly seed: string;
  /** slot → "host:port" of its master; undefined until asked for, and again after a connection broke. */
  private slots: (string | undefined)[] | undefined;
  private refreshing: Promise<void> | undefined;
  private readonly nodes = new Map<string, Promise<Connection>>();

  constructor(private readonly opts: RedisClientOptions) {
    this.seed = `${opts.host}:${opts.port}`;
  }

  /** Runs one command; `key` (any key it touches, all in one slot) picks the cluster node. */
  async command(args: readonly string[], key?: string): Promise<Reply> {
    const { maxRedirects = 5, maxReconnects = 1 } = this.opts;
    const slot = this.opts.cluster && key !== undefined ? keySlot(key) : undefined;
    let node = slot === undefined ? this.seed : await this.master(slot);
    let asking = false;
    let redirects = 0;
    let reconnects = 0;
    for (;;) {
      try {
        const c = await this.connection(node);
        if (!asking) return await c.send(args);
        // Pipelined: ASKING applies to the very next command on this connection.
        const [, reply] = await Promise.all([c.send(['ASKING']), c.send(args)]);
        return reply;
      } catch (e) {
        if (e instanceof ConnectionError && e.retriable && reconnects++ < maxReconnects) {
          this.slots = undefined;
          node = slot === undefined ? this.seed : await this.master(slot);
          asking = false;
          continue;
        }
        const redirect = this.opts.cluster && e instanceof RedisError ? REDIRECT.exec(e.message) : null;
        if (!redirect || redirects++ >= maxRedirects) throw e;
        // An empty host means "the host you asked" (Redis 7 with an unknown endpoint).
        node = `${redirect[2] || hostOf(node)}:${redirect[3]}`;
        asking = redirect[1] === 'ASK';
        if (!asking && slot !== undefined) {
          // The named node answers this retry whatever the refreshed map says; the map is for later commands.
          if (this.slots) this.slots[slot] = node;
          await this.refresh().catch(() => {});
        }
      }
    }
  }

  /** Closes every connection after its pending commands; a later command connects again. */
  async close(): Promise<void> {
    const all = [...this.nodes.values()];
    this.nodes.clear();
    this.slots = undefined;
    // A connection that never opened has nothing to close.
    await Promise.all(all.map((p) => p.then((c) => c.close()).catch(() => {})));
  }

  private async master(slot: number): Promise<string> {
    if (!this.slots) await this.refresh();
    return this.slots?.[slot] ?? this.seed;
  }

  /** Asks the seed (else any other known node) for the slot map; concurrent callers share one request. */
  private refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      let last: unknown;
      for (const node of new Set([this.seed, ...this.nodes.keys()])) {
        try {
          this.slots = slotMap(await (await this.connection(node)).send(['CLUSTER', 'SLOTS']), hostOf(node));
          return;
        } catch (e) {
          last = e;
        }
      }
      throw last;
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private connection(node: string): Promise<Connection> {
    const existing = this.nodes.get(node);
    if (existing) return existing;
    // A connection is reported once, whether it failed to open or broke later (an AUTH timeout does both).
    let reported = false;
    const drop = (e: Error) => {
      if (this.nodes.get(node) === opened) this.nodes.delete(node);
      if (!reported) this.opts.onError?.(e);
      reported = true;
    };
    const { cluster: _c, maxRedirects: _r, maxReconnects: _n, onError: _e, ...connection } = this.opts;
    const opened = Connection.open({ ...connection, host: hostOf(node), port: portOf(node), onBroken: drop });
    opened.catch(drop);
    this.nodes.set(node, opened);
    return opened;
  }
}

/** CLUSTER SLOTS → slot → "host:port": each entry is [first, last, [host, port, id, …] (master), …replicas]. */
function slotMap(reply: Reply, askedHost: string): (string | undefined)[] {
  if (!Array.isArray(reply)) throw new Error('redis CLUSTER SLOTS: unexpected reply');
  const map = new Array<string | undefined>(SLOTS);
  for (const entry of reply) {
    if (!Array.isArray(entry)) continue;
    const [first, last, master] = entry;
    if (typeof first !== 'number' || typeof last !== 'number' || !Array.isArray(master)) continue;
    const [host, port] = master;
    // An empty or nil host means the node that answered; '?' (Redis 7: no announced host name) is taken the same.
    const known = typeof host === 'string' && host !== '' && host !== '?';
    map.fill(`${known ? host : askedHost}:${port}`, first, last + 1);
  }
  return map;
}

const hostOf = (node: string) => node.slice(0, node.lastIndexOf(':'));
const portOf = (node: string) => Number(node.slice(node.lastIndexOf(':') + 1));
