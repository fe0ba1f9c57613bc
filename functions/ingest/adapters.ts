/**
 * Binds the ingestion ports to the shared store (functions/store), the cache-invalidating SeriesService
 * (functions/common/series.ts) and SQS.
 *
 * Checkpoint items are the store's `CHECKPOINTS / <SYMBOL>#<interval>` items: the fields the store defines
 * (symbol, interval, lastTs = newest open time covered, updatedAt, failures, lastError) are kept meaningful for
 * other readers (health, GET /symbols), and ingestion adds its own (nextOpenTime, verifiedThrough, …). All
 * writes are UpdateItem (never a whole-item Put), so neither side wipes the other's attributes.
 *
 * Backfill jobs are the store's `JOB#<id> / JOB` items (type "backfill"), so GET /api/v1/jobs/{id} shows their
 * status and progress (`result`); ingestion adds `seq` for compare-and-set on chunk completion.
 */
import { adjustmentsKey, type ResilientCache } from '../cache/index.js';
import type { AdjustmentRepository, FactorPoint } from '../store/adjustments.js';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { StoredBar } from '../common/domain.js';
import type { KlineStore } from '../store/kline-store.js';
import { JOB_TTL_DAYS, type SymbolRepository } from '../store/repositories.js';
import { expiresAfterDays, TABLE_KEYS } from '../store/table.js';
import type { IngestBar } from './bar.js';
import { INTERVAL_MS, isIngestInterval, type IngestInterval } from './intervals.js';
import type { IngestMessage } from './messages.js';
import type {
  AdjustmentSink,
  BackfillJob,
  BackfillJobStore,
  BackfillStatus,
  BarWriter,
  Checkpoint,
  CheckpointPatch,
  CheckpointStore,
  QueueSender,
  TrackedSeries,
  TrackedSymbolsSource,
} from './ports.js';
import { isIngestible, type ProviderSpec } from './providers/index.js';

const toStored = (b: IngestBar): StoredBar => ({
  ts: b.time,
  open: b.open,
  high: b.high,
  low: b.low,
  close: b.close,
  volume: b.volume,
});
const fromStored = (b: StoredBar): IngestBar => ({
  time: b.ts,
  open: b.open,
  high: b.high,
  low: b.low,
  close: b.close,
  volume: b.volume ?? 0,
});

/** Anything with the store's upsert (KlineStore itself, or SeriesService which also invalidates the cache). */
export interface Upserter {
  upsert(symbol: string, interval: IngestInterval, bars: StoredBar[]): Promise<unknown>;
}

export class StoreBarWriter implements BarWriter {
  constructor(
    private readonly writer: Upserter,
    private readonly reader: KlineStore,
  ) {}
  async putBars(symbol: string, interval: IngestInterval, bars: readonly IngestBar[]) {
    if (bars.length === 0) return { requests: 0 };
    await this.writer.upsert(symbol, interval, bars.map(toStored));
    return { requests: Math.ceil(bars.length / 25) };
  }
  async getBars(symbol: string, interval: IngestInterval, from: number, to: number) {
    if (to < from) return [];
    return (await this.reader.readRange(symbol, interval, { from, to })).map(fromStored);
  }
}

// ------------------------------------------------------------------------------------------------ checkpoints

const CP_PK = 'CHECKPOINTS';
const cpKey = (symbol: string, interval: IngestInterval) => ({ pk: CP_PK, sk: `${symbol}#${interval}` });

function toCheckpoint(it: Record<string, unknown>): Checkpoint {
  const sk = String(it.sk);
  const [symbol, interval] = [
    String(it.symbol ?? sk.slice(0, sk.lastIndexOf('#'))),
    String(it.interval ?? sk.slice(sk.lastIndexOf('#') + 1)),
  ];
  const iv = isIngestInterval(interval) ? INTERVAL_MS[interval] : 0;
  const num = (k: string) => (typeof it[k] === 'number' ? (it[k] as number) : undefined);
  // A checkpoint written by other code has only lastTs (newest open time ingested).
  const next = num('nextOpenTime') ?? (num('lastTs') !== undefined ? num('lastTs')! + iv : undefined);
  return {
    symbol,
    interval: interval as IngestInterval,
    nextOpenTime: next,
    verifiedThrough: num('verifiedThrough'),
    refreshedThrough: num('refreshedThrough'),
    lastRunAt: num('lastRunAt'),
    continuationAt: num('continuationAt'),
    backoffUntil: num('backoffUntil'),
    haltedUntil: num('haltedUntil'),
    lastError: typeof it.lastError === 'string' && it.lastError !== '' ? it.lastError : undefined,
    failures: num('failures'),
  };
}

function setClause(
  fields: Record<string, unknown>,
  names: Record<string, string>,
  values: Record<string, unknown>,
): string[] {
  const sets: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    names[`#${k}`] = k;
    values[`:${k}`] = v;
    sets.push(`#${k} = :${k}`);
  }
  return sets;
}

