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
 * Symbols and latest analyses are here; checkpoints in checkpoints.ts, jobs and backfill jobs in jobs.ts, job
 * results and watchlists in jobs-results.ts, alert de-duplication in alert-dedupe.ts, K-lines and series in
 * kline-store.ts. No code outside functions/store sends a DynamoDB command.
 *
 * SYMBOLS and CHECKPOINTS are single partitions on purpose: both stay small (one item per tracked symbol or
 * symbol×interval, a few thousand at most) and are read whole by the scheduler each minute, which a single Query
 * serves; per-symbol data (K-lines, series, analysis) is spread over many partitions.
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SignalAlertPrefs } from '../alerts/prefs.js';
import type { Interval } from '../common/domain.js';
import { batchWriteAll } from './batch.js';
import { deletePartition, queryPartition, stripKeys as strip } from './partition.js';
import { isConditionFailure } from './table.js';
import { updateExpression } from './update-expression.js';

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
    const optional = Object.fromEntries(OPTIONAL_SYMBOL_FIELDS.map((f) => [f, input[f]]));
    const r = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: 'SYMBOLS', sk: input.symbol },
        ...updateExpression({
          set: {
            symbol: input.symbol,
            provider: input.provider,
            intervals: input.intervals,
            providerSymbol: input.providerSymbol ?? input.symbol,
            active: input.active,
            updatedAt: now,
            ...optional,
          },
          setIfAbsent: { createdAt: now },
          remove: OPTIONAL_SYMBOL_FIELDS.filter((f) => input[f] === undefined),
        }),
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
      if (isConditionFailure(e)) return false;
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
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }
}
