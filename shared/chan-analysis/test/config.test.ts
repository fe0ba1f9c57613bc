/**
 * Config validation, chan.py option names and presets (chan-spec §12.1, §13, §14).
 */
import { describe, expect, it } from 'vitest';
import {
  CHANPY,
  CLASSIC,
  CORRECTED,
  ChanConfigError,
  DEMO,
  PRESETS,
  configHash,
  fromChanPy,
  getPreset,
  resolveConfig,
} from '../src/config.js';
import { configFromOptions } from '../src/chan.js';

function errorOf(fn: () => unknown): ChanConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ChanConfigError);
    return e as ChanConfigError;
  }
  throw new Error('expected a ChanConfigError');
}

describe('resolveConfig', () => {
  it('defaults to chan.py code defaults', () => {
    expect(resolveConfig()).toEqual(CHANPY);
    expect(resolveConfig({})).toEqual(CHANPY);
    expect(CHANPY.bsp.buy.divergenceRate).toBe(Infinity);
    expect(CHANPY.bsp.buy.maxBs2Rate).toBe(0.9999);
  });

  it('applies overrides per side and returns a frozen copy', () => {
    const c = resolveConfig({
      biStrict: false,
      macd: { fast: 5 },
      bsp: { sell: { divergenceRate: 'inf', bsType: '1,2' } },
    });
    expect(c.biStrict).toBe(false);
    expect(c.macd).toEqual({ fast: 5, slow: 26, signal: 9 });
    expect(c.bsp.sell.bsType).toEqual(['1', '2']);
    expect(c.bsp.buy.bsType).toEqual(CHANPY.bsp.buy.bsType);
    expect(Object.isFrozen(c.bsp.sell)).toBe(true);
    expect(CHANPY.biStrict).toBe(true);
  });

  it('starts from a named preset', () => {
    expect(resolveConfig({ preset: 'classic' })).toEqual(CLASSIC);
    expect(resolveConfig({ preset: 'classic', bsp: { buy: { maxBs2Rate: 0.5 } } }).bsp.sell.maxBs2Rate).toBe(0.618);
  });

  it.each([
    [{ nope: 1 }, 'nope'],
    [{ biAlgo: 'zigzag' }, 'biAlgo'],
    [{ biFxCheck: 'lenient' }, 'biFxCheck'],
    [{ segAlgo: 'dyh' }, 'segAlgo'],
    [{ leftSegMethod: 'none' }, 'leftSegMethod'],
    [{ zsAlgo: 'cross' }, 'zsAlgo'],
    [{ zsCombineMode: 'both' }, 'zsCombineMode'],
    [{ zsCombine: 'yes' }, 'zsCombine'],
    [{ biStrict: 1 }, 'biStrict'],
    [{ rsiCycle: 0 }, 'rsiCycle'],
    [{ macd: { fast: 1.5 } }, 'macd.fast'],
    [{ macd: { fast: 30 } }, 'macd.fast'],
    [{ macd: { slower: 3 } }, 'macd.slower'],
    [{ zsAlgo: 'over_seg', oneBiZs: true }, 'oneBiZs'],
    [{ bsp: { both: {} } }, 'bsp.both'],
    [{ bsp: { buy: { maxBs2Rate: 1.2 } } }, 'bsp.buy.maxBs2Rate'],
    [{ bsp: { sell: { bsp3aMaxZsCnt: 0 } } }, 'bsp.sell.bsp3aMaxZsCnt'],
    [{ bsp: { segBuy: { macdAlgo: 'macd' } } }, 'bsp.segBuy.macdAlgo'],
    [{ bsp: { segSell: { bsType: '1,4' } } }, 'bsp.segSell.bsType'],
    [{ bsp: { buy: { bsType: [] } } }, 'bsp.buy.bsType'],
    [{ bsp: { buy: { divergenceRate: 'lots' } } }, 'bsp.buy.divergenceRate'],
    [{ bsp: { buy: { divergenceRate: -1 } } }, 'bsp.buy.divergenceRate'],
    [{ bsp: { buy: { maxBsp2sLv: 1.5 } } }, 'bsp.buy.maxBsp2sLv'],
    [{ bsp: { buy: { minZsCnt: 0.5 } } }, 'bsp.buy.minZsCnt'],
    [{ bsp: { buy: { bs1Peak: 'true' } } }, 'bsp.buy.bs1Peak'],
    [{ bsp: { buy: { whatever: true } } }, 'bsp.buy.whatever'],
    [{ preset: 'aggressive' }, 'preset'],
  ])('rejects %j naming %s', (input, option) => {
    const e = errorOf(() => resolveConfig(input as never));
    expect(e.option).toBe(option);
    expect(e.message).toContain(option);
  });
});

