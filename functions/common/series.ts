/**
 * Cached K-line reads and cache-invalidating writes over the store: what handlers and the ingest worker use.
 *
 * - Series summary: `{SYM:iv}:meta`, realtime tier (30 s): it gates freshness of everything else.
 * - Bars: cached per whole bucket under the series rev; closed buckets in the static tier (30 min), the bucket
 *   holding "now" in the realtime tier (30 s). A range read MGETs its buckets (one slot thanks to the hash tag)
 *   and queries only the missing ones.
 * - Writes bump rev in the store and delete the meta key, which orphans every older bucket/analysis entry.
 * - Identical concurrent misses (meta, bucket) are read from the store once per instance (SingleFlight).
 */
import { bucketKey, metaKey, type ResilientCache } from '../cache/index.js';
import { bucketsBetween, type Bucket } from '../store/buckets.js';
import { collectBuckets, type KlineStore, type SeriesMeta, type UpsertReport } from '../store/kline-store.js';
import type { Interval, StoredBar } from './domain.js';
import { recordCache } from './observability.js';
import { SingleFlight } from './single-flight.js';

export class SeriesService {
  constructor(
    private readonly store: KlineStore,
    private readonly cache: ResilientCache,
    private readonly now: () => number = Date.now,
  ) {}

  /** Concurrent identical reads share one (store reads and their cache fills happen once per key). */
  private readonly metaReads = new SingleFlight<SeriesMeta | null>();
  private readonly bucketReads = new SingleFlight<StoredBar[]>();

  meta(symbol: string, interval: Interval): Promise<SeriesMeta | null> {
    const key = metaKey(symbol, interval);
    return this.metaReads.run(key, async () => {
      const hit = await this.cache.get(key);
      recordCache('meta', hit !== null);
      if (hit !== null) return hit === 'null' ? null : (JSON.parse(hit) as SeriesMeta);
      const m = await this.store.getSeries(symbol, interval);
      // Absence is cached too (briefly) so a client polling an unknown symbol does not hammer the table.
      await this.cache.set(key, JSON.stringify(m), 'realtime');
      return m;
    });
  }

  /** Bars in [from, to] (inclusive), oldest first; with `limit`, the newest (latest) or oldest ones. */
  async read(
    meta: SeriesMeta,
    q: { from: number; to: number; limit?: number; latest?: boolean; maxBuckets?: number },
  ): Promise<StoredBar[]> {
    const from = Math.max(q.from, meta.firstTs);
    const to = Math.min(q.to, meta.lastTs);
    if (to < from) return [];
    let buckets = bucketsBetween(meta.interval, from, to);
    if (q.maxBuckets !== undefined && buckets.length > q.maxBuckets) {
      buckets = q.latest ? buckets.slice(-q.maxBuckets) : buckets.slice(0, q.maxBuckets);
    }
    return collectBuckets(buckets, (wave) => this.fetchBuckets(meta, wave), {
      from,
      to,
      limit: q.limit,
      latest: q.latest,
    });
  }

  private async fetchBuckets(meta: SeriesMeta, wave: Bucket[]): Promise<StoredBar[][]> {
    const keys = wave.map((b) => bucketKey(meta.symbol, meta.interval, b.id, meta.rev));
    const cached = await this.cache.mget(keys);
    const now = this.now();
    return Promise.all(
      wave.map(async (b, i) => {
        const c = cached[i];
        recordCache('klines', c != null);
        if (c != null) return JSON.parse(c) as StoredBar[];
        // Shared read-only between the callers of one key (collectBuckets filters into new arrays).
        return this.bucketReads.run(keys[i]!, async () => {
          const bars = await this.store.readBucket(meta.symbol, meta.interval, b);
          // A bucket that can still receive bars (it contains "now") lives 30 s; closed history 30 min.
          await this.cache.set(keys[i]!, JSON.stringify(bars), b.end > now ? 'realtime' : 'static');
          return bars;
        });
      }),
    );
  }

  async upsert(symbol: string, interval: Interval, bars: StoredBar[]): Promise<UpsertReport> {
    const report = await this.store.upsert(symbol, interval, bars);
    if (report.inserted + report.updated > 0) await this.cache.del([metaKey(symbol, interval)]);
    return report;
  }
}
