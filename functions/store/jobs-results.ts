/**
 * Job results, progress and named watchlists, in the single table next to the job item of jobs.ts:
 *
 * | entity       | pk          | sk          | access pattern                                                  |
 * | ------------ | ----------- | ----------- | --------------------------------------------------------------- |
 * | job          | JOB#<id>    | JOB         | (jobs.ts) get by id; progress counters live on it               |
 * | job result   | JOB#<id>    | R#<SYMBOL>  | one per symbol; paged in symbol order (GET /jobs/{id}); all (aggregate) |
 * | watchlist    | WATCHLISTS  | <name>      | get by name (scan/backtest jobs name one instead of listing symbols); all (names + counts) |
 *
 * Results share the job's partition so one Query pages them and one TTL policy expires them with the job. A
 * 5,000-symbol job is 5,000 small items in one partition: well within a partition's limits (writes arrive at
 * the Map's bounded concurrency, far below 1,000 WCU/s).
 *
 * Progress: each result write bumps `done` (and `failed`) on the job item. Step Functions and Lambda can run a
 * task twice (retries after a timeout, Express child workflows are at-least-once), so the result is written
 * first with ReturnValues=ALL_OLD and the counter is bumped only when no result existed: a rerun overwrites
 * the same item and does not count twice. The aggregate step recounts from the items, so final counts are
 * exact even if a crash fell between the two writes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { batchWriteAll } from './batch.js';
import { JOB_TTL_DAYS } from './jobs.js';
import { queryPartition } from './partition.js';
import { TABLE_KEYS } from './table.js';

export interface JobResultItem<T = unknown> {
  symbol: string;
  ok: boolean;
  /** Scans: the symbol has a signal matching the request (what a user pages through first). */
  matched?: boolean;
  error?: string;
  data?: T;
  at: string;
}

export interface JobProgress {
  total: number;
  done: number;
  failed: number;
}

export interface ResultsPage<T = unknown> {
  items: JobResultItem<T>[];
  /** Opaque; pass back as `cursor` for the next page. Absent on the last page. */
  nextCursor?: string;
}

export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

const jobPk = (id: string) => `JOB#${id}`;
const RESULT_PREFIX = 'R#';

/**
 * Cursor = base64url of the last key's sort key, signed with HMAC-SHA256 under the service's SECRET_KEY: opaque to
 * clients, and a forged or edited cursor is rejected instead of starting a read at a key the client chose.
 */
function sign(payload: string, key: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}

function encodeCursor(sk: string, key: string): string {
  const payload = Buffer.from(JSON.stringify({ v: 1, sk }), 'utf8').toString('base64url');
  return `${payload}.${sign(payload, key)}`;
}

function decodeCursor(cursor: string, key: string): string {
  const [payload, mac, extra] = cursor.split('.');
  if (payload && mac && extra === undefined) {
    const want = Buffer.from(sign(payload, key));
    const got = Buffer.from(mac);
    if (got.length === want.length && timingSafeEqual(got, want)) {
      try {
        const o = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { v?: unknown; sk?: unknown };
        if (o.v === 1 && typeof o.sk === 'string' && o.sk.startsWith(RESULT_PREFIX) && o.sk.length <= 64) return o.sk;
      } catch {
        // fall through
      }
    }
  }
  throw new InvalidCursorError('cursor is not one this API returned');
}

const ttlFromNow = () => Math.floor(Date.now() / 1000) + JOB_TTL_DAYS * 86_400;

