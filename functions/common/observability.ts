/**
 * Powertools logger and metrics, one of each per process. Created from the parsed config on first use so the
 * level follows LOG_LEVEL (INFO in production, DEBUG in development). Metrics go out as CloudWatch EMF on
 * stdout; POWERTOOLS_METRICS_DISABLED=true (set by the local runtime and the tests) keeps them quiet.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { getConfig } from './config.js';

let logger: Logger | undefined;
let metrics: Metrics | undefined;

export function getLogger(): Logger {
  if (!logger) {
    const cfg = getConfig();
    logger = new Logger({ serviceName: cfg.serviceName, logLevel: cfg.logLevel as 'INFO' });
  }
  return logger;
}

export function getMetrics(): Metrics {
  if (!metrics) {
    const cfg = getConfig();
    metrics = new Metrics({ namespace: cfg.metricsNamespace, serviceName: cfg.serviceName });
  }
  return metrics;
}

/** Cache hits and misses per logical cache (analysis, klines, meta, ...). Buffered until the request ends. */
export function recordCache(kind: string, hit: boolean): void {
  getMetrics().addMetric(hit ? `CacheHit_${kind}` : `CacheMiss_${kind}`, MetricUnit.Count, 1);
}

export function recordMetric(name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): void {
  getMetrics().addMetric(name, unit, value);
}

export { MetricUnit };

/** Tests restart services with a different config in one process. */
export function resetObservability(): void {
  logger = undefined;
  metrics = undefined;
}
