/**
 * Template assertions on the stack with every handler group present (stub entries), two CORS origins and the
 * cdk.json defaults otherwise; plus cdk-nag (AwsSolutions, zero unacknowledged findings) and cfn-lint.
 */
import { JOB_TASKS } from '../../lib/jobs.js';
import { spawnSync } from 'node:child_process';
import { Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, STAGE_THROTTLE } from '../../functions/routes.js';
import { isWriteRoute } from '../../lib/api.js';
import { ISOLATED_ROUTES } from '../../lib/api-handlers.js';
import { TABLE_KEYS } from '../../functions/store/table.js';
import { TTL_ATTRIBUTE } from '../../lib/data.js';
import { actionsOf, ALL_STUBS, methods, ofType, refId, roleStatements, synth, type Synthesized } from './synth.js';

const ORIGINS = ['https://chart.example.com', 'http://localhost:3000'];
const RETENTION = 14; // cdk.json has no logRetentionDays: the non-prod default.

let s: Synthesized;
beforeAll(() => {
  s = synth({ corsOrigins: ORIGINS }, ALL_STUBS);
  if (s.error) throw s.error;
});

const hasCfnLint = spawnSync('cfn-lint', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * CDK-internal Lambdas (not ours): the one that empties the VPC's default security group (network.ts), the S3
 * auto-delete-objects provider and the BucketDeployment handler of the chart site (chart-site.ts).
 */
const CDK_PROVIDERS = ['CustomVpcRestrictDefaultSG', 'CustomS3AutoDeleteObjects', 'CustomCDKBucketDeployment'];
const isCdkProvider = (id: string) => CDK_PROVIDERS.some((p) => id.startsWith(p));
const serviceFunctions = () => ofType(s.json, 'AWS::Lambda::Function').filter(([id]) => !isCdkProvider(id));
/** The functions that use the cache, and therefore run in the VPC (first-deploy.test.ts checks which). */
const vpcFunctions = () => serviceFunctions().filter(([, f]) => f.Properties!.VpcConfig);
const lambdaSgId = () => {
  const ids = new Set(vpcFunctions().map(([, f]) => refId(f.Properties!.VpcConfig.SecurityGroupIds[0])));
  expect(ids.size).toBe(1);
  return [...ids][0]!;
};
const routeMethod = (r: (typeof ROUTES)[number]) => {
  const m = methods(s.json).find((x) => x.path === r.path && x.httpMethod === r.method);
  expect(m, `${r.method} ${r.path} is in the API`).toBeDefined();
  return m!;
};
const WRITE_ACTIONS =
  /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem|PartiQL(Insert|Update|Delete)|TransactWriteItems|\*)$/;

