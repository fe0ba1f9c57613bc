/**
 * Every route's request and response schemas, in one place: handlers validate with them and the OpenAPI document
 * is generated from them (z.toJSONSchema), so the docs cannot drift from what is enforced. No AWS or engine
 * imports here: the openapi Lambda bundles only this.
 */
import * as z from 'zod';
import { API_PREFIX, MIN_COMPRESSION_BYTES, type HttpMethod } from '../routes.js';
import { BarInputSchema } from './bars.js';
import { FORMATS, INCLUDE_PARTS, type IncludePart } from './columns.js';
import { INDICATOR_NAMES, INDICATOR_SUMMARY } from './indicators.js';
import { SignalAlertPrefsSchema } from '../alerts/prefs.js';
import { BackfillBodySchema } from '../ingest/backfill-schema.js';
import {
  PROVIDER_FIELDS,
  PROVIDER_REGISTRY,
  PROVIDERS,
  requiredFields,
  SOURCE_LABELS,
} from '../ingest/providers/index.js';
import { jobsApiSpecs } from '../jobs/api-spec.js';
import {
  ADJUST_MODES,
  ChanPyOptionsSchema,
  IntervalSchema,
  INTERVALS,
  MAX_FUTURE_MS,
  MIN_TIME_MS,
  parseTime,
  SymbolSchema,
  TimeParamSchema,
} from './domain.js';

export interface Limits {
  maxKlinesLimit: number;
  maxAnalysisBars: number;
  maxUploadBars: number;
}

export type BodyMode = 'json' | 'json-or-csv';

export interface ApiSpec {
  method: HttpMethod;
  path: string;
  summary: string;
  description?: string;
  params?: z.ZodType;
  query?: z.ZodType;
  headers?: z.ZodType;
  /** Validated body (JSON). */
  body?: z.ZodType;
  /** Documented body when the handler validates rows itself (for per-row problem reports). */
  bodyDoc?: z.ZodType;
  bodyMode?: BodyMode;
  /** json-or-csv: what the CSV must hold (the OpenAPI text/csv description); the bar-upload layout otherwise. */
  csvDoc?: string;
  bodyRequired?: boolean;
  apiKey?: boolean;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
}

const positiveInt = (name: string, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: `${name} must be a positive integer` })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(1, { error: `${name} must be at least 1` })
        .max(max, { error: `${name} must be at most ${max}` }),
    );

/** from ≤ to, reported on `from` so the message names a field. */
const rangeOrdered = (q: { from?: number; to?: number }) =>
  q.from === undefined || q.to === undefined || q.from <= q.to;
const RANGE_ERROR = { error: 'from must not be after to (reversed range)', path: ['from'] };

const JsonObjectParam = (name: string) =>
  z
    .string()
    .transform((v, ctx) => {
      try {
        const o: unknown = JSON.parse(v);
        if (o !== null && typeof o === 'object' && !Array.isArray(o)) return o as Record<string, unknown>;
        ctx.addIssue({ code: 'custom', message: `${name} must be a JSON object of chan.py option names` });
      } catch {
        ctx.addIssue({ code: 'custom', message: `${name} is not valid JSON` });
      }
      return z.NEVER;
    })
    .meta({ description: 'JSON object of chan.py option names, e.g. {"bi_strict":false,"divergence_rate":0.9}' });

/** Each provider with what it is, from the registry, for the OpenAPI document. */
const PROVIDERS_DOC = PROVIDERS.map((p) => `${p}: ${PROVIDER_REGISTRY[p].description}`).join('; ');

/** Price adjustment applied at read time (functions/common/adjust.ts). */
const AdjustParam = z.enum(ADJUST_MODES, { error: `adjust must be one of ${ADJUST_MODES.join(', ')}` }).meta({
  description:
    "Price adjustment (复权) computed at read time from the stored unadjusted bars and the symbol's factors: none, qfq (前复权, latest prices real) or hfq (后复权). Default: qfq for symbols with adjustment factors (stocks from eastmoney, tushare, yahoo), none otherwise",
});

