/**
 * The service's configuration: ONE zod schema over process.env, parsed once per cold start (the predecessor's
 * pydantic-settings, in Lambda form). Every handler module calls `getConfig()` while it is being imported, so a
 * Lambda with a missing table name or a wildcard CORS origin fails its init phase with a message naming the
 * variable, instead of serving requests with a half-valid configuration. Secrets are not in the environment of a
 * deployed function; secrets.ts reads them at run time where they are needed.
 */
import { PROVIDERS, type ProviderConfig, type TrackProvider } from '../ingest/providers/index.js';
import { API_PREFIX } from '../routes.js';
import { checkCorsOrigins } from './cors-origins.js';
import { INTERVALS } from './domain.js';
import * as z from './zod.js';
import { DEFAULT_KLINE_RETENTION_DAYS, type KlineRetentionDays } from '../store/retention.js';

/** Variables are trimmed, and a blank one is unset (its default applies): the stack leaves optional ones empty. */
const envVar = <T extends z.ZodMiniType>(schema: T) =>
  z.pipe(
    z.transform((v: unknown) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim()) : v)),
    schema,
  );

/** "true"/"1"/"yes"/"on" → true; "false"/"0"/"no"/"off" → false (any case). Anything else is a config error, not a silent false. */
const boolFromEnv = (name: string, dflt: boolean) =>
  envVar(
    z._default(
      z.stringbool({
        truthy: ['true', '1', 'yes', 'on'],
        falsy: ['false', '0', 'no', 'off'],
        error: (iss) => `${name} must be true or false, got "${String(iss.input)}"`,
      }),
      dflt,
    ),
  );

const intIn = (name: string, min: number, max: number) => {
  const error = (iss: { input?: unknown }) =>
    `${name} must be an integer in [${min}, ${max}], got ${Number.isNaN(iss.input) ? 'text that is not a number' : String(iss.input)}`;
  return z.coerce.number({ error }).check(z.int({ error }), z.gte(min, { error }), z.lte(max, { error }));
};
const intFromEnv = (name: string, dflt: number, min: number, max: number) =>
  envVar(z._default(intIn(name, min, max), dflt));
/** Unset: the consumer's own default (kept beside the code it tunes, e.g. the ingest worker's DEFAULT_LIMITS). */
const optionalIntFromEnv = (name: string, min: number, max: number) => envVar(z.optional(intIn(name, min, max)));
const optionalString = envVar(z.optional(z.string()));
/** The ARN of a Secrets Manager secret a function reads at run time (secrets.ts). */
const secretArn = (name: string) =>
  z.optional(
    z.string().check(
      z.regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, {
        error: `${name} must be the ARN of a Secrets Manager secret`,
      }),
    ),
  );
const optionalUrl = (name: string) =>
  envVar(z.optional(z.url({ error: (iss) => `${name} must be a URL, got "${String(iss.input)}"` })));

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;

/** CORS origins: a JSON list of exact origins, by the rule the stack applies too (cors-origins.ts); unset → none. */
const corsOrigins = z.pipe(
  envVar(z.optional(z.string())),
  z.transform((v: string | undefined, ctx) => {
    if (v === undefined) return [] as string[];
    const r = checkCorsOrigins(v, 'CORS_ORIGINS', { example: '["https://app.example.com"]', nonEmpty: false });
    for (const message of r.problems) ctx.issues.push({ code: 'custom', message, input: v });
    return r.problems.length ? z.NEVER : r.origins;
  }),
);

/**
 * KLINE_RETENTION_DAYS: a JSON object interval → days, e.g. {"1m": 400, "5m": 1830}. Bars of a listed interval
 * are stamped with a TTL (open time + days) and dropped from reads once it passes; unlisted intervals are kept
 * forever. Unset/empty → {"1m": 400}; `{}` keeps everything forever. Known intervals only, positive integers.
 */
