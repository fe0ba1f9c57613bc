/**
 * Template assertions for lib/ingestion.ts in a small test stack: schedules per interval family with the
 * family in the dispatcher's input, the queue's DLQ and retry settings, the worker's event source, grants.
 */
import { App, Stack, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Ingestion, MAX_RECEIVE_COUNT, WORKER_TIMEOUT } from '../../lib/ingestion.js';

let t: Template;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON, read loosely
let json: { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'IngestTest');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const table = new dynamodb.Table(stack, 'Table', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc });
  const vpcAccessPolicy = new iam.ManagedPolicy(stack, 'VpcAccess', {
    statements: [new iam.PolicyStatement({ actions: ['ec2:CreateNetworkInterface'], resources: ['*'] })],
  });
  new Ingestion(stack, 'Ingestion', {
    data: { table },
    functionDefaults: {
      cacheAccess: {
        vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        securityGroup: sg,
        vpcAccessPolicy,
        redisUrl: 'rediss://cache.example:6379',
      },
      logRetention: logs.RetentionDays.ONE_MONTH,
      logRemovalPolicy: RemovalPolicy.DESTROY,
      tracing: false,
      environment: { TABLE_NAME: table.tableName },
    },
  });
  t = Template.fromStack(stack);
  json = t.toJSON() as typeof json;
});

const ofType = (type: string) => Object.entries(json.Resources).filter(([, r]) => r.Type === type);

describe('ingestion infra', () => {
  it('one schedule per interval family, each sending the scheduled event with its family', () => {
    const rules = ofType('AWS::Events::Rule');
    expect(rules.map(([, r]) => r.Properties.ScheduleExpression).sort()).toEqual([
      'cron(1/15 * * * ? *)',
      'cron(2 * * * ? *)',
      'rate(1 minute)',
    ]);
    const families = rules.map(([, r]) => {
      const target = r.Properties.Targets[0];
      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: expect.any(Number) });
      const tpl = target.InputTransformer.InputTemplate as string;
      expect(tpl).toContain('"detail-type":<detail-type>');
      return /"family":"(\w+)"/.exec(tpl)![1];
    });
    expect(families.sort()).toEqual(['daily', 'minute', 'quarter']);
  });

  it('queue: DLQ after a bounded number of receives, visibility ≥ 6 × worker timeout, TLS only', () => {
    const queues = ofType('AWS::SQS::Queue');
    expect(queues).toHaveLength(2);
    const main = queues.find(([, q]) => q.Properties.RedrivePolicy)!;
    const dlq = queues.find(([, q]) => !q.Properties.RedrivePolicy)!;
    expect(main[1].Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlq[0], 'Arn'] },
      maxReceiveCount: MAX_RECEIVE_COUNT,
    });
    expect(MAX_RECEIVE_COUNT).toBeGreaterThanOrEqual(3);
    expect(MAX_RECEIVE_COUNT).toBeLessThanOrEqual(10);
    expect(main[1].Properties.VisibilityTimeout).toBe(WORKER_TIMEOUT.toSeconds() * 6);
    expect(dlq[1].Properties.MessageRetentionPeriod).toBe(14 * 86_400);
    t.resourceCountIs('AWS::SQS::QueuePolicy', 2);
    t.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    // The DLQ's alarm belongs to the Monitoring construct (critical tier), not to this one.
    t.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  it('worker: SQS event source with partial batch failures and bounded concurrency', () => {
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: WORKER_TIMEOUT.toSeconds(),
      Environment: { Variables: Match.objectLike({ INGEST_QUEUE_URL: Match.anyValue() }) },
    });
  });

  it('grants: both functions send to the queue and write the table; the worker consumes', () => {
    const policies = ofType('AWS::IAM::Policy').map(([, p]) => JSON.stringify(p.Properties.PolicyDocument));
    const sends = policies.filter((p) => p.includes('sqs:SendMessage'));
    expect(sends.length).toBe(2);
    expect(policies.some((p) => p.includes('sqs:ReceiveMessage') && p.includes('sqs:DeleteMessage'))).toBe(true);
    expect(policies.filter((p) => p.includes('dynamodb:BatchWriteItem')).length).toBe(2);
  });
});
