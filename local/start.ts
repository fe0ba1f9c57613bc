/**
 * `npm start`: the whole system on this machine with no AWS account. dynalite persisted under .data/ (gitignored),
 * the service table created if missing, the in-process cache unless REDIS_URL is set, real bars seeded on first
 * start (SSE Composite 000001.SH and SPY, daily), the chart page from web/dist at `/` when it has been built, and
 * in this process what AWS runs around the API: the jobs state machine (local/jobs.ts), the ingestion schedules
 * (local/schedules.ts), the ingest queue (local/ingest-queue.ts) and the signal topic → notifier
 * (local/signal-topic.ts). The first line printed is the URL (scripts and the chart tests read it).
 *
 * Environment: anything in local/env.ts DEV_DEFAULTS can be overridden; PORT (default 3000), HOST (127.0.0.1),
 * DATA_DIR (.data), THROTTLE=false to disable the mirrored API Gateway throttling, SCHEDULES=off to stop the
 * ingestion timers, WEBHOOKS_FILE / WEBHOOKS for alert webhooks (else alerts print on the console).
 *
 * A problem the user can fix (data folder in use, port busy, bad configuration) ends with one line and exit 1.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTable, startDynalite } from './dynalite.js';
import { applyDefaults, DEV_DEFAULTS } from './env.js';
import { installLocalIngestQueue } from './ingest-queue.js';
import { installLocalJobs } from './jobs.js';
import { lockDataDir } from './lock.js';
import { LocalSchedules } from './schedules.js';
import { loadHandlers, startLocalServer } from './server.js';
import { localWebhooks, LocalSignalTopic } from './signal-topic.js';

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
  const [{ getDeps, getSeriesService }, { requireValidCsv }] = await Promise.all([
    import('../functions/common/deps.js'),
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

/** A start-up problem the user can fix: printed as one line (no stack), exit code 1. */
class StartError extends Error {
  override name = 'StartError';
}

const otherPort = (port: number) => (port === 3000 || port === 0 ? 3001 : port + 1);

/** Errors whose message is the whole story. */
const ONE_LINE_ERRORS = new Set(['StartError', 'ConfigError', 'DataDirLockedError', 'WebhookConfigError']);

/** The data folder's lock, or a StartError saying what to do when another `npm start` holds it. */
function lockOrExplain(dataDir: string, port: number) {
  try {
    return lockDataDir(dataDir, 'npm start');
  } catch (e) {
    if ((e as Error).name !== 'DataDirLockedError') throw e;
    throw new StartError(
      `${(e as Error).message}: the system is already running on this data folder. Use that one, stop it (Ctrl-C in its terminal), or start another with its own data: DATA_DIR=/tmp/chan2 PORT=${otherPort(port)} npm start`,
    );
  }
}

/** A port the server cannot listen on, as a StartError naming a way out. */
function explainListenError(e: unknown, port: number): never {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    throw new StartError(
      `port ${port} is already in use (another \`npm start\`, or another program): stop it, or choose a free port: PORT=${otherPort(port)} npm start`,
    );
  if (code === 'EACCES')
    throw new StartError(`port ${port} needs privileges here: choose one above 1023, e.g. PORT=3000`);
  throw e;
}

/** The jobs' state machine in this process, each job's end logged with its outcome. */
async function startJobs(): Promise<void> {
  const { getDeps } = await import('../functions/common/deps.js');
  const jobs = await installLocalJobs({
    onReady: (synthesized, ms) =>
      console.log(
        `  jobs:     state machine ${synthesized ? `synthesized and cached in ${ms} ms` : 'loaded from cache'}`,
      ),
    onEnd: (jobId) =>
      void getDeps()
        .jobs.get(jobId)
        .then((j) => {
          const job = j as { type?: string; status?: string; error?: string } | null;
          console.log(
            `[job] ${job?.type ?? 'job'} ${jobId} ${job?.status ?? 'ended'}${job?.error ? `: ${job.error}` : ''}`,
          );
        })
        .catch(() => {}),
  });
  jobs.ready.catch((e: unknown) => console.error(`[jobs] unavailable: ${(e as Error).message}`));
}

