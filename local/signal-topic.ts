/**
 * The signal topic on this machine: what the worker publishes (a new, confirmed or withdrawn buy/sell point) is
 * handed to the real notifier Lambda handler as the SNS event it would receive, asynchronously, as SNS invokes
 * it. Webhooks come from WEBHOOKS (the JSON list) or WEBHOOKS_FILE (a file holding it) — the same format as the
 * deployed webhooks secret (functions/notifier/config.ts). Every alert is also printed as one line, so with no
 * webhook configured the console is where alerts appear.
 *
 * Delivery failures are retried twice (Lambda's asynchronous retries), then reported on the console: the local
 * runtime has no notifier DLQ.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { SNSEvent } from 'aws-lambda';
import type { SignalPublisher } from '../functions/alerts/signal-alerts.js';
import type { SignalMessage } from '../functions/alerts/signal-message.js';

export const LOCAL_SIGNAL_TOPIC_ARN = 'arn:aws:sns:us-east-1:000000000000:chan-signals-local';

/** Lambda retries a failed asynchronous invocation twice. */
const ASYNC_ATTEMPTS = 3;

/**
 * The webhook list the local runtime uses: WEBHOOKS_FILE (read now) or WEBHOOKS, validated with the notifier's
 * own parser, so a bad list stops `npm start` with the problem named. undefined when neither is set.
 */
export async function localWebhooks(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ json: string; source: string; names: string[] } | undefined> {
  const { parseWebhooks, WebhookConfigError } = await import('../functions/notifier/config.js');
  let json: string;
  let source: string;
  if (env.WEBHOOKS_FILE) {
    source = `WEBHOOKS_FILE (${env.WEBHOOKS_FILE})`;
    try {
      json = readFileSync(env.WEBHOOKS_FILE, 'utf8');
    } catch (e) {
      throw new WebhookConfigError(
        `${source} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        {
          cause: e,
        },
      );
    }
  } else if (env.WEBHOOKS) {
    json = env.WEBHOOKS;
    source = 'WEBHOOKS';
  } else return undefined;
  const list = parseWebhooks(json, source);
  return { json, source, names: list.map((w) => `${w.name} (${w.type}${w.signals ? '' : ', alarms only'})`) };
}

export interface LocalSignalTopicOptions {
  /** The webhook list JSON; alerts only print when absent. */
  webhooks?: string;
  print?(line: string): void;
}

export class LocalSignalTopic implements SignalPublisher {
  private readonly pending = new Set<Promise<void>>();
  private notifier: Promise<(e: SNSEvent) => Promise<unknown>> | undefined;
  private readonly print: (line: string) => void;
  /** Messages published so far (newest last). */
  readonly published: SignalMessage[] = [];

  constructor(private readonly opts: LocalSignalTopicOptions = {}) {
    this.print = opts.print ?? ((l) => console.log(l));
  }

  async publish(m: SignalMessage): Promise<string> {
    const messageId = randomUUID();
    this.published.push(m);
    const line = await alertLine(m);
    if (!this.opts.webhooks) {
      this.print(line);
      return messageId;
    }
    const p = this.deliver(m, messageId, line).finally(() => this.pending.delete(p));
    this.pending.add(p);
    return messageId;
  }

  /** Resolves when every delivery started so far has ended (tests). */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private async deliver(m: SignalMessage, messageId: string, line: string): Promise<void> {
    this.notifier ??= import('../functions/notifier/handler.js').then(({ createNotifier }) =>
      createNotifier({ env: { WEBHOOKS: this.opts.webhooks, SIGNAL_TOPIC_ARN: LOCAL_SIGNAL_TOPIC_ARN } }),
    );
    const notify = await this.notifier;
    const event = snsEvent(m, messageId);
    for (let attempt = 1; ; attempt++) {
      try {
        await notify(event);
        this.print(`${line}  → webhooks`);
        return;
      } catch (e) {
        if (attempt >= ASYNC_ATTEMPTS) {
          this.print(`${line}  → NOT delivered after ${attempt} tries: ${(e as Error).message}`);
          return;
        }
      }
    }
  }
}

/** The SNS event the notifier receives for one message on the signal topic. */
function snsEvent(m: SignalMessage, messageId: string): SNSEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${LOCAL_SIGNAL_TOPIC_ARN}:local`,
        Sns: {
          Type: 'Notification',
          MessageId: messageId,
          TopicArn: LOCAL_SIGNAL_TOPIC_ARN,
          Subject: `${m.side.toUpperCase()} ${m.types.join('+')} ${m.symbol} ${m.interval} ${m.level} (${m.stage})`,
          Message: JSON.stringify(m),
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: 'local',
          SigningCertUrl: '',
          UnsubscribeUrl: '',
          MessageAttributes: {},
        },
      },
    ],
  };
}

/** One readable line: the notifier's own card title, then time, price and the chart link. */
export async function alertLine(m: SignalMessage): Promise<string> {
  const { toCard } = await import('../functions/notifier/formats.js');
  const card = toCard({ kind: 'signal', messageId: '', signal: m });
  return `[alert] ${card.title} · bar ${m.time} @ ${m.price}${m.chartUrl ? ` · ${m.chartUrl}` : ''}`;
}
