/**
 * The deployment cost model, computed from the synthesized template (so it follows the stack when it changes):
 * every fixed monthly charge of the resources the template declares, the standing work its schedules do at zero
 * traffic, and per-use costs per 1M API calls and per tracked symbol-month. `npm run bench -- cost` prints it;
 * test/infra/cost.test.ts checks that README.md's table is exactly this output for the default stack.
 *
 * Prices are AWS list prices, us-east-1, as published in 2025 (PRICES.asOf): no machine here reaches AWS's price
 * list, so they are constants with their date, not a live lookup. Durations of invocations are assumptions
 * (ASSUMPTIONS), stated in the output beside the figures they drive.
 */
import { ofType, refId, type CfnResourceJson, type CfnTemplate } from '../test/infra/synth.js';
import { METRIC_CATALOG } from '../functions/common/metrics-catalog.js';
import { ROUTES } from '../functions/routes.js';
import { INTERVAL_FAMILIES, familyOf } from '../functions/ingest/intervals.js';
import { INTERVAL_MS, type Interval } from '../functions/common/domain.js';

export const PRICES = {
  region: 'us-east-1',
  asOf: 'as of 2025',
  hoursPerMonth: 730,
  natGatewayHour: 0.045,
  publicIpv4Hour: 0.005,
  /** ElastiCache Serverless data storage per GB-hour, and its minimum metered storage, by engine. */
  serverlessCacheGbHour: { valkey: 0.084, redis: 0.125, memcached: 0.125 } as Record<string, number>,
  serverlessCacheMinGb: { valkey: 0.1, redis: 1, memcached: 1 } as Record<string, number>,
  interfaceEndpointAzHour: 0.01,
  dashboardMonth: 3,
  /** Per metric an alarm reads, standard resolution (period ≥ 60 s); high resolution is 0.30. */
  alarmMetricMonth: 0.1,
  alarmMetricHighResMonth: 0.3,
  secretMonth: 0.4,
  kmsKeyMonth: 1,
  customMetricMonth: 0.3,
  lambdaRequestPerM: 0.2,
  lambdaArmGbSecond: 0.0000133334,
  lambdaX86GbSecond: 0.0000166667,
  apiGatewayRestPerM: 3.5,
  cloudFrontHttpsPer10k: 0.01,
  sqsPerM: 0.4,
  dynamoWruPerM: 0.625,
  dynamoRruPerM: 0.125,
  dynamoStorageGbMonth: 0.25,
  dynamoPitrGbMonth: 0.2,
  logsIngestGb: 0.5,
} as const;

/** What the template cannot say: how long invocations run and how big their logs are. */
export const ASSUMPTIONS = {
  /** A scheduled tick (dispatcher or health probe) with nothing due. */
  idleTickMs: 150,
  /** One API request served warm (the API bench measures ≤ 10 ms in-process; Lambda adds its overhead). */
  apiRequestMs: 50,
  /** Share of API requests that miss the cache and read DynamoDB, and the read units such a miss costs. */
  apiMissRate: 0.1,
  apiMissRru: 20,
  /** One ingestion worker invocation for one symbol/interval (provider call + upserts + checkpoint). */
  workerTickMs: 400,
  /** Log bytes per invocation (start/end/report lines, one EMF flush). */
  logBytesPerInvocation: 1_000,
  /** A stored bar, for storage: ~150 B item + key overhead. */
  barBytes: 200,
} as const;

type Json = Record<string, unknown>;

export interface CostLine {
  item: string;
  basis: string;
  monthly: number;
}

export interface CostReport {
  fixed: CostLine[];
  fixedTotal: number;
  perMillionApiCalls: CostLine[];
  perMillionApiCallsTotal: number;
  perSymbolMonth: { interval: Interval; lines: CostLine[]; total: number }[];
}

const resources = (t: CfnTemplate, type: string): CfnResourceJson[] => ofType(t, type).map(([, r]) => r);

const props = (r: CfnResourceJson): Json => (r.Properties ?? {}) as Json;

/** Minutes between firings of an EventBridge schedule expression we emit: rate(N unit) or cron(m/k | m * * * ? *). */
export function scheduleMinutes(expr: string): number {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expr);
  if (rate) {
    const n = Number(rate[1]);
    return rate[2].startsWith('minute') ? n : rate[2].startsWith('hour') ? n * 60 : n * 1440;
  }
  const cron = /^cron\((\S+) (\S+) \S+ \S+ \S+ \S+\)$/.exec(expr);
  if (cron) {
    const [, minute, hour] = cron;
    const every = /^\d+\/(\d+)$/.exec(minute);
    const perHour = every ? 60 / Number(every[1]) : minute.split(',').length;
    if (hour !== '*') throw new Error(`cost model: cron with fixed hours not modelled: ${expr}`);
    return 60 / perHour;
  }
  throw new Error(`cost model: unknown schedule expression ${expr}`);
}

