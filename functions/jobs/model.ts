/**
 * The job vocabulary shared by the API handler, the Step Functions task Lambdas and the CDK construct:
 * request schemas per job kind, the execution input, and the task payloads. No AWS or engine imports, so the
 * openapi bundle can include the schemas.
 */
import { ChanPyOptionsSchema, IntervalSchema, SymbolSchema, type Interval } from '../common/domain.js';
import * as z from '../common/zod.js';

export const JOB_KINDS = ['scan', 'multilevel', 'backtest'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export const SIGNAL_TYPES = ['1', '1p', '2', '2s', '3a', '3b'] as const;
export type SignalType = (typeof SIGNAL_TYPES)[number];
export const SIDES = ['buy', 'sell'] as const;
export const MARKET_NAMES = ['crypto', 'cn', 'us'] as const;

/** A universe above this runs in the DISTRIBUTED Map (child workflows), below it inline (see lib/jobs.ts). */
export const INLINE_MAP_MAX_ITEMS = 500;
/**
 * Symbols per job. The Map reads its items from the execution's state (256 KB): 5,000 symbols of up to 32
 * characters fit with room to spare; a larger universe would need an S3 ItemReader.
 */
export const MAX_JOB_SYMBOLS = 5000;
export const MAX_JOB_BARS = 5000;

const WATCHLIST_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** The universe every active tracked symbol forms: a job may name it, nobody may store a list under it. */
export const TRACKED_WATCHLIST = 'tracked';

/** A stored watchlist's name (path parameter of /api/v1/watchlists/{name}): what a job's `watchlist` accepts. */
export const WatchlistNameSchema = z.string().check(
  z.regex(WATCHLIST_NAME, { error: 'name must be letters, digits, _ or - (1–64)' }),
  z.refine((n) => n !== TRACKED_WATCHLIST, {
    error: `"${TRACKED_WATCHLIST}" is reserved: it means every active tracked symbol and cannot be stored`,
  }),
);

/**
 * A watchlist upload (PUT /api/v1/watchlists/{name}, JSON or CSV): symbols as elsewhere (trimmed, upper-cased),
 * repeats dropped — an index-constituent export lists each constituent once per rebalancing date — and the
 * limit applied to what remains, the limit of a job's `symbols`.
 */
export const WatchlistBodySchema = z
  .strictObject({
    symbols: z
      .pipe(
        z.pipe(
          z
            .array(SymbolSchema, { error: 'symbols must be a list of symbols' })
            .check(z.minLength(1, { error: 'symbols must name at least one symbol' })),
          z.transform((a: string[]) => [...new Set(a)]),
        ),
        z.array(z.string()).check(
          z.maxLength(MAX_JOB_SYMBOLS, {
            error: `symbols must name at most ${MAX_JOB_SYMBOLS} distinct symbols`,
          }),
        ),
      )
      .check(
        z.meta({ description: `Up to ${MAX_JOB_SYMBOLS} distinct symbols (repeats are dropped), e.g. 600519.SH` }),
      ),
  })
  .check(z.meta({ id: 'WatchlistUpload' }));

const engineOptions = {
  preset: z
    .optional(z.string().check(z.minLength(1), z.maxLength(32)))
    .check(z.meta({ description: 'chanpy (default), classic, demo or corrected' })),
  config: z.optional(ChanPyOptionsSchema),
};

const universe = {
  symbols: z.optional(
    z
      .array(SymbolSchema, { error: 'symbols must be a list of symbols' })
      .check(
        z.minLength(1, { error: 'symbols must name at least one symbol' }),
        z.maxLength(MAX_JOB_SYMBOLS, { error: `symbols must name at most ${MAX_JOB_SYMBOLS} symbols` }),
      ),
  ),
  watchlist: z
    .optional(
      z
        .string()
        .check(z.regex(WATCHLIST_NAME, { error: 'watchlist must be a name of letters, digits, _ or - (1–64)' })),
    )
    .check(
      z.meta({
        description: '"tracked" = every active tracked symbol with the interval; otherwise a stored watchlist',
      }),
    ),
};

const oneUniverse = (v: { symbols?: string[]; watchlist?: string }) =>
  (v.symbols === undefined) !== (v.watchlist === undefined);
const UNIVERSE_ERROR = { error: 'give either symbols or watchlist (exactly one)', path: ['symbols'] };

const signalTypes = z._default(
  z.array(z.enum(SIGNAL_TYPES, { error: `signal types are ${SIGNAL_TYPES.join(', ')}` })).check(
    z.minLength(1),
    z.refine((a) => new Set(a).size === a.length, { error: 'signalTypes must not repeat' }),
  ),
  [...SIGNAL_TYPES],
);

const bars = (dflt: number) =>
  z._default(
    z
      .number()
      .check(
        z.int(),
        z.gte(50, { error: 'bars must be at least 50' }),
        z.lte(MAX_JOB_BARS, { error: `bars must be at most ${MAX_JOB_BARS}` }),
      ),
    dflt,
  );

const ScanBaseSchema = z.strictObject({
  kind: z.literal('scan'),
  ...universe,
  interval: IntervalSchema,
  signalTypes,
  sides: z._default(z.array(z.enum(SIDES)).check(z.minLength(1)), [...SIDES]),
  levels: z
    ._default(z.array(z.enum(['stroke', 'segment'])).check(z.minLength(1)), ['stroke'])
    .check(z.meta({ description: 'stroke-level (笔) and/or segment-level (线段) buy/sell points' })),
  withinBars: z
    ._default(z.number().check(z.int(), z.gte(1), z.lte(500)), 5)
    .check(z.meta({ description: 'How recent: the signal sits on one of the last N bars' })),
  bars: bars(1000),
  ...engineOptions,
});
export const ScanRequestSchema = ScanBaseSchema.check(z.refine(oneUniverse, UNIVERSE_ERROR));

export const MultiLevelRequestSchema = z.strictObject({
  kind: z.literal('multilevel'),
  symbol: SymbolSchema,
  intervals: z.array(IntervalSchema).check(
    z.minLength(2, { error: 'intervals must name 2 or 3 intervals' }),
    z.maxLength(3, { error: 'intervals must name 2 or 3 intervals' }),
    z.refine((a) => new Set(a).size === a.length, { error: 'intervals must not repeat' }),
  ),
  source: z._default(z.enum(['stored', 'resample']), 'stored').check(
    z.meta({
      description: 'stored: each interval read from its own stored series; resample: all from the lowest interval',
    }),
  ),
  market: z
    .optional(z.enum(MARKET_NAMES))
    .check(
      z.meta({ description: 'Calendar for day boundaries and sessions; default from the provider (crypto otherwise)' }),
    ),
  bars: bars(1000).check(z.meta({ description: 'Bars per level (stored) or of the lowest level (resample)' })),
  ...engineOptions,
});

const BacktestBaseSchema = z.strictObject({
  kind: z.literal('backtest'),
  ...universe,
  interval: IntervalSchema,
  horizons: z
    ._default(
      z.array(z.number().check(z.int(), z.gte(1), z.lte(250))).check(
        z.minLength(1),
        z.maxLength(6),
        z.refine((a) => new Set(a).size === a.length, { error: 'horizons must not repeat' }),
      ),
      [5, 10, 20],
    )
    .check(z.meta({ description: 'Forward-return horizons in bars after the bar a signal was first reported on' })),
  signalTypes,
  bars: bars(1000),
  ...engineOptions,
});
export const BacktestRequestSchema = BacktestBaseSchema.check(z.refine(oneUniverse, UNIVERSE_ERROR));

export const JobRequestSchema = z
  .discriminatedUnion('kind', [ScanRequestSchema, MultiLevelRequestSchema, BacktestRequestSchema], {
    error: (iss) => (iss.code === 'invalid_union' ? `kind must be one of ${JOB_KINDS.join(', ')}` : undefined),
  })
  .check(z.meta({ id: 'JobRequest' }));

export type ScanParams = z.output<typeof ScanRequestSchema>;
export type MultiLevelParams = z.output<typeof MultiLevelRequestSchema>;
export type BacktestParams = z.output<typeof BacktestRequestSchema>;
export type JobParams = z.output<typeof JobRequestSchema>;

// ------------------------------------------------------------------------------------------ task payloads

/** What the API starts the state machine with (and what the prepare step receives). */
export const ExecutionInputSchema = z.object({ jobId: z.string().check(z.minLength(1)), params: JobRequestSchema });
export type ExecutionInput = z.output<typeof ExecutionInputSchema>;

/**
 * What every symbol of a scan/back-test needs: the request without its universe (the symbol list is in the Map's
 * items; repeating a 5,000-symbol list in each of 5,000 item inputs would move ~375 MB through the workflow).
 */
export const SymbolParamsSchema = z.discriminatedUnion('kind', [
  z.omit(ScanBaseSchema, { symbols: true, watchlist: true }),
  z.omit(BacktestBaseSchema, { symbols: true, watchlist: true }),
]);
export type SymbolParams = z.output<typeof SymbolParamsSchema>;

/** Per-symbol task input, built by the Map's ItemSelector from the prepare step's output. */
export const SymbolTaskSchema = z.object({
  jobId: z.string().check(z.minLength(1)),
  symbol: z.string().check(z.minLength(1)),
  params: SymbolParamsSchema,
});
export type SymbolTask = z.output<typeof SymbolTaskSchema>;

/** Catch path of the Map: the failed item plus the error Step Functions caught. */
const StepFunctionsErrorSchema = z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) }));

export const FailedSymbolTaskSchema = z.extend(SymbolTaskSchema, { error: StepFunctionsErrorSchema });

export const JobIdTaskSchema = z.object({ jobId: z.string().check(z.minLength(1)) });

export const FailJobTaskSchema = z.object({
  jobId: z.string().check(z.minLength(1)),
  error: StepFunctionsErrorSchema,
});

/** The prepare step's output, read by the Choice and the Map states (field names are in lib/jobs.ts too). */
export interface PreparedJob {
  jobId: string;
  kind: JobKind;
  /** scan/backtest: SymbolParams (the request without its universe); multilevel: the request. */
  params: SymbolParams | MultiLevelParams;
  symbols: string[];
  /** More than INLINE_MAP_MAX_ITEMS symbols: run the DISTRIBUTED Map. */
  large: boolean;
}

export type { Interval };
