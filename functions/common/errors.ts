/**
 * The one error shape of the API: `{ error, message, details }` with an HTTP status. Handlers throw these; the
 * shared middy stack turns them (and zod, engine and unexpected errors) into responses. Bad input is always a
 * 4xx that names the offending field; only genuine faults of ours become a 500.
 */
import type * as z from './zod.js';

export class HttpError extends Error {
  /** Read by @middy/util helpers and by our error middleware. */
  readonly expose: boolean;
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = code;
    this.expose = statusCode < 500;
  }
}

export const badRequest = (message: string, details: unknown = null) =>
  new HttpError(400, 'ValidationError', message, details);
export const notFound = (message: string, details: unknown = null) => new HttpError(404, 'NotFound', message, details);
export const conflict = (message: string, details: unknown = null) => new HttpError(409, 'Conflict', message, details);
export const payloadTooLarge = (message: string, details: unknown = null) =>
  new HttpError(413, 'PayloadTooLarge', message, details);
export const unsupportedMediaType = (message: string) => new HttpError(415, 'UnsupportedMediaType', message);
/** The deployment lacks something it needs (retrying cannot help): the message names what is missing. */
export const misconfigured = (message: string, details: unknown = null) =>
  new HttpError(500, 'ConfigurationError', message, details);
export const serviceUnavailable = (message: string, details: unknown = null) =>
  new HttpError(503, 'ServiceUnavailable', message, details);

export interface FieldProblem {
  /** Dotted location, e.g. "query.interval", "body[3].high". */
  field: string;
  message: string;
}

/** Turn a zod error at a request location into a 400 whose message names the first bad field. */
export function fromZod(where: string, err: z.$ZodError): HttpError {
  const problems: FieldProblem[] = err.issues.slice(0, 100).map((i) => ({
    field: formatPath(where, i.path),
    message: i.message,
  }));
  const first = problems[0];
  const more =
    problems.length > 1 ? ` (and ${err.issues.length - 1} more problem${err.issues.length > 2 ? 's' : ''})` : '';
  return badRequest(first ? `Invalid ${first.field}: ${first.message}${more}` : `Invalid ${where}`, problems);
}

export function formatPath(where: string, path: readonly PropertyKey[]): string {
  let out = where;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out;
}
