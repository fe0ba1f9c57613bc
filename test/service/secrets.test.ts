/**
 * SECRET_KEY at run time (functions/common/secrets.ts): from the environment locally, from Secrets Manager (by
 * SECRET_KEY_ARN, cached) when deployed, and a configuration error naming both when a function has neither.
 * Secrets Manager has no local stand-in, so its API is mocked (aws-sdk-client-mock); the code under test is real.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, resetConfig } from '../../functions/common/config.js';
import { getSecretKey, SECRET_MAX_AGE_S } from '../../functions/common/secrets.js';

const ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:SecretKey-AbCdEf';
const sm = mockClient(SecretsManagerClient);
const saved = { ...process.env };

function env(vars: Record<string, string | undefined>) {
  for (const k of ['SECRET_KEY', 'SECRET_KEY_ARN']) delete process.env[k];
  Object.assign(process.env, { TABLE_NAME: 'chan-table', AWS_REGION: 'eu-central-1' }, vars);
  resetConfig();
}

beforeEach(() => sm.reset());
afterEach(() => {
  process.env = { ...saved };
  resetConfig();
});

describe('getSecretKey', () => {
  it('locally: SECRET_KEY from the environment, and Secrets Manager is never called', async () => {
    env({ SECRET_KEY: 'local-secret-key-0123' });
    expect(await getSecretKey()).toBe('local-secret-key-0123');
    expect(sm.calls()).toHaveLength(0);
  });

  it(`deployed: the secret SECRET_KEY_ARN names, read once and kept for ${SECRET_MAX_AGE_S} s`, async () => {
    env({ SECRET_KEY_ARN: ARN });
    sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: 'k'.repeat(64) });
    expect(await getSecretKey()).toBe('k'.repeat(64));
    expect(await getSecretKey()).toBe('k'.repeat(64));
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('neither: a configuration error naming both variables', async () => {
    env({});
    await expect(getSecretKey()).rejects.toThrow(ConfigError);
    await expect(getSecretKey()).rejects.toThrow(/SECRET_KEY_ARN .*SECRET_KEY/);
  });

  it('a secret too short to sign with is refused', async () => {
    env({ SECRET_KEY_ARN: ARN.replace('AbCdEf', 'Short1') });
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'short' });
    await expect(getSecretKey()).rejects.toThrow(/shorter than 16 characters/);
  });
});
