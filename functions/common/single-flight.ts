/**
 * Identical concurrent work done once per instance: while a run for a key is in flight, later callers of the same
 * key await that run instead of starting their own. A burst of requests for one uncached series therefore costs
 * one store read and one analysis, not one per connection (which under load turned into store timeouts). Nothing
 * is remembered after the run settles: caching is the cache's job, and a failure is not handed to later callers.
 */
export class SingleFlight<T> {
  private readonly inflight = new Map<string, Promise<T>>();

  run(key: string, work: () => Promise<T>): Promise<T> {
    const pending = this.inflight.get(key);
    if (pending) return pending;
    // Started on the next microtask, so the entry exists before the work can settle (even by a synchronous throw).
    const p = Promise.resolve()
      .then(work)
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  /** Keys with a run in flight (tests and diagnostics). */
  get size(): number {
    return this.inflight.size;
  }
}