describe('API from the route table', () => {
  it('has every route of functions/routes.ts, with its API-key requirement, and nothing else', () => {
    for (const r of ROUTES) expect(routeMethod(r).props.ApiKeyRequired, `${r.method} ${r.path}`).toBe(r.apiKey);
    const nonOptions = methods(s.json).filter((m) => m.httpMethod !== 'OPTIONS');
    expect(nonOptions).toHaveLength(ROUTES.length);
  });

  it('throttles the stage with STAGE_THROTTLE and each throttled route with its own limits', () => {
    const [[, stage]] = ofType(s.json, 'AWS::ApiGateway::Stage');
    const settings = stage!.Properties!.MethodSettings as Record<string, unknown>[];
    expect(settings).toContainEqual(
      expect.objectContaining({
        ResourcePath: '/*',
        HttpMethod: '*',
        ThrottlingRateLimit: STAGE_THROTTLE.rateLimit,
        ThrottlingBurstLimit: STAGE_THROTTLE.burstLimit,
      }),
    );
    const throttled = ROUTES.filter((r) => r.throttle);
    expect(throttled.length).toBeGreaterThan(0);
    for (const r of throttled) {
      expect(settings).toContainEqual({
        ResourcePath: `/${r.path.replaceAll('/', '~1')}`,
        HttpMethod: r.method,
        ThrottlingRateLimit: r.throttle!.rateLimit,
        ThrottlingBurstLimit: r.throttle!.burstLimit,
      });
    }
    // One spelled out, so a change in the encoding above cannot hide a wrong path.
    expect(settings).toContainEqual(
      expect.objectContaining({
        ResourcePath: '/~1api~1v1~1klines~1{symbol}',
        HttpMethod: 'POST',
        ThrottlingRateLimit: 20,
      }),
    );
    expect(settings).toHaveLength(1 + throttled.length);
  });

  it('answers CORS preflight for exactly the configured origins, never "*"', () => {
    const options = methods(s.json).filter((m) => m.httpMethod === 'OPTIONS');
    const routePaths = new Set(ROUTES.map((r) => r.path));
    for (const p of routePaths)
      expect(
        options.some((o) => o.path === p),
        `OPTIONS ${p}`,
      ).toBe(true);
    for (const o of options) {
      const text = JSON.stringify(o.props.Integration);
      for (const origin of ORIGINS) expect(text).toContain(origin);
      expect(
        o.props.Integration.IntegrationResponses[0].ResponseParameters[
          'method.response.header.Access-Control-Allow-Origin'
        ],
      ).not.toBe("'*'");
    }
    expect(JSON.stringify(s.json)).not.toMatch(/Access-Control-Allow-Origin":\s*"'\*'"/);
  });

  it('gives the functions the same origins (CORS_ORIGINS) for their own responses', () => {
    for (const [, f] of serviceFunctions())
      expect(JSON.parse(f.Properties!.Environment.Variables.CORS_ORIGINS)).toEqual(ORIGINS);
  });

  it('has an API key in a usage plan bound to the stage', () => {
    s.template.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    const [[planId]] = ofType(s.json, 'AWS::ApiGateway::UsagePlan');
    s.template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      ApiStages: [{ ApiId: { Ref: Match.anyValue() }, Stage: { Ref: Match.anyValue() } }],
      Throttle: { RateLimit: STAGE_THROTTLE.rateLimit, BurstLimit: STAGE_THROTTLE.burstLimit },
    });
    s.template.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', {
      UsagePlanId: { Ref: planId },
      KeyType: 'API_KEY',
    });
  });

  it('logs access to a log group with retention, and execution errors', () => {
    const [[, stage]] = ofType(s.json, 'AWS::ApiGateway::Stage');
    const access = stage.Properties!.AccessLogSetting;
    expect(Object.keys(JSON.parse(access.Format))).toEqual(
      expect.arrayContaining(['requestId', 'status', 'responseLatency', 'apiKeyId']),
    );
    const logGroupId = (access.DestinationArn['Fn::Join'][1] as unknown[]).map(refId).find(Boolean)!;
    expect(s.json.Resources[logGroupId]!.Properties!.RetentionInDays).toBe(RETENTION);
    expect(stage.Properties!.MethodSettings[0].LoggingLevel).toBe('ERROR');
    // The account logging role is created by default (first-deploy.test.ts checks its wiring).
    s.template.resourceCountIs('AWS::ApiGateway::Account', 1);
  });

  it('validates required path parameters on every method, through one validator', () => {
    const [[validatorId]] = ofType(s.json, 'AWS::ApiGateway::RequestValidator');
    for (const r of ROUTES) {
      const m = routeMethod(r);
      expect(refId(m.props.RequestValidatorId)).toBe(validatorId);
      for (const p of r.path.match(/\{(\w+)\}/g) ?? [])
        expect(m.props.RequestParameters[`method.request.path.${p.slice(1, -1)}`]).toBe(true);
    }
  });

  it("answers the gateway's own errors in the handlers' {error, message, details} shape", () => {
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
      s.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"error".*"message".*"details"') },
      });
    }
    // The gateway's own rejections answer like the local adapter (local/server.ts): status and error code.
    const expected: [string, string, string][] = [
      ['MISSING_AUTHENTICATION_TOKEN', '404', 'NotFound'],
      ['INVALID_API_KEY', '403', 'Forbidden'],
      ['ACCESS_DENIED', '403', 'Forbidden'],
      ['INVALID_SIGNATURE', '403', 'Forbidden'],
      ['THROTTLED', '429', 'TooManyRequests'],
      ['QUOTA_EXCEEDED', '429', 'TooManyRequests'],
    ];
    for (const [type, status, code] of expected) {
      const [[, g]] = ofType(s.json, 'AWS::ApiGateway::GatewayResponse').filter(
        ([, r]) => r.Properties!.ResponseType === type,
      );
      expect(g!.Properties!.StatusCode, type).toBe(status);
      const template = g!.Properties!.ResponseTemplates['application/json'] as string;
      expect(template, type).toMatch(new RegExp(`^\\{"error":"${code}","message":.*,"details":.*\\}$`));
      // Valid JSON once API Gateway substitutes its variables.
      expect(
        () =>
          JSON.parse(template.replace(/\$context\.error\.messageString/g, '"m"').replace(/\$context\.[\w.]+/g, 'x')),
        type,
      ).not.toThrow();
    }
    // Two origins: a gateway response cannot pick one, so it names none (rather than reflecting any Origin).
    for (const [, g] of ofType(s.json, 'AWS::ApiGateway::GatewayResponse')) {
      expect(g.Properties!.ResponseParameters?.['gatewayresponse.header.Access-Control-Allow-Origin']).toBeUndefined();
    }
  });
});

