/**
 * The jobs API through the local API Gateway adapter (API keys enforced) with the real handler: POST starts the
 * synthesized workflow in-process (local starter) and answers 202; GET shows state, progress, the summary and
 * results paged with a cursor; bad input is a 4xx naming the field.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestService } from '../support/service.js';
import { fixtureBars, randomDaily, storeSeries } from './fixtures.js';
import { startJobsService, type Json } from './harness.js';

let svc: TestService;
let local: Awaited<ReturnType<typeof startJobsService>>['local'];
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ svc, local, stop } = await startJobsService(async () => {
    for (const [s, bars] of [
      ['SPY', fixtureBars('us_spy_1d').slice(-600)],
      ['AAA', randomDaily(400, 1)],
      ['BBB', randomDaily(400, 2)],
    ] as const)
      await storeSeries(s, '1d', bars);
  }));
});

afterAll(async () => {
  await stop?.();
});

const post = (body: unknown, key: string | null = svc.apiKey) =>
  svc.fetch('/api/v1/jobs', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
    body: JSON.stringify(body),
  });
const get = async (path: string) => {
  const r = await svc.fetch(path);
  return { status: r.status, body: (await r.json()) as Json };
};

describe('POST /api/v1/jobs → 202, GET /api/v1/jobs/{id}', () => {
  it('starts a scan, reports progress and pages the per-symbol results with a cursor', async () => {
    const r = await post({ kind: 'scan', symbols: ['spy', 'AAA', 'BBB', 'NOPE'], interval: '1d', withinBars: 100 });
    expect(r.status).toBe(202);
    const accepted = (await r.json()) as Json;
    expect(accepted).toMatchObject({ kind: 'scan', status: 'QUEUED', location: `/api/v1/jobs/${accepted.id}` });
    expect(r.headers.get('location')).toBe(`/api/v1/jobs/${accepted.id}`);

    const run = await local.wait(accepted.id);
    expect(run.error).toBeUndefined();
    const first = await get(`/api/v1/jobs/${accepted.id}?limit=3`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      id: accepted.id,
      kind: 'scan',
      status: 'SUCCEEDED',
      progress: { total: 4, done: 4, failed: 1, percent: 100 },
      error: null,
    });
    // Symbols were normalised (spy → SPY) and the executed input is the validated one, defaults included.
    expect(first.body.input).toMatchObject({
      symbols: ['SPY', 'AAA', 'BBB', 'NOPE'],
      withinBars: 100,
      levels: ['stroke'],
      bars: 1000,
    });
    expect(first.body.results.map((x: Json) => x.symbol)).toEqual(['AAA', 'BBB', 'NOPE']);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await get(`/api/v1/jobs/${accepted.id}?limit=3&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.results.map((x: Json) => x.symbol)).toEqual(['SPY']);
    expect(second.body.nextCursor).toBeNull();
    expect(first.body.results.find((x: Json) => x.symbol === 'NOPE')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^NoBarsError/),
    });
    // matched=true pages only the symbols with a matching signal, as counted in the summary.
    const matched = await get(`/api/v1/jobs/${accepted.id}?matched=true`);
    expect(matched.body.results.every((x: Json) => x.matched === true)).toBe(true);
    expect(matched.body.results).toHaveLength(first.body.summary.matched);
  });

  it('starts a backtest and a multilevel job', async () => {
    const bt = await post({ kind: 'backtest', symbols: ['SPY'], interval: '1d', horizons: [3, 10], bars: 300 });
    expect(bt.status).toBe(202);
    const btId = ((await bt.json()) as Json).id;
    await local.wait(btId);
    const btView = await get(`/api/v1/jobs/${btId}`);
    expect(btView.body.status).toBe('SUCCEEDED');
    expect(btView.body.summary).toMatchObject({ kind: 'backtest', horizons: [3, 10], symbols: 1, bars: 300 });
    expect(btView.body.summary.totals.signals).toBeGreaterThan(0);

    await storeSeries(
      'AAA',
      '1h',
      randomDaily(600, 9).map((b, i) => ({ ...b, ts: Date.UTC(2023, 0, 1) + i * 3_600_000 })),
    );
    const ml = await post({ kind: 'multilevel', symbol: 'AAA', intervals: ['1h', '1d'], source: 'resample' });
    expect(ml.status).toBe(202);
    const mlId = ((await ml.json()) as Json).id;
    await local.wait(mlId);
    const mlView = await get(`/api/v1/jobs/${mlId}`);
    expect(mlView.body.status).toBe('SUCCEEDED');
    expect(mlView.body.results[0].data.levels.map((l: Json) => l.interval)).toEqual(['1d', '1h']);
    // 600 hours of a 24-hour market resample to 25 UTC days.
    expect(mlView.body.results[0].data.levels[0].barCount).toBe(25);
  });
});

describe('bad input is a 4xx naming the field', () => {
  const cases: Array<[string, unknown, number, RegExp]> = [
    ['unknown kind', { kind: 'predict', symbols: ['SPY'], interval: '1d' }, 400, /kind/],
    [
      'symbols and watchlist',
      { kind: 'scan', symbols: ['SPY'], watchlist: 'core', interval: '1d' },
      400,
      /either symbols or watchlist/,
    ],
    ['no universe', { kind: 'scan', interval: '1d' }, 400, /either symbols or watchlist/],
    ['bad interval', { kind: 'scan', symbols: ['SPY'], interval: '2d' }, 400, /body\.interval/],
    ['unknown signal type', { kind: 'scan', symbols: ['SPY'], interval: '1d', signalTypes: ['4'] }, 400, /signalTypes/],
    [
      'four intervals',
      { kind: 'multilevel', symbol: 'SPY', intervals: ['1m', '5m', '1h', '1d'] },
      400,
      /2 or 3 intervals/,
    ],
    [
      'repeated horizon',
      { kind: 'backtest', symbols: ['SPY'], interval: '1d', horizons: [5, 5] },
      400,
      /horizons must not repeat/,
    ],
    ['unknown preset', { kind: 'scan', symbols: ['SPY'], interval: '1d', preset: 'nope' }, 400, /preset/],
    [
      'bad chan.py option',
      { kind: 'scan', symbols: ['SPY'], interval: '1d', config: { bi_algo: 'zigzag' } },
      400,
      /bi_algo/,
    ],
    ['unknown field', { kind: 'scan', symbols: ['SPY'], interval: '1d', extra: 1 }, 400, /extra/],
    ['unknown watchlist', { kind: 'scan', watchlist: 'nolist', interval: '1d' }, 404, /nolist/],
    [
      'multilevel without the series',
      { kind: 'multilevel', symbol: 'BBB', intervals: ['1h', '1d'] },
      404,
      /BBB at interval 1h/,
    ],
  ];
  for (const [name, body, status, msg] of cases) {
    it(`${name} → ${status}`, async () => {
      const r = await post(body);
      const b = (await r.json()) as Json;
      expect(r.status, JSON.stringify(b)).toBe(status);
      expect(b.message).toMatch(msg);
    });
  }

  it('a write without the API key → 403, and no job is created', async () => {
    const before = (await svc.scanAll()).filter((i) => String(i.sk) === 'JOB').length;
    const r = await post({ kind: 'scan', symbols: ['SPY'], interval: '1d' }, null);
    expect(r.status).toBe(403);
    expect((await svc.scanAll()).filter((i) => String(i.sk) === 'JOB').length).toBe(before);
  });

  it('GET: malformed id → 400, unknown id → 404, forged cursor or limit 0 → 400', async () => {
    expect((await get('/api/v1/jobs/not-a-job')).status).toBe(400);
    const unknown = await get(`/api/v1/jobs/${randomUUID()}`);
    expect(unknown.status).toBe(404);
    const r = await post({ kind: 'scan', symbols: ['AAA'], interval: '1d' });
    const id = ((await r.json()) as Json).id;
    await local.wait(id);
    const forged = await get(`/api/v1/jobs/${id}?cursor=${Buffer.from('{"v":1,"sk":"JOB"}').toString('base64url')}`);
    expect(forged.status).toBe(400);
    expect(forged.body.message).toMatch(/cursor/);
    // A well-formed but unsigned (or re-signed) cursor naming a real results key is refused too: cursors are
    // signed with SECRET_KEY, so a client cannot choose where a read starts.
    const unsigned = Buffer.from('{"v":1,"sk":"R#AAA"}').toString('base64url');
    expect((await get(`/api/v1/jobs/${id}?cursor=${unsigned}`)).status).toBe(400);
    expect((await get(`/api/v1/jobs/${id}?cursor=${unsigned}.${'A'.repeat(43)}`)).status).toBe(400);
    expect((await get(`/api/v1/jobs/${id}?limit=0`)).status).toBe(400);
  });

  it('a workflow that cannot start → 503, and the job is recorded as FAILED', async () => {
    const { setJobStarter } = await import('../../functions/jobs/starter.js');
    setJobStarter({
      start: async () => Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })),
    });
    try {
      const r = await post({ kind: 'scan', symbols: ['AAA'], interval: '1d' });
      const b = (await r.json()) as Json;
      expect(r.status).toBe(503);
      const view = await get(`/api/v1/jobs/${b.details.id}`);
      expect(view.body).toMatchObject({
        status: 'FAILED',
        error: expect.stringMatching(/could not start: Rate exceeded/),
      });
    } finally {
      setJobStarter(local.starter);
    }
  });

  it('a deployment with no state machine → 500 naming what is missing (retrying cannot help)', async () => {
    const { setJobStarter } = await import('../../functions/jobs/starter.js');
    const saved = process.env.JOBS_STATE_MACHINE_ARN;
    delete process.env.JOBS_STATE_MACHINE_ARN;
    setJobStarter(undefined);
    try {
      const r = await post({ kind: 'scan', symbols: ['AAA'], interval: '1d' });
      const b = (await r.json()) as Json;
      expect(r.status).toBe(500);
      expect(b).toMatchObject({
        error: 'ConfigurationError',
        message: expect.stringMatching(/JOBS_STATE_MACHINE_ARN/),
      });
      expect(b.message).not.toMatch(/try again/);
      expect((await get(`/api/v1/jobs/${b.details.id}`)).body.status).toBe('FAILED');
    } finally {
      if (saved !== undefined) process.env.JOBS_STATE_MACHINE_ARN = saved;
      setJobStarter(local.starter);
    }
  });
});
