/**
 * Property tests on random and adversarial series: no exception, the structural invariants hold, and a
 * streaming analyser (with the forming last bar replaced several times) equals a batch run at any moment.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze, ChanAnalyzer, type BarInput, type ChanResult } from '../src/index.js';
import { structures } from './support/structures.js';

type Shape = 'walk' | 'grid' | 'flat' | 'gaps' | 'onePrice' | 'fatTails';

/** A price path with the quirks that break naive engines: equal highs/lows, flat runs, gaps, one-price bars. */
function series(shape: Shape, steps: number[], t0 = Date.UTC(2020, 0, 1)): BarInput[] {
  const bars: BarInput[] = [];
  let p = 100;
  for (let i = 0; i < steps.length; i++) {
    // Fat tails: now and then a move many times the usual size.
    const s = shape === 'fatTails' && i % 17 === 5 ? steps[i] * 12 : steps[i];
    let open = p;
    p = Math.max(1, p + s);
    if (shape === 'grid') p = Math.max(1, Math.round(p)); // integer prices: equal highs and lows everywhere
    if (shape === 'gaps' && i % 7 === 3) open = p = p + (s > 0 ? 5 : -5) * Math.abs(s) + (s > 0 ? 3 : -3);
    if (shape === 'gaps') p = Math.max(1, p);
    open = Math.max(1, open);
    let high = Math.max(open, p) + Math.abs(s) / 2;
    let low = Math.min(open, p) - Math.abs(s) / 3;
    if (shape === 'grid') {
      high = Math.ceil(high);
      low = Math.max(0.5, Math.floor(low));
    }
    if (shape === 'flat' && i % 10 < 4) {
      // Flat run: the same bar repeated.
      const prev = bars[bars.length - 1];
      if (prev) {
        bars.push({ ...prev, time: t0 + i * 60_000 });
        continue;
      }
    }
    if (shape === 'onePrice' && i % 3 === 0) {
      high = low = open = p;
    }
    bars.push({ time: t0 + i * 60_000, open, high, low: Math.max(0.01, Math.min(low, open, p)), close: p });
  }
  return bars;
}

function checkInvariants(r: ChanResult): void {
  for (let i = 1; i < r.fractals.length; i++) {
    if (r.fractals[i].type === r.fractals[i - 1].type)
      throw new Error(`fractals ${i - 1} and ${i} are both ${r.fractals[i].type}`);
  }
  for (const lines of [r.strokes, r.segments, r.segmentsOfSegments]) {
    for (let i = 1; i < lines.length; i++) {
      expect(lines[i].beginTs).toBe(lines[i - 1].endTs);
    }
  }
  for (let i = 1; i < r.strokes.length; i++) expect(r.strokes[i].direction).not.toBe(r.strokes[i - 1].direction);
  for (const s of [...r.segments, ...r.segmentsOfSegments]) {
    if (!s.confirmed) continue;
    const n = s.endLine! - s.startLine! + 1;
    if (n < 3 || n % 2 === 0) throw new Error(`confirmed segment ${s.id} has ${n} sub-lines`);
  }
  for (const z of [...r.strokePivots, ...r.segmentPivots]) {
    if (!(z.zd < z.zg && z.dd <= z.zd && z.gg >= z.zg))
      throw new Error(`pivot ${z.id}: DD ${z.dd} ZD ${z.zd} ZG ${z.zg} GG ${z.gg}`);
  }
}

const shapes: Shape[] = ['walk', 'grid', 'flat', 'gaps', 'onePrice', 'fatTails'];
const arbSeries = fc
  .record({
    shape: fc.constantFrom(...shapes),
    steps: fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: 20, maxLength: 500 }),
  })
  .map(({ shape, steps }) => series(shape, steps));

