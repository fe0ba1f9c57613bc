/**
 * `--alarms`: proves that each alarm tier can notify. For each tier it picks one of the stack's alarms that is not
 * already in ALARM, sets it to ALARM (SetAlarmState), and reads the alarm's history until CloudWatch records the
 * outcome of the alarm action: "Successfully executed action <topic>" when the topic accepted the publish, or
 * "Failed to execute action <topic>. Received error: …" (e.g. a topic policy that does not let CloudWatch
 * publish). The alarm returns to its real state at its next evaluation (which sends the tier's OK notification).
 *
 * Needs cloudwatch:DescribeAlarms, cloudwatch:SetAlarmState and cloudwatch:DescribeAlarmHistory.
 */
import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  SetAlarmStateCommand,
  type AlarmHistoryItem,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { TIERS, type Tier } from '../../functions/notifier/config.js';
import type { CheckResult } from './api-checks.js';

export interface AlarmCheckOptions {
  cloudwatch: CloudWatchClient;
  /** The stack's stage: alarm names are chan-analysis-<stage>-<tier>-<name> (lib/monitoring.ts). */
  stage: string;
  /** How long to wait for the action's outcome in the alarm history, and how often to look. */
  timeoutMs?: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export const alarmNamePrefix = (stage: string, tier: Tier) => `chan-analysis-${stage}-${tier}-`;

/** The smoke run's reason on the alarm (visible in the console and the notification). */
export const SMOKE_REASON =
  'Smoke test (npm run smoke -- --alarms): checking that this alarm tier can notify; the next evaluation restores the real state.';

/** Clock difference tolerated between this machine and CloudWatch when reading the history. */
const SKEW_MS = 30_000;

interface ActionOutcome {
  ok: boolean;
  topic: string;
  error?: string;
}

/** One Action history item: succeeded or failed, for which target, and why. */
export function actionOutcome(item: AlarmHistoryItem): ActionOutcome | undefined {
  const summary = item.HistorySummary ?? '';
  let data: { actionState?: string; notificationResource?: string; error?: string } = {};
  try {
    data = JSON.parse(item.HistoryData ?? '{}');
  } catch {
    // The summary alone still tells success from failure.
  }
  const topic = data.notificationResource ?? /action (\S+?)\.?(\s|$)/.exec(summary)?.[1] ?? '(unknown target)';
  if (data.actionState === 'Succeeded' || summary.startsWith('Successfully executed action'))
    return { ok: true, topic };
  if (data.actionState === 'Failed' || summary.startsWith('Failed to execute action')) {
    const error = data.error ?? /Received error: (.*)$/s.exec(summary)?.[1] ?? summary;
    return { ok: false, topic, error };
  }
  return undefined;
}

async function pickAlarm(cw: CloudWatchClient, prefix: string): Promise<MetricAlarm | undefined> {
  let token: string | undefined;
  do {
    const page = await cw.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: prefix, AlarmTypes: ['MetricAlarm'], NextToken: token }),
    );
    const usable = (page.MetricAlarms ?? []).find(
      (a) => a.ActionsEnabled && (a.AlarmActions?.length ?? 0) > 0 && a.StateValue !== 'ALARM',
    );
    if (usable) return usable;
    token = page.NextToken;
  } while (token);
  return undefined;
}

export async function alarmChecks(o: AlarmCheckOptions): Promise<CheckResult[]> {
  const timeoutMs = o.timeoutMs ?? 120_000;
  const pollMs = o.pollMs ?? 5_000;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = o.now ?? Date.now;
  const results: CheckResult[] = [];

  for (const tier of TIERS) {
    const name = `alarm ${tier}`;
    try {
      const alarm = await pickAlarm(o.cloudwatch, alarmNamePrefix(o.stage, tier));
      if (!alarm?.AlarmName) {
        results.push({
          name,
          ok: false,
          detail: `no ${alarmNamePrefix(o.stage, tier)}* alarm with actions that is not already in ALARM`,
        });
        continue;
      }
      const since = now();
      await o.cloudwatch.send(
        new SetAlarmStateCommand({ AlarmName: alarm.AlarmName, StateValue: 'ALARM', StateReason: SMOKE_REASON }),
      );
      const targets = new Set(alarm.AlarmActions);
      const outcomes = new Map<string, ActionOutcome>();
      while (outcomes.size < targets.size && now() - since <= timeoutMs) {
        const history = await o.cloudwatch.send(
          new DescribeAlarmHistoryCommand({
            AlarmName: alarm.AlarmName,
            HistoryItemType: 'Action',
            StartDate: new Date(since - SKEW_MS),
            ScanBy: 'TimestampAscending',
          }),
        );
        for (const item of history.AlarmHistoryItems ?? []) {
          const out = actionOutcome(item);
          if (out && targets.has(out.topic)) outcomes.set(out.topic, out);
        }
        if (outcomes.size < targets.size) await sleep(pollMs);
      }
      const missing = [...targets].filter((t) => !outcomes.has(t));
      const failed = [...outcomes.values()].filter((x) => !x.ok);
      const ok = missing.length === 0 && failed.length === 0;
      const parts = [
        ...[...outcomes.values()].map((x) =>
          x.ok ? `${x.topic} accepted the publish` : `${x.topic} refused it: ${x.error}`,
        ),
        ...missing.map((t) => `${t}: no outcome in the alarm history after ${Math.round(timeoutMs / 1000)} s`),
      ];
      results.push({ name, ok, detail: `${alarm.AlarmName} set to ALARM → ${parts.join('; ')}` });
    } catch (e) {
      results.push({ name, ok: false, detail: `${(e as Error).name}: ${(e as Error).message}` });
    }
  }
  return results;
}