const MAX_RETENTION_DAYS = 36_500;
const klineRetentionDays = z.pipe(
  z.optional(z.string()),
  z.transform((v: string | undefined, ctx): KlineRetentionDays => {
    if (v === undefined || v.trim() === '') return { ...DEFAULT_KLINE_RETENTION_DAYS };
    const fail = (message: string) => {
      ctx.issues.push({ code: 'custom', message: `KLINE_RETENTION_DAYS ${message}`, input: v });
      return z.NEVER;
    };
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      return fail(`must be a JSON object of interval → days, e.g. {"1m": 400}; got ${v}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      return fail(`must be a JSON object of interval → days, e.g. {"1m": 400}; got ${v}`);
    const out: KlineRetentionDays = {};
    // Own keys of the parsed JSON, each checked against the interval list before use ("__proto__" is a key here).
    for (const [k, days] of Object.entries(parsed)) {
      if (!(INTERVALS as readonly string[]).includes(k))
        return fail(`names an unknown interval "${k}" (known: ${INTERVALS.join(', ')})`);
      if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_RETENTION_DAYS)
        return fail(`"${k}" must be a whole number of days in [1, ${MAX_RETENTION_DAYS}], got ${JSON.stringify(days)}`);
      out[k as keyof KlineRetentionDays] = days;
    }
    return out;
  }),
);

const baseUrlVar = <P extends TrackProvider>(p: P) => `${p.toUpperCase() as Uppercase<P>}_BASE_URL` as const;
type BaseUrlVars = { [P in TrackProvider as ReturnType<typeof baseUrlVar<P>>]: ReturnType<typeof optionalUrl> };

/**
 * The variables of the wiring — ingestion (queue, providers, limits, alerts), the jobs starter, the cache probe and
 * the DynamoDB client's timeouts. Part of EnvSchema, so every cold start validates them; `wiringConfig()` parses
 * them again at each use (not cached: the local runtime sets CHART_BASE_URL only once its server listens, after the
 * configuration was first read, and tests change these variables between requests). Its callers are not per-bar.
 */
export const WiringEnvSchema = z.extend(
  z.object({
    /** The ingest queue (worker, dispatcher and the backfill API send to it); unset: this deployment has none. */
    INGEST_QUEUE_URL: optionalString,
    /** The jobs state machine (POST /jobs starts executions of it); unset: jobs cannot start. */
    JOBS_STATE_MACHINE_ARN: optionalString,
    /** Buy/sell point alerts go to this SNS topic; unset: none are published. */
    SIGNAL_TOPIC_ARN: optionalString,
    /** The chart page an alert links to. */
    CHART_BASE_URL: optionalUrl('CHART_BASE_URL'),
    /** The ElastiCache resource the health check describes; unset: none (npm start, tests). */
    CACHE_NAME: optionalString,
    PROVIDER_TIMEOUT_MS: intFromEnv('PROVIDER_TIMEOUT_MS', 10_000, 100, 900_000),
    /** Provider "tushare": its token locally (npm start, tests); never logged. */
    TUSHARE_TOKEN: optionalString,
    /** Provider "tushare", deployed: the secret holding its token, read at run time (secrets.ts). */
    TUSHARE_TOKEN_ARN: envVar(secretArn('TUSHARE_TOKEN_ARN')),
    INGEST_MAX_BARS_PER_INVOCATION: optionalIntFromEnv('INGEST_MAX_BARS_PER_INVOCATION', 1, 1_000_000),
    INGEST_MAX_PAGES_PER_INVOCATION: optionalIntFromEnv('INGEST_MAX_PAGES_PER_INVOCATION', 1, 10_000),
    INGEST_DEFAULT_HISTORY_BARS: optionalIntFromEnv('INGEST_DEFAULT_HISTORY_BARS', 1, 1_000_000),
    INGEST_SETTLE_MS: optionalIntFromEnv('INGEST_SETTLE_MS', 0, 7 * 86_400_000),
    /** A backfill with no progress for this long is restarted by the dispatcher. */
    INGEST_STALL_MS: intFromEnv('INGEST_STALL_MS', 15 * 60_000, 1000, 7 * 86_400_000),
    /** Overrides of the DynamoDB client's 1 s connect / 5 s request timeouts (the test suite raises them). */
    DYNAMODB_CONNECT_TIMEOUT_MS: optionalIntFromEnv('DYNAMODB_CONNECT_TIMEOUT_MS', 1, 600_000),
    DYNAMODB_REQUEST_TIMEOUT_MS: optionalIntFromEnv('DYNAMODB_REQUEST_TIMEOUT_MS', 1, 600_000),
  }),
  // `<NAME>_BASE_URL` of every provider in the registry overrides its default base URL.
  Object.fromEntries(PROVIDERS.map((p) => [baseUrlVar(p), optionalUrl(baseUrlVar(p))])) as BaseUrlVars,
);

const toWiring = (e: z.output<typeof WiringEnvSchema>) => ({
  ingestQueueUrl: e.INGEST_QUEUE_URL,
  jobsStateMachineArn: e.JOBS_STATE_MACHINE_ARN,
  signalTopicArn: e.SIGNAL_TOPIC_ARN,
  chartBaseUrl: e.CHART_BASE_URL,
  cacheName: e.CACHE_NAME,
  providers: {
    baseUrls: Object.fromEntries(PROVIDERS.map((p) => [p, e[baseUrlVar(p)]])),
    timeoutMs: e.PROVIDER_TIMEOUT_MS,
    // Only when configured: a deployment without Tushare has no token source at all.
    ...(e.TUSHARE_TOKEN || e.TUSHARE_TOKEN_ARN
      ? { tushareToken: { value: e.TUSHARE_TOKEN, arn: e.TUSHARE_TOKEN_ARN } }
      : {}),
  } satisfies ProviderConfig,
  /** Unset ones: the worker's DEFAULT_LIMITS. */
  ingestLimits: {
    maxBarsPerInvocation: e.INGEST_MAX_BARS_PER_INVOCATION,
    maxPagesPerInvocation: e.INGEST_MAX_PAGES_PER_INVOCATION,
    defaultHistoryBars: e.INGEST_DEFAULT_HISTORY_BARS,
    settleMs: e.INGEST_SETTLE_MS,
  },
  ingestStallMs: e.INGEST_STALL_MS,
  dynamoConnectTimeoutMs: e.DYNAMODB_CONNECT_TIMEOUT_MS,
  dynamoRequestTimeoutMs: e.DYNAMODB_REQUEST_TIMEOUT_MS,
});

export type WiringConfig = ReturnType<typeof toWiring>;

const EnvVarsSchema = z.extend(
  z.object({
    ENVIRONMENT: z._default(z.enum(['development', 'test', 'staging', 'production']), 'production'),
    DEBUG: boolFromEnv('DEBUG', false),
    /**
     * Local value of the service's secret key (npm start, tests). Deployed functions never get it in their
     * environment: the ones that need it read the secret SECRET_KEY_ARN names at run time (secrets.ts).
     */
    SECRET_KEY: z.optional(
      z.string().check(z.minLength(16, { error: 'SECRET_KEY must be at least 16 characters long' })),
    ),
    SECRET_KEY_ARN: secretArn('SECRET_KEY_ARN'),
    CORS_ORIGINS: corsOrigins,
    LOG_LEVEL: z.pipe(
      z.optional(z.string()),
      z.transform((v: string | undefined, ctx) => {
        if (v === undefined || v === '') return undefined;
        const up = v.toUpperCase();
        if (!(LOG_LEVELS as readonly string[]).includes(up)) {
          ctx.issues.push({
            code: 'custom',
            message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${v}"`,
            input: v,
          });
          return z.NEVER;
        }
        return up as (typeof LOG_LEVELS)[number];
      }),
    ),
    API_V1_STR: z._default(z.string(), API_PREFIX).check(
      z.refine((v) => v === API_PREFIX, {
        error: `API_V1_STR must be "${API_PREFIX}" (the route table and the CDK stack use it)`,
      }),
    ),
    TABLE_NAME: z
      .string({
        error: 'TABLE_NAME is required (the DynamoDB table holding K-lines, symbols, checkpoints, analysis and jobs)',
      })
      .check(z.minLength(3), z.maxLength(255)),
    REDIS_URL: z.pipe(
      z.optional(z.string()),
      z.transform((v: string | undefined, ctx) => {
        if (v === undefined || v.trim() === '') return undefined;
        let u: URL;
        try {
          u = new URL(v);
        } catch {
          ctx.issues.push({ code: 'custom', message: `REDIS_URL is not a URL: "${v}"`, input: v });
          return z.NEVER;
        }
        if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
          ctx.issues.push({
            code: 'custom',
            message: `REDIS_URL must start with redis:// or rediss:// (TLS), got "${u.protocol}"`,
            input: v,
          });
          return z.NEVER;
        }
        return v.trim();
      }),
    ),
    /** ElastiCache Serverless is cluster-mode only; unset means "cluster when the URL is rediss://". */
    REDIS_CLUSTER: z.optional(z.enum(['true', 'false', ''])),
    CACHE_CONNECT_TIMEOUT_MS: intFromEnv('CACHE_CONNECT_TIMEOUT_MS', 1000, 50, 30_000),
    CACHE_COMMAND_TIMEOUT_MS: intFromEnv('CACHE_COMMAND_TIMEOUT_MS', 250, 10, 10_000),
    /** After a cache failure, skip the cache for this long (the store answers meanwhile). */
    CACHE_COOLDOWN_MS: intFromEnv('CACHE_COOLDOWN_MS', 5000, 0, 600_000),
    LOCAL_CACHE_MAX_MB: intFromEnv('LOCAL_CACHE_MAX_MB', 64, 1, 4096),
    DEFAULT_PRESET: z._default(z.string().check(z.minLength(1)), 'chanpy'),
    MAX_ANALYSIS_BARS: intFromEnv('MAX_ANALYSIS_BARS', 20_000, 10, 1_000_000),
    MAX_KLINES_LIMIT: intFromEnv('MAX_KLINES_LIMIT', 10_000, 1, 1_000_000),
    MAX_UPLOAD_BARS: intFromEnv('MAX_UPLOAD_BARS', 50_000, 1, 1_000_000),
    /** Lambda's synchronous payload limit is 6 MB; bodies above this are refused with 413 before parsing. */
    MAX_BODY_BYTES: intFromEnv('MAX_BODY_BYTES', 5_000_000, 1024, 6_000_000),
    /** A range read may touch at most this many partitions (buckets); wider ranges are refused with 400. */
    MAX_RANGE_BUCKETS: intFromEnv('MAX_RANGE_BUCKETS', 500, 1, 100_000),
    /** K-line TTL per interval in days (JSON object); see klineRetentionDays above. */
    KLINE_RETENTION_DAYS: klineRetentionDays,
    /**
     * Whether `url` sources may be plain http://. Deployed functions reach the internet through a security group
     * that allows egress on 443 only, so an http:// source could never be fetched there: the API refuses it
     * unless this is set. Only the local runtime sets it (local/env.ts), for local test servers.
     */
    ALLOW_HTTP_SOURCES: boolFromEnv('ALLOW_HTTP_SOURCES', false),
    POWERTOOLS_SERVICE_NAME: z._default(z.string(), 'chan-analysis'),
    POWERTOOLS_METRICS_NAMESPACE: z._default(z.string(), 'ChanAnalysis'),
  }),
  WiringEnvSchema.shape,
);

