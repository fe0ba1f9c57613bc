/**
 * The architecture diagram walked end to end on the local runtime — the pieces `npm start` installs (local/), the
 * real handlers behind the local API Gateway adapter, dynalite — with only the outside world faked: a market-data
 * provider answering in Binance's real format (test/support/fake-provider.ts) and a Feishu webhook that checks
 * signatures as Feishu does (test/notifier/fake-platforms.ts).
 *
 * 1. schedule tick → dispatcher → queue → worker → store → a new confirmed buy/sell point → signal topic →
 *    notifier → the Feishu webhook gets the card; then a scan job (POST /api/v1/jobs, the synthesized state
 *    machine) finds the point; then the chart page, opened from the alert's link in headless Chromium, shows it.
 * 2. provider down → a backfill ends FAILED with the provider's error → /health degraded → provider back → the
 *    next tick catches up: the stored series equals the source bar for bar (no gap, no duplicate).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultSignal } from 'chan-analysis';
import { buildWeb } from '../../web/build.js';
import type { LocalIngestQueue } from '../../local/ingest-queue.js';
import type { LocalSchedules } from '../../local/schedules.js';
import type { LocalSignalTopic } from '../../local/signal-topic.js';
import { sse1m } from '../ingest/fixtures.js';
import { startFakePlatforms, type FakePlatforms } from '../notifier/fake-platforms.js';
import { FakeProvider, retime, type SourceBar } from '../support/fake-provider.js';
import { startService, type TestService } from '../support/service.js';
import { chartPixels, hex, launch, near } from '../web/browser.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MIN = 60_000;
const FEISHU_SECRET = 'e2e-feishu-signing-secret';

let svc: TestService;
let fake: FakeProvider;
let platforms: FakePlatforms;
let queue: LocalIngestQueue;
let topic: LocalSignalTopic;
let schedules: LocalSchedules;
let jobs: Awaited<ReturnType<typeof import('../../local/jobs.js').installLocalJobs>>;
let browser: Browser | undefined;
const alertLines: string[] = [];

/** `count` real SSE minutes re-timed onto the 24/7 grid, the newest closed just now (offset: which minutes). */
function minutes(count: number, offset: number): SourceBar[] {
  const start = Math.floor(Date.now() / MIN) * MIN - count * MIN;
  return retime(sse1m().slice(offset, offset + count), start, MIN, count);
}

