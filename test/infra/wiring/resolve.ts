/**
 * Resolves a synthesized template's intrinsics to the concrete values CloudFormation would produce in one fixed
 * account and region, so IAM and resource policies can be evaluated as AWS evaluates them: every Ref and
 * Fn::GetAtt becomes an ARN, name, URL or id built the way the service builds it (physical names from the
 * resource's name property, else a name derived from the logical ID, as CloudFormation generates one).
 *
 * Unknown resource types or attributes throw: a value guessed wrong would make a policy match (or miss) by
 * accident, so the wiring tests must learn each new type explicitly.
 */
import type { CfnTemplate } from '../synth.js';

export const ENV = {
  account: '123456789012',
  region: 'us-east-1',
  partition: 'aws',
  urlSuffix: 'amazonaws.com',
  azs: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
} as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON, read loosely
type Json = any;

const { account: A, region: R, partition: P, urlSuffix: U } = ENV;

/** The physical-name property of each type (a template may fix the name; otherwise CloudFormation generates one). */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::ElastiCache::ServerlessCache': 'ServerlessCacheName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::Events::Rule': 'Name',
  'AWS::Scheduler::Schedule': 'Name',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::KMS::Key': '',
};

export class Resolver {
  private readonly cache = new Map<string, string>();

  constructor(readonly template: CfnTemplate & { Parameters?: Json; Mappings?: Json; Conditions?: Json }) {}

  resource(id: string): { Type: string; Properties?: Json } {
    const r = this.template.Resources[id];
    if (!r) throw new Error(`no resource ${id} in the template`);
    return r;
  }

  /** Physical name: the name property resolved, else "<stack-ish prefix>-<logical id>-SUFFIX" as CloudFormation makes it. */
  name(id: string): string {
    const r = this.resource(id);
    const prop = NAME_PROPERTY[r.Type];
    const given = prop ? r.Properties?.[prop] : undefined;
    if (given !== undefined) return String(this.value(given));
    const generated = `chan-${id.slice(0, 40)}-GEN`;
    // S3 bucket names are lower case; most other generated names keep the logical ID's case.
    return r.Type === 'AWS::S3::Bucket' ? generated.toLowerCase() : generated;
  }

