/**
 * GET /api/v1/symbols (tracked symbols and their stored series), PUT /api/v1/symbols/{symbol} (track one: provider,
 * intervals, optional URL source, history start and buy/sell point alert preferences),
 * DELETE /api/v1/symbols/{symbol}[?purge=true] (stop tracking, optionally removing its data: ./delete.ts) and
 * POST /api/v1/symbols/{symbol}/backfill (start a backfill job: functions/ingest/backfill-api.ts; the first chunk
 * goes to the ingest queue, INGEST_QUEUE_URL, or to the stand-in the local runtime installs).
 */
import { stockTrackingProblem } from '../ingest/providers/stock-symbols.js';
import { SYMBOLS_LIST_KEY } from '../cache/index.js';
import { getDeps } from '../common/deps.js';
import { formatTime } from '../common/domain.js';
import { getConfig, wiringConfig } from '../common/config.js';
import { badRequest } from '../common/errors.js';
import { createHandler } from '../common/http.js';
import { symbolsApiSpecs } from './api-spec.js';
import { recordCache } from '../common/observability.js';
import { requestBackfill } from '../ingest/backfill-api.js';
import { sourceUrlProblem } from '../ingest/source-url.js';
import type { QueueSender } from '../ingest/ports.js';
import { getQueueSender } from '../ingest/queue.js';
import { deleteSymbol, PURGE_BUDGET_MS } from './delete.js';
import type { SeriesMeta } from '../store/kline-store.js';

const seriesView = (s: SeriesMeta) => ({
  symbol: s.symbol,
  interval: s.interval,
  first: formatTime(s.interval, s.firstTs),
  last: formatTime(s.interval, s.lastTs),
  count: s.count,
  rev: s.rev,
  updatedAt: s.updatedAt,
});

export const handler = createHandler('symbols', symbolsApiSpecs, {
  'GET /api/v1/symbols': async () => {
    const { symbols, klines, cache } = getDeps();
    const hit = await cache.get(SYMBOLS_LIST_KEY);
    recordCache('symbols', hit !== null);
    if (hit !== null) return { rawBody: hit, headers: { 'x-cache': 'HIT' } };
    const list = (await symbols.list()).sort((a, b) => a.symbol.localeCompare(b.symbol));
    const series = await Promise.all(list.map((s) => klines.listSeries(s.symbol)));
    const body = JSON.stringify({ symbols: list.map((s, i) => ({ ...s, series: series[i]!.map(seriesView) })) });
    // Realtime tier: the series counts change with every ingest, and PUT below clears it anyway.
    await cache.set(SYMBOLS_LIST_KEY, body, 'realtime');
    return { rawBody: body, headers: { 'x-cache': 'MISS' } };
  },

  'PUT /api/v1/symbols/{symbol}': async ({ params, body }) => {
    const problem = body.sourceUrl && sourceUrlProblem(body.sourceUrl, getConfig().allowHttpSources);
    if (problem)
      throw badRequest(`Invalid body.sourceUrl: ${problem}`, [{ field: 'body.sourceUrl', message: problem }]);
    const { tushareToken } = wiringConfig().providers;
    const stock = stockTrackingProblem(
      body.provider,
      body.providerSymbol ?? params.symbol,
      body.intervals,
      tushareToken !== undefined,
    );
    if (stock) throw badRequest(`Invalid ${stock.field}: ${stock.message}`, [stock]);
    const { symbols, cache } = getDeps();
    const { item, created } = await symbols.put({
      symbol: params.symbol,
      provider: body.provider,
      intervals: body.intervals,
      providerSymbol: body.providerSymbol,
      active: body.active,
      sourceUrl: body.sourceUrl,
      sourceLabel: body.sourceLabel,
      historyFrom: body.historyFrom,
      alerts: body.alerts,
    });
    await cache.del([SYMBOLS_LIST_KEY]);
    return { statusCode: created ? 201 : 200, body: item };
  },

  'DELETE /api/v1/symbols/{symbol}': async ({ params, query }) => {
    const { symbols, klines, checkpoints, analysis, adjustments, backfills, cache } = getDeps();
    return deleteSymbol(params.symbol, query.purge, {
      symbols,
      klines,
      checkpoints,
      analysis,
      adjustments,
      backfills,
      cache,
      now: Date.now,
      budgetMs: PURGE_BUDGET_MS,
    });
  },

  'POST /api/v1/symbols/{symbol}/backfill': async ({ params, body }) => {
    const { symbols, backfills: jobs } = getDeps();
    // The queue is resolved only when the request is valid and the job is created (validation errors come first).
    const queue = { send: (...a: Parameters<QueueSender['send']>) => getQueueSender().send(...a) };
    return requestBackfill(params.symbol, body, {
      symbols,
      jobs,
      queue,
      now: Date.now,
      retentionDays: getConfig().klineRetentionDays,
    });
  },
});
