/**
 * Issue 10 A: the defects a first deploy of the DEFAULT synth (cdk.json as committed, handlers discovered from
 * functions/ as `cdk synth` does) would hit. Each check is derived from the template and, where only AWS would
 * evaluate something (resource policies), evaluated with an IAM simulator on the template resolved for a fixed
 * account and region.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { CfnElement } from 'aws-cdk-lib';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/routes.js';
import { isWriteRoute } from '../../lib/api.js';
import { esbuildOptions } from '../../lib/bundling.js';
import { PROJECT_ROOT } from '../../lib/chan-stack.js';
import { ServiceFunction } from '../../lib/service-function.js';
import { ACCOUNT, REGION, resolver } from './resolve.js';
import { methods, ofType, refId, synth, type CfnResourceJson, type Synthesized } from './synth.js';

let s: Synthesized;
beforeAll(() => {
  s = synth();
  if (s.error) throw s.error;
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON, read loosely
type Json = any;

/** A service principal's request against a resource policy only (service principals have no identity policy). */
async function serviceMayCall(opts: {
  service: string;
  action: string;
  resource: string;
  policy: Json | undefined;
  context: Record<string, string>;
}): Promise<boolean> {
  if (!opts.policy) return false; // no resource policy: nothing allows a service principal in
  const r = await runSimulation(
    {
      request: {
        principal: opts.service,
        action: opts.action,
        resource: { resource: opts.resource, accountId: ACCOUNT },
        contextVariables: { 'aws:SecureTransport': 'true', ...opts.context },
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: opts.policy,
    },
    {},
  );
  if (r.resultType !== 'single') throw new Error(`simulation failed: ${JSON.stringify(r)}`);
  return r.result.analysis.result === 'Allowed';
}

describe('1. a first deploy into a fresh account', () => {
  it('every stage that logs has the account-level CloudWatch role, created before the stage and kept on deletion', () => {
    const logging = ofType(s.json, 'AWS::ApiGateway::Stage').filter(
      ([, st]) =>
        st.Properties!.AccessLogSetting ||
        (st.Properties!.MethodSettings ?? []).some((m: Json) => m.LoggingLevel && m.LoggingLevel !== 'OFF'),
    );
    expect(logging.length).toBeGreaterThan(0);
    const accounts = ofType(s.json, 'AWS::ApiGateway::Account');
    expect(accounts, 'AWS::ApiGateway::Account (the account logging setting)').toHaveLength(1);
    const [[accountId, account]] = accounts as [[string, CfnResourceJson & { DependsOn?: string[] }]];
    expect(account.DeletionPolicy).toBe('Retain');
    const roleId = refId(account.Properties!.CloudWatchRoleArn)!;
    const role = s.json.Resources[roleId]!;
    expect(role.DeletionPolicy).toBe('Retain');
    expect(role.Properties!.AssumeRolePolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'apigateway.amazonaws.com' },
      }),
    );
    expect(JSON.stringify(role.Properties!.ManagedPolicyArns)).toContain(
      'service-role/AmazonAPIGatewayPushToCloudWatchLogs',
    );
    for (const [id, st] of logging) {
      expect((st as CfnResourceJson & { DependsOn?: string[] }).DependsOn ?? [], id).toContain(accountId);
    }
  });
});

