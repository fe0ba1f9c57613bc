/** CDK context validation (lib/config.ts): bad values stop synth with a message naming the key. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';

const load = (ctx: Record<string, unknown>) => loadConfig((k) => ctx[k]);
const fails = (ctx: Record<string, unknown>, message: RegExp) => expect(() => load(ctx)).toThrow(message);
const ok = { corsOrigins: ['https://chart.example.com'] };

describe('context config', () => {
  it('defaults: dev stage, DEBUG logs, 14-day retention, one NAT, no tracing, the account logging role', () => {
    expect(load(ok)).toEqual({
      stage: 'dev',
      production: false,
      environment: 'development',
      corsOrigins: ['https://chart.example.com'],
      logLevel: 'DEBUG',
      logRetentionDays: 14,
      natGateways: 1,
      analysisConcurrency: 10,
      tracing: false,
      manageApiGatewayAccountRole: true,
    });
  });

  it('prod: INFO logs, 90-day retention, production environment', () => {
    expect(load({ ...ok, stage: 'prod' })).toMatchObject({
      production: true,
      environment: 'production',
      logLevel: 'INFO',
      logRetentionDays: 90,
    });
  });

  it('accepts command-line strings: JSON origin list, booleans, integers', () => {
    const c = load({
      corsOrigins: '["https://a.example","http://localhost:5173"]',
      tracing: 'true',
      natGateways: '2',
      logRetentionDays: '30',
      logLevel: 'warn',
    });
    expect(c).toMatchObject({
      corsOrigins: ['https://a.example', 'http://localhost:5173'],
      tracing: true,
      natGateways: 2,
      logRetentionDays: 30,
      logLevel: 'WARN',
    });
  });

  it('requires corsOrigins and says where to set it', () => {
    fails({}, /corsOrigins is required \(set it in cdk\.json "context" or with -c corsOrigins=/);
    fails({ corsOrigins: [] }, /corsOrigins must be a non-empty list/);
  });

  it.each([
    [['*'], /must not contain a wildcard/],
    [['https://*.example.com'], /must not contain a wildcard/],
    [['https://a.example/'], /not an exact origin/],
    [['https://a.example/app'], /not an exact origin/],
    [['a.example'], /not an exact origin/],
    [['http://a.example'], /must use https/],
    ['https://a.example', /must be a JSON list of origins/],
    [[42], /non-empty list of origin strings/],
  ])('rejects corsOrigins %j', (corsOrigins, message) => fails({ corsOrigins }, message));

  it.each([
    [{ stage: 'Prod' }, /stage must be lower-case/],
    [{ logRetentionDays: 10 }, /logRetentionDays must be one of 1, 3, 5, 7, 14, 30/],
    [{ natGateways: 3 }, /natGateways must be an integer in \[1, 2\]/],
    [{ tracing: 'yes' }, /tracing must be true or false, got "yes"/],
    [{ alarmEmail: 'ops' }, /alarmEmail must be an e-mail address/],
    [{ logLevel: 'LOUD' }, /logLevel must be one of/],
  ])('rejects %j', (bad, message) => fails({ ...ok, ...bad }, message));

  it('reports every problem at once', () => {
    expect(() => load({ corsOrigins: ['*'], stage: 'X', natGateways: 0 })).toThrow(
      /stage must be[\s\S]*wildcard[\s\S]*natGateways/,
    );
  });
});