describe('functions', () => {
  it('one per group and access level, each routed only to its own routes', () => {
    for (const r of ROUTES) {
      const fnId = routeMethod(r).functionId!;
      const isolated = ISOLATED_ROUTES[`${r.method} ${r.path}`];
      expect(fnId).toMatch(
        isolated ? new RegExp(`^Handlers${isolated.id}Fn`) : isWriteRoute(r) ? /Write/ : /^Handlers[A-Z][a-z]+Fn/,
      );
    }
    // API: health, openapi, analysis + (symbols, klines, jobs) × (read, write) + POST /analysis on its own.
    expect(serviceFunctions().filter(([id]) => id.startsWith('Handlers'))).toHaveLength(10);
    // Plus the ingestion dispatcher and worker, the job tasks and the alarm notifier: same defaults, same checks below.
    expect(
      serviceFunctions()
        .map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))
        .filter((id) => !id.startsWith('Handlers'))
        .sort(),
    ).toEqual(
      [
        'IngestionDispatcherFn',
        'IngestionWorkerFn',
        ...Object.keys(JOB_TASKS).map((t) => `Jobs${t[0]!.toUpperCase()}${t.slice(1)}TaskFn`),
        'MonitoringNotifierFn',
      ].sort(),
    );
    expect(ofType(s.json, 'AWS::Lambda::Function').filter(([id]) => isCdkProvider(id))).toHaveLength(3);
  });

  it('all run Node 24 on arm64; those in the VPC with the Lambda security group in both AZs', () => {
    const sg = lambdaSgId();
    for (const [id, f] of serviceFunctions()) {
      expect(f.Properties!.Runtime, id).toMatch(/^nodejs2[24]\.x$/);
      expect(f.Properties!.Architectures, id).toEqual(['arm64']);
    }
    expect(vpcFunctions().length).toBeGreaterThan(0);
    expect(vpcFunctions().length).toBeLessThan(serviceFunctions().length);
    for (const [id, f] of vpcFunctions()) {
      expect(f.Properties!.VpcConfig.SecurityGroupIds.map(refId), id).toEqual([sg]);
      expect(f.Properties!.VpcConfig.SubnetIds.length, id).toBe(2);
    }
  });

  it('all log to their own log group with retention', () => {
    const seen = new Set<string>();
    for (const [id, f] of serviceFunctions()) {
      const lg = refId(f.Properties!.LoggingConfig?.LogGroup);
      expect(lg, id).toBeDefined();
      expect(s.json.Resources[lg!]!.Properties!.RetentionInDays, id).toBe(RETENTION);
      seen.add(lg!);
    }
    expect(seen.size).toBe(serviceFunctions().length);
  });

  it('all get the runtime configuration (functions/common/config.ts names)', () => {
    const [[secretId]] = ofType(s.json, 'AWS::SecretsManager::Secret');
    const [[tableId]] = ofType(s.json, 'AWS::DynamoDB::Table');
    for (const [id, f] of serviceFunctions()) {
      const env = f.Properties!.Environment.Variables;
      expect(env, id).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'chan-analysis',
        POWERTOOLS_METRICS_NAMESPACE: 'ChanAnalysis',
        LOG_LEVEL: 'DEBUG',
        ENVIRONMENT: 'development',
        DEBUG: 'false',
        TABLE_NAME: { Ref: tableId },
      });
      // The cache's endpoint only where it is reachable (the VPC functions).
      if (f.Properties!.VpcConfig)
        expect(JSON.stringify(env.REDIS_URL), id).toMatch(/rediss:\/\/.*Endpoint\.Address.*Endpoint\.Port/);
      else expect(env.REDIS_URL, id).toBeUndefined();
      // No secret value in any environment (first-deploy.test.ts: who gets SECRET_KEY_ARN and may read it).
      expect(env.SECRET_KEY, id).toBeUndefined();
      expect(JSON.stringify(env), id).not.toContain('{{resolve:secretsmanager:');
      if (env.SECRET_KEY_ARN) expect(env.SECRET_KEY_ARN, id).toEqual({ Ref: secretId });
      expect(f.Properties!.TracingConfig, id).toBeUndefined();
    }
    s.template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: { PasswordLength: 64 } });
  });
});

