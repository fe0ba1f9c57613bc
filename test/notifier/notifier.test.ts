/**
 * The notifier against a local server that speaks each chat platform's webhook protocol (fake-platforms.ts):
 * message formats, Feishu/DingTalk signatures (verified server-side, independently), platform error codes,
 * retries with backoff, timeouts, routing by tier and signal channel, and failure surfacing (the handler throws
 * so Lambda retries and the DLQ keeps the event).
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- parsed JSON payloads (webhook bodies, EMF lines) are inspected field by field */
import { Logger } from '@aws-lambda-powertools/logger';
import type { SNSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SignalMessage } from '../../functions/alerts/signal-message.js';
import { loadWebhooks, parseWebhooks, WebhookConfigError, type NotifierEnv } from '../../functions/notifier/config.js';
import {
  backoffMs,
  classifyResponse,
  defaultDeps,
  type DeliveryDeps,
  type RetryPolicy,
} from '../../functions/notifier/deliver.js';
import { createNotifier, NotificationDeliveryError } from '../../functions/notifier/handler.js';
import { METRICS_NAMESPACE, resetMetricPublisherForTests } from '../../functions/common/metrics-catalog.js';
import { startFakePlatforms, type FakePlatforms } from './fake-platforms.js';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const FEISHU_SECRET = 'feishu-secret-Xy9';
const DINGTALK_SECRET = 'SECd3f1a2b4c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80';

const TOPICS = {
  CRITICAL_TOPIC_ARN: 'arn:aws:sns:eu-central-1:111122223333:chan-critical',
  WARNING_TOPIC_ARN: 'arn:aws:sns:eu-central-1:111122223333:chan-warning',
  INFO_TOPIC_ARN: 'arn:aws:sns:eu-central-1:111122223333:chan-info',
  SIGNAL_TOPIC_ARN: 'arn:aws:sns:eu-central-1:111122223333:chan-signals',
};

/** A CloudWatch alarm notification exactly as SNS delivers it (fields as CloudWatch writes them). */
function alarmMessage(state: 'ALARM' | 'OK', overrides: Record<string, unknown> = {}) {
  return {
    AlarmName: 'Chan-critical-api-5xx-rate',
    AlarmDescription: 'API unavailable: share of 5xx responses above 5%',
    AWSAccountId: '111122223333',
    AlarmConfigurationUpdatedTimestamp: '2026-11-28T09:00:00.000+0000',
    NewStateValue: state,
    NewStateReason:
      state === 'ALARM'
        ? 'Threshold Crossed: 3 out of the last 3 datapoints [0.12 (28/11/26 10:04:00), 0.09 (28/11/26 10:03:00), 0.07 (28/11/26 10:02:00)] were greater than the threshold (0.05) (minimum 3 datapoints for OK -> ALARM transition).'
        : 'Threshold Crossed: 3 out of the last 3 datapoints [0.0 (28/11/26 10:14:00)] were not greater than the threshold (0.05) (minimum 3 datapoints for ALARM -> OK transition).',
    StateChangeTime: '2026-11-28T10:05:42.123+0000',
    Region: 'EU (Frankfurt)',
    AlarmArn: 'arn:aws:cloudwatch:eu-central-1:111122223333:alarm:Chan-critical-api-5xx-rate',
    OldStateValue: state === 'ALARM' ? 'OK' : 'ALARM',
    OKActions: [TOPICS.CRITICAL_TOPIC_ARN],
    AlarmActions: [TOPICS.CRITICAL_TOPIC_ARN],
    InsufficientDataActions: [],
    Trigger: {
      MetricName: '5XXError',
      Namespace: 'AWS/ApiGateway',
      StatisticType: 'Statistic',
      Statistic: 'AVERAGE',
      Unit: null,
      Dimensions: [
        { value: 'chan-api', name: 'ApiName' },
        { value: 'prod', name: 'Stage' },
      ],
      Period: 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0.05,
      TreatMissingData: 'notBreaching',
      EvaluateLowSampleCountPercentile: '',
    },
    ...overrides,
  };
}

