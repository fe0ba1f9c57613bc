/**
 * K-line store on dynalite: bucket math across boundaries, idempotent upserts (inserted/updated/unchanged),
 * multi-bucket range reads with pagination, repositories; UnprocessedItems retry with aws-sdk-client-mock
 * (dynalite never returns UnprocessedItems).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredBar } from '../../functions/common/domain.js';
import { batchWriteAll, UnprocessedItemsError, type WriteRequest } from '../../functions/store/batch.js';
import { BUCKET_KIND, bucketId, bucketsBetween, klinePk } from '../../functions/store/buckets.js';
import { createDocClient } from '../../functions/store/client.js';
import { DynamoKlineStore } from '../../functions/store/kline-store.js';
import { CheckpointRepository } from '../../functions/store/checkpoints.js';
import { JobRepository } from '../../functions/store/jobs.js';
import { AnalysisRepository, SymbolRepository } from '../../functions/store/repositories.js';
import { TABLE_KEYS } from '../../functions/store/table.js';
import { startTestTable, type TestTable } from '../support/dynalite.js';

const DAY = 86_400_000;
const bar = (ts: number, close = 10, volume: number | null = 100): StoredBar => ({
  ts,
  open: close,
  high: close + 1,
  low: close - 1,
  close,
  volume,
});

describe('bucket math', () => {
  it('sizes buckets per interval: day for 1m, month for 5m-1h, year for 4h/1d, decade for 1w', () => {
    const t = Date.UTC(2024, 2, 15, 13, 7);
    expect(bucketId(BUCKET_KIND['1m'], t)).toBe('2024-03-15');
    for (const iv of ['5m', '15m', '30m', '1h'] as const) expect(bucketId(BUCKET_KIND[iv], t)).toBe('2024-03');
    expect(bucketId(BUCKET_KIND['4h'], t)).toBe('2024');
    expect(bucketId(BUCKET_KIND['1d'], t)).toBe('2024');
    expect(bucketId(BUCKET_KIND['1w'], t)).toBe('2020s');
    expect(klinePk('SPY', '1d', '2024')).toBe('K#SPY#1d#2024');
  });

  it('puts the last minute of a UTC day and the first of the next in different buckets', () => {
    const end = Date.UTC(2024, 1, 29, 23, 59);
    expect(bucketId('day', end)).toBe('2024-02-29');
    expect(bucketId('day', end + 60_000)).toBe('2024-03-01');
    expect(bucketId('month', Date.UTC(2023, 11, 31, 23, 0))).toBe('2023-12');
    expect(bucketId('month', Date.UTC(2024, 0, 1))).toBe('2024-01');
    expect(bucketId('decade', Date.UTC(2019, 11, 31))).toBe('2010s');
    expect(bucketId('decade', Date.UTC(2020, 0, 1))).toBe('2020s');
  });

  it('lists exactly the buckets a range covers, inclusive at both ends', () => {
    const b = bucketsBetween('1h', Date.UTC(2023, 10, 30, 22), Date.UTC(2024, 1, 1, 0));
    expect(b.map((x) => x.id)).toEqual(['2023-11', '2023-12', '2024-01', '2024-02']);
    expect(b[0]!.start).toBe(Date.UTC(2023, 10, 1));
    expect(b[3]!.end).toBe(Date.UTC(2024, 2, 1));
    expect(bucketsBetween('1m', Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 3, 0, 0)).map((x) => x.id)).toEqual([
      '2024-01-01',
      '2024-01-02',
      '2024-01-03',
    ]);
    expect(bucketsBetween('1d', 10, 5)).toEqual([]);
    // The cap stops enumeration early (a 1m range over a century is not walked day by day).
    expect(bucketsBetween('1m', Date.UTC(1900, 0, 1), Date.UTC(2100, 0, 1), 10)).toHaveLength(11);
  });
});

describe('DynamoKlineStore on dynalite', () => {
  let t: TestTable;
  let doc: DynamoDBDocumentClient;
  let store: DynamoKlineStore;

  beforeAll(async () => {
    t = await startTestTable();
    doc = createDocClient({ endpoint: t.endpoint });
    store = new DynamoKlineStore(doc, t.tableName);
  });
  afterAll(async () => {
    doc.destroy();
    await t.close();
  });

  it('upserts idempotently: same bars twice = one item each; a changed bar is updated', async () => {
    const start = Date.UTC(2023, 11, 29); // crosses the 2023 → 2024 year bucket
    const bars = Array.from({ length: 6 }, (_, i) => bar(start + i * DAY, 10 + i));
    const first = await store.upsert('IDEM', '1d', bars);
    expect(first).toMatchObject({ inserted: 6, updated: 0, unchanged: 0 });
    expect(first.series).toMatchObject({ firstTs: start, lastTs: start + 5 * DAY, count: 6, rev: 1 });

    const again = await store.upsert('IDEM', '1d', bars);
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 6 });
    expect(again.series?.rev).toBe(1); // nothing changed, no new revision

    const changed = [...bars];
    changed[4] = { ...bars[4]!, close: 99, high: 100 };
    const third = await store.upsert('IDEM', '1d', [...changed, bar(start + 6 * DAY, 20)]);
    expect(third).toMatchObject({ inserted: 1, updated: 1, unchanged: 5 });
    expect(third.series).toMatchObject({ count: 7, rev: 2, lastTs: start + 6 * DAY });

    const read = await store.readRange('IDEM', '1d', { from: start, to: start + 10 * DAY });
    expect(read).toHaveLength(7);
    expect(read[4]).toEqual({ ...bars[4]!, close: 99, high: 100 });
    // Two partitions were written: 2023 and 2024.
    const q23 = await doc.send(
      new QueryCommand({
        TableName: t.tableName,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': 'K#IDEM#1d#2023' },
      }),
    );
    const q24 = await doc.send(
      new QueryCommand({
        TableName: t.tableName,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': 'K#IDEM#1d#2024' },
      }),
    );
    expect(q23.Items).toHaveLength(3);
    expect(q24.Items).toHaveLength(4);
  });

  it('widens the series summary when older bars arrive later', async () => {
    const t0 = Date.UTC(2020, 0, 10);
    await store.upsert('WIDEN', '1d', [bar(t0), bar(t0 + DAY)]);
    const r = await store.upsert('WIDEN', '1d', [bar(t0 - 3 * DAY)]);
    expect(r.series).toMatchObject({ firstTs: t0 - 3 * DAY, lastTs: t0 + DAY, count: 3 });
    expect(await store.getSeries('WIDEN', '1d')).toMatchObject({
      firstTs: t0 - 3 * DAY,
      lastTs: t0 + DAY,
      count: 3,
      rev: 2,
    });
  });

  it('reads back only buckets within the stored series: a new series or bars past its ends cost no Query', async () => {
    const queries: string[] = [];
    const orig = doc.send.bind(doc);
    const counting = {
      send: (c: unknown) => {
        if (c instanceof QueryCommand) queries.push(String(c.input.ExpressionAttributeValues?.[':pk']));
        return orig(c as never);
      },
    } as unknown as DynamoDBDocumentClient;
    const s2 = new DynamoKlineStore(counting, t.tableName);
    const m0 = Date.UTC(2021, 0, 1);
    const jan = Array.from({ length: 48 }, (_, i) => bar(m0 + i * 3_600_000, 10 + i));
    expect(await s2.upsert('READS', '1h', jan)).toMatchObject({ inserted: 48 });
    expect(queries).toEqual([]);
    // February lies past the stored lastTs: nothing there to compare with.
    const feb = jan.map((b) => ({ ...b, ts: b.ts + 31 * DAY }));
    expect(await s2.upsert('READS', '1h', feb)).toMatchObject({ inserted: 48, unchanged: 0 });
    expect(queries).toEqual([]);
    // Both months again: both are read back and found unchanged.
    expect(await s2.upsert('READS', '1h', [...jan, ...feb])).toMatchObject({ inserted: 0, unchanged: 96 });
    expect(queries).toEqual([klinePk('READS', '1h', '2021-01'), klinePk('READS', '1h', '2021-02')]);
  });

  it('reads ranges across many day buckets, paginating 1 MB pages, with limit and latest', async () => {
    // 3 days of 1m bars with wide items → several Query pages per bucket in dynalite's 1 MB paging.
    const day0 = Date.UTC(2024, 4, 1);
    const bars: StoredBar[] = [];
    for (let i = 0; i < 3 * 1440; i++) bars.push(bar(day0 + i * 60_000, 100 + (i % 50)));
    const up = await store.upsert('MIN', '1m', bars);
    expect(up.inserted).toBe(4320);
    const all = await store.readRange('MIN', '1m', { from: day0, to: day0 + 3 * DAY - 1 });
    expect(all).toHaveLength(4320);
    expect(all.every((b, i) => i === 0 || b.ts > all[i - 1]!.ts)).toBe(true);
    // Crossing midnight: 10 minutes either side.
    const edge = await store.readRange('MIN', '1m', { from: day0 + DAY - 10 * 60_000, to: day0 + DAY + 9 * 60_000 });
    expect(edge.map((b) => b.ts)).toEqual(Array.from({ length: 20 }, (_, i) => day0 + DAY - 10 * 60_000 + i * 60_000));
    const latest = await store.readRange('MIN', '1m', { from: day0, to: day0 + 3 * DAY, limit: 5, latest: true });
    expect(latest.map((b) => b.ts)).toEqual(Array.from({ length: 5 }, (_, i) => day0 + 3 * DAY - (5 - i) * 60_000));
    const oldest = await store.readRange('MIN', '1m', { from: day0, to: day0 + 3 * DAY, limit: 3 });
    expect(oldest.map((b) => b.ts)).toEqual([day0, day0 + 60_000, day0 + 120_000]);
  });

  it('paginates a single partition larger than one page', async () => {
    const spy = { pages: 0 };
    const orig = doc.send.bind(doc);
    const counting = {
      send: (c: unknown) => (c instanceof QueryCommand && spy.pages++, orig(c as never)),
    } as unknown as DynamoDBDocumentClient;
    const s2 = new DynamoKlineStore(counting, t.tableName);
    // ~8,900 5m bars in one month bucket with padded volume: > 1 MB of items in one partition.
    const m0 = Date.UTC(2024, 0, 1);
    const bars: StoredBar[] = Array.from({ length: 8928 }, (_, i) => ({
      ...bar(m0 + i * 300_000, 50),
      volume: 123456789.123456 + i,
    }));
    await store.upsert('PAGE', '5m', bars);
    spy.pages = 0;
    const read = await s2.readRange('PAGE', '5m', { from: m0, to: m0 + 31 * DAY });
    expect(read).toHaveLength(8928);
    expect(spy.pages).toBeGreaterThan(1);
  });

  it('repositories: symbols, checkpoints (forward only), latest analysis (newest wins), jobs', async () => {
    const symbols = new SymbolRepository(doc, t.tableName);
    const a = await symbols.put({ symbol: 'BTCUSDT', provider: 'binance', intervals: ['1m', '1h'], active: true });
    expect(a.created).toBe(true);
    const b = await symbols.put({ symbol: 'BTCUSDT', provider: 'binance', intervals: ['1h'], active: false });
    expect(b.created).toBe(false);
    expect(b.item.createdAt).toBe(a.item.createdAt);
    expect((await symbols.list()).map((s) => s.symbol)).toContain('BTCUSDT');

    const ck = new CheckpointRepository(doc, t.tableName);
    expect(await ck.advance('BTCUSDT', '1m', undefined, 1000)).toBe(true);
    expect(await ck.advance('BTCUSDT', '1m', undefined, 500)).toBe(false);
    expect((await ck.get('BTCUSDT', '1m'))?.nextOpenTime).toBe(1000);
    await ck.patch('BTCUSDT', '1m', { lastError: 'HTTP 429' });
    expect(await ck.get('BTCUSDT', '1m')).toMatchObject({ nextOpenTime: 1000, failures: 1, lastError: 'HTTP 429' });
    expect((await ck.listAll()).length).toBeGreaterThanOrEqual(1);

    const an = new AnalysisRepository(doc, t.tableName);
    const base = {
      symbol: 'BTCUSDT',
      interval: '1h' as const,
      preset: 'chanpy',
      configHash: 'abc',
      lastBarTs: 5,
      computedAt: 'x',
      summary: { n: 1 },
    };
    expect(await an.put({ ...base, rev: 3 })).toBe(true);
    expect(await an.put({ ...base, rev: 2, summary: { n: 0 } })).toBe(false);
    expect((await an.get('BTCUSDT', '1h'))?.summary).toEqual({ n: 1 });

    const jobs = new JobRepository(doc, t.tableName);
    const j = await jobs.create({ id: 'j1', type: 'scan', status: 'QUEUED', input: { symbols: ['SPY'] } });
    expect(j.expiresAt).toBeGreaterThan(Date.now() / 1000);
    const raw = await doc.send(new GetCommand({ TableName: t.tableName, Key: { pk: 'JOB#j1', sk: 'JOB' } }));
    expect(raw.Item![TABLE_KEYS.ttlAttribute]).toBe(j.expiresAt);
    expect(raw.Item!.ttl).toBeUndefined();
    await jobs.update('j1', { status: 'SUCCEEDED', result: { found: 2 } });
    expect(await jobs.get('j1')).toMatchObject({ status: 'SUCCEEDED', result: { found: 2 } });
    await expect(jobs.update('nope', { status: 'FAILED' })).rejects.toThrow();
  });
});

describe('CheckpointRepository writes are UpdateItems', () => {
  let t: TestTable;
  let doc: DynamoDBDocumentClient;
  beforeAll(async () => {
    t = await startTestTable();
    doc = createDocClient({ endpoint: t.endpoint });
  });
  afterAll(async () => {
    doc.destroy();
    await t.close();
  });

  it('an advance keeps the fields it does not set, moves only from the expected position, and clears failures', async () => {
    const key = { pk: 'CHECKPOINTS', sk: 'ETHUSDT#1m' };
    // What earlier runs left on the item.
    await doc.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: key,
        UpdateExpression:
          'SET nextOpenTime = :n, verifiedThrough = :v, refreshedThrough = :r, backoffUntil = :b, lastTs = :l ADD failures :f',
        ExpressionAttributeValues: {
          ':n': 2_060_000,
          ':v': 1_000_000,
          ':r': 2_000_000,
          ':b': 9,
          ':l': 2_000_000,
          ':f': 2,
        },
      }),
    );
    const ck = new CheckpointRepository(doc, t.tableName);
    expect(await ck.advance('ETHUSDT', '1m', 2_060_000, 3_060_000)).toBe(true);
    const item = (await doc.send(new GetCommand({ TableName: t.tableName, Key: key }))).Item!;
    expect(item).toMatchObject({
      symbol: 'ETHUSDT',
      interval: '1m',
      lastTs: 3_000_000,
      failures: 0,
      nextOpenTime: 3_060_000,
      verifiedThrough: 1_000_000,
      refreshedThrough: 2_000_000,
      backoffUntil: 9,
    });
    expect(await ck.advance('ETHUSDT', '1m', 2_060_000, 2_560_000)).toBe(false);
    expect(await ck.advance('ETHUSDT', '1m', 2_060_000, 3_060_000)).toBe(false);
    expect((await ck.get('ETHUSDT', '1m'))?.nextOpenTime).toBe(3_060_000);
  });
});

describe('BatchWrite retry of UnprocessedItems (aws-sdk-client-mock: dynalite never returns them)', () => {
  const reqs = (n: number): WriteRequest[] =>
    Array.from({ length: n }, (_, i) => ({ PutRequest: { Item: { pk: 'p', sk: String(i) } } }));

  it('writes 25 per call and re-sends what DynamoDB left unprocessed, with growing backoff', async () => {
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    const mock = mockClient(doc);
    let call = 0;
    mock.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, WriteRequest[]> }) => {
      call++;
      const items = input.RequestItems.T!;
      // First two calls on each chunk leave the last 5 items unprocessed.
      return call <= 2 ? { UnprocessedItems: { T: items.slice(-5) } } : { UnprocessedItems: {} };
    });
    const delays: number[] = [];
    const r = await batchWriteAll(doc, 'T', reqs(60), {
      concurrency: 1,
      baseDelayMs: 100,
      sleep: async (ms) => void delays.push(ms),
    });
    const calls = mock.commandCalls(BatchWriteCommand);
    expect(calls[0]!.args[0].input.RequestItems!.T).toHaveLength(25);
    expect(calls[1]!.args[0].input.RequestItems!.T).toHaveLength(5); // only the unprocessed ones again
    expect(r.retries).toBe(2);
    expect(calls.length).toBe(3 + 2);
    expect(calls.reduce((n, c) => n + c.args[0].input.RequestItems!.T!.length, 0)).toBe(60 + 10);
    expect(delays).toHaveLength(2);
    expect(delays[0]!).toBeLessThanOrEqual(100);
    expect(delays[1]!).toBeLessThanOrEqual(200);
    mock.restore();
  });

  it('gives up after maxAttempts with an error saying how many writes remain', async () => {
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    const mock = mockClient(doc);
    mock.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, WriteRequest[]> }) => ({
      UnprocessedItems: { T: input.RequestItems.T!.slice(0, 2) },
    }));
    const err = await batchWriteAll(doc, 'T', reqs(10), { maxAttempts: 3, sleep: async () => {} }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UnprocessedItemsError);
    expect((err as UnprocessedItemsError).remaining).toBe(2);
    expect(mock.commandCalls(BatchWriteCommand)).toHaveLength(3);
    mock.restore();
  });
});

describe('K-line retention (TTL stamps; dynalite never deletes, so reads must drop expired items themselves)', () => {
  let t: TestTable;
  let doc: DynamoDBDocumentClient;
  const clock = { now: Date.UTC(2026, 5, 1, 12) };
  const retentionDays = { '1m': 400 };
  let store: DynamoKlineStore;
  const TTL = TABLE_KEYS.ttlAttribute;
  const raw = async (symbol: string, interval: '1m' | '1d', ts: number) =>
    (
      await doc.send(
        new GetCommand({
          TableName: t.tableName,
          Key: { pk: klinePk(symbol, interval, bucketId(BUCKET_KIND[interval], ts)), sk: new Date(ts).toISOString() },
        }),
      )
    ).Item;

  beforeAll(async () => {
    t = await startTestTable();
    doc = createDocClient({ endpoint: t.endpoint });
    store = new DynamoKlineStore(doc, t.tableName, {}, { retentionDays, now: () => clock.now });
  });
  afterAll(async () => {
    doc.destroy();
    await t.close();
  });

  it('stamps 1m items with open time + 400 days and 1d items with nothing; a re-sent bar stays unchanged', async () => {
    const m0 = Date.UTC(2026, 4, 31, 23, 58); // crosses a day bucket
    const minutes = [bar(m0), bar(m0 + 60_000), bar(m0 + 120_000)];
    expect(await store.upsert('TTL', '1m', minutes)).toMatchObject({ inserted: 3, expired: 0 });
    for (const b of minutes) {
      expect((await raw('TTL', '1m', b.ts))![TTL]).toBe(b.ts / 1000 + 400 * 86_400);
    }
    const again = await store.upsert('TTL', '1m', minutes);
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 3, expired: 0 });
    expect(again.series?.rev).toBe(1);

    const d0 = Date.UTC(2020, 0, 1);
    expect(await store.upsert('TTL', '1d', [bar(d0), bar(d0 + DAY)])).toMatchObject({ inserted: 2, expired: 0 });
    expect((await raw('TTL', '1d', d0))![TTL]).toBeUndefined();
    expect(await store.readRange('TTL', '1d', { from: d0, to: d0 + DAY })).toHaveLength(2);
  });

  it('a bar written before the policy is re-stamped on re-send, still "unchanged" and without a new rev', async () => {
    const m0 = Date.UTC(2026, 4, 20, 9, 30);
    const plain = new DynamoKlineStore(doc, t.tableName); // no retention: no stamp
    await plain.upsert('OLDPOL', '1m', [bar(m0)]);
    expect((await raw('OLDPOL', '1m', m0))![TTL]).toBeUndefined();
    const r = await store.upsert('OLDPOL', '1m', [bar(m0)]);
    expect(r).toMatchObject({ inserted: 0, updated: 0, unchanged: 1 });
    expect(r.series?.rev).toBe(1);
    expect((await raw('OLDPOL', '1m', m0))![TTL]).toBe(m0 / 1000 + 400 * 86_400);
  });

  it('drops items whose stamp has passed from reads, before DynamoDB gets round to deleting them', async () => {
    const m0 = Date.UTC(2026, 4, 10, 0, 0);
    const bars = Array.from({ length: 5 }, (_, i) => bar(m0 + i * 60_000, 10 + i));
    await store.upsert('EXP', '1m', bars);
    // An item TTL has not deleted yet (stamp a second ago), written directly.
    await doc.send(
      new BatchWriteCommand({
        RequestItems: {
          [t.tableName]: [
            {
              PutRequest: {
                Item: {
                  pk: klinePk('EXP', '1m', bucketId('day', m0)),
                  sk: new Date(m0 + 2 * 60_000).toISOString(),
                  t: m0 + 2 * 60_000,
                  o: 1,
                  h: 1,
                  l: 1,
                  c: 1,
                  [TTL]: Math.floor(clock.now / 1000) - 1,
                },
              },
            },
          ],
        },
      }),
    );
    const read = await store.readRange('EXP', '1m', { from: m0, to: m0 + DAY });
    expect(read.map((b) => b.ts)).toEqual([0, 1, 3, 4].map((i) => m0 + i * 60_000));
    const bucket = bucketsBetween('1m', m0, m0)[0]!;
    expect(await store.readBucket('EXP', '1m', bucket)).toHaveLength(4);

    // 401 days on, every one of them has expired: nothing is returned, whether or not TTL has deleted them.
    const later = new DynamoKlineStore(doc, t.tableName, {}, { retentionDays, now: () => m0 + 401 * DAY });
    expect(await later.readRange('EXP', '1m', { from: m0, to: m0 + DAY })).toEqual([]);
    expect(await store.readRange('EXP', '1m', { from: m0, to: m0 + DAY })).toHaveLength(4);
  });

  it('does not write bars that would be stamped already expired, and says how many', async () => {
    const old = Date.UTC(2024, 0, 2, 3, 4); // > 400 days before the clock
    const fresh = Date.UTC(2026, 4, 30, 3, 4);
    const r = await store.upsert('AGED', '1m', [bar(old), bar(old + 60_000), bar(fresh)]);
    expect(r).toMatchObject({ inserted: 1, updated: 0, unchanged: 0, expired: 2 });
    expect(r.series).toMatchObject({ firstTs: fresh, lastTs: fresh, count: 1 });
    expect(await raw('AGED', '1m', old)).toBeUndefined();
    const none = await store.upsert('NONE', '1m', [bar(old)]);
    expect(none).toEqual({ inserted: 0, updated: 0, unchanged: 0, expired: 1, series: null });
  });
});