describe('least privilege', () => {
  it('grants no wildcard actions and no AWS managed policies to the service functions', () => {
    for (const [id, f] of serviceFunctions()) {
      const roleId = refId(f.Properties!.Role)!;
      for (const st of roleStatements(s.json, roleId)) {
        for (const a of actionsOf(st)) expect(a, `${id}: ${a}`).not.toMatch(/\*/);
      }
      const managed = (s.json.Resources[roleId]!.Properties!.ManagedPolicyArns ?? []) as unknown[];
      for (const m of managed) expect(refId(m), `${id} uses only customer managed policies`).toBeDefined();
    }
  });

  it('scopes table access to the table itself, read-only for read routes and read/write for write routes', () => {
    const [[tableId]] = ofType(s.json, 'AWS::DynamoDB::Table');
    for (const r of ROUTES) {
      const fn = s.json.Resources[routeMethod(r).functionId!]!;
      const st = roleStatements(s.json, refId(fn.Properties!.Role)!);
      const dynamo = st.filter((x) => actionsOf(x).some((a) => a.startsWith('dynamodb:')));
      const actions = dynamo.flatMap(actionsOf);
      for (const x of dynamo) expect(refId(x.Resource), `${r.method} ${r.path}`).toBe(tableId);
      if (r.handler === 'openapi') {
        expect(actions, 'openapi never touches the table').toEqual([]);
      } else if (isWriteRoute(r)) {
        expect(actions, `${r.method} ${r.path}`).toEqual(
          expect.arrayContaining(['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:Query']),
        );
      } else {
        expect(actions, `${r.method} ${r.path}`).toEqual(
          expect.arrayContaining(['dynamodb:Query', 'dynamodb:GetItem']),
        );
        expect(
          actions.filter((a) => WRITE_ACTIONS.test(a)),
          `${r.method} ${r.path} cannot write`,
        ).toEqual([]);
      }
    }
  });

  it('lets each function write only its own logs', () => {
    for (const [id, f] of serviceFunctions()) {
      const logs = roleStatements(s.json, refId(f.Properties!.Role)!).filter((x) =>
        actionsOf(x).some((a) => a.startsWith('logs:')),
      );
      expect(
        logs.map((x) => refId(x.Resource)),
        id,
      ).toEqual([refId(f.Properties!.LoggingConfig.LogGroup)]);
    }
  });
});