let seq = 0;
function snsEvent(topicArn: string, message: unknown, messageId = `msg-${++seq}`): SNSEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topicArn}:sub-1`,
        Sns: {
          Type: 'Notification',
          MessageId: messageId,
          TopicArn: topicArn,
          Subject: 'ALARM: "Chan-critical-api-5xx-rate" in EU (Frankfurt)',
          Message: typeof message === 'string' ? message : JSON.stringify(message),
          Timestamp: '2026-11-28T10:05:42.200Z',
          SignatureVersion: '1',
          Signature: 'sig',
          SigningCertUrl: 'https://sns.eu-central-1.amazonaws.com/cert.pem',
          UnsubscribeUrl: 'https://sns.eu-central-1.amazonaws.com/?Action=Unsubscribe',
          MessageAttributes: {},
        },
      },
    ],
  };
}

const signal: SignalMessage = {
  kind: 'chan.signal',
  version: 1,
  symbol: 'BTCUSDT',
  interval: '1h',
  level: 'segment',
  stage: 'provisional',
  side: 'buy',
  types: ['2', '3b'],
  signalId: 'seg-1700000000000-buy',
  time: '2026-11-28T09:00:00Z',
  ts: Date.UTC(2026, 10, 28, 9),
  price: 91234.5,
  chartUrl: 'https://chart.example.com/?symbol=BTCUSDT&interval=1h&focus=1795856400000',
  detectedAt: '2026-11-28T10:00:03.000Z',
};

const silent = new Logger({ logLevel: 'SILENT' });

/** Runs `fn` with metrics on, returning its result and the JSON lines (logs, EMF) it wrote to stdout/stderr. */
async function captureOutput<T>(fn: () => Promise<T>): Promise<{ result: T; lines: any[] }> {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const writes = streams.map((s) => s.write);
  for (const s of streams) {
    s.write = ((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    }) as typeof s.write;
  }
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  resetMetricPublisherForTests();
  try {
    const result = await fn();
    const lines = chunks
      .flatMap((c) => c.split('\n'))
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    return { result, lines };
  } finally {
    streams.forEach((s, i) => (s.write = writes[i]!));
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    resetMetricPublisherForTests();
  }
}
const fastRetry: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, timeoutMs: 2000 };

let fake: FakePlatforms;
let sleeps: number[];
/** Real fetch, real clock; only the backoff sleeps are recorded instead of waited (they are asserted on). */
const deps = (): DeliveryDeps => ({ ...defaultDeps, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 });

function envWith(webhooks: object[]): NotifierEnv {
  return { ...TOPICS, WEBHOOKS: JSON.stringify(webhooks) };
}

function allPlatforms(names = 'default') {
  return [
    { name: 'slack-ops', type: 'slack', url: fake.url('slack', names) },
    { name: 'feishu-ops', type: 'feishu', url: fake.url('feishu', names), secret: FEISHU_SECRET },
    { name: 'dingtalk-ops', type: 'dingtalk', url: fake.url('dingtalk', names), secret: DINGTALK_SECRET },
    { name: 'wecom-ops', type: 'wecom', url: fake.url('wecom', names) },
  ];
}

beforeAll(async () => {
  fake = await startFakePlatforms({ feishu: FEISHU_SECRET, dingtalk: DINGTALK_SECRET });
});
afterAll(async () => {
  await fake.close();
});
afterEach(() => {
  fake.received.length = 0;
});

describe('formats and signatures, one alarm to all four platforms', () => {
  it('delivers an ALARM in each platform format; the fake platforms accept the signatures', async () => {
    sleeps = [];
    const notify = createNotifier({ env: envWith(allPlatforms()), retry: fastRetry, deps: deps(), logger: silent });
    const out = await notify(snsEvent(TOPICS.CRITICAL_TOPIC_ARN, alarmMessage('ALARM')));
    expect(out).toEqual({ delivered: 4, skipped: 0 });
    expect(sleeps).toEqual([]); // every platform accepted on the first attempt

    const by = Object.fromEntries(fake.received.map((r) => [r.platform, r]));
    // Slack: fallback text + red attachment with blocks; mrkdwn-escaped; console link.
    expect(by.slack.body.text).toContain('严重 CRITICAL');
    expect(by.slack.body.text).toContain('告警 ALARM: Chan-critical-api-5xx-rate');
    expect(by.slack.body.attachments[0].color).toBe('#d62728');
    const slackText = JSON.stringify(by.slack.body.attachments[0].blocks);
    expect(slackText).toContain('AWS/ApiGateway 5XXError (average) &gt; 0.05 for 3 of 3 × 60s');
    expect(slackText).toContain(
      'https://eu-central-1.console.aws.amazon.com/cloudwatch/home?region=eu-central-1#alarmsV2:alarm/Chan-critical-api-5xx-rate',
    );

    // Feishu: interactive card, red header, signed (timestamp in seconds).
    expect(by.feishu.body.msg_type).toBe('interactive');
    expect(by.feishu.body.card.header.template).toBe('red');
    expect(by.feishu.body.card.header.title.content).toContain('Chan-critical-api-5xx-rate');
    expect(Math.abs(Number(by.feishu.body.timestamp) - Date.now() / 1000)).toBeLessThan(60);
    expect(by.feishu.body.card.elements.some((e: any) => e.tag === 'action')).toBe(true);

    // DingTalk: markdown, signed through the query string, the access token kept.
    expect(by.dingtalk.body.msgtype).toBe('markdown');
    expect(by.dingtalk.query.get('access_token')).toBe('tok123');
    expect(by.dingtalk.query.get('timestamp')).toMatch(/^\d{13}$/);
    expect(by.dingtalk.body.markdown.text).toContain('ApiName=chan-api, Stage=prod');

    // WeCom: markdown with a coloured title, the key kept.
    expect(by.wecom.query.get('key')).toBe('key123');
    expect(by.wecom.body.markdown.content).toMatch(/^## <font color="warning">🔴 \[严重 CRITICAL\] 告警 ALARM/);
  });

  it('delivers the recovery (OK) as RESOLVED, in green', async () => {
    sleeps = [];
    const notify = createNotifier({ env: envWith(allPlatforms()), retry: fastRetry, deps: deps(), logger: silent });
    await notify(snsEvent(TOPICS.CRITICAL_TOPIC_ARN, alarmMessage('OK')));
    const by = Object.fromEntries(fake.received.map((r) => [r.platform, r]));
    expect(by.slack.body.text).toContain('已恢复 RESOLVED');
    expect(by.slack.body.attachments[0].color).toBe('#2ca02c');
    expect(by.feishu.body.card.header.template).toBe('green');
    expect(by.dingtalk.body.markdown.title).toContain('✅');
    expect(by.wecom.body.markdown.content).toContain('ALARM → OK');
  });

  it('a wrong Feishu or DingTalk secret is refused by the platform: no retries, the invocation fails', async () => {
    sleeps = [];
    const hooks = [
      { name: 'feishu-bad', type: 'feishu', url: fake.url('feishu', 'bad'), secret: 'not-the-secret' },
      { name: 'dingtalk-bad', type: 'dingtalk', url: fake.url('dingtalk', 'bad'), secret: 'SECwrong' },
    ];
    const notify = createNotifier({ env: envWith(hooks), retry: fastRetry, deps: deps(), logger: silent });
    const err = await notify(snsEvent(TOPICS.WARNING_TOPIC_ARN, alarmMessage('ALARM'))).catch((e) => e);
    expect(err).toBeInstanceOf(NotificationDeliveryError);
    const failures = (err as NotificationDeliveryError).failures;
    expect(failures.map((f) => [f.webhook, f.attempts, f.retryable])).toEqual([
      ['feishu-bad', 1, false],
      ['dingtalk-bad', 1, false],
    ]);
    expect(failures[0].error).toContain('feishu error 19021');
    expect(failures[1].error).toContain('dingtalk error 310000');
    // The error names the webhook but never leaks its URL (tokens live in it).
    expect(err.message).not.toContain('127.0.0.1');
    expect(fake.received).toHaveLength(2);
    expect(sleeps).toEqual([]);
  });

  it('a stale DingTalk timestamp is refused (so signatures are computed per attempt, not cached)', async () => {
    const hooks = [{ name: 'd', type: 'dingtalk', url: fake.url('dingtalk', 'stale'), secret: DINGTALK_SECRET }];
    const twoHoursAgo = () => Date.now() - 2 * 3_600_000;
    const notify = createNotifier({
      env: envWith(hooks),
      retry: fastRetry,
      deps: { ...deps(), now: twoHoursAgo },
      logger: silent,
    });
    const err = await notify(snsEvent(TOPICS.CRITICAL_TOPIC_ARN, alarmMessage('ALARM'))).catch((e) => e);
    expect(err).toBeInstanceOf(NotificationDeliveryError);
    expect(err.failures[0].error).toContain('310000');
  });

  it('renders buy/sell point alerts with the chart link, and routes them only to signal webhooks', async () => {
    sleeps = [];
    const hooks = [
      ...allPlatforms().map((w) => ({ ...w, signals: true })),
      { name: 'ops-only', type: 'slack', url: fake.url('slack', 'ops') },
    ];
    const notify = createNotifier({ env: envWith(hooks), retry: fastRetry, deps: deps(), logger: silent });
    await notify(snsEvent(TOPICS.SIGNAL_TOPIC_ARN, signal));
    expect(fake.received.map((r) => r.path).sort()).toEqual([
      '/dingtalk/default',
      '/feishu/default',
      '/slack/default',
      '/wecom/default',
    ]);
    const by = Object.fromEntries(fake.received.map((r) => [r.platform, r]));
    expect(by.slack.body.text).toBe('🟢 BTCUSDT 1h 买点 BUY 二类 (2) + 三类 (3b) · 未确认');
    expect(by.feishu.body.card.header.template).toBe('green');
    const button = by.feishu.body.card.elements.find((e: any) => e.tag === 'action').actions[0];
    expect(button.url).toBe(signal.chartUrl);
    expect(by.dingtalk.body.markdown.text).toContain(`[Open chart 打开图表](${signal.chartUrl})`);
    expect(by.wecom.body.markdown.content).toContain('线段 segment');
    expect(by.wecom.body.markdown.content).toContain('91234.5');
  });

  it('per-symbol channels narrow the signal webhooks', async () => {
    const hooks = allPlatforms().map((w) => ({ ...w, signals: true }));
    const notify = createNotifier({ env: envWith(hooks), retry: fastRetry, deps: deps(), logger: silent });
    await notify(snsEvent(TOPICS.SIGNAL_TOPIC_ARN, { ...signal, stage: 'confirmed', channels: ['feishu-ops'] }));
    expect(fake.received.map((r) => r.platform)).toEqual(['feishu']);
    expect(fake.received[0].body.card.header.title.content).toContain('已确认');
  });

  it('keeps WeCom markdown within its 4096-byte limit on long Chinese reasons', async () => {
    const hooks = [{ name: 'w', type: 'wecom', url: fake.url('wecom', 'long') }];
    const notify = createNotifier({ env: envWith(hooks), retry: fastRetry, deps: deps(), logger: silent });
    const long = alarmMessage('ALARM', {
      AlarmDescription: '数据库连接异常，'.repeat(400),
      NewStateReason: '阈值超限'.repeat(500),
    });
    await notify(snsEvent(TOPICS.CRITICAL_TOPIC_ARN, long));
    const content = fake.received[0].body.markdown.content as string;
    expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(4096);
    expect(content.endsWith('…')).toBe(true);
  });

  it('forwards messages that are not alarms as raw text rather than dropping them', async () => {
    const hooks = [{ name: 's', type: 'slack', url: fake.url('slack', 'raw') }];
    const notify = createNotifier({ env: envWith(hooks), retry: fastRetry, deps: deps(), logger: silent });
    await notify(snsEvent(TOPICS.INFO_TOPIC_ARN, 'Budget threshold reached'));
    expect(JSON.stringify(fake.received[0].body)).toContain('Budget threshold reached');
    expect(fake.received[0].body.attachments[0].color).toBe('#1f77b4'); // info tier colour
  });
});

describe('retries and failure surfacing', () => {
  it('retries HTTP 500s with growing backoff until the webhook accepts', async () => {
    sleeps = [];
    fake.script('slack', 'flaky', [
      { kind: 'status', status: 500, body: 'rollup_error' },
      { kind: 'status', status: 503 },
    ]);
    const hooks = [{ name: 'flaky', type: 'slack', url: fake.url('slack', 'flaky') }];
    const notify = createNotifier({ env: envWith(hooks), retry: fastRetry, deps: deps(), logger: silent });
    await expect(notify(snsEvent(TOPICS.CRITICAL_TOPIC_ARN, alarmMessage('ALARM')))).resolves.toEqual({
      delivered: 1,
      skipped: 0,
    });
    expect(fake.received).toHaveLength(3);
    expect(sleeps).toEqual([75, 150]); // base 100 → 200, jitter fixed at the midpoint (0.75 × cap)
  });

  it('honours Retry-After on 429 (capped by the policy)', async () => {
    sleeps = [];
    fake.script('slack', 'limited', [
      { kind: 'status', status: 429, body: 'rate_limited', headers: { 'retry-after': '30' } },
    ]);
    const hooks = [{ name: 'limited', type: 'slack', url: fake.url('slack', 'limited') }];
    const notify = createNotifier({ env: envWith(hooks), retry: fastRetry, deps: deps(), logger: silent });
    await notify(snsEvent(TOPICS.CRITICAL_TOPIC_ARN, alarmMessage('ALARM')));
    expect(sleeps).toEqual([1000]); // 30 s asked, 1 s cap: the Lambda retry handles longer waits
    expect(fake.received).toHaveLength(2);
  });

  it('treats platform rate-limit codes in a 200 response as retryable, and re-signs each attempt', async () => {
    sleeps = [];
    fake.script('dingtalk', 'busy', [{ kind: 'code', code: 130101, msg: 'send too fast, exceed 20 times per minute' }]);
    fake.script('feishu', 'busy', [{ kind: 'code', code: 11232, msg: 'frequency limited' }]);
    fake.script('wecom', 'busy', [{ kind: 'code', code: 45009, msg: 'api freq out of limit' }]);
    const hooks = [
      { name: 'd', type: 'dingtalk', url: fake.url('dingtalk', 'busy'), secret: DINGTALK_SECRET },
      { name: 'f', type: 'feishu', url: fake.url('feishu', 'busy'), secret: FEISHU_SECRET },
      { name: 'w', type: 'wecom', url: fake.url('wecom', 'busy') },
    ];
    const notify = createNotifier({ env: envWith(hooks), retry: fastRetry, deps: deps(), logger: silent });
    await expect(notify(snsEvent(TOPICS.WARNING_TOPIC_ARN, alarmMessage('ALARM')))).resolves.toEqual({
      delivered: 3,
      skipped: 0,
    });
    expect(fake.received).toHaveLength(6);
    const dingtalkAttempts = fake.received.filter((r) => r.platform === 'dingtalk');
    // The second attempt passed the server's signature check, i.e. it carried a valid signature of its own.
    expect(dingtalkAttempts[1].query.get('sign')).toBeTruthy();
  });

  it('gives up after maxAttempts and fails the invocation; a Lambda retry does not re-post to webhooks that already took it', async () => {
    sleeps = [];
    fake.script(
      'slack',
      'down',
      Array.from({ length: 4 }, () => ({ kind: 'status' as const, status: 502 })),
    );
    const hooks = [
      { name: 'good', type: 'wecom', url: fake.url('wecom', 'good') },
      { name: 'down', type: 'slack', url: fake.url('slack', 'down') },
    ];
    const notify = createNotifier({ env: envWith(hooks), retry: fastRetry, deps: deps(), logger: silent });
    const event = snsEvent(TOPICS.CRITICAL_TOPIC_ARN, alarmMessage('ALARM'), 'msg-retry-1');
    const err = await notify(event).catch((e) => e);
    expect(err).toBeInstanceOf(NotificationDeliveryError);
    expect(err.failures).toEqual([{ ok: false, webhook: 'down', attempts: 4, retryable: true, error: 'HTTP 502' }]);
    expect(sleeps).toEqual([75, 150, 300]);
    expect(fake.received.filter((r) => r.platform === 'slack')).toHaveLength(4);
    expect(fake.received.filter((r) => r.platform === 'wecom')).toHaveLength(1);

    // Lambda's async retry delivers the same SNS message again; the slack webhook has recovered by now.
    await expect(notify(event)).resolves.toEqual({ delivered: 1, skipped: 0 });
    expect(fake.received.filter((r) => r.platform === 'wecom')).toHaveLength(1);
    expect(fake.received.filter((r) => r.platform === 'slack')).toHaveLength(5);
  });

  it('times out a hanging webhook and retries it', async () => {
    sleeps = [];
    fake.script('feishu', 'hang', [{ kind: 'hang' }]);
    const hooks = [{ name: 'f', type: 'feishu', url: fake.url('feishu', 'hang'), secret: FEISHU_SECRET }];
    const notify = createNotifier({
      env: envWith(hooks),
      retry: { ...fastRetry, timeoutMs: 300 },
      deps: deps(),
      logger: silent,
    });
    const t0 = Date.now();
    await expect(notify(snsEvent(TOPICS.CRITICAL_TOPIC_ARN, alarmMessage('ALARM')))).resolves.toEqual({
      delivered: 1,
      skipped: 0,
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(fake.received).toHaveLength(2);
  });

  it('a refused connection is retryable and surfaces after the attempts', async () => {
    sleeps = [];
    const hooks = [{ name: 'nobody', type: 'slack', url: 'http://127.0.0.1:1/slack' }];
    const notify = createNotifier({
      env: envWith(hooks),
      retry: { ...fastRetry, maxAttempts: 2 },
      deps: deps(),
      logger: silent,
    });
    const err = await notify(snsEvent(TOPICS.CRITICAL_TOPIC_ARN, alarmMessage('ALARM'))).catch((e) => e);
    expect(err).toBeInstanceOf(NotificationDeliveryError);
    expect(err.failures[0]).toMatchObject({ webhook: 'nobody', attempts: 2, retryable: true });
    expect(err.failures[0].error).toMatch(/TypeError: fetch failed/);
  });
});

describe('routing and configuration', () => {
  it('routes alarms by tier; a tier nobody takes is skipped, not failed', async () => {
    const hooks = [
      { name: 'pager', type: 'slack', url: fake.url('slack', 'pager'), tiers: ['critical'] },
      { name: 'team', type: 'wecom', url: fake.url('wecom', 'team'), tiers: ['critical', 'warning'] },
    ];
    const notify = createNotifier({ env: envWith(hooks), retry: fastRetry, deps: deps(), logger: silent });
    await notify(
      snsEvent(TOPICS.WARNING_TOPIC_ARN, alarmMessage('ALARM', { AlarmName: 'Chan-warning-lambda-errors' })),
    );
    expect(fake.received.map((r) => r.path)).toEqual(['/wecom/team']);
    expect(fake.received[0].body.markdown.content).toContain('警告 WARNING');
    fake.received.length = 0;
    await expect(notify(snsEvent(TOPICS.INFO_TOPIC_ARN, alarmMessage('ALARM')))).resolves.toEqual({
      delivered: 0,
      skipped: 1,
    });
    expect(fake.received).toHaveLength(0);
  });

  it('an unknown topic is delivered as critical rather than muted', async () => {
    const hooks = [{ name: 'pager', type: 'slack', url: fake.url('slack', 'pager'), tiers: ['critical'] }];
    const notify = createNotifier({ env: envWith(hooks), retry: fastRetry, deps: deps(), logger: silent });
    await notify(snsEvent('arn:aws:sns:eu-central-1:111122223333:someone-elses-topic', alarmMessage('ALARM')));
    expect(fake.received).toHaveLength(1);
  });

  it('no webhook configured (the shipped `[]`): acknowledged, one warning log and one warning metric', async () => {
    for (const env of [{ ...TOPICS }, { ...TOPICS, WEBHOOKS: '[]' }, { ...TOPICS, WEBHOOKS_SECRET_ARN: 'arn:hooks' }]) {
      const notify = createNotifier({
        env,
        readSecret: async () => '[]',
        logger: new Logger({ serviceName: 'chan-analysis', logLevel: 'INFO' }),
      });
      const event = snsEvent(TOPICS.CRITICAL_TOPIC_ARN, alarmMessage('ALARM'));
      event.Records.push(snsEvent(TOPICS.SIGNAL_TOPIC_ARN, signal).Records[0]!);
      const { result, lines } = await captureOutput(() => notify(event));
      expect(result).toEqual({ delivered: 0, skipped: 2 });
      const warnings = lines.filter((l) => l.level === 'WARN');
      expect(warnings).toHaveLength(1);
      expect(warnings[0].message).toMatch(/no webhook configured/);
      expect(warnings[0].notifications.map((n: any) => n.messageId)).toEqual(event.Records.map((r) => r.Sns.MessageId));
      const emf = lines.filter((l) => l._aws);
      expect(emf).toHaveLength(1);
      expect(emf[0]._aws.CloudWatchMetrics[0]).toMatchObject({
        Namespace: METRICS_NAMESPACE,
        Dimensions: [['service']],
        Metrics: [{ Name: 'NotificationsWithoutWebhook', Unit: 'Count' }],
      });
      expect(emf[0].NotificationsWithoutWebhook).toBe(2);
      expect(fake.received).toHaveLength(0);
    }
  });

  it('a webhook list that does not parse still fails the invocation (a typo must not mute alerts)', async () => {
    const notify = createNotifier({ env: { ...TOPICS, WEBHOOKS: '[{"name":"x"}]' }, logger: silent });
    await expect(notify(snsEvent(TOPICS.CRITICAL_TOPIC_ARN, alarmMessage('ALARM')))).rejects.toThrow(
      /WEBHOOKS is invalid/,
    );
  });

  it('reads the webhook list from the secret when WEBHOOKS_SECRET_ARN is set', async () => {
    const asked: string[] = [];
    const list = await loadWebhooks(
      { WEBHOOKS_SECRET_ARN: 'arn:aws:secretsmanager:eu-central-1:1:secret:hooks', WEBHOOKS: '[]' },
      async (id) => {
        asked.push(id);
        return JSON.stringify([
          { name: 'x', type: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=t', secret: 'SECx' },
        ]);
      },
    );
    expect(asked).toEqual(['arn:aws:secretsmanager:eu-central-1:1:secret:hooks']);
    expect(list).toEqual([
      {
        name: 'x',
        type: 'dingtalk',
        url: 'https://oapi.dingtalk.com/robot/send?access_token=t',
        secret: 'SECx',
        tiers: ['critical', 'warning', 'info'],
        signals: false,
      },
    ]);
  });

  it('refuses plain-http webhooks off localhost, unknown types, duplicates and a Slack secret, naming the field', () => {
    expect(() =>
      parseWebhooks(JSON.stringify([{ name: 'a', type: 'slack', url: 'http://hooks.slack.com/x' }]), 'WEBHOOKS'),
    ).toThrow(/0\.url: webhook url must be https/);
    expect(() =>
      parseWebhooks(JSON.stringify([{ name: 'a', type: 'teams', url: 'https://x.example' }]), 'WEBHOOKS'),
    ).toThrow(/0\.type/);
    expect(() =>
      parseWebhooks(
        JSON.stringify([
          { name: 'a', type: 'wecom', url: 'https://x.example' },
          { name: 'a', type: 'wecom', url: 'https://y.example' },
        ]),
        'WEBHOOKS',
      ),
    ).toThrow(/duplicate webhook name "a"/);
    expect(() =>
      parseWebhooks(
        JSON.stringify([{ name: 'a', type: 'slack', url: 'https://hooks.slack.com/x', secret: 's' }]),
        'WEBHOOKS',
      ),
    ).toThrow(/no signing secret/);
    expect(() => parseWebhooks('{not json', 'WEBHOOKS')).toThrow(WebhookConfigError);
  });
});

describe('classification and backoff (pure)', () => {
  it('classifies platform bodies', () => {
    expect(classifyResponse('feishu', 200, '{"StatusCode":0,"StatusMessage":"success"}', null)).toEqual({ ok: true });
    expect(classifyResponse('wecom', 200, '{"errcode":93000,"errmsg":"invalid webhook url"}', null)).toMatchObject({
      ok: false,
      retryable: false,
    });
    expect(classifyResponse('slack', 404, 'no_service', null)).toMatchObject({
      ok: false,
      retryable: false,
      error: 'HTTP 404 no_service',
    });
    expect(classifyResponse('slack', 429, '', '2')).toMatchObject({ ok: false, retryable: true, retryAfterMs: 2000 });
    expect(classifyResponse('dingtalk', 200, '<html>gateway</html>', null)).toMatchObject({
      ok: false,
      retryable: true,
    });
  });

  it('backs off exponentially with full jitter under a cap', () => {
    const p: RetryPolicy = { maxAttempts: 6, baseDelayMs: 200, maxDelayMs: 1500, timeoutMs: 1000 };
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(p, a, () => 1))).toEqual([200, 400, 800, 1500, 1500]);
    expect([1, 2, 3].map((a) => backoffMs(p, a, () => 0))).toEqual([100, 200, 400]);
  });
});