export class DynamoCheckpointStore implements CheckpointStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(symbol: string, interval: IngestInterval): Promise<Checkpoint | undefined> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: cpKey(symbol, interval), ConsistentRead: true }),
    );
    return r.Item ? toCheckpoint(r.Item) : undefined;
  }

  async getMany(keys: ReadonlyArray<{ symbol: string; interval: IngestInterval }>): Promise<Checkpoint[]> {
    const want = new Set(keys.map((k) => `${k.symbol}#${k.interval}`));
    const out: Checkpoint[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': CP_PK },
          ExclusiveStartKey: start,
        }),
      );
      for (const it of r.Items ?? []) if (want.has(String(it.sk))) out.push(toCheckpoint(it));
      start = r.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async advance(
    symbol: string,
    interval: IngestInterval,
    expected: number | undefined,
    next: number,
    patch: CheckpointPatch = {},
  ): Promise<boolean> {
    const names: Record<string, string> = { '#sym': 'symbol', '#iv': 'interval', '#n': 'nextOpenTime' };
    const values: Record<string, unknown> = {
      ':sym': symbol,
      ':iv': interval,
      ':n': next,
      ':last': next - INTERVAL_MS[interval],
      ':u': new Date().toISOString(),
      ':zero': 0,
    };
    const sets = [
      '#sym = :sym',
      '#iv = :iv',
      '#n = :n',
      'lastTs = :last',
      'updatedAt = :u',
      'failures = :zero',
      ...setClause(patch, names, values),
    ];
    let cond: string;
    if (expected === undefined) cond = 'attribute_not_exists(#n)';
    else {
      cond = '#n = :e';
      values[':e'] = expected;
    }
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: cpKey(symbol, interval),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: cond,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
  }

  async patch(symbol: string, interval: IngestInterval, patch: CheckpointPatch): Promise<void> {
    const names: Record<string, string> = { '#sym': 'symbol', '#iv': 'interval' };
    const values: Record<string, unknown> = { ':sym': symbol, ':iv': interval, ':u': new Date().toISOString() };
    const sets = ['#sym = :sym', '#iv = :iv', 'updatedAt = :u', ...setClause(patch, names, values)];
    let add = '';
    if (patch.lastError) {
      add = ' ADD failures :one';
      values[':one'] = 1;
    }
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: cpKey(symbol, interval),
        UpdateExpression: `SET ${sets.join(', ')}${add}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }
}

// ---------------------------------------------------------------------------------------------- backfill jobs

const jobKey = (id: string) => ({ pk: `JOB#${id}`, sk: 'JOB' });
const STATUS_TO_JOB: Record<BackfillStatus, string> = {
  running: 'RUNNING',
  done: 'SUCCEEDED',
  failed: 'FAILED',
  halted: 'FAILED',
};

function jobItem(j: BackfillJob): Record<string, unknown> {
  return {
    id: j.jobId,
    type: 'backfill',
    status: STATUS_TO_JOB[j.status],
    input: {
      symbol: j.symbol,
      interval: j.interval,
      from: j.from,
      to: j.to,
      source: j.source,
      providerSymbol: j.providerSymbol,
    },
    result: {
      cursor: j.cursor,
      barsDone: j.barsDone,
      totalEstimate: j.totalEstimate,
      ingestStatus: j.status,
      ...(j.backoffs ? { backoffs: j.backoffs } : {}),
    },
    seq: j.seq,
    createdAt: new Date(j.createdAt).toISOString(),
    updatedAt: new Date(j.updatedAt).toISOString(),
    ...(j.lastError ? { error: j.lastError } : {}),
  };
}

function toJob(it: Record<string, unknown>): BackfillJob {
  const input = it.input as Record<string, unknown>;
  const result = it.result as Record<string, unknown>;
  return {
    jobId: String(it.id),
    symbol: String(input.symbol),
    interval: input.interval as IngestInterval,
    from: input.from as number,
    to: input.to as number,
    source: input.source as ProviderSpec,
    providerSymbol: input.providerSymbol as string | undefined,
    cursor: result.cursor as number,
    barsDone: result.barsDone as number,
    totalEstimate: result.totalEstimate as number,
    status: result.ingestStatus as BackfillStatus,
    seq: it.seq as number,
    createdAt: Date.parse(String(it.createdAt)),
    updatedAt: Date.parse(String(it.updatedAt)),
    lastError: typeof it.error === 'string' && it.error !== '' ? it.error : undefined,
    backoffs: typeof result.backoffs === 'number' ? result.backoffs : undefined,
  };
}

export class DynamoBackfillJobStore implements BackfillJobStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(job: BackfillJob): Promise<void> {
    const ttl = { [TABLE_KEYS.ttlAttribute]: expiresAfterDays(JOB_TTL_DAYS, job.createdAt) };
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...jobKey(job.jobId), ...jobItem(job), ...ttl },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    // A small index item so the dispatcher's watchdog can list running backfills in one Query.
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: 'BACKFILLS', sk: job.jobId, ...ttl } }));
  }

  async get(jobId: string): Promise<BackfillJob | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: jobKey(jobId), ConsistentRead: true }));
    return r.Item && r.Item.type === 'backfill' ? toJob(r.Item) : undefined;
  }

  private async update(jobId: string, fields: Partial<BackfillJob>, cond: { seq?: number }): Promise<boolean> {
    const cur = await this.get(jobId);
    if (!cur) return false;
    const merged: BackfillJob = { ...cur, ...fields };
    const item = jobItem(merged);
    const names: Record<string, string> = {
      '#status': 'status',
      '#result': 'result',
      '#u': 'updatedAt',
      '#e': 'error',
      '#seq': 'seq',
    };
    const values: Record<string, unknown> = {
      ':status': item.status,
      ':result': item.result,
      ':u': item.updatedAt,
      ':e': merged.lastError ?? '',
      ':seq': merged.seq,
    };
    let condition = 'attribute_exists(pk)';
    if (cond.seq !== undefined) {
      condition += ' AND #seq = :expected';
      values[':expected'] = cond.seq;
    }
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: jobKey(jobId),
          UpdateExpression: 'SET #status = :status, #result = :result, #u = :u, #e = :e, #seq = :seq',
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
    if (merged.status !== 'running') {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: 'BACKFILLS', sk: jobId, finished: true, [TABLE_KEYS.ttlAttribute]: expiresAfterDays(1) },
        }),
      );
    }
    return true;
  }

  advance(jobId: string, expectedSeq: number, fields: Partial<BackfillJob>): Promise<boolean> {
    return this.update(jobId, { ...fields, seq: expectedSeq + 1 }, { seq: expectedSeq });
  }

  async patch(jobId: string, fields: Partial<BackfillJob>): Promise<void> {
    const { seq: _ignored, ...rest } = fields;
    await this.update(jobId, rest, {});
  }

  async listRunning(): Promise<BackfillJob[]> {
    const r = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: 'attribute_not_exists(finished)',
        ExpressionAttributeValues: { ':pk': 'BACKFILLS' },
      }),
    );
    const jobs = await Promise.all((r.Items ?? []).map((it) => this.get(String(it.sk))));
    return jobs.filter((j): j is BackfillJob => j !== undefined && j.status === 'running');
  }
}

