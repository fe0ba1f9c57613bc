/**
 * A small stack with one of everything the Monitoring construct can watch (API with routes, functions, health
 * function, table, work queue with DLQ, stand-alone DLQ, state machine), for the monitoring template tests.
 * Inline Lambda code and bundling disabled: the tests look at alarms and wiring, not bundles.
 */
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { loadMonitoringConfig, Monitoring, type MonitoringConfig } from '../../lib/monitoring.js';
import type { FunctionDefaults } from '../../lib/service-function.js';

export function buildMonitoringTestStack(
  opts: { config?: MonitoringConfig; context?: Record<string, unknown>; minimal?: boolean; topicKey?: boolean } = {},
) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...(opts.context ?? {}) } });
  const stack = new Stack(app, 'MonitoringTest');
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    natGateways: 0,
    subnetConfiguration: [{ name: 'app', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const securityGroup = new ec2.SecurityGroup(stack, 'Sg', { vpc });
  const vpcAccessPolicy = new iam.ManagedPolicy(stack, 'VpcAccess', {
    statements: [new iam.PolicyStatement({ actions: ['ec2:CreateNetworkInterface'], resources: ['*'] })],
  });
  const functionDefaults: FunctionDefaults = {
    cacheAccess: {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroup,
      vpcAccessPolicy,
      redisUrl: 'rediss://cache.example:6379',
    },
    logRetention: logs.RetentionDays.ONE_WEEK,
    logRemovalPolicy: RemovalPolicy.DESTROY,
    tracing: false,
    environment: { ENVIRONMENT: 'development' },
  };
  const inline = (name: string) =>
    new lambda.Function(stack, name, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    });

  if (opts.minimal) {
    const topicKey = opts.topicKey ? new kms.Key(stack, 'TopicKey', { enableKeyRotation: true }) : undefined;
    const monitoring = new Monitoring(stack, 'Monitoring', {
      stage: 'test',
      functionDefaults,
      config: opts.config,
      topicKey,
    });
    return { app, stack, monitoring };
  }

  const api = new apigw.RestApi(stack, 'Api', {
    restApiName: 'chan-test',
    deployOptions: { stageName: 'test' },
    cloudWatchRole: false,
  });
  api.root.addResource('health').addMethod('GET', new apigw.MockIntegration());
  const klines = inline('Klines');
  const health = inline('Health');
  const table = new dynamodb.Table(stack, 'Table', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
  });
  const ingestDlq = new sqs.Queue(stack, 'IngestDlq');
  const ingestQueue = new sqs.Queue(stack, 'IngestQueue', {
    deadLetterQueue: { queue: ingestDlq, maxReceiveCount: 5 },
    visibilityTimeout: Duration.minutes(2),
  });
  const schedulerDlq = new sqs.Queue(stack, 'SchedulerDlq');
  const jobs = new sfn.StateMachine(stack, 'Jobs', {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Done')),
  });

  const monitoring = new Monitoring(stack, 'Monitoring', {
    stage: 'test',
    functionDefaults,
    config: opts.config,
    alarmEmail: 'ops@example.com',
    api,
    apiStage: 'test',
    functions: { klines, health },
    healthFunction: health,
    table,
    queues: { ingest: { queue: ingestQueue, deadLetterQueue: ingestDlq } },
    deadLetterQueues: { scheduler: schedulerDlq },
    stateMachines: { jobs },
    ingestion: true,
  });
  return { app, stack, monitoring, api, klines, health, table, ingestQueue, ingestDlq, schedulerDlq, jobs };
}

export { loadMonitoringConfig };
