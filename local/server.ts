/**
 * A small API Gateway (REST, v1 proxy) stand-in on node:http. It reads the same ROUTES table the CDK stack reads
 * and mirrors what the gateway does before a Lambda runs: resource matching with {param} extraction, OPTIONS
 * preflight answered from the CORS origins, API keys on write routes (x-api-key), per-method token-bucket
 * throttling (route override or STAGE_THROTTLE), the 10 MB payload limit. Then it builds a full v1 proxy event,
 * invokes the group's handler, and writes its result. Static files from web/dist are served at `/`.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { deflateSync, gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { extname, join, normalize, resolve } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import {
  MIN_COMPRESSION_BYTES,
  ROUTES,
  STAGE_THROTTLE,
  type HandlerGroup,
  type RouteDef,
} from '../functions/routes.js';
import { proxyEvent, record } from './proxy-event.js';

export type LambdaHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult | void>;

export interface LocalServerOptions {
  handlers: Partial<Record<HandlerGroup, LambdaHandler>>;
  apiKeys: string[];
  corsOrigins: string[];
  /** false disables throttling (benchmarks); default mirrors the route table. */
  throttle?: boolean;
  staticDir?: string;
  port?: number;
  host?: string;
  stage?: string;
}

export interface LocalServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** API Gateway's request payload limit. */
const GATEWAY_MAX_BODY = 10 * 1024 * 1024;
const CORS_ALLOW_HEADERS = 'Content-Type,X-Api-Key,Authorization';

interface CompiledRoute extends RouteDef {
  regex: RegExp;
  params: string[];
}

const compiled: CompiledRoute[] = ROUTES.map((r) => {
  const params: string[] = [];
  const re = r.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
    params.push(name);
    return '([^/]+)';
  });
  return { ...r, regex: new RegExp(`^${re}$`), params };
});

/**
 * The encoding API Gateway would pick for a response (it compresses with gzip or deflate, never br), from the
 * client's Accept-Encoding: the first of gzip, deflate that the client lists without q=0.
 */
