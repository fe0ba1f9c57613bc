/**
 * Cache: ElastiCache Serverless (Valkey) for hot K-lines and analysis results.
 *
 * - Serverless: no node sizing, pay per GB stored and per ECPU; TLS-only and cluster-mode-only (the runtime's own
 *   Redis client, functions/cache/resp/, routes by slot over rediss:// with hash-tagged keys). Valkey rather than Redis OSS: same protocol, lower
 *   price per GB-hour and ECPU on ElastiCache Serverless.
 * - Reachable only from the Lambdas' security group, on 6379 (the primary endpoint). The reader endpoint (6380)
 *   is not opened: the runtime reads from the primary; open 6380 here if it ever uses replica reads.
 * - Usage limits cap the bill if a bug caches without bound: 5 GB and 5,000 ECPU/s are far above what hot K-lines
 *   for the tracked symbols need, and the API degrades to DynamoDB when the cache throttles.
 * - No snapshots: everything in it is rebuilt from DynamoDB.
 */
import { Fn } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { ServiceFunction } from './service-function.js';
import { Construct } from 'constructs';
import type { ChanConfig } from './config.js';
import type { Network } from './network.js';

export const CACHE_PORT = 6379;

export interface CacheProps {
  readonly config: ChanConfig;
  readonly network: Network;
}

export class Cache extends Construct {
  readonly cache: elasticache.CfnServerlessCache;
  readonly securityGroup: ec2.SecurityGroup;
  /** rediss://host:port of the primary endpoint: the runtime's REDIS_URL. */
  readonly redisUrl: string;

  constructor(scope: Construct, id: string, props: CacheProps) {
    super(scope, id);
    const { config, network } = props;

    this.securityGroup = new ec2.SecurityGroup(this, 'Sg', {
      vpc: network.vpc,
      description: 'ElastiCache Serverless: Valkey from the service Lambdas only',
      // The cache never opens connections; with false CDK leaves a no-op egress rule instead of 0.0.0.0/0.
      allowAllOutbound: false,
    });
    // Adds the ingress rule here AND the matching egress rule on the Lambdas' group (which has no all-traffic egress).
    this.securityGroup.connections.allowFrom(
      network.lambdaSecurityGroup,
      ec2.Port.tcp(CACHE_PORT),
      'Valkey over TLS from the service Lambdas',
    );

    this.cache = new elasticache.CfnServerlessCache(this, 'Cache', {
      // Unique per account and region; the stage keeps several stages apart.
      serverlessCacheName: `chan-analysis-${config.stage}`,
      description: 'Chan analysis: hot K-lines and analysis results',
      engine: 'valkey',
      majorEngineVersion: '8',
      securityGroupIds: [this.securityGroup.securityGroupId],
      subnetIds: network.vpc.selectSubnets(network.appSubnets).subnetIds,
      cacheUsageLimits: {
        dataStorage: { maximum: 5, unit: 'GB' },
        ecpuPerSecond: { maximum: 5000 },
      },
    });

    this.redisUrl = Fn.join('', ['rediss://', this.cache.attrEndpointAddress, ':', this.cache.attrEndpointPort]);
  }

  /**
   * Lets a function report the cache resource's state (functions/health/cache-resource.ts): CACHE_NAME, and
   * DescribeServerlessCaches on this cache only (the action supports the serverlesscache resource type).
   */
  allowStatusChecks(fn: ServiceFunction): void {
    fn.function.addEnvironment('CACHE_NAME', this.cache.ref);
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['elasticache:DescribeServerlessCaches'], resources: [this.cache.attrArn] }),
    );
  }
}
