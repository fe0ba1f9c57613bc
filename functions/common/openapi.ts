/**
 * OpenAPI 3.1 generated from the route specs' zod schemas (z.toJSONSchema, JSON Schema 2020-12, which is OpenAPI
 * 3.1's schema dialect). Request schemas are rendered as their input side (what a client sends), responses as
 * their output side; `$defs` of named schemas (.meta({id})) are hoisted into components.schemas.
 */
import * as z from './zod.js';
import { ROUTES } from '../routes.js';
import type { ApiSpec } from './api-schemas.js';
import { INTERVALS } from './domain.js';

type Json = Record<string, unknown>;

export function buildOpenApi(specs: Record<string, ApiSpec>, opts: { version: string; serverUrl?: string }): Json {
  const components: Record<string, Json> = {};
  const convert = (schema: z.ZodMiniType, io: 'input' | 'output'): Json => {
    const js = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
    const defs = (js.$defs ?? {}) as Record<string, Json>;
    delete js.$defs;
    delete js.$schema;
    for (const [id, d] of Object.entries(defs)) components[id] ??= rewriteRefs(d) as Json;
    return rewriteRefs(js) as Json;
  };
  const paths: Record<string, Json> = {};
  for (const spec of Object.values(specs)) {
    const route = ROUTES.find((r) => r.method === spec.method && r.path === spec.path);
    const op: Json = {
      summary: spec.summary,
      operationId: `${spec.method.toLowerCase()}${spec.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    };
    if (spec.description) op.description = spec.description;
    const parameters: Json[] = [];
    const addParams = (schema: z.ZodMiniType | undefined, where: 'path' | 'query') => {
      if (!schema) return;
      const js = convert(schema, 'input');
      const props = (js.properties ?? {}) as Record<string, Json>;
      const required = new Set((js.required as string[] | undefined) ?? []);
      for (const [name, s] of Object.entries(props)) {
        const { description, ...rest } = s;
        parameters.push({
          name,
          in: where,
          required: where === 'path' || required.has(name),
          schema: rest,
          ...(description ? { description } : {}),
        });
      }
    };
    addParams(spec.params, 'path');
    addParams(spec.query, 'query');
    if (parameters.length) op.parameters = parameters;
    const bodySchema = spec.body ?? spec.bodyDoc;
    if (bodySchema) {
      const content: Json = { 'application/json': { schema: convert(bodySchema, 'input') } };
      if (spec.bodyMode === 'json-or-csv')
        content['text/csv'] = {
          schema: {
            type: 'string',
            description: spec.csvDoc ?? 'Header time,open,high,low,close[,volume]; one bar per line',
          },
        };
      op.requestBody = { required: spec.bodyRequired ?? false, content };
    }
    const responses: Json = {};
    for (const [status, r] of Object.entries(spec.responses)) {
      responses[status] = {
        description: r.description,
        ...(r.schema ? { content: { 'application/json': { schema: convert(r.schema, 'output') } } } : {}),
      };
    }
    op.responses = responses;
    if (route?.apiKey || spec.apiKey) op.security = [{ apiKey: [] }];
    (paths[spec.path] ??= {})[spec.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: '缠论分析系统 API',
      version: opts.version,
      description: `Chan-theory analysis over stored K-lines. Intervals: ${INTERVALS.join(', ')}.`,
    },
    ...(opts.serverUrl ? { servers: [{ url: opts.serverUrl }] } : {}),
    paths,
    components: {
      schemas: components,
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } },
    },
  };
}

function rewriteRefs(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(rewriteRefs);
  if (v && typeof v === 'object') {
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      out[k] = k === '$ref' && typeof x === 'string' ? x.replace('#/$defs/', '#/components/schemas/') : rewriteRefs(x);
    }
    return out;
  }
  return v;
}