describe('data and network', () => {
  it('table: pk/sk strings, on demand, PITR, TTL, deleted with a non-prod stage', () => {
    // One TTL attribute name: the store writes TABLE_KEYS.ttlAttribute, the stack deploys TTL_ATTRIBUTE.
    expect(TABLE_KEYS.ttlAttribute).toBe('expiresAt');
    expect(TTL_ATTRIBUTE).toBe(TABLE_KEYS.ttlAttribute);
    s.template.resourceCountIs('AWS::DynamoDB::Table', 1);
    s.template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      },
      DeletionPolicy: 'Delete',
    });
  });

  it('cache: Valkey serverless, admitting only the Lambda security group on 6379', () => {
    const [[, cache]] = ofType(s.json, 'AWS::ElastiCache::ServerlessCache');
    expect(cache.Properties!.Engine).toBe('valkey');
    const sgIds = (cache.Properties!.SecurityGroupIds as unknown[]).map(refId);
    expect(sgIds).toHaveLength(1);
    const cacheSg = s.json.Resources[sgIds[0]!]!;
    expect(cacheSg.Properties!.SecurityGroupIngress ?? []).toEqual([]);
    const ingress = ofType(s.json, 'AWS::EC2::SecurityGroupIngress').filter(
      ([, r]) => refId(r.Properties!.GroupId) === sgIds[0],
    );
    expect(ingress.map(([, r]) => r.Properties)).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 6379,
        ToPort: 6379,
        SourceSecurityGroupId: { 'Fn::GetAtt': [lambdaSgId(), 'GroupId'] },
      }),
    ]);
    // No CIDR anywhere can reach the cache, and the cache cannot call out.
    expect(JSON.stringify(ingress)).not.toContain('CidrIp');
    expect(cacheSg.Properties!.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '255.255.255.255/32' }),
    ]);
    // The cache lives in the same private subnets as the functions.
    const fnSubnets = vpcFunctions()[0]![1].Properties!.VpcConfig.SubnetIds.map(refId).sort();
    expect((cache.Properties!.SubnetIds as unknown[]).map(refId).sort()).toEqual(fnSubnets);
  });

  it('Lambda security group: no ingress; HTTPS out and the cache port to the cache group only', () => {
    const sg = s.json.Resources[lambdaSgId()]!;
    expect(sg.Properties!.SecurityGroupIngress ?? []).toEqual([]);
    expect(sg.Properties!.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 }),
    ]);
    const egress = ofType(s.json, 'AWS::EC2::SecurityGroupEgress').filter(
      ([, r]) => refId(r.Properties!.GroupId) === lambdaSgId(),
    );
    expect(egress.map(([, r]) => [r.Properties!.FromPort, r.Properties!.ToPort])).toEqual([[6379, 6379]]);
  });

  it('VPC: DynamoDB gateway endpoint on the function subnets, NAT egress, rejected-flow logs', () => {
    s.template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['.dynamodb'])] }),
      VpcEndpointType: 'Gateway',
    });
    s.template.resourceCountIs('AWS::EC2::NatGateway', 1);
    s.template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT' });
  });

  it('outputs the API URL and the API key id', () => {
    expect(Object.keys(s.json.Outputs ?? {})).toEqual(expect.arrayContaining(['ApiUrl', 'ApiKeyId', 'TableName']));
  });
});

