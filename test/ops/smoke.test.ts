/**
 * The smoke command against the local runtime (the same API as the deployed stack: real handlers behind the local
 * API Gateway adapter, dynalite): `npm run smoke` as an operator runs it passes with the right key and fails with
 * a wrong one. `--alarms` talks to CloudWatch's control plane, which has no local equivalent: it runs against
 * aws-sdk-client-mock, fed with the alarm names the Monitoring construct really creates.
 */
import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  SetAlarmStateCommand,
  type AlarmHistoryItem,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TIERS, type Tier } from '../../functions/notifier/config.js';
import { actionOutcome, alarmChecks, SMOKE_REASON } from '../../ops/smoke/alarm-checks.js';
import { SMOKE_SYMBOL } from '../../ops/smoke/api-checks.js';
import { runSmoke } from '../../ops/smoke/cli.js';
import { buildMonitoringTestStack } from '../infra/monitoring-stack.js';
import { startService, type TestService } from '../support/service.js';

const run = promisify(execFile);
const ORIGIN = 'http://localhost:5173'; // in the local runtime's CORS_ORIGINS (local/env.ts)
const CHECKS = [
  'health',
  'symbols',
  'analysis',
  'write without credentials',
  'write with credentials',
  'CORS preflight, refused origin',
  'CORS preflight, allowed origin',
];

let svc: TestService;
beforeAll(async () => {
  svc = await startService();
});
afterAll(async () => {
  await svc?.stop();
});

