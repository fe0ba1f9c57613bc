/**
 * The analyser of one level: bars in, every Chan structure out (chan.py CChan for one K-line type).
 *
 * `update(bar)` is the streaming entry: it appends a closed bar, or replaces the still-forming last bar when
 * the open time repeats, at a cost that does not depend on the history (merge + strokes are incremental, see
 * Level). The structures above strokes are derived lazily, when a snapshot is read, and incrementally: segments
 * are rebuilt only from the first one whose confirmation read a stroke that changed since the previous
 * snapshot. A snapshot therefore equals a batch run over the same bars at any moment, which the property
 * tests check.
 */
import { parseTime, toBar, type BarOptions } from './bar.js';
import type { Bi } from './bi/bi.js';
import { BspCalculator } from './bsp/index.js';
import { configNeedsRsi, fromChanPy, getPreset, resolveConfig, type ChanConfig, type ChanConfigInput, type PresetName } from './config.js';
import { Level } from './level.js';
import { toResult, type LevelSnapshot, type ResultOptions } from './output.js';
import type { ChanResult } from './result.js';
import { createSegList, type Seg, type SegListChan } from './seg/index.js';
import type { BarInput } from './types.js';
import { PivotList } from './zs/index.js';

export interface AnalyzerOptions extends BarOptions {
  /** A named preset (`chanpy` by default: chan.py's code defaults; `classic`; `demo`). */
  preset?: string;
  /** Options under chan.py's own names (chan-spec §13), over chan.py's defaults: wins over `preset`. */
  config?: Record<string, unknown>;
  /** Options under this library's camelCase names (ChanConfig), over `preset`. */
  settings?: ChanConfigInput;
}

/** The config an options object selects, and the preset name to report (null for a custom config). */
export function configFromOptions(options: AnalyzerOptions): { config: ChanConfig; preset: string | null } {
  if (options.config !== undefined) return { config: fromChanPy(options.config), preset: null };
  const preset = options.preset ?? 'chanpy';
  if (options.settings !== undefined) return { config: resolveConfig({ ...options.settings, preset: preset as PresetName }), preset: null };
  return { config: getPreset(preset), preset };
}

export class ChanAnalyzer {
  readonly config: ChanConfig;
  readonly preset: string | null;
  private readonly level: Level;
  private readonly autofix: boolean;
  private readonly segments: SegListChan<Bi>;
  private readonly segmentsOfSegments: SegListChan<Seg<Bi>>;
  private readonly strokePivots: PivotList<Bi>;
  private readonly segmentPivots: PivotList<Seg<Bi>>;
  private readonly strokeSignals: BspCalculator<Bi>;
  private readonly segmentSignals: BspCalculator<Seg<Bi>>;
  private stale = false;
  /** Segments / segments of segments up to the last sure one at the previous snapshot. */
  private sureSegs = 0;
  private sureSegsegs = 0;

  constructor(options: AnalyzerOptions = {}) {
    const { config, preset } = configFromOptions(options);
    this.config = config;
    this.preset = preset;
    this.autofix = options.autofix === true;
    this.level = new Level(config, { rsi: configNeedsRsi(config) });
    const bars = this.level.bars;
    this.segments = createSegList<Bi>(config, bars);
    this.segmentsOfSegments = createSegList<Seg<Bi>>(config, bars);
    this.strokePivots = new PivotList<Bi>(config);
    this.segmentPivots = new PivotList<Seg<Bi>>(config);
    this.strokeSignals = BspCalculator.forStrokes<Bi>(config, bars, this.level.indicators);
    this.segmentSignals = BspCalculator.forSegments<Seg<Bi>>(config, bars);
  }

  /** Number of bars received (the forming one included). */
  get barCount(): number {
    return this.level.bars.length;
  }

