/**
 * The one place handlers touch the chan-analysis engine: option resolution (the engine's own rule for preset and
 * config, configFromOptions, so the API and the CLI cannot disagree), the config hash used in cache keys, and the
 * mapping of the engine's own errors to 400s naming the option or bar.
 */
import {
  analyze,
  BarValidationError,
  ChanConfigError,
  configFromOptions,
  configHash,
  PRESETS,
  type BarInput,
  type ChanResult,
} from 'chan-analysis';
import { INCLUDE_PARTS, type IncludePart } from './columns.js';
import { badRequest } from './errors.js';

export interface EngineOptions {
  preset?: string;
  config?: Record<string, unknown>;
}

export interface ResolvedOptions {
  /** What goes to analyze(). */
  options: EngineOptions;
  /** The preset reported: null for a custom config (a config alone, or a config on top of a preset). */
  preset: string | null;
  configHash: string;
}

/**
 * Validate options up front (before any bars are read) and compute the hash of the resolved config. A config is
 * applied on top of the preset when both are given (over chan.py's defaults when alone); the service's default
 * preset applies only when neither is given.
 */
export function resolveEngineOptions(input: EngineOptions, defaultPreset: string): ResolvedOptions {
  const preset = input.preset ?? (input.config === undefined ? defaultPreset : undefined);
  if (preset !== undefined && !Object.prototype.hasOwnProperty.call(PRESETS, preset)) {
    throw badRequest(`Invalid preset: unknown preset "${preset}" (use one of ${Object.keys(PRESETS).join(', ')})`, [
      { field: 'preset', message: `unknown preset "${preset}"` },
    ]);
  }
  const options: EngineOptions = {
    ...(preset === undefined ? {} : { preset }),
    ...(input.config === undefined ? {} : { config: input.config }),
  };
  try {
    const resolved = configFromOptions(options);
    return { options, preset: resolved.preset, configHash: configHash(resolved.config) };
  } catch (e) {
    throw mapEngineError(e);
  }
}

export function runEngine(bars: BarInput[], resolved: ResolvedOptions): ChanResult {
  try {
    return analyze(bars, resolved.options);
  } catch (e) {
    throw mapEngineError(e);
  }
}

const PER_BAR: ReadonlySet<string> = new Set(INCLUDE_PARTS);

/**
 * The result as the API returns it: the engine's document in its own key order, minus the per-bar parts the caller
 * did not name in `include` (absent, not empty, so "not asked for" cannot be mistaken for "none found").
 */
export function projectResult(result: ChanResult, include: readonly IncludePart[]): Partial<ChanResult> {
  if (include.length === PER_BAR.size) return result;
  const out: Record<string, unknown> = {};
  // Keys, not entries: reading a per-bar part builds it (analyze() makes them on first read), and the ones not
  // asked for need not be built at all.
  for (const k of Object.keys(result) as (keyof ChanResult)[]) {
    if (!PER_BAR.has(k) || include.includes(k as IncludePart)) out[k] = result[k];
  }
  return out as Partial<ChanResult>;
}

/** Engine errors are caller errors (bad option or bar): 400 naming it. Anything else stays a 500. */
export function mapEngineError(e: unknown): unknown {
  if (e instanceof ChanConfigError) {
    return badRequest(`Invalid config option "${e.option}": ${e.message}`, [
      { field: `config.${e.option}`, message: e.message },
    ]);
  }
  if (e instanceof BarValidationError) {
    return badRequest(`Invalid bars[${e.index}].${e.field}: ${e.detail}`, [
      { field: `bars[${e.index}].${e.field}`, message: e.detail },
    ]);
  }
  return e;
}
