/**
 * K-line retention and ingestion: with a 1m window, the sync start, the hole filler and backfills never ask the
 * provider for bars older than the window (they would be stamped already expired), and the backfill API refuses
 * a range entirely older than it (400 naming `from`) and clamps one that starts before it (202 with a note).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { requestBackfill } from '../../functions/ingest/backfill-api.js';
import { BackfillRangeError, startBackfill } from '../../functions/ingest/backfill.js';
import type { SyncMessage } from '../../functions/ingest/messages.js';
import { retentionFloor } from '../../functions/ingest/worker.js';
import { drain } from '../support/sqs-standin.js';
import type { SourceBar } from '../support/fake-provider.js';
import { sseSlice } from './fixtures.js';
import { startHarness, type Harness } from './harness.js';

const DAY = 86_400_000;
const SYM = '000001.SH';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** 1,200 SSE minutes and a whole-day retention whose window starts somewhere in the middle of them. */
function setup() {
  const { bars, endNow } = sseSlice(1_200);
  const days = Math.ceil((endNow - bars[600]!.time) / DAY);
  const retentionDays = { '1m': days };
  const floor = retentionFloor('1m', retentionDays, endNow);
  const k = bars.findIndex((b) => b.time >= floor);
  expect(k).toBeGreaterThan(100);
  expect(k).toBeLessThanOrEqual(600);
  return { bars, endNow, retentionDays, floor, k };
}

const startTimes = (hh: Harness, sinceRequest = 0) =>
  hh.fake.requests.slice(sinceRequest).map((r) => Number((r.query as Record<string, string>).startTime));

describe('ingestion respects the K-line retention window', () => {
  it('sync and the hole filler never re-fetch bars older than the window', async () => {
    const { bars, endNow, retentionDays, floor, k } = setup();
    // Two holes: one older than the window, one inside it (settled: > 1 h before the clock).
    const inHole = (i: number) => (i >= k - 60 && i < k - 30) || (i >= k + 100 && i < k + 120);
    const holed = bars.filter((_, i) => !inHole(i));
    h = await startHarness({ now: endNow, retentionDays, limits: { settleMs: 3_600_000 } });
    h.fake.setSeries(SYM, '1m', holed);
    const sync: SyncMessage = {
      kind: 'sync',
      symbol: SYM,
      interval: '1m',
      source: { provider: 'binance' },
      historyFrom: bars[0]!.time,
    };
    await h.queue.send([sync]);
    await drain(h.queue, h.clock, h.worker);
    // The history asked for starts at bars[0], but nothing before the window was fetched or stored.
    expect(Math.min(...startTimes(h))).toBeGreaterThanOrEqual(floor);
    expect(await h.stored(SYM, '1m')).toEqual(holed.filter((b) => b.time >= floor));

    // The exchange repairs both holes; the checkpoint's verification mark is far behind the window (as one
    // written before the policy would be). The hole filler fills the hole inside the window only.
    h.fake.setSeries(SYM, '1m', bars);
    await h.checkpoints.patch(SYM, '1m', { verifiedThrough: bars[0]!.time });
    const before = h.fake.requests.length;
    await h.queue.send([sync]);
    await drain(h.queue, h.clock, h.worker);
    const asked = startTimes(h, before);
    expect(asked.length).toBeGreaterThan(0);
    expect(Math.min(...asked)).toBeGreaterThanOrEqual(floor);
    const stored = await h.stored(SYM, '1m');
    expect(stored).toEqual(bars.filter((b: SourceBar) => b.time >= floor));
    expect((await h.checkpoints.get(SYM, '1m'))?.verifiedThrough).toBeGreaterThanOrEqual(floor);
  });

  it('backfill: a range entirely older than the window is refused naming from; one reaching into it is clamped', async () => {
    const { bars, endNow, retentionDays, floor, k } = setup();
    h = await startHarness({ now: endNow, retentionDays, limits: { maxBarsPerInvocation: 500 } });
    h.fake.setSeries(SYM, '1m', bars);
    const jobDeps = { jobs: h.jobs, queue: h.queue, now: () => h!.clock.now, retentionDays };
    const source = { provider: 'binance' as const };
    await expect(
      startBackfill({ symbol: SYM, interval: '1m', source, from: bars[0]!.time, to: bars[k - 1]!.time }, jobDeps),
    ).rejects.toBeInstanceOf(BackfillRangeError);

    await h.symbols.put({ symbol: SYM, provider: 'binance', intervals: ['1m'], active: true });
    const apiDeps = { symbols: h.symbols, ...jobDeps };
    await expect(
      requestBackfill(SYM, { interval: '1m', from: bars[0]!.time, to: bars[k - 1]!.time }, apiDeps),
    ).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/from .*older than the retention window/),
      details: [expect.objectContaining({ field: 'body.from' })],
    });
    // Daily bars have no retention: the same old range is fine there.
    const daily = await startBackfill(
      { symbol: SYM, interval: '1d', source, from: bars[0]!.time - 10 * DAY, to: bars[0]!.time },
      { ...jobDeps, queue: { send: async () => {} }, jobId: 'daily' },
    );
    expect(daily.status).toBe('running');
    expect(daily.note).toBeUndefined();

    const before = h.fake.requests.length;
    const res = await requestBackfill(SYM, { interval: '1m', from: bars[0]!.time }, apiDeps);
    expect(res.statusCode).toBe(202);
    expect(res.body.from).toBe(new Date(floor).toISOString());
    expect(res.body.note).toMatch(/^from clamped to .*KLINE_RETENTION_DAYS/);
    await drain(h.queue, h.clock, h.worker);
    expect(Math.min(...startTimes(h, before))).toBeGreaterThanOrEqual(floor);
    expect(await h.jobs.get(res.body.jobId)).toMatchObject({ status: 'done' });
    expect(await h.stored(SYM, '1m')).toEqual(bars.slice(k));
  });
});
