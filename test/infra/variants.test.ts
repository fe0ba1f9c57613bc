/**
 * The prod-shaped stack: retention and deletion protection, INFO logs, tracing, the account-level API Gateway
 * role, one CORS origin, two NAT gateways, and handlers discovered from functions/ as `cdk synth` does.
 * cdk-nag and cfn-lint must stay clean with every conditional acknowledgement in play.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/routes.js';
import { PROJECT_ROOT } from '../../lib/chan-stack.js';
import { methods, ofType, synth, type Synthesized } from './synth.js';

const ORIGIN = 'https://chart.example.com';
let s: Synthesized;
/** Which handler files exist, read right before synthesis (others add handlers while the suite runs). */
let present: (group: string) => boolean;
beforeAll(() => {
  const exists = new Set(
    ROUTES.map((r) => r.handler).filter((g) => existsSync(join(PROJECT_ROOT, 'functions', g, 'handler.ts'))),
  );
  present = (g) => exists.has(g as never);
  s = synth({ stage: 'prod', corsOrigins: [ORIGIN], tracing: true, manageApiGatewayAccountRole: true, natGateways: 2 });
  if (s.error) throw s.error;
});

const hasCfnLint = spawnSync('cfn-lint', ['--version'], { stdio: 'ignore' }).status === 0;
const serviceFunctions = () => ofType(s.json, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('Handlers'));

describe('prod stage', () => {
  it('keeps data and logs: table, secret and log groups retained; table deletion-protected; stack termination-protected', () => {
    s.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
    s.template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    for (const [id, lg] of ofType(s.json, 'AWS::Logs::LogGroup')) {
      expect(lg.DeletionPolicy, id).toBe('Retain');
      expect(lg.Properties!.RetentionInDays, id).toBe(90);
    }
    expect(s.stack.terminationProtection).toBe(true);
    expect(s.stack.stackName).toBe('ChanAnalysis-prod');
  });

  it('runs functions at INFO in the production environment, traced', () => {
    expect(serviceFunctions().length).toBeGreaterThan(0);
    for (const [id, f] of serviceFunctions()) {
      expect(f.Properties!.Environment.Variables, id).toMatchObject({ LOG_LEVEL: 'INFO', ENVIRONMENT: 'production' });
      expect(f.Properties!.TracingConfig, id).toEqual({ Mode: 'Active' });
    }
    s.template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'prod', TracingEnabled: true });
  });

  it('creates the account-level API Gateway logging role and keeps it on stack deletion', () => {
    s.template.resourceCountIs('AWS::ApiGateway::Account', 1);
    s.template.hasResource('AWS::IAM::Role', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        AssumeRolePolicyDocument: Match.objectLike({
          Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })],
        }),
      }),
    });
  });

  it('adds the single CORS origin to the gateway error responses', () => {
    for (const [id, g] of ofType(s.json, 'AWS::ApiGateway::GatewayResponse')) {
      expect(g.Properties!.ResponseParameters['gatewayresponse.header.Access-Control-Allow-Origin'], id).toBe(
        `'${ORIGIN}'`,
      );
    }
  });

  it('uses a NAT gateway per AZ when asked', () => {
    s.template.resourceCountIs('AWS::EC2::NatGateway', 2);
  });
});

describe('handler discovery (what `cdk synth` deploys)', () => {
  it('wires a route exactly when functions/<group>/handler.ts exists, and warns about the others', () => {
    const api = methods(s.json).filter((m) => m.httpMethod !== 'OPTIONS');
    for (const r of ROUTES) {
      const wired = api.some((m) => m.path === r.path && m.httpMethod === r.method);
      expect(wired, `${r.method} ${r.path}`).toBe(present(r.handler));
    }
    const missing = ROUTES.filter((r) => !present(r.handler));
    const warnings = Annotations.fromStack(s.stack).findWarning(
      '*',
      Match.stringLikeRegexp('Routes without a handler'),
    );
    expect(warnings.length).toBe(missing.length > 0 ? 1 : 0);
  });
});

describe('compliance with every option on', () => {
  it('cdk-nag AwsSolutions: zero unacknowledged findings', () => {
    expect(
      s.nagViolations.map((v) => `${v.ruleName} @ ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`),
    ).toEqual([]);
  });

  it.runIf(hasCfnLint)('cfn-lint: clean', () => {
    const r = spawnSync('cfn-lint', [s.templatePath, '--ignore-checks', 'W3005'], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
