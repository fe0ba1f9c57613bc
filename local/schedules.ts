/**
 * The EventBridge schedules on this machine: one timer per interval family, firing at the minutes the deployed
 * rules fire (FAMILY_TICKS, the definitions lib/ingestion.ts builds the rules from), each invoking the real
 * dispatcher Lambda handler with the scheduled event the rule sends. The dispatcher queues the due series on
 * the ingest queue, which under `npm start` is the in-process stand-in (local/ingest-queue.ts).
 *
 * `npm start` also ticks every family once at start-up: the machine was off, and a missed tick is what the next
 * one covers in AWS too. SCHEDULES=off turns the timers off (ticks can still be run by hand: `tick(family)`).
 */
import { INTERVAL_FAMILIES, nextTick, type IntervalFamily } from '../functions/ingest/intervals.js';

/** The scheduled event an EventBridge rule of lib/ingestion.ts sends the dispatcher (its target input). */
export function scheduledEvent(family: string, time: number) {
  return {
    version: '0',
    id: `evt-${family}-${time}`,
    'detail-type': 'Scheduled Event' as const,
    source: 'aws.events',
    account: '123456789012',
    time: new Date(time).toISOString(),
    region: 'us-east-1',
    resources: [`arn:aws:events:us-east-1:123456789012:rule/chan-ingest-${family}`],
    detail: { family },
  };
}

export type DispatcherInvoke = (event: ReturnType<typeof scheduledEvent>) => Promise<unknown>;

export interface LocalSchedulesOptions {
  /** The dispatcher handler (functions/ingest/dispatch-handler.ts) unless given. */
  invoke?: DispatcherInvoke;
  onTick?(family: IntervalFamily, result: unknown): void;
  onError?(family: IntervalFamily, error: unknown): void;
}

export class LocalSchedules {
  private readonly timers = new Map<IntervalFamily, NodeJS.Timeout>();
  private invoke: DispatcherInvoke | undefined;

  constructor(private readonly opts: LocalSchedulesOptions = {}) {
    this.invoke = opts.invoke;
  }

  static readonly families = Object.keys(INTERVAL_FAMILIES) as IntervalFamily[];

  /** One tick of a family's schedule, now: what the timer does. Resolves with the dispatcher's result. */
  async tick(family: IntervalFamily, time = Date.now()): Promise<unknown> {
    this.invoke ??= (await import('../functions/ingest/dispatch-handler.js')).handler as DispatcherInvoke;
    try {
      const result = await this.invoke(scheduledEvent(family, time));
      this.opts.onTick?.(family, result);
      return result;
    } catch (e) {
      // EventBridge retries a failed invocation and then drops it; the next tick covers it.
      this.opts.onError?.(family, e);
      return undefined;
    }
  }

  /** Arms every family's timer (each re-arms itself after firing). */
  start(): this {
    for (const family of LocalSchedules.families) this.arm(family);
    return this;
  }

  stop(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private arm(family: IntervalFamily): void {
    const now = Date.now();
    const at = nextTick(family, now);
    const timer = setTimeout(() => {
      this.arm(family);
      void this.tick(family, at);
    }, at - now);
    timer.unref();
    this.timers.set(family, timer);
  }
}
