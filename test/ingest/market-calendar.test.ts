/**
 * Exchange calendars against real sessions: the SSE Composite and SPY fixtures (an index and an ETF trade on every
 * session, so a missing weekday is a closure and a short day is an early close), DST, and the due-time rule the
 * dispatcher uses.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  canHaveBars,
  CN_HOLIDAYS,
  firstBarCloseAfter,
  isTradingDay,
  lastClosedOpen,
  localDate,
  sessionsOn,
} from '../../functions/common/market-calendar.js';
import { sse1m } from './fixtures.js';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../shared/chan-analysis/test/fixtures/${name}`, import.meta.url));

function csvTimes(name: string): string[] {
  return readFileSync(fixture(name), 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => l.slice(0, l.indexOf(',')));
}

/** Monday–Friday dates in [from, to]. */
function weekdaysIn(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    const d = new Date(t);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

/** Weekdays in [first, last] of a daily series that have no bar. */
function missingWeekdays(dates: string[]): string[] {
  const have = new Set(dates);
  return weekdaysIn(dates[0]!, dates.at(-1)!).filter((d) => !have.has(d));
}

describe('A-share calendar', () => {
  it('the holiday table is exactly the weekdays the SSE Composite did not trade, 2007 to July 2020', () => {
    const dates = csvTimes('cn_sse000001_1d.csv');
    const closed = missingWeekdays(dates);
    const tableClosed = weekdaysIn('2007-01-01', dates.at(-1)!).filter((d) => !isTradingDay('cn', d));
    expect(tableClosed).toEqual(closed.filter((d) => d >= '2007-01-01'));
    expect(Object.keys(CN_HOLIDAYS).map(Number)).toEqual(expect.arrayContaining([2015, 2024, 2025, 2026]));
  });

  it('every 1-minute bar of 2015 lies inside a session (09:30–11:30, 13:00–15:00 CST) of a trading day', () => {
    const perDay = new Map<string, number>();
    for (const b of sse1m()) {
      const date = localDate('cn', b.time);
      const inside = sessionsOn('cn', date).some((s) => b.time >= s.open && b.time + 60_000 <= s.close);
      if (!inside) throw new Error(`bar ${new Date(b.time).toISOString()} is outside the sessions of ${date}`);
      perDay.set(date, (perDay.get(date) ?? 0) + 1);
    }
    // 2015-09-03/04 (the WWII anniversary closure) and Golden Week have no bars; a full day has 240 minutes.
    expect(perDay.has('2015-09-03')).toBe(false);
    expect(isTradingDay('cn', '2015-09-03')).toBe(false);
    expect(Math.max(...perDay.values())).toBe(240);
  });

  it('sessions are in Asia/Shanghai (UTC+8, no DST); the lunch break splits the day', () => {
    expect(sessionsOn('cn', '2024-09-13')).toEqual([
      { open: Date.parse('2024-09-13T01:30:00Z'), close: Date.parse('2024-09-13T03:30:00Z') },
      { open: Date.parse('2024-09-13T05:00:00Z'), close: Date.parse('2024-09-13T07:00:00Z') },
    ]);
    expect(sessionsOn('cn', '2024-09-16')).toEqual([]); // Mid-Autumn Festival
    expect(sessionsOn('cn', '2024-09-14')).toEqual([]); // Saturday (a make-up working day is still not a session)
  });
});

describe('US calendar', () => {
  it('the NYSE rules reproduce every weekday SPY did not trade, 1998 to 2021', () => {
    const dates = csvTimes('us_spy_1d.csv');
    const closed = weekdaysIn(dates[0]!, dates.at(-1)!).filter((d) => !isTradingDay('us', d));
    expect(closed).toEqual(missingWeekdays(dates));
  });

  it('early closes (13:00 ET) are the short days of SPY hourly bars, 2012–2020', () => {
    const perDay = new Map<string, number>();
    for (const t of csvTimes('us_spy_1h.csv')) {
      const d = localDate('us', Date.parse(t));
      perDay.set(d, (perDay.get(d) ?? 0) + 1);
    }
    const short = [...perDay].filter(([d, n]) => n < 7 && d >= '2012' && d < '2021').map(([d]) => d);
    const early = [...perDay.keys()]
      .filter((d) => d >= '2012' && d < '2021')
      .filter((d) => {
        const s = sessionsOn('us', d);
        return s.length === 1 && s[0]!.close - s[0]!.open < 6.5 * 3_600_000;
      });
    expect(early).toEqual(short);
  });

  it('sessions follow New York daylight saving time; half days close at 13:00', () => {
    // DST began 2024-03-10: 09:30 EST = 14:30Z before, 09:30 EDT = 13:30Z after.
    expect(sessionsOn('us', '2024-03-08')).toEqual([
      { open: Date.parse('2024-03-08T14:30:00Z'), close: Date.parse('2024-03-08T21:00:00Z') },
    ]);
    expect(sessionsOn('us', '2024-03-11')).toEqual([
      { open: Date.parse('2024-03-11T13:30:00Z'), close: Date.parse('2024-03-11T20:00:00Z') },
    ]);
    expect(sessionsOn('us', '2024-11-29')[0]!.close).toBe(Date.parse('2024-11-29T18:00:00Z'));
    expect(isTradingDay('us', '2024-06-19')).toBe(false); // Juneteenth
    expect(isTradingDay('us', '2025-01-09')).toBe(false); // national day of mourning
  });
});

describe('when the next bar is final', () => {
  const D = (s: string) => Date.parse(s);
  it('a daily bar after a holiday is final at the next session close, and stored from then on', () => {
    // Last stored A-share bar 2024-09-30: the next is 2024-10-08 (Golden Week), final at 15:00 CST = 07:00Z.
    const from = D('2024-10-01T00:00:00Z');
    expect(firstBarCloseAfter('cn', '1d', from, D('2024-10-08T06:59:00Z'))).toBeUndefined();
    expect(firstBarCloseAfter('cn', '1d', from, D('2024-10-08T07:00:00Z'))).toBe(D('2024-10-08T07:00:00Z'));
    expect(lastClosedOpen('cn', '1d', D('2024-10-08T06:59:00Z'))).toBe(D('2024-10-07T00:00:00Z'));
    expect(lastClosedOpen('cn', '1d', D('2024-10-08T07:00:00Z'))).toBe(D('2024-10-08T00:00:00Z'));
    // New York: Friday 2024-03-08 closes at 21:00Z (EST); that evening is still Friday there.
    expect(lastClosedOpen('us', '1d', D('2024-03-09T01:00:00Z'))).toBe(D('2024-03-08T00:00:00Z'));
    expect(lastClosedOpen('crypto', '1d', D('2024-03-09T01:00:00Z'))).toBe(D('2024-03-08T00:00:00Z'));
    expect(canHaveBars('cn', '1d', from, D('2024-10-07T00:00:00Z'))).toBe(false); // no hole to ask about
    expect(canHaveBars('cn', '1d', from, D('2024-10-08T00:00:00Z'))).toBe(true);
  });

  it('intraday bars wait out the lunch break, nights and DST', () => {
    const from = D('2024-09-13T03:30:00Z'); // 11:30 CST: the next 5m bar opens at 13:00
    expect(firstBarCloseAfter('cn', '5m', from, D('2024-09-13T04:59:00Z'))).toBeUndefined();
    expect(firstBarCloseAfter('cn', '5m', from, D('2024-09-13T05:06:00Z'))).toBe(D('2024-09-13T05:05:00Z'));
    // US Friday close → Monday open after the DST change.
    expect(firstBarCloseAfter('us', '1h', D('2024-03-08T21:00:00Z'), D('2024-03-11T14:30:00Z'))).toBe(
      D('2024-03-11T14:30:00Z'),
    );
  });

  it('crypto is always open', () => {
    expect(firstBarCloseAfter('crypto', '1m', 0, 60_000)).toBe(60_000);
  });
});
