/**
 * Jobs analyse with the options the jobs API validated, under the same preset + config rule as GET /analysis and
 * the CLI (configFromOptions): a config on top of the preset, not instead of it.
 */
import { CLASSIC, configFromOptions, configHash, fromChanPy } from 'chan-analysis';
import { describe, expect, it } from 'vitest';
import { resolveEngineOptions } from '../../functions/common/engine.js';
import { engineOptionsOf } from '../../functions/jobs/analyses.js';

describe('job engine options', () => {
  it('keep the preset under a config, as the API resolved them', () => {
    const params = { preset: 'classic', config: { bi_strict: false } };
    const used = configFromOptions(engineOptionsOf(params)).config;
    expect(used).toEqual(fromChanPy({ bi_strict: false }, CLASSIC));
    expect(configHash(used)).toBe(resolveEngineOptions(params, 'chanpy').configHash);
  });

  it('default to chanpy, and a config alone applies over chanpy', () => {
    expect(configFromOptions(engineOptionsOf({})).preset).toBe('chanpy');
    expect(configFromOptions(engineOptionsOf({ config: { bi_strict: false } })).config).toEqual(
      fromChanPy({ bi_strict: false }),
    );
  });
});
