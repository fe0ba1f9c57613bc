/**
 * `npm start`: the whole API on this machine with no AWS account. dynalite persisted under .data/ (gitignored),
 * the service table created if missing, the in-process cache unless REDIS_URL is set, real bars seeded on first
 * start (SSE Composite 000001.SH and SPY, daily), the chart page from web/dist at `/` when it has been built,
 * and an in-process stand-in for the ingest queue (local/ingest-queue.ts) so API backfills run here.
 * The first line printed is the URL (scripts and the chart tests read it).
 *
 * Environment: anything in local/env.ts DEV_DEFAULTS can be overridden; PORT (default 3000), HOST (127.0.0.1),
 * DATA_DIR (.data), THROTTLE=false to disable the mirrored API Gateway throttling.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTable, startDynalite } from './dynalite.js';
import { applyDefaults, DEV_DEFAULTS } from './env.js';
import { installLocalIngestQueue } from './ingest-queue.js';
import { loadHandlers, startLocalServer } from './server.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The sample series shipped with the engine's tests: real daily bars. */
export const SEED_SERIES = [
  {
    symbol: '000001.SH',
    interval: '1d',
    file: 'shared/chan-analysis/test/fixtures/cn_sse000001_1d.csv',
    provider: 'upload',
  },
  { symbol: 'SPY', interval: '1d', file: 'shared/chan-analysis/test/fixtures/us_spy_1d.csv', provider: 'upload' },
] as const;

/** Seed tracked symbols and their bars, unless symbols are already tracked (first start only). */
export async function seedIfEmpty(): Promise<{ seeded: boolean; bars: number }> {
  const [{ getDeps }, { getSeriesService }, { requireValidCsv }] = await Promise.all([
    import('../functions/common/deps.js'),
    import('../functions/common/series-deps.js'),
    import('../functions/common/bars.js'),
  ]);
  const { symbols } = getDeps();
  if ((await symbols.list()).length > 0) return { seeded: false, bars: 0 };
  let bars = 0;
  for (const s of SEED_SERIES) {
    const parsed = requireValidCsv(readFileSync(join(root, s.file), 'utf8'), s.file);
    await symbols.put({
      symbol: s.symbol,
      provider: s.provider,
      intervals: [s.interval],
      providerSymbol: s.symbol,
      active: true,
    });
    const r = await getSeriesService().upsert(s.symbol, s.interval, parsed);
    bars += r.inserted;
  }
  return { seeded: true, bars };
}

async function main() {
  applyDefaults({ ...DEV_DEFAULTS, LOG_LEVEL: 'WARN' });
  // Parse the config before anything starts: a bad environment stops here with the variable named.
  const { getConfig } = await import('../functions/common/config.js');
  const cfg = getConfig();

  const dataDir = resolve(root, process.env.DATA_DIR ?? '.data');
  mkdirSync(join(dataDir, 'dynalite'), { recursive: true });
  const db = await startDynalite({ path: join(dataDir, 'dynalite') });
  process.env.AWS_ENDPOINT_URL_DYNAMODB = db.endpoint;
  await ensureTable(db.endpoint, cfg.tableName);
  const seed = await seedIfEmpty();
  // No SQS here: backfill chunks (POST /api/v1/symbols/{symbol}/backfill) run in this process.
  await installLocalIngestQueue();

  const server = await startLocalServer({
    handlers: await loadHandlers(),
    apiKeys: [process.env.API_KEY!],
    corsOrigins: cfg.corsOrigins,
    throttle: process.env.THROTTLE !== 'false',
    staticDir: join(root, 'web', 'dist'),
    port: Number(process.env.PORT ?? 3000),
    host: process.env.HOST ?? '127.0.0.1',
  });
  console.log(server.url);
  console.log(`  health:   ${server.url}/health`);
  console.log(`  openapi:  ${server.url}${cfg.apiPrefix}/openapi.json`);
  console.log(
    `  data:     ${join(dataDir, 'dynalite')} (dynalite)${seed.seeded ? `, seeded ${seed.bars} bars (000001.SH, SPY daily)` : ''}`,
  );
  console.log(
    `  cache:    ${cfg.redisUrl ? `${cfg.redisUrl}${cfg.redisCluster ? ' (cluster)' : ''}` : 'in-process LRU'}`,
  );
  console.log(`  API key:  ${process.env.API_KEY} (x-api-key header on write routes; DEV VALUE)`);

  const shutdown = async () => {
    await server.close();
    const { resetDeps } = await import('../functions/common/deps.js');
    await resetDeps();
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error((e as Error).name === 'ConfigError' ? (e as Error).message : e);
    process.exit(1);
  });
}
