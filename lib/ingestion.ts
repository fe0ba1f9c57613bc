/**
 * Ingestion: EventBridge schedules (one per interval family) → dispatcher Lambda → SQS (+ DLQ) → worker Lambda.
 *
 *   rule minute  (rate 1 min)        ─┐
 *   rule quarter (cron :01,:16,…)    ─┼─► Dispatcher ─► IngestQueue ─► Worker (batch 10, ReportBatchItemFailures)
 *   rule daily   (cron hourly at :02) ─┘                    │ after 5 receives
 *                                                           └────────► IngestDLQ (14 days, alarm)
 *
 * - Visibility timeout = 6 × the worker's timeout (AWS guidance for Lambda event sources), so a message is never
 *   redelivered while an invocation may still be working on it.
 * - maxReceiveCount 5: a message that fails five times (provider down ~30 min, or a persistent bad row) goes to
 *   the DLQ; rate limits and geo blocks do NOT burn receives (the worker records a backoff and acks).
 * - maxConcurrency caps parallel workers: all egress leaves through the NAT's one IP, and Binance/Bybit limit
 *   per IP.
 * - The worker sends its own continuation messages (bounded chunks), so it may send to the queue.
 * - Provider "tushare" needs a token: the TushareToken secret (a generated placeholder until an operator puts the
 *   real one: `aws secretsmanager put-secret-value --secret-id <TushareTokenArn> --secret-string <token>`), read
 *   at run time by the worker (TUSHARE_TOKEN_ARN, functions/common/secrets.ts). Tushare refuses the placeholder,
 *   so such series halt with "Tushare rejected the token" until then.
 *
 * Wire in ChanStack with one line: `new Ingestion(this, 'Ingestion', this.platform);`
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAMILY_TICKS, INTERVAL_FAMILIES, type IntervalFamily } from '../functions/ingest/intervals.js';
import { MAX_RECEIVE_COUNT } from '../functions/ingest/messages.js';
import { ServiceFunction, type FunctionDefaults } from './service-function.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** When each family's rule fires (FAMILY_TICKS: the local runtime's timers fire at the same minutes). */
export const FAMILY_SCHEDULES = Object.fromEntries(
  Object.entries(FAMILY_TICKS).map(([family, { everyMinutes, atMinute }]) => [
    family,
    everyMinutes === 1
      ? events.Schedule.rate(Duration.minutes(1))
      : events.Schedule.cron({ minute: everyMinutes === 60 ? String(atMinute) : `${atMinute}/${everyMinutes}` }),
  ]),
) as Record<IntervalFamily, events.Schedule>;

export const WORKER_TIMEOUT = Duration.minutes(2);
export { MAX_RECEIVE_COUNT };

export interface IngestionProps {
  readonly data: { readonly table: dynamodb.ITable };
  readonly functionDefaults: FunctionDefaults;
  /** Provider base URLs (defaults: the providers' public hosts). */
  readonly providerBaseUrls?: { binance?: string; bybit?: string };
  /** Parallel worker invocations (SQS event source maxConcurrency, ≥ 2). */
  readonly maxWorkerConcurrency?: number;
}

export class Ingestion extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly dispatcher: ServiceFunction;
  readonly worker: ServiceFunction;
  /** The Tushare Pro token (provider "tushare"); the worker reads it at run time. */
  readonly tushareToken: secretsmanager.Secret;
  readonly rules: Record<IntervalFamily, events.Rule>;
  /** Messages waiting in the DLQ (≥ 1 for 5 minutes): for the monitoring construct to route to SNS. */

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);
    const defaults = props.functionDefaults;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue IS the dead-letter queue of the ingest queue; a DLQ of a DLQ would only move the same messages.',
    });

    this.queue = new sqs.Queue(this, 'Queue', {
      visibilityTimeout: Duration.seconds(WORKER_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    const env = {
      INGEST_QUEUE_URL: this.queue.queueUrl,
      ...(props.providerBaseUrls?.binance ? { BINANCE_BASE_URL: props.providerBaseUrls.binance } : {}),
      ...(props.providerBaseUrls?.bybit ? { BYBIT_BASE_URL: props.providerBaseUrls.bybit } : {}),
    };

    this.worker = new ServiceFunction(this, 'Worker', {
      defaults,
      entry: join(ROOT, 'functions/ingest/worker-handler.ts'),
      description: 'Ingest worker: fetch bars from the checkpoint, upsert, advance, refresh analysis',
      memorySize: 1024,
      timeout: WORKER_TIMEOUT,
      environment: env,
      // Upserts bars through the cached series service (invalidates what it changes).
      usesCache: true,
    });
    this.worker.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: props.maxWorkerConcurrency ?? 5,
      }),
    );

    this.tushareToken = new secretsmanager.Secret(this, 'TushareToken', {
      description:
        'Tushare Pro token for provider "tushare" (a placeholder until you put yours with put-secret-value; read at run time by the ingest worker)',
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.tushareToken).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'A third-party API token: it is rotated on tushare.pro and put here by hand; the worker uses a new value within 5 minutes.',
    });
    this.worker.function.addEnvironment('TUSHARE_TOKEN_ARN', this.tushareToken.secretArn);
    this.tushareToken.grantRead(this.worker);

    this.dispatcher = new ServiceFunction(this, 'Dispatcher', {
      defaults,
      entry: join(ROOT, 'functions/ingest/dispatch-handler.ts'),
      description: 'Ingest dispatcher: which tracked series are due, queue them',
      memorySize: 256,
      timeout: Duration.seconds(30),
      environment: env,
      // Reads symbols and checkpoints from the table only.
      usesCache: false,
    });

    // Grants: both read/write the table (checkpoints, jobs, bars); both send to the queue (dispatch,
    // continuations); the event source mapping grants the worker receive/delete.
    props.data.table.grantReadWriteData(this.worker);
    props.data.table.grantReadWriteData(this.dispatcher);
    this.queue.grantSendMessages(this.worker);
    this.queue.grantSendMessages(this.dispatcher);

    const rules = {} as Record<IntervalFamily, events.Rule>;
    for (const family of Object.keys(INTERVAL_FAMILIES) as IntervalFamily[]) {
      rules[family] = new events.Rule(this, `Schedule-${family}`, {
        description: `Ingestion tick for ${INTERVAL_FAMILIES[family].intervals.join(', ')} bars`,
        schedule: FAMILY_SCHEDULES[family],
        targets: [
          new targets.LambdaFunction(this.dispatcher.function, {
            // The scheduled event, with the family the dispatcher should look at.
            event: events.RuleTargetInput.fromObject({
              version: '0',
              id: events.EventField.eventId,
              'detail-type': events.EventField.detailType,
              source: events.EventField.source,
              account: events.EventField.account,
              time: events.EventField.time,
              region: events.EventField.region,
              detail: { family },
            }),
            // A missed tick is covered by the next one: do not pile up stale invocations.
            retryAttempts: 2,
            maxEventAge: Duration.minutes(Math.max(2, INTERVAL_FAMILIES[family].rateMinutes)),
          }),
        ],
      });
    }
    this.rules = rules;
  }
}
