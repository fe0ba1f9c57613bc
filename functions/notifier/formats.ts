/**
 * One notification, four chat platforms. A notification is first reduced to a neutral card (title, colour,
 * fields, link), then rendered in each platform's incoming-webhook format, signed where the platform signs:
 *
 * - Slack incoming webhook: JSON {text, attachments[{color, blocks}]}; no signing (the token is in the URL).
 * - Feishu (飞书) custom bot: JSON {timestamp, sign, msg_type: "interactive", card}; sign =
 *   base64(HMAC-SHA256(key = "{timestamp}\n{secret}", message = "")), timestamp in seconds. (Feishu really does
 *   use the string-to-sign as the key and an empty message.)
 * - DingTalk (钉钉) custom robot: JSON {msgtype: "markdown", markdown{title, text}}; with 加签 the URL gets
 *   &timestamp={ms}&sign={urlencode(base64(HMAC-SHA256(key = secret, message = "{timestamp}\n{secret}")))}.
 * - WeCom (企业微信) group robot: JSON {msgtype: "markdown", markdown{content}}, content at most 4096 bytes;
 *   no signing (the key is in the URL).
 *
 * Both signatures include a timestamp the platform checks against its clock (±1 hour), so the request is
 * rendered afresh for every attempt, never reused across retries.
 */
import { createHmac } from 'node:crypto';
import type { SignalMessage } from '../alerts/signal-message.js';
import type { Tier, WebhookConfig } from './config.js';
import type { AlarmNotification, Notification } from './messages.js';

export type Tone = 'critical' | 'warning' | 'info' | 'ok' | 'buy' | 'sell' | 'neutral';

export interface Card {
  title: string;
  tone: Tone;
  fields: [label: string, value: string][];
  /** Free text under the fields (an alarm's reason, a raw message). */
  body?: string;
  link?: { text: string; url: string };
  footer: string;
}

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

const TIER_LABEL: Record<Tier, string> = { critical: '严重 CRITICAL', warning: '警告 WARNING', info: '提示 INFO' };
const STATE_LABEL: Record<AlarmNotification['state'], string> = {
  ALARM: '告警 ALARM',
  OK: '已恢复 RESOLVED',
  INSUFFICIENT_DATA: '数据不足 INSUFFICIENT DATA',
};
const TONE_EMOJI: Record<Tone, string> = {
  critical: '🔴',
  warning: '🟠',
  info: '🔵',
  ok: '✅',
  buy: '🟢',
  sell: '🔻',
  neutral: '⚪',
};
const BSP_LABEL: Record<string, string> = {
  '1': '一类 (1)',
  '1p': '盘整一类 (1p)',
  '2': '二类 (2)',
  '2s': '类二 (2s)',
  '3a': '三类 (3a)',
  '3b': '三类 (3b)',
};
const STAGE_LABEL: Record<SignalMessage['stage'], string> = {
  provisional: '未确认 provisional (may still vanish)',
  confirmed: '已确认 confirmed',
  withdrawn: '已撤销 withdrawn (the point vanished)',
};
const LEVEL_LABEL: Record<SignalMessage['level'], string> = { stroke: '笔 stroke', segment: '线段 segment' };

/** Long reasons (CloudWatch lists every datapoint) are cut so every platform's size limit holds. */
const MAX_BODY_CHARS = 1200;
const clip = (s: string, n = MAX_BODY_CHARS) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function alarmCard(n: AlarmNotification): Card {
  const tone: Tone = n.state === 'OK' ? 'ok' : n.state === 'ALARM' ? n.tier : 'neutral';
  const fields: Card['fields'] = [
    ['Tier 级别', TIER_LABEL[n.tier]],
    ['State 状态', `${n.previousState ? `${n.previousState} → ` : ''}${n.state}`],
  ];
  if (n.condition) fields.push(['Condition 条件', n.condition]);
  if (n.dimensions) fields.push(['Dimensions', n.dimensions]);
  fields.push(['Time 时间', n.time]);
  if (n.region) fields.push(['Region', `${n.region}${n.account ? ` (${n.account})` : ''}`]);
  return {
    title: `${TONE_EMOJI[tone]} [${TIER_LABEL[n.tier]}] ${STATE_LABEL[n.state]}: ${n.name}`,
    tone,
    fields,
    body: clip([n.description, n.reason].filter(Boolean).join('\n\n')),
    link: n.consoleUrl ? { text: 'Open in CloudWatch 查看告警', url: n.consoleUrl } : undefined,
    footer: '缠论分析系统 v2.0.0 · CloudWatch',
  };
}

