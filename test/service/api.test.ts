/**
 * The API end to end through the local API Gateway adapter, on dynalite and a real Redis cluster: health,
 * symbols, uploads (CSV and JSON, idempotent), range reads, analysis (cold → warm cache), OpenAPI, CORS on
 * success and error responses, preflight, API keys and throttling mirrored from the route table.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { configFromOptions, configHash } from 'chan-analysis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiSpec } from '../../functions/common/api-spec.js';
import * as z from '../../functions/common/zod.js';
import { REDIS_CLI, startRedisCluster, type RedisCluster } from '../support/redis.js';
import { startService, type TestService } from '../support/service.js';

const fixture = readFileSync(
  new URL('../../shared/chan-analysis/test/fixtures/us_spy_1d.csv', import.meta.url),
  'utf8',
);
const hourlyFixture = readFileSync(
  new URL('../../shared/chan-analysis/test/fixtures/us_spy_1h.csv', import.meta.url),
  'utf8',
);
const ORIGIN = 'http://localhost:5173';

describe('API through the local adapter (dynalite + redis cluster)', () => {
  let redis: RedisCluster;
  let svc: TestService;
  const key = () => ({ 'x-api-key': svc.apiKey });

  beforeAll(async () => {
    redis = await startRedisCluster();
    svc = await startService({ redisUrl: redis.url });
  });
  afterAll(async () => {
    await svc?.stop();
    await redis?.stop();
  });

  it('GET /health answers the predecessor JSON plus the cache component', async () => {
    const r = await svc.fetch('/health');
    expect(r.status).toBe(200);
    const b = (await r.json()) as Record<string, unknown>;
    expect(b).toMatchObject({
      status: 'healthy',
      message: '缠论分析系统运行正常',
      version: '2.0.0',
      components: { api: '运行中', database: '已连接', cache: '已连接' },
    });
    expect((b.components as Record<string, string>).chan_module).toBeDefined();
  });

  it('tracks a symbol (201 then 200) and lists it', async () => {
    const put = (body: unknown) =>
      svc.fetch('/api/v1/symbols/spy', {
        method: 'PUT',
        headers: { ...key(), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const a = await put({ provider: 'upload', intervals: ['1d'] });
    expect(a.status).toBe(201);
    expect(await a.json()).toMatchObject({ symbol: 'SPY', provider: 'upload', intervals: ['1d'], active: true });
    const b = await put({ provider: 'upload', intervals: ['1d', '1h'] });
    expect(b.status).toBe(200);
    const list = (await (await svc.fetch('/api/v1/symbols')).json()) as {
      symbols: { symbol: string; intervals: string[] }[];
    };
    expect(list.symbols.find((s) => s.symbol === 'SPY')?.intervals).toEqual(['1d', '1h']);
  });

  it('tracks a URL source with its label, history start and alert preferences; a later PUT replaces them', async () => {
    const put = (body: unknown) =>
      svc.fetch('/api/v1/symbols/ethcsv', {
        method: 'PUT',
        headers: { ...key(), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const a = await put({
      provider: 'url',
      intervals: ['1h'],
      sourceUrl: 'https://data.example.com/eth_1h.csv',
      sourceLabel: 'end',
      historyFrom: '2024-01-01',
      alerts: { enabled: true, types: ['1', '2'], levels: ['segment'] },
    });
    expect(a.status).toBe(201);
    expect(await a.json()).toMatchObject({
      symbol: 'ETHCSV',
      provider: 'url',
      sourceUrl: 'https://data.example.com/eth_1h.csv',
      sourceLabel: 'end',
      historyFrom: Date.UTC(2024, 0, 1),
      // Defaults of SignalAlertPrefsSchema filled in.
      alerts: { enabled: true, types: ['1', '2'], levels: ['segment'], sides: ['buy', 'sell'], provisional: true },
    });
    const b = await put({
      provider: 'binance',
      intervals: ['1h'],
      providerSymbol: 'ETHUSDT',
      historyFrom: Date.UTC(2023, 5, 1),
    });
    expect(b.status).toBe(200);
    const item = (await b.json()) as Record<string, unknown>;
    expect(item).toMatchObject({ provider: 'binance', providerSymbol: 'ETHUSDT', historyFrom: Date.UTC(2023, 5, 1) });
    for (const gone of ['sourceUrl', 'sourceLabel', 'alerts']) expect(item, gone).not.toHaveProperty(gone);
  });

  it('reports 1-minute bars older than the retention window as expired and does not store them', async () => {
    const put = await svc.fetch('/api/v1/symbols/RET1M', {
      method: 'PUT',
      headers: { ...key(), 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'upload', intervals: ['1m'] }),
    });
    expect(put.status).toBe(201);
    const recent = Math.floor(Date.now() / 60_000) * 60_000 - 2 * 86_400_000;
    const bar = (t: number) => ({ time: new Date(t).toISOString(), open: 1, high: 2, low: 0.5, close: 1.5 });
    // Default KLINE_RETENTION_DAYS keeps 1m bars 400 days: two from 2001 expire, two from two days ago are kept.
    const bars = [bar(Date.UTC(2001, 0, 2)), bar(Date.UTC(2001, 0, 2, 0, 1)), bar(recent), bar(recent + 60_000)];
    const res = await svc.fetch('/api/v1/klines/RET1M?interval=1m', {
      method: 'POST',
      headers: { ...key(), 'content-type': 'application/json' },
      body: JSON.stringify(bars),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: 4, inserted: 2, expired: 2, rejected: 0 });
    const stored = (await svc.scanAll()).filter((i) => String(i.pk).startsWith('K#RET1M#1m#'));
    expect(stored).toHaveLength(2);
    for (const item of stored) expect(item.expiresAt).toBe(Math.floor(Number(item.t) / 1000) + 400 * 86_400);
  });

  it('uploads CSV idempotently and reports inserted / updated / unchanged', async () => {
    const post = (body: string, ctype: string) =>
      svc.fetch('/api/v1/klines/SPY?interval=1d', {
        method: 'POST',
        headers: { ...key(), 'content-type': ctype },
        body,
      });
    const first = await post(fixture, 'text/csv');
    expect(first.status).toBe(200);
    const r1 = (await first.json()) as Record<string, number>;
    const rows = fixture.trim().split('\n').length - 1;
    expect(r1).toMatchObject({ received: rows, inserted: rows, updated: 0, unchanged: 0, expired: 0, rejected: 0 });
    const again = (await (await post(fixture, 'text/csv')).json()) as Record<string, number>;
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: rows });
    // A corrected last bar as JSON: one update, and the series rev moves.
    const last = fixture.trim().split('\n').at(-1)!.split(',');
    const fixed = [
      {
        time: last[0],
        open: Number(last[1]),
        high: Number(last[2]) + 1,
        low: Number(last[3]),
        close: Number(last[4]),
        volume: Number(last[5]),
      },
    ];
    const upd = (await (await post(JSON.stringify(fixed), 'application/json')).json()) as {
      updated: number;
      series: { rev: number; count: number };
    };
    expect(upd.updated).toBe(1);
    expect(upd.series).toMatchObject({ rev: 2, count: rows });
    const items = await svc.scanAll();
    expect(items.filter((i) => String(i.pk).startsWith('K#SPY#1d#'))).toHaveLength(rows);
  });

  it('checks uploads against the interval: finer spacing is refused naming the first rows; sessions and gaps pass', async () => {
    const h = { ...key(), 'content-type': 'application/json' };
    expect(
      (
        await svc.fetch('/api/v1/symbols/SPYH', {
          method: 'PUT',
          headers: h,
          body: JSON.stringify({ provider: 'upload', intervals: ['1h', '4h'] }),
        })
      ).status,
    ).toBe(201);
    const csv = hourlyFixture.trim().split('\n').slice(0, 201).join('\n');
    const post = (interval: string, body: string, ctype = 'text/csv') =>
      svc.fetch(`/api/v1/klines/SPYH?interval=${interval}`, {
        method: 'POST',
        headers: { ...key(), 'content-type': ctype },
        body,
      });
    const before = (await svc.scanAll()).length;
    // Hourly bars posted as 4h: refused, the first offending rows named, the likely interval suggested.
    const as4h = await post('4h', csv);
    expect(as4h.status).toBe(400);
    const err = (await as4h.json()) as {
      message: string;
      details: { rejected: number; problems: { field: string; message: string }[] };
    };
    expect(err.message).toMatch(
      /^Invalid body\[1\]\.time: 1998-01-02T15:00:00Z is 1h after row 0 \(1998-01-02T14:00:00Z\): 4h bars must be at least 4h apart/,
    );
    expect(err.message).toMatch(/look like 1h bars: upload them with \?interval=1h/);
    expect(err.message).toMatch(/nothing was written$/);
    const times = csv
      .split('\n')
      .slice(1)
      .map((l) => Date.parse(l.split(',')[0]!));
    const tooClose = times.filter((t, i) => i > 0 && t - times[i - 1]! < 4 * 3_600_000).length;
    expect(err.details.rejected).toBe(tooClose);
    expect(err.details.problems).toHaveLength(20);
    expect(err.details.problems.slice(0, 3).map((p) => p.field)).toEqual([
      'body[1].time',
      'body[2].time',
      'body[3].time',
    ]);
    // The same bars as JSON, and as daily bars on a symbol that tracks 1d: refused the same way.
    const rows = csv
      .split('\n')
      .slice(1)
      .map((l) => {
        const [time, open, high, low, close] = l.split(',');
        return { time, open: +open!, high: +high!, low: +low!, close: +close! };
      });
    const json4h = await post('4h', JSON.stringify(rows), 'application/json');
    expect(json4h.status).toBe(400);
    expect(((await json4h.json()) as { message: string }).message).toMatch(/^Invalid body\[1\]\.time: .*4h bars/);
    const asDaily = await svc.fetch('/api/v1/klines/SPY?interval=1d', {
      method: 'POST',
      headers: h,
      body: JSON.stringify(rows),
    });
    expect(asDaily.status).toBe(400);
    expect(((await asDaily.json()) as { message: string }).message).toMatch(/1d bars must be at least 23 h apart/);
    expect((await svc.scanAll()).length).toBe(before);
    // As 1h they are fine: overnight and weekend gaps are sessions, not errors.
    const ok = await post('1h', csv);
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect(await ok.json()).toMatchObject({ received: 200, inserted: 200 });
  });

  it('accepts uploads only for intervals the symbol tracks', async () => {
    const before = (await svc.scanAll()).length;
    // SPY tracks 1d and 1h; weekly bars are well spaced but not tracked.
    const weekly = [0, 1, 2].map((i) => ({
      time: Date.UTC(2024, 0, 1 + 7 * i),
      open: 10,
      high: 11,
      low: 9,
      close: 10.5,
    }));
    const r = await svc.fetch('/api/v1/klines/SPY?interval=1w', {
      method: 'POST',
      headers: { ...key(), 'content-type': 'application/json' },
      body: JSON.stringify(weekly),
    });
    expect(r.status).toBe(400);
    const b = (await r.json()) as { message: string; details: { field: string }[] };
    expect(b.message).toBe(
      'Invalid query.interval: SPY does not track 1w (it tracks 1d, 1h); add it with PUT /api/v1/symbols/SPY first; nothing was written',
    );
    expect(b.details[0]!.field).toBe('query.interval');
    expect((await svc.scanAll()).length).toBe(before);
  });

  it('reads bars: newest by default, explicit ranges across year buckets, limit', async () => {
    const latest = (await (await svc.fetch('/api/v1/klines/SPY?interval=1d&limit=5')).json()) as {
      count: number;
      bars: { time: string; high: number }[];
    };
    expect(latest.count).toBe(5);
    expect(latest.bars.at(-1)!.time).toBe('2021-03-31');
    const range = (await (await svc.fetch('/api/v1/klines/SPY?interval=1d&from=2019-12-30&to=2020-01-03')).json()) as {
      bars: { time: string }[];
    };
    expect(range.bars.map((b) => b.time)).toEqual(['2019-12-30', '2019-12-31', '2020-01-02', '2020-01-03']);
    const capped = (await (await svc.fetch('/api/v1/klines/SPY?interval=1d&from=2019-01-01&limit=3')).json()) as {
      bars: { time: string }[];
    };
    expect(capped.bars.map((b) => b.time)).toEqual(['2019-01-02', '2019-01-03', '2019-01-04']);
    // The bars sit in Redis under the series hash tag, per bucket and revision.
    const keys = spawnSync(REDIS_CLI, ['-p', String(redis.port), '--scan', '--pattern', '{SPY:1d}:k:*'], {
      encoding: 'utf8',
    })
      .stdout.trim()
      .split('\n');
    expect(keys).toContain('{SPY:1d}:k:2020:2');
    expect(keys).toContain('{SPY:1d}:k:2019:2');
  });

  it('analyses stored bars: MISS then HIT with the identical body; another preset is another entry', async () => {
    const url = '/api/v1/analysis/SPY?interval=1d&from=2015-01-01&include=bars';
    const cold = await svc.fetch(url);
    const coldText = await cold.text();
    expect(cold.status, coldText.slice(0, 300)).toBe(200);
    expect(cold.headers.get('x-cache')).toBe('MISS');
    const body = JSON.parse(coldText) as {
      symbol: string;
      preset: string;
      configHash: string;
      barCount: number;
      result: { bars: unknown[]; strokes: unknown[] };
    };
    expect(body).toMatchObject({
      symbol: 'SPY',
      interval: '1d',
      preset: 'chanpy',
      from: '2015-01-02',
      to: '2021-03-31',
    });
    expect(body.result.bars).toHaveLength(body.barCount);
    expect(body.result.strokes.length).toBeGreaterThan(10);
    const warm = await svc.fetch(url);
    expect(warm.headers.get('x-cache')).toBe('HIT');
    expect(await warm.text()).toBe(coldText);
    const other = (await (await svc.fetch(`${url}&preset=demo`)).json()) as { configHash: string };
    expect(other.configHash).not.toBe(body.configHash);
    const keys = spawnSync(REDIS_CLI, ['-p', String(redis.port), '--scan', '--pattern', '{SPY:1d}:a:*'], {
      encoding: 'utf8',
    })
      .stdout.trim()
      .split('\n');
    expect(keys.some((k) => k.includes(body.configHash))).toBe(true);
  });

  it('preset with config: the config on top of the preset, the same rule as the CLI (configFromOptions)', async () => {
    const cfg = '{"bi_strict":false}';
    const get = async (q: string) => {
      const r = await svc.fetch(`/api/v1/analysis/SPY?interval=1d&from=2015-01-01${q}`);
      const text = await r.text();
      expect(r.status, text.slice(0, 300)).toBe(200);
      return JSON.parse(text) as { preset: string | null; configHash: string; result: { strokeSignals: unknown[] } };
    };
    const both = await get(`&preset=classic&config=${encodeURIComponent(cfg)}`);
    const expected = configFromOptions({ preset: 'classic', config: { bi_strict: false } });
    expect(both.preset).toBeNull();
    expect(both.configHash).toBe(configHash(expected.config));
    const configOnly = await get(`&config=${encodeURIComponent(cfg)}`);
    const presetOnly = await get('&preset=classic');
    expect(new Set([both.configHash, configOnly.configHash, presetOnly.configHash]).size).toBe(3);
    const spelled = await get(
      `&config=${encodeURIComponent('{"bi_strict":false,"divergence_rate":0.9,"max_bs2_rate":0.618}')}`,
    );
    expect(spelled.configHash).toBe(both.configHash);
    expect(spelled.result.strokeSignals).toEqual(both.result.strokeSignals);
  });

  it('answers the structures only unless include names per-bar parts; each variant is its own cache entry', async () => {
    const base = '/api/v1/analysis/SPY?interval=1d&from=2016-01-01';
    type Doc = { include: string[]; barCount: number; result: Record<string, unknown[] | undefined> };
    const leanRes = await svc.fetch(base);
    expect(leanRes.headers.get('x-cache')).toBe('MISS');
    const lean = (await leanRes.json()) as Doc;
    expect(lean.include).toEqual([]);
    expect(Object.keys(lean.result)).toEqual([
      'meta',
      'strokes',
      'segments',
      'segmentsOfSegments',
      'strokePivots',
      'segmentPivots',
      'strokeSignals',
      'segmentSignals',
    ]);
    // Same set in another order and spelling is the same entry; `all` is every part.
    const allRes = await svc.fetch(`${base}&include=fractals,bars,mergedBars`);
    expect(allRes.headers.get('x-cache')).toBe('MISS');
    const all = (await allRes.json()) as Doc;
    expect(all.include).toEqual(['bars', 'mergedBars', 'fractals']);
    expect(all.result.bars).toHaveLength(all.barCount);
    expect(all.result.mergedBars!.length).toBeGreaterThan(0);
    expect(all.result.fractals!.length).toBeGreaterThan(0);
    expect(all.result.strokes).toEqual(lean.result.strokes);
    expect((await svc.fetch(`${base}&include=all`)).headers.get('x-cache')).toBe('HIT');
    const bad = await svc.fetch(`${base}&include=bars,candles`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/include.*unknown part "candles"/);
  });

  it('analyses bars posted in the body without storing anything', async () => {
    const before = (await svc.scanAll()).length;
    const bars = fixture
      .trim()
      .split('\n')
      .slice(1, 400)
      .map((l) => {
        const [time, open, high, low, close, volume] = l.split(',');
        return { time, open: +open!, high: +high!, low: +low!, close: +close!, volume: +volume! };
      });
    const r = await svc.fetch('/api/v1/analysis', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bars, preset: 'classic', include: ['bars'] }),
    });
    const text = await r.text();
    expect(r.status, text.slice(0, 300)).toBe(200);
    const b = JSON.parse(text) as { barCount: number; preset: string; result: { bars: { time: string }[] } };
    expect(b).toMatchObject({ barCount: 399, preset: 'classic' });
    expect(b.result.bars[0]!.time).toBe('1998-01-02');
    expect((await svc.scanAll()).length).toBe(before);
  });

  it('serves an OpenAPI 3.1 document generated from the zod schemas', async () => {
    const doc = (await (await svc.fetch('/api/v1/openapi.json')).json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: { name: string; required: boolean }[];
            security?: unknown;
            requestBody?: { content: Record<string, unknown> };
          }
        >
      >;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/api/v1/analysis',
        '/api/v1/analysis/{symbol}',
        '/api/v1/klines/{symbol}',
        '/api/v1/openapi.json',
        '/api/v1/symbols',
        '/api/v1/symbols/{symbol}',
        '/api/v1/symbols/{symbol}/backfill',
        '/api/v1/jobs',
        '/api/v1/jobs/{id}',
        '/api/v1/watchlists',
        '/api/v1/watchlists/{name}',
        '/health',
      ].sort(),
    );
    const getKlines = doc.paths['/api/v1/klines/{symbol}']!.get!;
    expect(getKlines.parameters!.find((p) => p.name === 'interval')).toMatchObject({ required: true });
    expect(getKlines.parameters!.find((p) => p.name === 'limit')).toMatchObject({ required: false });
    expect(doc.paths['/api/v1/klines/{symbol}']!.post!.security).toEqual([{ apiKey: [] }]);
    expect(Object.keys(doc.paths['/api/v1/klines/{symbol}']!.post!.requestBody!.content)).toEqual([
      'application/json',
      'text/csv',
    ]);
    expect(doc.components.schemas).toHaveProperty('BarInput');
    expect(doc.components.schemas).toHaveProperty('Error');
    expect(JSON.stringify(doc)).not.toContain('#/$defs/');
  });

  it('CORS: allowed origins get headers on success and on errors; preflight is answered by the gateway', async () => {
    const ok = await svc.fetch('/api/v1/symbols', { headers: { origin: ORIGIN } });
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const bad = await svc.fetch('/api/v1/klines/SPY?interval=9x', { headers: { origin: ORIGIN } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const evil = await svc.fetch('/api/v1/symbols', { headers: { origin: 'https://evil.example' } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await svc.fetch('/api/v1/klines/SPY', {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-methods')).toBe('GET,POST,OPTIONS');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/X-Api-Key/);
  });
});

describe('GET /api/v1/analysis over more bars than MAX_ANALYSIS_BARS', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startService({ env: { MAX_ANALYSIS_BARS: '1000' } });
    await svc.uploadCsv('SPY', '1d', fixture);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  type Doc = {
    barCount: number;
    from: string;
    to: string;
    bars: { analysed: number; stored: number | null; from: string; to: string };
    truncated: boolean;
    next: { to: string; href: string } | null;
  };
  const get = async (path: string) => {
    const r = await svc.fetch(path);
    const text = await r.text();
    expect(r.status, text.slice(0, 300)).toBe(200);
    return JSON.parse(text) as Doc;
  };
  const times = fixture
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',')[0]!);

  it('says it analysed fewer bars than stored, and links the older page', async () => {
    const doc = await get('/api/v1/analysis/SPY?interval=1d&preset=classic');
    const n = times.length;
    expect(doc.truncated).toBe(true);
    expect(doc.bars).toEqual({ analysed: 1000, stored: n, from: times[n - 1000], to: times[n - 1] });
    expect([doc.barCount, doc.from, doc.to]).toEqual([1000, times[n - 1000], times[n - 1]]);
    expect(doc.next!.to).toBe(times[n - 1001]);
    // The link keeps the other parameters and asks for the bars up to the one before this window.
    const older = await get(doc.next!.href);
    expect(new URL(doc.next!.href, svc.url).searchParams.get('preset')).toBe('classic');
    expect(older.bars).toMatchObject({ analysed: 1000, from: times[n - 2000], to: times[n - 1001] });
    expect(older.truncated).toBe(true);
    // The documented response schema (and so the OpenAPI document) describes it.
    const spec = buildApiSpec({ maxKlinesLimit: 10, maxAnalysisBars: 1000, maxUploadBars: 10 });
    expect(z.strictObject(spec['GET /api/v1/analysis/{symbol}'].responses[200].schema.shape).parse(doc)).toEqual(doc);
    const openapi = (await (await svc.fetch('/api/v1/openapi.json')).json()) as {
      components: { schemas: { Analysis: { required: string[] } } };
    };
    expect(openapi.components.schemas.Analysis.required).toEqual(expect.arrayContaining(['bars', 'truncated', 'next']));
    // A range that fits is analysed whole: nothing to page.
    const range = await get(`/api/v1/analysis/SPY?interval=1d&from=${times[n - 500]}`);
    expect(range).toMatchObject({ truncated: false, next: null, bars: { analysed: 500, stored: n } });
  });

  it('pages down to the first bar, where the window holds every bar left', async () => {
    const doc = await get(`/api/v1/analysis/SPY?interval=1d&to=${times[999]}`);
    expect(doc).toMatchObject({
      truncated: false,
      next: null,
      bars: { analysed: 1000, from: times[0], to: times[999] },
    });
    const one = await get(`/api/v1/analysis/SPY?interval=1d&to=${times[1000]}`);
    expect(one).toMatchObject({ truncated: true, next: { to: times[0] }, bars: { analysed: 1000, from: times[1] } });
  });
});

describe('throttling mirrored from the route table', () => {
  it('POST /api/v1/analysis (burst 10) answers 429 once its bucket is empty; other routes are unaffected', async () => {
    const svc = await startService({ throttle: true });
    try {
      // All at once, so the bucket's refill (10 tokens/s) during the burst is small even on a busy machine.
      const statuses = await Promise.all(
        Array.from({ length: 40 }, async () => {
          const r = await svc.fetch('/api/v1/analysis', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{}',
          });
          await r.arrayBuffer();
          return r.status;
        }),
      );
      const passed = statuses.filter((s) => s === 400).length;
      expect(passed).toBeGreaterThanOrEqual(10);
      expect(passed).toBeLessThan(20);
      expect(statuses.filter((s) => s === 429).length).toBe(40 - passed);
      const t = await svc.fetch('/api/v1/analysis', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(await t.json()).toMatchObject({
        error: 'TooManyRequests',
        message: expect.stringMatching(/10 requests\/s \(burst 10\)/),
      });
      expect((await svc.fetch('/health')).status).toBe(200);
    } finally {
      await svc.stop();
    }
  });
});
