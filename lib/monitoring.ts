/**
 * Monitoring: the predecessor's three alert tiers (critical / warning / info) as CloudWatch alarms on three SNS
 * topics, a dashboard of the same signals, a notifier Lambda that forwards every alarm and recovery to chat
 * webhooks, and the signal topic that buy/sell point alerts are published to.
 *
 * Everything is built on cdk-monitoring-constructs' MonitoringFacade: AWS resource alarms come from its
 * per-resource `monitor*` methods, custom metrics from `monitorCustom` with metrics taken from the metric catalogue
 * (functions/common/metrics-catalog.ts), so no alarm or widget is hand-written twice and an alarm cannot name a
 * metric or dimension set the handlers do not publish. Every alarm sends ALARM and OK to its tier's topic.
 *
 * Each input is optional: the construct alarms on whatever the stack has (functions, table, queues and their
 * DLQs, state machines), so it can be added before ingestion and jobs exist and grows with them.
 *
 * Thresholds: MonitoringConfig below, defaults overridable from CDK context `monitoring` (cdk.json or
 * `-c monitoring='{"warning":{"latencyP99Ms":3000}}'`), validated at synth.
 */
import { fileURLToPath } from 'node:url';
import { Annotations, ArnFormat, Duration, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import {
  AxisPosition,
  DefaultDashboardFactory,
  MonitoringFacade,
  SnsAlarmActionStrategy,
  type AlarmWithAnnotation,
  type CustomAlarmThreshold,
  type CustomMetric,
  type CustomMetricGroup,
  type CustomMetricWithAlarm,
  type IAlarmConsumer,
} from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import * as z from '../functions/common/zod.js';
import {
  METRIC_CATALOG,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  routeKey,
  type MetricName,
} from '../functions/common/metrics-catalog.js';
import { API_PREFIX, ROUTES } from '../functions/routes.js';
import { ServiceFunction, type FunctionDefaults } from './service-function.js';

// ------------------------------------------------------------------------------------------------- config

export const TIERS = ['critical', 'warning', 'info'] as const;
export type Tier = (typeof TIERS)[number];

const rate = z.number().check(z.gt(0), z.lt(1));
const positive = z.number().check(z.positive());
const count = z.number().check(z.int(), z.nonnegative());

export const MonitoringConfigSchema = z.object({
  critical: z.prefault(
    z.object({
      /** API unavailable: share of 5xx responses (API Gateway 5XXError average), 3 consecutive minutes. */
      api5xxRate: z._default(rate, 0.05),
      /** Health check failing: this many consecutive minutes of failed (or missing) probes. */
      healthFailedMinutes: z._default(z.number().check(z.int(), z.gte(1), z.lte(60)), 3),
      /** DynamoDB SystemErrors per 5 minutes (the SDK retries single ones). */
      dynamoSystemErrors: z._default(count, 5),
      /** A DLQ holding more than this many messages (0: any message). */
      dlqMessages: z._default(count, 0),
      /** Ingestion stopped: IngestionLag (seconds overdue) above this for 2 × 5 minutes, or no dispatcher. */
      ingestionLagSeconds: z._default(positive, 1800),
    }),
    {},
  ),
  warning: z.prefault(
    z.object({
      /** p95 / p99 handler latency of the key routes, 3 × 5 minutes. */
      latencyP95Ms: z._default(positive, 1500),
      latencyP99Ms: z._default(positive, 5000),
      /** Route keys ("GET /api/v1/klines/{symbol}") with latency alarms. */
      keyRoutes: z._default(z.array(z.string()).check(z.minLength(1)), [
        `GET ${API_PREFIX}/klines/{symbol}`,
        `GET ${API_PREFIX}/analysis/{symbol}`,
        `POST ${API_PREFIX}/analysis`,
      ]),
      /** 4xx/5xx rates rising (API Gateway averages), 3 × 5 minutes. */
      api4xxRate: z._default(rate, 0.1),
      api5xxRate: z._default(rate, 0.01),
      /** Lambda errors / throttles per function per 5 minutes. */
      lambdaErrors: z._default(count, 5),
      lambdaThrottles: z._default(count, 0),
      /** DynamoDB read or write throttled events per 5 minutes. */
      dynamoThrottledEvents: z._default(count, 10),
      /** Failed (or timed-out/aborted: ExecutionsFailed) workflow executions per 5 minutes. */
      failedExecutions: z._default(count, 0),
      /** Market-data provider errors per 5 minutes (after the worker's own retries). */
      providerErrors: z._default(count, 20),
    }),
    {},
  ),
  info: z.prefault(
    z.object({
      /** Cache hit rate below this over 3 × 15 minutes (only periods with at least cacheMinLookups lookups). */
      cacheHitRate: z._default(rate, 0.5),
      cacheMinLookups: z._default(z.number().check(z.int(), z.gte(1)), 50),
      /** Account concurrency (ClaimedAccountConcurrency) above this share of the account limit. */
      concurrencyUtilization: z._default(rate, 0.8),
      accountConcurrencyLimit: z._default(z.number().check(z.int(), z.gte(10)), 1000),
    }),
    {},
  ),
  /** Alarm topics the alarmEmail address is subscribed to (e-mail does not depend on the notifier). */
  emailTiers: z._default(z.array(z.enum(TIERS)), ['critical', 'warning']),
  /** Health probe interval (the scheduled invocation of the health function that feeds HealthCheckOk). */
  healthProbeMinutes: z._default(z.number().check(z.int(), z.gte(1), z.lte(5)), 1),
});

export type MonitoringConfig = z.output<typeof MonitoringConfigSchema>;

/** Parses the `monitoring` context value (object or JSON string); errors name the key. */
export function loadMonitoringConfig(raw: unknown): MonitoringConfig {
  let value = raw ?? {};
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new Error(`context "monitoring" must be a JSON object, got ${value}`);
    }
  }
  const r = MonitoringConfigSchema.safeParse(value);
  if (!r.success) {
    throw new Error(
      `Invalid context "monitoring":\n  - ${r.error.issues.map((i) => `monitoring.${i.path.join('.')}: ${i.message}`).join('\n  - ')}`,
    );
  }
  const known = new Set(ROUTES.map(routeKey));
  const unknown = r.data.warning.keyRoutes.filter((k) => !known.has(k));
  if (unknown.length)
    throw new Error(`monitoring.warning.keyRoutes: not in functions/routes.ts: ${unknown.join(', ')}`);
  return r.data;
}

