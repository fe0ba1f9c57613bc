/**
 * The local signal topic: the webhook list comes from WEBHOOKS_FILE / WEBHOOKS in the deployed secret's format
 * (validated at start-up), alerts print as one readable line, and a webhook that keeps failing is reported after
 * the notifier's retries and Lambda's two asynchronous retries.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SignalMessage } from '../../functions/alerts/signal-message.js';
import { localWebhooks, LocalSignalTopic } from '../../local/signal-topic.js';
import { startFakePlatforms } from '../notifier/fake-platforms.js';

const dir = mkdtempSync(join(tmpdir(), 'chan-webhooks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const signal: SignalMessage = {
  kind: 'chan.signal',
  version: 1,
  symbol: 'BTCUSDT',
  interval: '1h',
  level: 'stroke',
  stage: 'confirmed',
  side: 'buy',
  types: ['2'],
  signalId: 'bsp-stroke-42',
  time: '2026-12-05T07:00:00Z',
  ts: Date.parse('2026-12-05T07:00:00Z'),
  price: 97123.5,
  chartUrl: 'http://127.0.0.1:3000/?symbol=BTCUSDT&interval=1h&focus=1796454000000',
  detectedAt: '2026-12-05T08:00:01Z',
};

describe('local signal topic', () => {
  it('reads WEBHOOKS_FILE in the secret format, and names the problem of a bad or missing file', async () => {
    const good = join(dir, 'good.json');
    writeFileSync(
      good,
      JSON.stringify([
        { name: 'me', type: 'slack', url: 'https://hooks.slack.com/services/T/B/x', signals: true },
        { name: 'ops', type: 'feishu', url: 'https://open.feishu.cn/open-apis/bot/v2/hook/x', secret: 's' },
      ]),
    );
    expect(await localWebhooks({ WEBHOOKS_FILE: good })).toMatchObject({
      source: `WEBHOOKS_FILE (${good})`,
      names: ['me (slack)', 'ops (feishu, alarms only)'],
    });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ name: 'me', type: 'slack', url: 'http://example.com/hook' }]));
    await expect(localWebhooks({ WEBHOOKS_FILE: bad })).rejects.toMatchObject({
      name: 'WebhookConfigError',
      message: expect.stringMatching(/WEBHOOKS_FILE .* is invalid:\n {2}- 0\.url: webhook url must be https/),
    });
    await expect(localWebhooks({ WEBHOOKS_FILE: join(dir, 'nope.json') })).rejects.toThrow(/cannot be read: ENOENT/);
    expect(await localWebhooks({})).toBeUndefined();
  });

  it('with no webhook, an alert is one readable line on the console', async () => {
    const lines: string[] = [];
    const topic = new LocalSignalTopic({ print: (l) => lines.push(l) });
    expect(await topic.publish(signal)).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines).toEqual([
      `[alert] 🟢 BTCUSDT 1h 买点 BUY 二类 (2) · 已确认 · bar 2026-12-05T07:00:00Z @ 97123.5 · ${signal.chartUrl}`,
    ]);
  });

  it('a webhook that keeps failing: tried 3 times (Lambda async retries), then reported on the console', async () => {
    const platforms = await startFakePlatforms();
    try {
      platforms.script(
        'slack',
        'down',
        Array.from({ length: 100 }, () => ({ kind: 'status', status: 400 }) as const),
      );
      const lines: string[] = [];
      const topic = new LocalSignalTopic({
        webhooks: JSON.stringify([{ name: 'down', type: 'slack', url: platforms.url('slack', 'down'), signals: true }]),
        print: (l) => lines.push(l),
      });
      await topic.publish(signal);
      await topic.idle();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^\[alert\] .* → NOT delivered after 3 tries: webhook delivery failed: down/);
      // A 400 is permanent for the notifier (no retry inside), so each of the 3 invocations posted once.
      expect(platforms.received.filter((r) => r.path === '/slack/down')).toHaveLength(3);
    } finally {
      await platforms.close();
    }
  });
});
