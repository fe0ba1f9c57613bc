/**
 * The one interface every market-data provider implements, and the classified error it throws.
 */
import type { IngestBar, RejectedRow } from '../bar.js';
import type { IngestInterval } from '../intervals.js';
import type { ProviderName } from './index.js';
import type { FactorPoint } from '../../store/adjustments.js';

/** The providers fetched from: derived from the registry (index.ts). */
export type { ProviderName };

export interface PageRequest {
  symbol: string;
  interval: IngestInterval;
  /** First open time wanted (inclusive). */
  startTime: number;
  /** Last open time wanted (inclusive). */
  endTime: number;
  /** Rows per call, ≤ 1000. */
  limit: number;
  /** The caller's clock: bars not closed at `now` are returned as `forming`, never in `bars`. */
  now: number;
}

export interface Page {
  /** Closed, validated bars in ascending time order, up to (not including) the first rejected row. */
  bars: IngestBar[];
  /** Rows the provider sent that failed validation, with reasons. */
  rejected: RejectedRow[];
  /** The still-forming last bar, if the provider sent one (never stored as closed). */
  forming?: IngestBar;
  /** Rows in the raw response (a page with rawCount < limit means the window is exhausted). */
  rawCount: number;
  /** The open time to ask for next, or undefined when the requested window is exhausted. */
  nextStart: number | undefined;
}

export interface MarketDataProvider {
  readonly name: ProviderName;
  /** Most rows one call may return. */
  readonly maxLimit: number;
  fetchPage(req: PageRequest, signal?: AbortSignal): Promise<Page>;
  /**
   * Stock providers: the symbol's price-adjustment factors (复权因子) as of `now`, by trading date (UTC midnight
   * of the exchange date), cumulative from the oldest known (so hfq = price × factor). Empty for an index.
   */
  fetchFactors?(symbol: string, now: number, signal?: AbortSignal): Promise<FactorPoint[]>;
}

/**
 * Error kinds, used as the metric dimension `kind` and to decide what the worker does:
 * - retry soon (SQS redelivery): timeout, network, server, malformed
 * - back off until a time (ack the message, remember the time): rate_limited, ip_banned
 * - non-retryable until an operator acts (ack, mark the symbol, alarm): geo_blocked, forbidden, bad_request
 */
export type ProviderErrorKind =
  | 'rate_limited'
  | 'ip_banned'
  | 'geo_blocked'
  | 'forbidden'
  | 'bad_request'
  | 'server'
  | 'timeout'
  | 'network'
  | 'malformed';

export type ErrorHandling = 'retry' | 'backoff' | 'halt';

export const ERROR_HANDLING: Readonly<Record<ProviderErrorKind, ErrorHandling>> = {
  rate_limited: 'backoff',
  ip_banned: 'backoff',
  geo_blocked: 'halt',
  forbidden: 'halt',
  bad_request: 'halt',
  server: 'retry',
  timeout: 'retry',
  network: 'retry',
  malformed: 'retry',
};

export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    readonly provider: ProviderName,
    readonly kind: ProviderErrorKind,
    message: string,
    /** How long the provider asked us to wait (Retry-After), when it said. */
    readonly retryAfterMs?: number,
    readonly status?: number,
    readonly rejected?: RejectedRow[],
  ) {
    super(`${provider} ${kind}: ${message}`);
  }

  get handling(): ErrorHandling {
    return ERROR_HANDLING[this.kind];
  }
}

export function isProviderError(e: unknown): e is ProviderError {
  return e instanceof ProviderError;
}
