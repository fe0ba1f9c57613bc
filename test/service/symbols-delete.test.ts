/**
 * DELETE /api/v1/symbols/{symbol} through the local adapter on dynalite: untracking keeps the bars; a purge removes
 * the symbol's bars, series, checkpoints and analyses and nothing of another symbol; bars uploaded after a purge
 * are served fresh (no cache entry of the purged ones); a running backfill → 409; a purge cut short by its time
 * budget answers 202 and finishes when repeated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type TestService } from '../support/service.js';

let svc: TestService;
const key = () => ({ 'x-api-key': svc.apiKey });
const DAY = 86_400_000;

const dailyBars = (n: number, price: number) =>
  Array.from({ length: n }, (_, i) => ({
    time: Date.UTC(2020, 0, 1) + i * DAY,
    open: price,
    high: price + 1,
    low: price - 1,
    close: price + 0.5,
  }));

async function track(symbol: string, intervals = ['1d']) {
  const r = await svc.fetch(`/api/v1/symbols/${symbol}`, {
    method: 'PUT',
    headers: { ...key(), 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'upload', intervals }),
  });
  expect(r.status).toBeLessThan(300);
}

async function upload(symbol: string, bars: unknown[]) {
  const r = await svc.fetch(`/api/v1/klines/${symbol}?interval=1d`, {
    method: 'POST',
    headers: { ...key(), 'content-type': 'application/json' },
    body: JSON.stringify(bars),
  });
  expect(r.status, await r.clone().text()).toBe(200);
}

const del = (symbol: string, query = '', withKey = true) =>
  svc.fetch(`/api/v1/symbols/${symbol}${query}`, { method: 'DELETE', headers: withKey ? key() : {} });

const listed = async () =>
  ((await (await svc.fetch('/api/v1/symbols')).json()) as { symbols: { symbol: string; active: boolean }[] }).symbols;

/** Seed what ingestion and the worker leave behind, with the real repositories. */
async function seedIngestState(symbol: string) {
  const { getDeps } = await import('../../functions/common/deps.js');
  const { checkpoints, analysis } = getDeps();
  await checkpoints.advance(symbol, '1d', undefined, Date.UTC(2020, 0, 11));
  await analysis.put({
    symbol,
    interval: '1d',
    preset: 'chanpy',
    configHash: 'x',
    lastBarTs: Date.UTC(2020, 0, 10),
    rev: 1,
    computedAt: new Date().toISOString(),
    summary: {},
  });
}

const itemsOf = async (symbol: string) =>
  (await svc.scanAll()).filter((i) => {
    const pk = String(i.pk);
    const sk = String(i.sk);
    return (
      pk.startsWith(`K#${symbol}#`) ||
      pk === `SERIES#${symbol}` ||
      pk === `ANALYSIS#${symbol}` ||
      (pk === 'SYMBOLS' && sk === symbol) ||
      (pk === 'CHECKPOINTS' && sk.startsWith(`${symbol}#`))
    );
  });

beforeAll(async () => {
  svc = await startService();
});
afterAll(async () => {
  await svc?.stop();
});