// -------------------------------------------------------------------------------------------- tracked symbols

export class RepoTrackedSymbols implements TrackedSymbolsSource {
  constructor(private readonly repo: Pick<SymbolRepository, 'list'>) {}
  async listTracked(): Promise<TrackedSeries[]> {
    const all = await this.repo.list();
    const out: TrackedSeries[] = [];
    for (const s of all as Array<
      (typeof all)[number] & { sourceUrl?: string; sourceLabel?: 'start' | 'end'; historyFrom?: number }
    >) {
      if (!s.active || !isIngestible(s.provider)) continue; // e.g. provider "upload": bars arrive through the API
      out.push({
        symbol: s.symbol,
        intervals: s.intervals.filter(isIngestInterval),
        source: {
          provider: s.provider,
          sourceUrl: s.sourceUrl,
          sourceLabel: s.sourceLabel,
        },
        providerSymbol: s.providerSymbol && s.providerSymbol !== s.symbol ? s.providerSymbol : undefined,
        historyFrom: s.historyFrom,
      });
    }
    return out;
  }
}

// ------------------------------------------------------------------------------------------------------ queue

export class SqsQueueSender implements QueueSender {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}
  async send(messages: readonly IngestMessage[], delaySeconds?: number): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const batch = messages.slice(i, i + 10);
      const r = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((m, j) => ({
            Id: String(j),
            MessageBody: JSON.stringify(m),
            ...(delaySeconds ? { DelaySeconds: delaySeconds } : {}),
          })),
        }),
      );
      if (r.Failed?.length)
        throw new Error(
          `SQS refused ${r.Failed.length} message(s): ${r.Failed[0]!.Code} ${r.Failed[0]!.Message ?? ''}`,
        );
    }
  }
}

// ---------------------------------------------------------------------------------------- adjustment factors

/** Factors in their store; a change drops the cached copy, so the next read sees the new rev (and new cache keys). */
export class StoreAdjustmentSink implements AdjustmentSink {
  constructor(
    private readonly repo: AdjustmentRepository,
    private readonly cache: Pick<ResilientCache, 'del'>,
  ) {}
  async checkedAt(symbol: string): Promise<number | undefined> {
    return (await this.repo.get(symbol))?.checkedAt;
  }
  async save(symbol: string, source: string, points: readonly FactorPoint[], now: number) {
    const { changed } = await this.repo.save(symbol, source, points, now);
    if (changed) await this.cache.del([adjustmentsKey(symbol)]);
    return { changed };
  }
}
