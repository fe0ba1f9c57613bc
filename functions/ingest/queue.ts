/**
 * The process-wide ingest queue sender: SQS at INGEST_QUEUE_URL in Lambda; the local runtime and the tests
 * install their own stand-in with setQueueSender (no SQS exists locally). Kept apart from runtime.ts so that
 * API handlers (POST /symbols/{symbol}/backfill) get the queue without the worker's wiring.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { wiringConfig } from '../common/config.js';
import { misconfigured } from '../common/errors.js';
import { SqsQueueSender } from './adapters.js';
import type { QueueSender } from './ports.js';

let sender: QueueSender | undefined;

export function getQueueSender(): QueueSender {
  if (sender) return sender;
  const url = wiringConfig().ingestQueueUrl;
  if (!url)
    throw misconfigured(
      'INGEST_QUEUE_URL is not set: this deployment has no ingest queue to send to (the worker, dispatcher and backfill API need it)',
    );
  sender = new SqsQueueSender(new SQSClient({ maxAttempts: 3 }), url);
  return sender;
}

/** Tests and the local runtime inject their own queue (undefined: back to SQS on next use). */
export function setQueueSender(q: QueueSender | undefined): void {
  sender = q;
}
