/**
 * Template assertions on the stack with every handler group present (stub entries), two CORS origins and the
 * cdk.json defaults otherwise; plus cdk-nag (AwsSolutions, zero unacknowledged findings) and cfn-lint.
 */
import { spawnSync } from 'node:child_process';
import { Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, STAGE_THROTTLE } from '../../functions/routes.js';
import { isWriteRoute } from '../../lib/api.js';
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

/** The CDK-internal Lambda that empties the VPC's default security group (not one of ours; see network.ts). */
const isCdkProvider = (id: string) => id.startsWith('CustomVpcRestrictDefaultSG');
const serviceFunctions = () => ofType(s.json, 'AWS::Lambda::Function').filter(([id]) => !isCdkProvider(id));
const lambdaSgId = () => {
  const ids = new Set(serviceFunctions().map(([, f]) => refId(f.Properties!.VpcConfig.SecurityGroupIds[0])));
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
    // cloudWatchRole: false by default: no account-wide role owned by this stack.
    s.template.resourceCountIs('AWS::ApiGateway::Account', 0);
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
      expect(fnId).toMatch(isWriteRoute(r) ? /Write/ : /^Handlers[A-Z][a-z]+Fn/);
    }
    expect(serviceFunctions()).toHaveLength(9); // health, openapi, analysis + (symbols, klines, jobs) × (read, write)
    expect(ofType(s.json, 'AWS::Lambda::Function').filter(([id]) => isCdkProvider(id))).toHaveLength(1);
  });

  it('all run Node 24 on arm64 in the VPC with the Lambda security group', () => {
    const sg = lambdaSgId();
    for (const [id, f] of serviceFunctions()) {
      expect(f.Properties!.Runtime, id).toMatch(/^nodejs2[24]\.x$/);
      expect(f.Properties!.Architectures, id).toEqual(['arm64']);
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
      expect(JSON.stringify(env.REDIS_URL), id).toMatch(/rediss:\/\/.*Endpoint\.Address.*Endpoint\.Port/);
      expect(JSON.stringify(env.SECRET_KEY), id).toContain('{{resolve:secretsmanager:');
      expect(refId(env.SECRET_KEY['Fn::Join'][1][1]), id).toBe(secretId);
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
    const fnSubnets = serviceFunctions()[0]![1].Properties!.VpcConfig.SubnetIds.map(refId).sort();
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
