/**
 * ChanStack: composes one construct per concern. Everything shared (config, VPC, table, cache, secret, API,
 * function defaults) is built once and handed to the concern constructs as a ChanPlatform.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { RemovalPolicy } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ROUTES, type HandlerGroup } from '../functions/routes.js';
import { ApiHandlers } from './api-handlers.js';
import { ChanApi } from './api.js';
import { Cache } from './cache.js';
import { ChartSite } from './chart-site.js';
import type { ChanConfig } from './config.js';
import { Data } from './data.js';
import { Ingestion } from './ingestion.js';
import { Jobs } from './jobs.js';
import { loadMonitoringConfig, Monitoring } from './monitoring.js';
import { Network } from './network.js';
import type { ChanPlatform } from './platform.js';
import { AppSecret } from './secrets.js';
import type { FunctionDefaults } from './service-function.js';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** functions/<group>/handler.ts for every group of the route table whose code exists. */
export function discoverHandlerEntries(root = PROJECT_ROOT): Partial<Record<HandlerGroup, string>> {
  const entries: Partial<Record<HandlerGroup, string>> = {};
  for (const group of new Set(ROUTES.map((r) => r.handler))) {
    const entry = join(root, 'functions', group, 'handler.ts');
    if (existsSync(entry)) entries[group] = entry;
  }
  return entries;
}

export interface ChanStackProps extends StackProps {
  readonly config: ChanConfig;
  /** Defaults to discoverHandlerEntries(); tests pass a stub for every group. */
  readonly handlerEntries?: Partial<Record<HandlerGroup, string>>;
}

export class ChanStack extends Stack {
  readonly platform: ChanPlatform;

  constructor(scope: Construct, id: string, props: ChanStackProps) {
    super(scope, id, props);
    const { config } = props;
    // CloudFormation rejects Tags on AWS::CloudWatch::Dashboard (cfn-lint E3002): tag everything else.
    const tagOptions = { excludeResourceTypes: ['AWS::CloudWatch::Dashboard'] };
    Tags.of(this).add('project', 'chan-analysis', tagOptions);
    Tags.of(this).add('stage', config.stage, tagOptions);

    const network = new Network(this, 'Network', { config });
    const data = new Data(this, 'Data', { config });
    const cache = new Cache(this, 'Cache', { config, network });
    const secret = new AppSecret(this, 'Secret', { config });
    const api = new ChanApi(this, 'Api', { config });

    // The environment every function gets: the names functions/common/config.ts parses.
    const functionDefaults: FunctionDefaults = {
      cacheAccess: {
        vpc: network.vpc,
        vpcSubnets: network.appSubnets,
        securityGroup: network.lambdaSecurityGroup,
        vpcAccessPolicy: network.lambdaVpcAccessPolicy,
        redisUrl: cache.redisUrl,
      },
      logRetention: config.logRetentionDays as logs.RetentionDays,
      logRemovalPolicy: config.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      tracing: config.tracing,
      environment: {
        ENVIRONMENT: config.environment,
        DEBUG: 'false',
        LOG_LEVEL: config.logLevel,
        POWERTOOLS_METRICS_NAMESPACE: 'ChanAnalysis',
        TABLE_NAME: data.table.tableName,
        CORS_ORIGINS: JSON.stringify(config.corsOrigins),
      },
    };

    // Lambda keeps 100 executions of the account's quota unreserved: a reservation beyond that fails the deploy.
    const accountLimit = loadMonitoringConfig(this.node.tryGetContext('monitoring')).info.accountConcurrencyLimit;
    if (config.analysisConcurrency > accountLimit - 100) {
      throw new Error(
        `analysisConcurrency ${config.analysisConcurrency} leaves less than 100 of the account's ${accountLimit} concurrent ` +
          'executions unreserved (monitoring.info.accountConcurrencyLimit); lower it, or 0 for no reservation',
      );
    }
    const handlers = new ApiHandlers(this, 'Handlers', {
      api,
      data,
      functionDefaults,
      entries: props.handlerEntries ?? discoverHandlerEntries(),
      isolatedConcurrency: config.analysisConcurrency,
    });

    this.platform = { config, network, data, cache, secret, api, handlers, functionDefaults };
    // /health reports the cache resource's own state beside its PING.
    const health = handlers.functionFor('health', 'read');
    if (health) cache.allowStatusChecks(health);
    // GET /api/v1/jobs/{id} signs and checks its page cursors with SECRET_KEY: the only code that uses it.
    const jobsReader = handlers.functionFor('jobs', 'read');
    if (jobsReader) secret.grantUse(jobsReader);

    // Concern constructs: one line each; Monitoring comes last because it watches the others.
    const chart = new ChartSite(this, 'Chart', {
      api: api.restApi,
      production: config.production,
      logRetention: config.logRetentionDays as logs.RetentionDays,
    });
    const ingestion = new Ingestion(this, 'Ingestion', this.platform);
    const jobs = new Jobs(this, 'Jobs', this.platform);
    const monitoring = new Monitoring(this, 'Monitoring', {
      stage: config.stage,
      functionDefaults,
      alarmEmail: config.alarmEmail,
      api: api.restApi,
      apiStage: config.stage,
      functions: {
        ...handlers.functions,
        'ingest-dispatcher': ingestion.dispatcher.function,
        'ingest-worker': ingestion.worker.function,
        ...Object.fromEntries(Object.entries(jobs.functions).map(([name, f]) => [`job-${name}`, f.function])),
      },
      healthFunction: handlers.functionFor('health', 'read')?.function,
      table: data.table,
      queues: { ingest: { queue: ingestion.queue, deadLetterQueue: ingestion.deadLetterQueue } },
      stateMachines: { jobs: jobs.stateMachine },
      ingestion: true,
    });
    // Buy/sell point alerts: the worker publishes new points to the signal topic, linking to the chart page.
    ingestion.worker.function.addEnvironment('SIGNAL_TOPIC_ARN', monitoring.signalTopic.topicArn);
    ingestion.worker.function.addEnvironment('CHART_BASE_URL', `${chart.siteOrigin}/`);
    monitoring.signalTopic.grantPublish(ingestion.worker);
    // POST /api/v1/symbols/{symbol}/backfill queues the first chunk of a backfill job.
    const symbolsWriter = handlers.functionFor('symbols', 'write');
    if (symbolsWriter) {
      symbolsWriter.function.addEnvironment('INGEST_QUEUE_URL', ingestion.queue.queueUrl);
      // Only so PUT /symbols knows a Tushare token is configured; the function never reads the secret.
      symbolsWriter.function.addEnvironment('TUSHARE_TOKEN_ARN', ingestion.tushareToken.secretArn);
      ingestion.queue.grantSendMessages(symbolsWriter);
    }

    new CfnOutput(this, 'ApiUrl', { value: api.restApi.url, description: 'Base URL of the API stage' });
    new CfnOutput(this, 'ApiKeyId', {
      value: api.apiKey.keyId,
      description: 'Write-route API key: aws apigateway get-api-key --include-value --api-key <id>',
    });
    new CfnOutput(this, 'TableName', { value: data.table.tableName });
    new CfnOutput(this, 'SecretArn', {
      value: secret.secret.secretArn,
      description: 'SECRET_KEY (generated; read at run time by the jobs API)',
    });
  }
}
