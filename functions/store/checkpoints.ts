/**
 * Ingest checkpoints: `CHECKPOINTS / <SYMBOL>#<interval>`, one item per tracked series, the ingestion ports'
 * CheckpointStore (functions/ingest/ports.ts) and what /health and a purge read. One partition on purpose: the
 * dispatcher reads every checkpoint each minute in one Query (functions/store/repositories.ts explains the layout).
 *
 * Every write is an UpdateItem of the fields it names (never a whole-item Put), so a patch of one field keeps the
 * others. `lastTs` (open time of the newest bar covered, nextOpenTime − one interval) is kept beside nextOpenTime
 * for readers that think in bars; a checkpoint holding only lastTs still reads as its nextOpenTime.
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { INTERVAL_MS, INTERVALS, type Interval } from '../common/domain.js';
import type { Checkpoint, CheckpointPatch, CheckpointStore } from '../ingest/ports.js';
import { deletePartition, queryPartition } from './partition.js';
import { isConditionFailure } from './table.js';
import { updateExpression } from './update-expression.js';

const PK = 'CHECKPOINTS';
const key = (symbol: string, interval: Interval) => ({ pk: PK, sk: `${symbol}#${interval}` });
const isInterval = (v: string): v is Interval => (INTERVALS as readonly string[]).includes(v);

function toCheckpoint(it: Record<string, unknown>): Checkpoint {
  const sk = String(it.sk);
  const symbol = String(it.symbol ?? sk.slice(0, sk.lastIndexOf('#')));
  const interval = String(it.interval ?? sk.slice(sk.lastIndexOf('#') + 1));
  const iv = isInterval(interval) ? INTERVAL_MS[interval] : 0;
  const num = (k: string) => (typeof it[k] === 'number' ? (it[k] as number) : undefined);
  const lastTs = num('lastTs');
  return {
    symbol,
    interval: interval as Interval,
    nextOpenTime: num('nextOpenTime') ?? (lastTs !== undefined ? lastTs + iv : undefined),
    verifiedThrough: num('verifiedThrough'),
    refreshedThrough: num('refreshedThrough'),
    lastRunAt: num('lastRunAt'),
    continuationAt: num('continuationAt'),
    backoffUntil: num('backoffUntil'),
    haltedUntil: num('haltedUntil'),
    lastError: typeof it.lastError === 'string' && it.lastError !== '' ? it.lastError : undefined,
    failures: num('failures'),
    updatedAt: typeof it.updatedAt === 'string' ? it.updatedAt : undefined,
  };
}

export class CheckpointRepository implements CheckpointStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(symbol: string, interval: Interval): Promise<Checkpoint | undefined> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: key(symbol, interval), ConsistentRead: true }),
    );
    return r.Item ? toCheckpoint(r.Item) : undefined;
  }

  async listAll(): Promise<Checkpoint[]> {
    return (await queryPartition(this.doc, this.table, PK)).map(toCheckpoint);
  }

  async getMany(keys: ReadonlyArray<{ symbol: string; interval: Interval }>): Promise<Checkpoint[]> {
    const want = new Set(keys.map((k) => `${k.symbol}#${k.interval}`));
    return (await this.listAll()).filter((c) => want.has(`${c.symbol}#${c.interval}`));
  }

  async advance(
    symbol: string,
    interval: Interval,
    expected: number | undefined,
    next: number,
    patch: CheckpointPatch = {},
  ): Promise<boolean> {
    const condition =
      expected === undefined
        ? { expression: 'attribute_not_exists(#next)', names: { '#next': 'nextOpenTime' } }
        : { expression: '#next = :expected', names: { '#next': 'nextOpenTime' }, values: { ':expected': expected } };
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(symbol, interval),
          ...updateExpression({
            set: {
              ...this.owned(symbol, interval),
              nextOpenTime: next,
              lastTs: next - INTERVAL_MS[interval],
              failures: 0,
              ...patch,
            },
            condition,
          }),
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  async patch(symbol: string, interval: Interval, patch: CheckpointPatch): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key(symbol, interval),
        // A patch naming a failure counts it (/health reports the series degraded while failures > 0).
        ...updateExpression({
          set: { ...this.owned(symbol, interval), ...patch },
          add: patch.lastError ? { failures: 1 } : {},
        }),
      }),
    );
  }

  /** Every checkpoint of a symbol (all intervals): a purged symbol, tracked again, starts from its history start. */
  deleteForSymbol(symbol: string): Promise<number> {
    return deletePartition(this.doc, this.table, PK, `${symbol}#`);
  }

  private owned(symbol: string, interval: Interval) {
    return { symbol, interval, updatedAt: new Date().toISOString() };
  }
}