describe('fromChanPy', () => {
  it('an empty dict is CHANPY', () => {
    expect(fromChanPy({})).toEqual(CHANPY);
  });

  it('maps chan.py names', () => {
    const c = fromChanPy({
      bi_strict: false,
      bi_fx_check: 'half',
      zs_algo: 'auto',
      one_bi_zs: true,
      macd: { fast: 6, slow: 13, signal: 5 },
    });
    expect([c.biStrict, c.biFxCheck, c.zsAlgo, c.oneBiZs]).toEqual([false, 'half', 'auto', true]);
    expect(c.macd).toEqual({ fast: 6, slow: 13, signal: 5 });
  });

  it('an unsuffixed bsp key sets both sides of both levels, then the seg level gets slope / all zs', () => {
    const c = fromChanPy({ macd_algo: 'area', bsp1_only_multibi_zs: true, divergence_rate: 0.8 });
    expect([c.bsp.buy.macdAlgo, c.bsp.sell.macdAlgo]).toEqual(['area', 'area']);
    expect([c.bsp.segBuy.macdAlgo, c.bsp.segSell.macdAlgo]).toEqual(['slope', 'slope']);
    expect([c.bsp.buy.bsp1OnlyMultibiZs, c.bsp.segSell.bsp1OnlyMultibiZs]).toEqual([true, false]);
    expect([c.bsp.buy.divergenceRate, c.bsp.segSell.divergenceRate]).toEqual([0.8, 0.8]);
  });

  it('suffixed keys override one side (-buy, -sell, -segbuy, -segsell) or both seg sides (-seg)', () => {
    const c = fromChanPy({
      'min_zs_cnt-buy': 2,
      'min_zs_cnt-sell': 3,
      'macd_algo-seg': 'amp',
      'bsp1_only_multibi_zs-segbuy': true,
      'max_bs2_rate-segsell': 0.5,
      max_bs2_rate: 0.7,
    });
    expect([c.bsp.buy.minZsCnt, c.bsp.sell.minZsCnt, c.bsp.segBuy.minZsCnt]).toEqual([2, 3, 1]);
    expect([c.bsp.segBuy.macdAlgo, c.bsp.segSell.macdAlgo, c.bsp.buy.macdAlgo]).toEqual(['amp', 'amp', 'peak']);
    expect([c.bsp.segBuy.bsp1OnlyMultibiZs, c.bsp.segSell.bsp1OnlyMultibiZs]).toEqual([true, false]);
    // The unsuffixed key is applied first whatever its position in the dict.
    expect([c.bsp.buy.maxBs2Rate, c.bsp.segSell.maxBs2Rate, c.bsp.segBuy.maxBs2Rate]).toEqual([0.7, 0.5, 0.7]);
  });

  it('bs_type as a comma string; divergence_rate as a number or "inf"', () => {
    const c = fromChanPy({ bs_type: '1,2,3a', 'divergence_rate-sell': 'inf', 'divergence_rate-buy': 0.9 });
    expect(c.bsp.segSell.bsType).toEqual(['1', '2', '3a']);
    expect([c.bsp.buy.divergenceRate, c.bsp.sell.divergenceRate]).toEqual([0.9, Infinity]);
  });

  it('accepts chan.py options without effect here (run mode, logging, plot indicators)', () => {
    expect(
      fromChanPy({
        trigger_step: true,
        skip_step: 10,
        print_warning: false,
        mean_metrics: [5, 20],
        cal_rsi: true,
        boll_n: 20,
      }),
    ).toEqual(CHANPY);
  });

  it.each([
    [{ bi_strictness: true }, 'bi_strictness'],
    [{ 'bi_strict-buy': true }, 'bi_strict-buy'],
    [{ 'divergence_rate-long': 1 }, 'divergence_rate-long'],
    [{ 'max_bs2_rate-buy': 1.5 }, 'max_bs2_rate-buy'],
    [{ bsp3a_max_zs_cnt: 0 }, 'bsp3a_max_zs_cnt'],
    [{ macd_algo: 'macd' }, 'macd_algo'],
    [{ bs_type: '1,2,4' }, 'bs_type'],
    [{ zs_combine_mode: 'both' }, 'zs_combine_mode'],
    [{ skip_step: -1 }, 'skip_step'],
    [{ macd: { fast: 12, slow: 26, signal: 9, extra: 1 } }, 'macd.extra'],
  ])('rejects %j naming %s', (input, option) => {
    expect(errorOf(() => fromChanPy(input)).option).toBe(option);
  });
});

