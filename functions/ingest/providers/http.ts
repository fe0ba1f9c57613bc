/**
 * One GET with a timeout, and the mapping of HTTP outcomes to provider error kinds shared by all providers.
 */
import { ProviderError, type ProviderErrorKind, type ProviderName } from './types.js';

export interface HttpOptions {
  timeoutMs: number;
  /** For tests and custom agents; defaults to the global fetch. */
  fetchImpl?: typeof fetch;
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(v: string | null, now = Date.now()): number | undefined {
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isFinite(t) ? Math.max(0, t - now) : undefined;
}

export function kindForStatus(provider: ProviderName, status: number): ProviderErrorKind {
  if (status === 429) return 'rate_limited';
  if (status === 418) return 'ip_banned';
  if (status === 451) return 'geo_blocked';
  // Bybit (behind CloudFront) answers 403 to blocked regions and to IPs over its rate limit.
  if (status === 403) return provider === 'bybit' ? 'geo_blocked' : 'forbidden';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'server';
  return 'bad_request';
}

/** fetch says only "fetch failed"; the cause says why (DNS, refused, reset), which is what a reader needs. */
function networkReason(e: unknown, url: string): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const host = URL.canParse(url) ? new URL(url).host : url;
  const why = cause?.message ?? cause?.code;
  return `${(e as Error).message}${why ? `: ${why}` : ''}${why?.includes(host) ? '' : ` (${host})`}`;
}

export async function getText(
  provider: ProviderName,
  url: string,
  opts: HttpOptions,
  signal?: AbortSignal,
  /** A JSON body makes it a POST (Tushare's API takes its request, token included, in the body, never the URL). */
  jsonBody?: unknown,
): Promise<{ text: string; headers: Headers }> {
  const f = opts.fetchImpl ?? fetch;
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const accept = { accept: 'application/json, text/csv;q=0.9, */*;q=0.5' };
  let res: Response;
  try {
    res = await f(
      url,
      jsonBody === undefined
        ? { signal: combined, headers: accept }
        : {
            method: 'POST',
            signal: combined,
            headers: { ...accept, 'content-type': 'application/json' },
            body: JSON.stringify(jsonBody),
          },
    );
  } catch (e) {
    if (timeout.aborted) throw new ProviderError(provider, 'timeout', `no response within ${opts.timeoutMs} ms`);
    throw new ProviderError(provider, 'network', networkReason(e, url));
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    if (timeout.aborted) throw new ProviderError(provider, 'timeout', `body not complete within ${opts.timeoutMs} ms`);
    throw new ProviderError(provider, 'network', (e as Error).message);
  }
  if (!res.ok) {
    const kind = kindForStatus(provider, res.status);
    throw new ProviderError(
      provider,
      kind,
      `HTTP ${res.status} ${text.slice(0, 200)}`,
      parseRetryAfter(res.headers.get('retry-after')),
      res.status,
    );
  }
  return { text, headers: res.headers };
}

export function parseJson(provider: ProviderName, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ProviderError(provider, 'malformed', `response is not JSON: ${text.slice(0, 120)}`);
  }
}
