/**
 * The small entities of the single table, keyed by how they are read:
 *
 * | entity            | pk                  | sk                   | access pattern                                   |
 * | ----------------- | ------------------- | -------------------- | ------------------------------------------------ |
 * | tracked symbol    | SYMBOLS             | <SYMBOL>             | list all (GET /symbols, dispatcher); get one     |
 * | ingest checkpoint | CHECKPOINTS         | <SYMBOL>#<interval>  | list all in one Query (dispatcher); get/advance one |
 * | latest analysis   | ANALYSIS#<SYMBOL>   | <interval>           | get one (API, chart); all intervals of a symbol  |
 * | job               | JOB#<id>            | JOB                  | get by id (GET /jobs/{id}); expires via `expiresAt` |
 *
 * SYMBOLS and CHECKPOINTS are single partitions on purpose: both stay small (one item per tracked symbol or
 * symbol×interval, a few thousand at most) and are read whole by the scheduler each minute, which a single Query
 * serves; per-symbol data (K-lines, series, analysis) is spread over many partitions.
 */
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { SignalAlertPrefs } from '../alerts/prefs.js';
import type { Interval } from '../common/domain.js';
import { batchWriteAll } from './batch.js';
import { expiresAfterDays, TABLE_KEYS } from './table.js';

async function queryPartition(
  doc: DynamoDBDocumentClient,
  table: string,
  pk: string,
  skPrefix?: string,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const r = await doc.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: skPrefix === undefined ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: skPrefix === undefined ? { ':pk': pk } : { ':pk': pk, ':p': skPrefix },
        ExclusiveStartKey: start,
      }),
    );
    out.push(...(r.Items ?? []));
    start = r.LastEvaluatedKey;
  } while (start);
  return out;
}

/** Delete the items of one partition (those whose sk starts with `skPrefix`, if given); returns how many. */
async function deletePartition(
  doc: DynamoDBDocumentClient,
  table: string,
  pk: string,
  skPrefix?: string,
): Promise<number> {
  const items = await queryPartition(doc, table, pk, skPrefix);
  if (items.length > 0)
    await batchWriteAll(
      doc,
      table,
      items.map((it) => ({ DeleteRequest: { Key: { pk: it.pk, sk: it.sk } } })),
    );
  return items.length;
}

const strip = <T>(it: Record<string, unknown>): T => {
  const { pk: _pk, sk: _sk, ...rest } = it;
  return rest as T;
};

// ---------------------------------------------------------------------------------------------- tracked symbols

export interface TrackedSymbol {
  symbol: string;
  /** Market-data provider the ingest worker fetches from (e.g. binance, bybit, upload). */
  provider: string;
  intervals: Interval[];
  /** The provider's own code when it differs (e.g. BTCUSDT). */
  providerSymbol?: string;
  active: boolean;
  /** provider "url": the CSV/JSON bar file ingestion reads. */
  sourceUrl?: string;
  /** provider "url": whether the file's time stamps are bar open ("start") or bar close ("end") times. */
  sourceLabel?: 'start' | 'end';
  /** Where ingestion of a newly tracked series starts (epoch ms); default: INGEST_DEFAULT_HISTORY_BARS back. */
  historyFrom?: number;
  /** Buy/sell point alert preferences (functions/alerts/prefs.ts SignalAlertPrefsSchema); none: no alerts. */
  alerts?: SignalAlertPrefs;
  createdAt: string;
  updatedAt: string;
}

/** Optional attributes PUT replaces: set when given, removed when absent (create-or-replace semantics). */
const OPTIONAL_SYMBOL_FIELDS = ['sourceUrl', 'sourceLabel', 'historyFrom', 'alerts'] as const;

export class SymbolRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async list(): Promise<TrackedSymbol[]> {
    return (await queryPartition(this.doc, this.table, 'SYMBOLS')).map((it) => strip<TrackedSymbol>(it));
  }

  async get(symbol: string): Promise<TrackedSymbol | null> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: 'SYMBOLS', sk: symbol } }));
    return r.Item ? strip<TrackedSymbol>(r.Item) : null;
  }

  /** Create or replace; keeps the original createdAt. Returns the item and whether it was new. */
  async put(input: Omit<TrackedSymbol, 'createdAt' | 'updatedAt'>): Promise<{ item: TrackedSymbol; created: boolean }> {
    const now = new Date().toISOString();
    const names: Record<string, string> = { '#sym': 'symbol' };
    const values: Record<string, unknown> = {
      ':sym': input.symbol,
      ':p': input.provider,
      ':iv': input.intervals,
      ':ps': input.providerSymbol ?? input.symbol,
      ':a': input.active,
      ':now': now,
    };
    const sets = [
      '#sym = :sym',
      'provider = :p',
      'intervals = :iv',
      'providerSymbol = :ps',
      'active = :a',
      'updatedAt = :now',
      'createdAt = if_not_exists(createdAt, :now)',
    ];
    const removes: string[] = [];
    for (const f of OPTIONAL_SYMBOL_FIELDS) {
      names[`#${f}`] = f;
      if (input[f] === undefined) removes.push(`#${f}`);
      else {
        values[`:${f}`] = input[f];
        sets.push(`#${f} = :${f}`);
      }
    }
    const r = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: 'SYMBOLS', sk: input.symbol },
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    const item = strip<TrackedSymbol>(r.Attributes!);
    return { item, created: item.createdAt === now };
  }

  /** Stop scheduled ingestion (the dispatcher skips inactive symbols); false when the symbol is not tracked. */
  async deactivate(symbol: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: 'SYMBOLS', sk: symbol },
          UpdateExpression: 'SET active = :f, updatedAt = :now',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':f': false, ':now': new Date().toISOString() },
        }),
      );
      return true;
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
  }

  /**
   * Stop tracking (its bars stay unless purged first). A one-item BatchWriteItem rather than DeleteItem: the store
   * deletes through the one batch path (purges too), so its functions need no further action (lib/aws-calls.ts).
   */
  async delete(symbol: string): Promise<void> {
    await batchWriteAll(this.doc, this.table, [{ DeleteRequest: { Key: { pk: 'SYMBOLS', sk: symbol } } }]);
  }
}

