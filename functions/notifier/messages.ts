/**
 * Turns one SNS record into a notification the formatters understand: a CloudWatch alarm state change (metric,
 * metric-math or composite alarm), a buy/sell point alert, or any other text (kept, never dropped: a message
 * nobody can read is still better delivered raw than lost).
 */
import type { SNSEventRecord } from 'aws-lambda';
import { SIGNAL_MESSAGE_KIND, SignalMessageSchema, type SignalMessage } from '../alerts/signal-message.js';
import { tierOfTopic, type NotifierEnv, type Tier } from './config.js';

export type AlarmState = 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';

export interface AlarmNotification {
  kind: 'alarm';
  tier: Tier;
  /** The SNS message id: the same on every retry of one delivery, so it identifies the alarm transition. */
  messageId: string;
  name: string;
  description?: string;
  state: AlarmState;
  previousState?: AlarmState;
  reason: string;
  /** "AWS/ApiGateway 5XXError (Average) > 0.05" or the math expression. */
  condition?: string;
  dimensions?: string;
  time: string;
  region?: string;
  account?: string;
  consoleUrl?: string;
}

export interface SignalNotification {
  kind: 'signal';
  messageId: string;
  signal: SignalMessage;
}

export interface TextNotification {
  kind: 'text';
  tier: Tier;
  messageId: string;
  subject: string;
  text: string;
}

export type Notification = AlarmNotification | SignalNotification | TextNotification;

const COMPARISON: Record<string, string> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '>=',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
  LessThanLowerOrGreaterThanUpperThreshold: 'outside band',
  GreaterThanUpperThreshold: '> band',
  LessThanLowerThreshold: '< band',
};

interface AlarmTrigger {
  MetricName?: string;
  Namespace?: string;
  Statistic?: string;
  ExtendedStatistic?: string;
  Dimensions?: { name: string; value: string }[];
  Metrics?: {
    Id: string;
    Expression?: string;
    Label?: string;
    ReturnData?: boolean;
    MetricStat?: { Metric: { MetricName: string; Namespace: string }; Stat: string };
  }[];
  ComparisonOperator?: string;
  Threshold?: number;
  Period?: number;
  EvaluationPeriods?: number;
  DatapointsToAlarm?: number;
}

interface AlarmMessage {
  AlarmName: string;
  AlarmDescription?: string | null;
  AWSAccountId?: string;
  NewStateValue: AlarmState;
  OldStateValue?: AlarmState;
  NewStateReason?: string;
  StateChangeTime?: string;
  AlarmArn?: string;
  AlarmRule?: string;
  Trigger?: AlarmTrigger;
}

function isAlarmMessage(m: unknown): m is AlarmMessage {
  const o = m as Partial<AlarmMessage> | null;
  return !!o && typeof o === 'object' && typeof o.AlarmName === 'string' && typeof o.NewStateValue === 'string';
}

function describeCondition(t: AlarmTrigger | undefined, alarmRule: string | undefined): string | undefined {
  if (alarmRule) return `composite: ${alarmRule}`;
  if (!t) return undefined;
  const op = COMPARISON[t.ComparisonOperator ?? ''] ?? t.ComparisonOperator ?? '?';
  const window =
    t.Period && t.EvaluationPeriods
      ? ` for ${t.DatapointsToAlarm ?? t.EvaluationPeriods} of ${t.EvaluationPeriods} × ${t.Period}s`
      : '';
  if (t.MetricName) {
    const stat = t.ExtendedStatistic ?? t.Statistic ?? '';
    return `${t.Namespace ?? ''} ${t.MetricName} (${stat.toString().toLowerCase()}) ${op} ${t.Threshold}${window}`.trim();
  }
  const expr = t.Metrics?.find((m) => m.ReturnData !== false && m.Expression);
  if (expr) {
    const inputs = (t.Metrics ?? [])
      .filter((m) => m.MetricStat)
      .map(
        (m) => `${m.Id}=${m.MetricStat!.Metric.Namespace} ${m.MetricStat!.Metric.MetricName} (${m.MetricStat!.Stat})`,
      );
    return `${expr.Label ?? expr.Expression} ${op} ${t.Threshold}${window}${inputs.length ? ` [${inputs.join(', ')}]` : ''}`;
  }
  return undefined;
}

/** arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME → console deep link (the SNS message's Region is a long name). */
function consoleUrlFor(arn: string | undefined, name: string): { region?: string; url?: string } {
  const parts = arn?.split(':');
  const region = parts && parts.length >= 7 ? parts[3] : undefined;
  if (!region) return {};
  const host = region.startsWith('cn-') ? 'console.amazonaws.cn' : `${region}.console.aws.amazon.com`;
  return { region, url: `https://${host}/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(name)}` };
}

export function parseRecord(record: SNSEventRecord, env: NotifierEnv): Notification {
  const sns = record.Sns;
  const topicTier = tierOfTopic(env, sns.TopicArn);
  // A topic the notifier was not told about still gets delivered, at the loudest tier: misrouting must not mute.
  const tier: Tier = topicTier === undefined || topicTier === 'signal' ? 'critical' : topicTier;
  let body: unknown;
  try {
    body = JSON.parse(sns.Message);
  } catch {
    body = undefined;
  }

  if (body && typeof body === 'object' && (body as { kind?: unknown }).kind === SIGNAL_MESSAGE_KIND) {
    const parsed = SignalMessageSchema.safeParse(body);
    if (parsed.success) return { kind: 'signal', messageId: sns.MessageId, signal: parsed.data };
  }

  if (isAlarmMessage(body)) {
    const { region, url } = consoleUrlFor(body.AlarmArn, body.AlarmName);
    return {
      kind: 'alarm',
      tier,
      messageId: sns.MessageId,
      name: body.AlarmName,
      description: body.AlarmDescription ?? undefined,
      state: body.NewStateValue,
      previousState: body.OldStateValue,
      reason: body.NewStateReason ?? '',
      condition: describeCondition(body.Trigger, body.AlarmRule),
      dimensions: body.Trigger?.Dimensions?.map((d) => `${d.name}=${d.value}`).join(', ') || undefined,
      time: body.StateChangeTime ?? sns.Timestamp,
      region,
      account: body.AWSAccountId,
      consoleUrl: url,
    };
  }

  return { kind: 'text', tier, messageId: sns.MessageId, subject: sns.Subject ?? 'Notification', text: sns.Message };
}
