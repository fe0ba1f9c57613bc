/**
 * Secrets at run time: read from Secrets Manager by the functions that need them (their environment holds only
 * the secret's ARN, so lambda:GetFunctionConfiguration reveals nothing), through Powertools Parameters, which keeps
 * each value for SECRET_MAX_AGE_S per warm instance: one Secrets Manager call per cold start and per interval,
 * and a rotated value reaches running functions within that interval without a deploy.
 *
 * Locally (npm start, tests) there is no Secrets Manager: the value comes from the environment instead
 * (SECRET_KEY, local/env.ts DEV_DEFAULTS), and callers do not see the difference.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ConfigError, getConfig } from './config.js';

export const SECRET_MAX_AGE_S = 300;

/** A secret's string value, cached for SECRET_MAX_AGE_S. A missing or binary value is a configuration error. */
export async function readSecretString(arn: string): Promise<string> {
  const value = await getSecret(arn, { maxAge: SECRET_MAX_AGE_S });
  if (typeof value !== 'string' || value === '') {
    throw new ConfigError([`the secret ${arn} has no string value; put one (aws secretsmanager put-secret-value)`]);
  }
  return value;
}

/**
 * The service's SECRET_KEY (signs the jobs API's page cursors): SECRET_KEY where set (local), else the secret
 * SECRET_KEY_ARN names (deployed). A function that needs it and has neither fails with a configuration error
 * naming both, and retrying cannot help until the stack or environment is fixed.
 */
export async function getSecretKey(): Promise<string> {
  const { secretKey, secretKeyArn } = getConfig();
  if (secretKey !== undefined) return secretKey;
  if (secretKeyArn === undefined) {
    throw new ConfigError([
      'SECRET_KEY is not configured: deployed functions that use it get SECRET_KEY_ARN from the stack; locally set SECRET_KEY (at least 16 characters)',
    ]);
  }
  const value = await readSecretString(secretKeyArn);
  if (value.length < 16) throw new ConfigError([`the secret SECRET_KEY_ARN names is shorter than 16 characters`]);
  return value;
}

/**
 * A market-data provider's token: `value` where set (local: the environment), else the secret `arn` names
 * (deployed), else undefined (the provider then fails with a clear "not configured" reason). Never logged.
 */
export async function getProviderToken(source: { value?: string; arn?: string }): Promise<string | undefined> {
  if (source.value) return source.value;
  if (source.arn) return readSecretString(source.arn);
  return undefined;
}
