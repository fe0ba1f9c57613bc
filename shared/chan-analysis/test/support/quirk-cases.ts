// The quirk cases (fixtures/quirks, see fixtures/SOURCES.md) and the engine's result in their dump format.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { parseCsv, type BarInput, type ChanResult } from '../../src/index.js';
import { FIXTURES, type RefBsp, type RefLine, type RefZs } from './fixtures.js';

const DIR = `${FIXTURES}quirks/`;

/** One structure list per key, in the format of tools/chanpy_dump.py (reference/README.md). */
export interface ChanpyDump {
  bi: DumpLine[];
  seg: DumpLine[];
  segseg: DumpLine[];
  bi_zs: DumpZs[];
  seg_zs: DumpZs[];
  bsp: DumpBsp[];
  seg_bsp: DumpBsp[];
}
/** The dump format is a subset of the reference format's fields. */
type DumpLine = Pick<RefLine, 'idx' | 'dir' | 'begin_time' | 'end_time' | 'is_sure'>;
type DumpZs = Pick<
  RefZs,
  | 'begin_time'
  | 'end_time'
  | 'ZD_low'
  | 'ZG_high'
  | 'DD_peak_low'
  | 'GG_peak_high'
  | 'is_sure'
  | 'begin_sub_idx'
  | 'end_sub_idx'
>;
type DumpBsp = Pick<RefBsp, 'time' | 'is_buy' | 'types' | 'line_idx'>;

export interface QuirkCase {
  name: string;
  bars: BarInput[];
  /** chan.py option names. */
  config: Record<string, unknown>;
  /** chan.py's batch output, or the error it raised. */
  chanpy: ChanpyDump | { error: string };
  /** The output under the corrected semantics (a corrected copy of chan.py, fixtures/SOURCES.md). */
  corrected?: ChanpyDump;
  /** chan.py's step-mode state after the last bar (S1 only). */
  chanpyStep?: ChanpyDump;
}

const json = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
const optional = <T>(path: string): T | undefined => (existsSync(path) ? (json(path) as T) : undefined);

export function quirkCases(): QuirkCase[] {
  return readdirSync(DIR)
    .sort()
    .map((name) => {
      const d = `${DIR}${name}/`;
      const { bars, labels } = parseCsv(readFileSync(`${d}bars.csv`, 'utf8'));
      return {
        name,
        bars: bars.map((b, i) => ({ ...b, time: labels[i] })),
        config: json(`${d}config.json`) as Record<string, unknown>,
        chanpy: json(`${d}chanpy.json`) as QuirkCase['chanpy'],
        corrected: optional<ChanpyDump>(`${d}corrected.json`),
        chanpyStep: optional<ChanpyDump>(`${d}chanpy_step.json`),
      };
    });
}

export function quirkCase(prefix: string): QuirkCase {
  const c = quirkCases().find((q) => q.name.startsWith(prefix));
  if (c === undefined) throw new Error(`no quirk case ${prefix}`);
  return c;
}

/** The engine's result in the dump format. */
export function toDump(r: ChanResult): ChanpyDump {
  const lines = (ls: ChanResult['strokes']): DumpLine[] =>
    ls.map((l) => ({
      idx: l.idx,
      dir: l.direction === 'up' ? 'UP' : 'DOWN',
      begin_time: l.begin,
      end_time: l.end,
      is_sure: l.confirmed,
    }));
  const pivots = (zs: ChanResult['strokePivots']): DumpZs[] =>
    zs.map((z) => ({
      begin_time: z.begin,
      end_time: z.end,
      ZD_low: z.zd,
      ZG_high: z.zg,
      DD_peak_low: z.dd,
      GG_peak_high: z.gg,
      is_sure: z.confirmed,
      begin_sub_idx: z.startLine,
      end_sub_idx: z.endLine,
    }));
  const points = (ps: ChanResult['strokeSignals']): DumpBsp[] =>
    ps.map((p) => ({ time: p.time, is_buy: p.side === 'buy', types: p.types.join(','), line_idx: p.lineIdx }));
  return {
    bi: lines(r.strokes),
    seg: lines(r.segments),
    segseg: lines(r.segmentsOfSegments),
    bi_zs: pivots(r.strokePivots),
    seg_zs: pivots(r.segmentPivots),
    bsp: points(r.strokeSignals),
    seg_bsp: points(r.segmentSignals),
  };
}
