/**
 * The body of POST /api/v1/symbols/{symbol}/backfill. zod and the domain types only, so the API spec (and the
 * OpenAPI bundle) can import it without the ingestion worker.
 */
import * as z from '../common/zod.js';
import { IntervalSchema, TimeParamSchema } from '../common/domain.js';

export const BackfillBodySchema = z
  .strictObject({
    interval: IntervalSchema,
    from: z
      .union([z.number().check(z.int()), TimeParamSchema])
      .check(z.meta({ description: 'First bar: epoch ms, YYYY-MM-DD or ISO date-time' })),
    to: z
      .optional(z.union([z.number().check(z.int()), TimeParamSchema]))
      .check(z.meta({ description: 'Last bar (default: the newest closed bar)' })),
  })
  .check(z.meta({ id: 'BackfillRequest' }));