// -------------------------------------------------------------------------------------------------- props

export interface QueueWithDlq {
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
}

export interface MonitoringProps {
  /** Alarm and dashboard name prefix part (e.g. the stage: "chan-analysis-prod-critical-api-5xx-rate"). */
  readonly stage: string;
  /** Builds the notifier like every other function of the service. */
  readonly functionDefaults: FunctionDefaults;
  /** Defaults to CDK context `monitoring`. */
  readonly config?: MonitoringConfig;
  /** Subscribed (e-mail) to the config's emailTiers; confirm the subscription mail once. */
  readonly alarmEmail?: string;
  readonly api?: apigw.IRestApi;
  /** API stage name (API Gateway metrics are per stage). */
  readonly apiStage?: string;
  /** Functions whose errors and throttles alarm (warning), by a short name used in alarm names. */
  readonly functions?: Readonly<Record<string, lambda.IFunction>>;
  /** The health function: invoked every healthProbeMinutes by a schedule; its HealthCheckOk feeds the alarm. */
  readonly healthFunction?: lambda.IFunction;
  readonly table?: dynamodb.ITable;
  /** Work queues with their DLQs (queue backlog on the dashboard, DLQ-not-empty alarms critical). */
  readonly queues?: Readonly<Record<string, QueueWithDlq>>;
  /** Stand-alone DLQs (e.g. Lambda async or EventBridge target DLQs): any message is critical. */
  readonly deadLetterQueues?: Readonly<Record<string, sqs.IQueue>>;
  readonly stateMachines?: Readonly<Record<string, sfn.IStateMachine>>;
  /** Ingestion deployed: enables the ingestion-lag (critical) and provider-error (warning) alarms. */
  readonly ingestion?: boolean;
  /**
   * Customer managed key for the four topics (SSE). Default: none (unencrypted; see the SNS2 acknowledgement).
   * When given, its key policy gets the grant CloudWatch needs to publish alarms to the encrypted topics.
   */
  readonly topicKey?: kms.IKey;
  /** Existing secret holding the webhook list; a new one (value "[]") is created when absent. */
  readonly webhooksSecret?: secretsmanager.ISecret;
}

/** One alarm this construct created: what the tests and the README enumerate. */
export interface AlarmRecord {
  readonly name: string;
  readonly tier: Tier;
  readonly alarm: cloudwatch.AlarmBase;
}

// --------------------------------------------------------------------------------------------- construct

