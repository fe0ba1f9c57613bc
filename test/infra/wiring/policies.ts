/**
 * The policies AWS would evaluate for a request, looked up in a resolved template: a role's identity policies
 * (inline, customer managed, and the AWS managed ones the stack attaches) and a target's resource policy (topic,
 * queue, bucket, key, secret and table policies, Lambda permissions, role trust policies).
 */
import { ENV, type Resolver } from './resolve.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- resolved CloudFormation JSON
type Json = any;
export type Resources = Record<string, { Type: string; Properties: Json }>;
export interface PolicyDoc {
  Version?: string;
  Statement: Json[];
}

const P = ENV.partition;
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * AWS managed policies the template attaches, by ARN, with the statements AWS publishes for them (they are not in
 * the template). An attached managed policy missing here is reported, never assumed to allow anything.
 */
export const AWS_MANAGED_POLICIES: Record<string, PolicyDoc> = {
  [`arn:${P}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs`]: {
    Statement: [
      {
        Effect: 'Allow',
        Action: [
          'logs:CreateLogGroup',
          'logs:CreateLogStream',
          'logs:DescribeLogGroups',
          'logs:DescribeLogStreams',
          'logs:PutLogEvents',
          'logs:GetLogEvents',
          'logs:FilterLogEvents',
        ],
        Resource: '*',
      },
    ],
  },
  [`arn:${P}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`]: {
    Statement: [
      { Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' },
    ],
  },
};

export class Policies {
  readonly resources: Resources;

  constructor(readonly resolver: Resolver) {
    this.resources = resolver.resolvedResources();
  }

  ofType(type: string): [string, { Type: string; Properties: Json }][] {
    return Object.entries(this.resources).filter(([, r]) => r.Type === type);
  }

  /** Logical ID of the resource of a type whose resolved Ref or Arn is `value` (a role ARN back to its role). */
  find(type: string, value: string): string | undefined {
    return this.ofType(type)
      .map(([id]) => id)
      .find((id) => this.resolver.ref(id) === value || this.arnOrUndefined(id) === value);
  }

  arnOrUndefined(id: string): string | undefined {
    try {
      return String(this.resolver.getAtt(id, 'Arn'));
    } catch {
      return undefined;
    }
  }

  /** Identity policies of a role; attached AWS managed policies this file does not know are listed apart. */
  identityPolicies(roleId: string): { policies: { name: string; policy: PolicyDoc }[]; unknown: string[] } {
    const roleName = this.resolver.ref(roleId);
    const role = this.resources[roleId]!.Properties;
    const policies: { name: string; policy: PolicyDoc }[] = [];
    const unknown: string[] = [];
    for (const p of list<Json>(role.Policies)) policies.push({ name: p.PolicyName, policy: p.PolicyDocument });
    for (const [id, p] of this.ofType('AWS::IAM::Policy')) {
      if (list(p.Properties.Roles).includes(roleName)) policies.push({ name: id, policy: p.Properties.PolicyDocument });
    }
    const managedArns = new Set<string>(list(role.ManagedPolicyArns));
    for (const [id, p] of this.ofType('AWS::IAM::ManagedPolicy')) {
      if (managedArns.delete(this.resolver.ref(id)) || list(p.Properties.Roles).includes(roleName))
        policies.push({ name: id, policy: p.Properties.PolicyDocument });
    }
    for (const arn of managedArns) {
      const doc = AWS_MANAGED_POLICIES[arn];
      if (doc) policies.push({ name: arn, policy: doc });
      else unknown.push(arn);
    }
    return { policies, unknown };
  }

  /** The resource policy of a target (merged when several resources contribute statements), if it has one. */
  resourcePolicy(id: string): PolicyDoc | undefined {
    const type = this.resources[id]!.Type;
    const ref = this.resolver.ref(id);
    const arn = this.arnOrUndefined(id) ?? ref;
    const own = this.resources[id]!.Properties;
    const statements: Json[] = [];
    const add = (doc: PolicyDoc | undefined) => statements.push(...list<Json>(doc?.Statement));
    const fromResources = (policyType: string, match: (props: Json) => boolean, doc: (props: Json) => PolicyDoc) => {
      for (const [, p] of this.ofType(policyType)) if (match(p.Properties)) add(doc(p.Properties));
    };
    switch (type) {
      case 'AWS::SNS::Topic':
        fromResources(
          'AWS::SNS::TopicPolicy',
          (p) => list(p.Topics).includes(ref),
          (p) => p.PolicyDocument,
        );
        break;
      case 'AWS::SQS::Queue':
        fromResources(
          'AWS::SQS::QueuePolicy',
          (p) => list(p.Queues).includes(ref),
          (p) => p.PolicyDocument,
        );
        break;
      case 'AWS::S3::Bucket':
        fromResources(
          'AWS::S3::BucketPolicy',
          (p) => p.Bucket === ref,
          (p) => p.PolicyDocument,
        );
        break;
      case 'AWS::SecretsManager::Secret':
        fromResources(
          'AWS::SecretsManager::ResourcePolicy',
          (p) => p.SecretId === ref,
          (p) => p.ResourcePolicy,
        );
        break;
      case 'AWS::KMS::Key':
        add(own.KeyPolicy);
        break;
      case 'AWS::DynamoDB::Table':
        add(own.ResourcePolicy?.PolicyDocument);
        break;
      case 'AWS::IAM::Role':
        add(own.AssumeRolePolicyDocument);
        break;
      case 'AWS::ApiGateway::RestApi':
        add(own.Policy);
        break;
      case 'AWS::Lambda::Function':
        for (const [, p] of this.ofType('AWS::Lambda::Permission')) {
          const fn = p.Properties.FunctionName;
          if (fn !== arn && fn !== ref) continue;
          const principal = String(p.Properties.Principal);
          const condition: Json = {};
          if (p.Properties.SourceArn) condition.ArnLike = { 'aws:SourceArn': p.Properties.SourceArn };
          if (p.Properties.SourceAccount) condition.StringEquals = { 'aws:SourceAccount': p.Properties.SourceAccount };
          statements.push({
            Effect: 'Allow',
            Principal: principal.endsWith('.amazonaws.com') ? { Service: principal } : { AWS: principal },
            Action: p.Properties.Action,
            Resource: arn,
            ...(Object.keys(condition).length ? { Condition: condition } : {}),
          });
        }
        break;
    }
    return statements.length ? { Version: '2012-10-17', Statement: statements } : undefined;
  }
}
