/**
 * Monitoring construct, synthesized in a small stack with one of everything it can watch:
 * - every alarm, by name: tier topic (ALARM and OK), namespace, metric, statistic, dimensions, period, threshold,
 *   comparison, evaluation window, missing-data policy; no alarm more, none less;
 * - thresholds from config / context; the notifier wiring (subscriptions, retries, DLQs); the health probe; the
 *   dashboards; cdk-nag on the construct's own resources;
 * - metric consistency: every custom metric an alarm watches is catalogued, is published by `emitMetric` with
 *   exactly the alarm's namespace and dimensions (checked on the real EMF output), is emitted by handler code,
 *   and no handler publishes a catalogued metric by another path (which would lose the exact dimensions).
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- parsed JSON payloads (webhook bodies, EMF lines) are inspected field by field */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  emitMetric,
  METRIC_CATALOG,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  resetMetricPublisherForTests,
  routeKey,
  type MetricName,
} from '../../functions/common/metrics-catalog.js';
import { ROUTES } from '../../functions/routes.js';
import { healthProbeEvent, loadMonitoringConfig, type Tier } from '../../lib/monitoring.js';
import { buildMonitoringTestStack } from './monitoring-stack.js';
import { ACCOUNT, resolver } from './resolve.js';
import { ofType, refId, type CfnResourceJson, type CfnTemplate } from './synth.js';

const ROOT = join(import.meta.dirname, '..', '..');

interface MetricStat {
  Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] };
  Period: number;
  Stat: string;
}
interface AlarmProps {
  AlarmName: string;
  AlarmActions: unknown[];
  OKActions: unknown[];
  Threshold: number;
  ComparisonOperator: string;
  EvaluationPeriods: number;
  DatapointsToAlarm: number;
  TreatMissingData: string;
  Metrics: { Id: string; Expression?: string; MetricStat?: MetricStat; ReturnData?: boolean }[];
}

/** What one alarm must look like. `dims` lists dimension names (values checked where they are literals). */
interface Expected {
  tier: Tier;
  name: string;
  namespace: string;
  metric: string;
  stat: string;
  period: number;
  threshold: number;
  op: 'GreaterThanThreshold' | 'LessThanThreshold';
  window: [evaluation: number, datapoints: number];
  missing: 'breaching' | 'notBreaching' | 'missing';
  dims: Record<string, unknown>;
  /** Metric-math alarms: the expression. */
  expression?: string | RegExp;
}

const api = { ApiName: 'chan-test', Stage: 'test' };
const svc = { service: METRICS_SERVICE };
const route = (r: string) => ({ service: METRICS_SERVICE, route: r });
const ref = (id: RegExp) => ({ Ref: expect.stringMatching(id) });

