/** Route specs of the analysis API (see functions/common/api-schemas.ts for the shape). */
import { errors, seriesQuery, symbolParams, type ApiSpec, type Limits } from '../common/api-schemas.js';
import { FORMATS, INCLUDE_PARTS, type IncludePart } from '../common/columns.js';
import { ChanPyOptionsSchema, IntervalSchema } from '../common/domain.js';
import { INDICATOR_NAMES, INDICATOR_SUMMARY } from '../common/indicators.js';
import * as z from '../common/zod.js';
import { API_PREFIX, MIN_COMPRESSION_BYTES } from '../routes.js';

const JsonObjectParam = (name: string) =>
  z
    .pipe(
      z.string(),
      z.transform((v: string, ctx) => {
        try {
          const o: unknown = JSON.parse(v);
          if (o !== null && typeof o === 'object' && !Array.isArray(o)) return o as Record<string, unknown>;
          ctx.issues.push({
            code: 'custom',
            message: `${name} must be a JSON object of chan.py option names`,
            input: v,
          });
        } catch {
          ctx.issues.push({ code: 'custom', message: `${name} is not valid JSON`, input: v });
        }
        return z.NEVER;
      }),
    )
    .check(
      z.meta({ description: 'JSON object of chan.py option names, e.g. {"bi_strict":false,"divergence_rate":0.9}' }),
    );

/**
 * The per-bar parts of an analysis result, left out unless asked for with `include`: for 5,000 daily bars they are
 * ~95% of the document (bars with MACD ~0.96 MB, mergedBars ~0.67 MB, fractals ~0.16 MB, against ~90 KB for every
 * structure together), and serializing and shipping them dominated the response time.
 */
export { INCLUDE_PARTS, type IncludePart };
const INCLUDE_HELP = `use a comma-separated list of ${INCLUDE_PARTS.join(', ')}, or all`;

/** Canonical (deduplicated, in INCLUDE_PARTS order) list of requested parts, or the problem with an unknown name. */
function normalizeInclude(names: readonly string[]): IncludePart[] | string {
  const wanted = new Set<string>();
  for (const raw of names) {
    const n = raw.trim();
    if (n === '') continue;
    if (n === 'all') INCLUDE_PARTS.forEach((p) => wanted.add(p));
    else if ((INCLUDE_PARTS as readonly string[]).includes(n)) wanted.add(n);
    else return `unknown part "${n}": ${INCLUDE_HELP}`;
  }
  return INCLUDE_PARTS.filter((p) => wanted.has(p));
}

const INCLUDE_DESCRIPTION =
  'Per-bar parts to add to result (default: none, i.e. meta and the structures only: strokes, segments, segmentsOfSegments, pivots, signals). ' +
  `Comma-separated: ${INCLUDE_PARTS.join(', ')} (bars carry ${INDICATOR_SUMMARY}), or all.`;

const includeParser = (v: readonly string[], ctx: z.core.ParsePayload) => {
  const r = normalizeInclude(v);
  if (typeof r === 'string') {
    ctx.issues.push({ code: 'custom', message: `include: ${r}`, input: v });
    return z.NEVER;
  }
  return r;
};

const IncludeQueryParam = z
  .pipe(
    z.string(),
    z.transform((v: string, ctx) => includeParser(v.split(','), ctx)),
  )
  .check(z.meta({ description: INCLUDE_DESCRIPTION, examples: ['bars', 'bars,mergedBars,fractals'] }));

const IncludeBodyField = z
  .pipe(
    z.array(z.string(), { error: `include must be a list of part names (${INCLUDE_PARTS.join(', ')}, all)` }),
    z.transform((v: string[], ctx) => includeParser(v, ctx)),
  )
  .check(z.meta({ description: INCLUDE_DESCRIPTION.replace('Comma-separated', 'A list of') }));

/**
 * Measured on us_spy_1h (20,000 hourly bars, include=all, bench/wire.ts): what the format and compression save on
 * the wire, so a client can choose.
 */
const WIRE_SIZES =
  'for 20,000 hourly bars with include=all, rows are 7.8 MB of JSON and columns 4.9 MB; ' +
  'gzipped (Accept-Encoding: gzip) 1.6–1.9 MB and 1.3–1.4 MB, by compression level';

const FORMAT_DESCRIPTION =
  'How the per-bar parts named in include are laid out in result: rows (default) is one object per bar; columns is one ' +
  'array per field ({"time":[…],"ts":[…],"open":[…],…}: entry i of every array is bar i), the same content without the ' +
  `field names on every bar; the response then says "format":"columns". Sizes: ${WIRE_SIZES}. ` +
  'Structures (strokes, pivots, signals…) are the same in both.';

const FormatSchema = z
  .enum(FORMATS, { error: `format must be ${FORMATS.join(' or ')}` })
  .check(z.meta({ description: FORMAT_DESCRIPTION }));