describe('2. alarm actions can publish to their topics', () => {
  const alarmTargets = () => {
    const edges: { alarm: string; topicId: string }[] = [];
    for (const [id, a] of ofType(s.json, 'AWS::CloudWatch::Alarm')) {
      for (const action of [...(a.Properties!.AlarmActions ?? []), ...(a.Properties!.OKActions ?? [])]) {
        const topicId = refId(action);
        expect(topicId, `${id}: action is a topic of this stack`).toBeDefined();
        edges.push({ alarm: a.Properties!.AlarmName ?? id, topicId: topicId! });
      }
    }
    return edges;
  };
  const topicPolicy = (topicId: string) => {
    const policies = ofType(s.json, 'AWS::SNS::TopicPolicy').filter(([, p]) =>
      (p.Properties!.Topics as Json[]).some((t) => refId(t) === topicId),
    );
    expect(policies.length, `${topicId}: at most one topic policy`).toBeLessThanOrEqual(1);
    return policies[0]?.[1].Properties!.PolicyDocument;
  };

  it('every ALARM and OK action: cloudwatch.amazonaws.com may sns:Publish for an alarm of this account', async () => {
    const { resolve, arnOf } = resolver(s.json);
    const edges = alarmTargets();
    expect(edges.length).toBeGreaterThan(100);
    const denied: string[] = [];
    for (const { alarm, topicId } of edges) {
      const ok = await serviceMayCall({
        service: 'cloudwatch.amazonaws.com',
        action: 'sns:Publish',
        resource: arnOf(topicId),
        policy: resolve(topicPolicy(topicId)),
        context: {
          'aws:SourceAccount': ACCOUNT,
          'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${alarm}`,
        },
      });
      if (!ok) denied.push(`${alarm} → ${topicId}`);
    }
    console.log(`alarm actions evaluated: ${edges.length}, denied: ${denied.length}`);
    expect(denied).toEqual([]);
  });

  it('…but not for alarms of another account or region, nor for other CloudWatch resources (confused deputy)', async () => {
    const { resolve, arnOf } = resolver(s.json);
    const topics = [...new Set(alarmTargets().map((e) => e.topicId))];
    expect(topics).toHaveLength(3);
    const other = '210987654321';
    for (const topicId of topics) {
      const attempt = (sourceAccount: string, sourceArn: string) =>
        serviceMayCall({
          service: 'cloudwatch.amazonaws.com',
          action: 'sns:Publish',
          resource: arnOf(topicId),
          policy: resolve(topicPolicy(topicId)),
          context: { 'aws:SourceAccount': sourceAccount, 'aws:SourceArn': sourceArn },
        });
      expect(await attempt(other, `arn:aws:cloudwatch:${REGION}:${other}:alarm:x`), topicId).toBe(false);
      expect(await attempt(ACCOUNT, `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:x`), topicId).toBe(false);
      expect(await attempt(ACCOUNT, `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:dashboard/x`), topicId).toBe(false);
      // And the TLS-only statement still holds.
      const plain = await runSimulation(
        {
          request: {
            principal: 'cloudwatch.amazonaws.com',
            action: 'sns:Publish',
            resource: { resource: arnOf(topicId), accountId: ACCOUNT },
            contextVariables: {
              'aws:SecureTransport': 'false',
              'aws:SourceAccount': ACCOUNT,
              'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:x`,
            },
          },
          identityPolicies: [],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          resourcePolicy: resolve(topicPolicy(topicId)),
        },
        {},
      );
      expect(plain.resultType === 'single' && plain.result.analysis.result, topicId).toBe('ExplicitlyDenied');
    }
  });
});

/**
 * What a bundle does with the cache, from the code itself: esbuild builds the entry exactly as the deployed
 * bundle is built (tree-shaken), and the bundle "uses the cache" when code that survives into it calls the
 * process cache (`cache.get/set/del/mget/probe` on the deps' cache) or holds the cached series service
 * (functions/common/series.ts). functions/cache/ (the cache's own implementation) is not counted itself.
 */
