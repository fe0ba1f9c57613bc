/**
 * Synthesizes a small CDK stack holding only the Jobs construct (bundling skipped) and extracts what the local
 * runtime needs to run its state machine: the resolved ASL definition and, per Task state, the handler entry.
 * The tests use the stack itself; `npm start` runs this file as a child process (synthesis costs seconds and
 * ~0.5 GB, which the server should not keep) and caches its output (local/jobs.ts):
 *
 *   tsx local/jobs-synth.ts [OUTFILE]   (default: the cache file for the current sources; npm's prepare runs this)
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Jobs, type JobsProps } from '../lib/jobs.js';
import type { FunctionDefaults } from '../lib/service-function.js';
import { stateMachineDefinition, taskEntries, type Json } from './state-machine.js';

/** FunctionDefaults for a stand-alone stack: a small VPC, the same shape ChanStack hands to constructs. */
export function testFunctionDefaults(stack: Stack, tracing = false): FunctionDefaults {
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    natGateways: 0,
    maxAzs: 2,
    subnetConfiguration: [{ name: 'app', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const sg = new ec2.SecurityGroup(stack, 'LambdaSg', { vpc, allowAllOutbound: true });
  const vpcAccessPolicy = new iam.ManagedPolicy(stack, 'VpcAccess', {
    statements: [
      new iam.PolicyStatement({
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    ],
  });
  return {
    cacheAccess: {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroup: sg,
      vpcAccessPolicy,
      redisUrl: 'rediss://cache.example:6379',
    },
    logRetention: logs.RetentionDays.TWO_WEEKS,
    logRemovalPolicy: RemovalPolicy.DESTROY,
    tracing,
    environment: { ENVIRONMENT: 'test', TABLE_NAME: 'placeholder', SECRET_KEY: 'placeholder-secret-key' },
  };
}

export interface JobsStack {
  app: App;
  stack: Stack;
  jobs: Jobs;
  table: dynamodb.Table;
  template: Json;
}

/** Synthesizes a stack holding only the Jobs construct (and what it needs). */
export function synthJobsStack(
  opts: { tracing?: boolean; extra?: (stack: Stack, defaults: FunctionDefaults) => Partial<JobsProps> } = {},
): JobsStack {
  const outdir = mkdtempSync(join(tmpdir(), 'chan-jobs-cdk-'));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'JobsTest');
  const defaults = testFunctionDefaults(stack, opts.tracing);
  const table = new dynamodb.Table(stack, 'Table', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
  });
  const jobs = new Jobs(stack, 'Jobs', {
    data: { table },
    functionDefaults: defaults,
    ...opts.extra?.(stack, defaults),
  });
  try {
    app.synth();
  } catch (e) {
    // With a cdk-nag plugin added, findings make synth throw after the template is written (the report says why).
    if (!String(e).includes('Validation failed') && !String(e).includes('ValidationFailed')) throw e;
  }
  const template = JSON.parse(readFileSync(join(outdir, stack.templateFile), 'utf8')) as Json;
  return { app, stack, jobs, table, template };
}

/** What the local runtime runs: the definition and each Task state's handler entry. */
export interface ExtractedJobs {
  definition: Json;
  entries: Record<string, string>;
}

export function extractJobs(): ExtractedJobs {
  const { template, app } = synthJobsStack();
  rmSync(app.outdir, { recursive: true, force: true });
  const definition = stateMachineDefinition(template);
  return { definition, entries: taskEntries(template, definition) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // No argument (npm's prepare step): fill the cache `npm start` reads, unless it is already there.
  const out = process.argv[2] ?? (await import('./jobs.js')).jobsCacheFile();
  if (!process.argv[2] && existsSync(out)) process.exit(0);
  mkdirSync(dirname(out), { recursive: true });
  // Written whole under a temporary name and renamed: a reader never sees half a file.
  writeFileSync(`${out}.${process.pid}`, JSON.stringify(extractJobs()));
  renameSync(`${out}.${process.pid}`, out);
}
