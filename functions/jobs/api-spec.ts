/**
 * Route specs of the jobs API, in the shape of common/api-schemas.ts: the shared middy stack validates with them and
 * the OpenAPI document is generated from them. Spread into buildApiSpec (`...jobsApiSpecs()`).
 */
import { positiveInt, type ApiSpec } from '../common/api-schemas.js';
import * as z from '../common/zod.js';
import { API_PREFIX } from '../routes.js';
import { JOB_KINDS, JobRequestSchema, WatchlistBodySchema, WatchlistNameSchema } from './model.js';

export const MAX_RESULTS_PAGE = 500;

/** Job ids are UUIDs (crypto.randomUUID): anything else cannot exist, so it is a 400, not a table read. */
export const JobIdSchema = z.string().check(
  z.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, {
    error: 'id must be a job id (UUID) returned by POST /api/v1/jobs',
  }),
);

const ErrorBody = z.object({ error: z.string(), message: z.string(), details: z.unknown() });

export const JOB_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED'] as const;

const JobAcceptedSchema = z
  .object({ id: z.string(), kind: z.enum(JOB_KINDS), status: z.enum(JOB_STATUSES), location: z.string() })
  .check(z.meta({ id: 'JobAccepted' }));

const JobViewSchema = z
  .object({
    id: z.string(),
    kind: z.enum(JOB_KINDS),
    status: z.enum(JOB_STATUSES),
    input: z.record(z.string(), z.unknown()),
    progress: z.object({
      total: z.nullable(z.number().check(z.int())),
      done: z.number().check(z.int()),
      failed: z.number().check(z.int()),
      percent: z.nullable(z.number()),
    }),
    summary: z.unknown().check(
      z.meta({
        description:
          'Set when the job has finished: per kind (scan matches, back-test statistics, multi-level confirmations)',
      }),
    ),
    error: z.nullable(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
    results: z.array(
      z.object({
        symbol: z.string(),
        ok: z.boolean(),
        matched: z.optional(z.boolean()),
        error: z.optional(z.string()),
        data: z.optional(z.unknown()),
        at: z.string(),
      }),
    ),
    nextCursor: z
      .nullable(z.string())
      .check(z.meta({ description: 'Pass as ?cursor= for the next page of results; null on the last page' })),
  })
  .check(z.meta({ id: 'Job' }));

const WatchlistSchema = z
  .object({ name: z.string(), count: z.number().check(z.int()), symbols: z.array(z.string()), updatedAt: z.string() })
  .check(z.meta({ id: 'Watchlist' }));

const nameParams = z.strictObject({ name: WatchlistNameSchema });
const NO_WATCHLIST = { description: 'No watchlist of that name', schema: ErrorBody };

export function jobsApiSpecs() {
  return {
    'POST /api/v1/jobs': {
      method: 'POST',
      path: `${API_PREFIX}/jobs`,
      summary: 'Start a long-running job (scan, multilevel, backtest) on Step Functions',
      description:
        'scan: buy/sell points of the given types on the last `withinBars` bars of each symbol. multilevel: one symbol at 2–3 intervals, higher strokes linked to lower strokes and each higher buy/sell point checked against the lower structure. backtest: bar-by-bar replay with the streaming engine; forward returns after each signal type, hit rate, and the share of provisional signals that later vanished. Answers 202 with the job id; poll GET /api/v1/jobs/{id}.',
      apiKey: true,
      body: JobRequestSchema,
      bodyMode: 'json',
      bodyRequired: true,
      responses: {
        202: { description: 'Accepted: the job is queued', schema: JobAcceptedSchema },
        400: { description: 'Invalid request: the message names the field', schema: ErrorBody },
        403: { description: 'Missing or invalid API key', schema: ErrorBody },
        404: { description: 'multilevel: no stored bars for the symbol at an interval', schema: ErrorBody },
        500: {
          description: 'This deployment cannot start jobs (ConfigurationError; the message names what is missing)',
          schema: ErrorBody,
        },
        503: { description: 'The workflow could not be started this time; retrying can help', schema: ErrorBody },
      },
    },
    'GET /api/v1/jobs/{id}': {
      method: 'GET',
      path: `${API_PREFIX}/jobs/{id}`,
      summary: 'State, progress, summary and one page of per-symbol results of a job',
      params: z.strictObject({ id: JobIdSchema }),
      query: z.strictObject({
        limit: z
          .optional(positiveInt('limit', MAX_RESULTS_PAGE))
          .check(z.meta({ description: `Results per page (default 100, at most ${MAX_RESULTS_PAGE})` })),
        cursor: z
          .optional(z.string().check(z.maxLength(200)))
          .check(z.meta({ description: 'nextCursor of the previous page' })),
        matched: z
          .optional(z.enum(['true', 'false']))
          .check(z.meta({ description: 'scan: only symbols with a matching signal' })),
      }),
      responses: {
        200: { description: 'The job', schema: JobViewSchema },
        400: { description: 'Invalid id, limit or cursor', schema: ErrorBody },
        404: { description: 'No such job (or it expired after 30 days)', schema: ErrorBody },
      },
    },
    'GET /api/v1/watchlists': {
      method: 'GET',
      path: `${API_PREFIX}/watchlists`,
      summary: 'Stored watchlists: names and sizes',
      responses: {
        200: {
          description: 'Every stored watchlist, in name order',
          schema: z.object({
            watchlists: z.array(
              z.object({ name: z.string(), count: z.number().check(z.int()), updatedAt: z.string() }),
            ),
          }),
        },
      },
    },
    'GET /api/v1/watchlists/{name}': {
      method: 'GET',
      path: `${API_PREFIX}/watchlists/{name}`,
      summary: 'One stored watchlist with its symbols',
      params: nameParams,
      responses: {
        200: { description: 'The watchlist', schema: WatchlistSchema },
        400: { description: 'Invalid or reserved name', schema: ErrorBody },
        404: NO_WATCHLIST,
      },
    },
    'PUT /api/v1/watchlists/{name}': {
      method: 'PUT',
      path: `${API_PREFIX}/watchlists/{name}`,
      summary: 'Store (replace) a named watchlist, e.g. an index-constituent list, for scan and backtest jobs',
      description:
        'JSON `{"symbols": [...]}`, or CSV with a header row naming a symbol column: `symbol`, `con_code` (Tushare index_weight), `ts_code` or `ticker`, case-insensitive; other columns are ignored. Symbols are normalised as elsewhere and repeats dropped. Any bad symbol rejects the upload with 400 naming it (`body.symbols[i]`, and the CSV line); nothing is written. Jobs then name it as `watchlist`.',
      apiKey: true,
      params: nameParams,
      bodyDoc: WatchlistBodySchema,
      bodyMode: 'json-or-csv',
      csvDoc: 'Header row with a symbol column (symbol, con_code, ts_code or ticker); one symbol per line',
      bodyRequired: true,
      responses: {
        200: { description: 'The stored watchlist', schema: WatchlistSchema },
        400: { description: 'Invalid name, reserved name "tracked", or a bad symbol (named)', schema: ErrorBody },
        403: { description: 'Missing or invalid API key', schema: ErrorBody },
        413: { description: 'Body too large', schema: ErrorBody },
        415: { description: 'Unsupported content type', schema: ErrorBody },
      },
    },
    'DELETE /api/v1/watchlists/{name}': {
      method: 'DELETE',
      path: `${API_PREFIX}/watchlists/{name}`,
      summary: 'Delete a stored watchlist (jobs already started keep their symbols)',
      apiKey: true,
      params: nameParams,
      responses: {
        200: { description: 'Deleted', schema: z.object({ name: z.string(), deleted: z.literal(true) }) },
        400: { description: 'Invalid or reserved name', schema: ErrorBody },
        403: { description: 'Missing or invalid API key', schema: ErrorBody },
        404: NO_WATCHLIST,
      },
    },
  } satisfies Record<string, ApiSpec>;
}