/** historyFrom in a JSON body: epoch milliseconds (a number) or a date / ISO date-time string; stored as epoch ms. */
const HistoryFromSchema = z
  .union([z.number(), z.string()], {
    error: 'historyFrom must be epoch milliseconds or a YYYY-MM-DD / ISO 8601 date-time string',
  })
  .transform((v, ctx) => {
    const t = parseTime(v);
    if (!Number.isFinite(t)) {
      ctx.addIssue({
        code: 'custom',
        message: `historyFrom ${JSON.stringify(v)} is not a time: use epoch milliseconds, YYYY-MM-DD or an ISO 8601 date-time`,
      });
      return z.NEVER;
    }
    if (t < MIN_TIME_MS || t > Date.now() + MAX_FUTURE_MS) {
      ctx.addIssue({ code: 'custom', message: `historyFrom ${JSON.stringify(v)} is out of range (1900-01-01 to now)` });
      return z.NEVER;
    }
    return t;
  })
  .meta({ description: 'Where ingestion of a newly tracked series starts: epoch ms, YYYY-MM-DD or ISO date-time' });

export const ErrorSchema = z
  .object({
    error: z.string().meta({ description: 'Error code, e.g. ValidationError, NotFound, PayloadTooLarge' }),
    message: z.string().meta({ description: 'Human-readable; names the offending field' }),
    details: z.unknown().meta({ description: 'Field problems ({field, message}[]) or other context; null when none' }),
  })
  .meta({ id: 'Error' });

export const ApiBarSchema = z
  .object({
    time: z.string(),
    ts: z.number().int(),
    open: z.number(),
    high: z.number(),
    low: z.number(),
    close: z.number(),
    volume: z.number().nullable(),
  })
  .meta({ id: 'Bar' });

