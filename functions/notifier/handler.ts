/**
 * The notifier: subscribed to the critical / warning / info alarm topics and the signal topic, it forwards every
 * message (alarms and their recoveries, buy/sell point alerts) to the configured chat webhooks.
 *
 * No alarm is lost silently: SNS invokes this function asynchronously; if any webhook could not be served after
 * its in-invocation retries, the invocation fails, Lambda retries it (twice, minutes apart), and then its
 * on-failure destination keeps the event in the notifier DLQ, whose alarm is critical (and goes to the e-mail
 * subscribers of the critical topic, which do not depend on this function). Webhooks that already accepted a
 * message are remembered per warm instance so a retry does not re-post to them; across instances a retry may
 * repeat a message on a webhook that took it: a duplicate is preferred over a loss.
 *
 * No webhook configured at all (the shipped default: chat alerts are opt-in) is not a delivery failure: the
 * notifications are acknowledged with a warning log and the NotificationsWithoutWebhook metric. Failing them
 * would only retry each one into the DLQ and raise the critical DLQ alarm for a setting nobody chose to make;
 * the topics' e-mail subscribers still receive every alarm.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { SNSEvent } from 'aws-lambda';
import { notifierEnv } from '../common/config.js';
import { emitMetric, METRICS_SERVICE } from '../common/metrics-catalog.js';
import {
  loadWebhooks,
  readSecretFromSecretsManager,
  type NotifierEnv,
  type SecretReader,
  type WebhookConfig,
} from './config.js';
import {
  DEFAULT_RETRY,
  defaultDeps,
  deliver,
  type DeliveryDeps,
  type DeliveryFailed,
  type RetryPolicy,
} from './deliver.js';
import { parseRecord, type Notification } from './messages.js';

export class NotificationDeliveryError extends Error {
  override name = 'NotificationDeliveryError';
  constructor(readonly failures: DeliveryFailed[]) {
    super(
      `webhook delivery failed: ${failures.map((f) => `${f.webhook} (${f.attempts} attempts): ${f.error}`).join('; ')}`,
    );
  }
}

/** Which webhooks get a notification: alarms by tier, signals by the webhook's opt-in and the symbol's channels. */
export function selectWebhooks(webhooks: WebhookConfig[], n: Notification): WebhookConfig[] {
  if (n.kind === 'signal') {
    const wanted = n.signal.channels;
    return webhooks.filter((w) => w.signals && (!wanted || wanted.length === 0 || wanted.includes(w.name)));
  }
  return webhooks.filter((w) => w.tiers.includes(n.tier));
}

export interface NotifierOptions {
  env?: NotifierEnv;
  readSecret?: SecretReader;
  retry?: RetryPolicy;
  deps?: DeliveryDeps;
  logger?: Logger;
  /** How long the webhook list read from the secret is reused (rotations apply after this). */
  configTtlMs?: number;
}

export function createNotifier(opts: NotifierOptions = {}) {
  const env = opts.env ?? notifierEnv();
  const retry = opts.retry ?? DEFAULT_RETRY;
  const deps = opts.deps ?? defaultDeps;
  const logger = opts.logger ?? new Logger({ serviceName: METRICS_SERVICE });
  const ttl = opts.configTtlMs ?? 5 * 60_000;
  let cached: { at: number; webhooks: WebhookConfig[] } | undefined;
  /** messageId|webhook pairs already accepted by this instance (bounded). */
  const delivered = new Set<string>();

  async function webhooks(): Promise<WebhookConfig[]> {
    if (!cached || deps.now() - cached.at > ttl) {
      cached = { at: deps.now(), webhooks: await loadWebhooks(env, opts.readSecret ?? readSecretFromSecretsManager) };
    }
    return cached.webhooks;
  }

  function remember(key: string) {
    delivered.add(key);
    if (delivered.size > 5000) delivered.delete(delivered.values().next().value as string);
  }

  return async function handler(event: SNSEvent): Promise<{ delivered: number; skipped: number }> {
    // A config error throws here: the event is retried and ends in the DLQ rather than being acknowledged.
    const targets = await webhooks();
    if (targets.length === 0) {
      logger.warn('no webhook configured: notification acknowledged without delivery (README "Connecting a webhook")', {
        notifications: event.Records.map((r) => ({ messageId: r.Sns.MessageId, subject: r.Sns.Subject })),
      });
      emitMetric('NotificationsWithoutWebhook', event.Records.length);
      return { delivered: 0, skipped: event.Records.length };
    }
    const failures: DeliveryFailed[] = [];
    let sent = 0;
    let skipped = 0;
    for (const record of event.Records) {
      const n = parseRecord(record, env);
      const chosen = selectWebhooks(targets, n);
      if (chosen.length === 0) {
        // Not an error: e.g. an info alarm when every webhook takes only critical/warning.
        logger.info('no webhook subscribes to this notification', {
          kind: n.kind,
          tier: 'tier' in n ? n.tier : undefined,
        });
        skipped++;
        continue;
      }
      const results = await Promise.all(
        chosen.map(async (w) => {
          const key = `${n.messageId}|${w.name}`;
          if (delivered.has(key)) return { ok: true as const, webhook: w.name, attempts: 0 };
          const r = await deliver(w, n, retry, deps);
          if (r.ok) remember(key);
          return r;
        }),
      );
      for (const r of results) {
        if (r.ok) {
          if (r.attempts > 0) sent++;
          continue;
        }
        failures.push(r);
        emitMetric('NotificationFailures', 1);
      }
      logger.info('notification processed', {
        kind: n.kind,
        messageId: n.messageId,
        name: n.kind === 'alarm' ? n.name : n.kind === 'signal' ? n.signal.signalId : n.subject,
        results: results.map((r) => ({
          webhook: r.webhook,
          ok: r.ok,
          attempts: r.attempts,
          error: r.ok ? undefined : r.error,
        })),
      });
    }
    if (failures.length > 0) {
      logger.error('webhook delivery failed; failing the invocation so Lambda retries and then keeps it in the DLQ', {
        failures,
      });
      throw new NotificationDeliveryError(failures);
    }
    return { delivered: sent, skipped };
  };
}

export const handler = createNotifier();
