/**
 * Network: the VPC the service's Lambdas and the cache live in.
 *
 * Decision: PRIVATE_WITH_EGRESS subnets behind NAT (not PRIVATE_ISOLATED).
 * - The cache must be in a VPC, so every function that touches it is in the VPC too. Ingestion (issue 4) fetches
 *   bars from market-data providers on the internet AND refreshes the cache, so it needs a VPC path to the
 *   internet: only NAT gives that. The jobs API starts Step Functions executions: NAT (or an interface endpoint
 *   per AWS service, ~$7.3/month per AZ each) is needed for that as well.
 * - Cost: one NAT gateway is ~$33/month + $0.045/GB processed (context `natGateways`, default 1). One NAT is a
 *   single-AZ dependency for outbound calls (ingestion and job starts pause if its AZ fails; the API's reads do
 *   not use it); `natGateways=2` removes that for another ~$33/month.
 * - DynamoDB is reached through a gateway endpoint: free, and table traffic never crosses (or pays for) the NAT.
 * - Rejected: isolated subnets + interface endpoints (Step Functions, Secrets Manager, SQS, ...) costs about the
 *   same as a NAT once three endpoints in two AZs exist, and still leaves ingestion without the internet.
 */
import { Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ChanConfig } from './config.js';

export interface NetworkProps {
  readonly config: ChanConfig;
}

export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  /** Where functions and the cache go. */
  readonly appSubnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
  /** The Lambdas' security group: HTTPS out, cache port to the cache group (added by Cache), nothing in. */
  readonly lambdaSecurityGroup: ec2.SecurityGroup;
  /** The ENI permissions every VPC Lambda's role needs; one policy instead of one copy per role. */
  readonly lambdaVpcAccessPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { config } = props;

    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: config.logRetentionDays as logs.RetentionDays,
    });

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      // Two AZs: the cache and the functions span both; env-agnostic synthesis also resolves exactly two.
      maxAzs: 2,
      natGateways: config.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        // /20 = 4,091 addresses per AZ: Lambda takes one ENI address per function/subnet/security-group combination
        // (Hyperplane), the cache a few; room for ingestion workers and job tasks.
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      ],
      gatewayEndpoints: {
        DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB, subnets: [this.appSubnets] },
      },
      // Rejected flows only: enough to debug a security-group mistake (the cache port) at a fraction of the
      // cost of logging all traffic (AwsSolutions-VPC7).
      flowLogs: {
        rejected: {
          trafficType: ec2.FlowLogTrafficType.REJECT,
          destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
        },
      },
    });

    this.lambdaSecurityGroup = new ec2.SecurityGroup(this, 'LambdaSg', {
      vpc: this.vpc,
      description:
        'Service Lambdas: HTTPS out (AWS APIs, DynamoDB endpoint, market-data providers), cache port to the cache',
      // Explicit egress instead of all traffic: HTTPS covers every AWS API and provider; the cache rule is added
      // by the Cache construct. Nothing may reach the functions (no ingress rules).
      allowAllOutbound: false,
    });
    this.lambdaSecurityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'HTTPS to AWS APIs and market-data providers',
    );

    this.lambdaVpcAccessPolicy = new iam.ManagedPolicy(this, 'LambdaVpcAccess', {
      description: 'Lets Lambda create and remove the network interfaces that attach functions to the service VPC',
      statements: [
        new iam.PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      ],
    });
    Validations.of(this.lambdaVpcAccessPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The ENI actions Lambda performs for VPC functions (the same set as AWSLambdaVPCAccessExecutionRole, without its logs:*) ' +
        'do not support resource-level permissions (the Describe* calls) or name ENIs that do not exist yet.',
    });
  }
}