const EXPECTED: Expected[] = [
  // ---- critical
  {
    tier: 'critical',
    name: 'api-5xx-rate',
    namespace: 'AWS/ApiGateway',
    metric: '5XXError',
    stat: 'Average',
    period: 60,
    threshold: 0.05,
    op: 'GreaterThanThreshold',
    window: [3, 3],
    missing: 'notBreaching',
    dims: api,
  },
  {
    tier: 'critical',
    name: 'health-check',
    namespace: METRICS_NAMESPACE,
    metric: 'HealthCheckOk',
    stat: 'Minimum',
    period: 60,
    threshold: 1,
    op: 'LessThanThreshold',
    window: [3, 3],
    missing: 'breaching',
    dims: svc,
  },
  {
    tier: 'critical',
    name: 'dynamodb-system-errors',
    namespace: 'AWS/DynamoDB',
    metric: 'SystemErrors',
    stat: 'Sum',
    period: 300,
    threshold: 5,
    op: 'GreaterThanThreshold',
    window: [1, 1],
    missing: 'notBreaching',
    dims: { TableName: ref(/^Table/), Operation: expect.any(String) },
    expression: /^systemErrorGetItem\+.*systemErrorBatchWriteItem$/,
  },
  {
    tier: 'critical',
    name: 'dlq-ingest',
    namespace: 'AWS/SQS',
    metric: 'ApproximateNumberOfMessagesVisible',
    stat: 'Maximum',
    period: 60,
    threshold: 0,
    op: 'GreaterThanThreshold',
    window: [1, 1],
    missing: 'missing',
    dims: { QueueName: { 'Fn::GetAtt': [expect.stringMatching(/^IngestDlq/), 'QueueName'] } },
  },
  {
    tier: 'critical',
    name: 'dlq-scheduler',
    namespace: 'AWS/SQS',
    metric: 'ApproximateNumberOfMessagesVisible',
    stat: 'Maximum',
    period: 60,
    threshold: 0,
    op: 'GreaterThanThreshold',
    window: [1, 1],
    missing: 'missing',
    dims: { QueueName: { 'Fn::GetAtt': [expect.stringMatching(/^SchedulerDlq/), 'QueueName'] } },
  },
  {
    tier: 'critical',
    name: 'dlq-notifier',
    namespace: 'AWS/SQS',
    metric: 'ApproximateNumberOfMessagesVisible',
    stat: 'Maximum',
    period: 60,
    threshold: 0,
    op: 'GreaterThanThreshold',
    window: [1, 1],
    missing: 'missing',
    dims: { QueueName: { 'Fn::GetAtt': [expect.stringMatching(/^MonitoringNotifierDlq/), 'QueueName'] } },
  },
  {
    tier: 'critical',
    name: 'ingestion-lag',
    namespace: METRICS_NAMESPACE,
    metric: 'IngestionLag',
    stat: 'Maximum',
    period: 300,
    threshold: 1800,
    op: 'GreaterThanThreshold',
    window: [2, 2],
    missing: 'breaching',
    dims: svc,
  },
  // ---- warning
  ...[`GET /api/v1/klines/{symbol}`, `GET /api/v1/analysis/{symbol}`, `POST /api/v1/analysis`].flatMap(
    (r): Expected[] => {
      const s = r
        .replace('/api/v1/', '')
        .replace(/[{}]/g, '')
        .replace(/[^A-Za-z0-9]+/g, '-')
        .toLowerCase();
      return [
        {
          tier: 'warning',
          name: `latency-p95-${s}`,
          namespace: METRICS_NAMESPACE,
          metric: 'RouteLatency',
          stat: 'p95',
          period: 300,
          threshold: 1500,
          op: 'GreaterThanThreshold',
          window: [3, 3],
          missing: 'missing',
          dims: route(r),
        },
        {
          tier: 'warning',
          name: `latency-p99-${s}`,
          namespace: METRICS_NAMESPACE,
          metric: 'RouteLatency',
          stat: 'p99',
          period: 300,
          threshold: 5000,
          op: 'GreaterThanThreshold',
          window: [3, 3],
          missing: 'missing',
          dims: route(r),
        },
      ];
    },
  ),
  {
    tier: 'warning',
    name: 'api-5xx-rate',
    namespace: 'AWS/ApiGateway',
    metric: '5XXError',
    stat: 'Average',
    period: 300,
    threshold: 0.01,
    op: 'GreaterThanThreshold',
    window: [3, 3],
    missing: 'notBreaching',
    dims: api,
  },
  {
    tier: 'warning',
    name: 'api-4xx-rate',
    namespace: 'AWS/ApiGateway',
    metric: '4XXError',
    stat: 'Average',
    period: 300,
    threshold: 0.1,
    op: 'GreaterThanThreshold',
    window: [3, 3],
    missing: 'notBreaching',
    dims: api,
  },
  ...[
    ['klines', /^Klines/],
    ['health', /^Health/],
    ['notifier', /^MonitoringNotifierFn/],
  ].flatMap(([fn, id]): Expected[] => [
    {
      tier: 'warning',
      name: `lambda-errors-${fn}`,
      namespace: 'AWS/Lambda',
      metric: 'Errors',
      stat: 'Sum',
      period: 300,
      threshold: 5,
      op: 'GreaterThanThreshold',
      window: [1, 1],
      missing: 'notBreaching',
      dims: { FunctionName: ref(id as RegExp) },
    },
    {
      tier: 'warning',
      name: `lambda-throttles-${fn}`,
      namespace: 'AWS/Lambda',
      metric: 'Throttles',
      stat: 'Sum',
      period: 300,
      threshold: 0,
      op: 'GreaterThanThreshold',
      window: [1, 1],
      missing: 'notBreaching',
      dims: { FunctionName: ref(id as RegExp) },
    },
  ]),
  {
    tier: 'warning',
    name: 'dynamodb-read-throttles',
    namespace: 'AWS/DynamoDB',
    metric: 'ReadThrottleEvents',
    stat: 'Sum',
    period: 300,
    threshold: 10,
    op: 'GreaterThanThreshold',
    window: [1, 1],
    missing: 'notBreaching',
    dims: { TableName: ref(/^Table/) },
    expression: 'FILL(readThrottles,0)',
  },
  {
    tier: 'warning',
    name: 'dynamodb-write-throttles',
    namespace: 'AWS/DynamoDB',
    metric: 'WriteThrottleEvents',
    stat: 'Sum',
    period: 300,
    threshold: 10,
    op: 'GreaterThanThreshold',
    window: [1, 1],
    missing: 'notBreaching',
    dims: { TableName: ref(/^Table/) },
    expression: 'FILL(writeThrottles,0)',
  },
  {
    tier: 'warning',
    name: 'workflow-failed-jobs',
    namespace: 'AWS/States',
    metric: 'ExecutionsFailed',
    stat: 'Sum',
    period: 300,
    threshold: 0,
    op: 'GreaterThanThreshold',
    window: [1, 1],
    missing: 'notBreaching',
    dims: { StateMachineArn: ref(/^Jobs/) },
  },
  {
    tier: 'warning',
    name: 'provider-errors',
    namespace: METRICS_NAMESPACE,
    metric: 'ProviderErrors',
    stat: 'Sum',
    period: 300,
    threshold: 20,
    op: 'GreaterThanThreshold',
    window: [1, 1],
    missing: 'notBreaching',
    dims: svc,
  },
  // ---- info
  {
    tier: 'info',
    name: 'cache-hit-rate',
    namespace: METRICS_NAMESPACE,
    metric: 'CacheHit',
    stat: 'Sum',
    period: 900,
    threshold: 0.5,
    op: 'LessThanThreshold',
    window: [3, 3],
    missing: 'notBreaching',
    dims: svc,
    expression: 'IF((FILL(h,0)+FILL(m,0)) >= 50, FILL(h,0)/(FILL(h,0)+FILL(m,0)))',
  },
  {
    tier: 'info',
    name: 'lambda-concurrency',
    namespace: 'AWS/Lambda',
    metric: 'ClaimedAccountConcurrency',
    stat: 'Maximum',
    period: 300,
    threshold: 800,
    op: 'GreaterThanThreshold',
    window: [3, 3],
    missing: 'missing',
    dims: {},
  },
];

