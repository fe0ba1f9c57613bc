/**
 * Buy/sell point alert de-duplication: `ALERT#<SYMBOL>#<interval> / <level>#<signalId>#<stage>`, one item per
 * alert that went out or is going out, so a retried ingest message publishes each alert once
 * (functions/alerts/signal-alerts.ts explains the protocol). One partition per series: a handful of alerts a day.
 * Items expire through the table's TTL.
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AlertKey, SignalDedupe } from '../alerts/signal-alerts.js';
import { isConditionFailure, TABLE_KEYS } from './table.js';
import { updateExpression } from './update-expression.js';

/** The item key of one alert stage. */
export function dedupeKey(k: AlertKey) {
  return { pk: `ALERT#${k.symbol}#${k.interval}`, sk: `${k.level}#${k.signalId}#${k.stage}` };
}

const STATUS = { '#st': 'status' };

export class AlertDedupeRepository implements SignalDedupe {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async wasSent(k: AlertKey): Promise<boolean> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: dedupeKey(k), ConsistentRead: true }));
    return r.Item?.status === 'sent';
  }

  async claim(k: AlertKey, at: number, leaseMs: number, expiresAt: number): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...dedupeKey(k),
            status: 'pending',
            leaseUntil: at + leaseMs,
            claimedAt: at,
            [TABLE_KEYS.ttlAttribute]: expiresAt,
          },
          // New, or a stale claim of a run that died before marking it sent.
          ConditionExpression: 'attribute_not_exists(pk) OR (#st = :pending AND leaseUntil < :now)',
          ExpressionAttributeNames: STATUS,
          ExpressionAttributeValues: { ':pending': 'pending', ':now': at },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  async release(k: AlertKey, claimedAt: number): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: dedupeKey(k),
        ...updateExpression({
          set: { leaseUntil: 0 },
          condition: {
            expression: '#st = :pending AND claimedAt = :t',
            names: STATUS,
            values: { ':pending': 'pending', ':t': claimedAt },
          },
        }),
      }),
    );
  }

  async markSent(k: AlertKey, sentAt: string, messageId: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: dedupeKey(k),
        ...updateExpression({ set: { status: 'sent', sentAt, messageId }, remove: ['leaseUntil'] }),
      }),
    );
  }
}