const CACHE_CALL = /(?<!this\.)\bcache\.(?:get|set|del|mget|probe)\(/;
async function bundleCallsCache(entry: string): Promise<string[]> {
  const r = await build({ ...esbuildOptions(entry, PROJECT_ROOT), write: false, metafile: true, logLevel: 'silent' });
  const [output] = Object.values(r.metafile.outputs).filter((o) => o.entryPoint);
  return Object.entries(output!.inputs)
    .filter(([f, i]) => i.bytesInOutput > 0 && f.startsWith('functions/') && !f.startsWith('functions/cache/'))
    .map(([f]) => f)
    .filter((f) => f === 'functions/common/series.ts' || CACHE_CALL.test(readFileSync(join(PROJECT_ROOT, f), 'utf8')));
}

describe('3. only the functions that use the cache run in the VPC', () => {
  it('each function is in the VPC (with REDIS_URL) exactly when its bundle calls the cache', async () => {
    const fns = s.stack.node.findAll().filter((c): c is ServiceFunction => c instanceof ServiceFunction);
    expect(fns.length).toBeGreaterThan(15);
    const rows: string[] = [];
    for (const fn of fns) {
      const callers = await bundleCallsCache(fn.entry);
      const id = s.stack.getLogicalId(fn.function.node.defaultChild as CfnElement);
      const props = s.json.Resources[id]!.Properties!;
      rows.push(`${fn.node.path}: ${callers.length ? `VPC (${callers.join(', ')})` : 'outside'}`);
      expect(fn.usesCache, `${fn.node.path} usesCache vs its code (${callers.join(', ')})`).toBe(callers.length > 0);
      expect(!!props.VpcConfig, `${fn.node.path} VpcConfig`).toBe(fn.usesCache);
      expect(props.Environment.Variables.REDIS_URL !== undefined, `${fn.node.path} REDIS_URL`).toBe(fn.usesCache);
    }
    console.log(rows.join('\n'));
  }, 300_000);

  it('the notifier and the dispatcher run outside the VPC (chat delivery and scheduling do not depend on the NAT)', () => {
    for (const id of ['Monitoring/Notifier', 'Ingestion/Dispatcher']) {
      const fn = s.stack.node.findChild(id.split('/')[0]!).node.findChild(id.split('/')[1]!) as ServiceFunction;
      const logical = s.stack.getLogicalId(fn.function.node.defaultChild as CfnElement);
      expect(s.json.Resources[logical]!.Properties!.VpcConfig, id).toBeUndefined();
      // No ENI permissions either.
      expect(
        s.json.Resources[s.stack.getLogicalId(fn.role.node.defaultChild as CfnElement)]!.Properties!
          .ManagedPolicyArns ?? [],
        id,
      ).toEqual([]);
    }
  });
});

/** May a function's execution role make this call (identity policies only: the target has no resource policy)? */
async function roleMayCall(fnPath: string, action: string, resource: string): Promise<boolean> {
  const fn = s.stack.node.findAll().find((c) => c.node.path === fnPath) as ServiceFunction;
  const roleId = s.stack.getLogicalId(fn.role.node.defaultChild as CfnElement);
  const { resolve } = resolver(s.json);
  const identityPolicies = ofType(s.json, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties!.Roles as Json[]).some((r) => refId(r) === roleId))
    .map(([id, p]) => ({ name: id, policy: resolve(p.Properties!.PolicyDocument) }));
  const r = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${ACCOUNT}:role/${roleId}`,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: {},
      },
      identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (r.resultType !== 'single') throw new Error(`simulation failed: ${JSON.stringify(r)}`);
  return r.result.analysis.result === 'Allowed';
}

describe('7. /health: through CloudFront, and the cache resource state beside its PING', () => {
  it('CloudFront routes /health (and /api/*) to the API origin', () => {
    const [[, dist]] = ofType(s.json, 'AWS::CloudFront::Distribution');
    const patterns = (dist!.Properties!.DistributionConfig.CacheBehaviors as Json[]).map((b) => b.PathPattern);
    expect(patterns).toEqual(expect.arrayContaining(['/health', '/api/*']));
  });

  it('the health function knows its cache (CACHE_NAME) and may describe exactly that cache', async () => {
    const path = `${s.stack.node.path}/Handlers/Health`;
    const fn = s.stack.node.findAll().find((c) => c.node.path === path) as ServiceFunction;
    const env =
      s.json.Resources[s.stack.getLogicalId(fn.function.node.defaultChild as CfnElement)]!.Properties!.Environment
        .Variables;
    const [[cacheId]] = ofType(s.json, 'AWS::ElastiCache::ServerlessCache');
    expect(env.CACHE_NAME).toEqual({ Ref: cacheId });
    const { arnOf } = resolver(s.json);
    expect(await roleMayCall(path, 'elasticache:DescribeServerlessCaches', arnOf(cacheId!))).toBe(true);
    const other = `arn:aws:elasticache:${REGION}:${ACCOUNT}:serverlesscache:someone-elses`;
    expect(await roleMayCall(path, 'elasticache:DescribeServerlessCaches', other)).toBe(false);
  });
});

describe('6. writes need IAM (SigV4); POST /analysis has its own throttle and concurrency ceiling', () => {
  it('every write route of the table requires AWS_IAM and the API key; reads neither', () => {
    for (const r of ROUTES) {
      const m = methods(s.json).find((x) => x.path === r.path && x.httpMethod === r.method)!;
      expect(m.props.AuthorizationType, `${r.method} ${r.path}`).toBe(isWriteRoute(r) ? 'AWS_IAM' : 'NONE');
      expect(m.props.ApiKeyRequired, `${r.method} ${r.path}`).toBe(isWriteRoute(r));
    }
  });

  it('the writers policy lets its holder invoke exactly the write routes of this stage', async () => {
    const { resolve } = resolver(s.json);
    const [[policyId, policy]] = ofType(s.json, 'AWS::IAM::ManagedPolicy').filter(([id]) =>
      id.startsWith('ApiWritersPolicy'),
    ) as [[string, CfnResourceJson]];
    const [[apiId]] = ofType(s.json, 'AWS::ApiGateway::RestApi');
    const stage = s.stack.platform.config.stage;
    const invoke = async (method: string, path: string, stageName = stage) => {
      const r = await runSimulation(
        {
          request: {
            principal: `arn:aws:iam::${ACCOUNT}:role/operator`,
            action: 'execute-api:Invoke',
            resource: {
              resource: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${apiId}/${stageName}/${method}${path}`,
              accountId: ACCOUNT,
            },
            contextVariables: {},
          },
          identityPolicies: [{ name: policyId, policy: resolve(policy.Properties!.PolicyDocument) }],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
        },
        {},
      );
      return r.resultType === 'single' && r.result.analysis.result === 'Allowed';
    };
    const writes = ROUTES.filter(isWriteRoute);
    expect(writes.length).toBeGreaterThan(3);
    for (const r of writes) {
      const concrete = r.path.replace(/\{\w+\}/g, 'BTCUSDT');
      expect(await invoke(r.method, concrete), `${r.method} ${concrete}`).toBe(true);
      expect(await invoke(r.method, concrete, 'other'), `${r.method} ${concrete} on another stage`).toBe(false);
    }
    // Nothing else: a method no write route has, and a read route.
    expect(await invoke('PATCH', '/api/v1/symbols/BTCUSDT')).toBe(false);
    expect(await invoke('GET', '/api/v1/symbols')).toBe(false);
  });

  it('POST /api/v1/analysis: its own function with reserved concurrency, behind a burst no larger than it', () => {
    const route = ROUTES.find((r) => r.method === 'POST' && r.path === '/api/v1/analysis')!;
    const post = methods(s.json).find((x) => x.path === route.path && x.httpMethod === 'POST')!;
    const get = methods(s.json).find((x) => x.path === '/api/v1/analysis/{symbol}' && x.httpMethod === 'GET')!;
    expect(post.functionId).not.toBe(get.functionId);
    const reserved = s.json.Resources[post.functionId!]!.Properties!.ReservedConcurrentExecutions as number;
    expect(reserved).toBe(s.stack.platform.config.analysisConcurrency);
    expect(reserved).toBeGreaterThan(0);
    const [[, stageRes]] = ofType(s.json, 'AWS::ApiGateway::Stage');
    const setting = (stageRes!.Properties!.MethodSettings as Json[]).find(
      (m) => m.HttpMethod === 'POST' && m.ResourcePath === '/~1api~1v1~1analysis',
    )!;
    expect(setting.ThrottlingBurstLimit).toBeLessThanOrEqual(reserved);
    // Nothing else of the service reserves concurrency, and the account keeps its 100 unreserved executions.
    const all = ofType(s.json, 'AWS::Lambda::Function').map(([, f]) => f.Properties!.ReservedConcurrentExecutions ?? 0);
    expect(all.reduce((a: number, b: number) => a + b, 0)).toBe(reserved);
    expect(reserved).toBeLessThanOrEqual(1000 - 100);
  });
});

