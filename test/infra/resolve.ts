/**
 * Resolves a synthesized template's intrinsics to concrete values for one fixed account and region, so that
 * resource policies can be evaluated by an IAM simulator the way AWS would see them after deployment. Only the
 * intrinsics and resource types this stack uses are known; anything else throws, so a test can never evaluate a
 * half-resolved policy.
 */
import type { CfnTemplate } from './synth.js';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-central-1';
export const PARTITION = 'aws';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON, read loosely
type Json = any;

/** What `Ref` and `Fn::GetAtt X.Arn` give for a resource of each type (physical names are the logical IDs). */
function arnOf(type: string, id: string): string {
  const r = `${REGION}:${ACCOUNT}`;
  switch (type) {
    case 'AWS::SNS::Topic':
      return `arn:${PARTITION}:sns:${r}:${id}`;
    case 'AWS::SQS::Queue':
      return `arn:${PARTITION}:sqs:${r}:${id}`;
    case 'AWS::SecretsManager::Secret':
      return `arn:${PARTITION}:secretsmanager:${r}:secret:${id}-AbCdEf`;
    case 'AWS::Lambda::Function':
      return `arn:${PARTITION}:lambda:${r}:function:${id}`;
    case 'AWS::KMS::Key':
      return `arn:${PARTITION}:kms:${r}:key/${id}`;
    case 'AWS::IAM::Role':
      return `arn:${PARTITION}:iam::${ACCOUNT}:role/${id}`;
    case 'AWS::ElastiCache::ServerlessCache':
      return `arn:${PARTITION}:elasticache:${r}:serverlesscache:${id}`;
    case 'AWS::DynamoDB::Table':
      return `arn:${PARTITION}:dynamodb:${r}:table/${id}`;
    case 'AWS::Logs::LogGroup':
      return `arn:${PARTITION}:logs:${r}:log-group:${id}:*`;
    case 'AWS::S3::Bucket':
      return `arn:${PARTITION}:s3:::${id.toLowerCase()}`;
    case 'AWS::Events::Rule':
      return `arn:${PARTITION}:events:${r}:rule/${id}`;
    case 'AWS::StepFunctions::StateMachine':
      return `arn:${PARTITION}:states:${r}:stateMachine:${id}`;
    default:
      throw new Error(`resolve: no ARN rule for ${type} (${id})`);
  }
}

/** `Ref` of a resource: the ARN for types whose Ref is an ARN, the logical ID (as physical name) otherwise. */
const REF_IS_ARN = new Set([
  'AWS::SNS::Topic',
  'AWS::SecretsManager::Secret',
  'AWS::StepFunctions::StateMachine',
  'AWS::KMS::Key',
]);

export function resolver(t: CfnTemplate) {
  const resolve = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(resolve);
    if (!v || typeof v !== 'object') return v;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const [k] = keys as [string];
      const a = v[k];
      if (k === 'Ref') {
        if (a === 'AWS::AccountId') return ACCOUNT;
        if (a === 'AWS::Region') return REGION;
        if (a === 'AWS::Partition') return PARTITION;
        if (a === 'AWS::URLSuffix') return 'amazonaws.com';
        const r = t.Resources[a];
        if (!r) throw new Error(`resolve: Ref to unknown ${a}`);
        if (REF_IS_ARN.has(r.Type)) return r.Type === 'AWS::KMS::Key' ? a : arnOf(r.Type, a);
        if (r.Type === 'AWS::SQS::Queue') return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${a}`;
        return a;
      }
      if (k === 'Fn::GetAtt') {
        const [id, attr] = a as [string, string];
        const r = t.Resources[id];
        if (!r) throw new Error(`resolve: GetAtt of unknown ${id}`);
        if (attr === 'Arn' || attr === 'ARN') return arnOf(r.Type, id);
        if (attr === 'TopicArn') return arnOf(r.Type, id);
        throw new Error(`resolve: GetAtt ${id}.${attr} not supported`);
      }
      if (k === 'Fn::Join') return (resolve(a[1]) as string[]).join(a[0]);
      if (k === 'Fn::Select') return (resolve(a[1]) as Json[])[a[0]];
      if (k === 'Fn::Split') return (resolve(a[1]) as string).split(a[0]);
      if (k.startsWith('Fn::')) throw new Error(`resolve: ${k} not supported`);
    }
    return Object.fromEntries(Object.entries(v).map(([key, x]) => [key, resolve(x)]));
  };
  return { resolve, arnOf: (id: string) => arnOf(t.Resources[id]!.Type, id) };
}
