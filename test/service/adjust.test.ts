/**
 * Price adjustment at read time through the API (dynalite, in-process cache): stored bars stay unadjusted, qfq/hfq
 * follow the symbol's factors, analyses are cached per adjustment, and a factor that arrives after the bars were
 * stored re-adjusts history on the next read without rewriting a bar.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adjustBars, factorAt } from '../../functions/common/adjust.js';
import { adjustmentsKey } from '../../functions/cache/keys.js';
import { getDeps } from '../../functions/common/deps.js';
import { AdjustmentRepository, changePoints } from '../../functions/store/adjustments.js';
import { startService, type TestService } from '../support/service.js';

const d = (s: string) => Date.parse(`${s}T00:00:00Z`);

// Ten trading days of an A-share around a cash dividend (ex-date 2024-06-19): the raw close drops by the dividend.
const RAW = [
  ['2024-06-12', 10.0, 10.3, 9.9, 10.2],
  ['2024-06-13', 10.2, 10.4, 10.1, 10.3],
  ['2024-06-14', 10.3, 10.5, 10.2, 10.4],
  ['2024-06-17', 10.4, 10.6, 10.3, 10.5],
  ['2024-06-18', 10.5, 10.6, 10.4, 10.5],
  ['2024-06-19', 10.0, 10.2, 9.9, 10.1],
  ['2024-06-20', 10.1, 10.3, 10.0, 10.2],
  ['2024-06-21', 10.2, 10.4, 10.1, 10.3],
  ['2024-06-24', 10.3, 10.5, 10.2, 10.4],
  ['2024-06-25', 10.4, 10.6, 10.3, 10.5],
] as const;
const CSV = ['time,open,high,low,close,volume', ...RAW.map((r) => `${r.join(',')},1000`)].join('\n');
// Tushare-style cumulative factors: 1.0 before, 10.5 / (10.5 − 0.5) = 1.05 from the ex-date.
const FACTORS = RAW.map(([t]) => ({ date: d(t), factor: t < '2024-06-19' ? 1 : 1.05 }));

describe('factors', () => {
  it('keep only change points; the factor in force is the last one dated on or before the bar', () => {
    const f = changePoints(FACTORS);
    expect(f).toEqual([
      { date: d('2024-06-12'), factor: 1 },
      { date: d('2024-06-19'), factor: 1.05 },
    ]);
    expect(factorAt(f, d('2024-06-18'))).toBe(1);
    expect(factorAt(f, d('2024-06-19') + 5 * 3_600_000)).toBe(1.05); // an intraday bar of the ex-date
    expect(factorAt(f, d('2020-01-01'))).toBe(1); // before the first known point: the first factor
  });

  it('qfq keeps the newest prices and scales history; hfq keeps history and scales the newest', () => {
    const bars = RAW.map(([t, o, h, l, c]) => ({ ts: d(t), open: o, high: h, low: l, close: c, volume: 1000 }));
    const f = changePoints(FACTORS);
    const q = adjustBars(bars, f, 'qfq');
    const h = adjustBars(bars, f, 'hfq');
    expect(q.at(-1)).toEqual(bars.at(-1));
    expect(q[4]!.close).toBeCloseTo(10.5 / 1.05, 9); // 10.0: the pre-dividend close in today's terms
    expect(h[4]).toEqual(bars[4]);
    expect(h.at(-1)!.close).toBeCloseTo(10.5 * 1.05, 9);
    expect(q[0]!.volume).toBe(1000);
    expect(adjustBars(bars, f, 'none')).toEqual(bars);
  });
});

describe('GET /klines and /analysis with adjust', () => {
  let svc: TestService;
  let repo: AdjustmentRepository;
  const SYM = '600000.SH';

  beforeAll(async () => {
    svc = await startService();
    await svc.uploadCsv(SYM, '1d', CSV);
    repo = new AdjustmentRepository(svc.doc, svc.table.tableName);
  });
  afterAll(() => svc?.stop());

  const klines = async (q = '') => {
    const r = await svc.fetch(`/api/v1/klines/${SYM}?interval=1d${q}`);
    expect(r.status).toBe(200);
    const b = (await r.json()) as { bars: Array<{ close: number; open: number }> };
    return { adjust: r.headers.get('x-adjust'), closes: b.bars.map((x) => x.close) };
  };

  it('a symbol without factors reads unadjusted by default; an unknown adjust is a 400 naming the field', async () => {
    expect(await klines()).toEqual({ adjust: 'none', closes: RAW.map((r) => r[4]) });
    const bad = await svc.fetch(`/api/v1/klines/${SYM}?interval=1d&adjust=forward`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('adjust');
  });

  it('a factor stored after the bars re-adjusts history on the next read; the stored bars are not rewritten', async () => {
    const before = (await svc.scanAll()).filter((it) => String(it.pk).startsWith('K#'));
    const a1 = await svc.fetch(`/api/v1/analysis/${SYM}?interval=1d`);
    expect(a1.headers.get('x-adjust')).toBe('none');

    const { changed } = await repo.save(SYM, 'tushare', FACTORS, Date.now());
    expect(changed).toBe(true);
    await getDeps().cache.del([adjustmentsKey(SYM)]); // what the worker does when factors change

    const q = await klines();
    expect(q.adjust).toBe('qfq'); // the default for a symbol with factors
    expect(q.closes.slice(-5)).toEqual(RAW.slice(-5).map((r) => r[4]));
    q.closes.slice(0, 5).forEach((c, i) => expect(c).toBeCloseTo(RAW[i]![4] / 1.05, 6));
    const h = await klines('&adjust=hfq');
    h.closes.slice(-5).forEach((c, i) => expect(c).toBeCloseTo(RAW[5 + i]![4] * 1.05, 6));
    expect((await klines('&adjust=none')).closes).toEqual(RAW.map((r) => r[4]));

    // Analysis: a new entry per adjustment (MISS), each then cached (HIT).
    const a2 = await svc.fetch(`/api/v1/analysis/${SYM}?interval=1d`);
    expect([a2.headers.get('x-adjust'), a2.headers.get('x-cache')]).toEqual(['qfq', 'MISS']);
    const a3 = await svc.fetch(`/api/v1/analysis/${SYM}?interval=1d`);
    expect(a3.headers.get('x-cache')).toBe('HIT');
    const a4 = await svc.fetch(`/api/v1/analysis/${SYM}?interval=1d&adjust=none`);
    expect([a4.headers.get('x-adjust'), a4.headers.get('x-cache')]).toEqual(['none', 'HIT']);

    // Scan and multi-level jobs read the same qfq prices.
    const { loadBars } = await import('../../functions/jobs/runtime.js');
    expect((await loadBars(SYM, '1d', 100)).map((b) => b.close)).toEqual(q.closes);

    const after = (await svc.scanAll()).filter((it) => String(it.pk).startsWith('K#'));
    expect(after).toEqual(before);
  });

  it('the same factors again keep the rev (cached analyses stay valid); a new ex-date bumps it', async () => {
    const same = await repo.save(SYM, 'tushare', FACTORS, Date.now());
    expect(same).toMatchObject({ changed: false, record: { rev: 1 } });
    const next = await repo.save(SYM, 'tushare', [...FACTORS, { date: d('2024-06-25'), factor: 1.1 }], Date.now());
    expect(next).toMatchObject({ changed: true, record: { rev: 2 } });
    await getDeps().cache.del([adjustmentsKey(SYM)]);
    const a = await svc.fetch(`/api/v1/analysis/${SYM}?interval=1d`);
    expect(a.headers.get('x-cache')).toBe('MISS');
    const q = await klines();
    expect(q.closes.at(-1)).toBe(10.5);
    expect(q.closes.at(-2)).toBeCloseTo((10.4 * 1.05) / 1.1, 6);
  });
});
