/**
 * Issue 10 A: the defects a first deploy of the DEFAULT synth (cdk.json as committed, handlers discovered from
 * functions/ as `cdk synth` does) would hit. Each check is derived from the template and, where only AWS would
 * evaluate something (resource policies), evaluated with an IAM simulator on the template resolved for a fixed
 * account and region.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, REGION, resolver } from './resolve.js';
import { ofType, refId, synth, type CfnResourceJson, type Synthesized } from './synth.js';

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
