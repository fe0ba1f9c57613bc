/** Route specs of the symbols API (see functions/common/api-schemas.ts for the shape). */
import { SignalAlertPrefsSchema } from '../alerts/prefs.js';
import { errors, ErrorSchema, SeriesSchema, symbolParams, type ApiSpec } from '../common/api-schemas.js';
import { IntervalSchema, INTERVALS, MAX_FUTURE_MS, MIN_TIME_MS, parseTime } from '../common/domain.js';
import * as z from '../common/zod.js';
import { BackfillBodySchema } from '../ingest/backfill-schema.js';
import {
  PROVIDER_FIELDS,
  PROVIDER_REGISTRY,
  PROVIDERS,
  requiredFields,
  SOURCE_LABELS,
} from '../ingest/providers/index.js';
import { API_PREFIX } from '../routes.js';

/** Each provider with what it is, from the registry, for the OpenAPI document. */
const PROVIDERS_DOC = PROVIDERS.map((p) => `${p}: ${PROVIDER_REGISTRY[p].description}`).join('; ');

/** historyFrom in a JSON body: epoch milliseconds (a number) or a date / ISO date-time string; stored as epoch ms. */
const HistoryFromSchema = z
  .pipe(
    z.union([z.number(), z.string()], {
      error: 'historyFrom must be epoch milliseconds or a YYYY-MM-DD / ISO 8601 date-time string',
    }),
    z.transform((v: number | string, ctx) => {
      const t = parseTime(v);
      if (!Number.isFinite(t)) {
        ctx.issues.push({
          code: 'custom',
          message: `historyFrom ${JSON.stringify(v)} is not a time: use epoch milliseconds, YYYY-MM-DD or an ISO 8601 date-time`,
          input: v,
        });
        return z.NEVER;
      }
      if (t < MIN_TIME_MS || t > Date.now() + MAX_FUTURE_MS) {
        ctx.issues.push({
          code: 'custom',
          message: `historyFrom ${JSON.stringify(v)} is out of range (1900-01-01 to now)`,
          input: v,
        });
        return z.NEVER;
      }
      return t;
    }),
  )
  .check(
    z.meta({ description: 'Where ingestion of a newly tracked series starts: epoch ms, YYYY-MM-DD or ISO date-time' }),
  );

export const TrackedSymbolSchema = z
  .object({
    symbol: z.string(),
    provider: z.enum(PROVIDERS),
    providerSymbol: z.string(),
    intervals: z.array(IntervalSchema),
    active: z.boolean(),
    sourceUrl: z.optional(z.string()),
    sourceLabel: z.optional(z.enum(SOURCE_LABELS)),
    historyFrom: z.optional(z.number().check(z.int())),
    alerts: z.optional(SignalAlertPrefsSchema),
    createdAt: z.string(),
    updatedAt: z.string(),
    series: z.optional(z.array(SeriesSchema)),
  })
  .check(z.meta({ id: 'TrackedSymbol' }));

const DeleteSymbolSchema = z
  .object({
    symbol: z.string(),
    purge: z.boolean(),
    done: z.boolean().check(z.meta({ description: 'false: the purge stopped at its time budget; repeat to continue' })),
    deleted: z
      .object({
        bars: z.number().check(z.int()),
        series: z.number().check(z.int()),
        checkpoints: z.number().check(z.int()),
        analyses: z.number().check(z.int()),
      })
      .check(z.meta({ description: 'What this request deleted (a repeated purge counts only its own part)' })),
    message: z.string(),
  })
  .check(z.meta({ id: 'DeletedSymbol' }));

