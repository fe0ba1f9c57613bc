/**
 * K-line storage. The interface is what handlers and the ingest worker code against; the DynamoDB
 * implementation is the only one (tests run it on dynalite).
 *
 * Items
 *   K-line:  pk = K#<SYMBOL>#<interval>#<bucket>  sk = ISO open time   t,o,h,l,c,v (short names: ~60 B less per bar)
 *   Series:  pk = SERIES#<SYMBOL>                 sk = <interval>      firstTs,lastTs,count,rev,updatedAt
 * The series item is the per-(symbol, interval) summary: it answers "is there such a series", bounds reads that
 * omit `from`, and its `rev` (bumped by every write that changes a bar) versions cache keys.
 *
 * Purge (DELETE /api/v1/symbols/{symbol}?purge=true) deletes every K-line item of a series, then strips the series
 * item down to its `rev`: a series without firstTs is no series to any reader, and a later upload continues from
 * that rev, so cache entries of the purged bars (keyed by rev) can never be served for new ones.
 *
 * Retention (functions/store/retention.ts): K-line items of intervals with a retention carry `expiresAt` (epoch
 * seconds) = open time + retention. Reads drop items whose stamp has passed (DynamoDB's TTL deletes them up to
 * ~48 h late), upserts skip bars that would be stamped already expired. The series item's firstTs/count are not
 * lowered when TTL deletes old bars: they describe what was written.
 */
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Interval, StoredBar } from '../common/domain.js';
import { batchWriteAll, type BatchOptions, type WriteRequest } from './batch.js';
import { BUCKET_KIND, bucketId, bucketsBetween, klinePk, klineSk, type Bucket } from './buckets.js';
import { isExpired, klineExpiresAt, type KlineRetentionDays } from './retention.js';
import { isConditionFailure, TABLE_KEYS } from './table.js';

export interface SeriesMeta {
  symbol: string;
  interval: Interval;
  firstTs: number;
  lastTs: number;
  count: number;
  rev: number;
  updatedAt: string;
}

export interface UpsertReport {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Bars older than the interval's retention window: not written (they would be stamped already expired). */
  expired: number;
  /** Series summary after the write (null when nothing was stored before and nothing was written). */
  series: SeriesMeta | null;
}

export interface PurgeReport {
  /** Bar items deleted by this call. */
  deleted: number;
  /** false when the deadline stopped it before every bar was deleted. */
  done: boolean;
}

export interface RangeQuery {
  from: number;
  to: number;
  /** At most this many bars: the newest ones when `latest`, else the oldest. */
  limit?: number;
  latest?: boolean;
  /** Stop after querying this many buckets (a safety net for sparse series). */
  maxBuckets?: number;
}

export interface KlineStore {
  upsert(symbol: string, interval: Interval, bars: StoredBar[]): Promise<UpsertReport>;
  readRange(symbol: string, interval: Interval, q: RangeQuery): Promise<StoredBar[]>;
  /** Every bar of one bucket (the cache layer caches whole buckets). */
  readBucket(symbol: string, interval: Interval, bucket: Bucket): Promise<StoredBar[]>;
  getSeries(symbol: string, interval: Interval): Promise<SeriesMeta | null>;
  listSeries(symbol: string): Promise<SeriesMeta[]>;
  /**
   * Delete every bar of a series, bucket by bucket, stopping between waves once `deadline` (epoch ms) has passed;
   * when every bar is gone the series disappears (its rev kept). Idempotent: call again to continue.
   */
  purgeSeries(symbol: string, interval: Interval, deadline?: number): Promise<PurgeReport>;
  /** Cheapest possible round trip, for the health check. */
  ping(): Promise<void>;
}

/** Buckets queried at once; each is a Query with its own pagination. */
const READ_CONCURRENCY = 16;
/** BatchWriteItem calls an upsert keeps in flight, on different stretches of time (functions/store/batch.ts). */
const WRITE_CONCURRENCY = 16;

const sameBar = (a: StoredBar, b: StoredBar) =>
  a.open === b.open &&
  a.high === b.high &&
  a.low === b.low &&
  a.close === b.close &&
  (a.volume ?? null) === (b.volume ?? null);

export interface KlineStoreOptions {
  /** Days kept per interval (TTL stamp = open time + days); unlisted intervals are kept forever. Default: none. */
  retentionDays?: KlineRetentionDays;
  /** Clock (epoch ms) for the expiry checks; tests pin it. */
  now?: () => number;
}