describe('DELETE /api/v1/symbols/{symbol}', () => {
  it('needs the API key, knows the symbol and takes purge=true|false only', async () => {
    await track('KEEP');
    expect((await del('KEEP', '', false)).status).toBe(403);
    const unknown = await del('NOPE');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { message: string }).message).toMatch(/^Unknown symbol NOPE/);
    const bad = await del('KEEP', '?purge=yes');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/query\.purge.*true or false/);
    expect((await listed()).map((s) => s.symbol)).toContain('KEEP');
  });

  it('without purge stops tracking and keeps the bars', async () => {
    await track('UNT');
    await upload('UNT', dailyBars(30, 10));
    const r = await del('UNT');
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({
      symbol: 'UNT',
      purge: false,
      done: true,
      deleted: { bars: 0, series: 0, checkpoints: 0, analyses: 0 },
    });
    expect((await listed()).map((s) => s.symbol)).not.toContain('UNT');
    const bars = (await (await svc.fetch('/api/v1/klines/UNT?interval=1d')).json()) as { count: number };
    expect(bars.count).toBe(30);
    expect((await del('UNT')).status).toBe(404);
  });

  it('with purge removes bars, series, checkpoints and analyses, and nothing of another symbol', async () => {
    for (const s of ['PRG', 'PRGX']) {
      await track(s);
      await upload(s, dailyBars(40, 10));
      await seedIngestState(s);
    }
    const otherBefore = JSON.stringify(await itemsOf('PRGX'));
    // Warm the caches the purge must not leave behind.
    expect((await svc.fetch('/api/v1/klines/PRG?interval=1d')).status).toBe(200);
    expect((await svc.fetch('/api/v1/analysis/PRG?interval=1d')).status).toBe(200);

    const r = await del('PRG', '?purge=true');
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({
      purge: true,
      done: true,
      deleted: { bars: 40, series: 1, checkpoints: 1, analyses: 1 },
    });
    // Only the series item's revision counter is left (see kline-store.ts).
    const left = await itemsOf('PRG');
    expect(left.map((i) => `${String(i.pk)} ${String(i.sk)}`)).toEqual(['SERIES#PRG 1d']);
    expect(left[0]).not.toHaveProperty('firstTs');
    expect(JSON.stringify(await itemsOf('PRGX'))).toBe(otherBefore);
    expect((await svc.fetch('/api/v1/klines/PRG?interval=1d')).status).toBe(404);
    expect((await listed()).map((s) => s.symbol)).not.toContain('PRG');

    // Tracked and uploaded again with other prices: the new bars are served, not cached copies of the purged ones.
    await track('PRG');
    await upload('PRG', dailyBars(40, 50));
    const fresh = (await (await svc.fetch('/api/v1/klines/PRG?interval=1d')).json()) as {
      count: number;
      bars: { open: number }[];
    };
    expect(fresh.count).toBe(40);
    expect(new Set(fresh.bars.map((b) => b.open))).toEqual(new Set([50]));
    const series = (await listed()) as unknown as { symbol: string; series: { count: number; rev: number }[] }[];
    expect(series.find((s) => s.symbol === 'PRG')!.series[0]).toMatchObject({ count: 40, rev: 2 });
  });

  it('refuses while a backfill of the symbol runs (409 naming the job), deleting nothing', async () => {
    await track('BKF');
    await upload('BKF', dailyBars(10, 10));
    const { getDeps } = await import('../../functions/common/deps.js');
    const jobs = getDeps().backfills;
    const now = Date.now();
    await jobs.create({
      jobId: 'bf-delete-test',
      symbol: 'BKF',
      interval: '1d',
      source: { provider: 'binance' },
      from: Date.UTC(2020, 0, 1),
      to: Date.UTC(2020, 1, 1),
      cursor: Date.UTC(2020, 0, 1),
      seq: 0,
      barsDone: 0,
      totalEstimate: 31,
      status: 'running',
      createdAt: now,
      updatedAt: now,
    });
    const before = JSON.stringify(await itemsOf('BKF'));
    for (const q of ['', '?purge=true']) {
      const r = await del('BKF', q);
      expect(r.status).toBe(409);
      expect(((await r.json()) as { message: string }).message).toMatch(
        /^A backfill of BKF 1d is running \(job bf-delete-test\).*nothing was deleted$/,
      );
    }
    expect(JSON.stringify(await itemsOf('BKF'))).toBe(before);
    await jobs.patch('bf-delete-test', { status: 'failed', lastError: 'test over' });
    expect((await del('BKF', '?purge=true')).status).toBe(200);
  });

  it('a purge cut short by its time budget answers 202, keeps the symbol inactive, and finishes when repeated', async () => {
    await track('SLOW');
    await upload('SLOW', dailyBars(20, 10));
    const { getDeps } = await import('../../functions/common/deps.js');
    const { deleteSymbol } = await import('../../functions/symbols/delete.js');
    const d = getDeps();
    const cut = await deleteSymbol('SLOW', true, {
      ...d,
      now: Date.now,
      budgetMs: 0,
    });
    expect(cut).toMatchObject({ statusCode: 202, body: { done: false } });
    expect((await listed()).find((s) => s.symbol === 'SLOW')).toMatchObject({ active: false });
    const r = await del('SLOW', '?purge=true');
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ done: true, deleted: { bars: 20, series: 1 } });
    expect((await itemsOf('SLOW')).map((i) => String(i.pk))).toEqual(['SERIES#SLOW']);
  });
});