describe('engine properties', () => {
  it('never throws and keeps the invariants, under several configs', () => {
    const configs = [
      undefined,
      { bi_strict: false },
      { bi_algo: 'fx' },
      { zs_algo: 'over_seg' },
      { one_bi_zs: true },
      { bi_allow_sub_peak: false, gap_as_kl: true },
      { seg_algo: 'break' },
      { seg_algo: '1+1' },
    ];
    fc.assert(
      fc.property(arbSeries, fc.constantFrom(...configs), (bars, config) => {
        checkInvariants(analyze(bars, { config }));
      }),
      { numRuns: 300 },
    );
  });

  it('streaming with a forming bar replaced several times equals batch at any moment', () => {
    fc.assert(
      fc.property(
        arbSeries,
        fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.constantFrom(
          undefined,
          { bi_allow_sub_peak: false },
          { bi_strict: false },
          { seg_algo: 'break' },
          { seg_algo: '1+1' },
        ),
        (bars, wiggles, config) => {
          const a = new ChanAnalyzer({ config });
          const checkEvery = Math.max(1, Math.floor(bars.length / 12));
          bars.forEach((bar, i) => {
            // Provisional versions of the bar first (a still-forming bar), then its final value.
            const k = i % 3;
            for (let j = 0; j < k; j++) {
              const w = wiggles[(i + j) % wiggles.length];
              const c = Math.max(0.5, bar.close + w);
              a.update({
                ...bar,
                close: c,
                high: Math.max(bar.open, c, bar.high + (w > 0 ? w : 0)),
                low: Math.max(0.01, Math.min(bar.open, c, bar.low + (w < 0 ? w : 0))),
              });
            }
            a.update(bar);
            // A snapshot after every bar drives the incremental pivot / buy-sell scopes the hardest.
            a.snapshot();
            if (i % checkEvery === 0 || i === bars.length - 1) {
              expect(structures(a.result({ structuresOnly: true }))).toEqual(
                structures(analyze(bars.slice(0, i + 1), { config })),
              );
            }
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('snapshots taken while the bar is still forming equal batch over the forming version', () => {
    fc.assert(
      fc.property(
        arbSeries,
        fc.array(fc.double({ min: -6, max: 6, noNaN: true }), { minLength: 3, maxLength: 30 }),
        (bars, wiggles) => {
          const a = new ChanAnalyzer();
          bars.forEach((bar, i) => {
            if (i % 5 === 4) {
              // Reach a new extreme, snapshot, then give the price back: the forming bar retreats.
              for (const w of wiggles.slice(0, 3)) {
                const c = Math.max(0.5, bar.close + w);
                const forming = {
                  ...bar,
                  close: c,
                  high: Math.max(bar.high, c, bar.open),
                  low: Math.max(0.01, Math.min(bar.low, c, bar.open)),
                };
                a.update(forming);
                expect(structures(a.result({ structuresOnly: true }))).toEqual(
                  structures(analyze([...bars.slice(0, i), forming])),
                );
              }
            }
            a.update(bar);
          });
          expect(structures(a.result())).toEqual(structures(analyze(bars)));
        },
      ),
      { numRuns: 120 },
    );
  });

  it('100,000 bars: no exception, invariants hold, no recursion limit, streaming equals batch', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    const bars = series(
      'walk',
      Array.from({ length: 100_000 }, () => rnd() * 2),
    );
    const batch = analyze(bars);
    checkInvariants(batch);
    expect(batch.strokes.length).toBeGreaterThan(3000);
    expect(batch.segments.length).toBeGreaterThan(300);
    const a = new ChanAnalyzer();
    for (const b of bars) a.update(b);
    expect(structures(a.result())).toEqual(structures(batch));
  });
});

/** Random chan.py configs over the options whose rules interact most, under both quirk semantics. */
const arbConfig = fc
  .record(
    {
      bi_allow_sub_peak: fc.boolean(),
      bi_algo: fc.constantFrom('normal', 'fx'),
      bi_fx_check: fc.constantFrom('strict', 'loss', 'half', 'totally'),
      bi_strict: fc.boolean(),
      gap_as_kl: fc.boolean(),
      bi_end_is_peak: fc.boolean(),
      zs_algo: fc.constantFrom('normal', 'over_seg', 'auto'),
      zs_combine_mode: fc.constantFrom('zs', 'peak'),
      one_bi_zs: fc.boolean(),
      left_seg_method: fc.constantFrom('peak', 'all'),
      quirks: fc.constantFrom('chanpy', 'corrected'),
    },
    { requiredKeys: ['quirks'] },
  )
  .filter((c) => !(c.zs_algo === 'over_seg' && c.one_bi_zs === true));

describe('every prefix under random configs', () => {
  it('the streaming snapshot after each bar equals a batch run over the bars so far', () => {
    fc.assert(
      fc.property(
        fc.record({
          shape: fc.constantFrom(...shapes),
          steps: fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: 20, maxLength: 160 }),
        }),
        arbConfig,
        ({ shape, steps }, config) => {
          const bars = series(shape, steps);
          const live = new ChanAnalyzer({ config });
          bars.forEach((bar, i) => {
            live.update(bar);
            const streamed = structures(live.result({ structuresOnly: true }));
            const batch = analyze(bars.slice(0, i + 1), { config });
            checkInvariants(batch);
            expect(streamed, `after bar ${i}`).toEqual(structures(batch));
          });
        },
      ),
      { numRuns: Number(process.env.CHAN_PROPERTY_RUNS ?? 150) },
    );
  });
});

describe('streaming on real data with spikes given back', () => {
  it('every bar first forms as a spike (snapshot taken), then closes as the real bar: equals batch throughout', async () => {
    const { readCsvRows } = await import('./support/fixtures.js');
    const rows = readCsvRows('us_spy_1d').slice(0, 2500);
    const a = new ChanAnalyzer();
    rows.forEach((r, i) => {
      const up = i % 2 === 0;
      const spike = up
        ? { ...r, high: r.high * 1.04, close: r.high * 1.03 }
        : { ...r, low: r.low * 0.96, close: r.low * 0.97 };
      a.update(spike);
      const withSpike = a.result({ structuresOnly: true });
      a.snapshot();
      if (i % 250 === 249) expect(structures(withSpike)).toEqual(structures(analyze([...rows.slice(0, i), spike])));
      a.update(r);
    });
    expect(structures(a.result())).toEqual(structures(analyze(rows)));
  });
});
