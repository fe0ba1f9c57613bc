/**
 * The local server the chart tests drive: what `npm start` runs (local/start.ts), in-process — the real handlers
 * behind the local API Gateway adapter, an in-memory dynalite table seeded with the same real series
 * (`seedIfEmpty`: 000001.SH and SPY daily), the in-process cache, and the built page from web/dist at `/`.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyDefaults, DEV_DEFAULTS, resetRuntime } from '../../local/env.js';
import { loadHandlers, startLocalServer } from '../../local/server.js';
import { seedIfEmpty } from '../../local/start.js';
import { startTestTable } from '../support/dynalite.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ChartServer {
  url: string;
  /** Upload bars through the API (POST /api/v1/klines/{symbol}, with the API key), as an ingest would. */
  addBars(symbol: string, interval: string, bars: Record<string, unknown>[] | string): Promise<void>;
  /** A write request with the API key (e.g. PUT /api/v1/symbols/{symbol}); throws unless it answers 2xx. */
  write(method: 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

export async function startChartServer(): Promise<ChartServer> {
  const table = await startTestTable();
  Object.assign(process.env, {
    ...DEV_DEFAULTS,
    ENVIRONMENT: 'test',
    LOG_LEVEL: 'ERROR',
    TABLE_NAME: table.tableName,
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    REDIS_URL: '',
    REDIS_CLUSTER: '',
  });
  applyDefaults(DEV_DEFAULTS);
  await resetRuntime();
  const seed = await seedIfEmpty();
  if (!seed.seeded || seed.bars < 1000) throw new Error(`seeding failed: ${JSON.stringify(seed)}`);
  const { getConfig } = await import('../../functions/common/config.js');
  const cfg = getConfig();
  const apiKey = process.env.API_KEY!;
  const handlers = await loadHandlers();
  const server = await startLocalServer({
    handlers,
    apiKeys: [apiKey],
    corsOrigins: cfg.corsOrigins,
    // The page polls every second in these tests; the mirrored stage throttle (100 rps) is no concern, keep it.
    throttle: true,
    staticDir: join(ROOT, 'web', 'dist'),
  });
  async function write(method: string, path: string, body?: unknown, type = 'application/json'): Promise<unknown> {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': type, 'x-api-key': apiKey },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} ${res.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  }
  return {
    url: server.url,
    async addBars(symbol, interval, bars) {
      await write(
        'POST',
        `/api/v1/klines/${encodeURIComponent(symbol)}?interval=${interval}`,
        bars,
        typeof bars === 'string' ? 'text/csv' : 'application/json',
      );
    },
    write: (method, path, body) => write(method, path, body),
    async stop() {
      await server.close();
      await resetRuntime();
      await table.close();
    },
  };
}
