/**
 * The local runtime's ingest queue: there is no SQS (and no event source mapping) on this machine, so messages
 * sent to the ingest queue (a backfill's chunks from POST /api/v1/symbols/{symbol}/backfill, the worker's own
 * continuations) are processed in this process, in order, by the real worker code — what local/backfill.ts does
 * for the CLI. Failed messages are retried with a growing delay, then kept in `deadLetters` (the DLQ's role).
 * DelaySeconds is honoured (capped, so a local backoff never parks a chunk for 15 minutes).
 *
 * Retry budget: MAX_RECEIVE_COUNT (5) tries, 1, 2, 3 and 4 s apart — a chunk whose provider keeps failing
 * ends its backfill job FAILED about 10 s (plus the provider calls' own timeouts) after its first try.
 */
import { MAX_RECEIVE_COUNT, type IngestMessage } from '../functions/ingest/messages.js';
import type { QueueSender } from '../functions/ingest/ports.js';

export interface LocalIngestQueueOptions {
  /** Runs one message (the worker's processMessage with its deps). */
  process(message: IngestMessage): Promise<unknown>;
  /** Tries per message before it goes to deadLetters (SQS maxReceiveCount). Default MAX_RECEIVE_COUNT. */
  maxAttempts?: number;
  /** Delay before the n-th retry: n × this. Default 1 s. */
  retryDelayMs?: number;
  /** Cap on DelaySeconds and retry delays. Default 5 s. */
  maxDelayMs?: number;
  /** Every failed try; `final` when the message goes to deadLetters now. Awaited before the next message. */
  onError?(message: IngestMessage, error: unknown, attempt: number, final: boolean): void | Promise<void>;
}

interface Pending {
  message: IngestMessage;
  attempts: number;
  notBefore: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

export class LocalIngestQueue implements QueueSender {
  readonly deadLetters: IngestMessage[] = [];
  processed = 0;
  private readonly pending: Pending[] = [];
  private running: Promise<void> | undefined;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly opts: LocalIngestQueueOptions) {}

  async send(messages: readonly IngestMessage[], delaySeconds = 0): Promise<void> {
    const delay = Math.min(delaySeconds * 1000, this.opts.maxDelayMs ?? 5_000);
    for (const message of messages) this.pending.push({ message, attempts: 0, notBefore: Date.now() + delay });
    this.kick();
  }

  /** Messages waiting or in progress. */
  get depth(): number {
    return this.pending.length + (this.running ? 1 : 0);
  }

  /** Resolves when every message sent so far (and every message they led to) has been processed. */
  idle(): Promise<void> {
    if (!this.running && this.pending.length === 0) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  private kick(): void {
    if (this.running) return;
    // Started on the next turn: the sender (an API request) answers before the first chunk runs, as with SQS.
    this.running = sleep(0)
      .then(() => this.loop())
      .finally(() => {
        this.running = undefined;
        if (this.pending.length) this.kick();
        else for (const w of this.waiters.splice(0)) w();
      });
  }

  private async loop(): Promise<void> {
    while (this.pending.length) {
      const now = Date.now();
      const i = this.pending.findIndex((p) => p.notBefore <= now);
      if (i < 0) {
        await sleep(Math.max(1, Math.min(...this.pending.map((p) => p.notBefore)) - now));
        continue;
      }
      const [p] = this.pending.splice(i, 1);
      p!.attempts++;
      try {
        await this.opts.process(p!.message);
        this.processed++;
      } catch (e) {
        const final = p!.attempts >= (this.opts.maxAttempts ?? MAX_RECEIVE_COUNT);
        try {
          await this.opts.onError?.(p!.message, e, p!.attempts, final);
        } catch (re) {
          console.error(`[local] could not record an ingest failure: ${(re as Error).message}`);
        }
        if (final) this.deadLetters.push(p!.message);
        else {
          const delay = Math.min(p!.attempts * (this.opts.retryDelayMs ?? 1_000), this.opts.maxDelayMs ?? 5_000);
          this.pending.push({ ...p!, notBefore: Date.now() + delay });
        }
      }
    }
  }
}

const printFailure =
  (tries: number) =>
  (m: IngestMessage, e: unknown, n: number, final: boolean): void => {
    const what = m.kind === 'sync' ? `sync ${m.symbol} ${m.interval}` : `backfill ${m.jobId} chunk ${m.seq}`;
    console.error(
      `[ingest] ${what} failed (try ${n} of ${tries}${final ? ', giving up' : ''}): ${(e as Error).message}`,
    );
  };

/**
 * Installs a LocalIngestQueue as the process's ingest queue (functions/ingest/queue.ts), processing messages with
 * the real worker (built on first use, from the same environment the handlers use).
 */
export async function installLocalIngestQueue(
  opts: Partial<Omit<LocalIngestQueueOptions, 'process'>> = {},
): Promise<LocalIngestQueue> {
  const [{ setQueueSender }, runtime, { processMessage, recordFailedTry }] = await Promise.all([
    import('../functions/ingest/queue.js'),
    import('../functions/ingest/runtime.js'),
    import('../functions/ingest/worker.js'),
  ]);
  let deps: ReturnType<typeof runtime.buildWorkerDeps> | undefined;
  const workerDeps = () => (deps ??= runtime.buildWorkerDeps());
  // `onError` here only replaces the console line: recording the failure on the job or checkpoint always happens.
  const { onError: report = printFailure(opts.maxAttempts ?? MAX_RECEIVE_COUNT), ...rest } = opts;
  const queue = new LocalIngestQueue({
    ...rest,
    onError: async (m, e, n, final) => {
      await report(m, e, n, final);
      await recordFailedTry(m, e, workerDeps(), final);
    },
    process: async (m) => processMessage(m, workerDeps()),
  });
  setQueueSender(queue);
  return queue;
}
