/**
 * Webhook configuration of the notifier: which chat webhooks receive which alarm tiers and signal alerts.
 *
 * Webhook URLs of Slack, DingTalk and WeCom carry their access token in the URL, and Feishu/DingTalk signing
 * secrets are credentials, so in AWS the list lives in a Secrets Manager secret (WEBHOOKS_SECRET_ARN) and never in
 * the template or the function's environment. WEBHOOKS (the same JSON inline) is for the local runtime and tests.
 */
import * as z from '../common/zod.js';
import type { NotifierEnv } from '../common/config.js';
import { readSecretString } from '../common/secrets.js';

export type { NotifierEnv };

export const TIERS = ['critical', 'warning', 'info'] as const;
export type Tier = (typeof TIERS)[number];

export const WEBHOOK_TYPES = ['slack', 'feishu', 'dingtalk', 'wecom'] as const;
export type WebhookType = (typeof WEBHOOK_TYPES)[number];

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export const WebhookSchema = z
  .object({
    /** Names the webhook in logs, errors and per-symbol signal channel lists. */
    name: z.string().check(z.minLength(1), z.maxLength(64)),
    type: z.enum(WEBHOOK_TYPES),
    url: z.url().check(
      z.refine(
        (u) => {
          const url = new URL(u);
          // Alarm texts name resources and thresholds; send them in clear text only to a local test server.
          return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
        },
        { error: 'webhook url must be https:// (http:// only for localhost)' },
      ),
    ),
    /** Feishu: the bot's 签名校验 secret. DingTalk: the robot's 加签 secret (SEC…). Ignored by Slack and WeCom. */
    secret: z.optional(z.string().check(z.minLength(1))),
    /** Alarm tiers this webhook receives; all three when omitted. */
    tiers: z._default(z.array(z.enum(TIERS)), [...TIERS]),
    /** Whether buy/sell point alerts go here (ops channels usually do not want them). */
    signals: z._default(z.boolean(), false),
  })
  .check(
    z.superRefine((w, ctx) => {
      if (w.type === 'slack' && w.secret) {
        ctx.addIssue({
          code: 'custom',
          message: `webhook "${w.name}": Slack incoming webhooks have no signing secret; remove "secret"`,
        });
      }
    }),
  );

export type WebhookConfig = z.output<typeof WebhookSchema>;

const WebhookListSchema = z.array(WebhookSchema).check(
  z.superRefine((list, ctx) => {
    const seen = new Set<string>();
    for (const w of list) {
      if (seen.has(w.name)) ctx.addIssue({ code: 'custom', message: `duplicate webhook name "${w.name}"` });
      seen.add(w.name);
    }
  }),
);

export class WebhookConfigError extends Error {
  override name = 'WebhookConfigError';
}

/** Parse the JSON list (from the env or the secret). Errors name the webhook and field, never the URL or secret. */
export function parseWebhooks(json: string, source: string): WebhookConfig[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new WebhookConfigError(
      `${source} is not valid JSON (expected a list of {name, type, url, secret?, tiers?, signals?})`,
    );
  }
  const r = WebhookListSchema.safeParse(raw);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || '(list)'}: ${i.message}`);
    throw new WebhookConfigError(`${source} is invalid:\n  - ${problems.join('\n  - ')}`);
  }
  return r.data;
}

export type SecretReader = (secretId: string) => Promise<string>;

/**
 * The webhook list's secret, read as every function reads its secrets (functions/common/secrets.ts: Powertools
 * Parameters with a cache, so a rotated list applies within minutes without a deploy).
 */
export const readSecretFromSecretsManager: SecretReader = (secretId) => readSecretString(secretId);

/**
 * Webhooks from the secret when WEBHOOKS_SECRET_ARN is set, else from WEBHOOKS. An empty list is a valid
 * configuration: the stack ships the secret as `[]` (chat alerts are opt-in), and the handler acknowledges
 * notifications it has nowhere to send. A list that does not parse is an error (a typo must not mute alerts).
 */
export async function loadWebhooks(
  env: NotifierEnv,
  readSecret: SecretReader = readSecretFromSecretsManager,
): Promise<WebhookConfig[]> {
  if (env.WEBHOOKS_SECRET_ARN) return parseWebhooks(await readSecret(env.WEBHOOKS_SECRET_ARN), 'the webhooks secret');
  if (env.WEBHOOKS) return parseWebhooks(env.WEBHOOKS, 'WEBHOOKS');
  return [];
}

/** Which alarm tier a topic carries, from the topic ARNs the stack passes in. */
export function tierOfTopic(env: NotifierEnv, topicArn: string): Tier | 'signal' | undefined {
  if (topicArn === env.CRITICAL_TOPIC_ARN) return 'critical';
  if (topicArn === env.WARNING_TOPIC_ARN) return 'warning';
  if (topicArn === env.INFO_TOPIC_ARN) return 'info';
  if (topicArn === env.SIGNAL_TOPIC_ARN) return 'signal';
  return undefined;
}
