/**
 * chan-analysis: the public API used by the Lambda handlers, the CLI and the chart page alike.
 *
 *   analyze(bars, { preset: 'chanpy' })       → ChanResult (JSON document, result.ts)
 *   new ChanAnalyzer(opts).update(bar)         → streaming; .result() / .snapshot() at any moment
 *   resample(bars, '1h', MARKETS.cn)           → higher-interval bars from lower ones
 */
export * from './types.js';
export * from './config.js';
export type * from './result.js';
export { ChanAnalyzer, analyze, analyzeToAnalyzer, configFromOptions, type AnalyzerOptions } from './chan.js';
export { toResult, ENGINE_NAME, ENGINE_VERSION, type LevelSnapshot, type ResultOptions } from './output.js';
export { BarValidationError, parseTime, parseTimeString, formatTime, toBar, toBars, type BarOptions } from './bar.js';
export {
  parseCsv,
  readCsv,
  CsvError,
  CsvScanner,
  CSV_COLUMNS,
  CSV_REQUIRED,
  isInteger,
  missingColumns,
  type CsvField,
  type CsvHeader,
  type CsvRow,
} from './csv.js';
export { macdSeries, MacdSeries } from './indicators/macd.js';
export { rsiSeries, RsiSeries } from './indicators/rsi.js';
export {
  resample,
  Resampler,
  toBarInputs,
  MARKETS,
  ZoneOffsets,
  INTERVALS,
  INTERVAL_MINUTES,
  isInterval,
  type Interval,
  type MarketCalendar,
  type ResampledBar,
} from './resample.js';
export { Level } from './level.js';
export * from './multilevel.js';
