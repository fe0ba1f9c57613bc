/**
 * Watchlists through the local API Gateway adapter (API keys enforced) against dynalite: an index-constituent
 * CSV uploaded as a list, then a scan job naming it runs over exactly those symbols through the local state
 * machine; bad uploads are 400s naming the element and write nothing; GET, the listing and DELETE; the OpenAPI
 * document lists the routes.
 *
 * data/sse50-index-weight.csv has the layout of Tushare Pro's index_weight table (index_code, con_code,
 * trade_date, weight) for the SSE 50 index (000016.SH): ten of its constituents (real members: Kweichow Moutai,
 * Ping An, China Merchants Bank, …), plus two rows of an earlier rebalancing date as such an export repeats them.
 * The weights are illustrative, not the index's published ones; nothing here reads them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestService } from '../support/service.js';
import { randomDaily, storeSeries } from './fixtures.js';
import { startJobsService, type Json } from './harness.js';

const CSV = readFileSync(join(import.meta.dirname, 'data/sse50-index-weight.csv'), 'utf8');
const SSE50_10 = [
  '600519.SH',
  '601318.SH',
  '600036.SH',
  '600900.SH',
  '601166.SH',
  '600030.SH',
  '600276.SH',
  '601398.SH',
  '600887.SH',
  '601888.SH',
];

let svc: TestService;
let local: Awaited<ReturnType<typeof startJobsService>>['local'];
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ svc, local, stop } = await startJobsService(async () => {
    for (const [i, s] of SSE50_10.entries()) await storeSeries(s, '1d', randomDaily(300, 100 + i));
  }));
});

afterAll(async () => {
  await stop?.();
});

const put = (name: string, body: string, contentType: string, key: string | null = svc.apiKey) =>
  svc.fetch(`/api/v1/watchlists/${name}`, {
    method: 'PUT',
    headers: { 'content-type': contentType, ...(key ? { 'x-api-key': key } : {}) },
    body,
  });
const putJson = (name: string, body: unknown) => put(name, JSON.stringify(body), 'application/json');
const call = async (method: string, path: string, key: string | null = null) => {
  const r = await svc.fetch(path, { method, headers: key ? { 'x-api-key': key } : {} });
  return { status: r.status, body: (await r.json()) as Json };
};
const watchlistItems = async () => (await svc.scanAll()).filter((i) => i.pk === 'WATCHLISTS');

describe('PUT /api/v1/watchlists/{name}', () => {
  it('stores an index-constituent CSV (Tushare con_code), and a scan job runs over exactly those symbols', async () => {
    const r = await put('sse50', CSV, 'text/csv');
    const b = (await r.json()) as Json;
    expect(r.status, JSON.stringify(b)).toBe(200);
    // Twelve rows, ten constituents: the earlier rebalancing date's repeats are dropped, first-seen order kept.
    expect(b).toMatchObject({ name: 'sse50', count: 10, symbols: SSE50_10 });

    const job = await svc.fetch('/api/v1/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': svc.apiKey },
      body: JSON.stringify({ kind: 'scan', watchlist: 'sse50', interval: '1d', withinBars: 50 }),
    });
    expect(job.status).toBe(202);
    const { id } = (await job.json()) as Json;
    const run = await local.wait(id);
    expect(run.error).toBeUndefined();
    const view = await call('GET', `/api/v1/jobs/${id}?limit=500`);
    expect(view.body).toMatchObject({
      status: 'SUCCEEDED',
      input: { watchlist: 'sse50' },
      progress: { total: 10, done: 10, failed: 0 },
    });
    expect(view.body.results.map((x: Json) => x.symbol)).toEqual([...SSE50_10].sort());
    expect(view.body.results.every((x: Json) => x.ok === true)).toBe(true);
  });

  it('accepts JSON and a plain `symbol` column in any case; normalises symbols; replaces the list', async () => {
    let r = await putJson('mixed', { symbols: ['aapl', 'SPY', ' aapl '] });
    expect(((await r.json()) as Json).symbols).toEqual(['AAPL', 'SPY']);
    r = await put('mixed', 'Name;SYMBOL\nMoutai;600519.sh\n\nPing An;601318.SH\n', 'text/csv');
    expect(r.status).toBe(200);
    expect(((await r.json()) as Json).symbols).toEqual(['600519.SH', '601318.SH']);
    expect((await call('GET', '/api/v1/watchlists/mixed')).body).toMatchObject({
      count: 2,
      symbols: ['600519.SH', '601318.SH'],
    });
  });
});

describe('bad uploads are 400s naming the field, and nothing is written', () => {
  const cases: Array<[string, string, () => Promise<Response>, number, RegExp, string?]> = [
    [
      'a bad JSON element',
      'bad1',
      () => putJson('bad1', { symbols: ['SPY', 'AAPL', 'SPY', 'BAD SYM'] }),
      400,
      /body\.symbols\[3\]/,
    ],
    [
      'a bad CSV cell, by element and line',
      'bad2',
      () => put('bad2', 'con_code,weight\n600519.SH,1\n\n60$519,2\n', 'text/csv'),
      400,
      /body\.symbols\[1\].*CSV line 4/,
    ],
    [
      'a CSV row without the cell',
      'bad3',
      () => put('bad3', 'weight,symbol\n1,SPY\n2\n', 'text/csv'),
      400,
      /body\.symbols\[1\].*CSV line 3/,
    ],
    [
      'no symbol column',
      'bad4',
      () => put('bad4', 'index_code,weight\n000016.SH,1\n', 'text/csv'),
      400,
      /symbol column.*con_code/,
    ],
    ['a header and no symbols', 'bad5', () => put('bad5', 'symbol\n', 'text/csv'), 400, /at least one symbol/],
    ['an empty list', 'bad6', () => putJson('bad6', { symbols: [] }), 400, /body\.symbols.*at least one/],
    ['an unknown field', 'bad7', () => putJson('bad7', { symbols: ['SPY'], weights: [1] }), 400, /weights/],
    [
      'more than 5,000 distinct symbols',
      'bad8',
      () => putJson('bad8', { symbols: Array.from({ length: 5001 }, (_, i) => `S${i}`) }),
      400,
      /at most 5000 distinct/,
    ],
    [
      'the reserved name tracked',
      'tracked',
      () => putJson('tracked', { symbols: ['SPY'] }),
      400,
      /path\.name.*reserved/,
    ],
    ['a bad name', 'a.b', () => putJson('a.b', { symbols: ['SPY'] }), 400, /path\.name/],
    ['no API key', 'nokey', () => put('nokey', '{"symbols":["SPY"]}', 'application/json', null), 403, /./],
  ];
  for (const [what, name, send, status, msg] of cases) {
    it(`${what} → ${status}`, async () => {
      const r = await send();
      const b = (await r.json()) as Json;
      expect(r.status, JSON.stringify(b)).toBe(status);
      expect(b.message).toMatch(msg);
      expect((await watchlistItems()).filter((i) => i.sk === name)).toEqual([]);
    });
  }

  it('5,000 symbols listed with repeats is within the limit (the limit counts distinct symbols)', async () => {
    const symbols = Array.from({ length: 6000 }, (_, i) => `S${i % 5000}`);
    const r = await putJson('big', { symbols });
    expect(r.status).toBe(200);
    expect(((await r.json()) as Json).count).toBe(5000);
  });
});

describe('GET, list, DELETE', () => {
  it('lists names and counts, reads one, deletes it; unknown names are 404s', async () => {
    await putJson('gd', { symbols: ['SPY', 'QQQ', 'IWM'] });
    const list = await call('GET', '/api/v1/watchlists');
    expect(list.status).toBe(200);
    expect(list.body.watchlists).toContainEqual({ name: 'gd', count: 3, updatedAt: expect.any(String) });
    expect(list.body.watchlists.map((w: Json) => w.name)).toEqual(
      [...list.body.watchlists.map((w: Json) => w.name)].sort(),
    );

    expect((await call('DELETE', '/api/v1/watchlists/gd')).status).toBe(403);
    const del = await call('DELETE', '/api/v1/watchlists/gd', svc.apiKey);
    expect(del).toEqual({ status: 200, body: { name: 'gd', deleted: true } });
    expect((await call('GET', '/api/v1/watchlists/gd')).status).toBe(404);
    expect((await call('DELETE', '/api/v1/watchlists/gd', svc.apiKey)).status).toBe(404);
    expect((await call('GET', '/api/v1/watchlists')).body.watchlists.map((w: Json) => w.name)).not.toContain('gd');
    expect((await call('GET', '/api/v1/watchlists/tracked')).status).toBe(400);
  });

  it('the OpenAPI document lists the routes, the write routes with the API key and the CSV body', async () => {
    const doc = (await call('GET', '/api/v1/openapi.json')).body;
    expect(Object.keys(doc.paths['/api/v1/watchlists'])).toEqual(['get']);
    const one = doc.paths['/api/v1/watchlists/{name}'];
    expect(Object.keys(one).sort()).toEqual(['delete', 'get', 'put']);
    expect(one.put.security).toEqual([{ apiKey: [] }]);
    expect(one.delete.security).toEqual([{ apiKey: [] }]);
    expect(one.get.security).toBeUndefined();
    expect(Object.keys(one.put.requestBody.content).sort()).toEqual(['application/json', 'text/csv']);
    expect(one.put.requestBody.content['text/csv'].schema.description).toMatch(/con_code/);
  });
});