export const EnvSchema = z.pipe(
  EnvVarsSchema,
  z.transform((e: z.output<typeof EnvVarsSchema>) => ({
    environment: e.ENVIRONMENT,
    debug: e.DEBUG,
    secretKey: e.SECRET_KEY,
    secretKeyArn: e.SECRET_KEY_ARN,
    corsOrigins: e.CORS_ORIGINS,
    // The predecessor: DEBUG in development, INFO in production (and DEBUG=true forces DEBUG).
    logLevel: e.LOG_LEVEL ?? (e.DEBUG || e.ENVIRONMENT === 'development' ? 'DEBUG' : 'INFO'),
    apiPrefix: e.API_V1_STR,
    tableName: e.TABLE_NAME,
    redisUrl: e.REDIS_URL,
    redisCluster:
      e.REDIS_CLUSTER === 'true' || (e.REDIS_CLUSTER !== 'false' && (e.REDIS_URL ?? '').startsWith('rediss://')),
    cacheConnectTimeoutMs: e.CACHE_CONNECT_TIMEOUT_MS,
    cacheCommandTimeoutMs: e.CACHE_COMMAND_TIMEOUT_MS,
    cacheCooldownMs: e.CACHE_COOLDOWN_MS,
    localCacheMaxBytes: e.LOCAL_CACHE_MAX_MB * 1024 * 1024,
    defaultPreset: e.DEFAULT_PRESET,
    maxAnalysisBars: e.MAX_ANALYSIS_BARS,
    maxKlinesLimit: e.MAX_KLINES_LIMIT,
    maxUploadBars: e.MAX_UPLOAD_BARS,
    maxBodyBytes: e.MAX_BODY_BYTES,
    maxRangeBuckets: e.MAX_RANGE_BUCKETS,
    klineRetentionDays: e.KLINE_RETENTION_DAYS,
    allowHttpSources: e.ALLOW_HTTP_SOURCES,
    serviceName: e.POWERTOOLS_SERVICE_NAME,
    metricsNamespace: e.POWERTOOLS_METRICS_NAMESPACE,
    version: '2.0.0' as const,
    wiring: toWiring(e),
  })),
);

