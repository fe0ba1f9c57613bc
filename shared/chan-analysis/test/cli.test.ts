import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { FIXTURES, readReference } from './support/fixtures.js';

const BIN = fileURLToPath(new URL('../bin/chan.js', import.meta.url));
const PKG = fileURLToPath(new URL('..', import.meta.url));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { write: (s: string) => (out += s) }, { write: (s: string) => (err += s) });
  return { code, out, err };
}

describe('chan CLI', () => {
  beforeAll(() => {
    // The bin runs the compiled package, as `npx chan` does after `npm ci` (root prepare builds it).
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: PKG });
  });

  it('analyze --json prints the documented document, agreeing with chan.py', () => {
    const stdout = execFileSync('node', [BIN, 'analyze', `${FIXTURES}cn_sse000001_1d.csv`, '--json'], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    const doc = JSON.parse(stdout);
    for (const key of [
      'bars',
      'mergedBars',
      'fractals',
      'strokes',
      'segments',
      'segmentsOfSegments',
      'strokePivots',
      'segmentPivots',
      'strokeSignals',
      'segmentSignals',
    ]) {
      expect(Array.isArray(doc[key]), key).toBe(true);
    }
    const ref = readReference('cn_sse000001_1d');
    expect(doc.bars.length).toBe(3332);
    expect(doc.strokes[0]).toMatchObject({
      begin: ref.bi[0].begin_time,
      end: ref.bi[0].end_time,
      direction: 'up',
      high: ref.bi[0].high,
      low: ref.bi[0].low,
      confirmed: true,
    });
    expect(doc.strokePivots[0]).toMatchObject({
      begin: '2007-05-29',
      end: '2007-07-06',
      zd: 3563.54,
      zg: 4312,
      dd: 3404.15,
      gg: 4335.96,
      confirmed: true,
    });
    expect(doc.strokeSignals[0]).toMatchObject({ time: '2007-10-16', side: 'sell', types: ['1'] });
    expect(doc.segmentSignals.length).toBe(ref.seg_bsp.length);
  });

  it('--config takes chan.py option names and changes the result', async () => {
    const base = JSON.parse((await run(['analyze', `${FIXTURES}us_spy_1d.csv`, '--json'])).out);
    const loose = JSON.parse(
      (
        await run([
          'analyze',
          `${FIXTURES}us_spy_1d.csv`,
          '--json',
          '--config',
          '{"bi_strict": false, "divergence_rate": 0.9}',
        ])
      ).out,
    );
    expect(loose.strokes.length).toBeGreaterThan(base.strokes.length);
    expect(loose.meta.preset).toBeNull();
    expect(base.meta.preset).toBe('chanpy');
  });

  it('prints a readable summary without --json', async () => {
    const { code, out } = await run(['analyze', `${FIXTURES}cn_sse000001_1d.csv`]);
    expect(code).toBe(0);
    expect(out).toContain('3332 bars (2006-11-06 … 2020-07-16)');
    expect(out).toMatch(/strokes \(笔\): 183/);
    expect(out).toMatch(/segments \(线段\): 25/);
    expect(out).toMatch(/2020-07-09 {2}sell 1S/);
  });

  it('names the line of a bad CSV row, and the option of a bad config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chan-cli-'));
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'time,open,high,low,close\n2020-01-01,1,2,0.5,1.5\n2020-01-02,1,oops,0.5,1\n');
    const bad = await run(['analyze', file]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/line 3/);
    expect(bad.err).toMatch(/high/);
    const cfg = await run(['analyze', `${FIXTURES}us_spy_1d.csv`, '--config', '{"bi_strictt": false}']);
    expect(cfg.code).toBe(1);
    expect(cfg.err).toContain('bi_strictt');
    const json = await run(['analyze', `${FIXTURES}us_spy_1d.csv`, '--config', '{oops']);
    expect(json.code).toBe(2);
    expect(json.err).toContain('--config is not valid JSON');
    const missing = spawnSync('node', [BIN, 'analyze', join(dir, 'nope.csv')], { encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('cannot read');
  });

  it('--preset with --config: the config applies on top of the preset (the rule of the API too)', async () => {
    const json = async (...args: string[]) =>
      JSON.parse((await run(['analyze', `${FIXTURES}us_spy_1d.csv`, '--json', ...args])).out);
    const both = await json('--preset', 'classic', '--config', '{"bi_strict": false}');
    // classic is divergence_rate 0.9 and max_bs2_rate 0.618 on every side: spelled out, the same analysis.
    const spelled = await json('--config', '{"bi_strict": false, "divergence_rate": 0.9, "max_bs2_rate": 0.618}');
    const configOnly = await json('--config', '{"bi_strict": false}');
    expect(both.strokeSignals).toEqual(spelled.strokeSignals);
    expect(both.segmentSignals).toEqual(spelled.segmentSignals);
    expect(both.strokeSignals).not.toEqual(configOnly.strokeSignals);
  });

  it('--version prints the package version', () => {
    const r = spawnSync('node', [BIN, '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const pkg = JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8')) as { version: string };
    expect(r.stdout.trim()).toBe(`chan ${pkg.version}`);
  });

  it('names an unknown option as such, and an option the command does not take', async () => {
    const unknown = await run(['analyze', `${FIXTURES}us_spy_1d.csv`, '--colour']);
    expect(unknown.code).toBe(2);
    expect(unknown.err.split('\n')[0]).toBe('chan: unknown option --colour');
    expect(unknown.err).not.toContain('needs a value');
    const elsewhere = await run(['analyze', `${FIXTURES}us_spy_1d.csv`, '--to', '1h']);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.err.split('\n')[0]).toBe(
      'chan: unknown option --to for analyze (it takes --config, --preset, --json)',
    );
    const noValue = await run(['resample', `${FIXTURES}us_spy_1d.csv`, '--to']);
    expect(noValue.err.split('\n')[0]).toBe('chan: --to needs a value');
  });

  it('resample refuses to up-sample (daily bars to 1h) with one line and a non-zero exit', () => {
    const r = spawnSync('node', [BIN, 'resample', `${FIXTURES}us_spy_1d.csv`, '--to', '1h', '--market', 'us'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^chan: cannot resample .* to 1h: the bars are 1d apart/);
    // Down-sampling the same file still works.
    const weekly = spawnSync('node', [BIN, 'resample', `${FIXTURES}us_spy_1d.csv`, '--to', '1w', '--market', 'us'], {
      encoding: 'utf8',
    });
    expect(weekly.status).toBe(0);
    expect(weekly.stdout.split('\n').length).toBeGreaterThan(100);
  });

  it('resample turns 1-minute bars into session-aligned hourly bars', async () => {
    const { code, out } = await run(['resample', `${FIXTURES}cn_sse000001_1m.csv`, '--to', '1h', '--market', 'cn']);
    expect(code).toBe(0);
    const rows = out.trim().split('\n');
    expect(rows[0]).toBe('time,open,high,low,close,volume');
    expect(rows.length - 1).toBe(208 * 4);
    expect(rows[1].startsWith('2015-01-05T02:30:00Z,')).toBe(true);
  });
});