/** The ingest schedules as in AWS, each tick that queued work logged; when on, a catch-up tick at once. */
function startSchedules(on: boolean): LocalSchedules {
  const schedules = new LocalSchedules({
    onTick: (family, r) => {
      const res = r as { queued?: number; restartedBackfills?: number } | undefined;
      if (res?.queued || res?.restartedBackfills)
        console.log(
          `[schedule] ${family}: ${res.queued ?? 0} series due${res.restartedBackfills ? `, ${res.restartedBackfills} backfill(s) restarted` : ''}`,
        );
    },
    onError: (family, e) => console.error(`[schedule] ${family} tick failed: ${(e as Error).message}`),
  });
  if (on) {
    schedules.start();
    // The machine was off: catch up now rather than at the next tick.
    for (const family of LocalSchedules.families) void schedules.tick(family);
  }
  return schedules;
}

async function main() {
  applyDefaults({ ...DEV_DEFAULTS, LOG_LEVEL: 'WARN' });
  // Parse the config before anything starts: a bad environment stops here with the variable named.
  const { getConfig } = await import('../functions/common/config.js');
  const cfg = getConfig();
  const port = Number(process.env.PORT ?? 3000);

  const dataDir = resolve(root, process.env.DATA_DIR ?? '.data');
  mkdirSync(join(dataDir, 'dynalite'), { recursive: true });
  const lock = lockOrExplain(dataDir, port);
  const webhooks = await localWebhooks();
  const db = await startDynalite({ path: join(dataDir, 'dynalite'), thread: true }).catch((e: unknown) => {
    throw new StartError(`cannot open the local store ${join(dataDir, 'dynalite')}: ${(e as Error).message}`);
  });
  process.env.AWS_ENDPOINT_URL_DYNAMODB = db.endpoint;
  await ensureTable(db.endpoint, cfg.tableName);
  const seed = await seedIfEmpty();

  // No SQS or SNS here: backfill chunks and scheduled syncs run in this process, alerts go to the notifier here.
  const queue = await installLocalIngestQueue();
  const topic = new LocalSignalTopic({ webhooks: webhooks?.json });
  const runtime = await import('../functions/ingest/runtime.js');
  runtime.setSignalPublisher(topic);

  const server = await startLocalServer({
    handlers: await loadHandlers(),
    apiKeys: [process.env.API_KEY!],
    corsOrigins: cfg.corsOrigins,
    throttle: process.env.THROTTLE !== 'false',
    staticDir: join(root, 'web', 'dist'),
    port,
    host: process.env.HOST ?? '127.0.0.1',
  }).catch((e: unknown) => explainListenError(e, port));
  lock.setUrl(server.url);
  // Alerts link to this chart page.
  process.env.CHART_BASE_URL ||= `${server.url}/`;
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
  const schedulesOn = process.env.SCHEDULES !== 'off';
  console.log(
    `  ingest:   schedules ${schedulesOn ? 'on (every 1 min / 15 min / hourly, as in AWS; SCHEDULES=off stops them)' : 'off (SCHEDULES=off)'}, queue in-process`,
  );
  console.log(
    `  alerts:   ${webhooks ? `${webhooks.source}: ${webhooks.names.join(', ')}` : 'console (set WEBHOOKS_FILE to post to Slack/Feishu/DingTalk/WeCom)'}`,
  );

  await startJobs();

  // Backfills this process was running when it stopped: their chains continue (a chunk's seq makes this safe).
  const wdeps = runtime.buildWorkerDeps();
  const running = await wdeps.jobs.listRunning();
  if (running.length) {
    await queue.send(running.map((j) => ({ kind: 'backfill' as const, jobId: j.jobId, seq: j.seq })));
    console.log(`  resumed:  ${running.length} running backfill(s)`);
  }

  const schedules = startSchedules(schedulesOn);

  const shutdown = async () => {
    schedules.stop();
    await server.close();
    const { resetDeps } = await import('../functions/common/deps.js');
    await resetDeps();
    await db.close();
    lock.release();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    const err = e as Error;
    console.error(ONE_LINE_ERRORS.has(err.name) ? `npm start: ${err.message}` : e);
    process.exit(1);
  });
}
