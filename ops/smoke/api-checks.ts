/**
 * The smoke command's walk through a running API (the deployed stack or `npm start`): health, the symbol list,
 * an analysis, a write without and with credentials, and CORS preflights from a refused and an allowed origin.
 * Each check is one request whose answer decides PASS or FAIL; a network error or timeout is a FAIL too.
 */
import type { WriteSigner } from './signing.js';

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ApiCheckOptions {
  /** The API's base URL (stage URL or the local server), ending in "/". */
  base: URL;
  /** The write key (x-api-key): the deployed usage plan's meter and the local runtime's guard. */
  apiKey?: string;
  /** An origin the API should allow; when absent, the one the gateway names in its answer to a refused origin. */
  origin?: string;
  signer: WriteSigner;
  timeoutMs?: number;
}

/** The symbol the write check tracks and removes again: upload-only and inactive, so nothing ingests it. */
export const SMOKE_SYMBOL = 'SMOKETEST';
/** An origin no deployment lists (.invalid is reserved, RFC 2606). */
export const REFUSED_ORIGIN = 'https://refused.smoke-test.invalid';

/** 240 synthetic daily bars (two superposed waves): enough swings for strokes in every preset. */
export function syntheticBars(): Array<Record<string, number | string>> {
  const bars: Array<Record<string, number | string>> = [];
  let prev = 100;
  for (let i = 0; i < 240; i++) {
    const close = Math.round((100 + 12 * Math.sin(i / 9) + 4 * Math.sin(i / 2.7)) * 100) / 100;
    const time = new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    bars.push({
      time,
      open: prev,
      high: Math.max(prev, close) + 1,
      low: Math.min(prev, close) - 1,
      close,
      volume: 1000,
    });
    prev = close;
  }
  return bars;
}

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

export async function apiChecks(o: ApiCheckOptions): Promise<CheckResult[]> {
  const timeoutMs = o.timeoutMs ?? 30_000;
  const url = (path: string) => new URL(path, o.base);

  async function call(path: string, init: RequestInit = {}): Promise<Answer> {
    const res = await fetch(url(path), { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: res.status, headers: res.headers, body, text };
  }

  const said = (a: Answer) => {
    const b = a.body as { message?: unknown } | undefined;
    return typeof b?.message === 'string' ? b.message : a.text.slice(0, 160);
  };

  async function check(name: string, run: () => Promise<[ok: boolean, detail: string]>): Promise<CheckResult> {
    try {
      const [ok, detail] = await run();
      return { name, ok, detail };
    } catch (e) {
      const err = e as Error;
      return { name, ok: false, detail: err.name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : err.message };
    }
  }

  /** A write route call: without credentials, or with the API key and (when there are credentials) SigV4. */
  async function write(method: 'PUT' | 'DELETE', path: string, withCredentials: boolean, body?: string) {
    const headers: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
    if (!withCredentials) return call(path, { method, headers, body });
    if (o.apiKey) headers['x-api-key'] = o.apiKey;
    return call(path, { method, headers: await o.signer.sign(url(path), method, headers, body ?? ''), body });
  }
  const track = (withCredentials: boolean) =>
    write(
      'PUT',
      `api/v1/symbols/${SMOKE_SYMBOL}`,
      withCredentials,
      JSON.stringify({ provider: 'upload', intervals: ['1d'], active: false }),
    );

  async function preflight(origin: string): Promise<Answer> {
    return call('api/v1/symbols', {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'content-type' },
    });
  }

  const results: CheckResult[] = [];

  results.push(
    await check('health', async () => {
      const a = await call('health');
      const status = (a.body as { status?: string } | undefined)?.status;
      return [a.status === 200 && status !== 'unhealthy', `HTTP ${a.status}, status ${status ?? said(a)}`];
    }),
  );

  results.push(
    await check('symbols', async () => {
      const a = await call('api/v1/symbols');
      const list = (a.body as { symbols?: unknown } | undefined)?.symbols;
      if (a.status !== 200 || !Array.isArray(list)) return [false, `HTTP ${a.status}: ${said(a)}`];
      return [true, `HTTP 200, ${list.length} tracked`];
    }),
  );

  results.push(
    await check('analysis', async () => {
      const bars = syntheticBars();
      const a = await call('api/v1/analysis', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ bars }),
      });
      const strokes = (a.body as { result?: { strokes?: unknown[] } } | undefined)?.result?.strokes;
      if (a.status !== 200 || !Array.isArray(strokes)) return [false, `HTTP ${a.status}: ${said(a)}`];
      return [strokes.length > 0, `HTTP 200, ${bars.length} bars → ${strokes.length} strokes`];
    }),
  );

  results.push(
    await check('write without credentials', async () => {
      const a = await track(false);
      return [a.status === 401 || a.status === 403, `HTTP ${a.status} (refusal expected): ${said(a)}`];
    }),
  );

  results.push(
    await check('write with credentials', async () => {
      if (!o.apiKey) return [false, 'no API key: set CHAN_API_KEY'];
      const a = await track(true);
      const how = `${o.signer.description}, PUT → HTTP ${a.status}`;
      if ((a.status !== 200 && a.status !== 201) || (a.body as { symbol?: string }).symbol !== SMOKE_SYMBOL)
        return [false, `${how}: ${said(a)}`];
      // Leave nothing behind: the symbol has no bars, so the purge is immediate.
      const d = await write('DELETE', `api/v1/symbols/${SMOKE_SYMBOL}?purge=true`, true);
      if (d.status !== 200) return [false, `${how}, DELETE → HTTP ${d.status}: ${said(d)}`];
      return [true, `${how}, DELETE → HTTP 200: tracked and removed ${SMOKE_SYMBOL}`];
    }),
  );

  // The refused origin first: a gateway's canned preflight names its first allowed origin to every caller,
  // which lets the allowed-origin check run without --origin against a deployed stack.
  let named: string | null = null;
  results.push(
    await check('CORS preflight, refused origin', async () => {
      const a = await preflight(REFUSED_ORIGIN);
      named = a.headers.get('access-control-allow-origin');
      const ok = named !== REFUSED_ORIGIN && named !== '*';
      return [ok, `HTTP ${a.status}, Access-Control-Allow-Origin: ${named ?? '(none)'}`];
    }),
  );

  results.push(
    await check('CORS preflight, allowed origin', async () => {
      const origin = o.origin ?? (named && named !== '*' ? named : undefined);
      if (!origin) return [false, 'no allowed origin known: pass --origin <an origin the stack lists>'];
      const a = await preflight(origin);
      const allowed = a.headers.get('access-control-allow-origin');
      const methods = a.headers.get('access-control-allow-methods') ?? '';
      const ok = a.status >= 200 && a.status < 300 && allowed === origin && /\bGET\b/.test(methods);
      return [ok, `HTTP ${a.status} for ${origin}, Access-Control-Allow-Origin: ${allowed ?? '(none)'}`];
    }),
  );

  return results;
}
