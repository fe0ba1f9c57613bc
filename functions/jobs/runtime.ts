/**
 * What the job tasks do, one function per Step Functions task. The Lambda entries in tasks/ only parse their
 * input and call these; the local state-machine tests and the bench run the same entries.
 *
 * Errors: a symbol without stored bars throws NoBarsError; the Map's Catch records it as that symbol's failure
 * and the job goes on. Throttling and service errors propagate unchanged so the state machine's Retry (with
 * backoff) can match them by name.
 */
import { adjustBars, resolveAdjustment } from '../common/adjust.js';
import { marketOf } from '../common/market-calendar.js';
import type { BarInput } from 'chan-analysis';
import { getDeps, getSeriesService } from '../common/deps.js';
import { engineTime, toEngineBars, type Interval } from '../common/domain.js';
import { getLogger } from '../common/observability.js';
import { emitMetric } from '../common/metrics-catalog.js';
import {
  backtestBars,
  backtestReport,
  compactMultiLevel,
  engineOptionsOf,
  mergeBacktest,
  multiLevelFromBase,
  multiLevelFromLevels,
  scanBars,
  type BacktestResult,
  type MultiLevelSummary,
  type ScanResult,
} from './analyses.js';
import {
  INLINE_MAP_MAX_ITEMS,
  MAX_JOB_SYMBOLS,
  TRACKED_WATCHLIST,
  type ExecutionInput,
  type JobParams,
  type MultiLevelParams,
  type PreparedJob,
  type SymbolTask,
} from './model.js';

export class NoBarsError extends Error {
  override name = 'NoBarsError';
}

/** A job's universe cannot be resolved (unknown watchlist, empty list): the whole job fails. */
export class JobInputError extends Error {
  override name = 'JobInputError';
}

/** The newest `limit` stored bars of a series, as engine input (times as the API shows them). */
export async function loadBars(symbol: string, interval: Interval, limit: number): Promise<BarInput[]> {
  const series = getSeriesService();
  const meta = await series.meta(symbol, interval);
  if (!meta) throw new NoBarsError(`no bars stored for ${symbol} at ${interval}`);
  const bars = await series.read(meta, { from: meta.firstTs, to: meta.lastTs, limit, latest: true });
  if (bars.length === 0) throw new NoBarsError(`no bars stored for ${symbol} at ${interval}`);
  // Stock symbols are analysed on qfq prices, like GET /analysis by default (none for symbols without factors).
  const adj = await resolveAdjustment(symbol, undefined);
  return toEngineBars(adjustBars(bars, adj.factors, adj.mode), (b) => engineTime(interval, b.ts));
}

// ------------------------------------------------------------------------------------------------ prepare

async function resolveUniverse(params: JobParams): Promise<string[]> {
  if (params.kind === 'multilevel') return [params.symbol];
  if (params.symbols) return [...new Set(params.symbols)];
  const name = params.watchlist!;
  if (name === TRACKED_WATCHLIST) {
    const all = await getDeps().symbols.list();
    return all
      .filter((s) => s.active && s.intervals.includes(params.interval))
      .map((s) => s.symbol)
      .sort();
  }
  const wl = await getDeps().watchlists.get(name);
  if (!wl) throw new JobInputError(`unknown watchlist "${name}"`);
  return [...new Set(wl.symbols)];
}

export async function prepareJob(input: ExecutionInput): Promise<PreparedJob> {
  const symbols = await resolveUniverse(input.params);
  if (symbols.length === 0)
    throw new JobInputError('the job has no symbols (empty watchlist or no tracked symbol with this interval)');
  if (symbols.length > MAX_JOB_SYMBOLS)
    throw new JobInputError(`the job has ${symbols.length} symbols; at most ${MAX_JOB_SYMBOLS}`);
  const { jobs, jobResults: results } = getDeps();
  await jobs.update(input.jobId, { status: 'RUNNING' });
  await results.setTotal(input.jobId, symbols.length);
  getLogger().info('job prepared', { jobId: input.jobId, kind: input.params.kind, symbols: symbols.length });
  const p = input.params;
  let params: PreparedJob['params'];
  if (p.kind === 'multilevel') params = p;
  else {
    const { symbols: _s, watchlist: _w, ...rest } = p;
    params = rest;
  }
  return { jobId: input.jobId, kind: p.kind, params, symbols, large: symbols.length > INLINE_MAP_MAX_ITEMS };
}

