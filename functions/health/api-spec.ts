/** GET /health's route spec (see functions/common/api-schemas.ts for the shape). */
import type { ApiSpec } from '../common/api-schemas.js';
import * as z from '../common/zod.js';

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
        .optional(z.string())
        .check(
          z.meta({ description: 'State of the ElastiCache resource (control plane); 不适用 where there is none' }),
        ),
      ingestion: z.optional(z.string()),
    }),
  })
  .check(z.meta({ id: 'Health' }));

export function healthApiSpecs() {
  return {
    'GET /health': {
      method: 'GET',
      path: '/health',
      summary: 'Service health (the predecessor /health JSON plus components.cache)',
      responses: {
        200: { description: 'Healthy or degraded (cache down)', schema: HealthSchema },
        503: { description: 'The store is unreachable', schema: HealthSchema },
      },
    },
  } satisfies Record<string, ApiSpec>;
}
