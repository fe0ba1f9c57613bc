/**
 * Price-adjustment factors (复权因子) of one symbol, beside its unadjusted bars:
 *
 * | entity             | pk            | sk      | access pattern                                          |
 * | ------------------ | ------------- | ------- | ------------------------------------------------------- |
 * | adjustment factors | ADJ#<SYMBOL>  | FACTORS | get one (every adjusted read); replaced by the worker   |
 *
 * One item per symbol holding only the points where the factor changes (an ex-date, a split): a few per year, so
 * decades of history stay far below DynamoDB's 400 KB item limit. Bars are never rewritten for an adjustment: a
 * new ex-date replaces this item and bumps `rev`, and readers (functions/common/adjust.ts) adjust at read time,
 * with `rev` in their cache keys.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll } from './batch.js';

/** From `date` (UTC midnight of the exchange's trading date, epoch ms) on, prices are multiplied by `factor`. */
export interface FactorPoint {
  date: number;
  factor: number;
}

export interface AdjustmentRecord {
  symbol: string;
  /** The provider that published the factors. */
  source: string;
  /** Ascending by date; consecutive factors differ. */
  factors: FactorPoint[];
  /** Bumped whenever `factors` change: part of every cache key over adjusted data. */
  rev: number;
  /** Last time the provider was asked (epoch ms), changed or not. */
  checkedAt: number;
}

/** Keeps the first point of every run of equal factors (providers such as Tushare send one point per day). */
export function changePoints(points: readonly FactorPoint[]): FactorPoint[] {
  const sorted = [...points].sort((a, b) => a.date - b.date);
  const out: FactorPoint[] = [];
  for (const p of sorted) if (out.length === 0 || out.at(-1)!.factor !== p.factor) out.push(p);
  return out;
}

const sameFactors = (a: readonly FactorPoint[], b: readonly FactorPoint[]) =>
  a.length === b.length && a.every((p, i) => p.date === b[i]!.date && p.factor === b[i]!.factor);

export class AdjustmentRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private key(symbol: string) {
    return { pk: `ADJ#${symbol}`, sk: 'FACTORS' };
  }

  async get(symbol: string): Promise<AdjustmentRecord | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: this.key(symbol) }));
    if (!r.Item) return undefined;
    const it = r.Item as { source: string; f: Array<[number, number]>; rev: number; checkedAt: number };
    return {
      symbol,
      source: it.source,
      factors: it.f.map(([date, factor]) => ({ date, factor })),
      rev: it.rev,
      checkedAt: it.checkedAt,
    };
  }

  /**
   * Stores the provider's current factors; `changed` when they differ from what was stored (rev bumped), so the
   * caller knows to drop cached adjusted data. The same factors only move `checkedAt`.
   */
  async save(
    symbol: string,
    source: string,
    points: readonly FactorPoint[],
    now: number,
  ): Promise<{ record: AdjustmentRecord; changed: boolean }> {
    const factors = changePoints(points);
    const old = await this.get(symbol);
    const changed = !old || old.source !== source || !sameFactors(old.factors, factors);
    const record: AdjustmentRecord = {
      symbol,
      source,
      factors,
      rev: (old?.rev ?? 0) + (changed ? 1 : 0),
      checkedAt: now,
    };
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...this.key(symbol),
          source,
          f: factors.map((p) => [p.date, p.factor]),
          rev: record.rev,
          checkedAt: now,
        },
      }),
    );
    return { record, changed };
  }

  /** Removes the symbol's factors (DELETE /symbols?purge=true), through the batch writer the purge uses anyway. */
  async deleteForSymbol(symbol: string): Promise<number> {
    const had = (await this.get(symbol)) !== undefined;
    if (had) await batchWriteAll(this.doc, this.table, [{ DeleteRequest: { Key: this.key(symbol) } }]);
    return had ? 1 : 0;
  }
}