// -------------------------------------------------------------------------------------------- per symbol

export async function runSymbol(task: SymbolTask): Promise<Record<string, never>> {
  const { params, symbol, jobId } = task;
  const bars = await loadBars(symbol, params.interval, params.bars);
  const engine = engineOptionsOf(params);
  const t0 = performance.now();
  // Engine time only (the write is I/O, not analysis).
  const engineMs = () => emitMetric('AnalysisTime', performance.now() - t0);
  if (params.kind === 'scan') {
    const data: ScanResult = scanBars(bars, params, engine);
    engineMs();
    await getDeps().jobResults.putResult(jobId, { symbol, ok: true, matched: data.matched, data });
  } else {
    const data: BacktestResult = backtestBars(bars, params, engine);
    engineMs();
    await getDeps().jobResults.putResult(jobId, { symbol, ok: true, data });
  }
  // Nothing flows back into the Map's result array: 5,000 outputs would not fit the 256 KB state limit.
  return {};
}

/** The Map's Catch: this symbol failed after its retries; record why and count it, the job goes on. */
export async function recordSymbolFailure(
  task: SymbolTask & { error?: { Error?: string; Cause?: string } },
): Promise<Record<string, never>> {
  const name = task.error?.Error ?? 'Error';
  const cause = causeMessage(task.error?.Cause);
  await getDeps().jobResults.putResult(task.jobId, {
    symbol: task.symbol,
    ok: false,
    error: `${name}: ${cause}`.slice(0, 1000),
  });
  getLogger().warn('symbol failed', { jobId: task.jobId, symbol: task.symbol, error: name, cause });
  return {};
}

/** Lambda puts `{"errorType","errorMessage",...}` in Cause; the local interpreter puts the message. */
function causeMessage(cause: string | undefined): string {
  if (!cause) return 'failed';
  try {
    const o = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof o.errorMessage === 'string') return o.errorMessage;
  } catch {
    // not JSON
  }
  return cause;
}

// -------------------------------------------------------------------------------------------- multilevel

export async function runMultiLevel(input: {
  jobId: string;
  params: MultiLevelParams;
}): Promise<Record<string, never>> {
  const p = input.params;
  const tracked = p.market ? null : await getDeps().symbols.get(p.symbol);
  // A tracked stock symbol resamples on its exchange's calendar (sessions, lunch break, DST); others on UTC.
  const market = p.market ?? (tracked ? marketOf(tracked.provider, tracked.providerSymbol ?? p.symbol) : 'crypto');
  const engine = engineOptionsOf(p);
  const ordered = [...p.intervals].sort((a, b) => INTERVAL_ORDER.indexOf(a) - INTERVAL_ORDER.indexOf(b));
  const t0 = performance.now();
  let r;
  if (p.source === 'resample') {
    const base = ordered[0]!;
    r = multiLevelFromBase({ interval: base, bars: await loadBars(p.symbol, base, p.bars) }, ordered, market, engine);
  } else {
    const levels = await Promise.all(
      ordered.map(async (iv) => ({ interval: iv, bars: await loadBars(p.symbol, iv, p.bars) })),
    );
    r = multiLevelFromLevels(levels, market, engine);
  }
  emitMetric('AnalysisTime', performance.now() - t0);
  const data: MultiLevelSummary & { market: string; source: string } = {
    market,
    source: p.source,
    ...compactMultiLevel(r),
  };
  await getDeps().jobResults.putResult(input.jobId, { symbol: p.symbol, ok: true, data });
  return {};
}

const INTERVAL_ORDER: Interval[] = ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w'];

