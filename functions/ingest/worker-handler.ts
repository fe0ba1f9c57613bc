/**
 * Worker Lambda: SQS batch → one ingestion run per message; failed messages are reported individually
 * (ReportBatchItemFailures), so one bad series never makes the queue redeliver the others.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { IngestMessageSchema } from './messages.js';
import { buildWorkerDeps } from './runtime.js';
import { processMessage, type WorkerDeps } from './worker.js';

export async function handleBatch(event: SQSEvent, deps: WorkerDeps): Promise<SQSBatchResponse> {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const msg = IngestMessageSchema.parse(JSON.parse(record.body));
      const outcome = await processMessage(msg, deps);
      deps.logger?.info('ingest message done', { messageId: record.messageId, kind: msg.kind, ...outcome });
    } catch (e) {
      deps.logger?.error('ingest message failed', {
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        error: (e as Error).message,
      });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}

let deps: WorkerDeps | undefined;

export const handler = async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
  deps ??= buildWorkerDeps();
  return handleBatch(event, { ...deps, remainingMs: context ? () => context.getRemainingTimeInMillis() : undefined });
};
