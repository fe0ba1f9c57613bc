/**
 * Regressions from fuzzing the API (issue 16), through the local adapter and against the Lambda handlers directly:
 * - caller-chosen names that are Object.prototype members (constructor, __proto__, toString …) in the query
 *   string, headers, engine config and JSON bodies are ordinary names: a 4xx naming them where the route refuses
 *   unknown ones, never a 5xx (the adapter answered 502 for `GET /health?constructor=1`);
 * - the adapter reads the whole body before answering: a 2 MB body sent to a route that refuses the request early
 *   gets its JSON error, not a broken pipe, and a body above API Gateway's 10 MB limit gets a JSON 413.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type HandlerGroup } from '../../functions/routes.js';
import { proxyEvent } from '../../local/proxy-event.js';
import { loadHandlers, type LambdaHandler } from '../../local/server.js';
import { closeRawAgent, rawRequest, type RawResponse } from '../support/raw-http.js';
import { startService, type TestService } from '../support/service.js';

const PROTO_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];
const BARS = Array.from({ length: 120 }, (_, i) => {
  const c = 100 + 10 * Math.sin(i / 6);
  return { time: Date.UTC(2020, 0, 1) + i * 86_400_000, open: c, high: c + 1, low: c - 1, close: c, volume: 10 };
});

function errorBody(r: { status: number; text: string }) {
  const b = JSON.parse(r.text) as { error?: unknown; message?: unknown };
  expect(typeof b.error, r.text.slice(0, 300)).toBe('string');
  expect(typeof b.message, r.text.slice(0, 300)).toBe('string');
  return b as { error: string; message: string };
}

/** A concrete path for a route: its {param} placeholders filled with a seeded symbol / any job id. */
const concrete = (path: string) =>
  path.replace('{symbol}', 'SPY').replace('{id}', '00000000-0000-4000-8000-000000000000');

