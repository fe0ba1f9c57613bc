/**
 * Worker Lambda: SQS batch → one ingestion run per message; failed messages are reported individually
 * (ReportBatchItemFailures), so one bad series never makes the queue redeliver the others.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { IngestMessageSchema, MAX_RECEIVE_COUNT, type IngestMessage } from './messages.js';
import { buildWorkerDeps } from './runtime.js';
import { processMessage, recordFailedTry, type WorkerDeps } from './worker.js';

export async function handleBatch(event: SQSEvent, deps: WorkerDeps): Promise<SQSBatchResponse> {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    let msg: IngestMessage | undefined;
    try {
      msg = IngestMessageSchema.parse(JSON.parse(record.body));
      const outcome = await processMessage(msg, deps);
      deps.logger?.info('ingest message done', { messageId: record.messageId, kind: msg.kind, ...outcome });
    } catch (e) {
      deps.logger?.error('ingest message failed', {
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        error: (e as Error).message,
      });
      failures.push({ itemIdentifier: record.messageId });
      // This receive was the last before the DLQ: the failure ends the backfill job it belongs to.
      const final = Number(record.attributes?.ApproximateReceiveCount ?? 0) >= MAX_RECEIVE_COUNT;
      if (msg)
        await recordFailedTry(msg, e, deps, final).catch((re: unknown) =>
          deps.logger?.error('could not record the failure', { messageId: record.messageId, error: failureText(re) }),
        );
    }
  }
  return { batchItemFailures: failures };
}

const failureText = (e: unknown) => (e instanceof Error ? e.message : String(e));

let deps: WorkerDeps | undefined;

export const handler = async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
  deps ??= buildWorkerDeps();
  return handleBatch(event, { ...deps, remainingMs: context ? () => context.getRemainingTimeInMillis() : undefined });
};