  /**
   * Appends a closed bar, or replaces the last bar when its time equals the last bar's time (a still-forming
   * bar being updated). Throws BarValidationError for invalid prices or a time before the last bar's.
   */
  update(input: BarInput, label?: string): void {
    const bars = this.level.bars;
    const n = bars.length;
    const time = parseTime(input.time);
    const text = label ?? (typeof input.time === 'string' ? input.time : undefined);
    const opts = { autofix: this.autofix };
    if (n > 0 && bars[n - 1].time === time) this.level.replaceLast(toBar(input, n - 1, text, opts));
    else this.level.push(toBar(input, n, text, opts));
    this.stale = true;
  }

  /** Every structure as live objects (valid until the next update). */
  snapshot(): LevelSnapshot {
    if (this.stale) this.derive();
    const level = this.level;
    return {
      bars: level.bars,
      indicators: level.indicators,
      mergedBars: level.merged,
      strokes: level.bi.list,
      segments: this.segments.segs,
      segmentsOfSegments: this.segmentsOfSegments.segs,
      strokePivots: this.strokePivots.pivots,
      segmentPivots: this.segmentPivots.pivots,
      strokeSignals: this.strokeSignals.points,
      segmentSignals: this.segmentSignals.points,
    };
  }

  /** The JSON document of result.ts. */
  result(options: Omit<ResultOptions, 'preset'> = {}): ChanResult {
    return toResult(this.snapshot(), { ...options, preset: this.preset });
  }

  private derive(): void {
    const strokes = this.level.strokes();
    const segs = this.segments;
    const segsegs = this.segmentsOfSegments;
    segs.update(strokes, this.level.bi.takeDirtyFrom());
    // Segments before keptCount are the same objects with the same values: the level above resumes there.
    segsegs.update(segs.segs, segs.keptCount);
    // Pivots and buy/sell points resume from the last sure segment of the previous snapshot (chan.py's step
    // scope). That scope assumes the segments up to it survived; when a forming bar gave back a price and
    // took a confirmed segment with it, the scope moves back to the last segment that was kept.
    if (segs.keptCount < this.sureSegs) {
      this.strokePivots.resumeFrom(segs.segs, segs.keptCount);
      this.strokeSignals.resumeFrom(segs.segs, segs.keptCount);
    }
    if (segsegs.keptCount < this.sureSegsegs || segs.keptCount < this.sureSegs) {
      const kept = Math.min(segsegs.keptCount, segsegKeptBy(segsegs.segs, segs.keptCount));
      this.segmentPivots.resumeFrom(segsegs.segs, kept);
      this.segmentSignals.resumeFrom(segsegs.segs, kept);
    }
    this.strokePivots.update(strokes, segs.segs);
    this.segmentPivots.update(segs.segs, segsegs.segs);
    this.segmentSignals.update(segs.segs, segsegs.segs);
    this.strokeSignals.update(strokes, segs.segs);
    this.sureSegs = sureCount(segs.segs);
    this.sureSegsegs = sureCount(segsegs.segs);
    this.stale = false;
  }
}

/**
 * Segments of segments whose sub-lines all lie before `keptSegs` (their segments were not rebuilt). A kept
 * segment of segments has this property already; the bound matters for the segment-level pivots, whose lines
 * are the segments themselves.
 */
function segsegKeptBy(segsegs: readonly { endLine: { idx: number } }[], keptSegs: number): number {
  let k = 0;
  while (k < segsegs.length && segsegs[k].endLine.idx < keptSegs) k++;
  return k;
}

/** Length of the prefix that ends with the last sure segment. */
function sureCount(segs: readonly { isSure: boolean }[]): number {
  for (let i = segs.length - 1; i >= 0; i--) if (segs[i].isSure) return i + 1;
  return 0;
}

/** Batch analysis of a whole series. */
export function analyze(bars: readonly BarInput[], options: AnalyzerOptions = {}): ChanResult {
  return analyzeToAnalyzer(bars, options).result();
}

/** Batch run that keeps the analyser (to continue streaming, or to read live structures). */
export function analyzeToAnalyzer(bars: readonly BarInput[], options: AnalyzerOptions = {}): ChanAnalyzer {
  const a = new ChanAnalyzer(options);
  for (const bar of bars) a.update(bar);
  return a;
}
