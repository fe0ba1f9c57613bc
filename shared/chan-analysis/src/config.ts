/**
 * The one config object of the engine (chan.py CChanConfig). Field names are camelCase; `fromChanPy` accepts
 * chan.py's own option names (chan-spec §13), including the per-side suffixes -buy, -sell, -segbuy, -segsell
 * and -seg of the buy/sell-point keys (§12.1).
 */
import { BSP_TYPES, type BspType } from './types.js';

export type BiAlgo = 'normal' | 'fx';
export type BiFxCheck = 'strict' | 'loss' | 'half' | 'totally';
export type SegAlgo = 'chan' | 'break' | '1+1';
export type LeftSegMethod = 'peak' | 'all';
export type ZsAlgo = 'normal' | 'over_seg' | 'auto';
export type ZsCombineMode = 'zs' | 'peak';
/**
 * Which semantics where chan.py's behaviour follows from its code rather than from the theory (README,
 * "The quirk contract"): `chanpy` reproduces chan.py exactly, `corrected` gives what the rules intend.
 */
export type Quirks = 'chanpy' | 'corrected';
export type MacdAlgo =
  | 'peak'
  | 'full_area'
  | 'area'
  | 'diff'
  | 'slope'
  | 'amp'
  | 'volumn'
  | 'amount'
  | 'volumn_avg'
  | 'amount_avg'
  | 'turnrate_avg'
  | 'rsi';

export const BI_ALGOS: readonly BiAlgo[] = ['normal', 'fx'];
export const BI_FX_CHECKS: readonly BiFxCheck[] = ['strict', 'loss', 'half', 'totally'];
export const SEG_ALGOS: readonly SegAlgo[] = ['chan', 'break', '1+1'];
export const LEFT_SEG_METHODS: readonly LeftSegMethod[] = ['peak', 'all'];
export const ZS_ALGOS: readonly ZsAlgo[] = ['normal', 'over_seg', 'auto'];
export const ZS_COMBINE_MODES: readonly ZsCombineMode[] = ['zs', 'peak'];
export const QUIRKS: readonly Quirks[] = ['chanpy', 'corrected'];
/** The only metrics chan.py defines for a segment used as a line (the segment-level buy/sell points). */
export const SEG_MACD_ALGOS: readonly MacdAlgo[] = ['slope', 'amp'];
export const MACD_ALGOS: readonly MacdAlgo[] = [
  'peak',
  'full_area',
  'area',
  'diff',
  'slope',
  'amp',
  'volumn',
  'amount',
  'volumn_avg',
  'amount_avg',
  'turnrate_avg',
  'rsi',
];

/** Buy/sell-point knobs for one side of one level (chan-spec §12.1). */
export interface BspSideConfig {
  /** Types that are stored / reported. */
  bsType: BspType[];
  /** Type 1/1p need out ≤ rate·in; for type 1 a rate > 100 means "always divergent". */
  divergenceRate: number;
  minZsCnt: number;
  bsp1OnlyMultibiZs: boolean;
  maxBs2Rate: number;
  macdAlgo: MacdAlgo;
  bs1Peak: boolean;
  bsp2Follow1: boolean;
  bsp3Follow1: boolean;
  bsp3Peak: boolean;
  bsp2sFollow2: boolean;
  /** null = no limit. */
  maxBsp2sLv: number | null;
  strictBsp3: boolean;
  bsp3aMaxZsCnt: number;
}

export type BspSideName = 'buy' | 'sell' | 'segBuy' | 'segSell';
export const BSP_SIDES: readonly BspSideName[] = ['buy', 'sell', 'segBuy', 'segSell'];

