/**
 * The ONE middy stack every API Lambda uses. Order matters:
 *
 *   observe      before: timer + log keys; after/onError: request log, per-route latency/error metrics (EMF,
 *                through emitMetric: RouteLatency, RouteServerError, RouteClientError with {service, route})
 *   httpCors     CORS headers on every response, error responses included — it is registered BEFORE the error
 *                handler so its onError runs AFTER ours (middy runs onError in reverse), see stack-notes
 *   jsonErrors   any thrown error → `{error, message, details}` with its status; zod/engine errors are 400s,
 *                a backing service's timeout/outage/throttle is a 503 with Retry-After (dependency-errors.ts),
 *                only unexpected faults are 500 (and their internals are logged, not returned)
 *   dispatch     resolves the route (resource + method), validates path/query/headers/body with the route's zod
 *                schemas, calls the route function, serializes its reply
 *
 * Handlers stay "parse, call, respond": they receive already-validated input. Each handler passes the specs of its
 * own routes (functions/<group>/api-spec.ts), not the whole API's, so its bundle carries only their schemas.
 */
import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import * as z from './zod.js';
import type { HandlerGroup } from '../routes.js';
import type { ApiSpec, Limits } from './api-schemas.js';
import { getConfig, type AppConfig } from './config.js';
import { dependencyFault, dependencyUnavailable } from './dependency-errors.js';
import { fromZod, HttpError, payloadTooLarge, unsupportedMediaType, badRequest } from './errors.js';
import { emitMetric } from './metrics-catalog.js';
import { getLogger } from './observability.js';

type Out<S> = S extends z.ZodMiniType ? z.output<S> : undefined;

export interface ApiRequest<S extends ApiSpec> {
  params: Out<S['params']>;
  query: Out<S['query']>;
  /** Parsed body: validated object for `body` routes; JSON value or CSV text for `json-or-csv` routes. */
  body: S['body'] extends z.ZodMiniType
    ? z.output<S['body']>
    : S['bodyMode'] extends 'json-or-csv'
      ? { kind: 'json'; value: unknown } | { kind: 'csv'; text: string }
      : undefined;
  headers: Record<string, string>;
  event: APIGatewayProxyEvent;
  config: AppConfig;
}

export interface ApiReply {
  statusCode?: number;
  /** Serialized with JSON.stringify … */
  body?: unknown;
  /** … unless a pre-serialized JSON string is given (cached analysis results skip re-serialization). */
  rawBody?: string;
  headers?: Record<string, string>;
}

type RouteFn<S extends ApiSpec> = (req: ApiRequest<S>) => Promise<ApiReply>;
/** One implementation per route of the group's specs. */
export type RouteImpls<Specs extends Record<string, ApiSpec>> = { [K in keyof Specs]: RouteFn<Specs[K]> };

const JSON_HEADERS = { 'Content-Type': 'application/json; charset=utf-8' };

/**
 * Header and query names are the caller's: they go into prototype-less records, so "__proto__" stays a key (and
 * fails strict validation) and "constructor" finds nothing inherited.
 */
