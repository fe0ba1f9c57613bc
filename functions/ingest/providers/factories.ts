/**
 * How each ingestible provider of the registry (index.ts) is built. Apart from the registry so that only the
 * ingestion functions bundle the HTTP clients; the mapped type makes a registry entry without a factory a compile
 * error.
 */
import { BinanceProvider, BINANCE_DEFAULT_BASE } from './binance.js';
import { BybitProvider, BYBIT_DEFAULT_BASE } from './bybit.js';
import type { ProviderConfig, ProviderName, ProviderSpec } from './index.js';
import type { MarketDataProvider } from './types.js';
import { EastmoneyProvider, EASTMONEY_DEFAULT_BASE } from './eastmoney.js';
import { TushareProvider, TUSHARE_DEFAULT_BASE } from './tushare.js';
import { UrlSourceProvider } from './url-source.js';
import { YahooProvider, YAHOO_DEFAULT_BASE } from './yahoo.js';
import { getProviderToken } from '../../common/secrets.js';

const FACTORIES: Record<ProviderName, (spec: ProviderSpec, cfg: ProviderConfig) => MarketDataProvider> = {
  binance: (_spec, cfg) =>
    new BinanceProvider(cfg.baseUrls.binance || BINANCE_DEFAULT_BASE, { timeoutMs: cfg.timeoutMs }),
  bybit: (_spec, cfg) => new BybitProvider(cfg.baseUrls.bybit || BYBIT_DEFAULT_BASE, { timeoutMs: cfg.timeoutMs }),
  eastmoney: (_spec, cfg) =>
    new EastmoneyProvider(cfg.baseUrls.eastmoney || EASTMONEY_DEFAULT_BASE, { timeoutMs: cfg.timeoutMs }),
  // The token is read per call (cached by secrets.ts), so a token put after a cold start is used within minutes.
  tushare: (_spec, cfg) =>
    new TushareProvider(() => getProviderToken(cfg.tushareToken ?? {}), cfg.baseUrls.tushare || TUSHARE_DEFAULT_BASE, {
      timeoutMs: Math.max(cfg.timeoutMs, 15_000),
    }),
  yahoo: (_spec, cfg) => new YahooProvider(cfg.baseUrls.yahoo || YAHOO_DEFAULT_BASE, { timeoutMs: cfg.timeoutMs }),
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
