/**
 * A backing service that times out, refuses the connection or throttles us is not a bug of ours: the request is
 * answered 503 with Retry-After (the caller may simply try again), never 500. What counts as such a fault is
 * decided here, from the error's name and code as the AWS SDK (smithy) and Node's sockets report them.
 */
import { HttpError } from './errors.js';

/** Seconds a client should wait before retrying: long enough for a throttle or a brief outage to pass. */
export const RETRY_AFTER_SECONDS = 2;

const TIMEOUT_NAMES: ReadonlySet<string> = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const THROTTLE_NAMES: ReadonlySet<string> = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);
/** Server-side faults of the service itself, which its own docs call retryable. */
const FAILING_NAMES: ReadonlySet<string> = new Set([
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

/** Socket-level failures to reach a service. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** The kind of dependency fault `e` is, or undefined when it is something else (a bug: stays a 500). */
export function dependencyFault(e: unknown): 'timeout' | 'unreachable' | 'throttled' | 'failing' | undefined {
  // Our own errors already carry their status (a 503 from a handler is named ServiceUnavailable too).
  if (e === null || typeof e !== 'object' || e instanceof HttpError) return undefined;
  const { name, code, $metadata } = e as ErrorLike;
  const n = typeof name === 'string' ? name : '';
  if (TIMEOUT_NAMES.has(n) || code === 'ETIMEDOUT') return 'timeout';
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return 'unreachable';
  if (THROTTLE_NAMES.has(n)) return 'throttled';
  if (FAILING_NAMES.has(n)) return 'failing';
  // A service error response with a 5xx status (the SDK attaches $metadata to every service error).
  if ($metadata && ($metadata.httpStatusCode ?? 0) >= 500) return 'failing';
  return undefined;
}

const WHAT: Record<NonNullable<ReturnType<typeof dependencyFault>>, string> = {
  timeout: 'did not answer in time',
  unreachable: 'could not be reached',
  throttled: 'is throttling requests',
  failing: 'reported a temporary failure',
};

/** The 503 for a dependency fault, or undefined when `e` is not one. */
export function dependencyUnavailable(e: unknown): HttpError | undefined {
  const fault = dependencyFault(e);
  if (!fault) return undefined;
  return new HttpError(
    503,
    'ServiceUnavailable',
    `A backing service (data store or queue) ${WHAT[fault]}; this is temporary, retry after ${RETRY_AFTER_SECONDS} s`,
    { dependency: fault, retryAfterSeconds: RETRY_AFTER_SECONDS },
    { 'Retry-After': String(RETRY_AFTER_SECONDS) },
  );
}
