/**
 * Buy/sell point alerts (买卖点提醒): given the previous and the new analysis of a tracked (symbol, interval),
 * publish every new buy/sell point once, marked provisional or confirmed, publish it again (once) when a
 * provisional point becomes confirmed, and once more if a provisional point that was alerted vanishes
 * (chan-spec §12.8: an unconfirmed point can disappear when the last stroke is redrawn), so nobody trades on a
 * signal that no longer exists without being told.
 *
 * "Once" across retries: every (symbol, interval, level, signal, stage) has a dedupe item in the table. Before
 * publishing, the run claims it with a conditional put; after SNS accepted the message it marks it sent. A retry
 * of the same ingest message finds the item sent and skips. If publishing fails the claim is released and the
 * error propagates, so the ingest message is retried and the alert is not lost. The one window left is a crash
 * between SNS accepting and the item being marked sent: the claim's lease then expires and a retry publishes
 * again (at-least-once there; a duplicate is preferred to a loss).
 *
 * Ordering the caller must keep: compute the new analysis, call `publishSignalAlerts(prev = the stored latest
 * analysis, next = the new one)`, and only then store the new analysis as latest. Storing first would make a
 * retry compare the new analysis with itself and find nothing new.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { ResultSignal } from 'chan-analysis';
import { emitMetric } from '../common/metrics-catalog.js';
import { dedupeKey as itemKey } from '../store/alert-dedupe.js';
import { expiresAfterDays } from '../store/table.js';
import type { SignalAlertPrefs } from './prefs.js';
import { SIGNAL_MESSAGE_KIND, type SignalLevel, type SignalMessage, type SignalStage } from './signal-message.js';

// ------------------------------------------------------------------------------------------- preferences

// The schema lives in prefs.ts (zod only), so the symbols API and the OpenAPI bundle validate with it without
// pulling this module's AWS SDK imports.
export { SignalAlertPrefsSchema, type SignalAlertPrefs } from './prefs.js';

// ---------------------------------------------------------------------------------------------- inputs

/** The part of a ChanResult (or of the stored latest-analysis summary) this module reads. */
export interface SignalSnapshot {
  strokeSignals: readonly ResultSignal[];
  segmentSignals: readonly ResultSignal[];
}

export interface SignalPublisher {
  /** Resolves with the SNS message id once the topic accepted the message. */
  publish(message: SignalMessage): Promise<string>;
}

/** One stage of one signal's alert: what the de-duplication keys on. */
export interface AlertKey {
  symbol: string;
  interval: string;
  level: SignalLevel;
  signalId: string;
  stage: SignalStage;
}

/** Where the alerts remember what went out (functions/store/alert-dedupe.ts). */
export interface SignalDedupe {
  /** Whether the alert of this stage was published and marked sent. */
  wasSent(key: AlertKey): Promise<boolean>;
  /** Claims the alert for this run: false when it is sent, or claimed by a run whose lease has not passed. */
  claim(key: AlertKey, at: number, leaseMs: number, expiresAt: number): Promise<boolean>;
  /** Gives back this run's claim (made at `claimedAt`), so a retry need not wait out the lease. */
  release(key: AlertKey, claimedAt: number): Promise<void>;
  markSent(key: AlertKey, sentAt: string, messageId: string): Promise<void>;
}

export interface SignalAlertDeps {
  dedupe: SignalDedupe;
  publisher: SignalPublisher;
  /** Base URL of the chart page (e.g. the CloudFront URL); the alert links to the symbol, interval and point. */
  chartBaseUrl?: string;
  now?: () => number;
  /** How long a claim blocks other runs before a crashed run's claim may be taken over. */
  leaseMs?: number;
  /** Dedupe items expire (DynamoDB TTL, the table's TTL attribute) after this long. */
  retentionDays?: number;
}

export interface SignalAlertInput {
  symbol: string;
  interval: string;
  /** The stored latest analysis, or null when this series has none yet (then nothing alerts: see below). */
  prev: SignalSnapshot | null;
  next: SignalSnapshot;
  /** Open time (epoch ms) of the newest bar of `next`. */
  lastBarTs: number;
  /** Interval length in ms: points older than `freshnessBars` intervals before the newest bar are history. */
  intervalMs: number;
  prefs: SignalAlertPrefs | undefined;
  /** Default 100 bars. */
  freshnessBars?: number;
}

export interface SignalAlertResult {
  published: SignalMessage[];
  /** Candidates another run had already published (or is publishing right now). */
  duplicates: number;
}

// ---------------------------------------------------------------------------------------------- keys

const LEVEL_FIELD: Record<SignalLevel, keyof SignalSnapshot> = { stroke: 'strokeSignals', segment: 'segmentSignals' };

/** Dedupe item keys (functions/store/alert-dedupe.ts): one partition per series, one item per signal stage. */
export function dedupeKey(symbol: string, interval: string, level: SignalLevel, signalId: string, stage: SignalStage) {
  return itemKey({ symbol, interval, level, signalId, stage });
}

export function chartLink(base: string | undefined, symbol: string, interval: string, ts: number): string | undefined {
  if (!base) return undefined;
  const u = new URL(base);
  u.searchParams.set('symbol', symbol);
  u.searchParams.set('interval', interval);
  u.searchParams.set('focus', String(ts));
  return u.toString();
}

// ---------------------------------------------------------------------------------------------- decision

