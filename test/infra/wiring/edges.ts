/**
 * Every service-to-service call the template sets up, as an IAM request (principal, action, resource, context) and
 * the policies AWS evaluates for it, plus an independent census of what the template declares, so the test can
 * prove that no declared edge went unevaluated.
 *
 * Kinds: alarm actions → topics (→ keys), SNS subscriptions → functions / queues, EventBridge rule and scheduler
 * targets, SQS event source mappings → function roles, Step Functions tasks → functions and the distributed Map's
 * StartExecution, state machine log delivery, API Gateway integrations → function permissions, API stage logging →
 * the account's CloudWatch role, CloudFront OAC → bucket policy, S3 access logs → log bucket policy, VPC flow logs,
 * every role's trust policy, each function's logging, VPC, tracing and async destinations, and each function's own
 * calls (lib/aws-calls.ts).
 */
import { ENV, type Resolver } from './resolve.js';
import { Policies } from './policies.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- resolved CloudFormation JSON
type Json = any;

const { account: A, region: R, partition: P } = ENV;
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export type EdgeKind =
  | 'alarm action'
  | 'alarm topic key'
  | 'sns subscription'
  | 'sns subscription dlq'
  | 'rule target'
  | 'rule target dlq'
  | 'event source mapping'
  | 'state machine task'
  | 'distributed map'
  | 'state machine logs'
  | 'api integration'
  | 'api iam caller'
  | 'api stage logging'
  | 'cloudfront oac'
  | 's3 access logs'
  | 'flow logs'
  | 'role trust'
  | 'function logs'
  | 'function vpc'
  | 'function tracing'
  | 'async destination'
  | 'function call';

export interface Edge {
  kind: EdgeKind;
  label: string;
  principal: string;
  action: string;
  resource: string;
  /** Role whose identity policies apply (when the principal is that role). */
  role?: string;
  /** Identity policies given directly (a caller outside the template holding the stack's managed policies). */
  identity?: { name: string; policy: Json }[];
  /** Resource whose resource policy applies. */
  target?: string;
  context: Record<string, string>;
  /** Set when the template lacks what the call needs: the edge fails with this reason. */
  missing?: string;
}

/** One function's own AWS calls, from the manifest: `${action} on ${logical id of the target}`. */
export interface FunctionCalls {
  name: string;
  functionId: string;
  calls: { action: string; targetId: string }[];
}

const LAMBDA_VPC_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];
const XRAY_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];
/** What Step Functions needs to deliver execution logs to CloudWatch Logs (vended logs). */
const SFN_LOG_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];
const ESM_SQS_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

/** The action a service performs to deliver to a target ARN (rule targets, destinations, DLQs). */
function deliveryAction(arn: string): string {
  const service = arn.split(':')[2];
  const action: Record<string, string> = {
    lambda: 'lambda:InvokeFunction',
    sqs: 'sqs:SendMessage',
    sns: 'sns:Publish',
    states: 'states:StartExecution',
    events: 'events:PutEvents',
  };
  const a = service ? action[service] : undefined;
  if (!a) throw new Error(`no delivery action known for ${arn}`);
  return a;
}

const TLS = { 'aws:SecureTransport': 'true' };

/**
 * The resource a CloudWatch Logs action is authorized on: group-level actions on "log-group:NAME:*" (the form
 * log-group ARNs and grants take), PutLogEvents on a concrete stream of the group.
 */
function logResource(action: string, groupArn: string): string {
  const base = groupArn.replace(/:\*$/, '');
  return action === 'logs:PutLogEvents' ? `${base}:log-stream:2026/01/01/stream` : `${base}:*`;
}

export class EdgeBuilder {
  readonly policies: Policies;
  private readonly r: Json;

  constructor(readonly resolver: Resolver) {
    this.policies = new Policies(resolver);
    this.r = this.policies.resources;
  }

  private arn(id: string): string {
    return this.policies.arnOrUndefined(id) ?? this.resolver.ref(id);
  }

  /** Logical ID of the template resource an ARN (or URL / name) points to, of one of the types. */
  private idFor(value: string, ...types: string[]): string | undefined {
    for (const t of types) {
      const id = this.policies.find(t, value);
      if (id) return id;
    }
    return undefined;
  }

  private roleArnOf(roleId: string): string {
    return this.arn(roleId);
  }

