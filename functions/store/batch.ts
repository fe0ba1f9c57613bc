/**
 * BatchWriteItem in chunks of 25 (the service limit), retrying UnprocessedItems with exponential backoff and
 * full jitter, as AWS recommends: under throttling DynamoDB accepts part of a batch and hands back the rest.
 * dynalite never returns UnprocessedItems, so the retry path is tested with aws-sdk-client-mock.
 *
 * The calls in flight work on contiguous stretches of the requests, each its own: callers pass requests in key
 * order (K-lines sorted by time), so concurrent calls write to different partitions (months of an hourly upload)
 * instead of all queueing on one partition's write capacity.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type WriteRequest =
  { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

export interface BatchOptions {
  /** Attempts per chunk, the first one included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Chunks in flight at once (each is one BatchWriteItem call). */
  concurrency?: number;
  sleep?: (ms: number) => Promise<void>;
}

export const BATCH_SIZE = 25;

export class UnprocessedItemsError extends Error {
  override name = 'UnprocessedItemsError';
  constructor(readonly remaining: number) {
    super(`DynamoDB left ${remaining} write(s) unprocessed after all retries`);
  }
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function batchWriteAll(
  doc: DynamoDBDocumentClient,
  tableName: string,
  requests: WriteRequest[],
  opts: BatchOptions = {},
): Promise<{ calls: number; retries: number }> {
  const { maxAttempts = 8, baseDelayMs = 25, maxDelayMs = 2000, concurrency = 4, sleep = defaultSleep } = opts;
  const chunks: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += BATCH_SIZE) chunks.push(requests.slice(i, i + BATCH_SIZE));
  let calls = 0;
  let retries = 0;

  const writeChunk = async (chunk: WriteRequest[]) => {
    let pending = chunk;
    for (let attempt = 1; ; attempt++) {
      calls++;
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      const left = (out.UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
      if (left.length === 0) return;
      if (attempt >= maxAttempts) throw new UnprocessedItemsError(left.length);
      retries++;
      pending = left;
      const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.random() * cap);
    }
  };

  const lanes = Math.min(concurrency, chunks.length);
  const workers = Array.from({ length: lanes }, async (_, lane) => {
    const end = Math.floor(((lane + 1) * chunks.length) / lanes);
    for (let i = Math.floor((lane * chunks.length) / lanes); i < end; i++) await writeChunk(chunks[i]!);
  });
  await Promise.all(workers);
  return { calls, retries };
}
