/** GET /api/v1/openapi.json: the OpenAPI 3.1 document, generated once per cold start from the route schemas. */
import { buildApiSpec } from '../common/api-spec.js';
import { createHandler } from '../common/http.js';
import { buildOpenApi } from '../common/openapi.js';
import { openapiApiSpecs } from './api-spec.js';

let doc: string | undefined;

export const handler = createHandler('openapi', openapiApiSpecs, {
  'GET /api/v1/openapi.json': async ({ config, event }) => {
    const stage = event.requestContext?.stage;
    const host = event.headers?.Host ?? event.headers?.host;
    doc ??= JSON.stringify(
      buildOpenApi(buildApiSpec(config), {
        version: config.version,
        serverUrl: host
          ? `${host.startsWith('localhost') || host.startsWith('127.') ? 'http' : 'https'}://${host}${stage && stage !== 'local' ? `/${stage}` : ''}`
          : undefined,
      }),
    );
    return { rawBody: doc, headers: { 'Cache-Control': 'public, max-age=300' } };
  },
});
