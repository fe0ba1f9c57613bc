/**
 * The cache's own Redis client, protocol layer: RESP2 replies decoded whatever way TCP splits them, key slots as
 * the server computes them, and large or multi-byte values round-tripped through a real redis-server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCache } from '../../functions/cache/redis.js';
import { encodeCommand, RedisError, RespDecoder, type Reply } from '../../functions/cache/resp/codec.js';
import { crc16, keySlot } from '../../functions/cache/resp/slot.js';
import { startRedisCluster, type RedisCluster } from '../support/redis.js';

/** Every kind of RESP2 reply, nested, with the values the decoder must produce. */
const STREAM = Buffer.from(
  [
    '+OK\r\n',
    '-MOVED 3999 127.0.0.1:6381\r\n',
    ':-42\r\n',
    '$-1\r\n',
    '$0\r\n\r\n',
    '$7\r\nline\r\nx\r\n', // a bulk string may hold CRLF
    `$${Buffer.byteLength('缠论 ✓')}\r\n缠论 ✓\r\n`,
    '*-1\r\n',
    '*0\r\n',
    '*3\r\n$1\r\na\r\n$-1\r\n*2\r\n:1\r\n-ERR inner\r\n',
  ].join(''),
);
const EXPECTED: Reply[] = [
  'OK',
  new RedisError('MOVED 3999 127.0.0.1:6381'),
  -42,
  null,
  '',
  'line\r\nx',
  '缠论 ✓',
  null,
  [],
  ['a', null, [1, new RedisError('ERR inner')]],
];

describe('RESP2 decoder', () => {
  it('decodes the same replies however the stream is split, byte by byte included', () => {
    const whole = new RespDecoder().push(STREAM);
    expect(whole).toEqual(EXPECTED);
    expect((whole[1] as RedisError).message).toBe('MOVED 3999 127.0.0.1:6381');

    const bytes: Reply[] = [];
    const d = new RespDecoder();
    for (const b of STREAM) bytes.push(...d.push(Buffer.from([b])));
    expect(bytes).toEqual(EXPECTED);

    // Every cut into two pieces, including through the middle of the multi-byte characters.
    for (let cut = 1; cut < STREAM.length; cut++) {
      const d2 = new RespDecoder();
      expect([...d2.push(STREAM.subarray(0, cut)), ...d2.push(STREAM.subarray(cut))], `cut at ${cut}`).toEqual(
        EXPECTED,
      );
    }
  });

  it('assembles a bulk string far larger than a TCP chunk, then the reply after it', () => {
    const value = '缠'.repeat(400_000); // 1.2 MB in UTF-8
    const stream = Buffer.from(`*2\r\n$${Buffer.byteLength(value)}\r\n${value}\r\n$-1\r\n+PONG\r\n`);
    const d = new RespDecoder();
    const out: Reply[] = [];
    for (let at = 0; at < stream.length; at += 65_536) out.push(...d.push(stream.subarray(at, at + 65_536)));
    expect(out).toHaveLength(2);
    expect((out[0] as Reply[])[0]).toBe(value);
    expect(out[1]).toBe('PONG');
  });

  it('refuses bytes that are not RESP2', () => {
    expect(() => new RespDecoder().push(Buffer.from('?what\r\n'))).toThrow(/protocol error/);
    expect(() => new RespDecoder().push(Buffer.from(':12x\r\n'))).toThrow(/bad integer/);
  });

  it('encodes argument lengths in UTF-8 bytes', () => {
    expect(encodeCommand(['SET', 'k', '缠'])).toBe('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n缠\r\n');
  });
});

describe('key slots', () => {
  it('match CRC16/XMODEM and hash only a non-empty {tag}', () => {
    expect(crc16(Buffer.from('123456789'))).toBe(0x31c3);
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('{SPY:1d}:meta')).toBe(keySlot('{SPY:1d}:k:2020:3'));
    expect(keySlot('{SPY:1d}:meta')).toBe(keySlot('SPY:1d'));
    expect(keySlot('a{}b')).toBe(crc16(Buffer.from('a{}b')) % 16384);
    expect(keySlot('a{b')).toBe(crc16(Buffer.from('a{b')) % 16384);
  });
});

describe('against a real redis-server', () => {
  let redis: RedisCluster;
  let cache: RedisCache;
  beforeAll(async () => {
    redis = await startRedisCluster();
    cache = new RedisCache({ url: redis.url, cluster: true, commandTimeoutMs: 2000 });
  });
  afterAll(async () => {
    await cache?.close();
    await redis?.stop();
  });

  it('computes the same slot as CLUSTER KEYSLOT', () => {
    const keys = [
      'foo',
      '{SPY:1d}:meta',
      '{600519.SH:adj}:factors',
      '缠论',
      'a{}b',
      '{}{x}',
      'x{y}z{w}',
      '{symbols}:list',
    ];
    for (const k of keys) expect(keySlot(k), k).toBe(Number(redis.cli('cluster', 'keyslot', k)));
  });

  it('round-trips megabyte and multi-byte values, alone and in one MGET', async () => {
    const big = JSON.stringify({ bars: Array.from({ length: 60_000 }, (_, i) => [i, '缠论', i * 1.5]) });
    expect(Buffer.byteLength(big)).toBeGreaterThan(1_000_000);
    const tag = '{big}';
    await cache.set(`${tag}:a`, big, 'general');
    await cache.set(`${tag}:b`, `${big}✓`, 'general');
    await cache.set(`${tag}:empty`, '', 'general');
    expect(await cache.get(`${tag}:a`)).toBe(big);
    expect(await cache.mget([`${tag}:b`, `${tag}:none`, `${tag}:empty`, `${tag}:a`])).toEqual([
      `${big}✓`,
      null,
      '',
      big,
    ]);
    expect(Number(redis.cli('strlen', `${tag}:a`))).toBe(Buffer.byteLength(big));
  });
});