function stringRecord(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

function lowerHeaders(h: APIGatewayProxyEvent['headers'] | null | undefined): Record<string, string> {
  const out = stringRecord();
  for (const [k, v] of Object.entries(h ?? {})) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

function routeKeyOf(event: APIGatewayProxyEvent): string {
  return `${event.httpMethod} ${event.resource}`;
}

function parseQuery(event: APIGatewayProxyEvent): Record<string, string> {
  const multi = event.multiValueQueryStringParameters ?? {};
  for (const [k, v] of Object.entries(multi)) {
    if (v && v.length > 1)
      throw badRequest(`Invalid query.${k}: given ${v.length} times, expected once`, [
        { field: `query.${k}`, message: 'repeated parameter' },
      ]);
  }
  const out = stringRecord();
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) out[k] = v;
  return out;
}

function readBody(
  event: APIGatewayProxyEvent,
  spec: ApiSpec,
  headers: Record<string, string>,
  cfg: AppConfig,
): unknown {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > cfg.maxBodyBytes) {
    throw payloadTooLarge(
      `body is ${bytes} bytes; the limit is ${cfg.maxBodyBytes} bytes (send fewer bars per request)`,
      { field: 'body', bytes, limit: cfg.maxBodyBytes },
    );
  }
  if (text.trim() === '') {
    if (spec.bodyRequired) throw badRequest('body is required', [{ field: 'body', message: 'missing' }]);
    return undefined;
  }
  const ctype = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const looksJson = /^\s*[[{]/.test(text);
  const isCsv =
    ctype === 'text/csv' ||
    ctype === 'application/csv' ||
    (ctype === '' || ctype === 'text/plain' ? !looksJson : false);
  if (isCsv) {
    if (spec.bodyMode !== 'json-or-csv')
      throw unsupportedMediaType(`body: this route accepts application/json only, got ${ctype || 'non-JSON text'}`);
    return { kind: 'csv', text };
  }
  if (ctype !== '' && ctype !== 'application/json' && ctype !== 'text/plain' && !ctype.endsWith('+json')) {
    throw unsupportedMediaType(
      `body: unsupported content-type "${ctype}" (use application/json${spec.bodyMode === 'json-or-csv' ? ' or text/csv' : ''})`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw badRequest(`body is not valid JSON: ${(e as Error).message}`, [{ field: 'body', message: 'malformed JSON' }]);
  }
  return spec.bodyMode === 'json-or-csv' ? { kind: 'json', value } : value;
}

function validate<T>(where: string, schema: z.ZodMiniType<T> | undefined, value: unknown): T | undefined {
  if (!schema) return undefined;
  const r = schema.safeParse(value);
  if (!r.success) throw fromZod(where, r.error);
  return r.data;
}

/** Error → response. Exported for the local adapter's tests of the error shape. */
export function errorResponse(e: unknown): APIGatewayProxyResult & { headers: Record<string, string> } {
  const unavailable = dependencyUnavailable(e);
  if (unavailable) return errorResponse(unavailable);
  if (e instanceof HttpError) {
    return {
      statusCode: e.statusCode,
      headers: { ...JSON_HEADERS, ...e.headers },
      body: JSON.stringify({ error: e.code, message: e.message, details: e.details ?? null }),
    };
  }
  if (e instanceof z.$ZodError) return errorResponse(fromZod('request', e));
  return {
    statusCode: 500,
    headers: { ...JSON_HEADERS },
    body: JSON.stringify({ error: 'InternalError', message: 'Internal server error', details: null }),
  };
}

type MiddyRequest = middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context, { start: number }>;

const jsonErrors = (): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> => ({
  onError: async (request) => {
    const e = request.error;
    if (dependencyFault(e)) getLogger().warn('dependency unavailable', { error: e as Error });
    else if (!(e instanceof HttpError)) getLogger().error('unhandled error', { error: e as Error });
    request.response = errorResponse(e);
  },
});

const observe = (): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> => {
  const done = (request: MiddyRequest) => {
    const ms = performance.now() - (request.internal.start ?? performance.now());
    const status = request.response?.statusCode ?? 500;
    const route = routeKeyOf(request.event);
    const logger = getLogger();
    // Catalogued metrics (functions/common/metrics-catalog.ts): exactly {service, route}, what the alarms read.
    // The error metrics are 0/1 per request so that Average is the route's error rate and Sum its count.
    emitMetric('RouteLatency', ms, { route });
    emitMetric('RouteServerError', status >= 500 ? 1 : 0, { route });
    emitMetric('RouteClientError', status >= 400 && status < 500 ? 1 : 0, { route });
    if (status >= 500) logger.error('request failed', { route, status, ms: Math.round(ms) });
    else logger.info('request', { route, status, ms: Math.round(ms) });
  };
  return {
    before: async (request) => {
      (request as MiddyRequest).internal.start = performance.now();
      getLogger().appendKeys({ requestId: request.event.requestContext?.requestId });
    },
    after: async (request) => done(request as MiddyRequest),
    onError: async (request) => done(request as MiddyRequest),
  };
};

/**
 * Build a group's Lambda handler from its route specs (built from the configuration's limits, once per
 * configuration) and their implementations. Parses the config now (at import = cold start), so a bad environment
 * fails the init with ConfigError naming the variable.
 */
export function createHandler<Specs extends Record<string, ApiSpec>>(
  group: HandlerGroup,
  specsOf: (limits: Limits) => Specs,
  impls: RouteImpls<Specs>,
) {
  const cfg = getConfig();
  void group;
  let built: { cfg: AppConfig; specs: Record<string, ApiSpec> } | undefined;
  const dispatch = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const config = getConfig();
    if (built?.cfg !== config) built = { cfg: config, specs: specsOf(config) };
    const specs = built.specs;
    const key = routeKeyOf(event);
    const fn = Object.hasOwn(impls, key) ? (impls as Record<string, RouteFn<ApiSpec>>)[key] : undefined;
    const spec = Object.hasOwn(specs, key) ? specs[key] : undefined;
    if (!fn || !spec) throw new HttpError(404, 'NotFound', `No route ${key}`);
    const headers = lowerHeaders(event.headers);
    const params = validate('path', spec.params, event.pathParameters ?? {});
    const query = validate('query', spec.query, parseQuery(event));
    validate('headers', spec.headers, headers);
    const rawBody = spec.body || spec.bodyMode ? readBody(event, spec, headers, config) : undefined;
    const body = spec.body ? validate('body', spec.body, rawBody) : rawBody;
    const reply = await fn({ params, query, body, headers, event, config } as never);
    return {
      statusCode: reply.statusCode ?? 200,
      headers: { ...JSON_HEADERS, ...reply.headers },
      body: reply.rawBody ?? JSON.stringify(reply.body ?? null),
    };
  };
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(observe())
    .use(
      httpCors({
        origins: cfg.corsOrigins,
        headers: 'Content-Type,X-Api-Key,Authorization',
        methods: 'GET,PUT,POST,DELETE,OPTIONS',
        exposeHeaders: 'x-cache',
        maxAge: 600,
      }) as middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult>,
    )
    .use(jsonErrors())
    .handler(dispatch);
}