function signalCard(s: SignalMessage): Card {
  const side = s.side === 'buy' ? '买点 BUY' : '卖点 SELL';
  const tone: Tone = s.stage === 'withdrawn' ? 'neutral' : s.side;
  const types = s.types.map((t) => BSP_LABEL[t] ?? t).join(' + ');
  return {
    title: `${TONE_EMOJI[tone]} ${s.symbol} ${s.interval} ${side} ${types} · ${STAGE_LABEL[s.stage].split(' ')[0]}`,
    tone,
    fields: [
      ['Symbol 品种', `${s.symbol} (${s.interval})`],
      ['Point 买卖点', `${side} · ${types}`],
      ['Level 级别', LEVEL_LABEL[s.level]],
      ['Stage 状态', STAGE_LABEL[s.stage]],
      ['Bar time 时间', s.time],
      ['Price 价格', String(s.price)],
    ],
    link: s.chartUrl ? { text: 'Open chart 打开图表', url: s.chartUrl } : undefined,
    footer: `缠论分析系统 v2.0.0 · signal ${s.signalId}`,
  };
}

export function toCard(n: Notification): Card {
  if (n.kind === 'alarm') return alarmCard(n);
  if (n.kind === 'signal') return signalCard(n.signal);
  return {
    title: `${TONE_EMOJI[n.tier]} [${TIER_LABEL[n.tier]}] ${n.subject}`,
    tone: n.tier,
    fields: [],
    body: clip(n.text),
    footer: '缠论分析系统 v2.0.0',
  };
}

// ---------------------------------------------------------------------------------------------- signing

/** Feishu: HMAC-SHA256 keyed by "timestamp\nsecret" over an empty message, base64. Timestamp in seconds. */
export function feishuSign(timestampSec: number, secret: string): string {
  return createHmac('sha256', `${timestampSec}\n${secret}`).update('').digest('base64');
}