  /** A request from a service principal, on behalf of `sourceArn`. */
  private fromService(
    kind: EdgeKind,
    label: string,
    principal: string,
    action: string,
    resource: string,
    target: string | undefined,
    sourceArn?: string,
    extra: Record<string, string> = {},
  ): Edge {
    return {
      kind,
      label,
      principal,
      action,
      resource,
      target,
      context: { ...TLS, 'aws:SourceAccount': A, ...(sourceArn ? { 'aws:SourceArn': sourceArn } : {}), ...extra },
    };
  }

  /** A request a role makes (a function, a state machine, a delivery role). */
  private fromRole(
    kind: EdgeKind,
    label: string,
    roleId: string | undefined,
    action: string,
    resource: string,
    target?: string,
    extra: Record<string, string> = {},
  ): Edge {
    return {
      kind,
      label,
      principal: roleId ? this.roleArnOf(roleId) : 'unknown-role',
      action,
      resource,
      role: roleId,
      target,
      context: { ...TLS, ...extra },
      ...(roleId ? {} : { missing: `${label}: no role in the template` }),
    };
  }

  private trust(label: string, service: string, roleArn: string | undefined, sourceArn?: string): Edge {
    const roleId = roleArn ? this.idFor(roleArn, 'AWS::IAM::Role') : undefined;
    return {
      kind: 'role trust',
      label: `${label}: ${service} assumes its role`,
      principal: service,
      action: 'sts:AssumeRole',
      resource: roleArn ?? 'unknown-role',
      target: roleId,
      context: { 'aws:SourceAccount': A, ...(sourceArn ? { 'aws:SourceArn': sourceArn } : {}) },
      ...(roleId ? {} : { missing: `${label}: role ${roleArn} is not in the template` }),
    };
  }

  private of(type: string): [string, Json][] {
    return Object.entries(this.r as Record<string, { Type: string; Properties: Json }>)
      .filter(([, x]) => x.Type === type)
      .map(([id, x]) => [id, x.Properties]);
  }

  /** Every edge, from the template and the functions' manifests. */
  edges(functionCalls: FunctionCalls[]): Edge[] {
    return [
      ...this.alarmEdges(),
      ...this.subscriptionEdges(),
      ...this.ruleEdges(),
      ...this.eventSourceEdges(),
      ...this.stateMachineEdges(),
      ...this.apiEdges(),
      ...this.cloudFrontEdges(),
      ...this.bucketLoggingEdges(),
      ...this.flowLogEdges(),
      ...this.functionEdges(),
      ...this.functionCallEdges(functionCalls),
    ];
  }

  private alarmEdges(): Edge[] {
    const out: Edge[] = [];
    for (const [id, a] of this.of('AWS::CloudWatch::Alarm')) {
      const alarmArn = this.arn(id);
      for (const [prop, state] of [
        ['AlarmActions', 'ALARM'],
        ['OKActions', 'OK'],
        ['InsufficientDataActions', 'INSUFFICIENT_DATA'],
      ] as const) {
        for (const action of list<string>(a[prop])) {
          const label = `alarm ${a.AlarmName ?? id} ${state} → ${action}`;
          const topicId = this.idFor(action, 'AWS::SNS::Topic');
          const e = this.fromService(
            'alarm action',
            label,
            'cloudwatch.amazonaws.com',
            'sns:Publish',
            action,
            topicId,
            alarmArn,
          );
          if (!topicId) e.missing = `${label}: not an SNS topic of this template`;
          out.push(e);
          const keyRef = topicId ? this.r[topicId].Properties.KmsMasterKeyId : undefined;
          if (keyRef) {
            const keyId = this.idFor(String(keyRef), 'AWS::KMS::Key');
            for (const kmsAction of ['kms:GenerateDataKey', 'kms:Decrypt']) {
              const k = this.fromService(
                'alarm topic key',
                `${label} (key)`,
                'cloudwatch.amazonaws.com',
                kmsAction,
                keyId ? this.arn(keyId) : String(keyRef),
                keyId,
                alarmArn,
              );
              if (!keyId)
                k.missing = `${label}: topic encrypted with ${keyRef}, a key whose policy this stack cannot grant CloudWatch`;
              out.push(k);
            }
          }
        }
      }
    }
    return out;
  }

