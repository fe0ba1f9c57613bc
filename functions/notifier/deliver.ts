/**
 * Delivers one notification to one webhook, retrying with exponential backoff and jitter.
 *
 * The chat platforms answer HTTP 200 for most failures and put the verdict in the body (Feishu `code`,
 * DingTalk/WeCom `errcode`), so a 200 is not a success until the body says so. Failures are classified:
 * - retryable: network errors, timeouts, HTTP 408/429/5xx, the platforms' rate-limit codes → retried here;
 * - permanent: bad signature, bad token, keyword/IP filter, malformed payload → not retried here (the same
 *   request would fail again), but still reported as a failure so the invocation fails and the message is
 *   retried by Lambda and finally kept in the DLQ for someone to fix the configuration and redrive.
 */
import type { WebhookConfig } from './config.js';
import type { Notification } from './messages.js';
import { renderRequest } from './formats.js';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Per-request timeout. */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 300, maxDelayMs: 5_000, timeoutMs: 5_000 };

export interface DeliveryDeps {
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  random: () => number;
}

export const defaultDeps: DeliveryDeps = {
  fetch: (...a) => fetch(...a),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  now: () => Date.now(),
  random: Math.random,
};

export interface DeliveryOk {
  ok: true;
  webhook: string;
  attempts: number;
}
export interface DeliveryFailed {
  ok: false;
  webhook: string;
  attempts: number;
  retryable: boolean;
  /** Why the last attempt failed (status and platform error code/message; never the URL: it holds a token). */
  error: string;
}
export type DeliveryResult = DeliveryOk | DeliveryFailed;

type Verdict = { ok: true } | { ok: false; retryable: boolean; error: string; retryAfterMs?: number };

/** Platform rate-limit codes: the request was fine, the bot is just sending too fast. */
const RATE_LIMIT_CODES: Record<WebhookConfig['type'], ReadonlySet<number>> = {
  slack: new Set(),
  feishu: new Set([11232, 9499]),
  dingtalk: new Set([130101, 130102]),
  wecom: new Set([45009, -1]),
};

function parseRetryAfter(v: string | null): number | undefined {
  if (!v) return undefined;
  const s = Number(v);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const t = Date.parse(v);
  return Number.isFinite(t) ? Math.max(0, t - Date.now()) : undefined;
}

export function classifyResponse(
  type: WebhookConfig['type'],
  status: number,
  text: string,
  retryAfter: string | null,
): Verdict {
  if (status === 429 || status === 408 || status >= 500) {
    return {
      ok: false,
      retryable: true,
      error: `HTTP ${status} ${text.slice(0, 200)}`.trim(),
      retryAfterMs: parseRetryAfter(retryAfter),
    };
  }
  if (status < 200 || status >= 300)
    return { ok: false, retryable: false, error: `HTTP ${status} ${text.slice(0, 200)}`.trim() };
  if (type === 'slack') return { ok: true }; // Slack: 200 "ok"; every failure is a 4xx/5xx.
  let body: {
    code?: number;
    StatusCode?: number;
    msg?: string;
    StatusMessage?: string;
    errcode?: number;
    errmsg?: string;
  };
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, retryable: true, error: `HTTP ${status} with a non-JSON body: ${text.slice(0, 200)}` };
  }
  const code = type === 'feishu' ? (body.code ?? body.StatusCode) : body.errcode;
  const message = type === 'feishu' ? (body.msg ?? body.StatusMessage) : body.errmsg;
  if (code === 0) return { ok: true };
  if (code === undefined) return { ok: false, retryable: true, error: `unexpected response ${text.slice(0, 200)}` };
  return {
    ok: false,
    retryable: RATE_LIMIT_CODES[type].has(code),
    error: `${type} error ${code}: ${message ?? ''}`.trim(),
  };
}

/**
 * Equal jitter on an exponential schedule (half the capped delay plus a random half): spreads retries of many
 * notifiers hitting one rate-limited bot while every retry still waits at least half its step.
 */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

export async function deliver(
  webhook: WebhookConfig,
  notification: Notification,
  policy: RetryPolicy = DEFAULT_RETRY,
  deps: DeliveryDeps = defaultDeps,
): Promise<DeliveryResult> {
  let last: Extract<Verdict, { ok: false }> = { ok: false, retryable: true, error: 'not attempted' };
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    // Rendered per attempt: the Feishu/DingTalk signatures embed a timestamp the platform checks.
    const req = renderRequest(webhook, notification, deps.now());
    try {
      const res = await deps.fetch(req.url, {
        method: 'POST',
        headers: req.headers,
        body: req.body,
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
      const text = await res.text();
      const verdict = classifyResponse(webhook.type, res.status, text, res.headers.get('retry-after'));
      if (verdict.ok) return { ok: true, webhook: webhook.name, attempts: attempt };
      last = verdict;
    } catch (err) {
      const e = err as Error;
      const what = e.name === 'TimeoutError' ? `timeout after ${policy.timeoutMs} ms` : `${e.name}: ${e.message}`;
      last = { ok: false, retryable: true, error: what };
    }
    if (!last.retryable || attempt === policy.maxAttempts) {
      return { ok: false, webhook: webhook.name, attempts: attempt, retryable: last.retryable, error: last.error };
    }
    const wait = backoffMs(policy, attempt, deps.random);
    // Honour Retry-After when the platform gives one, but never sleep past the policy cap: the Lambda-level
    // retry (minutes later) is the better place for a long wait.
    await deps.sleep(
      last.retryAfterMs !== undefined ? Math.min(policy.maxDelayMs, Math.max(wait, last.retryAfterMs)) : wait,
    );
  }
  /* c8 ignore next */
  return {
    ok: false,
    webhook: webhook.name,
    attempts: policy.maxAttempts,
    retryable: last.retryable,
    error: last.error,
  };
}
