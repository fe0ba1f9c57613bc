/**
 * Deployment configuration from CDK context (cdk.json, `-c key=value`), validated once at synth time.
 *
 * Why zod here too: a typo in a context value (an origin with a trailing slash, `*`, a retention the Logs API does
 * not accept) should stop `cdk synth` with a message naming the key, not surface as a failed CloudFormation
 * update twenty minutes later. Values given on the command line arrive as strings, so every field accepts its
 * string form as well (`-c tracing=true`, `-c corsOrigins='["https://a.example"]'`).
 */
import { checkCorsOrigins } from '../functions/common/cors-origins.js';
import * as z from '../functions/common/zod.js';

/** Values CloudWatch Logs accepts for a log group's retention (RetentionDays, minus "never expire"). */
const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;

/** `-c flag=true` arrives as the string "true"; cdk.json gives a real boolean. Anything else is an error. */
const bool = (key: string) =>
  z.pipe(
    z.union([z.boolean(), z.string()]),
    z.transform((v: boolean | string, ctx) => {
      if (typeof v === 'boolean') return v;
      const s = v.trim().toLowerCase();
      if (s === 'true') return true;
      if (s === 'false') return false;
      ctx.issues.push({ code: 'custom', message: `${key} must be true or false, got "${v}"`, input: v });
      return z.NEVER;
    }),
  );

const int = (key: string, min: number, max: number) =>
  z.pipe(
    z.union([z.number(), z.string()]),
    z.transform((v: number | string, ctx) => {
      const n = typeof v === 'number' ? v : Number(v.trim());
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.issues.push({
          code: 'custom',
          message: `${key} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`,
          input: v,
        });
        return z.NEVER;
      }
      return n;
    }),
  );

/** CORS origins: the rule the functions apply to CORS_ORIGINS too (functions/common/cors-origins.ts). */
const corsOrigins = z.pipe(
  z.union([z.array(z.unknown()), z.string()]),
  z.transform((v: unknown[] | string, ctx) => {
    const r = checkCorsOrigins(v, 'corsOrigins', {
      example: `-c corsOrigins='["https://app.example.com"]'`,
      nonEmpty: true,
    });
    for (const message of r.problems) ctx.issues.push({ code: 'custom', message, input: v });
    return r.problems.length ? z.NEVER : r.origins;
  }),
);

const ContextSchema = z.object({
  /** API Gateway stage name and stack-name suffix; "prod" turns on retention and deletion protection. */
  stage: z._default(
    z
      .string()
      .check(
        z.regex(
          /^[a-z][a-z0-9-]{0,15}$/,
          'stage must be lower-case letters, digits and "-", starting with a letter, at most 16 characters',
        ),
      ),
    'dev',
  ),
  corsOrigins,
  /** Optional: the monitoring construct subscribes this address to the alarm topics. */
  alarmEmail: z.optional(z.email({ error: 'alarmEmail must be an e-mail address' })),
  /** Overrides the runtime default (INFO in production, DEBUG otherwise). */
  logLevel: z.optional(
    z.pipe(
      z.pipe(
        z.string(),
        z.transform((v: string) => v.toUpperCase()),
      ),
      z.enum(LOG_LEVELS, { error: `logLevel must be one of ${LOG_LEVELS.join(', ')}` }),
    ),
  ),
  logRetentionDays: z.optional(
    int('logRetentionDays', 1, 3653).check(
      z.refine((n) => (RETENTION_DAYS as readonly number[]).includes(n), {
        error: `logRetentionDays must be one of ${RETENTION_DAYS.join(', ')} (the values CloudWatch Logs accepts)`,
      }),
    ),
  ),
  /** NAT gateways for the egress subnets: 1 is cheapest; one per AZ (2) survives an AZ outage. */
  natGateways: z._default(int('natGateways', 1, 2), 1),
  /**
   * Reserved concurrency of POST /api/v1/analysis's own function (lib/api-handlers.ts ISOLATED_ROUTES): its ceiling,
   * so the public, CPU-heavy route cannot take the executions ingestion and jobs need. Reserving needs an account
   * concurrency quota of at least this + 100 (Lambda keeps 100 unreserved; the default quota is 1,000, new accounts
   * may start lower). 0: no reservation; the route's method throttle alone then bounds it.
   */
  analysisConcurrency: z._default(int('analysisConcurrency', 0, 900), 10),
  /** X-Ray on the API stage and the functions (adds xray:Put* on "*" to every role). */
  tracing: z._default(bool('tracing'), false),
  /**
   * API Gateway writes the stage's access and execution logs through ONE role per account and region
   * (AWS::ApiGateway::Account); a stage with logging cannot be created while the account has none ("CloudWatch
   * Logs role ARN must be set in account settings"). Default true, so the first deploy into a fresh account works
   * as written: the stack creates the role and points the account setting at it, and both are RETAINED on stack
   * deletion (other APIs in the region may log through it by then). Set false only where the account already has
   * the setting and another stack or team owns it.
   */
  manageApiGatewayAccountRole: z._default(bool('manageApiGatewayAccountRole'), true),
});

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ChanConfig {
  readonly stage: string;
  /** stage === "prod": data and logs are retained on stack deletion, the table has deletion protection. */
  readonly production: boolean;
  /** The runtime's ENVIRONMENT (functions/common/config.ts). */
  readonly environment: 'development' | 'production';
  readonly corsOrigins: readonly string[];
  readonly alarmEmail?: string;
  readonly logLevel: LogLevel;
  readonly logRetentionDays: number;
  readonly natGateways: number;
  readonly analysisConcurrency: number;
  readonly tracing: boolean;
  readonly manageApiGatewayAccountRole: boolean;
}

/** The context keys this app reads (documentation and the error message list them). */
export const CONTEXT_KEYS = Object.keys(ContextSchema.shape) as (keyof typeof ContextSchema.shape)[];

export class ContextConfigError extends Error {
  override name = 'ContextConfigError';
}

/** `get` is `(key) => app.node.tryGetContext(key)`; kept as a function so tests can pass a plain object. */
export function loadConfig(get: (key: string) => unknown): ChanConfig {
  const raw: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) {
    const v = get(key);
    if (v !== undefined && v !== null && v !== '') raw[key] = v;
  }
  const r = ContextSchema.safeParse(raw);
  if (!r.success) {
    const problems = r.error.issues.map((i) => {
      const key = i.path.join('.');
      if (raw[String(i.path[0])] === undefined)
        return `${key} is required (set it in cdk.json "context" or with -c ${key}=...)`;
      return i.message.includes(key) ? i.message : `${key}: ${i.message}`;
    });
    throw new ContextConfigError(`Invalid CDK context, refusing to synthesize:\n  - ${problems.join('\n  - ')}`);
  }
  const c = r.data;
  const production = c.stage === 'prod';
  return {
    ...c,
    production,
    environment: production ? 'production' : 'development',
    logLevel: c.logLevel ?? (production ? 'INFO' : 'DEBUG'),
    logRetentionDays: c.logRetentionDays ?? (production ? 90 : 14),
  };
}
