/**
 * Jobs: `JOB#<id> / JOB`, one item per job, read by GET /api/v1/jobs/{id} whatever started it. Two repositories
 * over the one item type: JobRepository for the analysis jobs (scan, backtest, multilevel: Step Functions) and
 * BackfillJobRepository, the ingestion ports' BackfillJobStore (functions/ingest/ports.ts), which keeps a backfill's
 * progress in `result` and a `seq` for compare-and-set on chunk completion, plus a `BACKFILLS / <id>` index item
 * so the dispatcher's watchdog lists running backfills in one Query, and a `BACKFILL#<symbol>#<interval> / LOCK` item
 * naming the series' newest job, claimed with a condition so two requests at once cannot both start one. Jobs and
 * locks expire through the table's TTL.
 */
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { BackfillRunningError, type BackfillJob, type BackfillJobStore, type BackfillStatus } from '../ingest/ports.js';
import { stripKeys } from './partition.js';
import { expiresAfterDays, isConditionFailure, TABLE_KEYS } from './table.js';
import { updateExpression } from './update-expression.js';

export type JobStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface Job {
  id: string;
  type: string;
  status: JobStatus;
  input: Record<string, unknown>;
  result?: unknown;
  error?: string;
  executionArn?: string;
  createdAt: string;
  updatedAt: string;
  /** Epoch seconds (TABLE_KEYS.ttlAttribute): DynamoDB TTL removes jobs after JOB_TTL_DAYS. */
  expiresAt: number;
}

export const JOB_TTL_DAYS = 30;

export const jobKey = (id: string) => ({ pk: `JOB#${id}`, sk: 'JOB' });
const EXISTS = { expression: 'attribute_exists(pk)' };

export class JobRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(job: Omit<Job, 'createdAt' | 'updatedAt' | 'expiresAt'>): Promise<Job> {
    const now = new Date();
    const item: Job = {
      ...job,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      [TABLE_KEYS.ttlAttribute]: expiresAfterDays(JOB_TTL_DAYS, now.getTime()),
    };
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...jobKey(job.id), ...item },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return item;
  }

  async get(id: string): Promise<Job | null> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: jobKey(id) }));
    return r.Item ? stripKeys<Job>(r.Item) : null;
  }

  async update(id: string, patch: Partial<Pick<Job, 'status' | 'result' | 'error' | 'executionArn'>>): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: jobKey(id),
        ...updateExpression({ set: { updatedAt: new Date().toISOString(), ...patch }, condition: EXISTS }),
      }),
    );
  }
}

// ---------------------------------------------------------------------------------------------- backfill jobs

const BACKFILLS = 'BACKFILLS';
/** How long a claimed series lock counts as held while its job item is not written yet (a request in between). */
const CLAIM_GRACE_MS = 30_000;
const STATUS_TO_JOB: Record<BackfillStatus, JobStatus> = {
  running: 'RUNNING',
  done: 'SUCCEEDED',
  failed: 'FAILED',
  halted: 'FAILED',
};

function backfillItem(j: BackfillJob) {
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

function toBackfill(it: Record<string, unknown>): BackfillJob {
  const input = it.input as Record<string, unknown>;
  const result = it.result as Record<string, unknown>;
  return {
    jobId: String(it.id),
    symbol: String(input.symbol),
    interval: input.interval as BackfillJob['interval'],
    from: input.from as number,
    to: input.to as number,
    source: input.source as BackfillJob['source'],
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

export class BackfillJobRepository implements BackfillJobStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(job: BackfillJob): Promise<void> {
    const ttl = { [TABLE_KEYS.ttlAttribute]: expiresAfterDays(JOB_TTL_DAYS, job.createdAt) };
    await this.claimSeries(job, ttl);
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...jobKey(job.jobId), ...backfillItem(job), ...ttl },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: BACKFILLS, sk: job.jobId, ...ttl } }));
  }

  async get(jobId: string): Promise<BackfillJob | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: jobKey(jobId), ConsistentRead: true }));
    return r.Item && r.Item.type === 'backfill' ? toBackfill(r.Item) : undefined;
  }

  /**
   * Point the series' lock at `job`, if no other job of the series is running. The lock is free when absent or when
   * the job it names has ended (it is never released, so a job that ends by any path frees it); the write is
   * conditional on the lock being as read, so of two requests at once one wins and the other finds the winner. The
   * winner writes its job item just after the lock: a lock younger than CLAIM_GRACE_MS whose job is not there yet is
   * held; an older one is the trace of a request that died in between, and free.
   */
  private async claimSeries(job: BackfillJob, ttl: Record<string, number>): Promise<void> {
    const Key = { pk: `BACKFILL#${job.symbol}#${job.interval}`, sk: 'LOCK' };
    for (let attempt = 0; attempt < 3; attempt++) {
      const cur = await this.doc.send(new GetCommand({ TableName: this.table, Key, ConsistentRead: true }));
      const holder = cur.Item ? String(cur.Item.jobId) : undefined;
      if (holder !== undefined) {
        const held = await this.get(holder);
        const starting = !held && job.createdAt - Number(cur.Item!.claimedAt) < CLAIM_GRACE_MS;
        if (held?.status === 'running' || starting) throw new BackfillRunningError(holder);
      }
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...Key, jobId: job.jobId, claimedAt: job.createdAt, ...ttl },
            ...(holder === undefined
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : { ConditionExpression: 'jobId = :holder', ExpressionAttributeValues: { ':holder': holder } }),
          }),
        );
        return;
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
        // Another request claimed it between the read and the write: look again (its job is now starting).
      }
    }
    throw new Error(`could not claim the backfill lock of ${job.symbol} ${job.interval}: it kept changing`);
  }

  advance(jobId: string, expectedSeq: number, fields: Partial<BackfillJob>): Promise<boolean> {
    return this.update(jobId, { ...fields, seq: expectedSeq + 1 }, expectedSeq);
  }

  async patch(jobId: string, fields: Partial<BackfillJob>): Promise<void> {
    const { seq: _ignored, ...rest } = fields;
    await this.update(jobId, rest);
  }

  async listRunning(): Promise<BackfillJob[]> {
    const r = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: 'attribute_not_exists(finished)',
        ExpressionAttributeValues: { ':pk': BACKFILLS },
      }),
    );
    const jobs = await Promise.all((r.Items ?? []).map((it) => this.get(String(it.sk))));
    return jobs.filter((j): j is BackfillJob => j !== undefined && j.status === 'running');
  }

  /** Merge `fields` into the stored job; with `expectedSeq`, only if the stored seq is still that one. */
  private async update(jobId: string, fields: Partial<BackfillJob>, expectedSeq?: number): Promise<boolean> {
    const cur = await this.get(jobId);
    if (!cur) return false;
    const merged: BackfillJob = { ...cur, ...fields };
    const item = backfillItem(merged);
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: jobKey(jobId),
          ...updateExpression({
            set: {
              status: item.status,
              result: item.result,
              updatedAt: item.updatedAt,
              error: merged.lastError ?? '',
              seq: merged.seq,
            },
            condition:
              expectedSeq === undefined
                ? EXISTS
                : {
                    expression: 'attribute_exists(pk) AND #seq = :expected',
                    names: { '#seq': 'seq' },
                    values: { ':expected': expectedSeq },
                  },
          }),
        }),
      );
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
    if (merged.status !== 'running') {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: BACKFILLS, sk: jobId, finished: true, [TABLE_KEYS.ttlAttribute]: expiresAfterDays(1) },
        }),
      );
    }
    return true;
  }
}