  private subscriptionEdges(): Edge[] {
    const out: Edge[] = [];
    for (const [id, s] of this.of('AWS::SNS::Subscription')) {
      const label = `subscription ${id} (${s.TopicArn} → ${s.Endpoint})`;
      if (s.Protocol === 'lambda' || s.Protocol === 'sqs') {
        const targetId = this.idFor(s.Endpoint, 'AWS::Lambda::Function', 'AWS::SQS::Queue');
        const e = this.fromService(
          'sns subscription',
          label,
          'sns.amazonaws.com',
          deliveryAction(s.Endpoint),
          s.Endpoint,
          targetId,
          s.TopicArn,
        );
        if (!targetId) e.missing = `${label}: endpoint not in the template`;
        out.push(e);
      }
      const dlq = s.RedrivePolicy?.deadLetterTargetArn;
      if (dlq) {
        out.push(
          this.fromService(
            'sns subscription dlq',
            `${label} DLQ`,
            'sns.amazonaws.com',
            'sqs:SendMessage',
            dlq,
            this.idFor(dlq, 'AWS::SQS::Queue'),
            s.TopicArn,
          ),
        );
      }
    }
    return out;
  }

  private ruleEdges(): Edge[] {
    const out: Edge[] = [];
    const targetEdges = (kind: 'rule' | 'schedule', id: string, sourceArn: string, t: Json) => {
      const service = kind === 'rule' ? 'events.amazonaws.com' : 'scheduler.amazonaws.com';
      const label = `${kind} ${id} → ${t.Arn}`;
      const targetId = this.idFor(
        t.Arn,
        'AWS::Lambda::Function',
        'AWS::SQS::Queue',
        'AWS::SNS::Topic',
        'AWS::StepFunctions::StateMachine',
      );
      if (t.RoleArn) {
        out.push(this.trust(label, service, t.RoleArn));
        out.push(
          this.fromRole(
            'rule target',
            label,
            this.idFor(t.RoleArn, 'AWS::IAM::Role'),
            deliveryAction(t.Arn),
            t.Arn,
            targetId,
          ),
        );
      } else if (kind === 'schedule') {
        out.push({
          ...this.fromRole('rule target', label, undefined, deliveryAction(t.Arn), t.Arn),
          missing: `${label}: a schedule target needs a role`,
        });
      } else {
        out.push(this.fromService('rule target', label, service, deliveryAction(t.Arn), t.Arn, targetId, sourceArn));
      }
      const dlq = t.DeadLetterConfig?.Arn;
      if (dlq)
        out.push(
          this.fromService(
            'rule target dlq',
            `${label} DLQ`,
            service,
            'sqs:SendMessage',
            dlq,
            this.idFor(dlq, 'AWS::SQS::Queue'),
            sourceArn,
          ),
        );
    };
    for (const [id, rule] of this.of('AWS::Events::Rule'))
      for (const t of list<Json>(rule.Targets)) targetEdges('rule', id, this.arn(id), t);
    for (const [id, s] of this.of('AWS::Scheduler::Schedule')) targetEdges('schedule', id, this.arn(id), s.Target);
    return out;
  }

  private functionRole(fnId: string): string | undefined {
    return this.idFor(this.r[fnId].Properties.Role, 'AWS::IAM::Role');
  }

  private eventSourceEdges(): Edge[] {
    const out: Edge[] = [];
    for (const [id, m] of this.of('AWS::Lambda::EventSourceMapping')) {
      const fnId = this.idFor(m.FunctionName, 'AWS::Lambda::Function');
      const queueId = this.idFor(m.EventSourceArn, 'AWS::SQS::Queue');
      if (!queueId) throw new Error(`${id}: only SQS event sources are modelled (${m.EventSourceArn})`);
      for (const action of ESM_SQS_ACTIONS)
        out.push(
          this.fromRole(
            'event source mapping',
            `${id}: ${fnId} polls ${queueId}`,
            fnId && this.functionRole(fnId),
            action,
            m.EventSourceArn,
            queueId,
          ),
        );
    }
    return out;
  }

  /** Task and Map states of an ASL definition, recursively (Map item processors, Parallel branches). */
  static states(def: Json): [string, Json][] {
    const out: [string, Json][] = [];
    const walk = (d: Json) => {
      for (const [name, s] of Object.entries<Json>(d?.States ?? {})) {
        out.push([name, s]);
        if (s.ItemProcessor) walk(s.ItemProcessor);
        if (s.Iterator) walk(s.Iterator);
        for (const b of list<Json>(s.Branches)) walk(b);
      }
    };
    walk(def);
    return out;
  }