interface Candidate {
  level: SignalLevel;
  stage: SignalStage;
  signal: ResultSignal;
}

function wanted(prefs: SignalAlertPrefs, s: ResultSignal): boolean {
  return prefs.sides.includes(s.side) && s.types.some((t: string) => (prefs.types as readonly string[]).includes(t));
}

/**
 * Which alerts the change from `prev` to `next` calls for (pure). With no previous analysis there is no
 * baseline to tell new from old: the first analysis of a series would otherwise alert its whole history.
 */
export function alertCandidates(input: SignalAlertInput): Candidate[] {
  const prefs = input.prefs;
  if (!prefs?.enabled || input.prev === null) return [];
  if (prefs.intervals && !prefs.intervals.includes(input.interval)) return [];
  const oldest = input.lastBarTs - (input.freshnessBars ?? 100) * input.intervalMs;
  const out: Candidate[] = [];
  for (const level of prefs.levels) {
    const prevList = input.prev[LEVEL_FIELD[level]];
    const before = new Map(prevList.map((s) => [s.id, s]));
    const after = new Map(input.next[LEVEL_FIELD[level]].map((s) => [s.id, s]));
    // The stored latest analysis keeps only the newest signals: a point older than the oldest one it kept is
    // outside the baseline, not new.
    const baselineFrom = prevList.length > 0 ? Math.min(...prevList.map((s) => s.ts)) : -Infinity;
    // Withdrawals first: a reader should learn that a point vanished before reading about its replacement.
    // Only provisional points can vanish; a withdrawal is published only if the provisional alert went out.
    if (prefs.provisional) {
      for (const s of before.values()) {
        if (!s.confirmed && !after.has(s.id) && wanted(prefs, s) && s.ts >= oldest)
          out.push({ level, stage: 'withdrawn', signal: s });
      }
    }
    for (const s of after.values()) {
      if (!wanted(prefs, s) || s.ts < oldest || s.ts < baselineFrom) continue;
      const was = before.get(s.id);
      if (s.confirmed) {
        if (!was?.confirmed) out.push({ level, stage: 'confirmed', signal: s });
      } else if (!was && prefs.provisional) {
        out.push({ level, stage: 'provisional', signal: s });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- publishing

export async function publishSignalAlerts(input: SignalAlertInput, deps: SignalAlertDeps): Promise<SignalAlertResult> {
  const now = deps.now ?? Date.now;
  const leaseMs = deps.leaseMs ?? 60_000;
  const result: SignalAlertResult = { published: [], duplicates: 0 };

  for (const c of alertCandidates(input)) {
    const key: AlertKey = {
      symbol: input.symbol,
      interval: input.interval,
      level: c.level,
      signalId: c.signal.id,
      stage: c.stage,
    };
    if (c.stage === 'withdrawn' && !(await deps.dedupe.wasSent({ ...key, stage: 'provisional' }))) continue;

    const t = now();
    if (!(await deps.dedupe.claim(key, t, leaseMs, expiresAfterDays(deps.retentionDays ?? 180, t)))) {
      result.duplicates++;
      continue;
    }

    const message: SignalMessage = {
      kind: SIGNAL_MESSAGE_KIND,
      version: 1,
      symbol: input.symbol,
      interval: input.interval,
      level: c.level,
      stage: c.stage,
      side: c.signal.side,
      types: [...c.signal.types],
      signalId: c.signal.id,
      time: c.signal.time,
      ts: c.signal.ts,
      price: c.signal.price,
      chartUrl: chartLink(deps.chartBaseUrl, input.symbol, input.interval, c.signal.ts),
      channels: input.prefs?.channels,
      detectedAt: new Date(t).toISOString(),
    };

    let messageId: string;
    try {
      messageId = await deps.publisher.publish(message);
    } catch (e) {
      // Release the claim so the retry of this ingest message can publish at once instead of after the lease.
      await deps.dedupe.release(key, t).catch(() => undefined); // the lease expires anyway
      throw e;
    }

    await deps.dedupe.markSent(key, new Date(now()).toISOString(), messageId);
    emitMetric('SignalAlertsPublished', 1);
    result.published.push(message);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------- SNS

/** SNS subjects must be ASCII, under 100 characters, without line breaks. */
function subjectOf(m: SignalMessage): string {
  return `${m.side.toUpperCase()} ${m.types.join('+')} ${m.symbol} ${m.interval} ${m.level} (${m.stage})`
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 99);
}

/**
 * Publishes to the signal topic. Message attributes let other subscribers filter (e.g. an SQS queue for one
 * symbol, or e-mail only for confirmed points) with SNS filter policies.
 */
export function snsSignalPublisher(sns: SNSClient, topicArn: string): SignalPublisher {
  return {
    async publish(m) {
      const out = await sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: subjectOf(m),
          Message: JSON.stringify(m),
          MessageAttributes: {
            kind: { DataType: 'String', StringValue: m.kind },
            symbol: { DataType: 'String', StringValue: m.symbol },
            interval: { DataType: 'String', StringValue: m.interval },
            level: { DataType: 'String', StringValue: m.level },
            side: { DataType: 'String', StringValue: m.side },
            stage: { DataType: 'String', StringValue: m.stage },
            types: { DataType: 'String.Array', StringValue: JSON.stringify(m.types) },
          },
        }),
      );
      if (!out.MessageId) throw new Error('SNS Publish returned no MessageId');
      return out.MessageId;
    },
  };
}
