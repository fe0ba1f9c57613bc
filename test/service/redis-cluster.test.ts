/**
 * The cache's own Redis client against three real masters on loopback: each command reaches the node that owns
 * its key's slot, multi-key reads split by slot, a slot moved for good (MOVED) and a slot in mid-migration (ASK)
 * are followed, and many concurrent commands share one connection per node and come back to the right callers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCache } from '../../functions/cache/redis.js';
import { keySlot } from '../../functions/cache/resp/slot.js';
import { startRedisCluster3, type RedisCluster3 } from '../support/redis.js';

/** Slot ranges of the three nodes, as startRedisCluster3 assigns them. */
const ownerAtStart = (slot: number) => (slot <= 5460 ? 0 : slot <= 10922 ? 1 : 2);

/** A fresh key (with `prefix`) whose slot a node owns at start, and not in `avoid`. */
function keyOn(node: number, prefix: string, avoid: number[] = []): string {
  for (let i = 0; ; i++) {
    const k = `${prefix}-${i}`;
    if (ownerAtStart(keySlot(k)) === node && !avoid.includes(keySlot(k))) return k;
  }
}

describe('RedisCache on a 3-master cluster', () => {
  let c: RedisCluster3;
  let cache: RedisCache;
  beforeAll(async () => {
    c = await startRedisCluster3();
    cache = new RedisCache({ url: c.url, cluster: true, commandTimeoutMs: 2000 });
  });
  afterAll(async () => {
    await cache?.close();
    await c?.stop();
  });

  /** INFO commandstats: commands a node ran, and (`rejected`) those it answered with an error such as MOVED. */
  const stat = (node: number, command: string, field: 'calls' | 'rejected_calls' = 'calls') =>
    Number(
      new RegExp(`cmdstat_${command}:.*\\b${field}=(\\d+)`).exec(c.nodes[node]!.cli('info', 'commandstats'))?.[1] ?? 0,
    );
  const calls = (node: number, command: string) => stat(node, command);

  it('pipelines many concurrent commands over one connection per node, each reply to its caller', async () => {
    const n = 3000;
    const keys = Array.from({ length: n }, (_, i) => `pipe-${i}`);
    await Promise.all(keys.map((k, i) => cache.set(k, `${i}:${'x'.repeat(i % 50)}`, 'realtime')));
    const got = await Promise.all(keys.map((k) => cache.get(k)));
    expect(got).toEqual(keys.map((_, i) => `${i}:${'x'.repeat(i % 50)}`));
    for (const node of c.nodes) {
      // This client's one connection plus redis-cli's own (before any MIGRATE, whose cached connection counts too).
      expect(node.cli('info', 'clients')).toMatch(/connected_clients:2\b/);
    }
    await cache.del(keys);
  });

  it('sends each key to the node owning its slot; MGET and DEL span slots, one command per slot', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `route-${i}`);
    expect(new Set(keys.map((k) => ownerAtStart(keySlot(k)))).size).toBe(3);
    for (const k of keys) await cache.set(k, `v:${k}`, 'general');
    // Each value is on its owner (a plain redis-cli GET elsewhere would answer MOVED).
    for (const k of keys) expect(c.nodes[ownerAtStart(keySlot(k))]!.cli('get', k), k).toBe(`v:${k}`);

    const asked = ['route-7', 'missing-1', ...keys.slice(0, 10).reverse(), 'missing-2'];
    const before = [0, 1, 2].map((n) => calls(n, 'mget'));
    expect(await cache.mget(asked)).toEqual(asked.map((k) => (k.startsWith('missing') ? null : `v:${k}`)));
    const slots = new Set(asked.map(keySlot));
    const mgets = [0, 1, 2].map((n) => calls(n, 'mget') - before[n]!);
    expect(mgets.reduce((a, b) => a + b)).toBe(slots.size);

    // Series keys share one {tag}, so a series costs one MGET wherever it lives.
    const series = ['{SPY:1d}:meta', '{SPY:1d}:k:2020:1', '{SPY:1d}:k:2021:1'];
    const home = ownerAtStart(keySlot(series[0]!));
    const homeBefore = calls(home, 'mget');
    expect(await cache.mget(series)).toEqual([null, null, null]);
    expect(calls(home, 'mget') - homeBefore).toBe(1);

    await cache.del(keys);
    expect(await cache.mget(keys)).toEqual(keys.map(() => null));
    for (const n of c.nodes) expect(Number(n.cli('dbsize'))).toBe(0);
  });

  /** The steps of a slot migration, as redis-cli --cluster reshard does them. */
  const migration = (slot: number, from: number, to: number) => ({
    start() {
      expect(c.nodes[to]!.cli('cluster', 'setslot', String(slot), 'importing', c.ids[from]!)).toBe('OK');
      expect(c.nodes[from]!.cli('cluster', 'setslot', String(slot), 'migrating', c.ids[to]!)).toBe('OK');
    },
    move(...keys: string[]) {
      const port = String(c.nodes[to]!.port);
      expect(c.nodes[from]!.cli('migrate', '127.0.0.1', port, '', '0', '5000', 'KEYS', ...keys)).toBe('OK');
    },
    async finish() {
      for (const n of [to, from, 3 - to - from]) {
        expect(c.nodes[n]!.cli('cluster', 'setslot', String(slot), 'node', c.ids[to]!)).toBe('OK');
      }
      await c.settled();
    },
  });

  it('follows MOVED after a slot moved to another node, and routes there directly afterwards', async () => {
    const k = keyOn(0, 'moved');
    await cache.set(k, 'before the move', 'general');
    expect(await cache.get(k)).toBe('before the move');

    const m = migration(keySlot(k), 0, 1);
    m.start();
    m.move(k);
    await m.finish();
    expect(c.nodes[1]!.cli('get', k)).toBe('before the move');

    // The client's map still says node 0: node 0 answers MOVED, the client follows it and refreshes its map.
    const [moved0, sets0] = [stat(0, 'get', 'rejected_calls'), stat(0, 'set', 'rejected_calls')];
    expect(await cache.get(k)).toBe('before the move');
    expect(stat(0, 'get', 'rejected_calls')).toBe(moved0 + 1);
    await cache.set(k, 'after the move', 'general');
    expect(await cache.get(k)).toBe('after the move');
    expect(stat(0, 'get', 'rejected_calls')).toBe(moved0 + 1);
    expect(stat(0, 'set', 'rejected_calls')).toBe(sets0);
    expect(c.nodes[1]!.cli('get', k)).toBe('after the move');
  });

  it('follows ASK to the importing node during a migration, without changing its map', async () => {
    const stays = keyOn(2, 'ask');
    const slot = keySlot(stays);
    let moves = '';
    for (let i = 0; !moves; i++) if (keySlot(`{${stays}}-${i}`) === slot) moves = `{${stays}}-${i}`;
    expect(keySlot(moves)).toBe(slot);
    await cache.set(stays, 'on the source', 'general');
    await cache.set(moves, 'migrated', 'general');

    const m = migration(slot, 2, 0);
    m.start();
    m.move(moves);
    // A key already migrated: node 2 answers ASK, node 0 serves it after ASKING.
    const asking0 = calls(0, 'asking');
    expect(await cache.get(moves)).toBe('migrated');
    expect(calls(0, 'asking')).toBe(asking0 + 1);
    // A key not yet migrated is still served by the source, so the map was not switched to node 0.
    const gets2 = calls(2, 'get');
    expect(await cache.get(stays)).toBe('on the source');
    expect(calls(2, 'get')).toBe(gets2 + 1);
    // A new key in a migrating slot is created on the target (the source answers ASK for keys it lacks).
    const fresh = `{${stays}}-fresh`;
    await cache.set(fresh, 'new', 'general');
    expect(c.nodes[0]!.cli('cluster', 'countkeysinslot', String(slot))).toBe('2');
    expect(await cache.get(fresh)).toBe('new');

    m.move(stays);
    await m.finish();
    expect(await cache.mget([stays, moves, fresh])).toEqual(['on the source', 'migrated', 'new']);
  });
});