/** A catalogued custom metric, with exactly its catalogued dimensions (the only way alarms name one). */
function catalogMetric(
  name: MetricName,
  statistic: string,
  period: Duration,
  dims: Partial<Record<'route', string>> = {},
  label?: string,
): cloudwatch.Metric {
  const def = METRIC_CATALOG[name];
  const dimensionsMap: Record<string, string> = { service: METRICS_SERVICE };
  for (const d of def.dimensions) {
    if (d === 'service') continue;
    const v = dims[d];
    if (v === undefined) throw new Error(`metric ${name} needs dimension ${d}`);
    dimensionsMap[d] = v;
  }
  for (const d of Object.keys(dims)) {
    if (!(def.dimensions as readonly string[]).includes(d)) throw new Error(`metric ${name} has no dimension ${d}`);
  }
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap,
    statistic,
    period,
    label: label ?? name,
  });
}

/** A dashboard-only metric drawn on the right axis (counts next to latencies or rates). */
const rightAxis = (metric: cloudwatch.IMetric, name: string): CustomMetricWithAlarm => ({
  metric: metric as cloudwatch.Metric,
  alarmFriendlyName: name,
  addAlarm: {},
  position: AxisPosition.RIGHT,
});

const slug = (s: string) =>
  s
    .replace(API_PREFIX, '')
    .replace(/[{}]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();

export class Monitoring extends Construct {
  readonly config: MonitoringConfig;
  readonly topics: Readonly<Record<Tier, sns.Topic>>;
  /** Buy/sell point alerts (functions/alerts): grant publish to the ingest worker, pass its ARN as SIGNAL_TOPIC_ARN. */
  readonly signalTopic: sns.Topic;
  readonly notifier: ServiceFunction;
  /** Notifications the notifier could not deliver after all retries (and SNS → Lambda failures). */
  readonly notifierDeadLetterQueue: sqs.Queue;
  readonly webhooksSecret: secretsmanager.ISecret;
  readonly facade: MonitoringFacade;
  readonly alarms: AlarmRecord[] = [];

  private readonly prefix: string;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.config = props.config ?? loadMonitoringConfig(this.node.tryGetContext('monitoring'));
    const cfg = this.config;
    this.prefix = `chan-analysis-${props.stage}`;

    // ---------------------------------------------------------------- topics
    const topic = (name: string, displayName: string) => {
      const t = new sns.Topic(this, `${name}Topic`, { displayName, enforceSSL: true, masterKey: props.topicKey });
      if (!props.topicKey) {
        // SSE: CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key, and the
        // payloads (alarm names, thresholds, public market signals) are not sensitive enough for a customer key.
        Validations.of(t).acknowledge({
          id: 'AwsSolutions-SNS2',
          reason:
            'CloudWatch alarm actions cannot use the AWS-managed SNS key; alarm and signal payloads hold no sensitive data.',
        });
      }
      return t;
    };
    this.topics = {
      critical: topic('Critical', 'Chan analysis: critical alarms (严重)'),
      warning: topic('Warning', 'Chan analysis: warning alarms (警告)'),
      info: topic('Info', 'Chan analysis: info alarms (提示)'),
    };
    this.signalTopic = topic('Signal', 'Chan analysis: buy/sell point alerts (买卖点)');
    for (const t of Object.values(this.topics)) this.allowAlarmPublish(t);
    if (props.topicKey) this.allowAlarmEncryption(props.topicKey);
    if (props.alarmEmail) {
      for (const t of cfg.emailTiers)
        this.topics[t].addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }

    // ---------------------------------------------------------------- notifier
    this.notifierDeadLetterQueue = new sqs.Queue(this, 'NotifierDlq', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.notifierDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue (Lambda on-failure destination and SNS subscription DLQ).',
    });

    this.webhooksSecret =
      props.webhooksSecret ??
      new secretsmanager.Secret(this, 'Webhooks', {
        description:
          'Chan analysis notifier webhooks: JSON list of {name, type: slack|feishu|dingtalk|wecom, url, secret?, tiers?, signals?}',
        // A placeholder, not a secret: the operator puts the real list (README "Connect a webhook").
        secretStringValue: SecretValue.unsafePlainText('[]'),
      });
    if (!props.webhooksSecret) {
      Validations.of(this.webhooksSecret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Webhook URLs and signing secrets are issued by the chat platforms; they cannot be rotated by a Lambda.',
      });
    }

    this.notifier = new ServiceFunction(this, 'Notifier', {
      defaults: props.functionDefaults,
      entry: fileURLToPath(new URL('../functions/notifier/handler.ts', import.meta.url)),
      description:
        'Chan analysis notifier: alarms and buy/sell point alerts to Slack / Feishu / DingTalk / WeCom webhooks',
      memorySize: 256,
      // Several webhooks × 4 attempts × 5 s timeout with backoff fit well inside a minute.
      timeout: Duration.seconds(60),
      // Talks only to chat webhooks and Secrets Manager: outside the VPC, so delivery does not depend on the NAT.
      usesCache: false,
      environment: {
        CRITICAL_TOPIC_ARN: this.topics.critical.topicArn,
        WARNING_TOPIC_ARN: this.topics.warning.topicArn,
        INFO_TOPIC_ARN: this.topics.info.topicArn,
        SIGNAL_TOPIC_ARN: this.signalTopic.topicArn,
        WEBHOOKS_SECRET_ARN: this.webhooksSecret.secretArn,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
    });
    this.webhooksSecret.grantRead(this.notifier);
    // SNS invokes asynchronously: a failed invocation is retried twice by Lambda, then kept in the DLQ.
    this.notifier.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new destinations.SqsDestination(this.notifierDeadLetterQueue),
    });
    for (const t of [...Object.values(this.topics), this.signalTopic]) {
      // The subscription DLQ keeps messages SNS could not hand to Lambda at all (throttling, permissions).
      t.addSubscription(
        new subscriptions.LambdaSubscription(this.notifier.function, { deadLetterQueue: this.notifierDeadLetterQueue }),
      );
    }

    // ---------------------------------------------------------------- facade
    this.facade = new MonitoringFacade(this, 'Facade', {
      alarmFactoryDefaults: {
        alarmNamePrefix: this.prefix,
        actionsEnabled: true,
        datapointsToAlarm: 3,
        evaluationPeriods: 3,
      },
      metricFactoryDefaults: {},
      dashboardFactory: new DefaultDashboardFactory(this, 'Dashboards', {
        dashboardNamePrefix: this.prefix,
        createDashboard: true,
        createSummaryDashboard: true,
        createAlarmDashboard: true,
      }),
    });

    this.monitorApi(props);
    this.monitorHealth(props);
    this.monitorTable(props);
    this.monitorQueues(props);
    this.monitorFunctions(props);
    this.monitorStateMachines(props);
    this.monitorCustomMetrics(props);
    this.monitorConcurrency();
  }

  // ---------------------------------------------------------------------------------------------- helpers

  /** Alarm options of one tier: a stable name, ALARM and OK to the tier's topic, and a record for the README. */
  private tier<T extends object>(tier: Tier, name: string, extra: T): CustomAlarmThreshold & T {
    const topic = this.topics[tier];
    return {
      alarmNameOverride: `${this.prefix}-${tier}-${name}`,
      actionOverride: new SnsAlarmActionStrategy({ onAlarmTopic: topic, onOkTopic: topic }),
      customTags: [tier, name],
      ...extra,
    };
  }

  /**
   * Lets this account's CloudWatch alarms publish to an alarm topic. `enforceSSL` gives the topic a topic policy,
   * and a topic policy REPLACES SNS's default one, so without this statement nothing allows
   * cloudwatch.amazonaws.com to publish and every alarm action fails ("not authorized to perform SNS:Publish").
   * Scoped against the confused deputy: only alarms (aws:SourceArn) of this account (aws:SourceAccount) and region.
   * The signal topic needs no such statement: only the ingest worker publishes there, through its role.
   */
  private allowAlarmPublish(topic: sns.Topic): void {
    const stack = Stack.of(this);
    const alarmArns = stack.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': alarmArns },
        },
      }),
    );
  }

  /**
   * Encrypted topics also need the key: CloudWatch generates the data key for the message it publishes. The
   * statement is AWS's documented one for alarms to SSE topics (CloudWatch is not documented to pass aws:SourceArn
   * to KMS, so a condition on it could silently break every alarm); the key encrypts only these topics.
   */
  private allowAlarmEncryption(key: kms.IKey): void {
    const added = key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToEncryptedTopics',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    if (!added.statementAdded) {
      Annotations.of(this).addWarningV2(
        'chan:topicKeyPolicy',
        'topicKey is imported: add kms:Decrypt and kms:GenerateDataKey* for cloudwatch.amazonaws.com to its key policy, or alarms cannot publish.',
      );
    }
  }

  /** Collects the alarms a monitor* call created (cdk-monitoring's useCreatedAlarms hook). */
  private readonly collect: IAlarmConsumer = {
    consume: (alarms: AlarmWithAnnotation[]) => {
      for (const a of alarms) {
        const tier = (a.customTags?.[0] ?? 'critical') as Tier;
        this.alarms.push({ name: a.alarmName, tier, alarm: a.alarm });
      }
    },
  };

  private monitorApi(props: MonitoringProps): void {
    if (!props.api) return;
    const cfg = this.config;
    this.facade.monitorApiGateway({
      api: props.api,
      apiStage: props.apiStage ?? 'prod',
      alarmFriendlyName: 'api',
      humanReadableName: 'API Gateway (all routes)',
      add5XXFaultRateAlarm: {
        Critical: this.tier('critical', 'api-5xx-rate', {
          maxErrorRate: cfg.critical.api5xxRate,
          period: Duration.minutes(1),
          alarmDescriptionOverride: `API unavailable: more than ${cfg.critical.api5xxRate * 100}% of requests answered 5xx for 3 consecutive minutes.`,
        }),
        Warning: this.tier('warning', 'api-5xx-rate', {
          maxErrorRate: cfg.warning.api5xxRate,
          period: Duration.minutes(5),
          alarmDescriptionOverride: `5xx rate rising: above ${cfg.warning.api5xxRate * 100}% for 3 × 5 minutes.`,
        }),
      },
      add4XXErrorRateAlarm: {
        Warning: this.tier('warning', 'api-4xx-rate', {
          maxErrorRate: cfg.warning.api4xxRate,
          period: Duration.minutes(5),
          alarmDescriptionOverride: `4xx rate rising (bad requests, missing API keys, throttling): above ${cfg.warning.api4xxRate * 100}% for 3 × 5 minutes.`,
        }),
      },
      useCreatedAlarms: this.collect,
    });
  }

  private monitorHealth(props: MonitoringProps): void {
    if (!props.healthFunction) return;
    const cfg = this.config;
    // The probe: a schedule invokes the health function with the same API Gateway proxy event GET /health
    // brings, so it runs exactly the code path users hit; the handler emits HealthCheckOk (1 healthy, 0 not).
    new events.Rule(this, 'HealthProbe', {
      description: 'Chan analysis: health probe (feeds the HealthCheckOk metric behind the critical health alarm)',
      schedule: events.Schedule.rate(Duration.minutes(cfg.healthProbeMinutes)),
      targets: [
        new targets.LambdaFunction(props.healthFunction, {
          event: events.RuleTargetInput.fromObject(healthProbeEvent()),
          retryAttempts: 0, // a failed probe is a data point (missing = breaching), not something to retry
        }),
      ],
    });
    const minutes = cfg.critical.healthFailedMinutes;
    this.facade.monitorCustom({
      alarmFriendlyName: 'health',
      humanReadableName: 'Health check (scheduled probe of /health)',
      metricGroups: [
        {
          title: 'Health check OK (1 = healthy)',
          metrics: [
            {
              metric: catalogMetric('HealthCheckOk', 'Minimum', Duration.minutes(1)),
              alarmFriendlyName: 'HealthCheck',
              addAlarm: {
                Critical: {
                  ...this.tier('critical', 'health-check', {
                    datapointsToAlarm: minutes,
                    evaluationPeriods: minutes,
                    // No probe result at all (function failing before it can emit, schedule broken) is a failure.
                    treatMissingDataOverride: cloudwatch.TreatMissingData.BREACHING,
                    alarmDescriptionOverride: `Health check failing: /health unhealthy (503) or not answering for ${minutes} consecutive minutes.`,
                  }),
                  threshold: 1,
                  comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
                },
              },
            },
          ],
        },
      ],
      useCreatedAlarms: this.collect,
    });
  }

  private monitorTable(props: MonitoringProps): void {
    if (!props.table) return;
    const cfg = this.config;
    const five = { period: Duration.minutes(5), datapointsToAlarm: 1, evaluationPeriods: 1 };
    this.facade.monitorDynamoTable({
      table: props.table,
      alarmFriendlyName: 'table',
      humanReadableName: 'DynamoDB table',
      addSystemErrorCountAlarm: {
        Critical: this.tier('critical', 'dynamodb-system-errors', {
          ...five,
          maxErrorCount: cfg.critical.dynamoSystemErrors,
          alarmDescriptionOverride: `DynamoDB system errors (HTTP 500 from DynamoDB): more than ${cfg.critical.dynamoSystemErrors} in 5 minutes.`,
        }),
      },
      addReadThrottledEventsCountAlarm: {
        Warning: this.tier('warning', 'dynamodb-read-throttles', {
          ...five,
          maxThrottledEventsThreshold: cfg.warning.dynamoThrottledEvents,
          alarmDescriptionOverride: `DynamoDB read throttling: more than ${cfg.warning.dynamoThrottledEvents} throttled reads in 5 minutes (hot partition?).`,
        }),
      },
      addWriteThrottledEventsCountAlarm: {
        Warning: this.tier('warning', 'dynamodb-write-throttles', {
          ...five,
          maxThrottledEventsThreshold: cfg.warning.dynamoThrottledEvents,
          alarmDescriptionOverride: `DynamoDB write throttling: more than ${cfg.warning.dynamoThrottledEvents} throttled writes in 5 minutes (backfill too fast?).`,
        }),
      },
      useCreatedAlarms: this.collect,
    });
  }

  private dlqAlarm(name: string) {
    const cfg = this.config;
    return {
      Critical: this.tier('critical', `dlq-${slug(name)}`, {
        maxMessageCount: cfg.critical.dlqMessages,
        period: Duration.minutes(1),
        datapointsToAlarm: 1,
        evaluationPeriods: 1,
        alarmDescriptionOverride: `Dead-letter queue "${name}" is not empty: messages failed every retry and wait for someone to look and redrive.`,
      }),
    };
  }

  private monitorQueues(props: MonitoringProps): void {
    const all: Record<string, sqs.IQueue> = {
      notifier: this.notifierDeadLetterQueue,
      ...(props.deadLetterQueues ?? {}),
    };
    for (const [name, q] of Object.entries(props.queues ?? {})) {
      this.facade.monitorSqsQueueWithDlq({
        queue: q.queue,
        deadLetterQueue: q.deadLetterQueue,
        alarmFriendlyName: `queue-${slug(name)}`,
        humanReadableName: `Queue ${name} (with DLQ)`,
        addDeadLetterQueueMaxSizeAlarm: this.dlqAlarm(name),
        useCreatedAlarms: this.collect,
      });
    }
    for (const [name, q] of Object.entries(all)) {
      this.facade.monitorSqsQueue({
        queue: q,
        alarmFriendlyName: `dlq-${slug(name)}`,
        humanReadableName: `DLQ ${name}`,
        addQueueMaxSizeAlarm: this.dlqAlarm(name),
        useCreatedAlarms: this.collect,
      });
    }
  }

  private monitorFunctions(props: MonitoringProps): void {
    const cfg = this.config;
    const fns: Record<string, lambda.IFunction> = { ...(props.functions ?? {}), notifier: this.notifier.function };
    for (const [name, fn] of Object.entries(fns)) {
      const five = { period: Duration.minutes(5), datapointsToAlarm: 1, evaluationPeriods: 1 };
      this.facade.monitorLambdaFunction({
        lambdaFunction: fn,
        alarmFriendlyName: `fn-${slug(name)}`,
        humanReadableName: `Lambda ${name}`,
        isIterator: false,
        addFaultCountAlarm: {
          Warning: this.tier('warning', `lambda-errors-${slug(name)}`, {
            ...five,
            maxErrorCount: cfg.warning.lambdaErrors,
            alarmDescriptionOverride: `Lambda ${name}: more than ${cfg.warning.lambdaErrors} errors in 5 minutes.`,
          }),
        },
        addThrottlesCountAlarm: {
          Warning: this.tier('warning', `lambda-throttles-${slug(name)}`, {
            ...five,
            maxErrorCount: cfg.warning.lambdaThrottles,
            alarmDescriptionOverride: `Lambda ${name}: more than ${cfg.warning.lambdaThrottles} throttled invocations in 5 minutes (concurrency limit reached).`,
          }),
        },
        useCreatedAlarms: this.collect,
      });
    }
  }

  private monitorStateMachines(props: MonitoringProps): void {
    const cfg = this.config;
    for (const [name, sm] of Object.entries(props.stateMachines ?? {})) {
      this.facade.monitorStepFunction({
        stateMachine: sm,
        alarmFriendlyName: `sfn-${slug(name)}`,
        humanReadableName: `Workflow ${name}`,
        addFailedExecutionCountAlarm: {
          Warning: this.tier('warning', `workflow-failed-${slug(name)}`, {
            maxErrorCount: cfg.warning.failedExecutions,
            period: Duration.minutes(5),
            datapointsToAlarm: 1,
            evaluationPeriods: 1,
            alarmDescriptionOverride: `Workflow ${name}: more than ${cfg.warning.failedExecutions} failed executions in 5 minutes.`,
          }),
        },
        useCreatedAlarms: this.collect,
      });
    }
  }

  private monitorCustomMetrics(props: MonitoringProps): void {
    const cfg = this.config;
    const five = Duration.minutes(5);
    const routes = ROUTES.map(routeKey);

    // Per-route latency and errors (handler-side, from the shared middy stack): all routes on the dashboard,
    // p95/p99 alarms on the key routes.
    const latencyGroups: CustomMetricGroup[] = routes.map((route) => {
      const key = cfg.warning.keyRoutes.includes(route);
      return {
        title: `${route}: latency and errors`,
        metrics: [
          catalogMetric('RouteLatency', 'p50', five, { route }, 'p50'),
          key
            ? {
                metric: catalogMetric('RouteLatency', 'p95', five, { route }, 'p95'),
                alarmFriendlyName: `p95 ${route}`,
                addAlarm: {
                  Warning: {
                    ...this.tier('warning', `latency-p95-${slug(route)}`, {
                      period: five,
                      alarmDescriptionOverride: `${route}: p95 latency above ${cfg.warning.latencyP95Ms} ms for 3 × 5 minutes.`,
                    }),
                    threshold: cfg.warning.latencyP95Ms,
                    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                  },
                },
              }
            : catalogMetric('RouteLatency', 'p95', five, { route }, 'p95'),
          key
            ? {
                metric: catalogMetric('RouteLatency', 'p99', five, { route }, 'p99'),
                alarmFriendlyName: `p99 ${route}`,
                addAlarm: {
                  Warning: {
                    ...this.tier('warning', `latency-p99-${slug(route)}`, {
                      period: five,
                      alarmDescriptionOverride: `${route}: p99 latency above ${cfg.warning.latencyP99Ms} ms for 3 × 5 minutes.`,
                    }),
                    threshold: cfg.warning.latencyP99Ms,
                    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                  },
                },
              }
            : catalogMetric('RouteLatency', 'p99', five, { route }, 'p99'),
          rightAxis(catalogMetric('RouteServerError', 'Sum', five, { route }, '5xx'), `5xx ${route}`),
          rightAxis(catalogMetric('RouteClientError', 'Sum', five, { route }, '4xx'), `4xx ${route}`),
        ] satisfies CustomMetric[],
      };
    });
    this.facade.monitorCustom({
      alarmFriendlyName: 'routes',
      humanReadableName: 'API routes (handler latency, 4xx and 5xx)',
      metricGroups: latencyGroups,
      useCreatedAlarms: this.collect,
    });

    // Cache hit rate (info): FILL so that a period with only hits (no CacheMiss datapoint) still computes, and
    // IF so that quiet periods (fewer lookups than cacheMinLookups) produce no datapoint instead of noise.
    const hits = catalogMetric('CacheHit', 'Sum', Duration.minutes(15));
    const misses = catalogMetric('CacheMiss', 'Sum', Duration.minutes(15));
    const hitRate = new cloudwatch.MathExpression({
      expression: `IF((FILL(h,0)+FILL(m,0)) >= ${cfg.info.cacheMinLookups}, FILL(h,0)/(FILL(h,0)+FILL(m,0)))`,
      usingMetrics: { h: hits, m: misses },
      label: 'Cache hit rate',
      period: Duration.minutes(15),
    });

    const groups: CustomMetricGroup[] = [
      {
        title: 'Cache',
        metrics: [
          {
            metric: hitRate,
            alarmFriendlyName: 'CacheHitRate',
            addAlarm: {
              Info: {
                ...this.tier('info', 'cache-hit-rate', {
                  period: Duration.minutes(15),
                  treatMissingDataOverride: cloudwatch.TreatMissingData.NOT_BREACHING,
                  alarmDescriptionOverride: `Cache hit rate below ${cfg.info.cacheHitRate * 100}% for 3 × 15 minutes (cache down, evicting, or TTLs too short).`,
                }),
                threshold: cfg.info.cacheHitRate,
                comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
              },
            },
          },
          rightAxis(hits, 'CacheHit'),
          rightAxis(misses, 'CacheMiss'),
        ],
      },
      {
        title: 'Ingestion',
        metrics: [
          props.ingestion
            ? {
                metric: catalogMetric('IngestionLag', 'Maximum', five, {}, 'Ingestion lag (s overdue)'),
                alarmFriendlyName: 'IngestionLag',
                addAlarm: {
                  Critical: {
                    ...this.tier('critical', 'ingestion-lag', {
                      period: five,
                      datapointsToAlarm: 2,
                      evaluationPeriods: 2,
                      // No datapoint means no dispatcher ran: ingestion has stopped.
                      treatMissingDataOverride: cloudwatch.TreatMissingData.BREACHING,
                      alarmDescriptionOverride: `Ingestion stopped: a tracked series is more than ${cfg.critical.ingestionLagSeconds} s overdue (or the dispatcher is not running) for 2 × 5 minutes.`,
                    }),
                    threshold: cfg.critical.ingestionLagSeconds,
                    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                  },
                },
              }
            : catalogMetric('IngestionLag', 'Maximum', five, {}, 'Ingestion lag (s overdue)'),
          catalogMetric('BarsIngested', 'Sum', five, {}, 'Bars ingested'),
          props.ingestion
            ? {
                metric: catalogMetric('ProviderErrors', 'Sum', five, {}, 'Provider errors'),
                alarmFriendlyName: 'ProviderErrors',
                addAlarm: {
                  Warning: {
                    ...this.tier('warning', 'provider-errors', {
                      period: five,
                      datapointsToAlarm: 1,
                      evaluationPeriods: 1,
                      treatMissingDataOverride: cloudwatch.TreatMissingData.NOT_BREACHING,
                      alarmDescriptionOverride: `Market-data provider failing: more than ${cfg.warning.providerErrors} errors in 5 minutes (rate limits, bans, outages).`,
                    }),
                    threshold: cfg.warning.providerErrors,
                    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                  },
                },
              }
            : catalogMetric('ProviderErrors', 'Sum', five, {}, 'Provider errors'),
        ],
      },
      {
        title: 'Analysis and jobs',
        metrics: [
          catalogMetric('AnalysisTime', 'p50', five, {}, 'Analysis time p50'),
          catalogMetric('AnalysisTime', 'p99', five, {}, 'Analysis time p99'),
          rightAxis(catalogMetric('JobSucceeded', 'Sum', five, {}, 'Jobs succeeded'), 'JobSucceeded'),
          rightAxis(catalogMetric('JobFailed', 'Sum', five, {}, 'Jobs failed'), 'JobFailed'),
        ],
      },
      {
        title: 'Alerts and notifications',
        metrics: [
          catalogMetric('SignalAlertsPublished', 'Sum', five, {}, 'Buy/sell point alerts published'),
          catalogMetric('NotificationFailures', 'Sum', five, {}, 'Webhook deliveries failed'),
          catalogMetric('NotificationsWithoutWebhook', 'Sum', five, {}, 'Notifications with no webhook configured'),
        ],
      },
    ];
    this.facade.monitorCustom({
      alarmFriendlyName: 'service',
      humanReadableName: 'Chan analysis service metrics',
      metricGroups: groups,
      useCreatedAlarms: this.collect,
    });
  }

  private monitorConcurrency(): void {
    const cfg = this.config;
    const limit = Math.floor(cfg.info.accountConcurrencyLimit * cfg.info.concurrencyUtilization);
    // ClaimedAccountConcurrency counts reserved and provisioned concurrency too: it is what runs into the limit.
    const claimed = new cloudwatch.Metric({
      namespace: 'AWS/Lambda',
      metricName: 'ClaimedAccountConcurrency',
      statistic: 'Maximum',
      period: Duration.minutes(5),
      label: 'Claimed account concurrency',
    });
    this.facade.monitorCustom({
      alarmFriendlyName: 'concurrency',
      humanReadableName: 'Lambda account concurrency',
      metricGroups: [
        {
          title: `Claimed account concurrency (limit ${cfg.info.accountConcurrencyLimit})`,
          metrics: [
            {
              metric: claimed,
              alarmFriendlyName: 'ClaimedAccountConcurrency',
              addAlarm: {
                Info: {
                  ...this.tier('info', 'lambda-concurrency', {
                    period: Duration.minutes(5),
                    alarmDescriptionOverride: `Lambda concurrency near the account limit: above ${limit} of ${cfg.info.accountConcurrencyLimit} for 3 × 5 minutes.`,
                  }),
                  threshold: limit,
                  comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                },
              },
            },
          ],
        },
      ],
      useCreatedAlarms: this.collect,
    });
  }
}

/** The API Gateway (REST, v1 proxy) event the health probe sends: GET /health as API Gateway would deliver it. */
export function healthProbeEvent() {
  return {
    resource: '/health',
    path: '/health',
    httpMethod: 'GET',
    headers: { 'user-agent': 'chan-health-probe', accept: 'application/json' },
    multiValueHeaders: { 'user-agent': ['chan-health-probe'], accept: ['application/json'] },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      resourcePath: '/health',
      httpMethod: 'GET',
      path: '/health',
      stage: 'probe',
      requestId: 'health-probe',
      identity: { sourceIp: '127.0.0.1', userAgent: 'chan-health-probe' },
    },
    body: null,
    isBase64Encoded: false,
  };
}
