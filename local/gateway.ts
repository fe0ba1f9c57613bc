/**
 * The checks API Gateway makes before a Lambda runs, for the local stand-in: the 10 MB payload limit, the CORS
 * preflight answered from the configured origins, API keys on write routes (x-api-key) and per-method token-bucket
 * throttling (the route's override or STAGE_THROTTLE). Each returns what to answer, or undefined to go on.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { STAGE_THROTTLE, type RouteDef } from '../functions/routes.js';

/** API Gateway's request payload limit. */
export const GATEWAY_MAX_BODY = 10 * 1024 * 1024;
const CORS_ALLOW_HEADERS = 'Content-Type,X-Api-Key,Authorization';

/** A refusal the adapter writes as the gateway's JSON error. */
export interface Refusal {
  status: number;
  error: string;
  message: string;
  details?: unknown;
  headers?: Record<string, string>;
}

/**
 * The whole body is read before any answer, as API Gateway does: a request refused early (unknown route, missing
 * key, bad query) still gets its JSON error, where answering mid-upload would close the connection under a client
 * that is still sending (a broken pipe, not an answer). Above the gateway's limit the rest is drained, not kept
 * (null).
 */
export function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise<Buffer | null>((resolveBody, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > GATEWAY_MAX_BODY) chunks = [];
      else chunks.push(c);
    });
    req.on('end', () => resolveBody(size > GATEWAY_MAX_BODY ? null : Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('client closed the connection before sending the whole body'));
    });
  });
}

/** What the gateway answers when the function behind it fails or is missing. */
export const badGateway = (message: string): Refusal => ({ status: 502, error: 'BadGateway', message });

export const bodyTooLarge: Refusal = {
  status: 413,
  error: 'PayloadTooLarge',
  message: `body exceeds API Gateway's ${GATEWAY_MAX_BODY} byte limit`,
  details: { field: 'body' },
};

export class Cors {
  constructor(private readonly origins: readonly string[]) {}

  /** The request's Origin when it is one of the configured origins (echoed back), else undefined. */
  allowed(headers: IncomingHttpHeaders): string | undefined {
    const origin = headers.origin;
    return origin && this.origins.includes(origin) ? origin : undefined;
  }

  /** The headers an allowed origin's answer carries. */
  responseHeaders(headers: IncomingHttpHeaders): Record<string, string> {
    const origin = this.allowed(headers);
    return origin ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' } : {};
  }

  /** The gateway's preflight answer (a MOCK integration: no Lambda runs, no API key is needed). */
  preflightHeaders(headers: IncomingHttpHeaders, routes: readonly RouteDef[]): Record<string, string> {
    const origin = this.allowed(headers);
    if (!origin) return {};
    return {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Methods': [...new Set(routes.map((r) => r.method)), 'OPTIONS'].join(','),
      'Access-Control-Allow-Headers': CORS_ALLOW_HEADERS,
      'Access-Control-Max-Age': '600',
      Vary: 'Origin',
    };
  }
}

export function methodNotAllowed(method: string, pathname: string, routes: readonly RouteDef[]): Refusal {
  const allowed = routes.map((r) => r.method).join(', ');
  return {
    status: 405,
    error: 'MethodNotAllowed',
    message: `${method} is not allowed on ${pathname}; use ${allowed}`,
    headers: { Allow: allowed },
  };
}

/** The x-api-key header when it is a single string (what the gateway matches against its keys). */
export const apiKeyOf = (headers: IncomingHttpHeaders): string | undefined =>
  typeof headers['x-api-key'] === 'string' ? headers['x-api-key'] : undefined;

export function checkApiKey(route: RouteDef, apiKey: string | undefined, keys: readonly string[]): Refusal | undefined {
  if (!route.apiKey || (apiKey && keys.includes(apiKey))) return undefined;
  return {
    status: 403,
    error: 'Forbidden',
    message: `${apiKey ? 'Invalid' : 'Missing'} API key: ${route.method} ${route.path} requires a valid x-api-key header`,
    details: [{ field: 'headers.x-api-key', message: apiKey ? 'invalid' : 'missing' }],
  };
}

class TokenBucket {
  private tokens: number;
  private last = performance.now();
  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }
  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** One token bucket per method and resource, as the gateway's method throttling keeps. */
export class Throttle {
  private readonly buckets = new Map<string, TokenBucket>();

  check(route: RouteDef): Refusal | undefined {
    const key = `${route.method} ${route.path}`;
    const t = route.throttle ?? STAGE_THROTTLE;
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = new TokenBucket(t.rateLimit, t.burstLimit)));
    if (b.take()) return undefined;
    return {
      status: 429,
      error: 'TooManyRequests',
      message: `Too many requests: ${key} allows ${t.rateLimit} requests/s (burst ${t.burstLimit})`,
    };
  }
}
