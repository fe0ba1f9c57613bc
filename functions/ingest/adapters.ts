/**
 * Binds the remaining ingestion ports to the K-line store and the cache-invalidating SeriesService
 * (functions/common/series.ts), the tracked symbols and SQS. Checkpoints and backfill jobs are the store's own
 * repositories (functions/store/checkpoints.ts, jobs.ts), which implement their ports directly.
 */
import { adjustmentsKey, type ResilientCache } from '../cache/index.js';
import type { AdjustmentRepository, FactorPoint } from '../store/adjustments.js';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { StoredBar } from '../common/domain.js';
import type { KlineStore } from '../store/kline-store.js';
import type { SymbolRepository } from '../store/repositories.js';
import type { IngestBar } from './bar.js';
import { isIngestInterval, type IngestInterval } from './intervals.js';
import type { IngestMessage } from './messages.js';
import type { AdjustmentSink, BarWriter, QueueSender, TrackedSeries, TrackedSymbolsSource } from './ports.js';
import { isIngestible } from './providers/index.js';

const toStored = (b: IngestBar): StoredBar => ({
  ts: b.time,
  open: b.open,
  high: b.high,
  low: b.low,
  close: b.close,
  volume: b.volume,
});
const fromStored = (b: StoredBar): IngestBar => ({
  time: b.ts,
  open: b.open,
  high: b.high,
  low: b.low,
  close: b.close,
  volume: b.volume ?? 0,
});

/** Anything with the store's upsert (KlineStore itself, or SeriesService which also invalidates the cache). */
export interface Upserter {
  upsert(symbol: string, interval: IngestInterval, bars: StoredBar[]): Promise<unknown>;
}

export class StoreBarWriter implements BarWriter {
  constructor(
    private readonly writer: Upserter,
    private readonly reader: KlineStore,
  ) {}
  async putBars(symbol: string, interval: IngestInterval, bars: readonly IngestBar[]) {
    if (bars.length === 0) return { requests: 0 };
    await this.writer.upsert(symbol, interval, bars.map(toStored));
    return { requests: Math.ceil(bars.length / 25) };
  }
  async getBars(symbol: string, interval: IngestInterval, from: number, to: number) {
    if (to < from) return [];
    return (await this.reader.readRange(symbol, interval, { from, to })).map(fromStored);
  }
}

// -------------------------------------------------------------------------------------------- tracked symbols

export class RepoTrackedSymbols implements TrackedSymbolsSource {
  constructor(private readonly repo: Pick<SymbolRepository, 'list'>) {}
  async listTracked(): Promise<TrackedSeries[]> {
    const all = await this.repo.list();
    const out: TrackedSeries[] = [];
    for (const s of all as Array<
      (typeof all)[number] & { sourceUrl?: string; sourceLabel?: 'start' | 'end'; historyFrom?: number }
    >) {
      if (!s.active || !isIngestible(s.provider)) continue; // e.g. provider "upload": bars arrive through the API
      out.push({
        symbol: s.symbol,
        intervals: s.intervals.filter(isIngestInterval),
        source: {
          provider: s.provider,
          sourceUrl: s.sourceUrl,
          sourceLabel: s.sourceLabel,
        },
        providerSymbol: s.providerSymbol && s.providerSymbol !== s.symbol ? s.providerSymbol : undefined,
        historyFrom: s.historyFrom,
      });
    }
    return out;
  }
}

// ------------------------------------------------------------------------------------------------------ queue

export class SqsQueueSender implements QueueSender {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}
  async send(messages: readonly IngestMessage[], delaySeconds?: number): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const batch = messages.slice(i, i + 10);
      const r = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((m, j) => ({
            Id: String(j),
            MessageBody: JSON.stringify(m),
            ...(delaySeconds ? { DelaySeconds: delaySeconds } : {}),
          })),
        }),
      );
      if (r.Failed?.length)
        throw new Error(
          `SQS refused ${r.Failed.length} message(s): ${r.Failed[0]!.Code} ${r.Failed[0]!.Message ?? ''}`,
        );
    }
  }
}

// ---------------------------------------------------------------------------------------- adjustment factors

/** Factors in their store; a change drops the cached copy, so the next read sees the new rev (and new cache keys). */
export class StoreAdjustmentSink implements AdjustmentSink {
  constructor(
    private readonly repo: AdjustmentRepository,
    private readonly cache: Pick<ResilientCache, 'del'>,
  ) {}
  async checkedAt(symbol: string): Promise<number | undefined> {
    return (await this.repo.get(symbol))?.checkedAt;
  }
  async save(symbol: string, source: string, points: readonly FactorPoint[], now: number) {
    const { changed } = await this.repo.save(symbol, source, points, now);
    if (changed) await this.cache.del([adjustmentsKey(symbol)]);
    return { changed };
  }
}
