/**
 * What the route specs of more than one handler group share: the spec shape, the error body and the parameter
 * schemas several routes use. Each group's routes live beside its handler (functions/<group>/api-spec.ts), so a
 * handler bundles the schemas of its own routes only; functions/common/api-spec.ts joins them into the whole API
 * (the OpenAPI document). No AWS or engine imports here.
 */
import type { HttpMethod } from '../routes.js';
import { ADJUST_MODES, IntervalSchema, SymbolSchema, TimeParamSchema } from './domain.js';
import * as z from './zod.js';

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
  params?: z.ZodMiniType;
  query?: z.ZodMiniType;
  headers?: z.ZodMiniType;
  /** Validated body (JSON). */
  body?: z.ZodMiniType;
  /** Documented body when the handler validates rows itself (for per-row problem reports). */
  bodyDoc?: z.ZodMiniType;
  bodyMode?: BodyMode;
  /** json-or-csv: what the CSV must hold (the OpenAPI text/csv description); the bar-upload layout otherwise. */
  csvDoc?: string;
  bodyRequired?: boolean;
  apiKey?: boolean;
  responses: Record<number, { description: string; schema?: z.ZodMiniType }>;
}

/** A query parameter holding a whole number in [1, max]. */
export const positiveInt = (name: string, max: number) =>
  z.pipe(
    z.pipe(z.string().check(z.regex(/^\d+$/, { error: `${name} must be a positive integer` })), z.transform(Number)),
    z
      .number()
      .check(
        z.int(),
        z.gte(1, { error: `${name} must be at least 1` }),
        z.lte(max, { error: `${name} must be at most ${max}` }),
      ),
  );

/** from ≤ to, reported on `from` so the message names a field. */
export const rangeOrdered = (q: { from?: number; to?: number }) =>
  q.from === undefined || q.to === undefined || q.from <= q.to;
export const RANGE_ERROR = { error: 'from must not be after to (reversed range)', path: ['from'] };

/** Price adjustment applied at read time (functions/common/adjust.ts). */
export const AdjustParam = z.enum(ADJUST_MODES, { error: `adjust must be one of ${ADJUST_MODES.join(', ')}` }).check(
  z.meta({
    description:
      "Price adjustment (复权) computed at read time from the stored unadjusted bars and the symbol's factors: none, qfq (前复权, latest prices real) or hfq (后复权). Default: qfq for symbols with adjustment factors (stocks from eastmoney, tushare, yahoo), none otherwise",
  }),
);

/**
 * The query of a read of one stored series: interval, an optional [from, to] range (from ≤ to, reported on `from`),
 * the route's own parameters, then `adjust`.
 */
export const seriesQuery = <Own extends Record<string, z.ZodMiniType>>(own: Own) =>
  z
    .strictObject({
      interval: IntervalSchema,
      from: z.optional(TimeParamSchema),
      to: z.optional(TimeParamSchema),
      ...own,
      adjust: z.optional(AdjustParam),
    })
    // The output type of a shape with generic parts does not resolve here; from and to are the fixed ones above.
    .check(z.refine((q) => rangeOrdered(q as Parameters<typeof rangeOrdered>[0]), RANGE_ERROR));

export const ErrorSchema = z
  .object({
    error: z.string().check(z.meta({ description: 'Error code, e.g. ValidationError, NotFound, PayloadTooLarge' })),
    message: z.string().check(z.meta({ description: 'Human-readable; names the offending field' })),
    details: z
      .unknown()
      .check(z.meta({ description: 'Field problems ({field, message}[]) or other context; null when none' })),
  })
  .check(z.meta({ id: 'Error' }));

export const SeriesSchema = z
  .object({
    symbol: z.string(),
    interval: IntervalSchema,
    first: z.string(),
    last: z.string(),
    count: z.number().check(z.int()),
    rev: z.number().check(z.int()),
    updatedAt: z.string(),
  })
  .check(z.meta({ id: 'Series' }));

export const symbolParams = z.strictObject({ symbol: SymbolSchema });

export const errors = {
  400: { description: 'Invalid request: the message names the field', schema: ErrorSchema },
  404: { description: 'Unknown symbol, series or route', schema: ErrorSchema },
  413: { description: 'Body too large', schema: ErrorSchema },
  429: { description: 'Throttled', schema: ErrorSchema },
  500: { description: 'Internal error', schema: ErrorSchema },
};
