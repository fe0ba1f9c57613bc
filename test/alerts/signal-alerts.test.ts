/**
 * Buy/sell point alerts on dynalite (real conditional writes for the de-duplication) with the real SNS client
 * stubbed at the transport by aws-sdk-client-mock (SNS has no local stand-in): each new point is published once,
 * across retries and concurrent runs; provisional → confirmed → once more; a vanished provisional point → one
 * withdrawal; preferences filter; a failed publish is retried, never lost.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { ResultSignal } from 'chan-analysis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  alertCandidates,
  dedupeKey,
  publishSignalAlerts,
  SignalAlertPrefsSchema,
  snsSignalPublisher,
  type SignalAlertDeps,
  type SignalAlertInput,
  type SignalSnapshot,
} from '../../functions/alerts/signal-alerts.js';
import { SignalMessageSchema } from '../../functions/alerts/signal-message.js';
import { AlertDedupeRepository } from '../../functions/store/alert-dedupe.js';
import { TABLE_KEYS } from '../../functions/store/table.js';
import { createDocClient } from '../../functions/store/client.js';
import { startTestTable, type TestTable } from '../support/dynalite.js';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 1);
const TOPIC = 'arn:aws:sns:eu-central-1:111122223333:chan-signals';

function sig(
  id: string,
  barIdx: number,
  side: 'buy' | 'sell',
  types: ResultSignal['types'],
  confirmed: boolean,
): ResultSignal {
  const ts = T0 + barIdx * HOUR;
  return {
    id,
    time: new Date(ts).toISOString().replace('.000Z', 'Z'),
    ts,
    side,
    types,
    confirmed,
    lineIdx: barIdx,
    price: 100 + barIdx,
    features: {},
  };
}
const snap = (strokeSignals: ResultSignal[], segmentSignals: ResultSignal[] = []): SignalSnapshot => ({
  strokeSignals,
  segmentSignals,
});

const allOn = SignalAlertPrefsSchema.parse({ enabled: true });

let table: TestTable & { doc: ReturnType<typeof createDocClient> };
const sns = mockClient(SNSClient);
let seq = 0;
let symbolSeq = 0;
let symbol: string;

function deps(over: Partial<SignalAlertDeps> = {}): SignalAlertDeps {
  return {
    dedupe: new AlertDedupeRepository(table.doc, table.tableName),
    publisher: snsSignalPublisher(new SNSClient({ region: 'eu-central-1' }), TOPIC),
    chartBaseUrl: 'https://chart.example.com/',
    ...over,
  };
}

function input(
  prev: SignalSnapshot | null,
  next: SignalSnapshot,
  over: Partial<SignalAlertInput> = {},
): SignalAlertInput {
  return { symbol, interval: '1h', prev, next, lastBarTs: T0 + 200 * HOUR, intervalMs: HOUR, prefs: allOn, ...over };
}

const published = () => sns.commandCalls(PublishCommand).map((c) => JSON.parse(c.args[0].input.Message!));

beforeAll(async () => {
  const t = await startTestTable();
  table = { ...t, doc: createDocClient({ endpoint: t.endpoint }) };
});
afterAll(async () => {
  await table.close();
});
beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).callsFake(async () => ({ MessageId: `sns-${++seq}` }));
  symbol = `SYM${++symbolSeq}`; // a fresh series per test: dedupe items never leak between tests
});

describe('publish once', () => {
  it('publishes a new provisional point with its chart link, SNS attributes and a dedupe item', async () => {
    const prev = snap([sig('s1', 150, 'sell', ['1'], true)]);
    const next = snap([sig('s1', 150, 'sell', ['1'], true), sig('s2', 190, 'buy', ['2', '3b'], false)]);
    const r = await publishSignalAlerts(input(prev, next), deps());
    expect(r.duplicates).toBe(0);
    expect(r.published.map((m) => [m.signalId, m.stage, m.side, m.types])).toEqual([
      ['s2', 'provisional', 'buy', ['2', '3b']],
    ]);

    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const cmd = calls[0].args[0].input;
    expect(cmd.TopicArn).toBe(TOPIC);
    expect(cmd.Subject).toBe(`BUY 2+3b ${symbol} 1h stroke (provisional)`);
    expect(cmd.MessageAttributes?.stage).toEqual({ DataType: 'String', StringValue: 'provisional' });
    expect(cmd.MessageAttributes?.types).toEqual({ DataType: 'String.Array', StringValue: '["2","3b"]' });
    // The message is exactly what the notifier accepts.
    const msg = SignalMessageSchema.parse(JSON.parse(cmd.Message!));
    expect(msg.chartUrl).toBe(`https://chart.example.com/?symbol=${symbol}&interval=1h&focus=${T0 + 190 * HOUR}`);
    expect(msg.price).toBe(290);

    const item = await table.doc.send(
      new GetCommand({ TableName: table.tableName, Key: dedupeKey(symbol, '1h', 'stroke', 's2', 'provisional') }),
    );
    expect(item.Item).toMatchObject({ status: 'sent', messageId: `sns-${seq}` });
    expect(item.Item!.leaseUntil).toBeUndefined();
    // TTL in epoch seconds, ~180 days out.
    expect(item.Item![TABLE_KEYS.ttlAttribute]).toBeGreaterThan(Date.now() / 1000 + 179 * 86_400);
  });

  it('a retry of the same update publishes nothing again', async () => {
    const prev = snap([]);
    const next = snap([sig('a', 195, 'buy', ['1'], false)]);
    await publishSignalAlerts(input(prev, next), deps());
    const again = await publishSignalAlerts(input(prev, next), deps());
    const third = await publishSignalAlerts(input(prev, next), deps());
    expect(again).toEqual({ published: [], duplicates: 1 });
    expect(third).toEqual({ published: [], duplicates: 1 });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('concurrent copies of one update publish exactly once', async () => {
    const prev = snap([]);
    const next = snap([sig('c', 195, 'sell', ['2'], false)], [sig('cs', 180, 'sell', ['1'], true)]);
    const results = await Promise.all(Array.from({ length: 5 }, () => publishSignalAlerts(input(prev, next), deps())));
    expect(results.reduce((n, r) => n + r.published.length, 0)).toBe(2);
    expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(8);
    expect(
      published()
        .map((m) => `${m.level}:${m.signalId}:${m.stage}`)
        .sort(),
    ).toEqual(['segment:cs:confirmed', 'stroke:c:provisional']);
  });

  it('provisional → confirmed publishes once more; confirmed stays quiet afterwards', async () => {
    const v1 = snap([]);
    const v2 = snap([sig('p', 195, 'buy', ['2'], false)]);
    const v3 = snap([sig('p', 195, 'buy', ['2'], true)]);
    await publishSignalAlerts(input(v1, v2), deps());
    await publishSignalAlerts(input(v2, v3), deps());
    await publishSignalAlerts(input(v2, v3), deps()); // retry of the confirming update
    await publishSignalAlerts(input(v3, v3), deps()); // later updates
    expect(published().map((m) => m.stage)).toEqual(['provisional', 'confirmed']);
  });

  it('a point that appears already confirmed is published once, as confirmed', async () => {
    await publishSignalAlerts(input(snap([]), snap([sig('k', 199, 'sell', ['3a'], true)])), deps());
    expect(published().map((m) => [m.signalId, m.stage])).toEqual([['k', 'confirmed']]);
  });

  it('a provisional point that vanishes is withdrawn once; one never alerted is not', async () => {
    const v1 = snap([]);
    const v2 = snap([sig('w', 195, 'buy', ['1'], false)]);
    const gone = snap([sig('other', 198, 'sell', ['2'], false)]);
    await publishSignalAlerts(input(v1, v2), deps());
    await publishSignalAlerts(input(v2, gone), deps());
    await publishSignalAlerts(input(v2, gone), deps());
    expect(published().map((m) => `${m.signalId}:${m.stage}`)).toEqual([
      'w:provisional',
      'w:withdrawn',
      'other:provisional',
    ]);

    // Same vanishing, but the provisional alert never went out (prefs said confirmed only).
    sns.resetHistory();
    symbol = `${symbol}-B`;
    const confirmedOnly = SignalAlertPrefsSchema.parse({ enabled: true, provisional: false });
    await publishSignalAlerts(input(v1, v2, { prefs: confirmedOnly }), deps());
    await publishSignalAlerts(input(v2, gone, { prefs: allOn }), deps());
    expect(published().map((m) => `${m.signalId}:${m.stage}`)).toEqual(['other:provisional']);
  });
});

describe('baseline and preferences', () => {
  it('the first analysis of a series (no previous one) alerts nothing', async () => {
    const r = await publishSignalAlerts(
      input(null, snap([sig('h1', 10, 'buy', ['1'], true), sig('h2', 199, 'sell', ['2'], false)])),
      deps(),
    );
    expect(r.published).toEqual([]);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    const items = await table.doc.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `ALERT#${symbol}#1h` },
      }),
    );
    expect(items.Items).toEqual([]);
  });

  it('points older than the stored baseline or the freshness window are history, not news', () => {
    const prev = snap([sig('b1', 120, 'buy', ['1'], true), sig('b2', 150, 'sell', ['1'], true)]); // summary kept only these
    const next = snap([
      sig('old', 60, 'buy', ['2'], true), // before the baseline's oldest kept point
      sig('b1', 120, 'buy', ['1'], true),
      sig('b2', 150, 'sell', ['1'], true),
      sig('new', 190, 'buy', ['2'], true),
    ]);
    expect(alertCandidates(input(prev, next)).map((c) => c.signal.id)).toEqual(['new']);
    // Freshness: with 20 bars of freshness, 190 is 10 bars old (kept) and 150 would not be.
    expect(alertCandidates(input(snap([]), next, { freshnessBars: 20 })).map((c) => c.signal.id)).toEqual(['new']);
  });

  it('honours enabled, types, levels, sides and intervals', () => {
    const prev = snap([], []);
    const next = snap(
      [sig('st2', 190, 'buy', ['2'], false), sig('st3', 191, 'sell', ['3b'], true)],
      [sig('sg1', 192, 'buy', ['1', '2'], true)],
    );
    const ids = (prefs: unknown, over: Partial<SignalAlertInput> = {}) =>
      alertCandidates(input(prev, next, { prefs: SignalAlertPrefsSchema.parse(prefs), ...over })).map(
        (c) => `${c.level}:${c.signal.id}:${c.stage}`,
      );

    expect(ids({})).toEqual([]); // opt-in: not enabled by default
    expect(ids({ enabled: true })).toEqual(['stroke:st2:provisional', 'stroke:st3:confirmed', 'segment:sg1:confirmed']);
    expect(ids({ enabled: true, types: ['1'] })).toEqual(['segment:sg1:confirmed']); // any of the point's types
    expect(ids({ enabled: true, levels: ['stroke'] })).toEqual(['stroke:st2:provisional', 'stroke:st3:confirmed']);
    expect(ids({ enabled: true, sides: ['sell'] })).toEqual(['stroke:st3:confirmed']);
    expect(ids({ enabled: true, provisional: false })).toEqual(['stroke:st3:confirmed', 'segment:sg1:confirmed']);
    expect(ids({ enabled: true, intervals: ['1d'] })).toEqual([]);
    expect(ids({ enabled: true, intervals: ['1d', '1h'] })).toHaveLength(3);
    expect(() => SignalAlertPrefsSchema.parse({ enabled: true, types: ['4'] })).toThrow();
    expect(() => SignalAlertPrefsSchema.parse({ enabled: true, levels: [] })).toThrow();
  });

  it('passes per-symbol channels through to the message', async () => {
    const prefs = SignalAlertPrefsSchema.parse({ enabled: true, channels: ['feishu-trading'] });
    await publishSignalAlerts(input(snap([]), snap([sig('ch', 199, 'buy', ['1'], true)]), { prefs }), deps());
    expect(published()[0].channels).toEqual(['feishu-trading']);
  });
});

describe('failures are retried, not lost', () => {
  it('a failed publish propagates, releases the claim, and the retry publishes exactly once', async () => {
    sns
      .on(PublishCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' }))
      .callsFake(async () => ({ MessageId: `sns-${++seq}` }));
    const prev = snap([]);
    const next = snap([sig('f', 199, 'buy', ['2s'], false)]);
    await expect(publishSignalAlerts(input(prev, next), deps())).rejects.toThrow('Rate exceeded');
    const claim = await table.doc.send(
      new GetCommand({ TableName: table.tableName, Key: dedupeKey(symbol, '1h', 'stroke', 'f', 'provisional') }),
    );
    expect(claim.Item).toMatchObject({ status: 'pending', leaseUntil: 0 });

    const retry = await publishSignalAlerts(input(prev, next), deps());
    expect(retry.published).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2); // the failed call and the successful one
    await publishSignalAlerts(input(prev, next), deps());
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
  });

  it('a claim held by a live run is respected; one whose run died (lease expired) is taken over', async () => {
    const prev = snap([]);
    const next = snap([sig('z', 199, 'sell', ['1'], false)]);
    const key = dedupeKey(symbol, '1h', 'stroke', 'z', 'provisional');
    const now = Date.now();
    await table.doc.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { ...key, status: 'pending', leaseUntil: now + 30_000, claimedAt: now },
      }),
    );
    expect(await publishSignalAlerts(input(prev, next), deps())).toEqual({ published: [], duplicates: 1 });

    // 60 s later the other run has neither finished nor renewed: it crashed after claiming.
    const later = await publishSignalAlerts(input(prev, next), deps({ now: () => now + 60_000 }));
    expect(later.published.map((m) => m.signalId)).toEqual(['z']);
    const item = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: key }));
    expect(item.Item!.status).toBe('sent');
  });
});
