/**
 * Stock series through the real dispatcher and worker (dynalite, the fake Eastmoney/Yahoo/Tushare, a virtual
 * clock): history and factors are ingested, a closed market (weekend, Golden Week) costs no fetch and no lag, a
 * suspended day is an absent bar that is neither a gap to fill nor an error, and a rejected Tushare token halts the
 * series with the reason.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../functions/ingest/dispatcher.js';
import { FAKE_TUSHARE_TOKEN, type CorporateAction, type SourceBar } from '../support/fake-provider.js';
import { drain } from '../support/sqs-standin.js';
import { startHarness, type Harness } from './harness.js';
import { aapl2020, CN_ACTIONS, pingAn2016, SUSPENDED_DAY, US_ACTIONS } from './stock-fixtures.js';

const T = (s: string) => Date.parse(s);
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function tick(hh: Harness, at: string) {
  hh.clock.now = T(at);
  hh.fake.now = T(at);
  const r = await dispatch('daily', hh.dispatcherDeps);
  await drain(hh.queue, hh.clock, (e) => hh.worker(e));
  expect(hh.queue.dlq).toHaveLength(0);
  return r;
}

/** A harness at `now` whose fake serves `bars` (and actions) for `symbol`, tracked daily with `provider`. */
async function trackDaily(
  now: string,
  symbol: string,
  provider: 'eastmoney' | 'yahoo' | 'tushare',
  bars: SourceBar[],
  actions: CorporateAction[],
  historyFrom: string,
): Promise<Harness> {
  const hh = await startHarness({ now: T(now) });
  hh.fake.setSeries(symbol, '1d', bars).setActions(symbol, actions);
  await hh.symbols.put({ symbol, provider, intervals: ['1d'], active: true, historyFrom: T(historyFrom) });
  return hh;
}

describe('A-share daily series (eastmoney)', () => {
  it('ingests history and factors; no fetch and no lag while the market is closed; the suspended day stays absent', async () => {
    const CN = pingAn2016();
    h = await trackDaily('2016-09-20T01:00:00Z', '000001.SZ', 'eastmoney', CN, CN_ACTIONS, '2016-01-01T00:00:00Z');

    expect(await tick(h, '2016-09-20T01:00:00Z')).toMatchObject({ queued: 1 });
    const stored = await h.stored('000001.SZ', '1d');
    expect(stored).toEqual(CN.filter((b) => b.time < T('2016-09-20T00:00:00Z')));
    expect(stored.map((b) => iso(b.time))).not.toContain(SUSPENDED_DAY);
    const adj = await h.adjustments.get('000001.SZ');
    expect(adj?.factors.map((f) => iso(f.date))).toEqual(['2016-01-04', '2016-06-16']);
    expect(adj).toMatchObject({ source: 'eastmoney', rev: 1 });

    // Through Friday 2016-09-30; then Golden Week (Oct 1–7) and the make-up Saturday Oct 8 are closed.
    await tick(h, '2016-10-01T00:30:00Z');
    expect((await h.stored('000001.SZ', '1d')).at(-1)!.time).toBe(T('2016-09-30T00:00:00Z'));
    const before = h.fake.requests.length;
    for (const at of ['2016-10-02T12:00:00Z', '2016-10-05T03:00:00Z', '2016-10-08T08:00:00Z', '2016-10-10T06:00:00Z']) {
      const r = await tick(h, at);
      expect(r).toMatchObject({ queued: 0, notDue: 1, lagSeconds: 0 });
    }
    expect(h.fake.requests.length).toBe(before); // not one provider call while closed

    // Monday's bar (Oct 10) is fetched right after its 15:00 CST close (07:00Z), at the daily schedule's minute.
    const r = await tick(h, '2016-10-10T07:02:00Z');
    expect(r).toMatchObject({ queued: 1, lagSeconds: 120 });
    expect((await h.stored('000001.SZ', '1d')).at(-1)!.time).toBe(T('2016-10-10T00:00:00Z'));
    const cp = await h.checkpoints.get('000001.SZ', '1d');
    expect(cp?.lastError).toBeUndefined();
    expect(cp?.failures ?? 0).toBe(0);
  });

  it('a series the worker stopped running shows lag only for bars the market produced', async () => {
    h = await trackDaily('2016-09-29T01:00:00Z', '000001.SZ', 'eastmoney', pingAn2016(), [], '2016-09-01T00:00:00Z');
    await tick(h, '2016-09-29T01:00:00Z');
    // Runs are lost from here on (queue never drained): Sep 29 and 30 were trading days, then Golden Week.
    h.clock.now = T('2016-10-06T00:00:00Z');
    const r = await dispatch('daily', h.dispatcherDeps);
    // Late since the run a day after the last one (Sep 30 01:00Z, Sep 29's bar being due); and a series whose
    // market has produced nothing since its last run is not late at all (next test's Golden Week ticks).
    expect(r.lagSeconds).toBe((T('2016-10-06T00:00:00Z') - T('2016-09-30T01:00:00Z')) / 1000);
  });
});

