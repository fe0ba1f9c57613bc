/**
 * The one DynamoDB table. Generic string keys `pk`/`sk` so K-lines and the small entities share it (single-table
 * design: one set of IAM grants, alarms and backups). The CDK stack and the local runtime both create the table
 * from these names. `expiresAt` (epoch SECONDS) is the TimeToLive attribute: jobs, backfill index items,
 * signal-alert dedupe items and the K-lines of intervals with a retention (functions/store/retention.ts) expire
 * through it. lib/data.ts deploys the table's TTL from this same constant
 * (TTL_ATTRIBUTE), so the runtime and the stack cannot name different attributes.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk', ttlAttribute: 'expiresAt' } as const;

export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' },
      { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
    ],
  };
}

/** DynamoDB TTL value (epoch seconds) `days` after `fromMs` (epoch ms). */
export const expiresAfterDays = (days: number, fromMs = Date.now()): number =>
  Math.floor(fromMs / 1000) + Math.round(days * 86_400);

/** A write's ConditionExpression did not hold (a compare-and-set lost, an item already there). */
export const isConditionFailure = (e: unknown): boolean =>
  (e as Error | undefined)?.name === 'ConditionalCheckFailedException';
