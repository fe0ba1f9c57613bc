/**
 * `chan` command line:
 *   chan analyze FILE.csv [--config JSON] [--preset NAME] [--json [--include bars,mergedBars,fractals|all]]
 *   chan resample FILE.csv --to INTERVAL [--market crypto|cn|us]
 *   chan --version
 * The CSV has the header `time,open,high,low,close[,volume]`. `--config` takes chan.py's option names
 * (chan-spec §13), e.g. '{"bi_strict": false, "divergence_rate": 0.9}', applied on top of `--preset` when both
 * are given (configFromOptions: the same rule as the API). `--json` prints meta and the structures; the per-bar
 * parts (bars with MACD, merged bars, fractals: ~99 % of a 50k-bar document) only when named in `--include`, as
 * the API's `include` does, and a document with them is written in chunks.
 */
import { readFileSync } from 'node:fs';
import { ChanAnalyzer } from './chan.js';
import { ChanConfigError, PRESETS } from './config.js';
import { CsvError, parseCsv, readCsv } from './csv.js';
import { BarValidationError } from './bar.js';
import { INTERVAL_MINUTES, isInterval, MARKETS, resample, INTERVALS, type Interval } from './resample.js';
import { PER_BAR_PARTS, type PerBarPart } from './output.js';
import type { ChanResult, ResultLine, ResultPivot, ResultSignal } from './result.js';
import { writeJsonChunked, type ChunkSink } from './json-stream.js';

type Writable = ChunkSink;

const USAGE = `usage:
  chan analyze FILE.csv [--config JSON] [--preset ${Object.keys(PRESETS).join('|')}] [--json [--include PARTS]]
  chan resample FILE.csv --to ${INTERVALS.join('|')} [--market crypto|cn|us]
  chan --version

FILE.csv has the header time,open,high,low,close[,volume]. --config takes chan.py option names,
e.g. --config '{"bi_strict": false, "divergence_rate": 0.9}', applied on top of --preset when both are given.
--json prints the analysis as JSON: meta and the structures (strokes, segments, pivots, buy/sell points);
--include adds per-bar parts: a comma-separated list of ${PER_BAR_PARTS.join(', ')}, or all (the whole document).
resample only aggregates (to the file's interval or a coarser one).`;

/** A mistake in the command line: the message, then the usage (exit 2). */
class UsageError extends Error {}
/** A request the data cannot satisfy: one line (exit 1). */
class InputError extends Error {}

/** Options that take a value, and switches; per command, the ones it accepts. */
const VALUE_OPTIONS = new Set(['config', 'preset', 'include', 'to', 'market']);
const SWITCHES = new Set(['json', 'help', 'version']);
const COMMAND_OPTIONS: Record<string, readonly string[]> = {
  analyze: ['config', 'preset', 'json', 'include'],
  resample: ['to', 'market'],
};

function parseArgs(argv: string[]): { positional: string[]; flags: Map<string, string | true> } {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h') flags.set('help', true);
    else if (a === '-v' || a === '-V') flags.set('version', true);
    else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq > 0 ? eq : undefined);
      if (SWITCHES.has(name)) {
        if (eq > 0) throw new UsageError(`--${name} takes no value`);
        flags.set(name, true);
      } else if (VALUE_OPTIONS.has(name)) {
        const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) throw new UsageError(`--${name} needs a value`);
        flags.set(name, v);
      } else throw new UsageError(`unknown option --${name}`);
    } else positional.push(a);
  }
  return { positional, flags };
}

/** Each option given must be one the command takes. */
function checkOptions(command: string, flags: Map<string, string | true>): void {
  const allowed = COMMAND_OPTIONS[command];
  if (allowed === undefined) return;
  for (const name of flags.keys()) {
    if (!SWITCHES.has(name) || name === 'json') {
      if (!allowed.includes(name))
        throw new UsageError(
          `unknown option --${name} for ${command} (it takes ${allowed.map((o) => `--${o}`).join(', ')})`,
        );
    }
  }
}

