/**
 * The SQS message bodies between the dispatcher (and the backfill entry points) and the worker.
 * - `sync`: bring (symbol, interval) up to date from its checkpoint; state lives in the checkpoint, so any
 *   number of copies of one message are harmless.
 * - `backfill`: do the next chunk of a backfill job; `seq` names the chunk, so a copy of an already-done chunk
 *   is recognised and dropped.
 */
import * as z from '../common/zod.js';
import { INGEST_INTERVALS } from './intervals.js';
import { ProviderSpecSchema } from './providers/index.js';

/**
 * Tries per message before it goes to the dead-letter queue (the SQS redrive policy's maxReceiveCount; the local
 * queue uses the same). A backfill chunk that fails this often ends its job FAILED.
 */
export const MAX_RECEIVE_COUNT = 5;

/** The source of a sync: derived from the provider registry. */
export { ProviderSpecSchema };

export const SyncMessageSchema = z.object({
  kind: z.literal('sync'),
  symbol: z.string().check(z.minLength(1)),
  interval: z.enum(INGEST_INTERVALS),
  source: ProviderSpecSchema,
  providerSymbol: z.optional(z.string()),
  historyFrom: z.optional(z.number().check(z.int())),
  /** Set on messages a worker queued to continue its own run. */
  continuation: z.optional(z.boolean()),
});

export const BackfillMessageSchema = z.object({
  kind: z.literal('backfill'),
  jobId: z.string().check(z.minLength(1)),
  seq: z.number().check(z.int(), z.gte(0)),
});

export const IngestMessageSchema = z.discriminatedUnion('kind', [SyncMessageSchema, BackfillMessageSchema]);

export type SyncMessage = z.infer<typeof SyncMessageSchema>;
export type BackfillMessage = z.infer<typeof BackfillMessageSchema>;
export type IngestMessage = z.infer<typeof IngestMessageSchema>;
