/**
 * A local HTTP server that behaves like the four chat platforms' incoming webhooks, for the notifier tests:
 * each path verifies what the real platform verifies (Feishu body signature, DingTalk query signature, both with
 * the ±1 hour timestamp window; message shape) and answers in the platform's own response format, including its
 * error codes. A script per path can make it fail first (HTTP 500, 429, rate-limit codes, hang) to exercise
 * retries. The signature checks are written here from the platforms' documentation, independently of
 * functions/notifier/formats.ts, so a signing bug cannot pass by agreeing with itself.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- parsed JSON payloads (webhook bodies, EMF lines) are inspected field by field */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Platform = 'slack' | 'feishu' | 'dingtalk' | 'wecom';

export interface Received {
  platform: Platform;
  path: string;
  query: URLSearchParams;
  body: any;
  raw: string;
  at: number;
}

/** What the server does with the next request to a path; after the script runs out it answers normally. */
export type Step =
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  | { kind: 'code'; code: number; msg: string }
  | { kind: 'hang' };

export interface FakePlatforms {
  url(platform: Platform, name?: string): string;
  received: Received[];
  script(platform: Platform, name: string, steps: Step[]): void;
  close(): Promise<void>;
}

const HOUR_MS = 3_600_000;

export async function startFakePlatforms(secrets: { feishu?: string; dingtalk?: string } = {}): Promise<FakePlatforms> {
  const received: Received[] = [];
  const scripts = new Map<string, Step[]>();
  const hanging = new Set<ServerResponse>();

  function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  }

  function platformError(platform: Platform, code: number, msg: string): unknown {
    return platform === 'feishu' ? { code, msg, data: {} } : { errcode: code, errmsg: msg };
  }

  /** The platform's own verdict on a well-delivered request. */
  function verify(platform: Platform, q: URLSearchParams, body: any): { status: number; body: unknown } {
    switch (platform) {
      case 'slack':
        if (typeof body?.text !== 'string' || !Array.isArray(body?.attachments))
          return { status: 400, body: 'invalid_payload' };
        return { status: 200, body: 'ok' };
      case 'feishu': {
        if (secrets.feishu) {
          const ts = Number(body?.timestamp);
          // Feishu: key = "timestamp\nsecret", message = empty string.
          const expected = createHmac('sha256', `${body?.timestamp}\n${secrets.feishu}`).update('').digest('base64');
          if (!Number.isFinite(ts) || Math.abs(Date.now() - ts * 1000) > HOUR_MS || body?.sign !== expected) {
            return {
              status: 200,
              body: {
                code: 19021,
                msg: 'sign match fail or timestamp is not within one hour from current time',
                data: {},
              },
            };
          }
        }
        if (body?.msg_type !== 'interactive' || !body?.card?.header?.title?.content)
          return { status: 200, body: { code: 9499, msg: 'Bad Request', data: {} } };
        return { status: 200, body: { code: 0, msg: 'success', data: {} } };
      }
      case 'dingtalk': {
        if (secrets.dingtalk) {
          const ts = Number(q.get('timestamp'));
          const expected = createHmac('sha256', secrets.dingtalk)
            .update(`${q.get('timestamp')}\n${secrets.dingtalk}`)
            .digest('base64');
          // URLSearchParams has already URL-decoded the sign, as DingTalk's server does.
          if (!Number.isFinite(ts) || Math.abs(Date.now() - ts) > HOUR_MS || q.get('sign') !== expected) {
            return {
              status: 200,
              body: {
                errcode: 310000,
                errmsg: 'sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]',
              },
            };
          }
        }
        if (body?.msgtype !== 'markdown' || !body?.markdown?.title || !body?.markdown?.text)
          return { status: 200, body: { errcode: 40035, errmsg: '缺少参数 json' } };
        return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
      }
      case 'wecom': {
        const content = body?.markdown?.content;
        if (body?.msgtype !== 'markdown' || typeof content !== 'string')
          return { status: 200, body: { errcode: 40008, errmsg: 'invalid message type' } };
        if (Buffer.byteLength(content, 'utf8') > 4096)
          return { status: 200, body: { errcode: 40058, errmsg: 'markdown.content exceed max length 4096' } };
        return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
      }
    }
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://localhost');
      const [, platform, name = 'default'] = u.pathname.split('/') as [string, Platform, string?];
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      received.push({ platform, path: u.pathname, query: u.searchParams, body, raw, at: Date.now() });
      const step = scripts.get(`${platform}/${name}`)?.shift();
      if (step?.kind === 'hang') {
        hanging.add(res);
        return;
      }
      if (step?.kind === 'status') return reply(res, step.status, step.body ?? '', step.headers);
      if (step?.kind === 'code') return reply(res, 200, platformError(platform, step.code, step.msg));
      const verdict = verify(platform, u.searchParams, body);
      reply(res, verdict.status, verdict.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;

  return {
    received,
    url(platform, name = 'default') {
      // Real DingTalk/WeCom URLs carry their token as a query parameter; keep that shape.
      const base = `http://127.0.0.1:${port}/${platform}/${name}`;
      return platform === 'dingtalk'
        ? `${base}?access_token=tok123`
        : platform === 'wecom'
          ? `${base}?key=key123`
          : base;
    },
    script(platform, name, steps) {
      scripts.set(`${platform}/${name}`, [...steps]);
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
