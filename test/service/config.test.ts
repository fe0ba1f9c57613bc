/** Config: one schema, fail fast with the variable named, DEBUG off, INFO in production, no wildcard CORS. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, wiringConfig } from '../../functions/common/config.js';
import { checkCorsOrigins } from '../../functions/common/cors-origins.js';
import { klineExpiresAt, retentionStart, type KlineRetentionDays } from '../../functions/store/retention.js';
import { DEV_DEFAULTS } from '../../local/env.js';

const base = { SECRET_KEY: 'x'.repeat(32), TABLE_NAME: 'chan-table' };

describe('config', () => {
  it('applies the predecessor defaults: DEBUG off, INFO in production, /api/v1, chanpy preset', () => {
    const c = loadConfig(base);
    expect(c.debug).toBe(false);
    expect(c.environment).toBe('production');
    expect(c.logLevel).toBe('INFO');
    expect(c.apiPrefix).toBe('/api/v1');
    expect(c.defaultPreset).toBe('chanpy');
    expect(c.corsOrigins).toEqual([]);
    expect(c.redisUrl).toBeUndefined();
  });

  it('refuses plain-http URL sources unless ALLOW_HTTP_SOURCES is set (only the local runtime sets it)', () => {
    expect(loadConfig(base).allowHttpSources).toBe(false);
    expect(loadConfig({ ...base, ENVIRONMENT: 'development' }).allowHttpSources).toBe(false);
    expect(loadConfig({ ...base, ALLOW_HTTP_SOURCES: 'true' }).allowHttpSources).toBe(true);
    expect(loadConfig({ ...base, ...DEV_DEFAULTS }).allowHttpSources).toBe(true);
    expect(() => loadConfig({ ...base, ALLOW_HTTP_SOURCES: 'maybe' })).toThrow(
      /ALLOW_HTTP_SOURCES must be true or false/,
    );
  });

  it('uses DEBUG logs in development', () => {
    expect(loadConfig({ ...base, ENVIRONMENT: 'development' }).logLevel).toBe('DEBUG');
    expect(loadConfig({ ...base, DEBUG: 'true' }).logLevel).toBe('DEBUG');
    expect(loadConfig({ ...base, ENVIRONMENT: 'development', LOG_LEVEL: 'warn' }).logLevel).toBe('WARN');
  });

  it('SECRET_KEY is not needed to start (deployed functions read it at run time), but is 16+ characters when set', () => {
    expect(loadConfig({ TABLE_NAME: 't-table' }).secretKey).toBeUndefined();
    expect(() => loadConfig({ TABLE_NAME: 't-table', SECRET_KEY: 'short' })).toThrow(ConfigError);
    expect(() => loadConfig({ TABLE_NAME: 't-table', SECRET_KEY: 'short' })).toThrow(/SECRET_KEY must be at least 16/);
    expect(() => loadConfig({ TABLE_NAME: 't-table', SECRET_KEY_ARN: 'my-secret' })).toThrow(
      /SECRET_KEY_ARN must be the ARN of a Secrets Manager secret/,
    );
  });

  it('rejects a wildcard CORS origin and non-JSON lists', () => {
    expect(() => loadConfig({ ...base, CORS_ORIGINS: '["*"]' })).toThrow(/CORS_ORIGINS must not contain a wildcard/);
    expect(() => loadConfig({ ...base, CORS_ORIGINS: '["https://*.example.com"]' })).toThrow(/wildcard/);
    expect(() => loadConfig({ ...base, CORS_ORIGINS: 'https://a.example.com' })).toThrow(
      /CORS_ORIGINS must be a JSON list/,
    );
    expect(() => loadConfig({ ...base, CORS_ORIGINS: '["https://a.example.com/path"]' })).toThrow(/is not an origin/);
    expect(
      loadConfig({ ...base, CORS_ORIGINS: '["https://a.example.com","http://localhost:5173"]' }).corsOrigins,
    ).toEqual(['https://a.example.com', 'http://localhost:5173']);
  });

  it('validates REDIS_URL, picks cluster mode for rediss:// and rejects junk booleans and numbers', () => {
    const tls = loadConfig({ ...base, REDIS_URL: 'rediss://cache.example.com:6379' });
    expect(tls.redisCluster).toBe(true);
    expect(loadConfig({ ...base, REDIS_URL: 'redis://127.0.0.1:6379' }).redisCluster).toBe(false);
    expect(() => loadConfig({ ...base, REDIS_URL: 'http://x' })).toThrow(
      /REDIS_URL must start with redis:\/\/ or rediss:\/\//,
    );
    expect(() => loadConfig({ ...base, DEBUG: 'maybe' })).toThrow(/DEBUG must be true or false/);
    expect(() => loadConfig({ ...base, MAX_ANALYSIS_BARS: 'lots' })).toThrow(/MAX_ANALYSIS_BARS must be an integer/);
    expect(() => loadConfig({ ...base, API_V1_STR: '/api/v2' })).toThrow(/API_V1_STR/);
    expect(() => loadConfig({ SECRET_KEY: base.SECRET_KEY })).toThrow(/TABLE_NAME is required/);
  });

  it('KLINE_RETENTION_DAYS: 1m kept 400 days by default, a JSON object of known intervals → positive whole days', () => {
    expect(loadConfig(base).klineRetentionDays).toEqual({ '1m': 400 });
    expect(loadConfig({ ...base, KLINE_RETENTION_DAYS: '{"1m": 30, "5m": 1830}' }).klineRetentionDays).toEqual({
      '1m': 30,
      '5m': 1830,
    });
    expect(loadConfig({ ...base, KLINE_RETENTION_DAYS: '{}' }).klineRetentionDays).toEqual({}); // keep everything
  });

  it('KLINE_RETENTION_DAYS: unknown intervals, non-positive or fractional days and non-objects fail, naming it', () => {
    expect(() => loadConfig({ ...base, KLINE_RETENTION_DAYS: '{"2m": 30}' })).toThrow(
      /KLINE_RETENTION_DAYS names an unknown interval "2m"/,
    );
    expect(() => loadConfig({ ...base, KLINE_RETENTION_DAYS: '{"1m": 0}' })).toThrow(
      /KLINE_RETENTION_DAYS "1m" must be a whole number of days/,
    );
    expect(() => loadConfig({ ...base, KLINE_RETENTION_DAYS: '{"1m": 1.5}' })).toThrow(/KLINE_RETENTION_DAYS "1m"/);
    expect(() => loadConfig({ ...base, KLINE_RETENTION_DAYS: '{"1m": "400"}' })).toThrow(/KLINE_RETENTION_DAYS "1m"/);
    expect(() => loadConfig({ ...base, KLINE_RETENTION_DAYS: '400' })).toThrow(
      /KLINE_RETENTION_DAYS must be a JSON object/,
    );
    expect(() => loadConfig({ ...base, KLINE_RETENTION_DAYS: '[400]' })).toThrow(/KLINE_RETENTION_DAYS must be/);
  });

  it.each(['__proto__', 'constructor', 'toString'])('KLINE_RETENTION_DAYS: the key %s is an unknown interval', (k) => {
    expect(() => loadConfig({ ...base, KLINE_RETENTION_DAYS: `{"${k}": {"1m": 5}}` })).toThrow(
      new RegExp(`KLINE_RETENTION_DAYS names an unknown interval "${k}"`),
    );
    // Parsed retention is read by own entries only: an inherited value is not a retention.
    const inherited = Object.create({ '1d': 5 }) as KlineRetentionDays;
    expect(klineExpiresAt('1d', Date.UTC(2024, 0, 1), inherited)).toBeUndefined();
    expect(retentionStart('1d', inherited, Date.now())).toBeUndefined();
  });

  it('lists every problem at once', () => {
    try {
      loadConfig({ CORS_ORIGINS: '["*"]', SECRET_KEY: 'short' });
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).problems.join('\n')).toMatch(/SECRET_KEY/);
      expect((e as ConfigError).problems.join('\n')).toMatch(/CORS_ORIGINS/);
      expect((e as ConfigError).problems.join('\n')).toMatch(/TABLE_NAME/);
    }
  });

  it('a handler fails its cold start (module import) with a clear message when TABLE_NAME is missing', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, POWERTOOLS_METRICS_DISABLED: 'true' };
    delete env.TABLE_NAME;
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', '-e', "await import('./functions/health/handler.ts'); console.log('STARTED')"],
      {
        cwd: new URL('../..', import.meta.url).pathname,
        env,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(r.status).not.toBe(0);
    expect(r.stdout).not.toContain('STARTED');
    expect(r.stderr).toMatch(/Invalid configuration, refusing to start/);
    expect(r.stderr).toMatch(/TABLE_NAME is required/);
  });

  it('npm start refuses a wildcard CORS origin before serving anything', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
      cwd: new URL('../..', import.meta.url).pathname,
      env: { ...process.env, CORS_ORIGINS: '["*"]', PORT: '0', DATA_DIR: '.data/test-never-created' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/CORS_ORIGINS must not contain a wildcard/);
  });

  it('validates the wiring variables (ingestion, queue, jobs, providers, store client) with the rest: no silent fallback', () => {
    const w = loadConfig({
      ...base,
      INGEST_QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/111122223333/q',
      BYBIT_BASE_URL: 'http://127.0.0.1:9000',
      PROVIDER_TIMEOUT_MS: '2500',
      INGEST_MAX_BARS_PER_INVOCATION: '500',
      INGEST_SETTLE_MS: ' ',
    }).wiring;
    expect(w.ingestQueueUrl).toBe('https://sqs.eu-central-1.amazonaws.com/111122223333/q');
    // Every provider of the registry has its <NAME>_BASE_URL; unset ones keep the provider's default.
    expect(w.providers).toEqual({
      baseUrls: expect.objectContaining({ bybit: 'http://127.0.0.1:9000' }),
      timeoutMs: 2500,
    });
    expect(w.providers.baseUrls.binance).toBeUndefined();
    expect(w.ingestLimits).toMatchObject({ maxBarsPerInvocation: 500, settleMs: undefined });
    expect(w.ingestStallMs).toBe(15 * 60_000);
    // Before, a non-number fell back to the default without a word.
    expect(() => loadConfig({ ...base, INGEST_STALL_MS: 'soon' })).toThrow(/INGEST_STALL_MS must be an integer/);
    expect(() => loadConfig({ ...base, PROVIDER_TIMEOUT_MS: '1e9' })).toThrow(/PROVIDER_TIMEOUT_MS must be an integer/);
    expect(() => loadConfig({ ...base, BINANCE_BASE_URL: 'not a url' })).toThrow(/BINANCE_BASE_URL must be a URL/);
    expect(() => loadConfig({ ...base, DYNAMODB_REQUEST_TIMEOUT_MS: '-5' })).toThrow(/DYNAMODB_REQUEST_TIMEOUT_MS/);
    expect(() => wiringConfig({ CHART_BASE_URL: 'chart' })).toThrow(/CHART_BASE_URL must be a URL/);
    expect(wiringConfig({}).providers.timeoutMs).toBe(10_000);
    expect(loadConfig({ ...base, DEBUG: ' Yes ' }).debug).toBe(true);
  });

  it('takes the Tushare token from TUSHARE_TOKEN (local) or a secret ARN (deployed), and refuses a malformed ARN', () => {
    expect(wiringConfig({ TUSHARE_TOKEN: ' t0k3n ' }).providers.tushareToken).toEqual({
      value: 't0k3n',
      arn: undefined,
    });
    const arn = 'arn:aws:secretsmanager:eu-central-1:111122223333:secret:tushare-AbCdEf';
    expect(wiringConfig({ TUSHARE_TOKEN_ARN: arn }).providers.tushareToken).toEqual({ value: undefined, arn });
    expect(wiringConfig({ TUSHARE_TOKEN: '' }).providers.tushareToken).toBeUndefined();
    expect(() => wiringConfig({ TUSHARE_TOKEN_ARN: 'tushare' })).toThrow(/TUSHARE_TOKEN_ARN must be the ARN/);
  });

  it("applies the stack's CORS-origin rule (one rule for both): exact https origins, http for localhost only", () => {
    expect(() => loadConfig({ ...base, CORS_ORIGINS: '["http://a.example.com"]' })).toThrow(
      /CORS_ORIGINS entry "http:\/\/a.example.com" must use https/,
    );
    expect(() => loadConfig({ ...base, CORS_ORIGINS: '["https://a.example.com/"]' })).toThrow(/not an exact origin/);
    const stack = checkCorsOrigins(['https://a.example.com/'], 'corsOrigins', { example: '', nonEmpty: true });
    expect(stack.problems).toEqual([expect.stringMatching(/corsOrigins entry .* not an exact origin/)]);
  });
});