/** Lambda function logical ID → { memory MB, arm64 } for the functions a rule or route targets. */
function functionSpecs(t: CfnTemplate): Map<string, { memoryMb: number; arm: boolean }> {
  const out = new Map<string, { memoryMb: number; arm: boolean }>();
  for (const [id, r] of Object.entries(t.Resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const p = props(r);
    out.set(id, {
      memoryMb: Number(p.MemorySize ?? 128),
      arm: Array.isArray(p.Architectures) && p.Architectures.includes('arm64'),
    });
  }
  return out;
}

const lambdaCost = (invocations: number, ms: number, spec: { memoryMb: number; arm: boolean }) =>
  (invocations / 1e6) * PRICES.lambdaRequestPerM +
  invocations * (ms / 1000) * (spec.memoryMb / 1024) * (spec.arm ? PRICES.lambdaArmGbSecond : PRICES.lambdaX86GbSecond);

const money = (n: number) => `$${n.toFixed(n >= 0.1 ? 2 : n >= 0.001 ? 3 : 5)}`;

export function costModel(t: CfnTemplate): CostReport {
  const P = PRICES;
  const A = ASSUMPTIONS;
  const H = P.hoursPerMonth;
  const fixed: CostLine[] = [];
  const specs = functionSpecs(t);

  const nats = resources(t, 'AWS::EC2::NatGateway').length;
  if (nats)
    fixed.push({
      item: 'NAT gateway',
      basis: `${nats} × ${H} h × $${P.natGatewayHour}/h`,
      monthly: nats * H * P.natGatewayHour,
    });
  const ips = resources(t, 'AWS::EC2::EIP').length;
  if (ips)
    fixed.push({
      item: 'public IPv4 address (NAT)',
      basis: `${ips} × ${H} h × $${P.publicIpv4Hour}/h`,
      monthly: ips * H * P.publicIpv4Hour,
    });

  for (const c of resources(t, 'AWS::ElastiCache::ServerlessCache')) {
    const engine = String(props(c).Engine ?? 'valkey');
    const gb = P.serverlessCacheMinGb[engine];
    const rate = P.serverlessCacheGbHour[engine];
    fixed.push({
      item: `ElastiCache Serverless (${engine}) storage minimum`,
      basis: `${gb} GB × ${H} h × $${rate}/GB-h (ECPUs extra, per use)`,
      monthly: gb * H * rate,
    });
  }

  const interfaceAzs = resources(t, 'AWS::EC2::VPCEndpoint')
    .filter((e) => props(e).VpcEndpointType === 'Interface')
    .reduce((n, e) => n + ((props(e).SubnetIds as unknown[] | undefined)?.length ?? 1), 0);
  if (interfaceAzs)
    fixed.push({
      item: 'interface VPC endpoints',
      basis: `${interfaceAzs} endpoint-AZs × ${H} h × $${P.interfaceEndpointAzHour}/h`,
      monthly: interfaceAzs * H * P.interfaceEndpointAzHour,
    });

  const dashboards = resources(t, 'AWS::CloudWatch::Dashboard').length;
  if (dashboards)
    fixed.push({
      item: 'CloudWatch dashboards',
      basis: `${dashboards} × $${P.dashboardMonth}`,
      monthly: dashboards * P.dashboardMonth,
    });

  let alarmMetrics = 0;
  let alarmMetricsHighRes = 0;
  const alarms = resources(t, 'AWS::CloudWatch::Alarm');
  for (const a of alarms) {
    const p = props(a);
    const stats = Array.isArray(p.Metrics)
      ? (p.Metrics as Json[]).filter((m) => m.MetricStat).map((m) => Number((m.MetricStat as Json).Period))
      : [Number(p.Period)];
    for (const period of stats)
      if (period < 60) alarmMetricsHighRes++;
      else alarmMetrics++;
  }
  if (alarms.length)
    fixed.push({
      item: 'CloudWatch alarms',
      basis: `${alarms.length} alarms reading ${alarmMetrics + alarmMetricsHighRes} metrics × $${P.alarmMetricMonth}${alarmMetricsHighRes ? ` (${alarmMetricsHighRes} high-res × $${P.alarmMetricHighResMonth})` : ''}`,
      monthly: alarmMetrics * P.alarmMetricMonth + alarmMetricsHighRes * P.alarmMetricHighResMonth,
    });

  const secrets = resources(t, 'AWS::SecretsManager::Secret').length;
  if (secrets)
    fixed.push({
      item: 'Secrets Manager secrets',
      basis: `${secrets} × $${P.secretMonth}`,
      monthly: secrets * P.secretMonth,
    });
  const keys = resources(t, 'AWS::KMS::Key').length;
  if (keys)
    fixed.push({
      item: 'KMS customer managed keys',
      basis: `${keys} × $${P.kmsKeyMonth}`,
      monthly: keys * P.kmsKeyMonth,
    });

  // Custom metrics: every catalogued series (route metrics once per API route). A series with no datapoint in a
  // month is not billed, so this is the bound for a month in which every route was called at least once.
  const routeCount = ROUTES.length;
  const series = Object.values(METRIC_CATALOG).reduce(
    (n, m) => n + ((m.dimensions as readonly string[]).includes('route') ? routeCount : 1),
    0,
  );
  fixed.push({
    item: 'custom metrics (EMF)',
    basis: `${series} series (catalogue; route metrics × ${routeCount} routes) × $${P.customMetricMonth}, billed only if published that month`,
    monthly: series * P.customMetricMonth,
  });

  // Standing work of the schedules: each rule's Lambda targets run every period whether or not anything is due.
  let ticks = 0;
  let tickCost = 0;
  for (const rule of resources(t, 'AWS::Events::Rule')) {
    const p = props(rule);
    if (typeof p.ScheduleExpression !== 'string' || p.State === 'DISABLED') continue;
    const perMonth = (H * 60) / scheduleMinutes(p.ScheduleExpression);
    for (const target of (p.Targets as Json[] | undefined) ?? []) {
      const spec = specs.get(refId(target.Arn) ?? '');
      if (!spec) continue;
      ticks += perMonth;
      tickCost += lambdaCost(perMonth, A.idleTickMs, spec);
    }
  }
  if (ticks)
    fixed.push({
      item: 'scheduled Lambda ticks at idle',
      basis: `${Math.round(ticks).toLocaleString('en-US')} invocations × ${A.idleTickMs} ms (assumed)`,
      monthly: tickCost,
    });
  if (ticks)
    fixed.push({
      item: 'CloudWatch Logs for those ticks',
      basis: `${((ticks * A.logBytesPerInvocation) / 1e9).toFixed(3)} GB × $${P.logsIngestGb}/GB`,
      monthly: ((ticks * A.logBytesPerInvocation) / 1e9) * P.logsIngestGb,
    });
  const fixedTotal = fixed.reduce((s, l) => s + l.monthly, 0);

  // Per 1M API calls, priced on the read path (GET /api/v1/analysis/{symbol}) through CloudFront.
  const analysisFn = [...specs.entries()].find(([id]) => /Analysis/i.test(id) && !/Write|Post/i.test(id));
  const apiSpec = analysisFn?.[1] ?? { memoryMb: 1024, arm: true };
  const hasCloudFront = resources(t, 'AWS::CloudFront::Distribution').length > 0;
  const perMillionApiCalls: CostLine[] = [
    { item: 'API Gateway (REST)', basis: `1M × $${P.apiGatewayRestPerM}/M`, monthly: P.apiGatewayRestPerM },
    {
      item: 'Lambda',
      basis: `1M × ${A.apiRequestMs} ms (assumed) at ${apiSpec.memoryMb} MB ${apiSpec.arm ? 'arm64' : 'x86'}`,
      monthly: lambdaCost(1e6, A.apiRequestMs, apiSpec),
    },
    {
      item: 'DynamoDB reads on cache misses',
      basis: `${A.apiMissRate * 100}% misses × ${A.apiMissRru} RRU (assumed)`,
      monthly: ((1e6 * A.apiMissRate * A.apiMissRru) / 1e6) * P.dynamoRruPerM,
    },
    {
      item: 'CloudWatch Logs',
      basis: `${A.logBytesPerInvocation} B per request`,
      monthly: ((1e6 * A.logBytesPerInvocation) / 1e9) * P.logsIngestGb,
    },
  ];
  if (hasCloudFront)
    perMillionApiCalls.push({
      item: 'CloudFront requests (chart page path)',
      basis: `1M × $${P.cloudFrontHttpsPer10k}/10k`,
      monthly: 100 * P.cloudFrontHttpsPer10k,
    });
  const perMillionApiCallsTotal = perMillionApiCalls.reduce((s, l) => s + l.monthly, 0);

  // Per tracked symbol-month, for one interval: the worker runs when a bar closes (its family's schedule decides
  // how often that is checked), each run is one SQS message (send, receive, delete), writes the new bars and the
  // checkpoint, and keeps the bars.
  const worker = [...specs.entries()].find(([id]) => /Worker/i.test(id))?.[1] ?? { memoryMb: 1024, arm: true };
  const perSymbolMonth = (['1m', '1h', '1d'] as Interval[]).map((interval) => {
    const barsPerMonth = (H * 3_600_000) / INTERVAL_MS[interval];
    const familyMinutes = INTERVAL_FAMILIES[familyOf(interval)].rateMinutes;
    const runs = Math.min(barsPerMonth, (H * 60) / familyMinutes);
    const lines: CostLine[] = [
      {
        item: 'worker Lambda',
        basis: `${Math.round(runs).toLocaleString('en-US')} runs × ${A.workerTickMs} ms (assumed) at ${worker.memoryMb} MB`,
        monthly: lambdaCost(runs, A.workerTickMs, worker),
      },
      {
        item: 'SQS',
        basis: `${Math.round(runs * 3).toLocaleString('en-US')} requests`,
        monthly: ((runs * 3) / 1e6) * P.sqsPerM,
      },
      {
        item: 'DynamoDB writes',
        basis: `${Math.round(barsPerMonth).toLocaleString('en-US')} bars + ${Math.round(runs).toLocaleString('en-US')} checkpoints, 1 WRU each`,
        monthly: ((barsPerMonth + runs) / 1e6) * P.dynamoWruPerM,
      },
      {
        item: 'DynamoDB storage + PITR (one month of bars)',
        basis: `${((barsPerMonth * A.barBytes) / 1e9).toFixed(4)} GB`,
        monthly: ((barsPerMonth * A.barBytes) / 1e9) * (P.dynamoStorageGbMonth + P.dynamoPitrGbMonth),
      },
      {
        item: 'CloudWatch Logs',
        basis: `${A.logBytesPerInvocation} B per run`,
        monthly: ((runs * A.logBytesPerInvocation) / 1e9) * P.logsIngestGb,
      },
    ];
    return { interval, lines, total: lines.reduce((s, l) => s + l.monthly, 0) };
  });

  return { fixed, fixedTotal, perMillionApiCalls, perMillionApiCallsTotal, perSymbolMonth };
}

/** The report as the README shows it (between the cost-model markers). */
export function formatCost(r: CostReport): string[] {
  const table = (lines: CostLine[], total: number, label: string) => [
    '| item | basis | per month |',
    '| --- | --- | ---: |',
    ...lines.map((l) => `| ${l.item} | ${l.basis} | ${money(l.monthly)} |`),
    `| **${label}** | | **${money(total)}** |`,
  ];
  return [
    `Prices: AWS list prices, ${PRICES.region}, ${PRICES.asOf}. Assumptions: ${Object.entries(ASSUMPTIONS)
      .map(([k, v]) => `${k} = ${v}`)
      .join(', ')}.`,
    '',
    '**Fixed monthly cost at zero traffic** (default stack; `npm run bench -- cost`):',
    '',
    ...table(r.fixed, r.fixedTotal, 'total, zero traffic'),
    '',
    '**Per 1M API calls** (`GET /api/v1/analysis/{symbol}`; `npm run bench -- cost`):',
    '',
    ...table(r.perMillionApiCalls, r.perMillionApiCallsTotal, 'per 1M calls'),
    '',
    '**Per tracked symbol-month** (one interval, scheduled ingestion; `npm run bench -- cost`):',
    '',
    '| interval | per symbol-month | of which |',
    '| --- | ---: | --- |',
    ...r.perSymbolMonth.map(
      (s) =>
        `| ${s.interval} | ${money(s.total)} | ${s.lines.map((l) => `${l.item} ${money(l.monthly)}`).join('; ')} |`,
    ),
  ];
}

export async function benchCost(): Promise<string[]> {
  const { synth } = await import('../test/infra/synth.js');
  const { json } = synth();
  return formatCost(costModel(json));
}
