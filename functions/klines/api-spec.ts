/** Route specs of the K-line API (see functions/common/api-schemas.ts for the shape). */
import {
  errors,
  ErrorSchema,
  positiveInt,
  seriesQuery,
  SeriesSchema,
  symbolParams,
  type ApiSpec,
  type Limits,
} from '../common/api-schemas.js';
import { BarInputSchema } from '../common/bars.js';
import { IntervalSchema } from '../common/domain.js';
import * as z from '../common/zod.js';
import { API_PREFIX } from '../routes.js';

export const ApiBarSchema = z
  .object({
    time: z.string(),
    ts: z.number().check(z.int()),
    open: z.number(),
    high: z.number(),
    low: z.number(),
    close: z.number(),
    volume: z.nullable(z.number()),
  })
  .check(z.meta({ id: 'Bar' }));

export function klinesApiSpecs(limits: Limits) {
  return {
    'GET /api/v1/klines/{symbol}': {
      method: 'GET',
      path: `${API_PREFIX}/klines/{symbol}`,
      summary: 'Stored bars of one series; without from, the newest `limit` bars up to `to`',
      params: symbolParams,
      query: seriesQuery({
        limit: z
          .optional(positiveInt('limit', limits.maxKlinesLimit))
          .check(z.meta({ description: `Max bars (default 1000, at most ${limits.maxKlinesLimit})` })),
      }),
      responses: {
        200: {
          description: 'Bars, oldest first (header x-adjust: the adjustment applied)',
          schema: z.object({
            symbol: z.string(),
            interval: IntervalSchema,
            count: z.number().check(z.int()),
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
      bodyDoc: z.array(BarInputSchema).check(z.maxLength(limits.maxUploadBars)),
      bodyMode: 'json-or-csv',
      bodyRequired: true,
      responses: {
        200: {
          description: 'Upsert report',
          schema: z.object({
            symbol: z.string(),
            interval: IntervalSchema,
            received: z.number().check(z.int()),
            inserted: z.number().check(z.int()),
            updated: z.number().check(z.int()),
            unchanged: z.number().check(z.int()),
            expired: z.number().check(
              z.int(),
              z.meta({
                description: "Bars older than the interval's retention window (KLINE_RETENTION_DAYS): not stored",
              }),
            ),
            rejected: z.number().check(z.int()),
            series: z.nullable(SeriesSchema),
          }),
        },
        400: errors[400],
        403: { description: 'Missing or invalid API key', schema: ErrorSchema },
        413: errors[413],
        415: { description: 'Unsupported content type', schema: ErrorSchema },
      },
    },
  } satisfies Record<string, ApiSpec>;
}