export type AppConfig = z.output<typeof EnvSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration, refusing to start:\n  - ${problems.join('\n  - ')}`);
  }
}

/**
 * The notifier's variables. It is a function of its own, without the table, so they are parsed on their own
 * (notifierEnv) rather than with EnvSchema. In AWS the webhook list is a secret (WEBHOOKS_SECRET_ARN); WEBHOOKS
 * holds the same JSON inline for the local runtime and tests.
 */
export const NotifierEnvSchema = z.object({
  WEBHOOKS: optionalString,
  WEBHOOKS_SECRET_ARN: optionalString,
  CRITICAL_TOPIC_ARN: optionalString,
  WARNING_TOPIC_ARN: optionalString,
  INFO_TOPIC_ARN: optionalString,
  SIGNAL_TOPIC_ARN: optionalString,
});

export type NotifierEnv = z.output<typeof NotifierEnvSchema>;

type Env = Record<string, string | undefined>;

/** Pure: parse an environment object (tests pass their own). Throws ConfigError naming every bad variable. */
export function loadConfig(env: Env): AppConfig {
  return parseEnv(EnvSchema, env);
}

/** The wiring's variables (WiringEnvSchema), read now: see there why not from the cached configuration. */
export function wiringConfig(env: Env = process.env): WiringConfig {
  return toWiring(parseEnv(WiringEnvSchema, env));
}

export function notifierEnv(env: Env = process.env): NotifierEnv {
  return parseEnv(NotifierEnvSchema, env);
}

function parseEnv<S extends z.ZodMiniType>(schema: S, env: Env): z.output<S> {
  const r = schema.safeParse(env);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => {
    const key = i.path.join('.');
    // zod's message already names the variable for our custom checks; prefix it for the generic ones.
    return i.message.includes(key) || key === '' ? i.message : `${key}: ${i.message}`;
  });
  throw new ConfigError(problems);
}

let cached: AppConfig | undefined;

/** Parsed once per cold start (module-level cache). */
export function getConfig(): AppConfig {
  cached ??= loadConfig(process.env);
  return cached;
}

/** Tests and the local runtime change the environment between services started in one process. */
export function resetConfig(): void {
  cached = undefined;
}
