/**
 * Every option value the engine refuses is refused up front, as a ChanConfigError naming the option (a one-line
 * error: exit 1 in the CLI, 400 in the API), and every value it accepts analyses a real series to the end: no
 * option value reaches the analysis and fails there.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import {
  analyze,
  BI_ALGOS,
  BI_FX_CHECKS,
  ChanConfigError,
  fromChanPy,
  LEFT_SEG_METHODS,
  MACD_ALGOS,
  parseCsv,
  QUIRKS,
  SEG_ALGOS,
  ZS_ALGOS,
  ZS_COMBINE_MODES,
  type BarInput,
} from '../src/index.js';
import { FIXTURES } from './support/fixtures.js';

/** chan.py's option names (chan-spec §13, §12.1) and the engine's own `quirks`. */
const TOP = [
  'bi_algo',
  'bi_strict',
  'bi_fx_check',
  'gap_as_kl',
  'bi_end_is_peak',
  'bi_allow_sub_peak',
  'seg_algo',
  'left_seg_method',
  'zs_algo',
  'zs_combine',
  'zs_combine_mode',
  'one_bi_zs',
  'rsi_cycle',
  'macd',
  'quirks',
  'trigger_step',
  'skip_step',
  'kl_data_check',
  'max_kl_misalgin_cnt',
  'max_kl_inconsistent_cnt',
  'auto_skip_illegal_sub_lv',
  'print_warning',
  'print_err_time',
  'mean_metrics',
  'trend_metrics',
  'cal_demark',
  'demark',
  'cal_rsi',
  'cal_kdj',
  'kdj_cycle',
  'boll_n',
];
const BSP = [
  'bs_type',
  'divergence_rate',
  'min_zs_cnt',
  'bsp1_only_multibi_zs',
  'max_bs2_rate',
  'macd_algo',
  'bs1_peak',
  'bsp2_follow_1',
  'bsp3_follow_1',
  'bsp3_peak',
  'bsp2s_follow_2',
  'max_bsp2s_lv',
  'strict_bsp3',
  'bsp3a_max_zs_cnt',
];
const SUFFIXES = ['', '-buy', '-sell', '-segbuy', '-segsell', '-seg'];
const KEYS = [...TOP, ...BSP.flatMap((k) => SUFFIXES.map((s) => k + s))];

/** Values of every JSON type and the edge numbers, plus each key's own enumerated values. */
const ODD: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1,
  2,
  0.5,
  1e9,
  -1e9,
  'inf',
  '-inf',
  'x',
  '',
  [],
  [1],
  {},
  { fast: 1 },
];
const ENUMS: unknown[] = [
  ...BI_ALGOS,
  ...BI_FX_CHECKS,
  ...SEG_ALGOS,
  ...LEFT_SEG_METHODS,
  ...ZS_ALGOS,
  ...ZS_COMBINE_MODES,
  ...MACD_ALGOS,
  ...QUIRKS,
  '1,2',
  '3a,3b',
  { fast: 3, slow: 5, signal: 2 },
  { fast: 5, slow: 3, signal: 2 },
];

function readBars(name: string): BarInput[] {
  const { bars, labels } = parseCsv(readFileSync(`${FIXTURES}${name}.csv`, 'utf8'));
  return bars.map((b, i) => ({ ...b, time: labels[i] }));
}

describe('option values', () => {
  // Long enough for segment-level pivots and buy/sell points, where a segment-level metric is first used.
  const bars = readBars('cn_sse000001_1d');

  it('each is refused with a ChanConfigError naming its key, or analyses the series to the end', () => {
    let refused = 0;
    let accepted = 0;
    const seen = new Set<string>();
    for (const key of KEYS) {
      for (const value of [...ODD, ...ENUMS]) {
        const config = { [key]: value };
        let resolved;
        try {
          resolved = fromChanPy(config);
        } catch (e) {
          if (!(e instanceof ChanConfigError)) throw new Error(`${JSON.stringify(config)}: ${String(e)}`, { cause: e });
          expect(e.option.startsWith(key), `${JSON.stringify(config)} names ${e.option}`).toBe(true);
          expect(e.message).not.toContain('\n');
          refused++;
          continue;
        }
        // Accepted values: analyse once per distinct resolved config (most keys accept the same few values).
        const id = JSON.stringify(resolved, (_k, v: unknown) => (v === Infinity ? 'inf' : v));
        if (seen.has(id)) continue;
        seen.add(id);
        const r = analyze(bars, { config });
        expect(r.strokes.length).toBeGreaterThan(0);
        accepted++;
      }
    }
    expect(refused).toBeGreaterThan(1000);
    expect(accepted).toBeGreaterThan(50);
  });

  it.each([
    [{ 'macd_algo-seg': 'peak' }, 'macd_algo-seg'],
    [{ 'macd_algo-segbuy': 'area' }, 'macd_algo-segbuy'],
    [{ quirks: 'fixed' }, 'quirks'],
    [{ zs_algo: 'over_seg', one_bi_zs: true }, 'one_bi_zs'],
  ])('the CLI prints a refused value as one line naming the option, exit 1: %j', async (config, option) => {
    let out = '';
    let err = '';
    const code = await main(
      ['analyze', `${FIXTURES}us_spy_1d.csv`, '--config', JSON.stringify(config)],
      { write: (s: string) => (out += s) },
      { write: (s: string) => (err += s) },
    );
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toContain(`"${option}"`);
  });
});