export interface ChanConfig {
  // Strokes (§6)
  biAlgo: BiAlgo;
  biStrict: boolean;
  biFxCheck: BiFxCheck;
  gapAsKl: boolean;
  biEndIsPeak: boolean;
  biAllowSubPeak: boolean;
  // Segments (§7)
  segAlgo: SegAlgo;
  leftSegMethod: LeftSegMethod;
  // Pivots (§8)
  zsAlgo: ZsAlgo;
  zsCombine: boolean;
  zsCombineMode: ZsCombineMode;
  oneBiZs: boolean;
  // Indicators (§3)
  macd: { fast: number; slow: number; signal: number };
  rsiCycle: number;
  // Buy/sell points (§12), per side and level
  bsp: { buy: BspSideConfig; sell: BspSideConfig; segBuy: BspSideConfig; segSell: BspSideConfig };
  /** chan.py's quirks reproduced (`chanpy`) or corrected (`corrected`). */
  quirks: Quirks;
}

/** Thrown for any invalid option; `option` names it (camelCase path, or chan.py's key in `fromChanPy`). */
export class ChanConfigError extends Error {
  readonly option: string;
  constructor(option: string, message: string) {
    super(`invalid config option "${option}": ${message}`);
    this.name = 'ChanConfigError';
    this.option = option;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Presets

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as Record<string, unknown>)) deepFreeze(v);
  }
  return o;
}

const chanpySide: BspSideConfig = {
  bsType: ['1', '1p', '2', '2s', '3a', '3b'],
  divergenceRate: Infinity,
  minZsCnt: 1,
  bsp1OnlyMultibiZs: true,
  maxBs2Rate: 0.9999,
  macdAlgo: 'peak',
  bs1Peak: true,
  bsp2Follow1: true,
  bsp3Follow1: true,
  bsp3Peak: false,
  bsp2sFollow2: false,
  maxBsp2sLv: null,
  strictBsp3: false,
  bsp3aMaxZsCnt: 1,
};
/** The seg level gets macd_algo "slope" and counts every pivot (chan-spec §12.1). */
const chanpySegSide: BspSideConfig = { ...chanpySide, macdAlgo: 'slope', bsp1OnlyMultibiZs: false };

function cloneConfig(c: ChanConfig): ChanConfig {
  const side = (s: BspSideConfig): BspSideConfig => ({ ...s, bsType: [...s.bsType] });
  return {
    ...c,
    macd: { ...c.macd },
    bsp: { buy: side(c.bsp.buy), sell: side(c.bsp.sell), segBuy: side(c.bsp.segBuy), segSell: side(c.bsp.segSell) },
  };
}

/** chan.py's *code* defaults (CChanConfig, commit 429d6ed3): the conformance preset. */
export const CHANPY: ChanConfig = deepFreeze({
  biAlgo: 'normal',
  biStrict: true,
  biFxCheck: 'strict',
  gapAsKl: false,
  biEndIsPeak: true,
  biAllowSubPeak: true,
  segAlgo: 'chan',
  leftSegMethod: 'peak',
  zsAlgo: 'normal',
  zsCombine: true,
  zsCombineMode: 'zs',
  oneBiZs: false,
  macd: { fast: 12, slow: 26, signal: 9 },
  rsiCycle: 14,
  bsp: { buy: chanpySide, sell: chanpySide, segBuy: chanpySegSide, segSell: chanpySegSide },
  quirks: 'chanpy',
} satisfies ChanConfig);

export function getPreset(name: string): ChanConfig {
  if (!Object.hasOwn(PRESETS, name)) {
    throw new ChanConfigError(
      'preset',
      `unknown preset "${name}" (expected one of ${Object.keys(PRESETS).join(', ')})`,
    );
  }
  return PRESETS[name as PresetName];
}

// ---------------------------------------------------------------------------------------------------------
// Validation

/** Numbers may arrive as JSON, where Infinity cannot be written: "inf" / "Infinity" strings are accepted. */
function parseNumber(option: string, v: unknown): number {
  if (typeof v === 'number' && !Number.isNaN(v)) return v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'inf' || s === 'infinity' || s === '+inf' || s === 'float("inf")') return Infinity;
    if (s !== '' && Number.isFinite(Number(s))) return Number(s);
  }
  throw new ChanConfigError(option, `expected a number, got ${JSON.stringify(v)}`);
}

