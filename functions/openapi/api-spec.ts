/** GET /api/v1/openapi.json's route spec (see functions/common/api-schemas.ts for the shape). */
import { API_PREFIX } from '../routes.js';
import type { ApiSpec } from '../common/api-schemas.js';

export function openapiApiSpecs() {
  return {
    'GET /api/v1/openapi.json': {
      method: 'GET',
      path: `${API_PREFIX}/openapi.json`,
      summary: 'This OpenAPI 3.1 document',
      responses: { 200: { description: 'OpenAPI document' } },
    },
  } satisfies Record<string, ApiSpec>;
}
