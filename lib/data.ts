/**
 * Data: the one DynamoDB table holding K-lines and every other entity (tracked symbols, ingestion checkpoints,
 * latest analysis, jobs), keyed by the runtime's access patterns (README "Data model").
 *
 * - pk (string) = symbol#interval#bucket for K-lines; the bucket size grows with the interval so no partition
 *   grows without bound. sk (string) = bar open time, fixed-width so lexical order is time order. Other entities
 *   use their own pk prefixes in the same table (single-table design: one PITR, one set of alarms, one grant).
 * - On-demand billing: ingestion is bursty (backfills) and reads follow users; no capacity to tune or alarm on.
 * - PITR: 35 days of restore points; the only backup the predecessor's "compression and archiving" needs here.
 * - TTL on `expiresAt` (epoch seconds, TABLE_KEYS.ttlAttribute): the runtime sets it on jobs, backfill index
 *   items and alert dedupe items (and may on old intraday buckets, the form the predecessor's archival of
 *   history takes). Items without it live forever.
 * - RETAIN + deletion protection in prod: deleting the stack must never delete market history.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_KEYS } from '../functions/store/table.js';
import type { ChanConfig } from './config.js';

/**
 * Attribute the runtime writes (epoch seconds) on items DynamoDB may delete: the store's own constant
 * (functions/store/table.ts TABLE_KEYS.ttlAttribute), so stack and runtime always agree.
 */
export const TTL_ATTRIBUTE: string = TABLE_KEYS.ttlAttribute;

export interface DataProps {
  readonly config: ChanConfig;
}

export class Data extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    const { production } = props.config;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      removalPolicy: production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      deletionProtection: production,
    });
  }
}