function parseBool(option: string, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  throw new ChanConfigError(option, `expected a boolean, got ${JSON.stringify(v)}`);
}

function parseEnum<T extends string>(option: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  throw new ChanConfigError(
    option,
    `expected one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${JSON.stringify(v)}`,
  );
}

function parseInteger(option: string, v: unknown, min: number): number {
  const n = parseNumber(option, v);
  if (!Number.isInteger(n) || n < min)
    throw new ChanConfigError(option, `expected an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return n;
}

/** chan.py takes bs_type as a comma string ("1,2,3a"); arrays are accepted too. */
function parseBsType(option: string, v: unknown): BspType[] {
  const items = typeof v === 'string' ? v.split(',').map((s) => s.trim()) : Array.isArray(v) ? v : null;
  if (items === null || items.length === 0) {
    throw new ChanConfigError(option, `expected a comma list or array of ${BSP_TYPES.join(', ')}`);
  }
  for (const t of items) {
    if (!(BSP_TYPES as readonly unknown[]).includes(t)) {
      throw new ChanConfigError(
        option,
        `unknown buy/sell point type ${JSON.stringify(t)} (expected ${BSP_TYPES.join(', ')})`,
      );
    }
  }
  return items as BspType[];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * A lookup table entry for a caller-chosen key: own properties only, so "constructor", "toString" or "__proto__"
 * (an own key when it comes from JSON.parse) are unknown options rather than Object.prototype members.
 */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

type SideParser = (option: string, v: unknown) => unknown;
const SIDE_PARSERS: { [K in keyof BspSideConfig]: SideParser } = {
  bsType: parseBsType,
  divergenceRate: (o, v) => {
    const n = parseNumber(o, v);
    if (n < 0) throw new ChanConfigError(o, `must be ≥ 0, got ${n}`);
    return n;
  },
  minZsCnt: (o, v) => parseInteger(o, v, Number.MIN_SAFE_INTEGER),
  bsp1OnlyMultibiZs: parseBool,
  maxBs2Rate: (o, v) => {
    const n = parseNumber(o, v);
    // chan.py asserts max_bs2_rate <= 1 (a retracement beyond the break stroke is no longer a type 2).
    if (!(n <= 1)) throw new ChanConfigError(o, `must be ≤ 1, got ${n}`);
    return n;
  },
  macdAlgo: (o, v) => parseEnum(o, v, MACD_ALGOS),
  bs1Peak: parseBool,
  bsp2Follow1: parseBool,
  bsp3Follow1: parseBool,
  bsp3Peak: parseBool,
  bsp2sFollow2: parseBool,
  maxBsp2sLv: (o, v) => (v === null ? null : parseInteger(o, v, 0)),
  strictBsp3: parseBool,
  bsp3aMaxZsCnt: (o, v) => parseInteger(o, v, 1),
};

type Parser = (option: string, v: unknown) => unknown;
const TOP_PARSERS: { [K in Exclude<keyof ChanConfig, 'bsp' | 'macd'>]: Parser } = {
  biAlgo: (o, v) => parseEnum(o, v, BI_ALGOS),
  biStrict: parseBool,
  biFxCheck: (o, v) => parseEnum(o, v, BI_FX_CHECKS),
  gapAsKl: parseBool,
  biEndIsPeak: parseBool,
  biAllowSubPeak: parseBool,
  segAlgo: (o, v) => parseEnum(o, v, SEG_ALGOS),
  leftSegMethod: (o, v) => parseEnum(o, v, LEFT_SEG_METHODS),
  zsAlgo: (o, v) => parseEnum(o, v, ZS_ALGOS),
  zsCombine: parseBool,
  zsCombineMode: (o, v) => parseEnum(o, v, ZS_COMBINE_MODES),
  oneBiZs: parseBool,
  rsiCycle: (o, v) => parseInteger(o, v, 1),
  quirks: (o, v) => parseEnum(o, v, QUIRKS),
};

function applyMacd(target: ChanConfig, v: unknown, option: string): void {
  if (!isPlainObject(v)) throw new ChanConfigError(option, 'expected an object {fast, slow, signal}');
  for (const [k, x] of Object.entries(v)) {
    if (k !== 'fast' && k !== 'slow' && k !== 'signal') throw new ChanConfigError(`${option}.${k}`, 'unknown option');
    target.macd[k] = parseInteger(`${option}.${k}`, x, 1);
  }
}

function applySide(target: BspSideConfig, patch: Record<string, unknown>, path: string): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    const parser = own<SideParser>(SIDE_PARSERS, k);
    if (parser === undefined) throw new ChanConfigError(`${path}.${k}`, 'unknown option');
    (target as unknown as Record<string, unknown>)[k] = parser(`${path}.${k}`, v);
  }
}

/**
 * Cross-field rules chan.py enforces elsewhere (asserts deep in its code, or an exception when the value is
 * first used). `names` gives the option name to report for a field when it differs from the camelCase path.
 */
function checkConsistency(c: ChanConfig, names: Partial<Record<string, string>> = {}): void {
  if (c.zsAlgo === 'over_seg' && c.oneBiZs) {
    throw new ChanConfigError(names.oneBiZs ?? 'oneBiZs', 'zs_algo "over_seg" requires one_bi_zs = false');
  }
  for (const side of ['segBuy', 'segSell'] as const) {
    const algo = c.bsp[side].macdAlgo;
    if (!SEG_MACD_ALGOS.includes(algo)) {
      const option = names[`bsp.${side}.macdAlgo`] ?? `bsp.${side}.macdAlgo`;
      throw new ChanConfigError(
        option,
        `segment-level buy/sell points only have the metrics ${SEG_MACD_ALGOS.map((a) => `"${a}"`).join(', ')}, got "${algo}"`,
      );
    }
  }
  if (c.macd.fast >= c.macd.slow) {
    throw new ChanConfigError('macd.fast', `must be shorter than macd.slow (${c.macd.fast} ≥ ${c.macd.slow})`);
  }
}

export type BspSideInput = Partial<Omit<BspSideConfig, 'bsType' | 'divergenceRate' | 'maxBs2Rate'>> & {
  bsType?: BspType[] | string;
  divergenceRate?: number | string;
  maxBs2Rate?: number | string;
};

/**
 * What `resolveConfig` accepts: any subset of `ChanConfig` (per bsp side too), on top of a preset (default
 * `chanpy`). Numbers may be given as strings ("inf"); `bsType` as a comma string.
 */
export type ChanConfigInput = Partial<Omit<ChanConfig, 'macd' | 'bsp'>> & {
  preset?: PresetName;
  macd?: Partial<ChanConfig['macd']>;
  bsp?: Partial<Record<BspSideName, BspSideInput>>;
};

/**
 * Validates `input` and returns a complete, frozen config. Unknown keys are rejected (like chan.py's
 * PARA_ERROR); every error is a `ChanConfigError` naming the option.
 */
export function resolveConfig(input: ChanConfigInput | ChanConfig = {}): ChanConfig {
  if (!isPlainObject(input)) throw new ChanConfigError('(root)', 'expected an object');
  const raw = input as Record<string, unknown>;
  const preset = own(raw, 'preset');
  const base = preset === undefined ? CHANPY : getPreset(String(preset));
  const out = cloneConfig(base);
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'preset' || v === undefined) continue;
    if (k === 'macd') {
      applyMacd(out, v, 'macd');
    } else if (k === 'bsp') {
      if (!isPlainObject(v)) throw new ChanConfigError('bsp', 'expected an object {buy, sell, segBuy, segSell}');
      for (const [side, patch] of Object.entries(v)) {
        if (patch === undefined) continue;
        if (!(BSP_SIDES as readonly string[]).includes(side))
          throw new ChanConfigError(`bsp.${side}`, 'unknown option');
        if (!isPlainObject(patch)) throw new ChanConfigError(`bsp.${side}`, 'expected an object');
        applySide(out.bsp[side as BspSideName], patch, `bsp.${side}`);
      }
    } else {
      const parser = own<Parser>(TOP_PARSERS, k);
      if (parser === undefined) throw new ChanConfigError(k, 'unknown option');
      (out as unknown as Record<string, unknown>)[k] = parser(k, v);
    }
  }
  checkConsistency(out);
  return deepFreeze(out);
}

// ---------------------------------------------------------------------------------------------------------
// chan.py option names

/** chan.py keys that map onto ChanConfig fields. */
const CHANPY_TOP: Record<string, keyof typeof TOP_PARSERS> = {
  bi_algo: 'biAlgo',
  bi_strict: 'biStrict',
  bi_fx_check: 'biFxCheck',
  gap_as_kl: 'gapAsKl',
  bi_end_is_peak: 'biEndIsPeak',
  bi_allow_sub_peak: 'biAllowSubPeak',
  seg_algo: 'segAlgo',
  left_seg_method: 'leftSegMethod',
  zs_algo: 'zsAlgo',
  zs_combine: 'zsCombine',
  zs_combine_mode: 'zsCombineMode',
  one_bi_zs: 'oneBiZs',
  rsi_cycle: 'rsiCycle',
  // The engine's own key (not chan.py's): which semantics for chan.py's quirks.
  quirks: 'quirks',
};

/**
 * chan.py keys accepted (so that a chan.py config dict converts without edits) but without effect on this
 * engine's results: run mode (step and batch give the same result, §1), multi-level checks, logging, and the
 * plot-only indicators. They are still type-checked.
 */
const CHANPY_IGNORED: Record<string, Parser> = {
  trigger_step: parseBool,
  skip_step: (o, v) => parseInteger(o, v, 0),
  kl_data_check: parseBool,
  max_kl_misalgin_cnt: (o, v) => parseInteger(o, v, 0),
  max_kl_inconsistent_cnt: (o, v) => parseInteger(o, v, 0),
  auto_skip_illegal_sub_lv: parseBool,
  print_warning: parseBool,
  print_err_time: parseBool,
  mean_metrics: (o, v) => {
    if (!Array.isArray(v)) throw new ChanConfigError(o, 'expected a list of periods');
    return v.map((x, i) => parseInteger(`${o}[${i}]`, x, 1));
  },
  trend_metrics: (o, v) => {
    if (!Array.isArray(v)) throw new ChanConfigError(o, 'expected a list of periods');
    return v.map((x, i) => parseInteger(`${o}[${i}]`, x, 1));
  },
  cal_demark: parseBool,
  demark: (o, v) => {
    if (!isPlainObject(v)) throw new ChanConfigError(o, 'expected an object');
    return v;
  },
  // RSI is computed whenever a side uses macd_algo "rsi"; the flag itself changes nothing else.
  cal_rsi: parseBool,
  cal_kdj: parseBool,
  kdj_cycle: (o, v) => parseInteger(o, v, 1),
  boll_n: (o, v) => parseInteger(o, v, 1),
};

const CHANPY_BSP: Record<string, keyof BspSideConfig> = {
  bs_type: 'bsType',
  divergence_rate: 'divergenceRate',
  min_zs_cnt: 'minZsCnt',
  bsp1_only_multibi_zs: 'bsp1OnlyMultibiZs',
  max_bs2_rate: 'maxBs2Rate',
  macd_algo: 'macdAlgo',
  bs1_peak: 'bs1Peak',
  bsp2_follow_1: 'bsp2Follow1',
  bsp3_follow_1: 'bsp3Follow1',
  bsp3_peak: 'bsp3Peak',
  bsp2s_follow_2: 'bsp2sFollow2',
  max_bsp2s_lv: 'maxBsp2sLv',
  strict_bsp3: 'strictBsp3',
  bsp3a_max_zs_cnt: 'bsp3aMaxZsCnt',
};

const SUFFIXES: readonly [string, readonly BspSideName[]][] = [
  ['-buy', ['buy']],
  ['-sell', ['sell']],
  ['-segbuy', ['segBuy']],
  ['-segsell', ['segSell']],
  ['-seg', ['segBuy', 'segSell']],
];

function setSide(
  out: ChanConfig,
  sides: readonly BspSideName[],
  field: keyof BspSideConfig,
  v: unknown,
  key: string,
): void {
  const parsed = SIDE_PARSERS[field](key, v);
  for (const s of sides) (out.bsp[s] as unknown as Record<string, unknown>)[field] = parsed;
}

/**
 * chan.py sets these two on the seg level after the unsuffixed keys (macd_algo "slope", bsp1_only_multibi_zs
 * false), so an unsuffixed key never reaches the seg sides for them: only -seg, -segbuy and -segsell keys do.
 */
const SEG_LEVEL_OWN: ReadonlySet<keyof BspSideConfig> = new Set(['macdAlgo', 'bsp1OnlyMultibiZs']);

/**
 * Converts a chan.py `CChanConfig` dict (its option names exactly, chan-spec §13 and §12.1) to a ChanConfig,
 * over `base` (chan.py's code defaults unless given: a preset, for "preset, then config on top" — the one rule
 * the CLI and the API share through `configFromOptions`). Unsuffixed bsp keys set all four sides, except
 * macd_algo and bsp1_only_multibi_zs, which stay the seg level's own (SEG_LEVEL_OWN); suffixed keys apply
 * afterwards in the dict's order. Unknown keys, including unknown bsp keys with a suffix (which chan.py would
 * silently store), throw a `ChanConfigError` naming the key.
 *
 * One key is the engine's own: `quirks` (`chanpy` by default, or `corrected`). Under `chanpy` a side-suffixed
 * `bs_type` (`bs_type-buy`, …) is type-checked and then has no effect, as in chan.py, which stores it in an
 * attribute nothing reads (quirk A2); under `corrected` it sets that side's types.
 */
export function fromChanPy(obj: Record<string, unknown>, base: ChanConfig = CHANPY): ChanConfig {
  if (!isPlainObject(obj)) throw new ChanConfigError('(root)', 'expected an object');
  const out = cloneConfig(base);
  const suffixed: [string, unknown][] = [];
  // The chan.py key that last set a segment side's metric, to name it if the value is refused.
  const names: Record<string, string> = { oneBiZs: 'one_bi_zs' };
  for (const [key, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    const top = own(CHANPY_TOP, key);
    const ignored = own(CHANPY_IGNORED, key);
    const bsp = own(CHANPY_BSP, key);
    if (top !== undefined) {
      (out as unknown as Record<string, unknown>)[top] = TOP_PARSERS[top](key, v);
    } else if (key === 'macd') {
      applyMacd(out, v, key);
    } else if (ignored !== undefined) {
      ignored(key, v);
    } else if (bsp !== undefined) {
      setSide(out, SEG_LEVEL_OWN.has(bsp) ? ['buy', 'sell'] : BSP_SIDES, bsp, v, key);
    } else {
      suffixed.push([key, v]);
    }
  }
  for (const [key, v] of suffixed) {
    const match = SUFFIXES.find(([suf]) => key.endsWith(suf));
    const field = match ? own(CHANPY_BSP, key.slice(0, key.length - match[0].length)) : undefined;
    if (match === undefined || field === undefined)
      throw new ChanConfigError(key, 'unknown chan.py option (PARA_ERROR)');
    if (field === 'bsType' && out.quirks === 'chanpy') {
      SIDE_PARSERS.bsType(key, v);
      continue;
    }
    setSide(out, match[1], field, v, key);
    if (field === 'macdAlgo') for (const s of match[1]) names[`bsp.${s}.macdAlgo`] = key;
  }
  checkConsistency(out, names);
  return deepFreeze(out);
}

/** Whether some side uses the RSI divergence metric, so the level must compute RSI (chan.py needs cal_rsi). */
export function configNeedsRsi(config: ChanConfig): boolean {
  return BSP_SIDES.some((s) => config.bsp[s].macdAlgo === 'rsi');
}

// ---------------------------------------------------------------------------------------------------------
// Hash

/** Key-sorted JSON with Infinity spelled "inf", so equal configs give equal text regardless of key order. */
function canonical(v: unknown): string {
  if (typeof v === 'number') {
    if (v === Infinity) return '"inf"';
    if (v === -Infinity) return '"-inf"';
    return Object.is(v, -0) ? '0' : JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isPlainObject(v)) {
    const keys = Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * Stable 64-bit FNV-1a hex digest of the resolved config (cache keys). Equal configs hash equally whatever
 * their key order; the "v2" salt changes if the canonical form ever does (v2: the `quirks` field).
 */
export function configHash(config: ChanConfig): string {
  const text = `chan-config-v2:${canonical(config)}`;
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const mask = 0xffffffffffffffffn;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * prime) & mask;
  }
  return h.toString(16).padStart(16, '0');
}

// ---------------------------------------------------------------------------------------------------------
// Named presets

/**
 * CHANPY with `patch` on all four bsp sides, as chan.py's unsuffixed keys set them (config.test checks each preset
 * against its chan.py dict through fromChanPy). Built without the option parser: fromChanPy's first run, at
 * import, cost every fresh process ~1 ms (a tenth of the import) for two constant objects.
 */
function chanpyWithSides(patch: Partial<BspSideConfig>): ChanConfig {
  const c = cloneConfig(CHANPY);
  for (const s of BSP_SIDES) Object.assign(c.bsp[s], patch);
  return deepFreeze(c);
}

/**
 * What chan.py's README and quick_guide document as the defaults, where they differ from its code
 * (chan-spec §14): `divergence_rate` 0.9 (MACD divergence really filters type 1/1p, instead of the code's `inf`
 * which lets every zs break through) and `max_bs2_rate` 0.618 (golden-ratio retracement for type 2/2s instead
 * of 0.9999). Both apply to every side of both levels, like chan.py's unsuffixed keys. Everything else is
 * `CHANPY`. Expect 30–70 % fewer signals than `chanpy` (§15).
 */
export const CLASSIC: ChanConfig = chanpyWithSides({ divergenceRate: 0.9, maxBs2Rate: 0.618 });

/**
 * The configuration of chan.py's own `main.py` demo (chan-spec §15): type 2/3 no longer wait for a stored
 * type-1 point, type 1/1p need no pivot count, and type 1 need not be the pivot's extreme. Gives 1.6–2× the
 * signals of `chanpy`. (The demo's `macd_algo: 'peak'` is chan.py's default already: the stroke sides keep it,
 * and an unsuffixed key leaves the seg sides' own `slope`.)
 */
export const DEMO: ChanConfig = chanpyWithSides({
  bsp2Follow1: false,
  bsp3Follow1: false,
  minZsCnt: 0,
  bs1Peak: false,
});

/**
 * chan.py's code defaults with its quirks corrected (README, "The quirk contract"): what the rules intend
 * where chan.py's code does something else. Equal to `chanpy` on chan.py's default options and the reference
 * series; differs only in the quirk families (sub-peak off, `bi_algo: fx` with a loose fractal check, a
 * side-suffixed `bs_type`).
 */
export const CORRECTED: ChanConfig = deepFreeze({ ...cloneConfig(CHANPY), quirks: 'corrected' } satisfies ChanConfig);

export type PresetName = 'chanpy' | 'classic' | 'demo' | 'corrected';
export const PRESETS: Readonly<Record<PresetName, ChanConfig>> = Object.freeze({
  chanpy: CHANPY,
  classic: CLASSIC,
  demo: DEMO,
  corrected: CORRECTED,
});
