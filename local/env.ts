/**
 * Environment for running the handlers outside Lambda (local runtime, tests, benches). The values in DEV_DEFAULTS
 * are DEVELOPMENT-ONLY stand-ins, applied only where a variable is unset and only by local/start.ts and the test
 * helpers; deployed Lambdas get their environment from the CDK stack, never SECRET_KEY: the functions that need it
 * read the secret SECRET_KEY_ARN names at run time (functions/common/secrets.ts).
 */
export const DEV_DEFAULTS: Record<string, string> = {
  ENVIRONMENT: 'development',
  // DEV VALUE ONLY — never used by a deployed function.
  SECRET_KEY: 'dev-only-secret-key-not-for-production',
  // DEV VALUE ONLY — the API key the local adapter accepts on write routes.
  API_KEY: 'dev-api-key-local-only',
  CORS_ORIGINS: '["http://localhost:5173","http://127.0.0.1:5173"]',
  TABLE_NAME: 'chan-analysis-local',
  AWS_REGION: 'us-east-1',
  // dynalite ignores credentials, the SDK insists on having some.
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  POWERTOOLS_METRICS_DISABLED: 'true',
  // Local fake providers and data files are served over plain http on 127.0.0.1; deployed functions refuse
  // http:// sources (their security group allows egress on 443 only).
  ALLOW_HTTP_SOURCES: 'true',
  // The SDK prints a Node-version support notice in some versions: noise in local runs.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

export function applyDefaults(defaults: Record<string, string>, env: NodeJS.ProcessEnv = process.env): void {
  for (const [k, v] of Object.entries(defaults)) if (env[k] === undefined || env[k] === '') env[k] = v;
}

/** Forget per-process config, dependencies and loggers so a changed environment takes effect. */
export async function resetRuntime(): Promise<void> {
  const [{ resetConfig }, { resetDeps }, { resetObservability }] = await Promise.all([
    import('../functions/common/config.js'),
    import('../functions/common/deps.js'),
    import('../functions/common/observability.js'),
  ]);
  await resetDeps();
  resetConfig();
  resetObservability();
}
