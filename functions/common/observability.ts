/**
 * Powertools logger and metrics, one of each per process. Created from the parsed config on first use so the
 * level follows LOG_LEVEL (INFO in production, DEBUG in development). Metrics go out as CloudWatch EMF on
 * stdout; POWERTOOLS_METRICS_DISABLED=true (set by the local runtime and the tests) keeps them quiet.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { getConfig } from './config.js';
import { emitMetric, METRIC_CATALOG } from './metrics-catalog.js';

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

/**
 * One cache lookup. Published as the catalogued CacheHit / CacheMiss (dimension set {service} only, which the
 * info-tier hit-rate alarm reads); `kind` (analysis, klines, meta, symbols, ...) is kept for callers' readability
 * and debug logs, not as a dimension: a per-kind dimension would hide the datapoints from the alarm.
 */
export function recordCache(kind: string, hit: boolean): void {
  void kind;
  if (hit) emitMetric('CacheHit', 1);
  else emitMetric('CacheMiss', 1);
}

/**
 * Deprecated path for ad-hoc metrics. A catalogued name is routed through emitMetric (its exact dimensions);
 * anything else is published at once on the shared instance. New code calls emitMetric directly.
 */
export function recordMetric(name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): void {
  if (Object.hasOwn(METRIC_CATALOG, name)) {
    (emitMetric as (n: string, v: number) => void)(name, value);
    return;
  }
  const m = getMetrics();
  m.addMetric(name, unit, value);
  m.publishStoredMetrics();
}

export { MetricUnit };

/** Tests restart services with a different config in one process. */
export function resetObservability(): void {
  logger = undefined;
  metrics = undefined;
}