const TOPIC_ID: Record<Tier, RegExp> = {
  critical: /^MonitoringCriticalTopic/,
  warning: /^MonitoringWarningTopic/,
  info: /^MonitoringInfoTopic/,
};

let built: ReturnType<typeof buildMonitoringTestStack>;
let template: Template;
let alarms: Map<string, AlarmProps>;

function alarmsOf(t: Template): Map<string, AlarmProps> {
  const out = new Map<string, AlarmProps>();
  for (const a of Object.values(t.findResources('AWS::CloudWatch::Alarm')))
    out.set(a.Properties.AlarmName, a.Properties);
  return out;
}

/** The metric inputs of an alarm (cdk-monitoring renders every alarm as a Metrics array). */
const statsOf = (a: AlarmProps): MetricStat[] => a.Metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat!);

const dimsOf = (s: MetricStat) => Object.fromEntries((s.Metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));

beforeAll(() => {
  built = buildMonitoringTestStack();
  template = Template.fromStack(built.stack);
  alarms = alarmsOf(template);
});

describe('alarms: every one, in its tier, with metric, statistic and threshold', () => {
  it('creates exactly the expected alarms, and records each with its tier', () => {
    const expected = EXPECTED.map((e) => `chan-analysis-test-${e.tier}-${e.name}`).sort();
    expect([...alarms.keys()].sort()).toEqual(expected);
    expect(built.monitoring.alarms.map((a) => `${a.name}`).sort()).toEqual(expected);
    for (const a of built.monitoring.alarms) expect(a.name).toContain(`-${a.tier}-`);
  });

  it.each(EXPECTED.map((e) => [`${e.tier}-${e.name}`, e] as const))('%s', (_, e) => {
    const a = alarms.get(`chan-analysis-test-${e.tier}-${e.name}`);
    expect(a, 'alarm exists').toBeDefined();
    // ALARM and recovery (OK) both go to the tier's topic, and only there.
    expect(a!.AlarmActions).toEqual([ref(TOPIC_ID[e.tier])]);
    expect(a!.OKActions).toEqual([ref(TOPIC_ID[e.tier])]);
    expect(a!.Threshold).toBe(e.threshold);
    expect(a!.ComparisonOperator).toBe(e.op);
    expect([a!.EvaluationPeriods, a!.DatapointsToAlarm]).toEqual(e.window);
    expect(a!.TreatMissingData).toBe(e.missing);

    const stats = statsOf(a!);
    const main = stats.find((s) => s.Metric.MetricName === e.metric);
    expect(main, `${e.metric} is an input`).toBeDefined();
    expect(main!.Metric.Namespace).toBe(e.namespace);
    expect(main!.Stat).toBe(e.stat);
    expect(main!.Period).toBe(e.period);
    expect(dimsOf(main!)).toEqual(e.dims);
    const returned = a!.Metrics.filter((m) => m.ReturnData !== false);
    expect(returned).toHaveLength(1); // one alarmed series
    if (e.expression) {
      if (typeof e.expression === 'string') expect(returned[0]!.Expression).toBe(e.expression);
      else expect(returned[0]!.Expression).toMatch(e.expression);
    } else {
      expect(returned[0]!.MetricStat?.Metric.MetricName).toBe(e.metric);
    }
  });

  it('the cache hit rate reads both hits and misses with the same dimensions', () => {
    const a = alarms.get('chan-analysis-test-info-cache-hit-rate')!;
    expect(statsOf(a).map((s) => [s.Metric.MetricName, s.Stat, s.Period, dimsOf(s)])).toEqual([
      ['CacheHit', 'Sum', 900, svc],
      ['CacheMiss', 'Sum', 900, svc],
    ]);
  });

  it('the system-error expression sums every DynamoDB operation the service uses', () => {
    const a = alarms.get('chan-analysis-test-critical-dynamodb-system-errors')!;
    const ops = statsOf(a).map((s) => dimsOf(s).Operation);
    expect(ops).toEqual(
      expect.arrayContaining([
        'GetItem',
        'Query',
        'PutItem',
        'UpdateItem',
        'BatchWriteItem',
        'BatchGetItem',
        'DeleteItem',
      ]),
    );
  });
});