  private stateMachineEdges(): Edge[] {
    const out: Edge[] = [];
    for (const [id, sm] of this.of('AWS::StepFunctions::StateMachine')) {
      const roleId = this.idFor(sm.RoleArn, 'AWS::IAM::Role');
      out.push(this.trust(`state machine ${id}`, 'states.amazonaws.com', sm.RoleArn, this.arn(id)));
      const def = JSON.parse(sm.DefinitionString);
      for (const [name, s] of EdgeBuilder.states(def)) {
        if (s.Type === 'Task') {
          const fn = String(s.Resource).startsWith(`arn:${P}:states:::lambda:invoke`)
            ? s.Parameters?.FunctionName
            : s.Resource;
          if (!String(fn).includes(':lambda:'))
            throw new Error(`${id}.${name}: only Lambda tasks are modelled (${s.Resource})`);
          out.push(
            this.fromRole(
              'state machine task',
              `${id}.${name} invokes ${fn}`,
              roleId,
              'lambda:InvokeFunction',
              fn,
              this.idFor(fn, 'AWS::Lambda::Function'),
            ),
          );
        }
        if (s.Type === 'Map' && s.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED') {
          // Child workflows are executions of this same state machine. EXPRESS children cannot be described or
          // stopped (those APIs do not apply to Express), so StartExecution is the whole requirement for them.
          if (s.ItemProcessor.ProcessorConfig.ExecutionType !== 'EXPRESS')
            throw new Error(`${id}.${name}: STANDARD child executions are not modelled yet (Describe/StopExecution)`);
          out.push(
            this.fromRole(
              'distributed map',
              `${id}.${name} starts child executions`,
              roleId,
              'states:StartExecution',
              this.arn(id),
            ),
          );
        }
      }
      if (sm.LoggingConfiguration?.Destinations?.length) {
        for (const action of SFN_LOG_ACTIONS)
          out.push(this.fromRole('state machine logs', `${id} log delivery`, roleId, action, '*'));
      }
      if (sm.TracingConfiguration?.Enabled) {
        for (const action of XRAY_ACTIONS)
          out.push(this.fromRole('function tracing', `${id} tracing`, roleId, action, '*'));
      }
    }
    return out;
  }