const TTL = TABLE_KEYS.ttlAttribute;

const fromItem = (it: Record<string, unknown>): StoredBar => ({
  ts: it.t as number,
  open: it.o as number,
  high: it.h as number,
  low: it.l as number,
  close: it.c as number,
  volume: (it.v as number | undefined) ?? null,
});

/**
 * Walk buckets in waves (newest first when `latest`), stopping once `limit` bars are collected, so a
 * "last 500 bars" read of a long 1m series touches one or two day-partitions instead of all of them.
 */
export async function collectBuckets(
  buckets: Bucket[],
  fetch: (batch: Bucket[]) => Promise<StoredBar[][]>,
  q: Pick<RangeQuery, 'from' | 'to' | 'limit' | 'latest'>,
  waveSize = READ_CONCURRENCY,
): Promise<StoredBar[]> {
  const inRange = (b: StoredBar) => b.ts >= q.from && b.ts <= q.to;
  const ordered = q.latest ? [...buckets].reverse() : buckets;
  const parts: StoredBar[][] = [];
  let n = 0;
  for (let i = 0; i < ordered.length; i += waveSize) {
    // With no limit, everything goes out in one parallel wave.
    const wave = q.limit === undefined ? ordered : ordered.slice(i, i + waveSize);
    const res = await fetch(wave);
    for (const r of res) {
      const f = r.filter(inRange);
      parts.push(f);
      n += f.length;
    }
    if (q.limit === undefined) break;
    if (n >= q.limit) break;
  }
  let all = (q.latest ? parts.reverse() : parts).flat();
  all.sort((a, b) => a.ts - b.ts);
  if (q.limit !== undefined && all.length > q.limit)
    all = q.latest ? all.slice(all.length - q.limit) : all.slice(0, q.limit);
  return all;
}

