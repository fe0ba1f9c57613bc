/**
 * A small API Gateway (REST, v1 proxy) stand-in on node:http, put together from one module per job: route matching
 * on the ROUTES table the CDK stack reads (routing.ts), the gateway's checks before a Lambda runs — payload limit,
 * CORS preflight, API keys on write routes, throttling (gateway.ts) —, the v1 proxy event (proxy-event.ts), and the
 * answer with the gateway's compression (respond.ts). Static files from web/dist are served at `/`
 * (static-files.ts). What stays here is the order of those steps, the server's life cycle and its answers to
 * requests Node cannot parse.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ROUTES, type HandlerGroup } from '../functions/routes.js';
import {
  apiKeyOf,
  badGateway,
  bodyTooLarge,
  checkApiKey,
  Cors,
  methodNotAllowed,
  readBody,
  Throttle,
  type Refusal,
} from './gateway.js';
import { lambdaContext, requestEvent } from './proxy-event.js';
import { writeError, writeResult } from './respond.js';
import { pathParameters, requestTarget, routesFor, safeDecode } from './routing.js';
import { staticFiles } from './static-files.js';

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

export async function startLocalServer(opts: LocalServerOptions): Promise<LocalServer> {
  const stage = opts.stage ?? 'local';
  const cors = new Cors(opts.corsOrigins);
  const throttle = opts.throttle === false ? undefined : new Throttle();
  const serveStatic = staticFiles(opts.staticDir);

  const refuse = (req: IncomingMessage, res: ServerResponse, r: Refusal) =>
    writeError(res, r.status, r.error, r.message, r.details ?? null, {
      ...cors.responseHeaders(req.headers),
      ...r.headers,
    });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    if (body === null) return refuse(req, res, bodyTooLarge);
    const { url, pathname } = requestTarget(req.url ?? '/');
    const method = (req.method ?? 'GET').toUpperCase();
    if (safeDecode(pathname) === undefined)
      return refuse(req, res, {
        status: 400,
        error: 'BadRequest',
        message: `Malformed percent-encoding in the path ${pathname}`,
        details: { field: 'path' },
      });
    const matches = routesFor(pathname);
    if (matches.length === 0) {
      if (serveStatic?.(req, res, url.pathname)) return;
      return refuse(req, res, { status: 404, error: 'NotFound', message: `No route ${method} ${pathname}` });
    }
    if (method === 'OPTIONS') {
      res.writeHead(204, cors.preflightHeaders(req.headers, matches));
      return res.end();
    }
    const route = matches.find((r) => r.method === method);
    if (!route) return refuse(req, res, methodNotAllowed(method, pathname, matches));
    const apiKey = apiKeyOf(req.headers);
    const refusal = checkApiKey(route, apiKey, opts.apiKeys) ?? throttle?.check(route);
    if (refusal) return refuse(req, res, refusal);

    const handler = opts.handlers[route.handler];
    if (!handler) return refuse(req, res, badGateway(`No local handler for group ${route.handler}`));
    const requestId = randomUUID();
    const event = requestEvent(req, {
      method,
      resource: route.path,
      path: pathname,
      pathParameters: pathParameters(route, pathname),
      query: [...url.searchParams],
      body: body.length ? body.toString('utf8') : null,
      requestId,
      stage,
      apiKey,
    });
    const result = await invoke(handler, event, route.handler, requestId);
    if ('error' in result) return refuse(req, res, result);
    await writeResult(res, result, requestId, req.headers['accept-encoding']);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      console.error('[local] adapter error:', e);
      if (!res.headersSent) refuse(req, res, badGateway('local adapter error'));
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

/** The function's result, or what the gateway answers when the function fails (init error, throw, no response). */
async function invoke(
  handler: LambdaHandler,
  event: APIGatewayProxyEvent,
  group: HandlerGroup,
  requestId: string,
): Promise<APIGatewayProxyResult | Refusal> {
  try {
    return (await handler(event, lambdaContext(group, requestId))) ?? badGateway('The function returned no response');
  } catch (e) {
    console.error(`[local] ${group} handler threw:`, e);
    return badGateway('Internal server error (the function failed)');
  }
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