  private apiEdges(): Edge[] {
    const out: Edge[] = [];
    const stages = this.of('AWS::ApiGateway::Stage');
    const resources = new Map(this.of('AWS::ApiGateway::Resource'));
    const pathOf = (resourceId: string): string => {
      const entry = [...resources].find(([rid]) => this.resolver.ref(rid) === resourceId);
      if (!entry) return '';
      return `${pathOf(entry[1].ParentId)}/${entry[1].PathPart}`;
    };
    for (const [id, m] of this.of('AWS::ApiGateway::Method')) {
      const uri = String(m.Integration?.Uri ?? '');
      const fn = /:lambda:path\/[^/]+\/functions\/(.+)\/invocations$/.exec(uri)?.[1];
      if (!fn) continue;
      const path = pathOf(m.ResourceId).replace(/\{[^}]+\}/g, 'x') || '/';
      for (const [, st] of stages.filter(([, st]) => st.RestApiId === m.RestApiId)) {
        const label = `${m.HttpMethod} ${path} (${st.StageName}) → ${fn}`;
        const sourceArn = `arn:${P}:execute-api:${R}:${A}:${m.RestApiId}/${st.StageName}/${m.HttpMethod}${path}`;
        if (m.Integration.Credentials) {
          out.push(this.trust(label, 'apigateway.amazonaws.com', m.Integration.Credentials));
          out.push(
            this.fromRole(
              'api integration',
              label,
              this.idFor(m.Integration.Credentials, 'AWS::IAM::Role'),
              'lambda:InvokeFunction',
              fn,
              this.idFor(fn, 'AWS::Lambda::Function'),
            ),
          );
        } else {
          out.push(
            this.fromService(
              'api integration',
              label,
              'apigateway.amazonaws.com',
              'lambda:InvokeFunction',
              fn,
              this.idFor(fn, 'AWS::Lambda::Function'),
              sourceArn,
            ),
          );
        }
      }
      if (!m.Integration?.Type?.startsWith('AWS'))
        throw new Error(`${id}: unexpected integration ${m.Integration?.Type}`);
      if (m.AuthorizationType === 'AWS_IAM') out.push(...this.iamCallerEdges(m, path, stages));
    }
    // Stage logging goes through the account-wide CloudWatch role (AWS::ApiGateway::Account), not a stage setting.
    const account = this.of('AWS::ApiGateway::Account')[0]?.[1];
    for (const [id, st] of stages) {
      const executionLogs = list<Json>(st.MethodSettings).some((s) => s.LoggingLevel && s.LoggingLevel !== 'OFF');
      const accessLogs: string | undefined = st.AccessLogSetting?.DestinationArn;
      if (!executionLogs && !accessLogs) continue;
      const label = `API stage ${st.StageName} logging`;
      const roleArn: string | undefined = account?.CloudWatchRoleArn;
      const roleId = roleArn ? this.idFor(roleArn, 'AWS::IAM::Role') : undefined;
      const missing = roleArn
        ? undefined
        : `${label}: no AWS::ApiGateway::Account with a CloudWatch role in the template; a fresh account has none and the deploy fails ("CloudWatch Logs role ARN must be set in account settings")`;
      const need: [string, string][] = [];
      if (accessLogs) need.push(['logs:CreateLogStream', accessLogs], ['logs:PutLogEvents', accessLogs]);
      if (executionLogs) {
        const group = `arn:${P}:logs:${R}:${A}:log-group:API-Gateway-Execution-Logs_${st.RestApiId}/${st.StageName}`;
        need.push(['logs:CreateLogGroup', group], ['logs:PutLogEvents', group]);
      }
      const trust = this.trust(label, 'apigateway.amazonaws.com', roleArn);
      out.push({ ...trust, kind: 'api stage logging', ...(missing ? { missing } : {}) });
      for (const [action, group] of need) {
        const e = this.fromRole('api stage logging', `${label} (${id})`, roleId, action, logResource(action, group));
        out.push(missing ? { ...e, missing } : e);
      }
    }
    return out;
  }

  /**
   * A SigV4-authorized route is only usable if the stack gives callers a way to be allowed: a customer managed
   * policy granting execute-api:Invoke on it (attached to a caller role in this account, evaluated here), under the
   * API's resource policy if it has one.
   */
  private iamCallerEdges(m: Json, path: string, stages: [string, Json][]): Edge[] {
    const grants = this.of('AWS::IAM::ManagedPolicy').filter(([, p]) =>
      JSON.stringify(p.PolicyDocument).includes('execute-api:'),
    );
    const apiId = this.of('AWS::ApiGateway::RestApi').find(([rid]) => this.resolver.ref(rid) === m.RestApiId)?.[0];
    const caller = `arn:${P}:iam::${A}:role/chan-api-writer`;
    return stages
      .filter(([, st]) => st.RestApiId === m.RestApiId)
      .map(([, st]) => {
        const label = `${m.HttpMethod} ${path} (${st.StageName}) SigV4 caller`;
        const e: Edge = {
          kind: 'api iam caller',
          label,
          principal: caller,
          action: 'execute-api:Invoke',
          resource: `arn:${P}:execute-api:${R}:${A}:${m.RestApiId}/${st.StageName}/${m.HttpMethod}${path}`,
          identity: grants.map(([gid, p]) => ({ name: gid, policy: p.PolicyDocument })),
          target: apiId && this.r[apiId].Properties.Policy ? apiId : undefined,
          context: { ...TLS },
        };
        return grants.length
          ? e
          : { ...e, missing: `${label}: no managed policy in the stack grants execute-api:Invoke` };
      });
  }

  private cloudFrontEdges(): Edge[] {
    const out: Edge[] = [];
    for (const [id, d] of this.of('AWS::CloudFront::Distribution')) {
      const distArn = `arn:${P}:cloudfront::${A}:distribution/${this.resolver.ref(id)}`;
      for (const o of list<Json>(d.DistributionConfig.Origins)) {
        if (!o.OriginAccessControlId) continue;
        const bucketId = this.of('AWS::S3::Bucket')
          .map(([b]) => b)
          .find((b) =>
            [this.resolver.getAtt(b, 'RegionalDomainName'), this.resolver.getAtt(b, 'DomainName')].includes(
              o.DomainName,
            ),
          );
        const label = `CloudFront ${id} origin ${o.Id} (OAC) → ${o.DomainName}`;
        const e = this.fromService(
          'cloudfront oac',
          label,
          'cloudfront.amazonaws.com',
          's3:GetObject',
          bucketId ? `${this.arn(bucketId)}/index.html` : o.DomainName,
          bucketId,
          distArn,
          { 's3:TlsVersion': '1.3' },
        );
        out.push(bucketId ? e : { ...e, missing: `${label}: origin bucket not in the template` });
      }
    }
    return out;
  }

  private bucketLoggingEdges(): Edge[] {
    const out: Edge[] = [];
    for (const [id, b] of this.of('AWS::S3::Bucket')) {
      const dest = b.LoggingConfiguration?.DestinationBucketName;
      if (!dest) continue;
      const destId = this.idFor(dest, 'AWS::S3::Bucket');
      const prefix = b.LoggingConfiguration.LogFilePrefix ?? '';
      const label = `S3 access logs of ${id} → ${dest}`;
      const e = this.fromService(
        's3 access logs',
        label,
        'logging.s3.amazonaws.com',
        's3:PutObject',
        destId ? `${this.arn(destId)}/${prefix}log-object` : dest,
        destId,
        this.arn(id),
        { 's3:TlsVersion': '1.3' },
      );
      out.push(destId ? e : { ...e, missing: `${label}: destination bucket not in the template` });
    }
    return out;
  }

  private flowLogEdges(): Edge[] {
    const out: Edge[] = [];
    for (const [id, f] of this.of('AWS::EC2::FlowLog')) {
      if (f.LogDestinationType && f.LogDestinationType !== 'cloud-watch-logs') continue;
      const group = f.LogDestination ?? `arn:${P}:logs:${R}:${A}:log-group:${f.LogGroupName}:*`;
      const roleId = this.idFor(f.DeliverLogsPermissionArn, 'AWS::IAM::Role');
      out.push(this.trust(`flow log ${id}`, 'vpc-flow-logs.amazonaws.com', f.DeliverLogsPermissionArn));
      for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'])
        out.push(this.fromRole('flow logs', `flow log ${id}`, roleId, action, logResource(action, group)));
    }
    return out;
  }

  private functionEdges(): Edge[] {
    const out: Edge[] = [];
    for (const [id, f] of this.of('AWS::Lambda::Function')) {
      const roleId = this.functionRole(id);
      out.push(this.trust(`function ${id}`, 'lambda.amazonaws.com', f.Role));
      const group = f.LoggingConfig?.LogGroup ?? `/aws/lambda/${this.resolver.ref(id)}`;
      const groupArn = `arn:${P}:logs:${R}:${A}:log-group:${group}`;
      for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents'])
        out.push(this.fromRole('function logs', `function ${id} logs`, roleId, action, logResource(action, groupArn)));
      if (f.VpcConfig?.SubnetIds?.length) {
        for (const action of LAMBDA_VPC_ACTIONS)
          out.push(this.fromRole('function vpc', `function ${id} ENIs`, roleId, action, '*'));
      }
      if (f.TracingConfig?.Mode === 'Active') {
        for (const action of XRAY_ACTIONS)
          out.push(this.fromRole('function tracing', `function ${id} tracing`, roleId, action, '*'));
      }
      if (f.DeadLetterConfig?.TargetArn) {
        const t = f.DeadLetterConfig.TargetArn;
        out.push(
          this.fromRole(
            'async destination',
            `function ${id} DLQ`,
            roleId,
            deliveryAction(t),
            t,
            this.idFor(t, 'AWS::SQS::Queue', 'AWS::SNS::Topic'),
          ),
        );
      }
    }
    for (const [id, c] of this.of('AWS::Lambda::EventInvokeConfig')) {
      const fnId = this.idFor(c.FunctionName, 'AWS::Lambda::Function');
      for (const when of ['OnFailure', 'OnSuccess']) {
        const t = c.DestinationConfig?.[when]?.Destination;
        if (!t) continue;
        const targetId = this.idFor(t, 'AWS::SQS::Queue', 'AWS::SNS::Topic', 'AWS::Lambda::Function');
        out.push(
          this.fromRole(
            'async destination',
            `${id} ${when} → ${t}`,
            fnId && this.functionRole(fnId),
            deliveryAction(t),
            t,
            targetId,
          ),
        );
      }
    }
    return out;
  }

  private functionCallEdges(fns: FunctionCalls[]): Edge[] {
    return fns.flatMap((f) =>
      f.calls.map((c) => {
        const label = `${f.name} ${c.action} on ${c.targetId}`;
        return this.fromRole(
          'function call',
          label,
          this.functionRole(f.functionId),
          c.action,
          this.arn(c.targetId),
          c.targetId,
        );
      }),
    );
  }

  /**
   * What the template declares, counted straight from its properties (not through the builder above), per kind.
   * Each kind's evaluated edges must reach this count.
   */
  census(functionCalls: FunctionCalls[]): Partial<Record<EdgeKind, number>> {
    const n: Partial<Record<EdgeKind, number>> = {};
    const add = (k: EdgeKind, c: number) => (n[k] = (n[k] ?? 0) + c);
    const raw = this.resolver.template.Resources;
    const props = (type: string) =>
      Object.values(raw)
        .filter((x) => x.Type === type)
        .map((x) => x.Properties ?? {});
    for (const a of props('AWS::CloudWatch::Alarm'))
      add(
        'alarm action',
        list(a.AlarmActions).length + list(a.OKActions).length + list(a.InsufficientDataActions).length,
      );
    for (const s of props('AWS::SNS::Subscription')) {
      if (['lambda', 'sqs'].includes(s.Protocol)) add('sns subscription', 1);
      if (s.RedrivePolicy) add('sns subscription dlq', 1);
    }
    for (const r of props('AWS::Events::Rule')) add('rule target', list(r.Targets).length);
    for (const s of props('AWS::Scheduler::Schedule')) add('rule target', s.Target ? 1 : 0);
    add('event source mapping', props('AWS::Lambda::EventSourceMapping').length * ESM_SQS_ACTIONS.length);
    for (const sm of props('AWS::StepFunctions::StateMachine')) {
      const text = JSON.stringify(this.resolver.value(sm.DefinitionString));
      add('state machine task', text.split('\\"Type\\":\\"Task\\"').length - 1);
      add('distributed map', text.split('\\"Mode\\":\\"DISTRIBUTED\\"').length - 1);
      if (sm.LoggingConfiguration) add('state machine logs', SFN_LOG_ACTIONS.length);
    }
    const stages = props('AWS::ApiGateway::Stage');
    const lambdaMethods = props('AWS::ApiGateway::Method').filter((m) =>
      JSON.stringify(m.Integration?.Uri ?? '').includes(':lambda:path/'),
    );
    add('api integration', lambdaMethods.length * stages.length);
    add(
      'api iam caller',
      props('AWS::ApiGateway::Method').filter((m) => m.AuthorizationType === 'AWS_IAM').length * stages.length,
    );
    for (const st of stages) {
      const exec = list<Json>(st.MethodSettings).some((s) => s.LoggingLevel && s.LoggingLevel !== 'OFF');
      if (exec || st.AccessLogSetting) add('api stage logging', 1 + (st.AccessLogSetting ? 2 : 0) + (exec ? 2 : 0));
    }
    for (const d of props('AWS::CloudFront::Distribution'))
      add('cloudfront oac', list<Json>(d.DistributionConfig?.Origins).filter((o) => o.OriginAccessControlId).length);
    add('s3 access logs', props('AWS::S3::Bucket').filter((b) => b.LoggingConfiguration?.DestinationBucketName).length);
    add('flow logs', props('AWS::EC2::FlowLog').filter((f) => f.DeliverLogsPermissionArn).length * 3);
    const fns = props('AWS::Lambda::Function');
    add('function logs', fns.length * 2);
    add('function vpc', fns.filter((f) => f.VpcConfig).length * LAMBDA_VPC_ACTIONS.length);
    add(
      'async destination',
      props('AWS::Lambda::EventInvokeConfig').filter((c) => c.DestinationConfig?.OnFailure).length,
    );
    add(
      'function call',
      functionCalls.reduce((s, f) => s + f.calls.length, 0),
    );
    add(
      'role trust',
      fns.length +
        props('AWS::StepFunctions::StateMachine').length +
        props('AWS::EC2::FlowLog').filter((f) => f.DeliverLogsPermissionArn).length,
    );
    return n;
  }
}