export const AnalysisSchema = z
  .object({
    symbol: z.nullable(z.string()),
    interval: z.nullable(IntervalSchema),
    preset: z.nullable(z.string()),
    configHash: z.string(),
    barCount: z.number().check(z.int(), z.meta({ description: 'Bars analysed (bars.analysed)' })),
    from: z.nullable(z.string()).check(z.meta({ description: 'First bar analysed (bars.from)' })),
    to: z.nullable(z.string()).check(z.meta({ description: 'Last bar analysed (bars.to)' })),
    bars: z
      .object({
        analysed: z.number().check(z.int()),
        stored: z
          .nullable(z.number().check(z.int()))
          .check(z.meta({ description: 'Bars written to the series (null for bars posted in the body)' })),
        from: z.nullable(z.string()),
        to: z.nullable(z.string()),
      })
      .check(z.meta({ id: 'AnalysedBars', description: 'The window analysed, against what the series stores' })),
    truncated: z.boolean().check(
      z.meta({
        description:
          'true when older bars within the request were left out: without `from` at most MAX_ANALYSIS_BARS of the newest bars up to `to` are analysed',
      }),
    ),
    next: z
      .nullable(
        z.object({
          to: z.string().check(z.meta({ description: 'The bar just before the analysed window' })),
          href: z.string().check(z.meta({ description: 'This request with `to` set there: the older page' })),
        }),
      )
      .check(z.meta({ description: 'Where the older bars are, when truncated; null otherwise' })),
    include: z
      .array(z.enum(INCLUDE_PARTS))
      .check(z.meta({ description: 'The per-bar parts present in result (what `include` asked for)' })),
    format: z
      .optional(z.literal('columns'))
      .check(
        z.meta({ description: 'Present when format=columns was asked for: the per-bar parts in result are columns' }),
      ),
    result: z.record(z.string(), z.unknown()).check(
      z.meta({
        description:
          'ChanResult: meta, strokes, segments, segmentsOfSegments, strokePivots, segmentPivots, strokeSignals, segmentSignals; ' +
          `plus bars (with ${INDICATOR_SUMMARY}), mergedBars and fractals only when named in include (absent otherwise), ` +
          'one object per bar, or one array per field with format=columns',
      }),
    ),
  })
  .check(z.meta({ id: 'Analysis' }));

export function analysisApiSpecs(limits: Limits) {
  return {
    'GET /api/v1/analysis/{symbol}': {
      method: 'GET',
      path: `${API_PREFIX}/analysis/{symbol}`,
      summary: 'Chan analysis of stored bars (cached by symbol, interval, last bar time and config hash)',
      description: `Without from, the newest bars up to \`to\`, at most ${limits.maxAnalysisBars} (MAX_ANALYSIS_BARS): when older bars were left out the response says so (\`truncated\`, \`bars.analysed\` against \`bars.stored\`) and \`next.href\` asks for the older page; with from, a range of at most ${limits.maxAnalysisBars} bars (400 otherwise). config (chan.py option names) is applied on top of preset when both are given. The per-bar parts (bars with ${INDICATOR_NAMES}, mergedBars, fractals) are left out unless named in include; format=columns sends them as one array per field (${WIRE_SIZES}). Responses of at least ${MIN_COMPRESSION_BYTES} bytes are compressed when the client accepts gzip or deflate.`,
      params: symbolParams,
      query: seriesQuery({
        preset: z.optional(z.string().check(z.minLength(1), z.maxLength(32))).check(
          z.meta({
            description: 'chanpy (default), classic, demo or corrected; with config, the base the config applies to',
          }),
        ),
        config: z.optional(JsonObjectParam('config')),
        include: z.optional(IncludeQueryParam),
        format: z.optional(FormatSchema),
      }),
      responses: {
        200: {
          description: 'Analysis (header x-cache: HIT|MISS; x-adjust: the adjustment applied)',
          schema: AnalysisSchema,
        },
        400: errors[400],
        404: errors[404],
      },
    },
    'POST /api/v1/analysis': {
      method: 'POST',
      path: `${API_PREFIX}/analysis`,
      summary: 'Chan analysis of bars sent in the body (nothing is stored)',
      body: z
        .strictObject({
          bars: z.array(z.unknown(), { error: 'bars must be a list of bars' }).check(
            z.minLength(1, { error: 'bars must contain at least one bar' }),
            z.maxLength(limits.maxAnalysisBars, {
              error: `bars must contain at most ${limits.maxAnalysisBars} bars`,
            }),
            z.meta({ description: 'BarInput[] (same rules as the upload)' }),
          ),
          preset: z.optional(z.string().check(z.minLength(1), z.maxLength(32))),
          config: z.optional(ChanPyOptionsSchema),
          include: z.optional(IncludeBodyField),
          format: z.optional(FormatSchema),
        })
        .check(z.meta({ id: 'AnalyzeRequest' })),
      bodyMode: 'json',
      bodyRequired: true,
      responses: { 200: { description: 'Analysis', schema: AnalysisSchema }, 400: errors[400], 413: errors[413] },
    },
  } satisfies Record<string, ApiSpec>;
}