describe('concern constructs in the main stack', () => {
  const fnId = (prefix: string) => {
    const ids = serviceFunctions()
      .map(([id]) => id)
      .filter((id) => id.startsWith(prefix));
    expect(ids, prefix).toHaveLength(1);
    return ids[0]!;
  };
  const topicId = (tier: string) => {
    const ids = ofType(s.json, 'AWS::SNS::Topic')
      .map(([id]) => id)
      .filter((id) => id.startsWith(`Monitoring${tier}Topic`));
    expect(ids, tier).toHaveLength(1);
    return ids[0]!;
  };

  it('ingestion: one schedule per interval family into the dispatcher; the health probe every minute', () => {
    const dispatcher = fnId('IngestionDispatcherFn');
    const rules = ofType(s.json, 'AWS::Events::Rule').map(([, r]) => r.Properties!);
    const families = rules
      .filter((r) => refId(r.Targets[0].Arn) === dispatcher)
      // The input is an InputTransformer template (event fields as <placeholders>): read the family from it.
      .map((r) => /"detail":\{"family":"(\w+)"\}/.exec(String(r.Targets[0].InputTransformer?.InputTemplate))?.[1])
      .sort();
    expect(families).toEqual(['daily', 'minute', 'quarter']);
    const probe = rules.filter((r) => refId(r.Targets[0].Arn) === fnId('HandlersHealthFn'));
    expect(probe).toEqual([expect.objectContaining({ ScheduleExpression: 'rate(1 minute)' })]);
  });

  it('ingestion: the queue redrives to its DLQ; the worker consumes it with partial batch failures', () => {
    const queues = ofType(s.json, 'AWS::SQS::Queue');
    const [[queueId, queue]] = queues.filter(([id]) => id.startsWith('IngestionQueue'));
    const dlqId = refId(queue!.Properties!.RedrivePolicy.deadLetterTargetArn)!;
    expect(dlqId).toMatch(/^IngestionDeadLetterQueue/);
    expect(queue!.Properties!.RedrivePolicy.maxReceiveCount).toBe(5);
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: fnId('IngestionWorkerFn') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('backfill API: the symbols write function gets the queue URL and may send to it (and nothing else may, but ingestion)', () => {
    const [[queueId]] = ofType(s.json, 'AWS::SQS::Queue').filter(([id]) => id.startsWith('IngestionQueue'));
    const writer = s.json.Resources[fnId('HandlersSymbolsWriteFn')]!;
    expect(refId(writer.Properties!.Environment.Variables.INGEST_QUEUE_URL)).toBe(queueId);
    const senders = serviceFunctions()
      .filter(([, f]) =>
        roleStatements(s.json, refId(f.Properties!.Role)!).some(
          (st) => actionsOf(st).includes('sqs:SendMessage') && refId(st.Resource) === queueId,
        ),
      )
      .map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))
      .sort();
    expect(senders).toEqual(['HandlersSymbolsWriteFn', 'IngestionDispatcherFn', 'IngestionWorkerFn']);
  });

  it('signal alerts: the worker publishes to the signal topic (SIGNAL_TOPIC_ARN) and links to the chart', () => {
    const signal = topicId('Signal');
    const worker = s.json.Resources[fnId('IngestionWorkerFn')]!;
    const env = worker.Properties!.Environment.Variables;
    expect(refId(env.SIGNAL_TOPIC_ARN)).toBe(signal);
    expect(JSON.stringify(env.CHART_BASE_URL)).toContain('DomainName');
    const publish = roleStatements(s.json, refId(worker.Properties!.Role)!).filter((st) =>
      actionsOf(st).includes('sns:Publish'),
    );
    expect(publish.map((st) => refId(st.Resource))).toEqual([signal]);
  });

  it('chart site: a distribution with the S3 origin (OAC) and /health, /api/* to the API', () => {
    s.template.resourceCountIs('AWS::CloudFront::Distribution', 1);
    s.template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        CacheBehaviors: [Match.objectLike({ PathPattern: '/health' }), Match.objectLike({ PathPattern: '/api/*' })],
      }),
    });
    s.template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    expect(Object.keys(s.json.Outputs ?? {}).some((k) => k.startsWith('ChartChartUrl'))).toBe(true);
  });

  it('monitoring: every alarm sends ALARM and OK to one tier topic; the ingestion DLQ alarms critical', () => {
    const tiers = new Set(['Critical', 'Warning', 'Info'].map(topicId));
    const alarms = ofType(s.json, 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(30);
    for (const [id, a] of alarms) {
      const actions = (a.Properties!.AlarmActions as unknown[]).map(refId);
      expect(actions, id).toHaveLength(1);
      expect(tiers.has(actions[0]!), `${id} → ${actions[0]}`).toBe(true);
      expect((a.Properties!.OKActions as unknown[]).map(refId), id).toEqual(actions);
    }
    const critical = topicId('Critical');
    const dlqAlarms = alarms.filter(([, a]) => String(a.Properties!.AlarmName).endsWith('critical-dlq-ingest'));
    expect(dlqAlarms).toHaveLength(1);
    expect((dlqAlarms[0]![1].Properties!.AlarmActions as unknown[]).map(refId)).toEqual([critical]);
    const names = alarms.map(([, a]) => a.Properties!.AlarmName as string);
    for (const n of [
      'critical-api-5xx-rate',
      'critical-health-check',
      'critical-dynamodb-system-errors',
      'critical-dlq-ingest',
      'critical-ingestion-lag',
      'warning-lambda-errors-ingest-worker',
      'warning-lambda-errors-ingest-dispatcher',
      'warning-lambda-errors-notifier',
      'warning-lambda-errors-klines-write',
      'warning-provider-errors',
      'info-cache-hit-rate',
    ])
      expect(names, n).toContain(`chan-analysis-dev-${n}`);
  });

  it('dashboards carry no Tags (CloudFormation rejects them); other resources are tagged', () => {
    const boards = ofType(s.json, 'AWS::CloudWatch::Dashboard');
    expect(boards).toHaveLength(3);
    for (const [id, b] of boards) expect(b.Properties!.Tags, id).toBeUndefined();
    s.template.hasResourceProperties('AWS::SQS::Queue', {
      Tags: Match.arrayWith([{ Key: 'project', Value: 'chan-analysis' }]),
    });
  });
});

