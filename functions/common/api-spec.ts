/**
 * The whole API: every group's route specs (each beside its handler, functions/<group>/api-spec.ts), joined in the
 * route table's order. Handlers validate with their own group's specs (http.ts createHandler) and the OpenAPI
 * document is generated from all of them (z.toJSONSchema), so the docs cannot drift from what is enforced. Only
 * the openapi handler (and types, the tests and the chart page's types) import this module: a handler that
 * imported it would bundle every route's schemas.
 */
import { analysisApiSpecs } from '../analysis/api-spec.js';
import { healthApiSpecs } from '../health/api-spec.js';
import { jobsApiSpecs } from '../jobs/api-spec.js';
import { klinesApiSpecs } from '../klines/api-spec.js';
import { openapiApiSpecs } from '../openapi/api-spec.js';
import { symbolsApiSpecs } from '../symbols/api-spec.js';
import type { Limits } from './api-schemas.js';

export type { ApiSpec, BodyMode, Limits } from './api-schemas.js';
export { ErrorSchema } from './api-schemas.js';
export { AnalysisSchema, INCLUDE_PARTS, type IncludePart } from '../analysis/api-spec.js';
export { ApiBarSchema } from '../klines/api-spec.js';
export { TrackedSymbolSchema } from '../symbols/api-spec.js';

export function buildApiSpec(limits: Limits) {
  return {
    ...healthApiSpecs(),
    ...openapiApiSpecs(),
    ...symbolsApiSpecs(),
    ...klinesApiSpecs(limits),
    ...analysisApiSpecs(limits),
    ...jobsApiSpecs(),
  };
}

export type ApiSpecs = ReturnType<typeof buildApiSpec>;
export type RouteKey = keyof ApiSpecs;
