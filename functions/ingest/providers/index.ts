/**
 * Provider factory: the provider named by a tracked symbol, with base URLs from the environment
 * (BINANCE_BASE_URL, BYBIT_BASE_URL, EASTMONEY_BASE_URL, YAHOO_BASE_URL, TUSHARE_BASE_URL; tests point them at the
 * local fake server) and the Tushare token's source (TUSHARE_TOKEN locally, TUSHARE_TOKEN_ARN deployed).
 */
import { BinanceProvider, BINANCE_DEFAULT_BASE } from './binance.js';
import { BybitProvider, BYBIT_DEFAULT_BASE } from './bybit.js';
import { EastmoneyProvider, EASTMONEY_DEFAULT_BASE } from './eastmoney.js';
import { TushareProvider, TUSHARE_DEFAULT_BASE } from './tushare.js';
import { UrlSourceProvider } from './url-source.js';
import { YahooProvider, YAHOO_DEFAULT_BASE } from './yahoo.js';
import { getProviderToken } from '../../common/secrets.js';
import type { MarketDataProvider, ProviderName } from './types.js';

export * from './types.js';

export interface ProviderConfig {
  binanceBaseUrl: string;
  bybitBaseUrl: string;
  eastmoneyBaseUrl: string;
  yahooBaseUrl: string;
  tushareBaseUrl: string;
  /** Where the Tushare token comes from: the value (local) or a Secrets Manager ARN (deployed). */
  tushareToken: { value?: string; arn?: string };
  timeoutMs: number;
}

export function providerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ProviderConfig {
  return {
    binanceBaseUrl: env.BINANCE_BASE_URL || BINANCE_DEFAULT_BASE,
    bybitBaseUrl: env.BYBIT_BASE_URL || BYBIT_DEFAULT_BASE,
    eastmoneyBaseUrl: env.EASTMONEY_BASE_URL || EASTMONEY_DEFAULT_BASE,
    yahooBaseUrl: env.YAHOO_BASE_URL || YAHOO_DEFAULT_BASE,
    tushareBaseUrl: env.TUSHARE_BASE_URL || TUSHARE_DEFAULT_BASE,
    tushareToken: { value: env.TUSHARE_TOKEN || undefined, arn: env.TUSHARE_TOKEN_ARN || undefined },
    timeoutMs: Number(env.PROVIDER_TIMEOUT_MS || 10_000),
  };
}

export interface ProviderSpec {
  provider: ProviderName;
  /** For `url`: the CSV/JSON URL template. */
  sourceUrl?: string;
  sourceLabel?: 'start' | 'end';
}

/** Providers are cached per spec for the life of the Lambda container. */
const instances = new Map<string, MarketDataProvider>();

export function getProvider(spec: ProviderSpec, cfg: ProviderConfig): MarketDataProvider {
  const key = JSON.stringify([spec, cfg]);
  let p = instances.get(key);
  if (p) return p;
  const http = { timeoutMs: cfg.timeoutMs };
  switch (spec.provider) {
    case 'binance':
      p = new BinanceProvider(cfg.binanceBaseUrl, http);
      break;
    case 'bybit':
      p = new BybitProvider(cfg.bybitBaseUrl, http);
      break;
    case 'eastmoney':
      p = new EastmoneyProvider(cfg.eastmoneyBaseUrl, http);
      break;
    case 'yahoo':
      p = new YahooProvider(cfg.yahooBaseUrl, http);
      break;
    case 'tushare':
      p = new TushareProvider(() => getProviderToken(cfg.tushareToken), cfg.tushareBaseUrl, {
        timeoutMs: Math.max(cfg.timeoutMs, 15_000),
      });
      break;
    case 'url':
      if (!spec.sourceUrl) throw new Error('a url provider needs sourceUrl');
      p = new UrlSourceProvider({
        urlTemplate: spec.sourceUrl,
        label: spec.sourceLabel,
        http: { timeoutMs: Math.max(cfg.timeoutMs, 30_000) },
      });
      break;
  }
  instances.set(key, p);
  return p;
}