describe('thresholds come from config', () => {
  it('context "monitoring" (JSON, as -c gives it) overrides the defaults', () => {
    const { stack } = buildMonitoringTestStack({
      context: {
        monitoring: JSON.stringify({
          critical: { api5xxRate: 0.2, ingestionLagSeconds: 600, healthFailedMinutes: 5 },
          warning: { latencyP99Ms: 2500, keyRoutes: ['GET /health'], lambdaErrors: 1 },
          info: { cacheHitRate: 0.8, accountConcurrencyLimit: 100, concurrencyUtilization: 0.9 },
        }),
      },
    });
    const a = alarmsOf(Template.fromStack(stack));
    expect(a.get('chan-analysis-test-critical-api-5xx-rate')!.Threshold).toBe(0.2);
    expect(a.get('chan-analysis-test-critical-ingestion-lag')!.Threshold).toBe(600);
    expect(a.get('chan-analysis-test-critical-health-check')!.EvaluationPeriods).toBe(5);
    expect(a.get('chan-analysis-test-warning-latency-p99-get-health')!.Threshold).toBe(2500);
    expect(dimsOf(statsOf(a.get('chan-analysis-test-warning-latency-p99-get-health')!)[0]!)).toEqual(
      route('GET /health'),
    );
    expect(a.has('chan-analysis-test-warning-latency-p99-get-klines-symbol')).toBe(false);
    expect(a.get('chan-analysis-test-warning-lambda-errors-klines')!.Threshold).toBe(1);
    expect(a.get('chan-analysis-test-info-cache-hit-rate')!.Threshold).toBe(0.8);
    expect(a.get('chan-analysis-test-info-lambda-concurrency')!.Threshold).toBe(90);
    // Untouched values keep their defaults.
    expect(a.get('chan-analysis-test-warning-api-4xx-rate')!.Threshold).toBe(0.1);
  });

  it('refuses bad values with the key named', () => {
    expect(() => loadMonitoringConfig({ critical: { api5xxRate: 5 } })).toThrow(/monitoring\.critical\.api5xxRate/);
    expect(() => loadMonitoringConfig({ warning: { keyRoutes: ['GET /nope'] } })).toThrow(
      /not in functions\/routes\.ts: GET \/nope/,
    );
    expect(() => loadMonitoringConfig('{oops')).toThrow(/must be a JSON object/);
  });

  it('a stack without ingestion, health function or API gets no alarms for them (nothing alarms on metrics nobody emits)', () => {
    const { stack } = buildMonitoringTestStack({ minimal: true });
    expect([...alarmsOf(Template.fromStack(stack)).keys()].sort()).toEqual(
      [
        'critical-dlq-notifier',
        'info-cache-hit-rate',
        'info-lambda-concurrency',
        'warning-lambda-errors-notifier',
        'warning-lambda-throttles-notifier',
        ...['get-klines-symbol', 'get-analysis-symbol', 'post-analysis'].flatMap((s) => [
          `warning-latency-p95-${s}`,
          `warning-latency-p99-${s}`,
        ]),
      ]
        .map((n) => `chan-analysis-test-${n}`)
        .sort(),
    );
  });
});

