/**
 * ServiceFunction: the ONE place that says how a Lambda of this service is built, so every function (the API
 * handlers, the ingestion worker and dispatcher, the jobs' Step Functions tasks, the notifier) gets the same
 * runtime, architecture, bundling, logging, network and permissions baseline, and the stack never repeats them.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ESBUILD_DEFAULTS } from './bundling.js';

/** Lambda runtime for every function: the newest Node LTS Lambda offers (nodejs20.x can no longer be created). */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;
/** Graviton: ~20% cheaper per GB-second than x86 for the same work, and the code has no native modules. */
export const FUNCTION_ARCHITECTURE = lambda.Architecture.ARM_64;

/**
 * How a function that uses the cache reaches it: ElastiCache lives only in the VPC, so exactly those functions are
 * attached to it (and told its endpoint). Every other function runs outside the VPC and reaches AWS APIs and the
 * internet directly, without depending on the NAT gateway.
 */
export interface CacheAccess {
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  /** The Lambdas' security group: the only one the cache admits. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** ENI permissions Lambda needs to attach to the VPC (one shared policy, see Network). */
  readonly vpcAccessPolicy: iam.IManagedPolicy;
  /** REDIS_URL of the cache's primary endpoint. */
  readonly redisUrl: string;
}

/** What every function in the stack shares; built once by the stack (see ChanStack.functionDefaults). */
export interface FunctionDefaults {
  /** For functions with `usesCache`; absent in stacks without a cache. */
  readonly cacheAccess?: CacheAccess;
  readonly logRetention: logs.RetentionDays;
  /** DESTROY outside prod so throwaway stages leave nothing behind; RETAIN in prod keeps logs for audits. */
  readonly logRemovalPolicy: RemovalPolicy;
  readonly tracing: boolean;
  /** Environment every function gets (ENVIRONMENT, LOG_LEVEL, TABLE_NAME, ...). Per-function values win. */
  readonly environment: Readonly<Record<string, string>>;
}

export interface ServiceFunctionProps {
  readonly defaults: FunctionDefaults;
  /** Path of the TypeScript entry exporting `handler`. */
  readonly entry: string;
  readonly description: string;
  /**
   * Whether the code reads or writes the cache (functions/common/deps.ts `cache`, or the series service over it).
   * true: attached to the VPC with REDIS_URL; false: outside the VPC, where the cache is unreachable. Said per
   * function so the network a function depends on is visible where it is built; test/infra/first-deploy.test.ts
   * checks it against what each entry's bundle actually calls.
   */
  readonly usesCache: boolean;
  /** POWERTOOLS_SERVICE_NAME: the `service` key of every log line and metric. */
  readonly serviceName?: string;
  readonly environment?: Readonly<Record<string, string>>;
  readonly memorySize?: number;
  readonly timeout?: Duration;
  /** A concurrency ceiling (and floor) for this function; default: none, it shares the account's pool. */
  readonly reservedConcurrentExecutions?: number;
}

export class ServiceFunction extends Construct implements iam.IGrantable {
  readonly function: NodejsFunction;
  /** The bundled entry: what the wiring tests read the function's AWS calls from (lib/aws-calls.ts). */
  readonly entry: string;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly grantPrincipal: iam.IPrincipal;
  readonly usesCache: boolean;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const d = props.defaults;
    this.entry = props.entry;
    this.usesCache = props.usesCache;
    const cache = props.usesCache ? d.cacheAccess : undefined;
    if (props.usesCache && !cache) throw new Error(`${this.node.path}: usesCache, but the stack has no cacheAccess`);

    // An explicit log group: retention is set at creation (no LogRetention custom resource) and the role can be
    // scoped to it instead of AWSLambdaBasicExecutionRole's logs:* on every log group in the account.
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: d.logRetention, removalPolicy: d.logRemovalPolicy });

    // An explicit role: no AWS managed policies (AwsSolutions-IAM4); logs only to this function's group, ENI
    // management (VPC functions only) through the one shared VPC policy.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (execution role)`,
      managedPolicies: cache ? [cache.vpcAccessPolicy] : [],
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Fn', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: FUNCTION_ARCHITECTURE,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      ...(cache ? { vpc: cache.vpc, vpcSubnets: cache.vpcSubnets, securityGroups: [cache.securityGroup] } : {}),
      tracing: d.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? 'chan-analysis',
        // Stack traces point into the TypeScript sources through the bundled source map.
        NODE_OPTIONS: '--enable-source-maps',
        ...d.environment,
        ...(cache ? { REDIS_URL: cache.redisUrl } : {}),
        ...props.environment,
      },
      bundling: {
        // Local esbuild (a devDependency): without it CDK falls back to Docker, which CI machines do not have.
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: ESBUILD_DEFAULTS.target,
        minify: ESBUILD_DEFAULTS.minify,
        sourceMap: ESBUILD_DEFAULTS.sourcemap,
        sourcesContent: ESBUILD_DEFAULTS.sourcesContent,
        mainFields: [...ESBUILD_DEFAULTS.mainFields],
        externalModules: [...ESBUILD_DEFAULTS.external],
        esbuildArgs: Object.fromEntries(
          Object.entries(ESBUILD_DEFAULTS.alias).map(([from, to]) => [`--alias:${from}`, to]),
        ),
      },
    });
    this.grantPrincipal = this.function.grantPrincipal;

    if (d.tracing) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions.',
      });
    }
  }
}
