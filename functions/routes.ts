/**
 * The API's route table: the single source that both the CDK stack (API Gateway resources, methods, API-key
 * requirements, method throttling) and the local runtime's HTTP adapter read, so the two cannot drift apart.
 */
export const API_PREFIX = '/api/v1';

/** One Lambda per group; its code lives in functions/<group>/handler.ts and exports `handler`. */
export type HandlerGroup = 'health' | 'symbols' | 'klines' | 'analysis' | 'openapi' | 'jobs';

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

export interface RouteDef {
  method: HttpMethod;
  /** API Gateway resource path, with {param} placeholders. */
  path: string;
  handler: HandlerGroup;
  /**
   * Write routes need an API key (usage plan). Deployed, they also require IAM (SigV4) authorization
   * (lib/api.ts authorizationFor); the local runtime, which has no IAM, checks the key alone.
   */
  apiKey: boolean;
  /** Method-level throttling override (requests/s and burst); the stage default applies otherwise. */
  throttle?: { rateLimit: number; burstLimit: number };
}

export const ROUTES: readonly RouteDef[] = [
  { method: 'GET', path: '/health', handler: 'health', apiKey: false },
  { method: 'GET', path: `${API_PREFIX}/openapi.json`, handler: 'openapi', apiKey: false },
  { method: 'GET', path: `${API_PREFIX}/symbols`, handler: 'symbols', apiKey: false },
  { method: 'PUT', path: `${API_PREFIX}/symbols/{symbol}`, handler: 'symbols', apiKey: true },
  { method: 'DELETE', path: `${API_PREFIX}/symbols/{symbol}`, handler: 'symbols', apiKey: true },
  {
    method: 'POST',
    path: `${API_PREFIX}/symbols/{symbol}/backfill`,
    handler: 'symbols',
    apiKey: true,
    throttle: { rateLimit: 1, burstLimit: 2 },
  },
  { method: 'GET', path: `${API_PREFIX}/klines/{symbol}`, handler: 'klines', apiKey: false },
  {
    method: 'POST',
    path: `${API_PREFIX}/klines/{symbol}`,
    handler: 'klines',
    apiKey: true,
    throttle: { rateLimit: 20, burstLimit: 40 },
  },
  { method: 'GET', path: `${API_PREFIX}/analysis/{symbol}`, handler: 'analysis', apiKey: false },
  {
    method: 'POST',
    path: `${API_PREFIX}/analysis`,
    handler: 'analysis',
    apiKey: false,
    // Public and CPU-heavy: deployed on its own function whose reserved concurrency (10 by default) is its ceiling.
    // A burst no larger than that ceiling keeps excess requests at the gateway (429) instead of reaching a
    // throttled function, which API Gateway would answer with 500.
    throttle: { rateLimit: 10, burstLimit: 10 },
  },
  {
    method: 'POST',
    path: `${API_PREFIX}/jobs`,
    handler: 'jobs',
    apiKey: true,
    throttle: { rateLimit: 5, burstLimit: 10 },
  },
  { method: 'GET', path: `${API_PREFIX}/jobs/{id}`, handler: 'jobs', apiKey: false },
  { method: 'GET', path: `${API_PREFIX}/watchlists`, handler: 'jobs', apiKey: false },
  { method: 'GET', path: `${API_PREFIX}/watchlists/{name}`, handler: 'jobs', apiKey: false },
  { method: 'PUT', path: `${API_PREFIX}/watchlists/{name}`, handler: 'jobs', apiKey: true },
  { method: 'DELETE', path: `${API_PREFIX}/watchlists/{name}`, handler: 'jobs', apiKey: true },
];

/** Stage-wide defaults (the predecessor's SlowAPI limits, as API Gateway throttling). */
/**
 * Responses at least this large are compressed when the client accepts it (API Gateway's minimumCompressionSize;
 * the local adapter applies the same rule): analysis JSON is large and repetitive.
 */
export const MIN_COMPRESSION_BYTES = 1024;

export const STAGE_THROTTLE = { rateLimit: 100, burstLimit: 200 } as const;