describe('compliance', () => {
  it('cdk-nag AwsSolutions: zero unacknowledged findings', () => {
    const summary = s.nagViolations.map(
      (v) => `${v.ruleName}: ${v.description} @ ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`,
    );
    expect(summary).toEqual([]);
  });

  it('every acknowledgement carries a real reason', () => {
    const acks: [string, string, string][] = [];
    for (const c of s.stack.node.findAll()) {
      for (const m of c.node.metadata) {
        if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(m.data as Record<string, string>)) {
          if (id.includes('AwsSolutions')) acks.push([c.node.path, id, reason]);
        }
      }
    }
    expect(acks.length).toBeGreaterThan(0);
    for (const [path, id, reason] of acks) expect(reason.length, `${path} ${id}`).toBeGreaterThan(60);
  });

  it.runIf(hasCfnLint)('cfn-lint: clean', () => {
    const r = spawnSync('cfn-lint', [s.templatePath, '--ignore-checks', 'W3005'], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('URL sources', () => {
  it('no deployed function allows plain-http sources (ALLOW_HTTP_SOURCES is for the local runtime only)', () => {
    expect(serviceFunctions().length).toBeGreaterThan(0);
    for (const [id, f] of serviceFunctions()) {
      expect(f.Properties!.Environment?.Variables?.ALLOW_HTTP_SOURCES ?? 'false', id).toBe('false');
    }
  });
});
