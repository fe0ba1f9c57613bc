/**
 * The local schedules fire at the minutes the deployed EventBridge rules fire (both built from FAMILY_TICKS) and
 * hand the dispatcher the scheduled event its rule sends.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FAMILY_TICKS, nextTick } from '../../functions/ingest/intervals.js';
import { LocalSchedules, scheduledEvent } from '../../local/schedules.js';

const T = (hhmmss: string) => Date.parse(`2026-12-05T${hhmmss}Z`);

afterEach(() => {
  vi.useRealTimers();
});

describe('local schedules', () => {
  it('next tick of each family: every minute; :01/:16/:31/:46; hourly at :02 (as the EventBridge rules)', () => {
    expect(nextTick('minute', T('12:00:30'))).toBe(T('12:01:00'));
    expect(nextTick('minute', T('12:01:00'))).toBe(T('12:02:00'));
    expect(nextTick('quarter', T('12:00:30'))).toBe(T('12:01:00'));
    expect(nextTick('quarter', T('12:01:00'))).toBe(T('12:16:00'));
    expect(nextTick('quarter', T('12:50:00'))).toBe(T('13:01:00'));
    expect(nextTick('daily', T('12:02:00'))).toBe(T('13:02:00'));
    expect(nextTick('daily', T('12:01:59'))).toBe(T('12:02:00'));
    expect(FAMILY_TICKS).toEqual({
      minute: { everyMinutes: 1, atMinute: 0 },
      quarter: { everyMinutes: 15, atMinute: 1 },
      daily: { everyMinutes: 60, atMinute: 2 },
    });
  });

  it('the timers invoke the dispatcher with the scheduled event, at those minutes, until stopped', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(T('12:00:30'));
    const calls: Array<{ family: string; time: string }> = [];
    const s = new LocalSchedules({
      invoke: async (e) => void calls.push({ family: e.detail.family, time: e.time }),
    }).start();
    await vi.advanceTimersByTimeAsync(2 * 60_000); // to 12:02:30
    s.stop();
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    // Within one minute the families fire in no particular order.
    expect(calls.map((c) => `${c.time} ${c.family}`).sort()).toEqual([
      '2026-12-05T12:01:00.000Z minute',
      '2026-12-05T12:01:00.000Z quarter',
      '2026-12-05T12:02:00.000Z daily',
      '2026-12-05T12:02:00.000Z minute',
    ]);
  });

  it('the event has the scheduled-event shape the rule sends; a failing dispatch is reported and the schedule goes on', async () => {
    const e = scheduledEvent('quarter', T('12:16:00'));
    expect(e).toMatchObject({ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: { family: 'quarter' } });
    const errors: unknown[] = [];
    // A dispatcher that fails (e.g. the store is down): reported, and the schedule keeps going.
    const s = new LocalSchedules({
      invoke: async () => {
        throw new Error('store down');
      },
      onError: (_f, err) => errors.push(err),
    });
    await expect(s.tick('minute')).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});
