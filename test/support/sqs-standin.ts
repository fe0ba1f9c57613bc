/**
 * An in-process stand-in for an SQS standard queue with a redrive policy, as the Lambda event source mapping
 * uses it: at-least-once delivery, visibility timeout, ApproximateReceiveCount, DelaySeconds, a DLQ after
 * maxReceiveCount receives, and ReportBatchItemFailures (only the listed messages stay; the others are
 * deleted). A handler that throws or never returns (a crash) leaves its whole batch to reappear after the
 * visibility timeout. Events have the exact shape Lambda delivers (aws-lambda SQSEvent).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { IngestMessage } from '../../functions/ingest/messages.js';
import type { QueueSender } from '../../functions/ingest/ports.js';

interface Stored {
  messageId: string;
  body: string;
  receiveCount: number;
  visibleAt: number;
  sentAt: number;
  firstReceiveAt?: number;
}

export interface QueueOptions {
  clock: { now: number };
  maxReceiveCount?: number;
  visibilityTimeoutMs?: number;
  arn?: string;
}

export class InProcessQueue implements QueueSender {
  readonly messages: Stored[] = [];
  readonly dlq: Stored[] = [];
  sent = 0;
  readonly maxReceiveCount: number;
  readonly visibilityTimeoutMs: number;
  readonly arn: string;

  constructor(private readonly opts: QueueOptions) {
    this.maxReceiveCount = opts.maxReceiveCount ?? 5;
    this.visibilityTimeoutMs = opts.visibilityTimeoutMs ?? 6 * 60_000;
    this.arn = opts.arn ?? 'arn:aws:sqs:us-east-1:123456789012:chan-ingest';
  }

  private get now() {
    return this.opts.clock.now;
  }

  async send(messages: readonly IngestMessage[], delaySeconds = 0): Promise<void> {
    for (const m of messages) {
      this.sent++;
      this.messages.push({
        messageId: randomUUID(),
        body: JSON.stringify(m),
        receiveCount: 0,
        visibleAt: this.now + delaySeconds * 1000,
        sentAt: this.now,
      });
    }
  }

  /** Bodies waiting (visible or not). */
  get depth(): number {
    return this.messages.length;
  }

  /** The next batch Lambda would get, or undefined when nothing is visible. Moves over-received messages to the DLQ. */
  receive(batchSize = 10): SQSEvent | undefined {
    const records: SQSRecord[] = [];
    for (const m of [...this.messages]) {
      if (records.length >= batchSize) break;
      if (m.visibleAt > this.now) continue;
      if (m.receiveCount >= this.maxReceiveCount) {
        this.messages.splice(this.messages.indexOf(m), 1);
        this.dlq.push(m);
        continue;
      }
      m.receiveCount++;
      m.firstReceiveAt ??= this.now;
      m.visibleAt = this.now + this.visibilityTimeoutMs;
      records.push(this.record(m));
    }
    return records.length ? { Records: records } : undefined;
  }

  /** Delivers a copy of an in-flight message again (at-least-once: the same messageId, another receipt). */
  duplicate(record: SQSRecord): SQSRecord {
    const m = this.messages.find((x) => x.messageId === record.messageId);
    if (!m) throw new Error('not in the queue');
    m.receiveCount++;
    return this.record(m);
  }

  private record(m: Stored): SQSRecord {
    return {
      messageId: m.messageId,
      receiptHandle: `${m.messageId}#${m.receiveCount}#${randomUUID()}`,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        SenderId: 'AIDAEXAMPLE',
        ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt ?? this.now),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(m.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: this.arn,
      awsRegion: 'us-east-1',
    };
  }

  /** Lambda's handling of a successful invocation's response: delete all but the reported failures. */
  complete(event: SQSEvent, response: SQSBatchResponse | void): void {
    const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    for (const r of event.Records) {
      if (failed.has(r.messageId)) continue;
      const i = this.messages.findIndex((m) => m.messageId === r.messageId);
      if (i >= 0) this.messages.splice(i, 1);
    }
  }

  /** Time until the next message becomes visible (Infinity when empty). */
  nextVisibleIn(): number {
    return this.messages.reduce((min, m) => Math.min(min, m.visibleAt - this.now), Infinity);
  }
}

export interface DrainOptions {
  batchSize?: number;
  maxInvocations?: number;
  /** Called before each invocation; return 'crash' to make this invocation die without a response. */
  beforeInvoke?: (event: SQSEvent, n: number) => void | 'crash';
}

/**
 * Runs the handler over the queue until it is empty, as the event source mapping would, moving the clock
 * forward to the next visible message when everything is in flight or delayed.
 */
export async function drain(
  queue: InProcessQueue,
  clock: { now: number },
  handler: (event: SQSEvent) => Promise<SQSBatchResponse | void>,
  opts: DrainOptions = {},
): Promise<{ invocations: number; crashes: number }> {
  let invocations = 0;
  let crashes = 0;
  const max = opts.maxInvocations ?? 10_000;
  while (queue.depth > 0) {
    if (invocations >= max) throw new Error(`queue not drained after ${max} invocations (${queue.depth} left)`);
    const event = queue.receive(opts.batchSize ?? 10);
    if (!event) {
      const wait = queue.nextVisibleIn();
      if (!Number.isFinite(wait)) break;
      clock.now += Math.max(wait, 1);
      continue;
    }
    invocations++;
    if (opts.beforeInvoke?.(event, invocations) === 'crash') {
      crashes++;
      continue; // the batch stays in flight and reappears after the visibility timeout
    }
    let response: SQSBatchResponse | void;
    try {
      response = await handler(event);
    } catch {
      crashes++;
      continue;
    }
    queue.complete(event, response);
  }
  return { invocations, crashes };
}