const api = (path: string, init: { method?: string; body?: unknown } = {}) =>
  svc.fetch(path, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json', 'x-api-key': svc.apiKey },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });

/** What a tick leads to, waited out: the dispatcher's messages, the worker's runs, the notifier's deliveries. */
async function tick(): Promise<void> {
  await schedules.tick('minute');
  await queue.idle();
  await topic.idle();
}

async function stored(symbol: string, from: number): Promise<SourceBar[]> {
  const r = await svc.fetch(`/api/v1/klines/${symbol}?interval=1m&from=${from}&limit=5000`);
  if (r.status === 404) return [];
  expect(r.status).toBe(200);
  const body = (await r.json()) as { bars: Array<SourceBar & { ts: number }> };
  return body.bars.map((b) => ({
    time: b.ts,
    open: b.open,
    high: b.high,
    low: b.low,
    close: b.close,
    volume: b.volume,
  }));
}

beforeAll(async () => {
  platforms = await startFakePlatforms({ feishu: FEISHU_SECRET });
  fake = new FakeProvider(Date.now()).useClock(Date.now);
  await fake.start();
  await buildWeb();
  svc = await startService({
    env: { BINANCE_BASE_URL: fake.url, LOG_LEVEL: 'ERROR' },
    staticDir: join(ROOT, 'web', 'dist'),
  });
  // What local/start.ts installs, in the same order.
  process.env.CHART_BASE_URL = `${svc.url}/`;
  const [{ installLocalIngestQueue }, { LocalSignalTopic }, { LocalSchedules }, { installLocalJobs }, runtime] =
    await Promise.all([
      import('../../local/ingest-queue.js'),
      import('../../local/signal-topic.js'),
      import('../../local/schedules.js'),
      import('../../local/jobs.js'),
      import('../../functions/ingest/runtime.js'),
    ]);
  // Short retry pauses: the budget (tries) is the one npm start uses, only the waits between them are shorter.
  queue = await installLocalIngestQueue({ retryDelayMs: 50, onError: () => {} });
  topic = new LocalSignalTopic({
    webhooks: JSON.stringify([
      {
        name: 'signals-feishu',
        type: 'feishu',
        url: platforms.url('feishu', 'signals'),
        secret: FEISHU_SECRET,
        signals: true,
      },
    ]),
    print: (l) => alertLines.push(l),
  });
  runtime.setSignalPublisher(topic);
  schedules = new LocalSchedules();
  jobs = await installLocalJobs();
  await jobs.ready;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  const [{ setQueueSender }, { setSignalPublisher }, { setJobStarter }] = await Promise.all([
    import('../../functions/ingest/queue.js'),
    import('../../functions/ingest/runtime.js'),
    import('../../functions/jobs/starter.js'),
  ]);
  setQueueSender(undefined);
  setSignalPublisher(undefined);
  setJobStarter(undefined);
  await svc?.stop();
  await fake?.stop();
  await platforms?.close();
});

describe('local runtime, end to end', () => {
  it('tick → ingest → new confirmed buy/sell point → Feishu webhook; a scan job finds it; the chart shows it', async () => {
    const SYM = 'BTCUSDT';
    const source = minutes(1000, 20_000);
    // Where to cut: the first cut whose remaining bars confirm a new buy/sell point (decided by the engine and
    // the alert rules, exactly as the worker will decide it). The stored baseline keeps the newest 20 signals.
    const [{ runEngine, resolveEngineOptions }, { alertCandidates }, { SignalAlertPrefsSchema }] = await Promise.all([
      import('../../functions/common/engine.js'),
      import('../../functions/alerts/signal-alerts.js'),
      import('../../functions/alerts/prefs.js'),
    ]);
    const prefs = SignalAlertPrefsSchema.parse({ enabled: true, provisional: false });
    const engine = resolveEngineOptions({}, 'chanpy');
    const analyse = (bars: SourceBar[]) => runEngine(bars, engine);
    const full = analyse(source);
    let cut = 0;
    let expected: Array<{ level: string; signal: ResultSignal }> = [];
    for (let k = 10; k <= 400 && expected.length === 0; k += 10) {
      const prev = analyse(source.slice(0, -k));
      expected = alertCandidates({
        symbol: SYM,
        interval: '1m',
        prev: { strokeSignals: prev.strokeSignals.slice(-20), segmentSignals: prev.segmentSignals.slice(-20) },
        next: full,
        lastBarTs: source.at(-1)!.time,
        intervalMs: MIN,
        prefs,
      });
      cut = source.length - k;
    }
    expect(expected.length).toBeGreaterThan(0);

    // Tracked, alerts opted in (confirmed points only), history from the first source bar.
    const put = await api(`/api/v1/symbols/${SYM}`, {
      method: 'PUT',
      body: {
        provider: 'binance',
        intervals: ['1m'],
        historyFrom: source[0]!.time,
        alerts: { enabled: true, provisional: false },
      },
    });
    expect(put.status).toBe(201);

    // Tick 1: the provider has the bars up to the cut; the first analysis is the baseline (nothing alerts).
    fake.setSeries(SYM, '1m', source.slice(0, cut));
    await tick();
    expect(await stored(SYM, source[0]!.time)).toEqual(source.slice(0, cut));
    expect(platforms.received).toHaveLength(0);

    // Tick 2: the rest has closed at the provider.
    fake.setSeries(SYM, '1m', source);
    await tick();
    expect(await stored(SYM, source[0]!.time)).toEqual(source);
    expect(topic.published.map((m) => m.signalId).sort()).toEqual(expected.map((c) => c.signal.id).sort());
    const cards = platforms.received.filter((r) => r.platform === 'feishu');
    expect(cards).toHaveLength(expected.length);
    for (const c of expected) {
      const card = cards.find((r) => r.raw.includes(`signal ${c.signal.id}`));
      expect(card, `card for ${c.signal.id}`).toBeDefined();
      expect(card!.body.msg_type).toBe('interactive');
      expect(card!.body.card.header.title.content).toContain(SYM);
      expect(card!.raw).toContain('已确认');
    }
    expect(alertLines.every((l) => l.startsWith('[alert] ') && l.endsWith('→ webhooks'))).toBe(true);

    // A scan job through the jobs API and the synthesized state machine finds the point.
    const target = expected.find((c) => c.level === 'stroke') ?? expected[0]!;
    const post = await api('/api/v1/jobs', {
      method: 'POST',
      body: { kind: 'scan', symbols: [SYM], interval: '1m', levels: ['stroke', 'segment'], withinBars: 500 },
    });
    expect(post.status).toBe(202);
    const { id } = (await post.json()) as { id: string };
    const run = await jobs.wait(id);
    expect(run.error).toBeUndefined();
    const job = (await (await svc.fetch(`/api/v1/jobs/${id}`)).json()) as {
      status: string;
      results: Array<{ symbol: string; data: { signals: Array<Record<string, unknown>> } }>;
    };
    expect(job.status).toBe('SUCCEEDED');
    const { formatTime } = await import('../../functions/common/domain.js');
    expect(job.results[0]!.data.signals).toContainEqual(
      expect.objectContaining({
        level: target.level,
        side: target.signal.side,
        time: formatTime('1m', target.signal.ts),
        price: target.signal.price,
        confirmed: true,
      }),
    );

    // The chart page, opened from the alert's own link, centres on the point and draws its marker.
    const alert = topic.published.find((m) => m.signalId === target.signal.id)!;
    expect(alert.chartUrl).toBeDefined();
    expect(alert.chartUrl!.startsWith(svc.url)).toBe(true);
    browser = await launch();
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 }, deviceScaleFactor: 1 });
    await page.goto(alert.chartUrl!);
    await page.waitForFunction(() => window.__chan?.ready && !!window.__chan.result, null, { timeout: 60_000 });
    await page.waitForFunction(() => window.__chan.focused, null, { timeout: 10_000 });
    const marker = await page.evaluate(
      (sid) => window.__chan.chart.markers.markers().find((m) => m.id === sid) ?? null,
      target.signal.id,
    );
    expect(marker).toMatchObject({ time: target.signal.ts / 1000, price: target.signal.price });
    await page.mouse.move(2, 2);
    const at = await page.evaluate(([ts, price]) => window.__chan.toPixel(ts, price), [
      target.signal.ts,
      target.signal.price,
    ] as const);
    expect(at).not.toBeNull();
    const { palette } = await import('../../web/src/theme.js');
    const colour = hex(target.signal.side === 'buy' ? palette('red-up').buy : palette('red-up').sell);
    const dir = target.signal.side === 'buy' ? 1 : -1;
    const pts: [number, number][] = [];
    for (let dy = 1; dy <= 12; dy++) for (let dx = -3; dx <= 3; dx++) pts.push([at!.x + dx, at!.y + dir * dy]);
    const px = await (await chartPixels(page)).read(pts);
    expect(px.some((p) => near(p, colour, 40))).toBe(true);
  }, 300_000);

  it('provider down → backfill FAILED with its error → health degraded → provider back → the next tick catches up, bar for bar', async () => {
    const SYM = 'ETHUSDT';
    const source = minutes(600, 30_000);
    const firstPart = source.slice(0, 400);
    expect(
      (
        await api(`/api/v1/symbols/${SYM}`, {
          method: 'PUT',
          body: { provider: 'binance', intervals: ['1m'], historyFrom: source[0]!.time },
        })
      ).status,
    ).toBe(201);
    fake.setSeries(SYM, '1m', firstPart);
    await tick();
    expect(await stored(SYM, source[0]!.time)).toEqual(firstPart);

    // The provider goes down (HTTP 500 on every call) while the rest of the bars close there.
    fake.setSeries(SYM, '1m', source);
    fake.inject({ kind: 'status', status: 500 }, { target: 'binance', times: 10_000 });
    const bf = await api(`/api/v1/symbols/${SYM}/backfill`, {
      method: 'POST',
      body: { interval: '1m', from: new Date(source[0]!.time).toISOString() },
    });
    expect(bf.status).toBe(202);
    const { jobId } = (await bf.json()) as { jobId: string };
    // A second backfill of the same series while the first runs: refused, naming it.
    const dup = await api(`/api/v1/symbols/${SYM}/backfill`, {
      method: 'POST',
      body: { interval: '1m', from: new Date(source[0]!.time).toISOString() },
    });
    expect(dup.status).toBe(409);
    expect(((await dup.json()) as { message: string }).message).toContain(jobId);

    await queue.idle();
    const job = (await (await svc.fetch(`/api/v1/jobs/${jobId}`)).json()) as Record<string, unknown>;
    expect(job).toMatchObject({
      kind: 'backfill',
      status: 'FAILED',
      error: expect.stringMatching(/^binance server: HTTP 500/),
    });

    const health = await svc.fetch('/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'degraded',
      ingestion: {
        status: 'degraded',
        failingSeries: [`${SYM} 1m`],
        lastFailure: { symbol: SYM, interval: '1m', error: expect.stringMatching(/HTTP 500/) },
      },
    });

    // A tick while it is still down fails too, and writes nothing.
    await tick();
    expect(await stored(SYM, source[0]!.time)).toEqual(firstPart);

    // The provider is back: the next tick catches up from the checkpoint.
    fake.clearFaults();
    await tick();
    const after = await stored(SYM, source[0]!.time);
    expect(after).toHaveLength(source.length);
    expect(new Set(after.map((b) => b.time)).size).toBe(source.length);
    expect(after).toEqual(source);
    expect(await (await svc.fetch('/health')).json()).toMatchObject({ status: 'healthy' });
  }, 300_000);
});
