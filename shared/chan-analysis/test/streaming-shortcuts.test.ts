/**
 * Regression tests for the streaming fast paths of ChanAnalyzer: the snapshot that skips the derived layers
 * when nothing they read changed, and the stroke-level divergence metrics reading the live MACD series.
 * Real data (cn_sse000001_1d) with divergence_rate 0.9, so the type-1 points depend on the metric values.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze, ChanAnalyzer, parseCsv } from '../src/index.js';
import type { Bi } from '../src/bi/bi.js';
import { strokeMetric } from '../src/divergence/metrics.js';
import { FIXTURES } from './support/fixtures.js';
import { structures } from './support/structures.js';

const { bars, labels } = parseCsv(readFileSync(`${FIXTURES}/cn_sse000001_1d.csv`, 'utf8'));

describe('streaming shortcuts', () => {
  for (const macdAlgo of ['peak', 'area', 'full_area', 'diff', 'volumn', 'amp']) {
    it(`snapshot per bar (forming bars included) equals batch, macd_algo ${macdAlgo}, divergence_rate 0.9`, () => {
      const config = { divergence_rate: 0.9, macd_algo: macdAlgo };
      const n = 1200;
      const a = new ChanAnalyzer({ config });
      for (let i = 0; i < n; i++) {
        const b = bars[i];
        // A forming version first: reaches beyond the final range, then the bar closes.
        a.update({ ...b, high: b.high * 1.01, close: b.high * 1.01 }, labels[i]);
        a.snapshot();
        a.update(b, labels[i]);
        a.snapshot();
        if (i % 150 === 149) {
          expect(structures(a.result({ structuresOnly: true }))).toEqual(
            structures(analyze(bars.slice(0, i + 1), { config })),
          );
        }
      }
    });
  }

  it('stroke-level divergence metrics read the whole MACD series', () => {
    const a = new ChanAnalyzer({ config: { divergence_rate: 0.9 } });
    for (let i = 0; i < bars.length; i++) a.update(bars[i], labels[i]);
    const s = a.snapshot();
    const withType1 = s.strokeSignals.filter((p) => p.types.includes('1'));
    expect(withType1.length).toBeGreaterThan(0);
    for (const p of withType1) expect(p.features.divergence_rate).toBeLessThanOrEqual(0.9);
    // The calculator's metric equals the metric over the snapshot's own series.
    const st = s.strokes[10] as Bi;
    expect(strokeMetric(st, 'peak', false, s.bars, s.indicators)).toBeGreaterThan(1e-6);
  });
});