const SeriesSchema = z
  .object({
    symbol: z.string(),
    interval: IntervalSchema,
    first: z.string(),
    last: z.string(),
    count: z.number().int(),
    rev: z.number().int(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Series' });

export const TrackedSymbolSchema = z
  .object({
    symbol: z.string(),
    provider: z.enum(PROVIDERS),
    providerSymbol: z.string(),
    intervals: z.array(IntervalSchema),
    active: z.boolean(),
    sourceUrl: z.string().optional(),
    sourceLabel: z.enum(SOURCE_LABELS).optional(),
    historyFrom: z.number().int().optional(),
    alerts: SignalAlertPrefsSchema.optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
    series: z.array(SeriesSchema).optional(),
  })
  .meta({ id: 'TrackedSymbol' });

const HealthSchema = z
  .object({
    status: z.enum(['healthy', 'degraded', 'unhealthy']),
    message: z.string(),
    version: z.string(),
    components: z.object({
      api: z.string(),
      database: z.string(),
      chan_module: z.string(),
      cache: z.string(),
      cache_resource: z
        .string()
        .optional()
        .meta({ description: 'State of the ElastiCache resource (control plane); 不适用 where there is none' }),
      ingestion: z.string().optional(),
    }),
  })
  .meta({ id: 'Health' });

/**
 * The per-bar parts of an analysis result, left out unless asked for with `include`: for 5,000 daily bars they are
 * ~95% of the document (bars with MACD ~0.96 MB, mergedBars ~0.67 MB, fractals ~0.16 MB, against ~90 KB for every
 * structure together), and serializing and shipping them dominated the response time.
 */
export { INCLUDE_PARTS, type IncludePart };
const INCLUDE_HELP = `use a comma-separated list of ${INCLUDE_PARTS.join(', ')}, or all`;

/** Canonical (deduplicated, in INCLUDE_PARTS order) list of requested parts, or the problem with an unknown name. */
function normalizeInclude(names: readonly string[]): IncludePart[] | string {
  const wanted = new Set<string>();
  for (const raw of names) {
    const n = raw.trim();
    if (n === '') continue;
    if (n === 'all') INCLUDE_PARTS.forEach((p) => wanted.add(p));
    else if ((INCLUDE_PARTS as readonly string[]).includes(n)) wanted.add(n);
    else return `unknown part "${n}": ${INCLUDE_HELP}`;
  }
  return INCLUDE_PARTS.filter((p) => wanted.has(p));
}

const INCLUDE_DESCRIPTION =
  'Per-bar parts to add to result (default: none, i.e. meta and the structures only: strokes, segments, segmentsOfSegments, pivots, signals). ' +
  `Comma-separated: ${INCLUDE_PARTS.join(', ')} (bars carry ${INDICATOR_SUMMARY}), or all.`;

const includeParser = (v: readonly string[], ctx: z.core.$RefinementCtx) => {
  const r = normalizeInclude(v);
  if (typeof r === 'string') {
    ctx.addIssue({ code: 'custom', message: `include: ${r}` });
    return z.NEVER;
  }
  return r;
};

const IncludeQueryParam = z
  .string()
  .transform((v, ctx) => includeParser(v.split(','), ctx))
  .meta({ description: INCLUDE_DESCRIPTION, examples: ['bars', 'bars,mergedBars,fractals'] });

const IncludeBodyField = z
  .array(z.string(), { error: `include must be a list of part names (${INCLUDE_PARTS.join(', ')}, all)` })
  .transform(includeParser)
  .meta({ description: INCLUDE_DESCRIPTION.replace('Comma-separated', 'A list of') });

/**
 * Measured on us_spy_1h (20,000 hourly bars, include=all, bench/wire.ts): what the format and compression save on
 * the wire, so a client can choose.
 */
const WIRE_SIZES =
  'for 20,000 hourly bars with include=all, rows are 7.8 MB of JSON and columns 4.9 MB; ' +
  'gzipped (Accept-Encoding: gzip) 1.6–1.9 MB and 1.3–1.4 MB, by compression level';

const FORMAT_DESCRIPTION =
  'How the per-bar parts named in include are laid out in result: rows (default) is one object per bar; columns is one ' +
  'array per field ({"time":[…],"ts":[…],"open":[…],…}: entry i of every array is bar i), the same content without the ' +
  `field names on every bar; the response then says "format":"columns". Sizes: ${WIRE_SIZES}. ` +
  'Structures (strokes, pivots, signals…) are the same in both.';

const FormatSchema = z
  .enum(FORMATS, { error: `format must be ${FORMATS.join(' or ')}` })
  .meta({ description: FORMAT_DESCRIPTION });

export const AnalysisSchema = z
  .object({
    symbol: z.string().nullable(),
    interval: IntervalSchema.nullable(),
    preset: z.string().nullable(),
    configHash: z.string(),
    barCount: z.number().int().meta({ description: 'Bars analysed (bars.analysed)' }),
    from: z.string().nullable().meta({ description: 'First bar analysed (bars.from)' }),
    to: z.string().nullable().meta({ description: 'Last bar analysed (bars.to)' }),
    bars: z
      .object({
        analysed: z.number().int(),
        stored: z
          .number()
          .int()
          .nullable()
          .meta({ description: 'Bars written to the series (null for bars posted in the body)' }),
        from: z.string().nullable(),
        to: z.string().nullable(),
      })
      .meta({ id: 'AnalysedBars', description: 'The window analysed, against what the series stores' }),
    truncated: z.boolean().meta({
      description:
        'true when older bars within the request were left out: without `from` at most MAX_ANALYSIS_BARS of the newest bars up to `to` are analysed',
    }),
    next: z
      .object({
        to: z.string().meta({ description: 'The bar just before the analysed window' }),
        href: z.string().meta({ description: 'This request with `to` set there: the older page' }),
      })
      .nullable()
      .meta({ description: 'Where the older bars are, when truncated; null otherwise' }),
    include: z
      .array(z.enum(INCLUDE_PARTS))
      .meta({ description: 'The per-bar parts present in result (what `include` asked for)' }),
    format: z
      .literal('columns')
      .optional()
      .meta({ description: 'Present when format=columns was asked for: the per-bar parts in result are columns' }),
    result: z.record(z.string(), z.unknown()).meta({
      description:
        'ChanResult: meta, strokes, segments, segmentsOfSegments, strokePivots, segmentPivots, strokeSignals, segmentSignals; ' +
        `plus bars (with ${INDICATOR_SUMMARY}), mergedBars and fractals only when named in include (absent otherwise), ` +
        'one object per bar, or one array per field with format=columns',
    }),
  })
  .meta({ id: 'Analysis' });

const DeleteSymbolSchema = z
  .object({
    symbol: z.string(),
    purge: z.boolean(),
    done: z.boolean().meta({ description: 'false: the purge stopped at its time budget; repeat to continue' }),
    deleted: z
      .object({
        bars: z.number().int(),
        series: z.number().int(),
        checkpoints: z.number().int(),
        analyses: z.number().int(),
      })
      .meta({ description: 'What this request deleted (a repeated purge counts only its own part)' }),
    message: z.string(),
  })
  .meta({ id: 'DeletedSymbol' });

const symbolParams = z.strictObject({ symbol: SymbolSchema });

const errors = {
  400: { description: 'Invalid request: the message names the field', schema: ErrorSchema },
  404: { description: 'Unknown symbol, series or route', schema: ErrorSchema },
  413: { description: 'Body too large', schema: ErrorSchema },
  429: { description: 'Throttled', schema: ErrorSchema },
  500: { description: 'Internal error', schema: ErrorSchema },
};

export function buildApiSpec(limits: Limits) {
  const specs = {
    'GET /health': {
      method: 'GET',
      path: '/health',
      summary: 'Service health (the predecessor /health JSON plus components.cache)',
      responses: {
        200: { description: 'Healthy or degraded (cache down)', schema: HealthSchema },
        503: { description: 'The store is unreachable', schema: HealthSchema },
      },
    },
    'GET /api/v1/openapi.json': {
      method: 'GET',
      path: `${API_PREFIX}/openapi.json`,
      summary: 'This OpenAPI 3.1 document',
      responses: { 200: { description: 'OpenAPI document' } },
    },
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
            .meta({ description: PROVIDERS_DOC }),
          intervals: z
            .array(IntervalSchema, { error: 'intervals must be a list of intervals' })
            .min(1, { error: 'intervals must name at least one interval' })
            .max(INTERVALS.length)
            .refine((a) => new Set(a).size === a.length, { error: 'intervals must not repeat' }),
          providerSymbol: z
            .string()
            .min(1)
            .max(64)
            .regex(/^[A-Za-z0-9._\-^=/]+$/, { error: 'providerSymbol has invalid characters' })
            .optional(),
          active: z.boolean().default(true),
          sourceUrl: z
            .url({ protocol: /^https?$/, error: 'sourceUrl must be an http(s) URL of a CSV or JSON bar file' })
            .max(2048)
            .optional(),
          sourceLabel: z
            .enum(SOURCE_LABELS, {
              error: 'sourceLabel must be "start" (rows stamped at bar open) or "end" (at bar close)',
            })
            .optional(),
          historyFrom: HistoryFromSchema.optional(),
          alerts: SignalAlertPrefsSchema.optional().meta({
            description: 'Buy/sell point alerts for this symbol (opt-in: enabled true)',
          }),
        })
        .superRefine((b, ctx) => {
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
        })
        .meta({ id: 'TrackSymbolRequest' }),
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
          .enum(['true', 'false'], { error: 'purge must be true or false' })
          .optional()
          .transform((v) => v === 'true')
          .meta({ description: 'true: also remove the stored data (default false: bars kept)' }),
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
            totalEstimate: z.number().int(),
            links: z.object({ job: z.string() }),
            note: z
              .string()
              .optional()
              .meta({ description: 'Set when `from` was clamped to the K-line retention window' }),
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
    'GET /api/v1/klines/{symbol}': {
      method: 'GET',
      path: `${API_PREFIX}/klines/{symbol}`,
      summary: 'Stored bars of one series; without from, the newest `limit` bars up to `to`',
      params: symbolParams,
      query: z
        .strictObject({
          interval: IntervalSchema,
          from: TimeParamSchema.optional(),
          to: TimeParamSchema.optional(),
          limit: positiveInt('limit', limits.maxKlinesLimit)
            .optional()
            .meta({ description: `Max bars (default 1000, at most ${limits.maxKlinesLimit})` }),
          adjust: AdjustParam.optional(),
        })
        .refine(rangeOrdered, RANGE_ERROR),
      responses: {
        200: {
          description: 'Bars, oldest first (header x-adjust: the adjustment applied)',
          schema: z.object({
            symbol: z.string(),
            interval: IntervalSchema,
            count: z.number().int(),
            bars: z.array(ApiBarSchema),
          }),
        },
        400: errors[400],
        404: errors[404],
      },
    },
    'POST /api/v1/klines/{symbol}': {
      method: 'POST',
      path: `${API_PREFIX}/klines/{symbol}`,
      summary: 'Upload bars (JSON array or CSV); idempotent upsert',
      description:
        'Rows must be valid and strictly increasing in time. Any invalid row rejects the whole request with 400 listing every problem (row index and field); nothing is written. Re-sending a bar counts as unchanged; a changed bar is updated.',
      apiKey: true,
      params: symbolParams,
      query: z.strictObject({ interval: IntervalSchema }),
      bodyDoc: z.array(BarInputSchema).max(limits.maxUploadBars),
      bodyMode: 'json-or-csv',
      bodyRequired: true,
      responses: {
        200: {
          description: 'Upsert report',
          schema: z.object({
            symbol: z.string(),
            interval: IntervalSchema,
            received: z.number().int(),
            inserted: z.number().int(),
            updated: z.number().int(),
            unchanged: z.number().int(),
            expired: z.number().int().meta({
              description: "Bars older than the interval's retention window (KLINE_RETENTION_DAYS): not stored",
            }),
            rejected: z.number().int(),
            series: SeriesSchema.nullable(),
          }),
        },
        400: errors[400],
        403: { description: 'Missing or invalid API key', schema: ErrorSchema },
        413: errors[413],
        415: { description: 'Unsupported content type', schema: ErrorSchema },
      },
    },
    'GET /api/v1/analysis/{symbol}': {
      method: 'GET',
      path: `${API_PREFIX}/analysis/{symbol}`,
      summary: 'Chan analysis of stored bars (cached by symbol, interval, last bar time and config hash)',
      description: `Without from, the newest bars up to \`to\`, at most ${limits.maxAnalysisBars} (MAX_ANALYSIS_BARS): when older bars were left out the response says so (\`truncated\`, \`bars.analysed\` against \`bars.stored\`) and \`next.href\` asks for the older page; with from, a range of at most ${limits.maxAnalysisBars} bars (400 otherwise). config (chan.py option names) is applied on top of preset when both are given. The per-bar parts (bars with ${INDICATOR_NAMES}, mergedBars, fractals) are left out unless named in include; format=columns sends them as one array per field (${WIRE_SIZES}). Responses of at least ${MIN_COMPRESSION_BYTES} bytes are compressed when the client accepts gzip or deflate.`,
      params: symbolParams,
      query: z
        .strictObject({
          interval: IntervalSchema,
          from: TimeParamSchema.optional(),
          to: TimeParamSchema.optional(),
          preset: z.string().min(1).max(32).optional().meta({
            description: 'chanpy (default), classic, demo or corrected; with config, the base the config applies to',
          }),
          config: JsonObjectParam('config').optional(),
          include: IncludeQueryParam.optional(),
          format: FormatSchema.optional(),
          adjust: AdjustParam.optional(),
        })
        .refine(rangeOrdered, RANGE_ERROR),
      responses: {
        200: {
          description: 'Analysis (header x-cache: HIT|MISS; x-adjust: the adjustment applied)',
          schema: AnalysisSchema,
        },
        400: errors[400],
        404: errors[404],
      },
    },
    'POST /api/v1/analysis': {
      method: 'POST',
      path: `${API_PREFIX}/analysis`,
      summary: 'Chan analysis of bars sent in the body (nothing is stored)',
      body: z
        .strictObject({
          bars: z
            .array(z.unknown(), { error: 'bars must be a list of bars' })
            .min(1, { error: 'bars must contain at least one bar' })
            .max(limits.maxAnalysisBars, { error: `bars must contain at most ${limits.maxAnalysisBars} bars` })
            .meta({ description: 'BarInput[] (same rules as the upload)' }),
          preset: z.string().min(1).max(32).optional(),
          config: ChanPyOptionsSchema.optional(),
          include: IncludeBodyField.optional(),
          format: FormatSchema.optional(),
        })
        .meta({ id: 'AnalyzeRequest' }),
      bodyMode: 'json',
      bodyRequired: true,
      responses: { 200: { description: 'Analysis', schema: AnalysisSchema }, 400: errors[400], 413: errors[413] },
    },
    ...jobsApiSpecs(),
  } satisfies Record<string, ApiSpec>;
  return specs;
}

export type ApiSpecs = ReturnType<typeof buildApiSpec>;
export type RouteKey = keyof ApiSpecs;