describe('hostile requests', () => {
  let svc: TestService;
  let handlers: Partial<Record<HandlerGroup, LambdaHandler>>;
  const send = (method: string, target: string, init: { headers?: [string, string][]; body?: string | Buffer } = {}) =>
    rawRequest(svc.url, {
      method,
      target,
      body: init.body,
      headers: [['x-api-key', svc.apiKey], ...(init.headers ?? [])],
    });

  beforeAll(async () => {
    svc = await startService({ env: { MAX_BODY_BYTES: '1000000' } });
    const h: [string, string][] = [['content-type', 'application/json']];
    const put = await send('PUT', '/api/v1/symbols/SPY', {
      headers: h,
      body: JSON.stringify({ provider: 'upload', intervals: ['1d'] }),
    });
    expect(put.status, put.text).toBe(201);
    const up = await send('POST', '/api/v1/klines/SPY?interval=1d', { headers: h, body: JSON.stringify(BARS) });
    expect(up.status, up.text).toBe(200);
    handlers = await loadHandlers();
  });
  afterAll(async () => {
    closeRawAgent();
    await svc?.stop();
  });

  describe('Object.prototype names are ordinary names', () => {
    it.each(PROTO_NAMES)('query parameter %s on every route: no 5xx, JSON error when refused', async (name) => {
      for (const route of ROUTES) {
        const sep = route.path.includes('?') ? '&' : '?';
        const target = `${concrete(route.path)}${sep}${encodeURIComponent(name)}=1`;
        const r = await send(route.method, target, {
          headers: [['content-type', 'application/json']],
          body: route.method === 'GET' ? undefined : '{}',
        });
        expect(r.status, `${route.method} ${target}: ${r.text.slice(0, 200)}`).toBeLessThan(500);
        if (r.status >= 400) errorBody(r);
      }
    });

    it('a route with a strict query names the parameter in its 400', async () => {
      for (const name of PROTO_NAMES) {
        const r = await send('GET', `/api/v1/klines/SPY?interval=1d&${name}=1`);
        expect(r.status).toBe(400);
        expect(errorBody(r).message).toContain(name);
      }
      // The route with no query parameters at all refuses them as unknown too.
      const r = await send('GET', '/api/v1/symbols?constructor=1');
      expect(r.status).toBe(400);
      expect(errorBody(r).message).toContain('constructor');
    });

    it('repeated prototype-named parameters are refused as repeated', async () => {
      const r = await send('GET', '/api/v1/klines/SPY?interval=1d&constructor=1&constructor=2');
      expect(r.status).toBe(400);
      expect(errorBody(r).message).toMatch(/query\.constructor.*2 times/);
    });

    it.each(PROTO_NAMES)('header named %s: no 5xx', async (name) => {
      const r = await send('GET', '/api/v1/klines/SPY?interval=1d&limit=5', { headers: [[name, '1']] });
      expect(r.status, r.text.slice(0, 200)).toBe(200);
      const b = await send('POST', '/api/v1/analysis', {
        headers: [
          [name, 'x'],
          ['content-type', 'application/json'],
        ],
        body: JSON.stringify({ bars: BARS }),
      });
      expect(b.status, b.text.slice(0, 200)).toBe(200);
    });

    it.each(PROTO_NAMES)('engine config key %s is an unknown option (GET query and POST body)', async (name) => {
      const config = `{"${name}": 1}`;
      const g = await send('GET', `/api/v1/analysis/SPY?interval=1d&config=${encodeURIComponent(config)}`);
      expect(g.status, g.text.slice(0, 200)).toBe(400);
      expect(errorBody(g).message).toContain(`"${name}"`);
      const p = await send('POST', '/api/v1/analysis', {
        headers: [['content-type', 'application/json']],
        body: `{"bars": ${JSON.stringify(BARS)}, "config": ${config}}`,
      });
      expect(p.status, p.text.slice(0, 200)).toBe(400);
      expect(errorBody(p).message).toContain(`"${name}"`);
    });

    it('a __proto__ key in a strict JSON body is refused as unknown, not dropped', async () => {
      const r = await send('PUT', '/api/v1/symbols/SPY', {
        headers: [['content-type', 'application/json']],
        body: '{"provider": "upload", "intervals": ["1d"], "__proto__": {"active": false}}',
      });
      expect(r.status).toBe(400);
      expect(errorBody(r).message).toContain('__proto__');
    });

    it('the Lambda handlers, called with the gateway event, behave the same', async () => {
      const call = async (route: (typeof ROUTES)[number], query: [string, string][], body: string | null) => {
        const path = concrete(route.path);
        const params: [string, string][] = [];
        if (route.path.includes('{symbol}')) params.push(['symbol', 'SPY']);
        if (route.path.includes('{id}')) params.push(['id', '00000000-0000-4000-8000-000000000000']);
        // What a Lambda receives is JSON: "__proto__" arrives as an own key.
        const event = JSON.parse(
          JSON.stringify(
            proxyEvent({
              method: route.method,
              resource: route.path,
              path,
              pathParameters: params,
              headers: [
                ['content-type', 'application/json'],
                ['x-api-key', svc.apiKey],
                ['constructor', '1'],
              ],
              query,
              body,
              requestId: 'hostile',
              stage: 'test',
            }),
          ),
        ) as APIGatewayProxyEvent;
        return (await handlers[route.handler]!(event, {} as Context)) as APIGatewayProxyResult;
      };
      for (const route of ROUTES) {
        for (const name of PROTO_NAMES) {
          const r = await call(route, [[name, '1']], route.method === 'GET' ? null : '{}');
          expect(r.statusCode, `${route.method} ${route.path} ?${name}: ${r.body.slice(0, 200)}`).toBeLessThan(500);
          if (r.statusCode >= 400) errorBody({ status: r.statusCode, text: r.body });
        }
      }
      const analysis = ROUTES.find((r) => r.method === 'GET' && r.path.includes('analysis'))!;
      const r = await call(
        analysis,
        [
          ['interval', '1d'],
          ['config', '{"__proto__": {"bi_algo": "fx"}}'],
        ],
        null,
      );
      expect(r.statusCode).toBe(400);
      expect(errorBody({ status: r.statusCode, text: r.body }).message).toContain('"__proto__"');
    });
  });

  describe('the adapter reads the whole body before answering', () => {
    const twoMb = Buffer.alloc(2 * 1024 * 1024, 'a');

    it.each([
      ['no API key (403)', 'POST', '/api/v1/klines/SPY?interval=1d', false, 403],
      ['unknown route (404)', 'POST', '/api/v1/nowhere', true, 404],
      ['method not allowed (405)', 'DELETE', '/api/v1/klines/SPY', true, 405],
      ['bad query (400)', 'POST', '/api/v1/klines/SPY?interval=2h', true, 400],
      ['over MAX_BODY_BYTES (413)', 'POST', '/api/v1/klines/SPY?interval=1d', true, 413],
    ] as const)('2 MB body, refused early: %s', async (_name, method, target, withKey, status) => {
      for (let i = 0; i < 3; i++) {
        const r: RawResponse = await rawRequest(svc.url, {
          method,
          target,
          headers: [
            ['content-type', 'text/csv'],
            ...(withKey ? ([['x-api-key', svc.apiKey]] as [string, string][]) : []),
          ],
          body: twoMb,
          chunkSize: 16 * 1024,
        });
        expect(r.status).toBe(status);
        errorBody(r);
      }
    });

    it('no answer before the whole body has arrived (half a 2 MB body sent, then a pause)', async () => {
      const u = new URL(svc.url);
      const socket = connect(Number(u.port), u.hostname);
      let received = '';
      socket.on('data', (d: Buffer) => (received += d.toString('utf8')));
      await new Promise((r) => socket.once('connect', r));
      const half = Buffer.alloc(1024 * 1024, 'a');
      // No API key: the adapter knows the answer (403) from the headers alone.
      socket.write(
        `POST /api/v1/klines/SPY?interval=1d HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: text/csv\r\nContent-Length: ${2 * half.length}\r\n\r\n`,
      );
      socket.write(half);
      await new Promise((r) => setTimeout(r, 300));
      expect(received, 'answered while the client was still sending').toBe('');
      socket.write(half);
      await expect.poll(() => received, { timeout: 5000 }).toMatch(/^HTTP\/1\.1 403 [\s\S]*"error":"Forbidden"/);
      socket.destroy();
    });

    it("a body above API Gateway's 10 MB limit is answered 413 with a JSON error", async () => {
      const r = await rawRequest(svc.url, {
        method: 'POST',
        target: '/api/v1/klines/SPY?interval=1d',
        headers: [
          ['content-type', 'text/csv'],
          ['x-api-key', svc.apiKey],
        ],
        body: Buffer.alloc(10 * 1024 * 1024 + 1, 'a'),
      });
      expect(r.status).toBe(413);
      expect(errorBody(r).error).toBe('PayloadTooLarge');
      // The server is still serving.
      expect((await rawRequest(svc.url, { method: 'GET', target: '/health' })).status).toBe(200);
    });

    it('malformed percent-encoding in the path is a 400, not an adapter fault', async () => {
      const r = await rawRequest(svc.url, { method: 'GET', target: '/api/v1/klines/%E0%A4%A?interval=1d' });
      expect(r.status).toBe(400);
      errorBody(r);
    });

    it('a header block Node cannot take is answered with a JSON error too', async () => {
      const r = await rawRequest(svc.url, {
        method: 'GET',
        target: '/health',
        headers: [['x-big', 'a'.repeat(20_000)]],
      });
      expect(r.status).toBe(431);
      errorBody(r);
    });

    it('an uploader still sending its body after a too-large request line reads the 431, not a reset', async () => {
      // The server answers before the body arrives; closing at once would reset the connection under the client.
      for (let i = 0; i < 5; i++) {
        const r = await rawRequest(svc.url, {
          method: 'POST',
          target: `/api/v1/analysis?${'x'.repeat(20_000)}`,
          headers: [['content-type', 'application/json']],
          body: JSON.stringify({ bars: 'y'.repeat(8_000_000) }),
        });
        expect(r.status).toBe(431);
        errorBody(r);
      }
    });
  });
});