export class JobResultsRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Stores one symbol's outcome and counts it once (see the module comment). Returns whether it was new. */
  async putResult(jobId: string, item: Omit<JobResultItem, 'at'>): Promise<boolean> {
    const r = await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: jobPk(jobId),
          sk: `${RESULT_PREFIX}${item.symbol}`,
          ...item,
          at: new Date().toISOString(),
          [TABLE_KEYS.ttlAttribute]: ttlFromNow(),
        },
        ReturnValues: 'ALL_OLD',
      }),
    );
    if (r.Attributes) return false;
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: jobPk(jobId), sk: 'JOB' },
        UpdateExpression: item.ok ? 'ADD #d :one SET updatedAt = :now' : 'ADD #d :one, #f :one SET updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk)',
        // Names, not literals: DynamoDB reserves hundreds of words and these stay safe whatever they are.
        ExpressionAttributeNames: item.ok ? { '#d': 'done' } : { '#d': 'done', '#f': 'failed' },
        ExpressionAttributeValues: { ':one': 1, ':now': new Date().toISOString() },
      }),
    );
    return true;
  }

  /** Sets the number of symbols once the job's universe is known (the prepare step). */
  async setTotal(jobId: string, total: number): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: jobPk(jobId), sk: 'JOB' },
        UpdateExpression: 'SET #total = :t, updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#total': 'total' },
        ExpressionAttributeValues: { ':t': total, ':now': new Date().toISOString() },
      }),
    );
  }

  /** Overwrites the counters with exact values (the aggregate step, from the result items). */
  async setProgress(jobId: string, p: JobProgress): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: jobPk(jobId), sk: 'JOB' },
        UpdateExpression: 'SET #total = :t, #d = :d, #f = :f, updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#total': 'total', '#d': 'done', '#f': 'failed' },
        ExpressionAttributeValues: { ':t': p.total, ':d': p.done, ':f': p.failed, ':now': new Date().toISOString() },
      }),
    );
  }

  async getProgress(jobId: string): Promise<JobProgress | null> {
    const r = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: jobPk(jobId), sk: 'JOB' },
        ProjectionExpression: '#total, #d, #f',
        ExpressionAttributeNames: { '#total': 'total', '#d': 'done', '#f': 'failed' },
      }),
    );
    if (!r.Item) return null;
    const n = (v: unknown) => (typeof v === 'number' ? v : 0);
    return { total: n(r.Item.total), done: n(r.Item.done), failed: n(r.Item.failed) };
  }

  /** One page of results in symbol order; `matchedOnly` filters server-side (pages can then be short). */
  async page<T = unknown>(
    jobId: string,
    /** `cursorKey` signs the page cursors (the service's SECRET_KEY). */
    opts: { limit: number; cursor?: string; matchedOnly?: boolean; cursorKey: string },
  ): Promise<ResultsPage<T>> {
    const key = opts.cursorKey;
    const start = opts.cursor === undefined ? undefined : { pk: jobPk(jobId), sk: decodeCursor(opts.cursor, key) };
    const r = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)',
        ExpressionAttributeValues: {
          ':pk': jobPk(jobId),
          ':r': RESULT_PREFIX,
          ...(opts.matchedOnly ? { ':t': true } : {}),
        },
        ...(opts.matchedOnly ? { FilterExpression: '#m = :t', ExpressionAttributeNames: { '#m': 'matched' } } : {}),
        Limit: opts.limit,
        ExclusiveStartKey: start,
      }),
    );
    const items = (r.Items ?? []).map(toResult<T>);
    const last = r.LastEvaluatedKey?.sk;
    return typeof last === 'string' ? { items, nextCursor: encodeCursor(last, key) } : { items };
  }

  /** Every result of a job (the aggregate step), page by page. */
  async *all<T = unknown>(jobId: string): AsyncGenerator<JobResultItem<T>> {
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)',
          ExpressionAttributeValues: { ':pk': jobPk(jobId), ':r': RESULT_PREFIX },
          ExclusiveStartKey: start,
        }),
      );
      for (const it of r.Items ?? []) yield toResult<T>(it);
      start = r.LastEvaluatedKey;
    } while (start);
  }
}

function toResult<T>(it: Record<string, unknown>): JobResultItem<T> {
  const out: JobResultItem<T> = { symbol: it.symbol as string, ok: it.ok as boolean, at: it.at as string };
  if (it.matched !== undefined) out.matched = it.matched as boolean;
  if (it.error !== undefined) out.error = it.error as string;
  if (it.data !== undefined) out.data = it.data as T;
  return out;
}

// ------------------------------------------------------------------------------------------------ watchlists

export interface Watchlist {
  name: string;
  symbols: string[];
  updatedAt: string;
}

export interface WatchlistSummary {
  name: string;
  count: number;
  updatedAt: string;
}

const WATCHLISTS_PK = 'WATCHLISTS';

/** Named symbol lists. `tracked` is not stored: it means every active tracked symbol (see the prepare step). */
export class WatchlistRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(name: string): Promise<Watchlist | null> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: WATCHLISTS_PK, sk: name } }));
    if (!r.Item) return null;
    return { name: r.Item.name as string, symbols: r.Item.symbols as string[], updatedAt: r.Item.updatedAt as string };
  }

  async put(name: string, symbols: string[]): Promise<Watchlist> {
    const item: Watchlist = { name, symbols, updatedAt: new Date().toISOString() };
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: WATCHLISTS_PK, sk: name, ...item } }));
    return item;
  }

  /** Every stored watchlist's name and size, in name order (few lists of at most ~170 KB each: read whole). */
  async list(): Promise<WatchlistSummary[]> {
    const items = await queryPartition(this.doc, this.table, WATCHLISTS_PK);
    return items.map((it) => ({
      name: it.name as string,
      count: (it.symbols as string[]).length,
      updatedAt: it.updatedAt as string,
    }));
  }

  /**
   * Whether the list existed. Checked by a read first: the delete goes through the store's one batch path (as
   * SymbolRepository.delete), whose functions need no DeleteItem grant (lib/aws-calls.ts) but which cannot say
   * whether the item was there.
   */
  async delete(name: string): Promise<boolean> {
    if (!(await this.get(name))) return false;
    await batchWriteAll(this.doc, this.table, [{ DeleteRequest: { Key: { pk: WATCHLISTS_PK, sk: name } } }]);
    return true;
  }
}