// --------------------------------------------------------------------------------------------- aggregate

const TOP_MATCHES = 200;

export async function aggregateJob(jobId: string): Promise<{ status: 'SUCCEEDED' | 'FAILED' }> {
  const { jobs, jobResults: results } = getDeps();
  const job = await jobs.get(jobId);
  if (!job) throw new Error(`job ${jobId} not found`);
  const params = job.input as JobParams;
  let done = 0;
  let failed = 0;
  const errors: Array<{ symbol: string; error: string }> = [];
  let summary: Record<string, unknown>;

  if (params.kind === 'backtest') {
    const sum: BacktestResult = {
      barCount: 0,
      byType: {},
      totals: { signals: 0, vanished: 0, provisional: 0, provisionalVanished: 0, sumDelay: 0 },
    };
    for await (const it of results.all<BacktestResult>(jobId)) {
      done++;
      if (!it.ok) {
        failed++;
        if (errors.length < 50) errors.push({ symbol: it.symbol, error: it.error ?? '' });
      } else mergeBacktest(sum, it.data!);
    }
    summary = { kind: 'backtest', horizons: params.horizons, ...backtestReport(sum, done - failed) };
  } else if (params.kind === 'scan') {
    const matches: Array<{ symbol: string; signals: number; newest: ScanResult['signals'][number] }> = [];
    let matchedCount = 0;
    for await (const it of results.all<ScanResult>(jobId)) {
      done++;
      if (!it.ok) {
        failed++;
        if (errors.length < 50) errors.push({ symbol: it.symbol, error: it.error ?? '' });
      } else if (it.data!.matched) {
        matchedCount++;
        matches.push({ symbol: it.symbol, signals: it.data!.signals.length, newest: it.data!.signals[0]! });
      }
    }
    // Newest signals first, then by symbol: the list a user acts on.
    matches.sort((a, b) => a.newest.barsAgo - b.newest.barsAgo || a.symbol.localeCompare(b.symbol));
    summary = {
      kind: 'scan',
      matched: matchedCount,
      matches: matches.slice(0, TOP_MATCHES),
      truncated: matches.length > TOP_MATCHES,
    };
  } else {
    let levels: unknown = null;
    for await (const it of results.all<MultiLevelSummary>(jobId)) {
      done++;
      if (!it.ok) failed++;
      else
        levels = {
          links: it.data!.links.map((l) => ({
            higher: l.higher,
            lower: l.lower,
            signals: l.signalCount,
            confirmed: l.confirmedSignals,
          })),
        };
    }
    summary = { kind: 'multilevel', symbol: params.symbol, ...(levels as object) };
  }

  const total = (await results.getProgress(jobId))?.total ?? done;
  await results.setProgress(jobId, { total: Math.max(total, done), done, failed });
  const allFailed = done > 0 && failed === done;
  const status = allFailed ? 'FAILED' : 'SUCCEEDED';
  await jobs.update(jobId, {
    status,
    result: { ...summary, ok: done - failed, failed, errors },
    ...(allFailed ? { error: `all ${done} symbol(s) failed; first: ${errors[0]?.error ?? 'unknown'}` } : {}),
  });
  if (allFailed) emitMetric('JobFailed', 1);
  else emitMetric('JobSucceeded', 1);
  getLogger().info('job finished', { jobId, status, done, failed });
  return { status };
}

/** The state machine's Catch for job-level failures (prepare, multilevel, aggregate after retries). */
export async function failJob(input: {
  jobId: string;
  error?: { Error?: string; Cause?: string };
}): Promise<{ status: 'FAILED' }> {
  const message = `${input.error?.Error ?? 'Error'}: ${causeMessage(input.error?.Cause)}`.slice(0, 1000);
  await getDeps().jobs.update(input.jobId, { status: 'FAILED', error: message });
  emitMetric('JobFailed', 1);
  getLogger().error('job failed', { jobId: input.jobId, error: message });
  return { status: 'FAILED' };
}
