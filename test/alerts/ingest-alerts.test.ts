/**
 * Signal alerts from ingestion, end to end on dynalite: sync messages go through the real worker handler (exact
 * SQS events from the in-process queue), the worker stores bars from the fake provider and refreshes the latest
 * analysis with refreshLatestAnalysis, which publishes new buy/sell points before storing the analysis. SNS has no
 * local stand-in, so the publisher is a fake collecting messages.
 *
 * The retry: the run that first publishes a point dies after publishing and before storing the new analysis (the
 * window the ordering exists for); the same message is delivered again; the point must not be published twice,
 * and the stored analysis must catch up.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SignalAlertPrefsSchema } from '../../functions/alerts/prefs.js';
import { dedupeKey } from '../../functions/alerts/signal-alerts.js';
import { AlertDedupeRepository } from '../../functions/store/alert-dedupe.js';
import type { SignalMessage } from '../../functions/alerts/signal-message.js';
import { refreshLatestAnalysis } from '../../functions/ingest/latest-analysis.js';
import type { IngestMessage } from '../../functions/ingest/messages.js';
import { AnalysisRepository } from '../../functions/store/repositories.js';
import { TABLE_KEYS } from '../../functions/store/table.js';
import { sseSlice } from '../ingest/fixtures.js';
import { startHarness, type Harness } from '../ingest/harness.js';
import { drain } from '../support/sqs-standin.js';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

let h: Harness;
afterAll(async () => h?.stop());

const { bars } = sseSlice(1_500);
const published: SignalMessage[] = [];
const key = (m: SignalMessage) => `${m.level}#${m.signalId}#${m.stage}`;
let failAfterPublish = false;
let crashes = 0;

beforeAll(async () => {
  h = await startHarness({ now: bars[399]!.time + 65_000 });
  h.fake.useClock(() => h.clock.now);
  h.fake.setSeries('BTCUSDT', '1m', bars);
  await h.symbols.put({
    symbol: 'BTCUSDT',
    provider: 'binance',
    intervals: ['1m'],
    active: true,
    alerts: SignalAlertPrefsSchema.parse({ enabled: true }),
  });
  const repo = new AnalysisRepository(h.table.doc, h.table.tableName);
  // A repository whose put can "crash" once, right after a refresh published something.
  const analysis = Object.create(repo) as AnalysisRepository;
  let publishedAtStart = 0;
  analysis.put = async (a) => {
    if (failAfterPublish && published.length > publishedAtStart) {
      failAfterPublish = false;
      crashes++;
      throw new Error('worker died after publishing, before storing the analysis');
    }
    return repo.put(a);
  };
  h.deps.after = {
    refresh: async (symbol, interval) => {
      publishedAtStart = published.length;
      await refreshLatestAnalysis(symbol, interval, {
        klines: h.klines,
        analysis,
        preset: 'chanpy',
        maxBars: 5_000,
        alerts: {
          publisher: { publish: async (m) => (published.push(m), `msg-${published.length}`) },
          dedupe: new AlertDedupeRepository(h.table.doc, h.table.tableName),
          prefs: async (s) => (await h.symbols.get(s))?.alerts,
          chartBaseUrl: 'https://chart.example.com/',
          now: () => h.clock.now,
        },
      });
    },
  };
});

const sync: IngestMessage = {
  kind: 'sync',
  symbol: 'BTCUSDT',
  interval: '1m',
  source: { provider: 'binance' },
  historyFrom: bars[0]!.time,
};

async function tick(barIndex: number) {
  h.clock.now = Math.max(h.clock.now, bars[barIndex]!.time + 65_000);
  await h.queue.send([sync]);
  await drain(h.queue, h.clock, h.worker, { batchSize: 1 });
  expect(h.queue.dlq).toHaveLength(0);
}

it('a new buy/sell point found by ingestion is published once, across a retried message', async () => {
  // First analysis: no baseline, so nothing alerts (the series' whole history is not "new").
  await tick(399);
  expect(published).toEqual([]);
  const analysis = new AnalysisRepository(h.table.doc, h.table.tableName);
  expect(await analysis.get('BTCUSDT', '1m')).not.toBeNull();

  // Walk forward 10 bars at a time until a run publishes; that run dies before storing the analysis.
  failAfterPublish = true;
  let i = 399;
  while (crashes === 0 && i < bars.length - 10) await tick((i += 10));
  expect(crashes, 'some step produced a new buy/sell point').toBe(1);
  const firstBatch = [...published];
  expect(firstBatch.length).toBeGreaterThan(0);
  const stale = await analysis.get('BTCUSDT', '1m');
  expect(stale!.lastBarTs).toBeLessThan(bars[i]!.time); // the analysis was not stored

  // The same message again (the retry): the baseline is still the old analysis, so the same points are
  // candidates again, but their dedupe items say "sent": nothing is published twice.
  await h.queue.send([sync]);
  await drain(h.queue, h.clock, h.worker, { batchSize: 1 });
  expect(published).toEqual(firstBatch);
  expect((await analysis.get('BTCUSDT', '1m'))!.lastBarTs).toBe(bars[i]!.time); // caught up

  // Later ticks may publish other points (or the confirmation of a provisional one), never one twice.
  for (let k = 0; k < 10 && i < bars.length - 10; k++) await tick((i += 10));
  const keys = published.map(key);
  expect(new Set(keys).size).toBe(keys.length);

  for (const m of firstBatch) {
    expect(m).toMatchObject({ kind: 'chan.signal', symbol: 'BTCUSDT', interval: '1m' });
    expect(m.chartUrl).toMatch(/^https:\/\/chart\.example\.com\/\?symbol=BTCUSDT&interval=1m&focus=\d+$/);
    const item = await h.table.doc.send(
      new GetCommand({ TableName: h.table.tableName, Key: dedupeKey('BTCUSDT', '1m', m.level, m.signalId, m.stage) }),
    );
    expect(item.Item).toMatchObject({ status: 'sent' });
    expect(item.Item![TABLE_KEYS.ttlAttribute]).toBeGreaterThan(h.clock.now / 1000);
  }
});
