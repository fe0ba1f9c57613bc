/**
 * ServiceFunction: the ONE place that says how a Lambda of this service is built, so every function (API
 * handlers now; ingestion workers and Step Functions tasks later) gets the same runtime, architecture,
 * bundling, logging, network and permissions baseline, and the stack never repeats these settings.
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

/** What every function in the stack shares; built once by the stack (see ChanStack.functionDefaults). */
export interface FunctionDefaults {
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  /** The Lambdas' security group: the only one the cache admits. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** ENI permissions Lambda needs to attach to the VPC (one shared policy, see Network). */
  readonly vpcAccessPolicy: iam.IManagedPolicy;
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
  /** POWERTOOLS_SERVICE_NAME: the `service` key of every log line and metric. */
  readonly serviceName?: string;
  readonly environment?: Readonly<Record<string, string>>;
  readonly memorySize?: number;
  readonly timeout?: Duration;
}

export class ServiceFunction extends Construct implements iam.IGrantable {
  readonly function: NodejsFunction;
  /** The bundled entry: what the wiring tests read the function's AWS calls from (lib/aws-calls.ts). */
  readonly entry: string;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const d = props.defaults;
    this.entry = props.entry;

    // An explicit log group: retention is set at creation (no LogRetention custom resource) and the role can be
    // scoped to it instead of AWSLambdaBasicExecutionRole's logs:* on every log group in the account.
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: d.logRetention, removalPolicy: d.logRemovalPolicy });

    // An explicit role: no AWS managed policies (AwsSolutions-IAM4); logs only to this function's group, ENI
    // management through the one shared VPC policy.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (execution role)`,
      managedPolicies: [d.vpcAccessPolicy],
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
      role: this.role,
      logGroup: this.logGroup,
      vpc: d.vpc,
      vpcSubnets: d.vpcSubnets,
      securityGroups: [d.securityGroup],
      tracing: d.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? 'chan-analysis',
        // Stack traces point into the TypeScript sources through the bundled source map.
        NODE_OPTIONS: '--enable-source-maps',
        ...d.environment,
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
        banner: ESBUILD_DEFAULTS.banner,
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