export class DynamoKlineStore implements KlineStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly batchOptions: BatchOptions = {},
    options: KlineStoreOptions = {},
  ) {
    this.retention = options.retentionDays ?? {};
    this.now = options.now ?? Date.now;
  }

  private readonly retention: KlineRetentionDays;
  private readonly now: () => number;

  async ping(): Promise<void> {
    await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: 'HEALTH', sk: 'HEALTH' } }));
  }

  async getSeries(symbol: string, interval: Interval): Promise<SeriesMeta | null> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: `SERIES#${symbol}`, sk: interval } }),
    );
    return r.Item && isLiveSeries(r.Item) ? toSeries(r.Item) : null;
  }

  async listSeries(symbol: string): Promise<SeriesMeta[]> {
    const items = await this.queryAll({ pk: `SERIES#${symbol}` });
    return items.filter(isLiveSeries).map(toSeries);
  }

  async purgeSeries(symbol: string, interval: Interval, deadline = Infinity): Promise<PurgeReport> {
    const meta = await this.getSeries(symbol, interval);
    if (!meta) return { deleted: 0, done: true };
    const buckets = bucketsBetween(interval, meta.firstTs, meta.lastTs);
    let deleted = 0;
    for (let i = 0; i < buckets.length; i += READ_CONCURRENCY) {
      if (Date.now() >= deadline) return { deleted, done: false };
      // Expired items too (TTL deletes them late): purge leaves nothing behind.
      const keys = await Promise.all(
        buckets.slice(i, i + READ_CONCURRENCY).map((b) => this.queryAll({ pk: klinePk(symbol, interval, b.id) })),
      );
      const writes: WriteRequest[] = keys.flat().map((it) => ({ DeleteRequest: { Key: { pk: it.pk, sk: it.sk } } }));
      if (writes.length > 0) await batchWriteAll(this.doc, this.table, writes, this.batchOptions);
      deleted += writes.length;
    }
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `SERIES#${symbol}`, sk: interval },
        UpdateExpression: 'SET updatedAt = :now REMOVE firstTs, lastTs, #count',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':now': new Date().toISOString() },
      }),
    );
    return { deleted, done: true };
  }

  /**
   * One bucket's live items within [fromSk, toSk], following LastEvaluatedKey across 1 MB pages. Items whose TTL
   * stamp has passed are dropped here, so no read depends on when DynamoDB actually deletes them.
   */
  private async queryBucketItems(pk: string, from: number, to: number): Promise<Record<string, unknown>[]> {
    const items = await this.queryAll({ pk, skFrom: klineSk(from), skTo: klineSk(to) });
    const now = this.now();
    return items.filter((it) => !isExpired(it[TTL], now));
  }

  private async queryBucket(pk: string, from: number, to: number): Promise<StoredBar[]> {
    return (await this.queryBucketItems(pk, from, to)).map(fromItem);
  }

  private async queryAll(q: { pk: string; skFrom?: string; skTo?: string }): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: q.skFrom ? 'pk = :pk AND sk BETWEEN :a AND :b' : 'pk = :pk',
          ExpressionAttributeValues: q.skFrom ? { ':pk': q.pk, ':a': q.skFrom, ':b': q.skTo } : { ':pk': q.pk },
          ExclusiveStartKey: start,
        }),
      );
      for (const it of r.Items ?? []) out.push(it);
      start = r.LastEvaluatedKey;
    } while (start);
    return out;
  }

  readBucket(symbol: string, interval: Interval, bucket: Bucket): Promise<StoredBar[]> {
    return this.queryBucket(klinePk(symbol, interval, bucket.id), bucket.start, bucket.end - 1);
  }

  async readRange(symbol: string, interval: Interval, q: RangeQuery): Promise<StoredBar[]> {
    let buckets = bucketsBetween(interval, q.from, q.to);
    if (q.maxBuckets !== undefined && buckets.length > q.maxBuckets) {
      buckets = q.latest ? buckets.slice(buckets.length - q.maxBuckets) : buckets.slice(0, q.maxBuckets);
    }
    const fetch = (wave: Bucket[]) =>
      Promise.all(
        wave.map((b) =>
          this.queryBucket(klinePk(symbol, interval, b.id), Math.max(b.start, q.from), Math.min(b.end - 1, q.to)),
        ),
      );
    return collectBuckets(buckets, fetch, q);
  }

  async upsert(symbol: string, interval: Interval, input: StoredBar[]): Promise<UpsertReport> {
    const { bars, stamp, expired } = this.keepable(interval, input);
    if (bars.length === 0)
      return { inserted: 0, updated: 0, unchanged: 0, expired, series: await this.getSeries(symbol, interval) };
    const stored = await this.getSeries(symbol, interval);
    const existing = await this.storedWithin(symbol, interval, bars, stored);

    let inserted = 0;
    let updated = 0;
    let unchanged = 0;
    const kind = BUCKET_KIND[interval];
    const writes: WriteRequest[] = [];
    for (const b of bars) {
      const old = existing.get(b.ts);
      const exp = stamp.get(b.ts);
      if (old && sameBar(old.bar, b)) {
        unchanged++;
        // Same bar, same stamp: nothing to write. Same bar, other stamp (written before the policy or under
        // another retention): re-put it so the current policy applies; readers see no change, so no new rev.
        if (old.expiresAt === exp) continue;
      } else if (old) updated++;
      else inserted++;
      writes.push({
        PutRequest: {
          Item: {
            pk: klinePk(symbol, interval, bucketId(kind, b.ts)),
            sk: klineSk(b.ts),
            t: b.ts,
            o: b.open,
            h: b.high,
            l: b.low,
            c: b.close,
            ...(b.volume === null ? {} : { v: b.volume }),
            ...(exp === undefined ? {} : { [TTL]: exp }),
          },
        },
      });
    }
    if (writes.length > 0)
      await batchWriteAll(this.doc, this.table, writes, { concurrency: WRITE_CONCURRENCY, ...this.batchOptions });
    if (inserted + updated === 0) return { inserted, updated, unchanged, expired, series: stored };
    const series = await this.bumpSeries(symbol, interval, bars[0]!.ts, bars[bars.length - 1]!.ts, inserted);
    return { inserted, updated, unchanged, expired, series };
  }

  /**
   * The bars an upsert writes, in time order: the last occurrence of a time wins (as a re-sent forming bar would),
   * and bars older than the retention window are counted, not written (stamped already expired, they would be
   * invisible at once). `stamp` is each kept bar's expiry.
   */
  private keepable(interval: Interval, input: StoredBar[]) {
    const byTs = new Map<number, StoredBar>();
    for (const b of input) byTs.set(b.ts, b);
    const now = this.now();
    let expired = 0;
    const stamp = new Map<number, number | undefined>();
    const bars: StoredBar[] = [];
    for (const b of [...byTs.values()].sort((x, y) => x.ts - y.ts)) {
      const exp = klineExpiresAt(interval, b.ts, this.retention);
      if (exp !== undefined && isExpired(exp, now)) {
        expired++;
        continue;
      }
      stamp.set(b.ts, exp);
      bars.push(b);
    }
    return { bars, stamp, expired };
  }

  /**
   * What is stored at the times of `bars` (sorted), so the answer can say inserted/updated/unchanged and unchanged
   * bars cost no write capacity. Only buckets within the stored series' [firstTs, lastTs] can hold bars: a new
   * series, or bars past either end, cost no reads (an upload of a new series only writes). Concurrent writers of
   * the same bar may both count it as an insert; the stored result is still one item per bar (puts are idempotent).
   */
  private async storedWithin(
    symbol: string,
    interval: Interval,
    bars: StoredBar[],
    stored: SeriesMeta | null,
  ): Promise<Map<number, { bar: StoredBar; expiresAt: unknown }>> {
    const existing = new Map<number, { bar: StoredBar; expiresAt: unknown }>();
    if (!stored) return existing;
    const kind = BUCKET_KIND[interval];
    const groups = new Map<string, StoredBar[]>();
    for (const b of bars) {
      const id = bucketId(kind, b.ts);
      let g = groups.get(id);
      if (!g) groups.set(id, (g = []));
      g.push(b);
    }
    const touched = [...groups.entries()].filter(
      ([, g]) => g[0]!.ts <= stored.lastTs && g[g.length - 1]!.ts >= stored.firstTs,
    );
    for (let i = 0; i < touched.length; i += READ_CONCURRENCY) {
      const res = await Promise.all(
        touched
          .slice(i, i + READ_CONCURRENCY)
          .map(([id, g]) => this.queryBucketItems(klinePk(symbol, interval, id), g[0]!.ts, g[g.length - 1]!.ts)),
      );
      for (const r of res) for (const it of r) existing.set(it.t as number, { bar: fromItem(it), expiresAt: it[TTL] });
    }
    return existing;
  }

  /** rev+1, count+inserted, and widen [firstTs, lastTs]; the widening uses conditions so racing writers converge. */
  private async bumpSeries(
    symbol: string,
    interval: Interval,
    first: number,
    last: number,
    inserted: number,
  ): Promise<SeriesMeta> {
    const Key = { pk: `SERIES#${symbol}`, sk: interval };
    const r = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key,
        UpdateExpression:
          'SET #rev = if_not_exists(#rev, :zero) + :one, updatedAt = :now, #sym = :sym, #iv = :iv, firstTs = if_not_exists(firstTs, :first), lastTs = if_not_exists(lastTs, :last) ADD #count :ins',
        ExpressionAttributeNames: { '#rev': 'rev', '#count': 'count', '#iv': 'interval', '#sym': 'symbol' },
        ExpressionAttributeValues: {
          ':zero': 0,
          ':one': 1,
          ':now': new Date().toISOString(),
          ':sym': symbol,
          ':iv': interval,
          ':first': first,
          ':last': last,
          ':ins': inserted,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const meta = toSeries(r.Attributes!);
    const widen = async (attr: 'firstTs' | 'lastTs', value: number, cmp: '<' | '>') => {
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key,
            UpdateExpression: `SET ${attr} = :v`,
            ConditionExpression: `${attr} ${cmp === '<' ? '>' : '<'} :v`,
            ExpressionAttributeValues: { ':v': value },
          }),
        );
        meta[attr] = value;
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
      }
    };
    if (first < meta.firstTs) await widen('firstTs', first, '<');
    if (last > meta.lastTs) await widen('lastTs', last, '>');
    return meta;
  }
}

/** A purged series keeps only its rev (see the header): no firstTs, no series. */
const isLiveSeries = (it: Record<string, unknown>) => typeof it.firstTs === 'number';

function toSeries(it: Record<string, unknown>): SeriesMeta {
  return {
    symbol: it.symbol as string,
    interval: (it.interval ?? it.sk) as Interval,
    firstTs: it.firstTs as number,
    lastTs: it.lastTs as number,
    count: (it.count as number | undefined) ?? 0,
    rev: (it.rev as number | undefined) ?? 0,
    updatedAt: (it.updatedAt as string | undefined) ?? '',
  };
}
