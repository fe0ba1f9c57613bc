/** GET /api/v1/symbols (tracked symbols and their stored series) and PUT /api/v1/symbols/{symbol} (track one). */
import { SYMBOLS_LIST_KEY } from '../cache/index.js';
import { getDeps } from '../common/deps.js';
import { formatTime } from '../common/domain.js';
import { createHandler } from '../common/http.js';
import { recordCache } from '../common/observability.js';
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

export const handler = createHandler('symbols', {
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
    const { symbols, cache } = getDeps();
    const { item, created } = await symbols.put({
      symbol: params.symbol,
      provider: body.provider,
      intervals: body.intervals,
      providerSymbol: body.providerSymbol,
      active: body.active,
    });
    await cache.del([SYMBOLS_LIST_KEY]);
    return { statusCode: created ? 201 : 200, body: item };
  },
});
