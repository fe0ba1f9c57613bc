/**
 * The service's configuration: ONE zod schema over process.env, parsed once per cold start (the predecessor's
 * pydantic-settings, in Lambda form). Every handler module calls `getConfig()` while it is being imported, so a
 * Lambda with a missing table name or a wildcard CORS origin fails its init phase with a message naming the
 * variable, instead of serving requests with a half-valid configuration. Secrets are not in the environment of a
 * deployed function; secrets.ts reads them at run time where they are needed.
 */
import * as z from 'zod';
import { API_PREFIX } from '../routes.js';
import { INTERVALS } from './domain.js';
import { DEFAULT_KLINE_RETENTION_DAYS, type KlineRetentionDays } from '../store/retention.js';

/** "true"/"1"/"yes" → true; "false"/"0"/"no"/"" → false. Anything else is a config error, not a silent false. */
const boolFromEnv = (name: string, dflt: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return dflt;
      const s = v.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(s)) return true;
      if (['false', '0', 'no', 'off'].includes(s)) return false;
      ctx.addIssue({ code: 'custom', message: `${name} must be true or false, got "${v}"` });
      return z.NEVER;
    });

const intFromEnv = (name: string, dflt: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return dflt;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be an integer in [${min}, ${max}], got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;

/** CORS origins: a JSON list of exact origins. `*` is refused: the API takes API keys and must name its callers. */
const corsOrigins = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return [] as string[];
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: `CORS_ORIGINS must be a JSON list of origins, e.g. ["https://app.example.com"]; got ${v}`,
      });
      return z.NEVER;
    }
    if (!Array.isArray(parsed) || !parsed.every((o) => typeof o === 'string')) {
      ctx.addIssue({ code: 'custom', message: 'CORS_ORIGINS must be a JSON list of strings' });
      return z.NEVER;
    }
    for (const o of parsed as string[]) {
      if (o.includes('*')) {
        ctx.addIssue({
          code: 'custom',
          message: `CORS_ORIGINS must not contain a wildcard ("${o}"): list each allowed origin`,
        });
        return z.NEVER;
      }
      if (!/^https?:\/\/[^/\s]+$/.test(o)) {
        ctx.addIssue({
          code: 'custom',
          message: `CORS_ORIGINS entry "${o}" is not an origin (scheme://host[:port], no path)`,
        });
        return z.NEVER;
      }
    }
    return parsed as string[];
  });

/**
 * KLINE_RETENTION_DAYS: a JSON object interval → days, e.g. {"1m": 400, "5m": 1830}. Bars of a listed interval
 * are stamped with a TTL (open time + days) and dropped from reads once it passes; unlisted intervals are kept
 * forever. Unset/empty → {"1m": 400}; `{}` keeps everything forever. Known intervals only, positive integers.
 */
const MAX_RETENTION_DAYS = 36_500;
const klineRetentionDays = z
  .string()
  .optional()
  .transform((v, ctx): KlineRetentionDays => {
    if (v === undefined || v.trim() === '') return { ...DEFAULT_KLINE_RETENTION_DAYS };
    const fail = (message: string) => {
      ctx.addIssue({ code: 'custom', message: `KLINE_RETENTION_DAYS ${message}` });
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
  });

export const EnvSchema = z
  .object({
    ENVIRONMENT: z.enum(['development', 'test', 'staging', 'production']).default('production'),
    DEBUG: boolFromEnv('DEBUG', false),
    /**
     * Local value of the service's secret key (npm start, tests). Deployed functions never get it in their
     * environment: the ones that need it read the secret SECRET_KEY_ARN names at run time (secrets.ts).
     */
    SECRET_KEY: z.string().min(16, { error: 'SECRET_KEY must be at least 16 characters long' }).optional(),
    SECRET_KEY_ARN: z
      .string()
      .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, {
        error: 'SECRET_KEY_ARN must be the ARN of a Secrets Manager secret',
      })
      .optional(),
    CORS_ORIGINS: corsOrigins,
    LOG_LEVEL: z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined || v === '') return undefined;
        const up = v.toUpperCase();
        if (!(LOG_LEVELS as readonly string[]).includes(up)) {
          ctx.addIssue({ code: 'custom', message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${v}"` });
          return z.NEVER;
        }
        return up as (typeof LOG_LEVELS)[number];
      }),
    API_V1_STR: z
      .string()
      .default(API_PREFIX)
      .refine((v) => v === API_PREFIX, {
        error: `API_V1_STR must be "${API_PREFIX}" (the route table and the CDK stack use it)`,
      }),
    TABLE_NAME: z
      .string({
        error: 'TABLE_NAME is required (the DynamoDB table holding K-lines, symbols, checkpoints, analysis and jobs)',
      })
      .min(3)
      .max(255),
    REDIS_URL: z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined || v.trim() === '') return undefined;
        let u: URL;
        try {
          u = new URL(v);
        } catch {
          ctx.addIssue({ code: 'custom', message: `REDIS_URL is not a URL: "${v}"` });
          return z.NEVER;
        }
        if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
          ctx.addIssue({
            code: 'custom',
            message: `REDIS_URL must start with redis:// or rediss:// (TLS), got "${u.protocol}"`,
          });
          return z.NEVER;
        }
        return v.trim();
      }),
    /** ElastiCache Serverless is cluster-mode only; unset means "cluster when the URL is rediss://". */
    REDIS_CLUSTER: z.enum(['true', 'false', '']).optional(),
    CACHE_CONNECT_TIMEOUT_MS: intFromEnv('CACHE_CONNECT_TIMEOUT_MS', 1000, 50, 30_000),
    CACHE_COMMAND_TIMEOUT_MS: intFromEnv('CACHE_COMMAND_TIMEOUT_MS', 250, 10, 10_000),
    /** After a cache failure, skip the cache for this long (the store answers meanwhile). */
    CACHE_COOLDOWN_MS: intFromEnv('CACHE_COOLDOWN_MS', 5000, 0, 600_000),
    LOCAL_CACHE_MAX_MB: intFromEnv('LOCAL_CACHE_MAX_MB', 64, 1, 4096),
    DEFAULT_PRESET: z.string().min(1).default('chanpy'),
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
    POWERTOOLS_SERVICE_NAME: z.string().default('chan-analysis'),
    POWERTOOLS_METRICS_NAMESPACE: z.string().default('ChanAnalysis'),
  })
  .transform((e) => ({
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
  }));

export type AppConfig = z.output<typeof EnvSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration, refusing to start:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Pure: parse an environment object (tests pass their own). Throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const r = EnvSchema.safeParse(env);
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