describe('topics, notifier and probe wiring', () => {
  it('has three tier topics plus the signal topic, TLS-only; e-mail on critical and warning only', () => {
    const topics = template.findResources('AWS::SNS::Topic');
    expect(Object.keys(topics).sort()).toEqual([
      expect.stringMatching(/^MonitoringCriticalTopic/),
      expect.stringMatching(/^MonitoringInfoTopic/),
      expect.stringMatching(/^MonitoringSignalTopic/),
      expect.stringMatching(/^MonitoringWarningTopic/),
    ]);
    const emails = Object.values(
      template.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'email' } }),
    );
    expect(emails.map((s) => s.Properties.TopicArn.Ref).sort()).toEqual([
      expect.stringMatching(TOPIC_ID.critical),
      expect.stringMatching(TOPIC_ID.warning),
    ]);
    expect(Object.keys(template.findResources('AWS::SNS::TopicPolicy'))).toHaveLength(4); // enforceSSL
  });

  it('encrypted topics: the key lets CloudWatch encrypt alarm messages for them; cdk-nag stays clean', async () => {
    const { stack } = buildMonitoringTestStack({ minimal: true, topicKey: true });
    const json = Template.fromStack(stack).toJSON() as CfnTemplate;
    const [[keyId, key]] = ofType(json, 'AWS::KMS::Key') as [[string, CfnResourceJson]];
    for (const [id, t] of ofType(json, 'AWS::SNS::Topic')) expect(refId(t.Properties!.KmsMasterKeyId), id).toBe(keyId);
    const { resolve, arnOf } = resolver(json);
    const keyArn = arnOf(keyId);
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      const r = await runSimulation(
        {
          request: {
            principal: 'cloudwatch.amazonaws.com',
            action,
            resource: { resource: keyArn, accountId: ACCOUNT },
            contextVariables: { 'aws:SourceAccount': ACCOUNT },
          },
          identityPolicies: [],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          resourcePolicy: resolve(key.Properties!.KeyPolicy),
        },
        {},
      );
      expect(r.resultType === 'single' && r.result.analysis.result, action).toBe('Allowed');
    }
    const report = new AwsSolutionsChecks().validateScope(stack);
    const sns2 = report.violations.filter((v) => v.ruleName === 'AwsSolutions-SNS2');
    expect(sns2).toEqual([]);
  });

  it('subscribes the notifier to all four topics, each subscription with the DLQ as its redrive target', () => {
    const subs = Object.values(
      template.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'lambda' } }),
    );
    expect(subs).toHaveLength(4);
    for (const s of subs) {
      expect(s.Properties.Endpoint).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^MonitoringNotifierFn/), 'Arn'] });
      expect(s.Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^MonitoringNotifierDlq/), 'Arn'] },
      });
    }
  });

  it('retries failed notifier invocations twice, then keeps the event in the DLQ', () => {
    const configs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')).map((r) => r.Properties);
    expect(configs).toEqual([
      {
        FunctionName: { Ref: expect.stringMatching(/^MonitoringNotifierFn/) },
        Qualifier: '$LATEST',
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 21600,
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringMatching(/^MonitoringNotifierDlq/), 'Arn'] } },
        },
      },
    ]);
  });

  it('gives the notifier the topic ARNs and the webhook secret (by ARN, never by value) and read access to it', () => {
    const fns = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (f) => f.Properties.Environment?.Variables?.WEBHOOKS_SECRET_ARN,
    );
    expect(fns).toHaveLength(1);
    const env = fns[0]!.Properties.Environment.Variables;
    expect(env.CRITICAL_TOPIC_ARN).toEqual(ref(TOPIC_ID.critical));
    expect(env.WARNING_TOPIC_ARN).toEqual(ref(TOPIC_ID.warning));
    expect(env.INFO_TOPIC_ARN).toEqual(ref(TOPIC_ID.info));
    expect(env.SIGNAL_TOPIC_ARN).toEqual(ref(/^MonitoringSignalTopic/));
    expect(env.WEBHOOKS_SECRET_ARN).toEqual(ref(/^MonitoringWebhooks/));
    expect(env.WEBHOOKS).toBeUndefined();
    expect(fns[0]!.Properties.Timeout).toBe(60);
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).toMatch(/"secretsmanager:GetSecretValue".*MonitoringWebhooks/s);
  });

  it('probes the health function every minute with the GET /health proxy event', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')).map((r) => r.Properties);
    expect(rules).toEqual([
      expect.objectContaining({
        ScheduleExpression: 'rate(1 minute)',
        State: 'ENABLED',
        Targets: [
          {
            Id: 'Target0',
            Arn: { 'Fn::GetAtt': [expect.stringMatching(/^Health/), 'Arn'] },
            Input: JSON.stringify(healthProbeEvent()),
            RetryPolicy: { MaximumRetryAttempts: 0 },
          },
        ],
      }),
    ]);
    const ev = healthProbeEvent();
    expect(ROUTES.some((r) => r.method === ev.httpMethod && r.path === ev.resource)).toBe(true);
  });

  it('builds detail, summary and alarm dashboards showing the catalogued service metrics', () => {
    const boards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(boards).toHaveLength(3);
    const names = boards.map((b) => b.Properties.DashboardName).sort();
    expect(names).toEqual(['chan-analysis-test', 'chan-analysis-test-Alarms', 'chan-analysis-test-Summary']);
    const detail = JSON.stringify(
      boards.find((b) => b.Properties.DashboardName === 'chan-analysis-test')!.Properties.DashboardBody,
    );
    for (const m of Object.keys(METRIC_CATALOG)) expect(detail, m).toContain(`\\"${m}\\"`);
    for (const r of ROUTES) expect(detail).toContain(routeKey(r));
  });

  it('leaves no open cdk-nag AwsSolutions finding on its own resources', () => {
    const fresh = buildMonitoringTestStack();
    const report = new AwsSolutionsChecks().validateScope(fresh.stack);
    const ours = report.violations.flatMap((v) =>
      v.violatingResources
        .filter((r) => (r.constructPath ?? '').startsWith('MonitoringTest/Monitoring/'))
        .map((r) => `${v.ruleName} ${r.constructPath}`),
    );
    expect(ours).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------- metric consistency

/** Every custom-namespace metric any alarm reads: name, statistic and dimensions. */
function alarmedCustomMetrics(): { alarm: string; name: string; dims: Record<string, unknown> }[] {
  const out: { alarm: string; name: string; dims: Record<string, unknown> }[] = [];
  for (const [alarm, a] of alarms) {
    for (const s of statsOf(a)) {
      if (s.Metric.Namespace === METRICS_NAMESPACE) out.push({ alarm, name: s.Metric.MetricName, dims: dimsOf(s) });
    }
  }
  return out;
}

/** Captures Powertools' EMF lines (it writes them to process.stdout through its own Console). */
function captureEmf(fn: () => void): any[] {
  const lines: string[] = [];
  const orig = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    fn();
  } finally {
    process.stdout.write = orig;
  }
  return lines
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.startsWith('{"_aws"'))
    .map((l) => JSON.parse(l));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return n === 'node_modules' ? [] : sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

describe('metric consistency: alarms watch what the code emits', () => {
  it('every alarmed custom metric is catalogued, with the catalogued dimension names and known values', () => {
    const found = alarmedCustomMetrics();
    expect(found.length).toBeGreaterThan(0);
    const routeKeys = new Set(ROUTES.map(routeKey));
    for (const m of found) {
      const def = METRIC_CATALOG[m.name as MetricName];
      expect(def, `${m.alarm} watches ${m.name}, which is not in the catalogue`).toBeDefined();
      expect(Object.keys(m.dims).sort(), `${m.alarm}: dimensions of ${m.name}`).toEqual([...def.dimensions].sort());
      expect(m.dims.service).toBe(METRICS_SERVICE);
      if ('route' in m.dims)
        expect(routeKeys.has(m.dims.route as string), `${m.alarm}: route ${m.dims.route}`).toBe(true);
    }
  });

  it('emitMetric publishes each alarmed metric in exactly the namespace and dimension set the alarm reads', () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    resetMetricPublisherForTests();
    try {
      for (const m of alarmedCustomMetrics()) {
        const extra = Object.fromEntries(Object.entries(m.dims).filter(([k]) => k !== 'service')) as never;
        const emitted = captureEmf(() =>
          (emitMetric as (n: string, v: number, d?: unknown) => void)(
            m.name,
            7,
            Object.keys(extra).length ? extra : undefined,
          ),
        );
        expect(emitted, `${m.name} emitted once`).toHaveLength(1);
        const emf = emitted[0];
        const directive = emf._aws.CloudWatchMetrics[0];
        expect(directive.Namespace).toBe(METRICS_NAMESPACE);
        expect(directive.Metrics).toEqual([{ Name: m.name, Unit: METRIC_CATALOG[m.name as MetricName].unit }]);
        // One dimension set, exactly the alarm's, with the alarm's values.
        expect(directive.Dimensions).toHaveLength(1);
        expect([...directive.Dimensions[0]].sort()).toEqual(Object.keys(m.dims).sort());
        for (const [k, v] of Object.entries(m.dims)) expect(emf[k], `${m.alarm}: ${k}`).toBe(v);
        expect(emf[m.name]).toBe(7);
      }
    } finally {
      process.env.POWERTOOLS_METRICS_DISABLED = 'true';
      resetMetricPublisherForTests();
    }
  });

  /** `emitMetric('Name'` call sites in functions/ (the catalogue itself excluded). */
  const callSites = () => {
    const sites = new Map<string, string[]>();
    for (const file of sourceFiles(join(ROOT, 'functions'))) {
      if (file.endsWith('metrics-catalog.ts')) continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/emitMetric\(\s*['"](\w+)['"]/g))
        sites.set(m[1]!, [...(sites.get(m[1]!) ?? []), relative(ROOT, file)]);
    }
    return sites;
  };

  it('every alarmed custom metric is emitted by handler code through emitMetric', () => {
    const sites = callSites();
    const missing = [...new Set(alarmedCustomMetrics().map((m) => m.name))].filter((n) => !sites.has(n));
    expect(
      missing,
      `alarmed but never emitted (add emitMetric('<name>', ...) where ${missing.map((n) => `${n}: ${METRIC_CATALOG[n as MetricName].emittedBy}`).join('; ')})`,
    ).toEqual([]);
  });

  it('no code publishes a catalogued metric by another path (buffered addMetric would add foreign dimensions)', () => {
    const names = Object.keys(METRIC_CATALOG);
    const offenders: string[] = [];
    for (const file of sourceFiles(join(ROOT, 'functions'))) {
      if (file.endsWith('metrics-catalog.ts')) continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:addMetric|recordMetric)\(\s*['"`](\w+)['"`]/g)) {
        if (names.includes(m[1]!)) offenders.push(`${relative(ROOT, file)}: ${m[0]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
