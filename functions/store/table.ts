/**
 * The one DynamoDB table. Generic string keys `pk`/`sk` so K-lines and the small entities share it (single-table
 * design: one set of IAM grants, alarms and backups). The CDK stack and the local runtime both create the table
 * from these names; `ttl` is the TimeToLive attribute (jobs and archived intraday buckets expire through it).
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk', ttlAttribute: 'ttl' } as const;

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
