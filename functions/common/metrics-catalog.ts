/**
 * The one catalogue of custom metrics: name, unit and dimension set of everything the handlers emit through
 * Powertools (EMF) and everything the alarms in lib/monitoring.ts watch. Both sides import this file, and
 * test/infra/monitoring.test.ts checks that every alarmed custom metric is catalogued, is emitted by code under
 * functions/ through `emitMetric`, and reaches CloudWatch with exactly the dimensions the alarm names.
 *
 * Why exact dimensions matter: CloudWatch treats every distinct dimension set as a different metric. An alarm
 * on {service, route} never sees a datapoint emitted with {service, route, coldStart}, and silently sits in
 * INSUFFICIENT_DATA (or, worse, OK). Powertools puts every metric of one flush into one dimension set, so a
 * handler that calls `metrics.addDimension('route', …)` and then adds `CacheHit` would publish CacheHit under
 * {service, route}, where the cache alarm cannot see it. `emitMetric` therefore publishes each datapoint as a
 * single metric with exactly its catalogued dimensions, whatever else the shared Metrics instance holds.
 *
 * This file is imported by the CDK app as well as by Lambda handlers, so it must stay free of AWS SDK / CDK
 * imports (Powertools Metrics is small and has no AWS SDK dependency).
 */
import { Metrics as MetricsClass, type Metrics } from '@aws-lambda-powertools/metrics';
import type { RouteDef } from '../routes.js';

/** CloudWatch namespace of every custom metric (POWERTOOLS_METRICS_NAMESPACE in every function). */
export const METRICS_NAMESPACE = 'ChanAnalysis';
/**
 * The `service` dimension (POWERTOOLS_SERVICE_NAME). One value for the whole system, not one per function:
 * alarms aggregate across functions (e.g. cache hit rate over every reader), and CloudWatch alarms cannot
 * aggregate over a dimension they do not name.
 */
export const METRICS_SERVICE = 'chan-analysis';

/** Units as Powertools spells them (a subset of CloudWatch's StandardUnit). */
export type CatalogUnit = 'Milliseconds' | 'Seconds' | 'Count' | 'None';

/** Dimension names used by the catalogue. `service` is always present (Powertools adds it to every metric). */
export type DimensionName = 'service' | 'route';

export interface MetricDef {
  readonly unit: CatalogUnit;
  /** The exact dimension set the metric is published with, `service` first. */
  readonly dimensions: readonly DimensionName[];
  /** Which code emits it (for humans; the consistency test checks the real call sites). */
  readonly emittedBy: string;
  readonly description: string;
}

