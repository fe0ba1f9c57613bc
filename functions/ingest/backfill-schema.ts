/**
 * The body of POST /api/v1/symbols/{symbol}/backfill. zod and the domain types only, so the API spec (and the
 * OpenAPI bundle) can import it without the ingestion worker.
 */
import * as z from 'zod';
import { IntervalSchema, TimeParamSchema } from '../common/domain.js';

export const BackfillBodySchema = z
  .strictObject({
    interval: IntervalSchema,
    from: z
      .union([z.number().int(), TimeParamSchema])
      .meta({ description: 'First bar: epoch ms, YYYY-MM-DD or ISO date-time' }),
    to: z
      .union([z.number().int(), TimeParamSchema])
      .optional()
      .meta({ description: 'Last bar (default: the newest closed bar)' }),
  })
  .meta({ id: 'BackfillRequest' });
