/**
 * Bundle-only stand-in for `@ioredis/commands` (lib/bundling.ts aliases the package to this file; tests and the
 * local runtime use the real package). The real one ships the metadata of every Redis command (36 KB minified),
 * and ioredis' Commander turns each into a method; this service sends GET, MGET, SET, DEL and PING, plus what
 * ioredis itself sends on connect, in cluster mode and for pub/sub and transactions. Same API (list, exists,
 * hasFlag, getKeyIndexes) and, for the commands kept, the same metadata: test/service/ioredis-commands.test.ts
 * compares every entry with the installed package and runs the bundled RedisCache against a Redis cluster.
 *
 * A command missing here is not an error inside ioredis (key and flag lookups check `exists` first; an unknown
 * command goes to a random node and follows MOVED), but `client.<command>()` would not be a method: add the
 * command to TABLE when the cache code starts using one.
 */

/** name → [flags, keyStart, keyStop, step] (the fields getKeyIndexes and hasFlag read), from @ioredis/commands 2.0.0. */
const TABLE: Record<string, [string[], number, number, number]> = {
  asking: [['fast'], 0, 0, 0],
  auth: [['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], 0, 0, 0],
  client: [[], 0, 0, 0],
  cluster: [[], 0, 0, 0],
  del: [['write'], 1, -1, 1],
  discard: [['noscript', 'loading', 'stale', 'fast', 'allow_busy'], 0, 0, 0],
  echo: [['loading', 'stale', 'fast'], 0, 0, 0],
  exec: [['noscript', 'loading', 'stale', 'skip_slowlog'], 0, 0, 0],
  exists: [['readonly', 'fast'], 1, -1, 1],
  expire: [['write', 'fast'], 1, 1, 1],
  get: [['readonly', 'fast'], 1, 1, 1],
  hello: [['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], 0, 0, 0],
  info: [['loading', 'stale'], 0, 0, 0],
  mget: [['readonly', 'fast'], 1, -1, 1],
  multi: [['noscript', 'loading', 'stale', 'fast', 'allow_busy'], 0, 0, 0],
  ping: [['fast'], 0, 0, 0],
  psubscribe: [['denyoom', 'pubsub', 'noscript', 'loading', 'stale'], 0, 0, 0],
  punsubscribe: [['pubsub', 'noscript', 'loading', 'stale'], 0, 0, 0],
  quit: [['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], 0, 0, 0],
  readonly: [['loading', 'stale', 'fast'], 0, 0, 0],
  readwrite: [['loading', 'stale', 'fast'], 0, 0, 0],
  select: [['loading', 'stale', 'fast'], 0, 0, 0],
  set: [['write', 'denyoom'], 1, 1, 1],
  ssubscribe: [['denyoom', 'pubsub', 'noscript', 'loading', 'stale'], 1, -1, 1],
  subscribe: [['denyoom', 'pubsub', 'noscript', 'loading', 'stale'], 0, 0, 0],
  sunsubscribe: [['pubsub', 'noscript', 'loading', 'stale'], 1, -1, 1],
  ttl: [['readonly', 'fast'], 1, 1, 1],
  unsubscribe: [['pubsub', 'noscript', 'loading', 'stale'], 0, 0, 0],
};

const lower = (name: unknown, on: boolean | undefined) => (on ? String(name).toLowerCase() : String(name));

/** Every command ioredis should make a method of (all lower-case). */
export const list: string[] = Object.keys(TABLE);

export function exists(commandName: string, options?: { caseInsensitive?: boolean }): boolean {
  return Object.prototype.hasOwnProperty.call(TABLE, lower(commandName, options?.caseInsensitive));
}

export function hasFlag(commandName: string, flag: string, options?: { nameCaseInsensitive?: boolean }): boolean {
  const name = lower(commandName, options?.nameCaseInsensitive);
  if (!Object.prototype.hasOwnProperty.call(TABLE, name)) throw new Error('Unknown command ' + name);
  return TABLE[name]![0].includes(flag);
}

/** Indexes of the key arguments, e.g. getKeyIndexes('mget', ['a', 'b']) → [0, 1]. None of the kept commands has movable keys. */
export function getKeyIndexes(
  commandName: string,
  args: unknown[],
  options?: { nameCaseInsensitive?: boolean; parseExternalKey?: boolean },
): number[] {
  const name = lower(commandName, options?.nameCaseInsensitive);
  if (!Object.prototype.hasOwnProperty.call(TABLE, name)) throw new Error('Unknown command ' + name);
  if (!Array.isArray(args)) throw new Error('Expect args to be an array');
  const [, keyStart, keyStop, step] = TABLE[name]!;
  const keys: number[] = [];
  if (step > 0) {
    const stop = keyStop > 0 ? keyStop : args.length + keyStop + 1;
    for (let i = keyStart - 1; i < stop; i += step) keys.push(i);
  }
  return keys;
}