describe('5. secrets are read at run time, only by the functions that need them', () => {
  const fns = () => s.stack.node.findAll().filter((c): c is ServiceFunction => c instanceof ServiceFunction);
  const envOf = (fn: ServiceFunction) =>
    s.json.Resources[s.stack.getLogicalId(fn.function.node.defaultChild as CfnElement)]!.Properties!.Environment
      .Variables;

  it('no function environment holds a secret value (no SECRET_KEY, no dynamic reference)', () => {
    for (const fn of fns()) {
      const env = envOf(fn);
      expect(env.SECRET_KEY, fn.node.path).toBeUndefined();
      expect(JSON.stringify(env), fn.node.path).not.toMatch(/resolve:secretsmanager/);
    }
  });

  it('SECRET_KEY_ARN goes only to functions whose code reads it, each allowed to read that one secret', async () => {
    const [[appSecretId]] = ofType(s.json, 'AWS::SecretsManager::Secret').filter(([id]) => id.startsWith('Secret'));
    const [[webhooksId]] = ofType(s.json, 'AWS::SecretsManager::Secret').filter(([id]) =>
      id.startsWith('MonitoringWebhooks'),
    );
    const { arnOf } = resolver(s.json);
    const holders: string[] = [];
    for (const fn of fns()) {
      const r = await build({
        ...esbuildOptions(fn.entry, PROJECT_ROOT),
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
      const [output] = Object.values(r.metafile.outputs).filter((o) => o.entryPoint);
      const readsSecretKey = (output!.inputs['functions/common/secrets.ts']?.bytesInOutput ?? 0) > 0;
      const env = envOf(fn);
      if (env.SECRET_KEY_ARN) {
        holders.push(fn.node.path);
        expect(readsSecretKey, `${fn.node.path} has SECRET_KEY_ARN but its code never reads it`).toBe(true);
        expect(env.SECRET_KEY_ARN).toEqual({ Ref: appSecretId });
      }
      const mayRead = await roleMayCall(fn.node.path, 'secretsmanager:GetSecretValue', arnOf(appSecretId!));
      expect(mayRead, `${fn.node.path} may read SECRET_KEY`).toBe(!!env.SECRET_KEY_ARN);
      // The webhook list: the notifier alone.
      const mayReadHooks = await roleMayCall(fn.node.path, 'secretsmanager:GetSecretValue', arnOf(webhooksId!));
      expect(mayReadHooks, `${fn.node.path} may read the webhooks`).toBe(!!env.WEBHOOKS_SECRET_ARN);
    }
    // GET /api/v1/jobs/{id} signs its page cursors: the only reader (not POST /jobs, not the job tasks).
    expect(holders).toEqual([`${s.stack.node.path}/Handlers/Jobs`]);
  }, 300_000);
});