/** DingTalk: HMAC-SHA256 keyed by the secret over "timestamp\nsecret", base64 (URL-encoded by the caller). */
export function dingtalkSign(timestampMs: number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

// -------------------------------------------------------------------------------------------- renderers

const SLACK_COLOR: Record<Tone, string> = {
  critical: '#d62728',
  warning: '#ff7f0e',
  info: '#1f77b4',
  ok: '#2ca02c',
  buy: '#2ca02c',
  sell: '#d62728',
  neutral: '#7f7f7f',
};
const FEISHU_TEMPLATE: Record<Tone, string> = {
  critical: 'red',
  warning: 'orange',
  info: 'blue',
  ok: 'green',
  buy: 'green',
  sell: 'red',
  neutral: 'grey',
};

/** Slack mrkdwn treats &, < and > as control characters. */
const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function markdownLines(card: Card, bold: (s: string) => string): string[] {
  const lines = card.fields.map(([k, v]) => `${bold(k)}: ${v}`);
  if (card.body) lines.push('', card.body);
  return lines;
}

function renderSlack(card: Card): object {
  const fields = card.fields.map(([k, v]) => `*${slackEscape(k)}*: ${slackEscape(v)}`).join('\n');
  const blocks: object[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${slackEscape(card.title)}*` } },
    { type: 'section', text: { type: 'mrkdwn', text: fields || ' ' } },
  ];
  if (card.body)
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: '```' + slackEscape(card.body) + '```' } });
  if (card.link)
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `<${card.link.url}|${slackEscape(card.link.text)}>` },
    });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(card.footer) }] });
  // `text` is the notification/fallback text; the coloured attachment carries the blocks.
  return { text: card.title, attachments: [{ color: SLACK_COLOR[card.tone], blocks }] };
}

function renderFeishu(card: Card): object {
  const elements: object[] = [
    { tag: 'div', text: { tag: 'lark_md', content: markdownLines(card, (s) => `**${s}**`).join('\n') } },
  ];
  if (card.link) {
    elements.push({
      tag: 'action',
      actions: [
        { tag: 'button', text: { tag: 'plain_text', content: card.link.text }, url: card.link.url, type: 'primary' },
      ],
    });
  }
  elements.push({ tag: 'note', elements: [{ tag: 'plain_text', content: card.footer }] });
  return {
    msg_type: 'interactive',
    card: {
      config: { wide_screen_mode: true },
      header: { title: { tag: 'plain_text', content: card.title }, template: FEISHU_TEMPLATE[card.tone] },
      elements,
    },
  };
}

function markdownText(card: Card): string {
  const lines = [`### ${card.title}`, ...markdownLines(card, (s) => `**${s}**`)];
  if (card.link) lines.push('', `[${card.link.text}](${card.link.url})`);
  lines.push('', `> ${card.footer}`);
  return lines.join('\n\n').replace(/\n\n\n\n/g, '\n\n');
}

function renderDingtalk(card: Card): object {
  return { msgtype: 'markdown', markdown: { title: card.title, text: markdownText(card) } };
}

/** WeCom refuses markdown content over 4096 bytes (UTF-8); cut on a character boundary. */
export const WECOM_MAX_BYTES = 4096;
function truncateUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s, 'utf8') <= maxBytes) return s;
  const suffix = '…';
  let out = '';
  let bytes = Buffer.byteLength(suffix, 'utf8');
  for (const ch of s) {
    const b = Buffer.byteLength(ch, 'utf8');
    if (bytes + b > maxBytes) break;
    out += ch;
    bytes += b;
  }
  return out + suffix;
}

const WECOM_COLOR: Record<Tone, string> = {
  critical: 'warning',
  warning: 'warning',
  info: 'info',
  ok: 'info',
  buy: 'info',
  sell: 'warning',
  neutral: 'comment',
};

function renderWecom(card: Card): object {
  const lines = [
    `## <font color="${WECOM_COLOR[card.tone]}">${card.title}</font>`,
    ...markdownLines(card, (s) => `**${s}**`),
  ];
  if (card.link) lines.push(`[${card.link.text}](${card.link.url})`);
  lines.push(`> ${card.footer}`);
  return { msgtype: 'markdown', markdown: { content: truncateUtf8(lines.join('\n'), WECOM_MAX_BYTES) } };
}

/** Builds the HTTP request for one attempt. `nowMs` feeds the signature timestamps. */
export function renderRequest(webhook: WebhookConfig, notification: Notification, nowMs: number): WebhookRequest {
  const card = toCard(notification);
  const headers = { 'content-type': 'application/json; charset=utf-8' };
  switch (webhook.type) {
    case 'slack':
      return { url: webhook.url, headers, body: JSON.stringify(renderSlack(card)) };
    case 'feishu': {
      const payload: Record<string, unknown> = renderFeishu(card) as Record<string, unknown>;
      if (webhook.secret) {
        const timestamp = Math.floor(nowMs / 1000);
        Object.assign(payload, { timestamp: String(timestamp), sign: feishuSign(timestamp, webhook.secret) });
      }
      return { url: webhook.url, headers, body: JSON.stringify(payload) };
    }
    case 'dingtalk': {
      let url = webhook.url;
      if (webhook.secret) {
        const u = new URL(webhook.url);
        u.searchParams.set('timestamp', String(nowMs));
        u.searchParams.set('sign', dingtalkSign(nowMs, webhook.secret));
        url = u.toString();
      }
      return { url, headers, body: JSON.stringify(renderDingtalk(card)) };
    }
    case 'wecom':
      return { url: webhook.url, headers, body: JSON.stringify(renderWecom(card)) };
  }
}
