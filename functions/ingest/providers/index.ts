/**
 * The provider registry: the one list of providers. Everything that names providers derives from it — the API's
 * `provider` enum (and so the OpenAPI document), which providers the schedules and backfills fetch from, the
 * fields a tracked symbol may carry per provider and the queue message's source schema.
 * Adding a provider = one module implementing MarketDataProvider + one line in PROVIDER_REGISTRY + its factory in
 * factories.ts (a compile error until it is there). The factories sit apart because they pull in the HTTP clients:
 * every API handler imports this registry (through the API schemas) and must not bundle code that calls the
 * internet (test/infra/wiring.test.ts checks each bundle against its network grants).
 */
import * as z from '../../common/zod.js';

export * from './types.js';

/** Where a provider's row time stamps sit in the bar: its open (start) or its close (end). */
export const SOURCE_LABELS = ['start', 'end'] as const;

export interface ProviderConfig {
  /** Base URL per provider, overriding its default (`<NAME>_BASE_URL`, functions/common/config.ts). */
  baseUrls: Readonly<Partial<Record<string, string>>>;
  timeoutMs: number;
  /** Provider "tushare": its token (local) or the secret holding it (deployed); neither: series halt, saying so. */
  tushareToken?: { value?: string; arn?: string };
}

/** A provider whose bars arrive only through POST /klines: nothing to fetch. */
interface UploadOnlyEntry {
  ingestible: false;
  description: string;
}

/** A provider the schedules and backfills fetch from. */
interface IngestibleEntry<Spec extends z.core.$ZodShape> {
  ingestible: true;
  description: string;
  /**
   * The per-symbol fields this provider uses beyond the symbol (e.g. url: the document's address), as stored on
   * the tracked symbol and carried in queue messages. A required field must be given when tracking; a field no
   * provider of the symbol uses is refused.
   */
  spec: z.ZodMiniObject<Spec>;
}

const NO_FIELDS = z.object({});

function ingestible<Spec extends z.core.$ZodShape>(
  e: Omit<IngestibleEntry<Spec>, 'ingestible'>,
): IngestibleEntry<Spec> {
  return { ingestible: true, ...e };
}

export const PROVIDER_REGISTRY = {
  binance: ingestible({ description: 'Binance spot klines (the key-less data-api.binance.vision)', spec: NO_FIELDS }),
  bybit: ingestible({ description: 'Bybit v5 spot klines', spec: NO_FIELDS }),
  url: ingestible({
    description: 'a CSV/JSON bar file at sourceUrl (a template with {symbol} and {interval})',
    spec: z.object({ sourceUrl: z.url(), sourceLabel: z.optional(z.enum(SOURCE_LABELS)) }),
  }),
  eastmoney: ingestible({
    description: "A-shares and indexes from Eastmoney's public kline endpoint (no token)",
    spec: NO_FIELDS,
  }),
  tushare: ingestible({
    description: 'A-shares and indexes from Tushare Pro (needs TUSHARE_TOKEN / the TushareToken secret)',
    spec: NO_FIELDS,
  }),
  yahoo: ingestible({
    description: "US stocks and ETFs from Yahoo Finance's chart endpoint (no token)",
    spec: NO_FIELDS,
  }),
  upload: { ingestible: false, description: 'bars arrive through POST /klines only' } satisfies UploadOnlyEntry,
};

type Registry = typeof PROVIDER_REGISTRY;

/** Every provider a symbol may be tracked with. */
export type TrackProvider = keyof Registry;
/** The providers fetched from (schedules, backfills): what a MarketDataProvider is named. */
export type ProviderName = { [K in TrackProvider]: Registry[K]['ingestible'] extends true ? K : never }[TrackProvider];

const names = Object.keys(PROVIDER_REGISTRY) as TrackProvider[];
export const PROVIDERS = names as [TrackProvider, ...TrackProvider[]];
export const INGESTIBLE_PROVIDERS = names.filter(isIngestible) as [ProviderName, ...ProviderName[]];

export function isIngestible(provider: string): provider is ProviderName {
  return Object.hasOwn(PROVIDER_REGISTRY, provider) && PROVIDER_REGISTRY[provider as TrackProvider].ingestible;
}

type SpecOf<K extends ProviderName> = Registry[K] extends IngestibleEntry<infer S> ? S : never;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/** Every per-provider field, each optional: a source names its provider and carries the fields that one uses. */
type AllFields = UnionToIntersection<{ [K in ProviderName]: SpecOf<K> }[ProviderName]>;
type SpecFields = { [F in keyof AllFields]: z.ZodMiniOptional<AllFields[F]> };

const ingestibleEntries = INGESTIBLE_PROVIDERS.map((p) => [p, PROVIDER_REGISTRY[p]] as const);

/** The names of the per-provider fields and which providers use each (for the API's "only used with" check). */
export const PROVIDER_FIELDS: ReadonlyMap<string, readonly ProviderName[]> = (() => {
  const m = new Map<string, ProviderName[]>();
  for (const [p, e] of ingestibleEntries) for (const f of Object.keys(e.spec.shape)) m.set(f, [...(m.get(f) ?? []), p]);
  return m;
})();

/** The per-symbol fields `provider` requires (non-optional in its spec). */
export function requiredFields(provider: TrackProvider): string[] {
  const e = PROVIDER_REGISTRY[provider];
  if (!e.ingestible) return [];
  return Object.entries(e.spec.shape as Record<string, z.ZodMiniType>)
    .filter(([, s]) => !s.safeParse(undefined).success)
    .map(([f]) => f);
}

/** What to fetch from: the provider and its per-symbol fields (queue messages, checkpoints, backfill jobs). */
export const ProviderSpecSchema = z.extend(
  z.object({ provider: z.enum(INGESTIBLE_PROVIDERS) }),
  Object.assign({}, ...ingestibleEntries.map(([, e]) => z.partial(e.spec).shape)) as SpecFields,
);

export type ProviderSpec = z.infer<typeof ProviderSpecSchema>;