// ------------------------------------------------------------------------------------------------- checkpoints

export interface Checkpoint {
  symbol: string;
  interval: Interval;
  /** Open time of the newest bar ingested (epoch ms). */
  lastTs: number;
  updatedAt: string;
  /** Consecutive failed runs (the dispatcher backs off on these). */
  failures?: number;
  lastError?: string;
}

export class CheckpointRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async listAll(): Promise<Checkpoint[]> {
    return (await queryPartition(this.doc, this.table, 'CHECKPOINTS')).map((it) => strip<Checkpoint>(it));
  }

  async get(symbol: string, interval: Interval): Promise<Checkpoint | null> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: 'CHECKPOINTS', sk: `${symbol}#${interval}` } }),
    );
    return r.Item ? strip<Checkpoint>(r.Item) : null;
  }

  /**
   * Move the checkpoint forward only: a late or duplicate worker run cannot rewind it (conditional write).
   * Returns false when the stored checkpoint was already at or past `lastTs`.
   *
   * UpdateItem, never a whole-item Put: ingestion keeps its own fields on the same item (nextOpenTime,
   * verifiedThrough, refreshedThrough, backoffUntil, ... — functions/ingest/adapters.ts), and a Put would wipe
   * them. Only the fields this repository owns are set; a successful advance clears the failure count.
   */
  async advance(symbol: string, interval: Interval, lastTs: number): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: 'CHECKPOINTS', sk: `${symbol}#${interval}` },
          UpdateExpression: 'SET #sym = :s, #iv = :i, lastTs = :t, updatedAt = :now, failures = :zero',
          ConditionExpression: 'attribute_not_exists(lastTs) OR lastTs < :t',
          ExpressionAttributeNames: { '#sym': 'symbol', '#iv': 'interval' },
          ExpressionAttributeValues: {
            ':s': symbol,
            ':i': interval,
            ':t': lastTs,
            ':now': new Date().toISOString(),
            ':zero': 0,
          },
        }),
      );
      return true;
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
  }

  /** Every checkpoint of a symbol (all intervals): a purged symbol, tracked again, starts from its history start. */
  deleteForSymbol(symbol: string): Promise<number> {
    return deletePartition(this.doc, this.table, 'CHECKPOINTS', `${symbol}#`);
  }

  async recordFailure(symbol: string, interval: Interval, message: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: 'CHECKPOINTS', sk: `${symbol}#${interval}` },
        UpdateExpression: 'SET #sym = :s, #iv = :i, lastError = :m, updatedAt = :now ADD failures :one',
        ExpressionAttributeNames: { '#sym': 'symbol', '#iv': 'interval' },
        ExpressionAttributeValues: {
          ':s': symbol,
          ':i': interval,
          ':m': message.slice(0, 1000),
          ':now': new Date().toISOString(),
          ':one': 1,
        },
      }),
    );
  }
}

// --------------------------------------------------------------------------------------------- latest analysis

export interface LatestAnalysis {
  symbol: string;
  interval: Interval;
  preset: string | null;
  configHash: string;
  lastBarTs: number;
  /** Series rev the analysis was computed from. */
  rev: number;
  computedAt: string;
  /** Compact summary (signals, last strokes/segments/pivots, counts): kept well below the 400 KB item limit. */
  summary: Record<string, unknown>;
}

export class AnalysisRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(symbol: string, interval: Interval): Promise<LatestAnalysis | null> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: `ANALYSIS#${symbol}`, sk: interval } }),
    );
    return r.Item ? strip<LatestAnalysis>(r.Item) : null;
  }

  async listForSymbol(symbol: string): Promise<LatestAnalysis[]> {
    return (await queryPartition(this.doc, this.table, `ANALYSIS#${symbol}`)).map((it) => strip<LatestAnalysis>(it));
  }

  deleteForSymbol(symbol: string): Promise<number> {
    return deletePartition(this.doc, this.table, `ANALYSIS#${symbol}`);
  }

  /** Keep the newest only: an older computation (lower lastBarTs/rev) never overwrites a newer one. */
  async put(a: LatestAnalysis): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `ANALYSIS#${a.symbol}`, sk: a.interval, ...a },
          ConditionExpression: 'attribute_not_exists(pk) OR #rev <= :rev',
          ExpressionAttributeNames: { '#rev': 'rev' },
          ExpressionAttributeValues: { ':rev': a.rev },
        }),
      );
      return true;
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
  }
}

// -------------------------------------------------------------------------------------------------------- jobs

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
        Item: { pk: `JOB#${job.id}`, sk: 'JOB', ...item },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return item;
  }

  async get(id: string): Promise<Job | null> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: `JOB#${id}`, sk: 'JOB' } }));
    return r.Item ? strip<Job>(r.Item) : null;
  }

  async update(id: string, patch: Partial<Pick<Job, 'status' | 'result' | 'error' | 'executionArn'>>): Promise<void> {
    const names: Record<string, string> = { '#u': 'updatedAt' };
    const values: Record<string, unknown> = { ':u': new Date().toISOString() };
    const sets = ['#u = :u'];
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) continue;
      names[`#${k}`] = k;
      values[`:${k}`] = v;
      sets.push(`#${k} = :${k}`);
    }
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `JOB#${id}`, sk: 'JOB' },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }
}
