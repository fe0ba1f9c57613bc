/**
 * Shared set-up for the jobs tests and bench: dynalite with the service table, the handlers' environment, and
 * stored series (real SPY / SSE bars from the engine fixtures, plus deterministic random walks).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyDefaults, DEV_DEFAULTS, resetRuntime } from '../../local/env.js';
import { PROJECT_ROOT } from '../../lib/chan-stack.js';
import type { StoredBar } from '../../functions/common/domain.js';
import { startTestTable, type TestTable } from '../support/dynalite.js';

export async function startJobsEnv(): Promise<TestTable> {
  const table = await startTestTable();
  Object.assign(process.env, {
    ...DEV_DEFAULTS,
    ENVIRONMENT: 'test',
    LOG_LEVEL: 'ERROR',
    TABLE_NAME: table.tableName,
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    REDIS_URL: '',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  applyDefaults(DEV_DEFAULTS);
  await resetRuntime();
  return table;
}

const FIXTURES = join(PROJECT_ROOT, 'shared/chan-analysis/test/fixtures');

/** A fixture CSV as stored bars (date-only times are UTC midnight, as the store keeps daily bars). */
export function fixtureBars(name: string): StoredBar[] {
  const lines = readFileSync(join(FIXTURES, `${name}.csv`), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  return lines.map((l) => {
    const [t, o, h, lo, c, v] = l.split(',');
    return {
      ts: Date.parse(t!.length === 10 ? `${t}T00:00:00Z` : t!),
      open: +o!,
      high: +h!,
      low: +lo!,
      close: +c!,
      volume: +v!,
    };
  });
}

/** Deterministic daily random walk (Park–Miller), ending before today so the store accepts it. */
export function randomDaily(n: number, seed: number, end = Date.UTC(2024, 0, 1)): StoredBar[] {
  let x = seed % 2147483647 || 1;
  const rnd = () => (x = (x * 48271) % 2147483647) / 2147483647;
  let p = 50 + rnd() * 100;
  const start = end - n * 86_400_000;
  return Array.from({ length: n }, (_, i) => {
    const o = p;
    p = Math.max(1, p * (1 + (rnd() - 0.5) * 0.06));
    const high = Math.max(o, p) * (1 + rnd() * 0.01);
    const low = Math.min(o, p) * (1 - rnd() * 0.01);
    return { ts: start + i * 86_400_000, open: o, high, low, close: p, volume: Math.round(rnd() * 1e6) };
  });
}

export async function storeSeries(
  symbol: string,
  interval: '1d' | '1h',
  bars: StoredBar[],
  provider = 'upload',
): Promise<void> {
  const { getSeriesService, getDeps } = await import('../../functions/common/deps.js');
  const existing = await getDeps().symbols.get(symbol);
  await getDeps().symbols.put({
    symbol,
    provider,
    intervals: [...new Set([...(existing?.intervals ?? []), interval])],
    providerSymbol: symbol,
    active: true,
  });
  await getSeriesService().upsert(symbol, interval, bars);
}