export const METRIC_CATALOG = {
  RouteLatency: {
    unit: 'Milliseconds',
    dimensions: ['service', 'route'],
    emittedBy: 'shared middy stack (functions/common), once per API request',
    description: 'Handler time of one API request, by route key ("GET /api/v1/klines/{symbol}"). p95/p99 alarms.',
  },
  RouteServerError: {
    unit: 'Count',
    dimensions: ['service', 'route'],
    emittedBy: 'shared middy stack, once per API request',
    description: '1 when the response is 5xx, else 0: Sum = error count, Average = error rate of the route.',
  },
  RouteClientError: {
    unit: 'Count',
    dimensions: ['service', 'route'],
    emittedBy: 'shared middy stack, once per API request',
    description: '1 when the response is 4xx, else 0 (validation failures, unknown symbols, missing API key).',
  },
  CacheHit: {
    unit: 'Count',
    dimensions: ['service'],
    emittedBy: 'functions/cache, per lookup served from ElastiCache / the in-process cache',
    description: 'Cache lookups that hit. Hit rate = CacheHit / (CacheHit + CacheMiss).',
  },
  CacheMiss: {
    unit: 'Count',
    dimensions: ['service'],
    emittedBy: 'functions/cache, per lookup that fell through to DynamoDB (also when the cache is down)',
    description: 'Cache lookups that missed.',
  },
  BarsIngested: {
    unit: 'Count',
    dimensions: ['service'],
    emittedBy: 'functions/ingest worker, per (symbol, interval) batch upserted',
    description: 'New or changed K-lines written to DynamoDB by scheduled ingestion and uploads.',
  },
  IngestionLag: {
    unit: 'Seconds',
    dimensions: ['service'],
    emittedBy: 'functions/ingest dispatcher, once per schedule tick (every family measures every tracked series)',
    description:
      'How far the most overdue tracked (symbol, interval) is behind, in seconds: the max over all tracked series ' +
      'of now − lastRunAt − the interval length (floored at 0), so a weekly series last run six days ago is on ' +
      'time while a 1m series last run an hour ago is 59 minutes late. Measured against run time, not bar time, ' +
      'so a closed market does not look like a stalled pipeline. Missing data means no dispatcher ran, and the ' +
      'alarm treats it as breaching.',
  },
  ProviderErrors: {
    unit: 'Count',
    dimensions: ['service'],
    emittedBy: 'functions/ingest worker, per failed market-data provider request (after its own retries)',
    description: 'Market-data provider failures: HTTP 4xx/5xx, 429/418 rate limits, timeouts, malformed rows.',
  },
  AnalysisTime: {
    unit: 'Milliseconds',
    dimensions: ['service'],
    emittedBy: 'analysis handler, ingest worker and job tasks, per chan-analysis engine run',
    description: 'Wall time of one engine run (merge, fractals, strokes, segments, pivots, buy/sell points).',
  },
  JobSucceeded: {
    unit: 'Count',
    dimensions: ['service'],
    emittedBy: 'job tasks (Step Functions), when a job reaches SUCCEEDED',
    description: 'Long-running jobs (scan, multi-level, backfill, back-test) that finished.',
  },
  JobFailed: {
    unit: 'Count',
    dimensions: ['service'],
    emittedBy: 'job tasks (Step Functions), when a job is marked FAILED',
    description: 'Long-running jobs that failed (the state machine alarm covers executions that die outright).',
  },
  SignalAlertsPublished: {
    unit: 'Count',
    dimensions: ['service'],
    emittedBy: 'functions/alerts (signal alerts), per buy/sell point alert published to the signal topic',
    description: 'Buy/sell point alerts published (provisional, confirmed or withdrawn), after de-duplication.',
  },
  HealthCheckOk: {
    unit: 'Count',
    dimensions: ['service'],
    emittedBy: 'functions/health, once per health check (API call or the scheduled probe)',
    description: '1 when every critical component is up (HTTP 200), 0 when /health answers 503.',
  },
  NotificationFailures: {
    unit: 'Count',
    dimensions: ['service'],
    emittedBy: 'functions/notifier, per webhook delivery that failed after its retries',
    description: 'Alarm or signal notifications a webhook did not accept (the message is retried, then DLQ).',
  },
  NotificationsWithoutWebhook: {
    unit: 'Count',
    dimensions: ['service'],
    emittedBy: 'functions/notifier, per notification acknowledged while no webhook is configured',
    description:
      'Alarm or signal notifications that reached the notifier while its webhook list is empty (the shipped ' +
      'default): acknowledged and logged as a warning, not retried. Dashboard only: no alarm, since an empty ' +
      "list is a valid choice (alarms still reach the topics' e-mail subscribers).",
  },
} as const satisfies Record<string, MetricDef>;

export type MetricName = keyof typeof METRIC_CATALOG;

/** Dimensions a caller must supply for a metric: every catalogued dimension except `service`. */
export type MetricDimensions<N extends MetricName> = {
  [K in Exclude<(typeof METRIC_CATALOG)[N]['dimensions'][number], 'service'>]: string;
};

/**
 * The `route` dimension value of an API route: method and resource template, never the concrete path, so that
 * the dimension has one value per route (bounded cardinality) and alarms can name it.
 */
export function routeKey(route: Pick<RouteDef, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/** What the monitoring stack and the tests need to know about a catalogued metric. */
export function metricDef(name: MetricName): MetricDef & { name: MetricName; namespace: string } {
  return { name, namespace: METRICS_NAMESPACE, ...METRIC_CATALOG[name] };
}

let publisher: Metrics | undefined;

/**
 * Publish one datapoint of a catalogued metric, with exactly its catalogued namespace and dimensions.
 *
 * Uses its own single-metric Powertools instance rather than a handler's shared one: a single-metric instance
 * writes one EMF line per datapoint at once and then forgets the dimensions it was given, so a metric can
 * neither pick up dimensions added for another nor be published under another namespace or service name.
 * Powertools' own switches still apply (POWERTOOLS_METRICS_DISABLED, POWERTOOLS_DEV).
 * Emitting never throws: a metrics problem must not fail a request or an ingestion run.
 */
export function emitMetric<N extends MetricName>(
  name: N,
  value: number,
  ...dims: keyof MetricDimensions<N> extends never ? [] : [MetricDimensions<N>]
): void {
  const def: MetricDef = METRIC_CATALOG[name];
  try {
    publisher ??= new MetricsClass({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE, singleMetric: true });
    const given = (dims[0] ?? {}) as Record<string, string>;
    for (const dim of def.dimensions) {
      if (dim === 'service') continue;
      publisher.addDimension(dim, given[dim] ?? 'unknown');
    }
    // Single-metric mode: addMetric publishes immediately and clears the dimensions added above.
    publisher.addMetric(name, def.unit, value);
  } catch {
    // Deliberately swallowed: see above.
  }
}

/** Tests only: forget the publisher so the next emit re-reads the Powertools environment switches. */
export function resetMetricPublisherForTests(): void {
  publisher = undefined;
}