export function symbolsApiSpecs() {
  return {
    'GET /api/v1/symbols': {
      method: 'GET',
      path: `${API_PREFIX}/symbols`,
      summary: 'Tracked symbols with their stored series',
      query: z.strictObject({}),
      responses: {
        200: { description: 'Tracked symbols', schema: z.object({ symbols: z.array(TrackedSymbolSchema) }) },
        400: errors[400],
      },
    },
    'PUT /api/v1/symbols/{symbol}': {
      method: 'PUT',
      path: `${API_PREFIX}/symbols/{symbol}`,
      summary: 'Track a symbol (create or replace): provider and intervals to ingest',
      apiKey: true,
      params: symbolParams,
      body: z
        .strictObject({
          provider: z
            .enum(PROVIDERS, {
              error: (iss) =>
                iss.input === undefined
                  ? 'provider is required'
                  : `unknown provider "${String(iss.input)}": use one of ${PROVIDERS.join(', ')}`,
            })
            .check(z.meta({ description: PROVIDERS_DOC })),
          intervals: z.array(IntervalSchema, { error: 'intervals must be a list of intervals' }).check(
            z.minLength(1, { error: 'intervals must name at least one interval' }),
            z.maxLength(INTERVALS.length),
            z.refine((a) => new Set(a).size === a.length, { error: 'intervals must not repeat' }),
          ),
          providerSymbol: z.optional(
            z
              .string()
              .check(
                z.minLength(1),
                z.maxLength(64),
                z.regex(/^[A-Za-z0-9._\-^=/]+$/, { error: 'providerSymbol has invalid characters' }),
              ),
          ),
          active: z._default(z.boolean(), true),
          sourceUrl: z.optional(
            z
              .url({ protocol: /^https?$/, error: 'sourceUrl must be an http(s) URL of a CSV or JSON bar file' })
              .check(z.maxLength(2048)),
          ),
          sourceLabel: z.optional(
            z.enum(SOURCE_LABELS, {
              error: 'sourceLabel must be "start" (rows stamped at bar open) or "end" (at bar close)',
            }),
          ),
          historyFrom: z.optional(HistoryFromSchema),
          alerts: z
            .optional(SignalAlertPrefsSchema)
            .check(z.meta({ description: 'Buy/sell point alerts for this symbol (opt-in: enabled true)' })),
        })
        .check(
          z.superRefine((b, ctx) => {
            // Which per-symbol fields a provider requires or uses is the registry's (its entry's spec).
            const given = b as Record<string, unknown>;
            for (const f of requiredFields(b.provider))
              if (!given[f])
                ctx.addIssue({ code: 'custom', path: [f], message: `${f} is required with provider "${b.provider}"` });
            const unused = [...PROVIDER_FIELDS].find(
              ([f, users]) => given[f] !== undefined && !users.includes(b.provider as never),
            );
            if (unused) {
              const [f, users] = unused;
              ctx.addIssue({
                code: 'custom',
                path: [f],
                message: `only used with provider ${users.map((u) => `"${u}"`).join(' or ')}, not "${b.provider}"`,
              });
            }
          }),
          z.meta({ id: 'TrackSymbolRequest' }),
        ),
      bodyRequired: true,
      responses: {
        200: { description: 'Updated', schema: TrackedSymbolSchema },
        201: { description: 'Created', schema: TrackedSymbolSchema },
        400: errors[400],
        403: { description: 'Missing or invalid API key', schema: ErrorSchema },
      },
    },
    'DELETE /api/v1/symbols/{symbol}': {
      method: 'DELETE',
      path: `${API_PREFIX}/symbols/{symbol}`,
      summary: 'Stop tracking a symbol; with purge=true also remove its bars, series, checkpoints and analyses',
      description:
        'Without purge the bars are kept (PUT the symbol again to resume). A purge that cannot finish within one request answers 202 with done false: repeat the request to continue; the symbol stays listed, inactive, until it is done. A running backfill of the symbol → 409.',
      apiKey: true,
      params: symbolParams,
      query: z.strictObject({
        purge: z
          .pipe(
            z.optional(z.enum(['true', 'false'], { error: 'purge must be true or false' })),
            z.transform((v: 'true' | 'false' | undefined) => v === 'true'),
          )
          .check(z.meta({ description: 'true: also remove the stored data (default false: bars kept)' })),
      }),
      responses: {
        200: { description: 'Removed', schema: DeleteSymbolSchema },
        202: { description: 'Purge in progress: repeat the request to continue', schema: DeleteSymbolSchema },
        400: errors[400],
        403: { description: 'Missing or invalid API key', schema: ErrorSchema },
        404: errors[404],
        409: { description: 'A backfill of the symbol is running', schema: ErrorSchema },
      },
    },
    'POST /api/v1/symbols/{symbol}/backfill': {
      method: 'POST',
      path: `${API_PREFIX}/symbols/{symbol}/backfill`,
      summary: 'Fill the history of a tracked symbol from its provider, in bounded chunks (a backfill job)',
      description:
        "Answers 202 with the job id at once; the ingest workers fetch the range chunk by chunk. Progress (barsDone / totalEstimate) at GET /api/v1/jobs/{id}; a chunk whose provider keeps failing ends the job FAILED with the provider's error after 5 tries. The interval must be one the symbol tracks (400); one backfill per symbol and interval at a time (409 names the running job).",
      apiKey: true,
      params: symbolParams,
      query: z.strictObject({}),
      body: BackfillBodySchema,
      bodyRequired: true,
      responses: {
        202: {
          description: 'Backfill started',
          schema: z.object({
            jobId: z.string(),
            status: z.literal('RUNNING'),
            symbol: z.string(),
            interval: IntervalSchema,
            from: z.string(),
            to: z.string(),
            totalEstimate: z.number().check(z.int()),
            links: z.object({ job: z.string() }),
            note: z
              .optional(z.string())
              .check(z.meta({ description: 'Set when `from` was clamped to the K-line retention window' })),
          }),
        },
        400: errors[400],
        403: { description: 'Missing or invalid API key', schema: ErrorSchema },
        404: errors[404],
        409: {
          description: 'A backfill of this symbol and interval is still running (details.jobId)',
          schema: ErrorSchema,
        },
        500: {
          description: 'This deployment has no ingest queue (ConfigurationError naming it); the job is FAILED',
          schema: ErrorSchema,
        },
        503: {
          description: 'The first chunk could not be queued this time (the job is FAILED); retrying can help',
          schema: ErrorSchema,
        },
        429: errors[429],
      },
    },
  } satisfies Record<string, ApiSpec>;
}
