/**
 * Starts the whole API in-process the way `npm start` does — real handlers behind the local API Gateway adapter,
 * dynalite as DynamoDB, optionally a real Redis cluster — for service tests, the ingest tests and the bench.
 */
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { adminClient } from '../../local/dynalite.js';
import { applyDefaults, DEV_DEFAULTS, resetRuntime } from '../../local/env.js';
import { loadHandlers, startLocalServer, type LocalServer } from '../../local/server.js';
import { startTestTable, type TestTable } from './dynalite.js';

export interface ServiceOptions {
  redisUrl?: string;
  /** Extra environment (wins over the defaults). */
  env?: Record<string, string>;
  throttle?: boolean;
  /** Reuse an existing table (e.g. shared with a test that seeds it). */
  table?: TestTable;
  /** dynalite on a worker thread, as `npm start` runs it (local/dynalite.ts), instead of on the test's thread. */
  dbThread?: boolean;
  /** Serve the built chart page from here at `/` (web/dist), as npm start does. */
  staticDir?: string;
}

export interface TestService {
  url: string;
  apiKey: string;
  table: TestTable;
  doc: DynamoDBDocumentClient;
  server: LocalServer;
  /** fetch relative to the service URL. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Tracks `symbol` as an upload series of `interval` and uploads `csv` through the API (throws unless 200). */
  uploadCsv(symbol: string, interval: string, csv: string): Promise<void>;
  /** Every item in the table (for "nothing was written" assertions). */
  scanAll(): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

export async function startService(opts: ServiceOptions = {}): Promise<TestService> {
  const table = opts.table ?? (await startTestTable(undefined, { thread: opts.dbThread }));
  const env: Record<string, string> = {
    ...DEV_DEFAULTS,
    ENVIRONMENT: 'test',
    LOG_LEVEL: 'ERROR',
    TABLE_NAME: table.tableName,
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    REDIS_URL: opts.redisUrl ?? '',
    REDIS_CLUSTER: opts.redisUrl ? 'true' : '',
    ...opts.env,
  };
  Object.assign(process.env, env);
  applyDefaults(DEV_DEFAULTS);
  await resetRuntime();
  const handlers = await loadHandlers();
  const { getConfig } = await import('../../functions/common/config.js');
  const cfg = getConfig();
  const apiKey = process.env.API_KEY!;
  const server = await startLocalServer({
    handlers,
    apiKeys: [apiKey],
    corsOrigins: cfg.corsOrigins,
    throttle: opts.throttle ?? false,
    staticDir: opts.staticDir,
  });
  const doc = DynamoDBDocumentClient.from(adminClient(table.endpoint));
  return {
    url: server.url,
    apiKey,
    table,
    doc,
    server,
    fetch: (path, init) => fetch(`${server.url}${path}`, init),
    uploadCsv: async (symbol, interval, csv) => {
      const h = { 'x-api-key': apiKey };
      const put = await fetch(`${server.url}/api/v1/symbols/${symbol}`, {
        method: 'PUT',
        headers: { ...h, 'content-type': 'application/json' },
        body: JSON.stringify({ provider: 'upload', intervals: [interval] }),
      });
      if (put.status !== 200 && put.status !== 201) throw new Error(`PUT ${symbol}: ${put.status} ${await put.text()}`);
      const up = await fetch(`${server.url}/api/v1/klines/${symbol}?interval=${interval}`, {
        method: 'POST',
        headers: { ...h, 'content-type': 'text/csv' },
        body: csv,
      });
      if (up.status !== 200) throw new Error(`upload ${symbol} ${interval}: ${up.status} ${await up.text()}`);
    },
    scanAll: async () => {
      const out: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const r = await doc.send(new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: start }));
        out.push(...(r.Items ?? []));
        start = r.LastEvaluatedKey;
      } while (start);
      return out;
    },
    stop: async () => {
      await server.close();
      await resetRuntime();
      doc.destroy();
      if (!opts.table) await table.close();
    },
  };
}
