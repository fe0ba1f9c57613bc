/**
 * GET /api/v1/analysis/{symbol}: the engine over stored bars, at most MAX_ANALYSIS_BARS of them: without `from`
 * the newest ones up to `to`, and the response says when that is not all (`truncated`, `bars.stored`) and links
 * the older page (`next`). The response body is cached as a string under
 * (symbol, interval, last bar time, series rev, config hash, range, include, format, adjustment), so a warm hit is
 * three cache reads (series meta, the symbol's adjustment factors, the body) and no JSON work beyond the factors of
 * a stock symbol. Stock symbols are analysed on qfq prices by default (functions/common/adjust.ts). POST /api/v1/analysis: bars in the body (bounded), validated like uploads, nothing stored or cached.
 *
 * Both answer meta and the structures only unless `include` names per-bar parts (bars with MACD, mergedBars,
 * fractals): for 5,000 bars that is ~90 KB instead of ~1.8 MB, and serialization no longer dominates a miss.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ChanResult } from 'chan-analysis';
import type { IncludePart } from '../common/columns.js';
import { analysisKey } from '../cache/index.js';
import { adjustBars, resolveAdjustment } from '../common/adjust.js';
import { requireValidRows } from '../common/bars.js';
import { getDeps, getSeriesService } from '../common/deps.js';
import { columnarResult, type Format } from '../common/columns.js';
import { engineTime, formatTime, toEngineBars } from '../common/domain.js';
import { projectResult, resolveEngineOptions, runEngine } from '../common/engine.js';
import { badRequest, notFound } from '../common/errors.js';
import { createHandler } from '../common/http.js';
import { analysisApiSpecs } from './api-spec.js';
import { emitMetric } from '../common/metrics-catalog.js';
import { recordCache } from '../common/observability.js';
import { checkRangeWidth, requireSeries } from '../common/range.js';
import { SingleFlight } from '../common/single-flight.js';
import { API_PREFIX } from '../routes.js';

/** The parts of the response the request chose: which per-bar parts, in which layout (format=columns adds its name). */
function shaped(result: ChanResult, include: readonly IncludePart[], format: Format | undefined) {
  const projected = projectResult(result, include);
  return format === 'columns'
    ? { include, format: 'columns' as const, result: columnarResult(projected) }
    : { include, result: projected };
}

/**
 * The older page of a truncated analysis: the same request with `to` at the bar just before the analysed window
 * (and no `from`), so following `next` repeatedly walks the whole history MAX_ANALYSIS_BARS at a time.
 */
function olderPage(event: APIGatewayProxyEvent, to: string): { to: string; href: string } {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {}))
    if (v !== undefined && k !== 'to' && k !== 'from') q.set(k, v);
  q.set('to', to);
  return { to, href: `${API_PREFIX}/analysis/${encodeURIComponent(event.pathParameters!.symbol!)}?${q}` };
}

/** One analysis per cache key at a time in this instance: a burst of identical misses shares it. */
const analyses = new SingleFlight<string>();

export const handler = createHandler('analysis', analysisApiSpecs, {
  'GET /api/v1/analysis/{symbol}': async ({ params, query, config, event }) => {
    const { symbol } = params;
    const { interval, from, to } = query;
    const include = query.include ?? [];
    // Options first: a bad preset/config is a 400 before any read.
    const resolved = resolveEngineOptions({ preset: query.preset, config: query.config }, config.defaultPreset);
    checkRangeWidth(interval, from, to, config.maxRangeBuckets);
    const series = getSeriesService();
    const meta = requireSeries(await series.meta(symbol, interval), symbol, interval);
    const { cache } = getDeps();
    const adj = await resolveAdjustment(symbol, query.adjust);
    const key = analysisKey(
      symbol,
      interval,
      meta.lastTs,
      meta.rev,
      resolved.configHash,
      from ?? 'first',
      to ?? 'last',
      include,
      query.format,
      adj.tag,
    );
    const hit = await cache.get(key);
    recordCache('analysis', hit !== null);
    if (hit !== null) return { rawBody: hit, headers: { 'x-cache': 'HIT', 'x-adjust': adj.mode } };

    // Identical concurrent misses share one read and one analysis (the first request's run).
    const body = await analyses.run(key, async () => {
      const max = config.maxAnalysisBars;
      // One bar more than analysed either way: with `from` it means "range too wide", without it it is the bar
      // just before the window, where the older page ends (so the response can say it is not the whole series).
      const latest = from === undefined;
      const stored = await series.read(meta, {
        from: from ?? meta.firstTs,
        to: to ?? meta.lastTs,
        limit: max + 1,
        latest,
      });
      const bars = adjustBars(stored, adj.factors, adj.mode);
      const before = latest && bars.length > max ? bars.shift() : undefined;
      if (bars.length > max) {
        throw badRequest(
          `Invalid query.from: the range holds more than ${max} bars (MAX_ANALYSIS_BARS); move from later or omit it to analyse the newest ${max}`,
          [{ field: 'query.from', message: 'too many bars' }],
        );
      }
      if (bars.length === 0)
        throw notFound(
          `No bars for ${symbol} ${interval} between ${from === undefined ? 'the first bar' : new Date(from).toISOString()} and ${to === undefined ? 'the last bar' : new Date(to).toISOString()}`,
          [{ field: 'query.from', message: 'empty range' }],
        );
      const t0 = performance.now();
      const result = runEngine(
        toEngineBars(bars, (b) => engineTime(interval, b.ts)),
        resolved,
      );
      emitMetric('AnalysisTime', performance.now() - t0);
      const first = formatTime(interval, bars[0]!.ts);
      const last = formatTime(interval, bars[bars.length - 1]!.ts);
      const doc = JSON.stringify({
        symbol,
        interval,
        preset: resolved.preset,
        configHash: resolved.configHash,
        barCount: bars.length,
        from: first,
        to: last,
        bars: { analysed: bars.length, stored: meta.count, from: first, to: last },
        truncated: before !== undefined,
        next: before === undefined ? null : olderPage(event, formatTime(interval, before.ts)),
        ...shaped(result, include, query.format),
      });
      await cache.set(key, doc, 'general');
      return doc;
    });
    return { rawBody: body, headers: { 'x-cache': 'MISS', 'x-adjust': adj.mode } };
  },

  'POST /api/v1/analysis': async ({ body, config }) => {
    const resolved = resolveEngineOptions({ preset: body.preset, config: body.config }, config.defaultPreset);
    const bars = requireValidRows(body.bars, 'body.bars');
    const rows = body.bars as { time: string | number }[];
    const t0 = performance.now();
    const result = runEngine(
      toEngineBars(bars, (_, i) => rows[i]!.time),
      resolved,
    );
    emitMetric('AnalysisTime', performance.now() - t0);
    const first = String(rows[0]!.time);
    const last = String(rows[rows.length - 1]!.time);
    return {
      body: {
        symbol: null,
        interval: null,
        preset: resolved.preset,
        configHash: resolved.configHash,
        barCount: bars.length,
        from: first,
        to: last,
        bars: { analysed: bars.length, stored: null, from: first, to: last },
        truncated: false,
        next: null,
        ...shaped(result, body.include ?? [], body.format),
      },
    };
  },
});