  /** { Ref: id } */
  ref(id: string): string {
    const pseudo: Record<string, string> = {
      'AWS::AccountId': A,
      'AWS::Region': R,
      'AWS::Partition': P,
      'AWS::URLSuffix': U,
      'AWS::StackName': 'ChanAnalysis-dev',
      'AWS::StackId': `arn:${P}:cloudformation:${R}:${A}:stack/ChanAnalysis-dev/00000000-0000-0000-0000-000000000000`,
      'AWS::NoValue': '',
    };
    if (id in pseudo) return pseudo[id]!;
    const param = this.template.Parameters?.[id];
    if (param) {
      if (param.Default === undefined) throw new Error(`parameter ${id} has no default: it must be supplied at deploy`);
      return String(param.Default);
    }
    const key = `Ref:${id}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const v = this.refOf(id);
    this.cache.set(key, v);
    return v;
  }

  private refOf(id: string): string {
    const r = this.resource(id);
    const n = () => this.name(id);
    switch (r.Type) {
      case 'AWS::SNS::Topic':
        return `arn:${P}:sns:${R}:${A}:${n()}`;
      case 'AWS::SQS::Queue':
        return `https://sqs.${R}.${U}/${A}/${n()}`;
      case 'AWS::IAM::ManagedPolicy':
        return `arn:${P}:iam::${A}:policy/${n()}`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:${P}:states:${R}:${A}:stateMachine:${n()}`;
      case 'AWS::SecretsManager::Secret':
        return `arn:${P}:secretsmanager:${R}:${A}:secret:${n()}-AbCdEf`;
      case 'AWS::ApiGateway::Stage':
        return String(this.value(r.Properties.StageName));
      case 'AWS::KMS::Key':
        return `key-${id.toLowerCase()}`;
      case 'AWS::EC2::VPC':
        return `vpc-${id.toLowerCase()}`;
      case 'AWS::EC2::Subnet':
        return `subnet-${id.toLowerCase()}`;
      case 'AWS::EC2::RouteTable':
        return `rtb-${id.toLowerCase()}`;
      case 'AWS::EC2::NatGateway':
        return `nat-${id.toLowerCase()}`;
      case 'AWS::EC2::InternetGateway':
        return `igw-${id.toLowerCase()}`;
      case 'AWS::EC2::VPCEndpoint':
        return `vpce-${id.toLowerCase()}`;
      case 'AWS::EC2::SecurityGroup':
        return `sg-${id.toLowerCase()}`;
      default:
        // Names for named types; opaque ids (REST API, distribution, deployment, ...) for the rest.
        return NAME_PROPERTY[r.Type] !== undefined ? n() : id.toLowerCase();
    }
  }

  /** { Fn::GetAtt: [id, attr] } */
  getAtt(id: string, attr: string): string | number {
    const r = this.resource(id);
    const n = () => this.name(id);
    const t = r.Type;
    const arns: Record<string, () => string> = {
      'AWS::Lambda::Function': () => `arn:${P}:lambda:${R}:${A}:function:${n()}`,
      'AWS::IAM::Role': () => `arn:${P}:iam::${A}:role/${n()}`,
      'AWS::SQS::Queue': () => `arn:${P}:sqs:${R}:${A}:${n()}`,
      'AWS::DynamoDB::Table': () => `arn:${P}:dynamodb:${R}:${A}:table/${n()}`,
      'AWS::SNS::Topic': () => this.ref(id),
      'AWS::StepFunctions::StateMachine': () => this.ref(id),
      'AWS::ElastiCache::ServerlessCache': () => `arn:${P}:elasticache:${R}:${A}:serverlesscache:${n()}`,
      'AWS::S3::Bucket': () => `arn:${P}:s3:::${n()}`,
      'AWS::Logs::LogGroup': () => `arn:${P}:logs:${R}:${A}:log-group:${n()}:*`,
      'AWS::Events::Rule': () => `arn:${P}:events:${R}:${A}:rule/${n()}`,
      'AWS::Scheduler::Schedule': () => `arn:${P}:scheduler:${R}:${A}:schedule/default/${n()}`,
      'AWS::CloudWatch::Alarm': () => `arn:${P}:cloudwatch:${R}:${A}:alarm:${n()}`,
      'AWS::KMS::Key': () => `arn:${P}:kms:${R}:${A}:key/${this.ref(id)}`,
      'AWS::SecretsManager::Secret': () => this.ref(id),
      'AWS::Lambda::LayerVersion': () => `arn:${P}:lambda:${R}:${A}:layer:${id}:1`,
    };
    // CloudFormation spells it ARN for some types (AWS::ElastiCache::ServerlessCache).
    if ((attr === 'Arn' || attr === 'ARN') && arns[t]) return arns[t]!();
    const other: Record<string, () => string | number> = {
      'AWS::SQS::Queue.QueueName': n,
      'AWS::SQS::Queue.QueueUrl': () => this.ref(id),
      'AWS::SNS::Topic.TopicArn': () => this.ref(id),
      'AWS::SNS::Topic.TopicName': n,
      'AWS::StepFunctions::StateMachine.Name': n,
      'AWS::IAM::Role.RoleId': () => `AROA${id.toUpperCase().slice(0, 17)}`,
      'AWS::S3::Bucket.RegionalDomainName': () => `${n()}.s3.${R}.${U}`,
      'AWS::S3::Bucket.DomainName': () => `${n()}.s3.${U}`,
      'AWS::ElastiCache::ServerlessCache.Endpoint.Address': () => `${n()}-abc123.serverless.use1.cache.${U}`,
      'AWS::ElastiCache::ServerlessCache.Endpoint.Port': () => 6379,
      'AWS::ElastiCache::ServerlessCache.ARN': () => this.getAtt(id, 'Arn'),
      'AWS::ElastiCache::ServerlessCache.ReaderEndpoint.Address': () => `${n()}-abc123.serverless.use1.cache.${U}`,
      'AWS::ElastiCache::ServerlessCache.ReaderEndpoint.Port': () => 6380,
      'AWS::EC2::SecurityGroup.GroupId': () => this.ref(id),
      'AWS::EC2::VPC.CidrBlock': () => String(this.value(r.Properties.CidrBlock)),
      'AWS::EC2::VPC.DefaultSecurityGroup': () => `sg-default-${id.toLowerCase()}`,
      'AWS::EC2::EIP.AllocationId': () => `eipalloc-${id.toLowerCase()}`,
      'AWS::ApiGateway::RestApi.RootResourceId': () => `root-${id.toLowerCase()}`,
      'AWS::ApiGateway::ApiKey.APIKeyId': () => this.ref(id),
      'AWS::CloudFront::Distribution.DomainName': () => `d${id.toLowerCase().slice(0, 12)}.cloudfront.net`,
      'AWS::CloudFront::OriginAccessControl.Id': () => `oac-${id.toLowerCase()}`,
      'AWS::CloudFront::ResponseHeadersPolicy.Id': () => `rhp-${id.toLowerCase()}`,
      'AWS::Lambda::Function.SnapStartResponse.ApplyOn': () => 'None',
    };
    const f = other[`${t}.${attr}`];
    if (!f) throw new Error(`resolve: no rule for Fn::GetAtt ${t}.${attr} (${id}); add one`);
    return f();
  }

  /** Deep-resolves a template value: every intrinsic replaced by its concrete value. */
  value(v: Json): Json {
    if (Array.isArray(v)) return v.map((x) => this.value(x));
    if (v === null || typeof v !== 'object') return v;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const [k] = keys as [string];
      const a = v[k];
      switch (k) {
        case 'Ref':
          return this.ref(a);
        case 'Fn::GetAtt': {
          const [id, ...attr] = Array.isArray(a) ? a : String(a).split('.');
          return this.getAtt(id, attr.join('.'));
        }
        case 'Fn::Join': {
          const [sep, parts] = a;
          return (this.value(parts) as Json[]).join(sep);
        }
        case 'Fn::Select': {
          const [i, list] = a;
          return (this.value(list) as Json[])[Number(this.value(i))];
        }
        case 'Fn::Split': {
          const [sep, s] = a;
          return String(this.value(s)).split(sep);
        }
        case 'Fn::GetAZs':
          return [...ENV.azs];
        case 'Fn::Sub': {
          const [text, vars] = Array.isArray(a) ? a : [a, {}];
          return String(text).replace(/\$\{([^}!]+)\}/g, (_: string, name: string) => {
            if (vars[name] !== undefined) return String(this.value(vars[name]));
            const [id, ...attr] = name.split('.');
            return String(attr.length ? this.getAtt(id!, attr.join('.')) : this.ref(id!));
          });
        }
        case 'Fn::Base64':
          return Buffer.from(String(this.value(a))).toString('base64');
        case 'Fn::FindInMap': {
          const [m, k1, k2] = this.value(a) as string[];
          return this.template.Mappings?.[m!]?.[k1!]?.[k2!];
        }
        case 'Fn::ImportValue':
          throw new Error(`Fn::ImportValue ${JSON.stringify(a)}: the stack depends on another stack's export`);
        case 'Fn::If':
        case 'Condition':
          throw new Error(`resolve: conditions are not supported (${k}); add support when the template uses them`);
      }
    }
    return Object.fromEntries(keys.map((k) => [k, this.value(v[k])]));
  }

  /** The template with every intrinsic in every resource's properties resolved. */
  resolvedResources(): Record<string, { Type: string; Properties: Json }> {
    return Object.fromEntries(
      Object.entries(this.template.Resources).map(([id, r]) => [
        id,
        { Type: r.Type, Properties: this.value(r.Properties ?? {}) },
      ]),
    );
  }
}
