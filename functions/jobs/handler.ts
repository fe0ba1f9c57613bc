/**
 * POST /api/v1/jobs (API key): validate, record the job (QUEUED), start its Step Functions execution, 202.
 * GET /api/v1/jobs/{id}: the job item (state, progress counters, summary) and one page of per-symbol results.
 * /api/v1/watchlists[/{name}]: the named universes scan and backtest jobs read (PUT from JSON or an
 * index-constituent CSV, GET, list, DELETE).
 *
 * Cheap up-front checks turn obvious mistakes into 4xx now rather than a FAILED job later: engine options, a
 * stored watchlist's existence, and for multilevel the series it needs. Per-symbol problems of a scan or
 * back-test (a symbol without bars) are not checked here: they become that symbol's failure in the results,
 * and the job goes on.
 */
import { randomUUID } from 'node:crypto';
import { getDeps, getSeriesService } from '../common/deps.js';
import { getSecretKey } from '../common/secrets.js';
import { resolveEngineOptions } from '../common/engine.js';
import { badRequest, misconfigured, notFound, serviceUnavailable } from '../common/errors.js';
import { createHandler } from '../common/http.js';
import { jobsApiSpecs } from './api-spec.js';
import { getLogger } from '../common/observability.js';
import { API_PREFIX } from '../routes.js';
import { InvalidCursorError } from '../store/jobs-results.js';
import { TRACKED_WATCHLIST, type JobParams } from './model.js';
import { getJobStarter, StarterNotConfiguredError } from './starter.js';
import { watchlistSymbols } from './watchlists.js';

const DEFAULT_PAGE = 100;

async function checkInputs(params: JobParams): Promise<void> {
  if ('watchlist' in params && params.watchlist !== undefined && params.watchlist !== TRACKED_WATCHLIST) {
    if (!(await getDeps().watchlists.get(params.watchlist))) {
      throw notFound(`Unknown watchlist "${params.watchlist}"`, [
        { field: 'body.watchlist', message: 'no such watchlist' },
      ]);
    }
  }
  if (params.kind === 'multilevel') {
    const series = getSeriesService();
    const needed = params.source === 'resample' ? [lowest(params.intervals)] : params.intervals;
    for (const iv of needed) {
      if (!(await series.meta(params.symbol, iv))) {
        throw notFound(`No bars stored for ${params.symbol} at interval ${iv}`, [
          { field: 'body.intervals', message: `no ${iv} series` },
        ]);
      }
    }
  }
}

const unknownWatchlist = (name: string) =>
  notFound(`No watchlist "${name}"`, [{ field: 'path.name', message: 'no such watchlist' }]);

const ORDER = ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w'];
const lowest = <T extends string>(ivs: readonly T[]): T =>
  [...ivs].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b))[0]!;

export const handler = createHandler('jobs', jobsApiSpecs, {
  'POST /api/v1/jobs': async ({ body, config: app }) => {
    const params = body as JobParams;
    resolveEngineOptions({ preset: params.preset, config: params.config }, app.defaultPreset);
    await checkInputs(params);
    const id = randomUUID();
    const { jobs } = getDeps();
    await jobs.create({ id, type: params.kind, status: 'QUEUED', input: params as unknown as Record<string, unknown> });
    let executionArn: string;
    try {
      executionArn = await getJobStarter().start({ jobId: id, params });
    } catch (e) {
      getLogger().error('job start failed', { jobId: id, error: e as Error });
      await jobs.update(id, { status: 'FAILED', error: `could not start: ${(e as Error).message}` });
      // Retrying cannot help a deployment that has no state machine; it can help a throttled or failed call.
      if (e instanceof StarterNotConfiguredError)
        throw misconfigured(`The job could not be started: ${e.message}`, { id });
      throw serviceUnavailable('The job could not be started; try again later', { id });
    }
    // Only the ARN is written: the execution may already have moved the job to RUNNING.
    await jobs.update(id, { executionArn });
    const location = `${API_PREFIX}/jobs/${id}`;
    return {
      statusCode: 202,
      headers: { Location: location },
      body: { id, kind: params.kind, status: 'QUEUED', location },
    };
  },

  'GET /api/v1/jobs/{id}': async ({ params, query }) => {
    const job = (await getDeps().jobs.get(params.id)) as (Record<string, unknown> & { id: string }) | null;
    if (!job)
      throw notFound(`No job ${params.id} (unknown, or expired after 30 days)`, [
        { field: 'path.id', message: 'no such job' },
      ]);
    let page;
    try {
      page = await getDeps().jobResults.page(params.id, {
        limit: query.limit ?? DEFAULT_PAGE,
        cursor: query.cursor,
        matchedOnly: query.matched === 'true',
        cursorKey: await getSecretKey(),
      });
    } catch (e) {
      if (e instanceof InvalidCursorError)
        throw badRequest(`Invalid query.cursor: ${e.message}`, [{ field: 'query.cursor', message: e.message }]);
      throw e;
    }
    const num = (v: unknown) => (typeof v === 'number' ? v : 0);
    const total = typeof job.total === 'number' ? job.total : null;
    const done = num(job.done);
    return {
      body: {
        id: job.id,
        kind: job.type,
        status: job.status,
        input: job.input,
        progress: {
          total,
          done,
          failed: num(job.failed),
          percent: total ? Math.round((1000 * done) / total) / 10 : null,
        },
        summary: job.result ?? null,
        error: job.error ?? null,
        createdAt: job.createdAt,
        updatedAt: job.updatedAt,
        results: page.items,
        nextCursor: page.nextCursor ?? null,
      },
    };
  },

  'GET /api/v1/watchlists': async () => ({ body: { watchlists: await getDeps().watchlists.list() } }),

  'GET /api/v1/watchlists/{name}': async ({ params }) => {
    const wl = await getDeps().watchlists.get(params.name);
    if (!wl) throw unknownWatchlist(params.name);
    return { body: { name: wl.name, count: wl.symbols.length, symbols: wl.symbols, updatedAt: wl.updatedAt } };
  },

  'PUT /api/v1/watchlists/{name}': async ({ params, body }) => {
    const wl = await getDeps().watchlists.put(params.name, watchlistSymbols(body));
    return { body: { name: wl.name, count: wl.symbols.length, symbols: wl.symbols, updatedAt: wl.updatedAt } };
  },

  'DELETE /api/v1/watchlists/{name}': async ({ params }) => {
    if (!(await getDeps().watchlists.delete(params.name))) throw unknownWatchlist(params.name);
    return { body: { name: params.name, deleted: true } };
  },
});
