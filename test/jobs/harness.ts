/**
 * Runs the jobs state machine locally, exactly as synthesized: a small CDK stack with the Jobs construct is
 * synthesized (bundling skipped), the state machine's DefinitionString is taken from the template with its
 * Fn::Join / Ref / Fn::GetAtt resolved to fake ARNs, and aws-local-stepfunctions executes it. Every Task state
 * runs the real handler of the Lambda its Resource names in the template (found through the function's
 * description, which carries the entry file), against dynalite.
 *
 * Used by the state-machine tests, the API test (as the job starter) and the bench.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { StateMachine, type RunOptions } from 'aws-local-stepfunctions';
import { Jobs, type JobsProps } from '../../lib/jobs.js';
import { PROJECT_ROOT } from '../../lib/chan-stack.js';
import type { FunctionDefaults } from '../../lib/service-function.js';

// aws-local-stepfunctions calls Promise.withResolvers (Node 22+); development and CI run Node 20.
const P = Promise as unknown as { withResolvers?: () => unknown };
P.withResolvers ??= function withResolvers<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation / ASL JSON, read loosely
export type Json = any;

export const FAKE_ACCOUNT = '123456789012';
export const FAKE_REGION = 'us-east-1';

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

/** Resolves the intrinsics a DefinitionString uses to plain strings (fake ARNs named after logical ids). */
export function resolveIntrinsics(v: Json): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object') {
    if ('Fn::Join' in v) {
      const [sep, parts] = v['Fn::Join'] as [string, Json[]];
      return parts.map(resolveIntrinsics).join(sep);
    }
    if ('Ref' in v) {
      const ref = v.Ref as string;
      if (ref === 'AWS::Partition') return 'aws';
      if (ref === 'AWS::Region') return FAKE_REGION;
      if (ref === 'AWS::AccountId') return FAKE_ACCOUNT;
      if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
      return ref;
    }
    if ('Fn::GetAtt' in v) {
      const [id, attr] = v['Fn::GetAtt'] as [string, string];
      if (attr === 'Arn') return `arn:aws:lambda:${FAKE_REGION}:${FAKE_ACCOUNT}:function:${id}`;
      return `${id}.${attr}`;
    }
  }
  throw new Error(`unsupported intrinsic in DefinitionString: ${JSON.stringify(v)}`);
}

export function stateMachineDefinition(template: Json): Json {
  const machines = Object.values(template.Resources as Record<string, Json>).filter(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (machines.length !== 1) throw new Error(`expected one state machine, found ${machines.length}`);
  return JSON.parse(resolveIntrinsics(machines[0].Properties.DefinitionString));
}

/** Every Task state (nested Map processors included): name → Resource. */
export function taskStates(def: Json): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (states: Record<string, Json>) => {
    for (const [name, s] of Object.entries(states)) {
      if (s.Type === 'Task') out.set(name, s.Resource as string);
      const proc = s.ItemProcessor ?? s.Iterator;
      if (proc) walk(proc.States);
      for (const b of s.Branches ?? []) walk(b.States);
    }
  };
  walk(def.States);
  return out;
}

export type TaskHandler = (input: Json) => Promise<Json>;

/** For each Task state, the handler module its Lambda was built from (per the template). */
export async function templateHandlers(template: Json, def: Json): Promise<Record<string, TaskHandler>> {
  const out: Record<string, TaskHandler> = {};
  for (const [state, resource] of taskStates(def)) {
    const logicalId = resource.split(':function:')[1];
    const fn = template.Resources[logicalId];
    if (fn?.Type !== 'AWS::Lambda::Function')
      throw new Error(`state ${state}: ${resource} is not a Lambda function of the template`);
    const entry = /\((functions\/jobs\/tasks\/[\w-]+\.ts)\)/.exec(fn.Properties.Description as string)?.[1];
    if (!entry) throw new Error(`state ${state}: no entry in the description of ${logicalId}`);
    const mod = (await import(pathToFileURL(join(PROJECT_ROOT, entry)).href)) as { handler: TaskHandler };
    // Lambda hands the function a JSON copy of the input and Step Functions gets a JSON copy of the output.
    out[state] = async (input) =>
      JSON.parse(JSON.stringify((await mod.handler(JSON.parse(JSON.stringify(input)))) ?? null));
  }
  return out;
}

export interface RunReport {
  output: Json;
  error?: Error;
  events: Json[];
}

/** Runs one execution to its end, collecting the event log. */
export async function runExecution(
  def: Json,
  handlers: Record<string, TaskHandler>,
  input: Json,
  overrides: RunOptions['overrides'] = {},
): Promise<RunReport> {
  const sm = new StateMachine(def, { validationOptions: { checkArn: false } });
  // Retries are exercised for real, without their (jittered, seconds-long) waits.
  const retryIntervalOverrides = Object.fromEntries([...taskStates(def).keys()].map((s) => [s, 0]));
  const run = sm.run(input, {
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides, ...overrides },
  });
  const events: Json[] = [];
  const collecting = (async () => {
    for await (const e of run.eventLogs) events.push(e);
  })();
  let output: Json;
  let error: Error | undefined;
  try {
    output = await run.result;
  } catch (e) {
    error = e as Error;
  }
  await collecting;
  return { output, error, events };
}

/**
 * A JobStarter for the local runtime and tests: runs the synthesized definition in-process, in the background
 * (POST answers 202 at once, as with StartExecution); `wait(id)` resolves when that execution has ended.
 */
export function localJobStarter(def: Json, handlers: Record<string, TaskHandler>) {
  const runs = new Map<string, Promise<RunReport>>();
  return {
    starter: {
      start: async (input: { jobId: string }) => {
        runs.set(input.jobId, runExecution(def, handlers, input));
        return `local:execution:${input.jobId}`;
      },
    },
    wait: (jobId: string): Promise<RunReport> => {
      const r = runs.get(jobId);
      if (!r) throw new Error(`no local execution for job ${jobId}`);
      return r;
    },
  };
}