describe('US daily series (yahoo)', () => {
  it('stores unadjusted bars with the split and dividends as factors; weekends and holidays are not due', async () => {
    const US = aapl2020();
    h = await trackDaily('2020-09-05T00:30:00Z', 'AAPL', 'yahoo', US, US_ACTIONS, '2020-01-01T00:00:00Z');
    await tick(h, '2020-09-05T00:30:00Z'); // Saturday after Friday Sep 4
    const stored = await h.stored('AAPL', '1d');
    const expected = US.filter((b) => b.time <= T('2020-09-04T00:00:00Z'));
    expect(stored.map((b) => b.time)).toEqual(expected.map((b) => b.time));
    stored.forEach((b, i) => expect(b.close).toBeCloseTo(expected[i]!.close, 6));
    const adj = await h.adjustments.get('AAPL');
    expect(adj?.factors.map((f) => iso(f.date))).toContain('2020-08-31');
    // Labor Day weekend: Sat, Sun, Mon Sep 7 closed → nothing due until Tuesday's session is over.
    for (const at of ['2020-09-06T12:00:00Z', '2020-09-08T00:30:00Z', '2020-09-08T19:00:00Z']) {
      expect(await tick(h, at)).toMatchObject({ queued: 0, lagSeconds: 0 });
    }
    // Tuesday's bar after its 16:00 EDT close (20:00Z).
    expect(await tick(h, '2020-09-08T20:02:00Z')).toMatchObject({ queued: 1, lagSeconds: 120 });
    expect((await h.stored('AAPL', '1d')).at(-1)!.time).toBe(T('2020-09-08T00:00:00Z'));
  });
});

describe('tushare', () => {
  it('a rejected token halts the series with the reason (no retries, no token in it)', async () => {
    h = await trackDaily('2016-09-20T01:00:00Z', '000001.SZ', 'tushare', pingAn2016(), [], '2016-09-01T00:00:00Z');
    await tick(h, '2016-09-20T01:00:00Z');
    expect((await h.stored('000001.SZ', '1d')).length).toBeGreaterThan(10); // the right token works
    h.fake.inject(
      {
        kind: 'status',
        status: 200,
        body: JSON.stringify({ code: 40101, msg: '抱歉，您输入的TOKEN无效！', data: null }),
      },
      { target: 'tushare' },
    );
    await tick(h, '2016-09-21T01:00:00Z');
    const cp = await h.checkpoints.get('000001.SZ', '1d');
    expect(cp?.lastError).toMatch(/40101/);
    expect(cp?.lastError).not.toContain(FAKE_TUSHARE_TOKEN);
    expect(cp?.haltedUntil).toBeGreaterThan(h.clock.now);
  });
});
