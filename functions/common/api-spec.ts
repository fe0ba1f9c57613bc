/**
 * Every route's request and response schemas, in one place: handlers validate with them and the OpenAPI document
 * is generated from them (z.toJSONSchema), so the docs cannot drift from what is enforced. No AWS or engine
 * imports here: the openapi Lambda bundles only this.
 */
import * as z from 'zod';
import { API_PREFIX, type HttpMethod } from '../routes.js';
import { BarInputSchema } from './bars.js';
import { IntervalSchema, INTERVALS, SymbolSchema, TimeParamSchema } from './domain.js';

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
  bodyRequired?: boolean;
  apiKey?: boolean;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
}

const positiveInt = (name: string, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: `${name} must be a positive integer` })
    .transform(Number)
    .pipe(z.number().int().min(1, { error: `${name} must be at least 1` }).max(max, { error: `${name} must be at most ${max}` }));

/** from ≤ to, reported on `from` so the message names a field. */
const rangeOrdered = (q: { from?: number; to?: number }) => q.from === undefined || q.to === undefined || q.from <= q.to;
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

export const PROVIDERS = ['binance', 'bybit', 'upload'] as const;

export const ErrorSchema = z
  .object({
    error: z.string().meta({ description: 'Error code, e.g. ValidationError, NotFound, PayloadTooLarge' }),
    message: z.string().meta({ description: 'Human-readable; names the offending field' }),
    details: z.unknown().meta({ description: 'Field problems ({field, message}[]) or other context; null when none' }),
  })
  .meta({ id: 'Error' });

const ApiBarSchema = z
  .object({ time: z.string(), ts: z.number().int(), open: z.number(), high: z.number(), low: z.number(), close: z.number(), volume: z.number().nullable() })
  .meta({ id: 'Bar' });

const SeriesSchema = z
  .object({ symbol: z.string(), interval: IntervalSchema, first: z.string(), last: z.string(), count: z.number().int(), rev: z.number().int(), updatedAt: z.string() })
  .meta({ id: 'Series' });

const TrackedSymbolSchema = z
  .object({
    symbol: z.string(),
    provider: z.enum(PROVIDERS),
    providerSymbol: z.string(),
    intervals: z.array(IntervalSchema),
    active: z.boolean(),
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
    components: z.object({ api: z.string(), database: z.string(), chan_module: z.string(), cache: z.string(), ingestion: z.string().optional() }),
  })
  .meta({ id: 'Health' });

const AnalysisSchema = z
  .object({
    symbol: z.string().nullable(),
    interval: IntervalSchema.nullable(),
    preset: z.string().nullable(),
    configHash: z.string(),
    barCount: z.number().int(),
    from: z.string().nullable(),
    to: z.string().nullable(),
    result: z.record(z.string(), z.unknown()).meta({ description: 'ChanResult: bars (with MACD), mergedBars, fractals, strokes, segments, segmentsOfSegments, pivots, signals' }),
  })
  .meta({ id: 'Analysis' });

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
      responses: { 200: { description: 'Healthy or degraded (cache down)', schema: HealthSchema }, 503: { description: 'The store is unreachable', schema: HealthSchema } },
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
      responses: { 200: { description: 'Tracked symbols', schema: z.object({ symbols: z.array(TrackedSymbolSchema) }) }, 400: errors[400] },
    },
    'PUT /api/v1/symbols/{symbol}': {
      method: 'PUT',
      path: `${API_PREFIX}/symbols/{symbol}`,
      summary: 'Track a symbol (create or replace): provider and intervals to ingest',
      apiKey: true,
      params: symbolParams,
      body: z
        .strictObject({
          provider: z.enum(PROVIDERS, { error: (iss) => (iss.input === undefined ? 'provider is required' : `unknown provider "${String(iss.input)}": use one of ${PROVIDERS.join(', ')}`) }),
          intervals: z
            .array(IntervalSchema, { error: 'intervals must be a list of intervals' })
            .min(1, { error: 'intervals must name at least one interval' })
            .max(INTERVALS.length)
            .refine((a) => new Set(a).size === a.length, { error: 'intervals must not repeat' }),
          providerSymbol: z.string().min(1).max(64).regex(/^[A-Za-z0-9._\-^=/]+$/, { error: 'providerSymbol has invalid characters' }).optional(),
          active: z.boolean().default(true),
        })
        .meta({ id: 'TrackSymbolRequest' }),
      bodyRequired: true,
      responses: { 200: { description: 'Updated', schema: TrackedSymbolSchema }, 201: { description: 'Created', schema: TrackedSymbolSchema }, 400: errors[400], 403: { description: 'Missing or invalid API key', schema: ErrorSchema } },
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
          limit: positiveInt('limit', limits.maxKlinesLimit).optional().meta({ description: `Max bars (default 1000, at most ${limits.maxKlinesLimit})` }),
        })
        .refine(rangeOrdered, RANGE_ERROR),
      responses: {
        200: { description: 'Bars, oldest first', schema: z.object({ symbol: z.string(), interval: IntervalSchema, count: z.number().int(), bars: z.array(ApiBarSchema) }) },
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
          schema: z.object({ symbol: z.string(), interval: IntervalSchema, received: z.number().int(), inserted: z.number().int(), updated: z.number().int(), unchanged: z.number().int(), rejected: z.number().int(), series: SeriesSchema.nullable() }),
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
      description: `Without from, the newest bars up to \`to\` (at most ${limits.maxAnalysisBars}). preset and config are exclusive.`,
      params: symbolParams,
      query: z
        .strictObject({
          interval: IntervalSchema,
          from: TimeParamSchema.optional(),
          to: TimeParamSchema.optional(),
          preset: z.string().min(1).max(32).optional().meta({ description: 'chanpy (default), classic or demo' }),
          config: JsonObjectParam('config').optional(),
        })
        .refine(rangeOrdered, RANGE_ERROR),
      responses: { 200: { description: 'Analysis (header x-cache: HIT|MISS)', schema: AnalysisSchema }, 400: errors[400], 404: errors[404] },
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
          config: z.record(z.string(), z.unknown(), { error: 'config must be an object of chan.py option names' }).optional(),
        })
        .meta({ id: 'AnalyzeRequest' }),
      bodyMode: 'json',
      bodyRequired: true,
      responses: { 200: { description: 'Analysis', schema: AnalysisSchema }, 400: errors[400], 413: errors[413] },
    },
  } satisfies Record<string, ApiSpec>;
  return specs;
}

export type ApiSpecs = ReturnType<typeof buildApiSpec>;
export type RouteKey = keyof ApiSpecs;
