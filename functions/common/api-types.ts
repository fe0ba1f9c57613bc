/**
 * The API's response types for clients in this repository (the chart page), inferred from the route specs' zod
 * schemas — the ones the handlers validate with and the OpenAPI document is generated from — and the engine's result
 * document. Types only: importing this module adds nothing to a bundle.
 */
import type { ChanResult } from 'chan-analysis';
import type * as z from './zod.js';
import type { ApiSpecs, RouteKey } from './api-spec.js';
import type { ColumnarResult } from './columns.js';

/** The body of a route's 200 answer, as its schema describes it. */
type Ok<K extends RouteKey> = ApiSpecs[K]['responses'] extends { 200: { schema: infer S extends z.ZodMiniType } }
  ? z.output<S>
  : never;

export type SymbolsResponse = Ok<'GET /api/v1/symbols'>;
export type TrackedSymbol = SymbolsResponse['symbols'][number];
export type KlinesResponse = Ok<'GET /api/v1/klines/{symbol}'>;
export type ApiBar = KlinesResponse['bars'][number];

type AnalysisEnvelope = Omit<Ok<'GET /api/v1/analysis/{symbol}'>, 'result' | 'format'>;
/** GET /api/v1/analysis in the default format: the result document with the per-bar parts named in include. */
export type AnalysisResponse = AnalysisEnvelope & { result: Partial<ChanResult> };
/** GET /api/v1/analysis?format=columns: the per-bar parts as one array per field. */
export type ColumnarAnalysisResponse = AnalysisEnvelope & { format: 'columns'; result: ColumnarResult };