/** `npm run smoke -- <url> …` in a child process, as an operator runs it. */
async function smoke(args: string[], apiKey: string): Promise<{ code: number; lines: string[] }> {
  const env = { ...process.env, CHAN_API_KEY: apiKey, AWS_ACCESS_KEY_ID: 'AKIDSMOKETEST', AWS_SECRET_ACCESS_KEY: 's' };
  const r = await run('npm', ['run', '--silent', 'smoke', '--', svc.url, ...args], { env, timeout: 120_000 }).then(
    (x) => ({ code: 0, stdout: x.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
  return { code: r.code, lines: r.stdout.trim().split('\n') };
}

const verdicts = (lines: string[]) =>
  Object.fromEntries(
    lines.filter((l) => /^(PASS|FAIL) {2}/.test(l)).map((l) => [l.slice(6, 38).trim(), l.slice(0, 4)] as const),
  );

describe('npm run smoke against npm start', () => {
  it('passes every check with the API key; the credentialed write happened and was removed again', async () => {
    const { code, lines } = await smoke(['--origin', ORIGIN], svc.apiKey);
    expect(verdicts(lines), lines.join('\n')).toEqual(Object.fromEntries(CHECKS.map((c) => [c, 'PASS'])));
    expect(lines.at(-1)).toMatch(/^7 passed, 0 failed/);
    expect(code).toBe(0);
    // The DELETE answers 200 only for a tracked symbol: the PUT wrote it; afterwards nothing is left.
    expect(lines.find((l) => l.includes('write with credentials'))).toMatch(
      /SigV4-signed \(us-east-1, access key …TEST\), PUT → HTTP 201, DELETE → HTTP 200/,
    );
    const listed = (await (await svc.fetch('/api/v1/symbols')).json()) as { symbols: { symbol: string }[] };
    expect(listed.symbols.map((s) => s.symbol)).not.toContain(SMOKE_SYMBOL);
  });

  it('fails (exit 1) with a wrong key, naming the refused write; without --origin locally the CORS check fails', async () => {
    const { code, lines } = await smoke([], 'not-the-key');
    const v = verdicts(lines);
    expect(v['write with credentials']).toBe('FAIL');
    expect(lines.find((l) => l.includes('write with credentials'))).toMatch(/HTTP 403.*Invalid API key/);
    // The local adapter names no origin to a refused caller (API Gateway's canned preflight does).
    expect(v['CORS preflight, allowed origin']).toBe('FAIL');
    expect(v.health).toBe('PASS');
    expect(lines.at(-1)).toMatch(/^5 passed, 2 failed/);
    expect(code).toBe(1);
  });

  it('refuses a missing URL with exit 2 and the usage', async () => {
    const out: string[] = [];
    expect(await runSmoke([], { out: (l) => out.push(l), env: {} })).toBe(2);
    expect(out.join('\n')).toMatch(/give exactly one API base URL\nusage: npm run smoke -- <API base URL>/);
  });
});

// ------------------------------------------------------------------------------------------------ --alarms

const topicArn = (tier: Tier) => `arn:aws:sns:us-east-1:111122223333:chan-analysis-test-${tier}`;
const alarmArn = (name: string) => `arn:aws:cloudwatch:us-east-1:111122223333:alarm:${name}`;

/** CloudWatch's Action history items, as the console and DescribeAlarmHistory show them. */
function actionItem(alarm: string, topic: string, ok: boolean): AlarmHistoryItem {
  const error = `Resource: ${alarmArn(alarm)} is not authorized to perform: SNS:Publish on resource: ${topic} because no resource-based policy allows the SNS:Publish action`;
  return {
    AlarmName: alarm,
    AlarmType: 'MetricAlarm',
    Timestamp: new Date(),
    HistoryItemType: 'Action',
    HistorySummary: ok
      ? `Successfully executed action ${topic}`
      : `Failed to execute action ${topic}. Received error: "${error}"`,
    HistoryData: JSON.stringify({
      actionState: ok ? 'Succeeded' : 'Failed',
      stateUpdateTimestamp: Date.now(),
      notificationResource: topic,
      ...(ok ? { publishedMessage: '{}' } : { error }),
    }),
  };
}

describe('npm run smoke -- --alarms (CloudWatch mocked)', () => {
  const cw = mockClient(CloudWatchClient);
  let alarms: MetricAlarm[];
  /** Alarm name → the Action outcome CloudWatch records once the alarm is set to ALARM (undefined: never). */
  let outcome: Map<string, boolean | undefined>;
  let historyCalls: Map<string, number>;

  beforeAll(() => {
    // The names the Monitoring construct creates (stage "test"): the smoke command must find them by prefix.
    const { monitoring } = buildMonitoringTestStack();
    alarms = monitoring.alarms.map((a) => ({
      AlarmName: a.name,
      AlarmArn: alarmArn(a.name),
      ActionsEnabled: true,
      AlarmActions: [topicArn(a.tier)],
      OKActions: [topicArn(a.tier)],
      StateValue: 'OK',
    }));
    for (const t of TIERS) expect(alarms.some((a) => a.AlarmName!.includes(`-${t}-`))).toBe(true);
  });

  beforeEach(() => {
    cw.reset();
    outcome = new Map();
    historyCalls = new Map();
    cw.on(DescribeAlarmsCommand).callsFake((input: { AlarmNamePrefix?: string }) => ({
      MetricAlarms: alarms.filter((a) => a.AlarmName!.startsWith(input.AlarmNamePrefix ?? '')),
    }));
    cw.on(SetAlarmStateCommand).resolves({});
    cw.on(DescribeAlarmHistoryCommand).callsFake((input: { AlarmName: string; HistoryItemType: string }) => {
      expect(input.HistoryItemType).toBe('Action');
      // CloudWatch takes a moment: the first read finds nothing yet.
      const n = (historyCalls.get(input.AlarmName) ?? 0) + 1;
      historyCalls.set(input.AlarmName, n);
      const ok = outcome.get(input.AlarmName);
      const alarm = alarms.find((a) => a.AlarmName === input.AlarmName)!;
      if (n < 2 || ok === undefined) return { AlarmHistoryItems: [] };
      return { AlarmHistoryItems: [actionItem(input.AlarmName, alarm.AlarmActions![0]!, ok)] };
    });
  });
  afterAll(() => cw.restore());

  it('sets one alarm per tier to ALARM and reports whether its topic accepted the publish', async () => {
    // The first critical alarm is already in ALARM (setting it again would run no action): it must be skipped.
    const firstCritical = alarms.find((a) => a.AlarmName!.startsWith('chan-analysis-test-critical-'))!;
    firstCritical.StateValue = 'ALARM';
    try {
      for (const a of alarms) outcome.set(a.AlarmName!, !a.AlarmName!.includes('-warning-'));
      const out: string[] = [];
      const code = await runSmoke([svc.url, '--alarms', '--stage', 'test', '--origin', ORIGIN], {
        env: { CHAN_API_KEY: svc.apiKey },
        out: (l) => out.push(l),
        credentials: async () => ({ accessKeyId: 'AKIDSMOKETEST', secretAccessKey: 's' }),
        alarmPolling: { timeoutMs: 5_000, pollMs: 1 },
      });

      const set = cw.commandCalls(SetAlarmStateCommand).map((c) => c.args[0].input);
      expect(set.map((s) => s.AlarmName!.split('-')[3])).toEqual([...TIERS]);
      for (const s of set) expect(s).toMatchObject({ StateValue: 'ALARM', StateReason: SMOKE_REASON });
      expect(set.map((s) => s.AlarmName)).not.toContain(firstCritical.AlarmName);

      const v = verdicts(out);
      for (const c of CHECKS) expect(v[c], c).toBe('PASS');
      expect(v['alarm critical']).toBe('PASS');
      expect(v['alarm info']).toBe('PASS');
      expect(v['alarm warning']).toBe('FAIL');
      const line = (t: string) => out.find((l) => l.includes(`alarm ${t} `))!;
      expect(line('critical')).toContain(`${topicArn('critical')} accepted the publish`);
      expect(line('warning')).toMatch(/refused it: Resource: .* is not authorized to perform: SNS:Publish/);
      expect(out.at(-1)).toMatch(/^9 passed, 1 failed/);
      expect(code).toBe(1);
    } finally {
      firstCritical.StateValue = 'OK';
    }
  });

  it('fails a tier whose action leaves no outcome in the history within the timeout, and a stage with no alarms', async () => {
    for (const a of alarms) outcome.set(a.AlarmName!, a.AlarmName!.includes('-info-') ? undefined : true);
    let clock = 0;
    const cloudwatch = new CloudWatchClient({ region: 'us-east-1' });
    const results = await alarmChecks({
      cloudwatch,
      stage: 'test',
      timeoutMs: 60_000,
      pollMs: 5_000,
      now: () => clock,
      sleep: async (ms) => void (clock += ms),
    });
    expect(results.map((r) => [r.name, r.ok])).toEqual([
      ['alarm critical', true],
      ['alarm warning', true],
      ['alarm info', false],
    ]);
    expect(results[2]!.detail).toMatch(/no outcome in the alarm history after 60 s/);

    const none = await alarmChecks({ cloudwatch, stage: 'prod', timeoutMs: 1, pollMs: 1 });
    expect(none.every((r) => !r.ok && /no chan-analysis-prod-\w+-\* alarm/.test(r.detail))).toBe(true);
  });

  it('reads success and failure from the history summary alone too', () => {
    const failed = actionItem('a', topicArn('info'), false);
    expect(actionOutcome({ ...failed, HistoryData: undefined })).toMatchObject({
      ok: false,
      topic: topicArn('info'),
      error: expect.stringMatching(/not authorized to perform: SNS:Publish/),
    });
    expect(actionOutcome({ ...actionItem('a', topicArn('info'), true), HistoryData: undefined })).toEqual({
      ok: true,
      topic: topicArn('info'),
    });
  });
});