describe('prototype keys are unknown options, not Object.prototype members', () => {
  // JSON.parse makes "__proto__" an own key, as it does for keys a caller sends in a request body or query.
  const PROTO_KEYS = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__'];

  it.each(PROTO_KEYS)('fromChanPy rejects %s, bare and with a bsp suffix', (key) => {
    expect(errorOf(() => fromChanPy(JSON.parse(`{"${key}": 1}`))).option).toBe(key);
    expect(errorOf(() => fromChanPy(JSON.parse(`{"${key}-buy": 1}`))).option).toBe(`${key}-buy`);
  });

  it.each(PROTO_KEYS)('resolveConfig rejects %s at the top, in a bsp side and as a side', (key) => {
    expect(errorOf(() => resolveConfig(JSON.parse(`{"${key}": 1}`))).option).toBe(key);
    expect(errorOf(() => resolveConfig(JSON.parse(`{"bsp": {"buy": {"${key}": 1}}}`))).option).toBe(`bsp.buy.${key}`);
    expect(errorOf(() => resolveConfig(JSON.parse(`{"bsp": {"${key}": {}}}`))).option).toBe(`bsp.${key}`);
  });

  it("an inherited preset is not read as the caller's preset", () => {
    const input = Object.create({ preset: 'classic' }) as Record<string, unknown>;
    expect(resolveConfig(input)).toEqual(CHANPY);
    expect(errorOf(() => getPreset('constructor')).option).toBe('preset');
  });
});

describe('presets', () => {
  it('classic = README intent: divergence 0.9, type-2 retracement 0.618 on every side', () => {
    for (const s of Object.values(CLASSIC.bsp)) {
      expect(s.divergenceRate).toBe(0.9);
      expect(s.maxBs2Rate).toBe(0.618);
    }
    expect(CLASSIC.bsp.segBuy.macdAlgo).toBe('slope');
    expect({ ...CLASSIC, bsp: null }).toEqual({ ...CHANPY, bsp: null });
  });

  it('classic and demo equal their chan.py option dicts read by fromChanPy (they are built without it)', () => {
    expect(CLASSIC).toEqual(fromChanPy({ divergence_rate: 0.9, max_bs2_rate: 0.618 }));
    expect(DEMO).toEqual(
      fromChanPy({ bsp2_follow_1: false, bsp3_follow_1: false, min_zs_cnt: 0, bs1_peak: false, macd_algo: 'peak' }),
    );
    expect(Object.isFrozen(CLASSIC.bsp.segSell) && Object.isFrozen(DEMO.bsp.buy.bsType)).toBe(true);
  });

  it('demo = chan.py main.py', () => {
    expect(DEMO.bsp.buy).toMatchObject({ bsp2Follow1: false, bsp3Follow1: false, minZsCnt: 0, bs1Peak: false });
    expect(DEMO.bsp.segSell.macdAlgo).toBe('slope');
  });

  it("corrected = chanpy with chan.py's quirks corrected; classic and demo keep chan.py's semantics", () => {
    expect(CORRECTED).toEqual({ ...CHANPY, quirks: 'corrected' });
    expect(CHANPY.quirks).toBe('chanpy');
    expect(CLASSIC.quirks).toBe('chanpy');
    expect(DEMO.quirks).toBe('chanpy');
    expect(resolveConfig({ preset: 'classic', quirks: 'corrected' })).toEqual({ ...CLASSIC, quirks: 'corrected' });
    expect(fromChanPy({ quirks: 'corrected', bi_strict: false })).toEqual({
      ...CHANPY,
      biStrict: false,
      quirks: 'corrected',
    });
    expect(errorOf(() => fromChanPy({ quirks: 'fixed' })).option).toBe('quirks');
    expect(errorOf(() => resolveConfig({ quirks: 'chan.py' as never })).option).toBe('quirks');
  });

  it('a side-suffixed bs_type: type-checked and without effect under chanpy (quirk A2), applied under corrected', () => {
    const chanpy = fromChanPy({ 'bs_type-buy': '2', 'bs_type-segsell': '1,3a' });
    expect(chanpy.bsp).toEqual(CHANPY.bsp);
    expect(errorOf(() => fromChanPy({ 'bs_type-buy': '4' })).option).toBe('bs_type-buy');
    const corrected = fromChanPy({ quirks: 'corrected', 'bs_type-buy': '2', 'bs_type-segsell': '1,3a' });
    expect(corrected.bsp.buy.bsType).toEqual(['2']);
    expect(corrected.bsp.sell.bsType).toEqual(CHANPY.bsp.sell.bsType);
    expect(corrected.bsp.segSell.bsType).toEqual(['1', '3a']);
    // The unsuffixed key sets every side under both semantics.
    expect(fromChanPy({ bs_type: '1,2' }).bsp.segBuy.bsType).toEqual(['1', '2']);
  });

  it.each([
    [{ 'macd_algo-seg': 'peak' }, 'macd_algo-seg'],
    [{ 'macd_algo-segbuy': 'rsi' }, 'macd_algo-segbuy'],
    [{ 'macd_algo-segsell': 'volumn' }, 'macd_algo-segsell'],
  ])('refuses a segment-level macd_algo other than slope/amp, naming the key: %j', (cfg, option) => {
    const e = errorOf(() => fromChanPy(cfg));
    expect(e.option).toBe(option);
    expect(e.message).toMatch(/"slope", "amp"/);
  });

  it('accepts slope and amp at segment level, and any stroke-level metric', () => {
    expect(fromChanPy({ 'macd_algo-seg': 'amp' }).bsp.segBuy.macdAlgo).toBe('amp');
    expect(fromChanPy({ macd_algo: 'area' }).bsp.segSell.macdAlgo).toBe('slope');
    expect(errorOf(() => resolveConfig({ bsp: { segBuy: { macdAlgo: 'peak' } } })).option).toBe('bsp.segBuy.macdAlgo');
  });

  it('getPreset', () => {
    expect(getPreset('chanpy')).toBe(CHANPY);
    expect(Object.keys(PRESETS)).toEqual(['chanpy', 'classic', 'demo', 'corrected']);
    expect(errorOf(() => getPreset('x')).option).toBe('preset');
  });
});

