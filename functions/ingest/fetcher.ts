/**
 * One provider page with the retries that belong inside an invocation: a short Retry-After (429) is waited out
 * once; transient failures (timeout, network, 5xx) are retried once after a short pause. Anything longer is
 * left to the queue (redelivery) or to the checkpoint's backoff, so a worker never sleeps for minutes.
 */
import type { MarketDataProvider, Page, PageRequest } from './providers/types.js';
import { isProviderError } from './providers/types.js';

export interface FetchPolicy {
  /** Wait out a Retry-After up to this long inside the invocation. */
  maxInlineWaitMs: number;
  /** Pause before the one retry of a transient failure. */
  transientRetryMs: number;
  sleep?: (ms: number) => Promise<void>;
  /** Called for every provider error, including those that are retried. */
  onError?: (e: unknown) => void;
}

export const DEFAULT_FETCH_POLICY: FetchPolicy = { maxInlineWaitMs: 2_000, transientRetryMs: 250 };

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function fetchPageWithRetry(
  provider: MarketDataProvider,
  req: PageRequest,
  policy: FetchPolicy,
): Promise<Page> {
  const sleep = policy.sleep ?? defaultSleep;
  let lastErr: unknown;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      return await provider.fetchPage(req);
    } catch (e) {
      lastErr = e;
      policy.onError?.(e);
      if (!isProviderError(e) || attempt === 1) throw e;
      if (e.kind === 'rate_limited' && (e.retryAfterMs ?? Infinity) <= policy.maxInlineWaitMs) {
        await sleep(e.retryAfterMs ?? 0);
        continue;
      }
      if (e.handling === 'retry' && e.kind !== 'malformed') {
        await sleep(policy.transientRetryMs);
        continue;
      }
      throw e;
    }
  }
  throw lastErr;
}