/** The interval a gap between bars stands for, within 10 % (a daily series stamped at a local time has 23 h at a DST change). */
const SLACK = 0.9;
function describeGap(ms: number): string {
  const iv = INTERVALS.find((i) => Math.abs(INTERVAL_MINUTES[i] * 60_000 - ms) <= (1 - SLACK) * ms);
  return iv ?? `${Math.round(ms / 60_000)} minutes`;
}

/**
 * Resampling aggregates bars into coarser buckets; asked for a finer interval it would only relabel the bars.
 * The file's interval is read from its closest two bars (sessions, weekends and holidays only widen gaps).
 */
function refuseUpsampling(file: string, times: readonly number[], to: Interval): void {
  let minGap = Infinity;
  for (let i = 1; i < times.length; i++) minGap = Math.min(minGap, times[i]! - times[i - 1]!);
  if (!Number.isFinite(minGap) || minGap <= 0) return;
  if (INTERVAL_MINUTES[to] * 60_000 < minGap * SLACK) {
    throw new InputError(
      `cannot resample ${file} to ${to}: the bars are ${describeGap(minGap)} apart, and resampling only aggregates to the same or a coarser interval`,
    );
  }
}

function packageVersion(): string {
  // src/ and dist/ both sit next to package.json.
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The per-bar parts `--include` names, in document order (`all` = every one). */
function parseInclude(raw: string): PerBarPart[] {
  const wanted = new Set<string>();
  for (const n of raw.split(',').map((x) => x.trim())) {
    if (n === '') continue;
    if (n === 'all') PER_BAR_PARTS.forEach((p) => wanted.add(p));
    else if ((PER_BAR_PARTS as readonly string[]).includes(n)) wanted.add(n);
    else throw new UsageError(`--include: unknown part "${n}" (use ${PER_BAR_PARTS.join(', ')} or all)`);
  }
  return PER_BAR_PARTS.filter((p) => wanted.has(p));
}

/**
 * The file as one flat string. Read synchronously (the CLI has nothing else to do meanwhile): the promise API
 * decodes in chunks and joins them into a rope, which the first scan (the line count) then flattens, ~6 ms more
 * per process on a 3 MB file.
 */
function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

function lineCount(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

export async function main(argv: string[], out: Writable, err: Writable): Promise<number> {
  try {
    const { positional, flags } = parseArgs(argv);
    const [command, file] = positional;
    if (flags.has('version')) {
      out.write(`chan ${packageVersion()}\n`);
      return 0;
    }
    if (flags.has('help') || command === undefined) {
      out.write(`${USAGE}\n`);
      return command === undefined && !flags.has('help') ? 2 : 0;
    }
    if (COMMAND_OPTIONS[command] === undefined) throw new UsageError(`unknown command "${command}"`);
    checkOptions(command, flags);
    if (file === undefined) throw new UsageError(`${command}: missing FILE.csv`);
    if (command === 'analyze') {
      let config: Record<string, unknown> | undefined;
      const raw = flags.get('config');
      if (typeof raw === 'string') {
        try {
          config = JSON.parse(raw);
        } catch (e) {
          throw new UsageError(`--config is not valid JSON: ${(e as Error).message}`);
        }
      }
      const preset = flags.get('preset');
      const rawInclude = flags.get('include');
      if (typeof rawInclude === 'string' && !flags.has('json')) throw new UsageError('--include needs --json');
      const include = typeof rawInclude === 'string' ? parseInclude(rawInclude) : [];
      const text = readText(file);
      const a = new ChanAnalyzer({ config, preset: typeof preset === 'string' ? preset : undefined });
      // Rows go straight from the reader into the analyser (which copies them): no object per bar, and the
      // times are parsed once, the labels kept as written.
      // At most one bar per line: sized once, the per-bar columns never regrow (each regrowth copies them all).
      a.reserve(lineCount(text));
      const span: string[] = [];
      readCsv(text, undefined, (row, label) => {
        if (span.length === 0) span.push(label);
        span[1] = label;
        a.update(row, label);
      });
      if (!flags.has('json')) {
        out.write(summary(file, a.result({ include: ['mergedBars', 'fractals'] }), span));
        return 0;
      }
      const result: Partial<ChanResult> = a.result({ include });
      for (const part of PER_BAR_PARTS) if (!include.includes(part)) delete result[part];
      await writeJsonChunked(result as Record<string, unknown>, out);
      return 0;
    }
    const to = flags.get('to');
    if (typeof to !== 'string' || !isInterval(to)) throw new UsageError(`--to must be one of ${INTERVALS.join(', ')}`);
    const market = (flags.get('market') ?? 'crypto') as string;
    if (!Object.prototype.hasOwnProperty.call(MARKETS, market))
      throw new UsageError('--market must be crypto, cn or us');
    // parseCsv gives epoch-ms times (see CsvBars).
    const bars = parseCsv(readText(file)).bars as Parameters<typeof resample>[0];
    refuseUpsampling(
      file,
      bars.map((b) => b.time),
      to,
    );
    const rows = resample(bars, to, MARKETS[market as keyof typeof MARKETS]);
    out.write('time,open,high,low,close,volume\n');
    for (const r of rows) out.write(`${r.label},${r.open},${r.high},${r.low},${r.close},${r.volume}\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      err.write(`chan: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (
      e instanceof InputError ||
      e instanceof CsvError ||
      e instanceof BarValidationError ||
      e instanceof ChanConfigError
    ) {
      err.write(`chan: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(8).replace(/\.?0+$/, ''));
const mark = (confirmed: boolean) => (confirmed ? ' ' : '?');

function lineRow(l: ResultLine): string {
  const arrow = l.direction === 'up' ? '↑' : '↓';
  return `  ${mark(l.confirmed)} ${arrow} ${l.begin} → ${l.end}  ${fmt(l.beginVal)} → ${fmt(l.endVal)}`;
}

function pivotRow(z: ResultPivot): string {
  return `  ${mark(z.confirmed)} ${z.begin} → ${z.end}  ZD ${fmt(z.zd)}  ZG ${fmt(z.zg)}  DD ${fmt(z.dd)}  GG ${fmt(z.gg)}`;
}

function signalRow(p: ResultSignal): string {
  const label = p.types.map((t) => `${t}${p.side === 'buy' ? 'B' : 'S'}`).join(',');
  return `  ${mark(p.confirmed)} ${p.time}  ${p.side.padEnd(4)} ${label.padEnd(10)} @ ${fmt(p.price)}`;
}

function section<T>(title: string, items: readonly T[], row: (t: T) => string, last = 8): string {
  const shown = items.slice(-last);
  const more = items.length > shown.length ? ` (last ${shown.length})` : '';
  return `${title}: ${items.length}${more}\n${shown.map(row).join('\n')}${shown.length ? '\n' : ''}`;
}

/** The human-readable summary: counts, then the latest structures ("?" marks unconfirmed ones). */
/** `span`: the first and last bar's time as written. */
export function summary(file: string, r: ChanResult, span: readonly string[]): string {
  const first = span[0] ?? '-';
  const last = span[span.length - 1] ?? '-';
  return [
    `${file}: ${r.meta.barCount} bars (${first} … ${last}), preset ${r.meta.preset ?? 'custom'}`,
    `merged bars: ${r.mergedBars.length}, fractals: ${r.fractals.length}`,
    section('strokes (笔)', r.strokes, lineRow, 5),
    section('segments (线段)', r.segments, lineRow, 5),
    section('segments of segments', r.segmentsOfSegments, lineRow, 3),
    section('stroke pivots (笔中枢)', r.strokePivots, pivotRow, 3),
    section('segment pivots (线段中枢)', r.segmentPivots, pivotRow, 3),
    section('stroke buy/sell points (笔买卖点)', r.strokeSignals, signalRow),
    section('segment buy/sell points (线段买卖点)', r.segmentSignals, signalRow, 4),
    '("?" = not yet confirmed: can still change)\n',
  ].join('\n');
}