describe('preset with config: the one rule (CLI and API)', () => {
  it('applies the chan.py options on top of the preset, keeping what they do not name', () => {
    const c = fromChanPy({ bi_strict: false, 'divergence_rate-sell': 0.5 }, CLASSIC);
    expect(c.biStrict).toBe(false);
    expect([c.bsp.buy.divergenceRate, c.bsp.sell.divergenceRate]).toEqual([0.9, 0.5]);
    // classic's own values and its seg-level defaults stay where the config says nothing.
    expect([c.bsp.buy.maxBs2Rate, c.bsp.segSell.maxBs2Rate]).toEqual([0.618, 0.618]);
    expect(c.bsp.segBuy.macdAlgo).toBe('slope');
  });

  it('an unsuffixed macd_algo over a preset still leaves the seg level on slope, as chan.py does', () => {
    const c = fromChanPy({ macd_algo: 'area' }, DEMO);
    expect([c.bsp.buy.macdAlgo, c.bsp.segBuy.macdAlgo]).toEqual(['area', 'slope']);
    expect(c.bsp.buy.bsp2Follow1).toBe(false);
  });

  it('configFromOptions: config alone is over chanpy; with a preset it is over that preset (custom, preset null)', () => {
    expect(configFromOptions({ config: { bi_strict: false } }).config).toEqual(fromChanPy({ bi_strict: false }));
    const both = configFromOptions({ preset: 'classic', config: { bi_strict: false } });
    expect(both.preset).toBeNull();
    expect(both.config).toEqual(fromChanPy({ bi_strict: false }, CLASSIC));
    expect(both.config.bsp.buy.divergenceRate).toBe(0.9);
    expect(configHash(both.config)).not.toBe(configHash(CLASSIC));
    expect(configHash(both.config)).not.toBe(configHash(fromChanPy({ bi_strict: false })));
    expect(configFromOptions({ preset: 'classic', config: {} }).config).toEqual(CLASSIC);
    expect(errorOf(() => configFromOptions({ preset: 'nope', config: {} })).option).toBe('preset');
  });
});

describe('configHash', () => {
  it('is stable, key-order independent and distinguishes configs', () => {
    const a = resolveConfig({ biStrict: false, gapAsKl: true });
    const b = resolveConfig({ gapAsKl: true, biStrict: false });
    expect(configHash(a)).toBe(configHash(b));
    expect(configHash(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(configHash(CHANPY)).toBe(configHash(fromChanPy({})));
    expect(configHash(CHANPY)).not.toBe(configHash(CLASSIC));
    expect(configHash(CHANPY)).not.toBe(configHash(resolveConfig({ bsp: { segSell: { maxBsp2sLv: 2 } } })));
    expect(configHash(CHANPY)).not.toBe(configHash(CORRECTED));
    // Pinned: a change here invalidates every cache key (last changed by the `quirks` field, whose results
    // differ from before for bi_allow_sub_peak false / bi_algo fx configs).
    expect(configHash(CHANPY)).toBe('d3955f6d277fb15a');
  });
});