export function negotiateEncoding(accept: string | string[] | undefined): 'gzip' | 'deflate' | undefined {
  const offered = new Map<string, number>();
  for (const part of (Array.isArray(accept) ? accept.join(',') : (accept ?? '')).split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    offered.set(name, q === undefined ? 1 : Number(q));
  }
  for (const enc of ['gzip', 'deflate'] as const) {
    const q = offered.get(enc) ?? offered.get('*');
    if (q !== undefined && q > 0) return enc;
  }
  return undefined;
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

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** decodeURIComponent, or undefined for malformed percent-encoding (a 400, not an adapter fault). */
function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

function lambdaContext(group: string, requestId: string): Context {
  const deadline = Date.now() + 29_000; // API Gateway's integration timeout
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `local-${group}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:local-${group}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/local-${group}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

export async function startLocalServer(opts: LocalServerOptions): Promise<LocalServer> {
  const stage = opts.stage ?? 'local';
  const buckets = new Map<string, TokenBucket>();
  const staticRoot = opts.staticDir && existsSync(opts.staticDir) ? resolve(opts.staticDir) : undefined;

  const allowedOrigin = (origin: string | undefined) =>
    origin && opts.corsOrigins.includes(origin) ? origin : undefined;

  const sendJson = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    error: string,
    message: string,
    details: unknown = null,
    extra: Record<string, string> = {},
  ) => {
    const origin = allowedOrigin(req.headers.origin);
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      ...(origin ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' } : {}),
      ...extra,
    });
    res.end(JSON.stringify({ error, message, details }));
  };

  const serveStatic = (req: IncomingMessage, res: ServerResponse, pathname: string): boolean => {
    if (!staticRoot || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const decoded = safeDecode(pathname === '/' ? '/index.html' : pathname);
    if (decoded === undefined) return false;
    const rel = normalize(decoded).replace(/^([/\\])+/, '');
    const file = resolve(join(staticRoot, rel));
    if (!file.startsWith(staticRoot)) return false; // path traversal
    if (!existsSync(file) || !statSync(file).isFile()) return false;
    const ext = extname(file);
    res.writeHead(200, { 'Content-Type': (Object.hasOwn(MIME, ext) && MIME[ext]) || 'application/octet-stream' });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
    return true;
  };

  /**
   * The whole body is read before any answer, as API Gateway does: a request refused early (unknown route, missing
   * key, bad query) still gets its JSON error, where answering mid-upload would close the connection under a client
   * that is still sending (a broken pipe, not an answer). Above the gateway's limit the rest is drained, not kept.
   */
  const readBody = (req: IncomingMessage) =>
    new Promise<Buffer | null>((resolveBody, reject) => {
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

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    if (body === null)
      return sendJson(req, res, 413, 'PayloadTooLarge', `body exceeds API Gateway's ${GATEWAY_MAX_BODY} byte limit`, {
        field: 'body',
      });
    const target = req.url ?? '/';
    // An origin-form target is a path even when it starts with "//" (new URL would read a host there).
    const url = new URL(target.startsWith('/') ? `http://localhost${target}` : target, 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const pathname = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const decoded = safeDecode(pathname);
    if (decoded === undefined)
      return sendJson(req, res, 400, 'BadRequest', `Malformed percent-encoding in the path ${pathname}`, {
        field: 'path',
      });
    const matches = compiled.filter((r) => r.regex.test(pathname));

    if (matches.length === 0) {
      if (serveStatic(req, res, url.pathname)) return;
      return sendJson(req, res, 404, 'NotFound', `No route ${method} ${pathname}`);
    }

    if (method === 'OPTIONS') {
      // The gateway's CORS preflight (a MOCK integration): no Lambda runs, no API key is needed.
      const origin = allowedOrigin(req.headers.origin);
      const methods = [...new Set(matches.map((r) => r.method)), 'OPTIONS'].join(',');
      res.writeHead(204, {
        ...(origin
          ? {
              'Access-Control-Allow-Origin': origin,
              'Access-Control-Allow-Methods': methods,
              'Access-Control-Allow-Headers': CORS_ALLOW_HEADERS,
              'Access-Control-Max-Age': '600',
              Vary: 'Origin',
            }
          : {}),
      });
      return res.end();
    }

    const route = matches.find((r) => r.method === method);
    if (!route) {
      return sendJson(
        req,
        res,
        405,
        'MethodNotAllowed',
        `${method} is not allowed on ${pathname}; use ${matches.map((r) => r.method).join(', ')}`,
        null,
        {
          Allow: matches.map((r) => r.method).join(', '),
        },
      );
    }

    const apiKey = typeof req.headers['x-api-key'] === 'string' ? req.headers['x-api-key'] : undefined;
    if (route.apiKey && (!apiKey || !opts.apiKeys.includes(apiKey))) {
      return sendJson(
        req,
        res,
        403,
        'Forbidden',
        `${apiKey ? 'Invalid' : 'Missing'} API key: ${method} ${route.path} requires a valid x-api-key header`,
        [{ field: 'headers.x-api-key', message: apiKey ? 'invalid' : 'missing' }],
      );
    }

    if (opts.throttle !== false) {
      const key = `${route.method} ${route.path}`;
      const t = route.throttle ?? STAGE_THROTTLE;
      let b = buckets.get(key);
      if (!b) buckets.set(key, (b = new TokenBucket(t.rateLimit, t.burstLimit)));
      if (!b.take())
        return sendJson(
          req,
          res,
          429,
          'TooManyRequests',
          `Too many requests: ${key} allows ${t.rateLimit} requests/s (burst ${t.burstLimit})`,
        );
    }

    const handler = opts.handlers[route.handler];
    if (!handler) return sendJson(req, res, 502, 'BadGateway', `No local handler for group ${route.handler}`);

    const m = route.regex.exec(pathname)!;
    const requestId = randomUUID();
    const rawHeaders: [string, string][] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) rawHeaders.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
    const event = proxyEvent({
      method,
      resource: route.path,
      path: pathname,
      pathParameters: route.params.map((p, i) => [p, safeDecode(m[i + 1]!)!]),
      headers: rawHeaders,
      query: [...url.searchParams],
      body: body.length ? body.toString('utf8') : null,
      requestId,
      stage,
      sourceIp: req.socket.remoteAddress,
      protocol: `HTTP/${req.httpVersion}`,
      apiKey,
    });

    let result: APIGatewayProxyResult | void;
    try {
      result = await handler(event, lambdaContext(route.handler, requestId));
    } catch (e) {
      // What the gateway answers when the Lambda itself fails (init error, unhandled throw).
      console.error(`[local] ${route.handler} handler threw:`, e);
      return sendJson(req, res, 502, 'BadGateway', 'Internal server error (the function failed)');
    }
    if (!result) return sendJson(req, res, 502, 'BadGateway', 'The function returned no response');
    const outHeaders = record<string | string[]>();
    for (const [k, v] of Object.entries(result.headers ?? {})) outHeaders[k] = String(v);
    for (const [k, v] of Object.entries(result.multiValueHeaders ?? {})) outHeaders[k] = v.map(String);
    outHeaders['x-amzn-RequestId'] = requestId;
    let payload = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8');
    const encoding = negotiateEncoding(req.headers['accept-encoding']);
    if (
      encoding &&
      payload.length >= MIN_COMPRESSION_BYTES &&
      !Object.keys(outHeaders).some((k) => k.toLowerCase() === 'content-encoding')
    ) {
      payload = encoding === 'gzip' ? gzipSync(payload) : deflateSync(payload);
      outHeaders['content-encoding'] = encoding;
      outHeaders['vary'] = 'accept-encoding';
    }
    res.writeHead(result.statusCode, outHeaders);
    res.end(payload);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      console.error('[local] adapter error:', e);
      if (!res.headersSent) sendJson(req, res, 502, 'BadGateway', 'local adapter error');
      else res.end();
    });
  });
  // A request Node cannot parse (header block too large, malformed request line) gets a JSON error as well.
  // Node raises clientError again for every chunk that still arrives after the first; those only feed the linger.
  const answered = new WeakSet<Duplex>();
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (answered.has(socket)) return;
    if (!socket.writable) return socket.destroy();
    answered.add(socket);
    const [status, reason] =
      err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
    const json = JSON.stringify({
      error: status === 431 ? 'RequestHeaderFieldsTooLarge' : 'BadRequest',
      message:
        status === 431
          ? 'The request line and headers are too large'
          : `Malformed HTTP request (${err.code ?? err.message})`,
      details: null,
    });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
    );
    lingerThenClose(socket);
  });
  server.keepAliveTimeout = 5000;
  // A busy port (EADDRINUSE) rejects here, so the caller can say so in one line.
  await new Promise<void>((r, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      r();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1'}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Import every handler group that exists (functions/<group>/handler.ts). */
export async function loadHandlers(): Promise<Partial<Record<HandlerGroup, LambdaHandler>>> {
  const groups = [...new Set(ROUTES.map((r) => r.handler))];
  const out: Partial<Record<HandlerGroup, LambdaHandler>> = {};
  const here = new URL('.', import.meta.url);
  for (const g of groups) {
    const file = new URL(`../functions/${g}/handler.ts`, here);
    if (!existsSync(file)) continue;
    try {
      const mod = (await import(file.href)) as { handler: LambdaHandler };
      out[g] = mod.handler;
    } catch (e) {
      if ((e as Error).name === 'ConfigError') throw e;
      // A group owned by another module may need configuration this process lacks: serve the rest (502 there).
      console.error(`[local] handler group ${g} not loaded: ${(e as Error).message}`);
    }
  }
  return out;
}

const LINGER_IDLE_MS = 2_000;
const LINGER_MAX_MS = 30_000;

/**
 * Lingering close: after an early answer the client may still be sending (a body behind a header block Node refused).
 * Closing with its bytes unread makes the kernel reset the connection, and the client sees ECONNRESET instead of the
 * answer; so the rest is read and dropped until the client finishes, falls silent for 2 s, or 30 s have passed.
 */
function lingerThenClose(socket: Duplex): void {
  const close = () => {
    clearTimeout(idle);
    clearTimeout(cap);
    socket.destroy();
  };
  let idle = setTimeout(close, LINGER_IDLE_MS);
  const cap = setTimeout(close, LINGER_MAX_MS);
  idle.unref();
  cap.unref();
  socket.on('data', () => {
    clearTimeout(idle);
    idle = setTimeout(close, LINGER_IDLE_MS);
    idle.unref();
  });
  socket.once('end', close);
  socket.once('error', close);
  socket.resume();
}
