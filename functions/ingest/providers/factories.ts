/**
 * How each ingestible provider of the registry (index.ts) is built. Apart from the registry so that only the
 * ingestion functions bundle the HTTP clients; the mapped type makes a registry entry without a factory a compile
 * error.
 */
import { BinanceProvider, BINANCE_DEFAULT_BASE } from './binance.js';
import { BybitProvider, BYBIT_DEFAULT_BASE } from './bybit.js';
import type { ProviderConfig, ProviderName, ProviderSpec } from './index.js';
import type { MarketDataProvider } from './types.js';
import { UrlSourceProvider } from './url-source.js';

const FACTORIES: Record<ProviderName, (spec: ProviderSpec, cfg: ProviderConfig) => MarketDataProvider> = {
  binance: (_spec, cfg) =>
    new BinanceProvider(cfg.baseUrls.binance || BINANCE_DEFAULT_BASE, { timeoutMs: cfg.timeoutMs }),
  bybit: (_spec, cfg) => new BybitProvider(cfg.baseUrls.bybit || BYBIT_DEFAULT_BASE, { timeoutMs: cfg.timeoutMs }),
  url: (spec, cfg) => {
    if (!spec.sourceUrl) throw new Error('a url provider needs sourceUrl');
    // A whole document per call: more time than one exchange page.
    return new UrlSourceProvider({
      urlTemplate: spec.sourceUrl,
      label: spec.sourceLabel,
      http: { timeoutMs: Math.max(cfg.timeoutMs, 30_000) },
    });
  },
};

/** Providers are cached per spec for the life of the Lambda container. */
const instances = new Map<string, MarketDataProvider>();

export function getProvider(spec: ProviderSpec, cfg: ProviderConfig): MarketDataProvider {
  const key = JSON.stringify([spec, cfg]);
  let p = instances.get(key);
  if (p) return p;
  p = FACTORIES[spec.provider](spec, cfg);
  instances.set(key, p);
  return p;
}
