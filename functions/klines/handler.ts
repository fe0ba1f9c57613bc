/**
 * GET /api/v1/klines/{symbol}: stored bars (cached per bucket).
 * POST /api/v1/klines/{symbol}?interval: upload bars as a JSON array or CSV; all-or-nothing validation (any bad
 * row, or rows spaced finer than the interval → 400 naming them, nothing written), then an idempotent upsert
 * reporting inserted / updated / unchanged. The symbol must be tracked first (PUT /api/v1/symbols/{symbol}) with
 * the interval among its intervals, so stray uploads cannot create series nobody lists or the chart can reach.
 */
import { adjustBars, resolveAdjustment } from '../common/adjust.js';
import { requireValidCsv, requireValidRows } from '../common/bars.js';
import { getDeps, getSeriesService } from '../common/deps.js';
import { toApiBar } from '../common/domain.js';
import { badRequest, notFound, payloadTooLarge } from '../common/errors.js';
import { createHandler } from '../common/http.js';
import { klinesApiSpecs } from './api-spec.js';
import { emitMetric } from '../common/metrics-catalog.js';
import { checkRangeWidth, requireSeries } from '../common/range.js';
import { formatTime } from '../common/domain.js';
import { SYMBOLS_LIST_KEY } from '../cache/index.js';

const DEFAULT_LIMIT = 1000;

export const handler = createHandler('klines', klinesApiSpecs, {
  'GET /api/v1/klines/{symbol}': async ({ params, query, config }) => {
    const { symbol } = params;
    const { interval, from, to } = query;
    checkRangeWidth(interval, from, to, config.maxRangeBuckets);
    const series = getSeriesService();
    const meta = requireSeries(await series.meta(symbol, interval), symbol, interval);
    const limit = query.limit ?? Math.min(DEFAULT_LIMIT, config.maxKlinesLimit);
    const bars = await series.read(meta, {
      from: from ?? meta.firstTs,
      to: to ?? meta.lastTs,
      limit,
      // Without `from` the client wants the newest bars (a chart's initial view).
      latest: from === undefined,
      maxBuckets: config.maxRangeBuckets,
    });
    const adj = await resolveAdjustment(symbol, query.adjust);
    const out = adjustBars(bars, adj.factors, adj.mode);
    return {
      body: { symbol, interval, count: out.length, bars: out.map((b) => toApiBar(interval, b)) },
      headers: { 'x-adjust': adj.mode },
    };
  },

  'POST /api/v1/klines/{symbol}': async ({ params, query, body, config }) => {
    const { symbol } = params;
    const { interval } = query;
    let bars;
    if (body.kind === 'csv') {
      bars = requireValidCsv(body.text, 'body', interval);
    } else {
      if (!Array.isArray(body.value))
        throw badRequest('Invalid body: expected a JSON array of bars [{time, open, high, low, close, volume}]', [
          { field: 'body', message: 'not an array' },
        ]);
      if (body.value.length > config.maxUploadBars)
        throw payloadTooLarge(`body has ${body.value.length} bars; at most ${config.maxUploadBars} per request`, {
          field: 'body',
          limit: config.maxUploadBars,
        });
      bars = requireValidRows(body.value, 'body', interval);
    }
    if (bars.length > config.maxUploadBars)
      throw payloadTooLarge(`body has ${bars.length} bars; at most ${config.maxUploadBars} per request`, {
        field: 'body',
        limit: config.maxUploadBars,
      });
    const { symbols, cache } = getDeps();
    const tracked = await symbols.get(symbol);
    if (!tracked) {
      throw notFound(
        `Unknown symbol ${symbol}: track it first with PUT /api/v1/symbols/${symbol}; nothing was written`,
        [{ field: 'path.symbol', message: 'not tracked' }],
      );
    }
    if (!tracked.intervals.includes(interval)) {
      throw badRequest(
        `Invalid query.interval: ${symbol} does not track ${interval} (it tracks ${tracked.intervals.join(', ')}); add it with PUT /api/v1/symbols/${symbol} first; nothing was written`,
        [{ field: 'query.interval', message: `not tracked (tracked: ${tracked.intervals.join(', ')})` }],
      );
    }
    const report = await getSeriesService().upsert(symbol, interval, bars);
    emitMetric('BarsIngested', report.inserted + report.updated);
    if (report.inserted > 0) await cache.del([SYMBOLS_LIST_KEY]);
    const s = report.series;
    return {
      body: {
        symbol,
        interval,
        received: bars.length,
        inserted: report.inserted,
        updated: report.updated,
        unchanged: report.unchanged,
        expired: report.expired,
        rejected: 0,
        series: s
          ? {
              symbol,
              interval,
              first: formatTime(interval, s.firstTs),
              last: formatTime(interval, s.lastTs),
              count: s.count,
              rev: s.rev,
              updatedAt: s.updatedAt,
            }
          : null,
      },
    };
  },
});
