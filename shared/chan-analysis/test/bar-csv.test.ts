/** Bar conversion/validation (chan-spec §2), time parsing (§16 item 15) and the CSV reader. */
import { describe, expect, it } from 'vitest';
import { BarValidationError, formatTime, parseTime, toBar, toBars } from '../src/bar.js';
import { CsvError, parseCsv } from '../src/csv.js';
import { Level } from '../src/level.js';

const catchErr = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
};

describe('time parsing', () => {
  it('date-only is UTC midnight; ISO and space forms are UTC; numbers are epoch ms; Dates work', () => {
    const mid = Date.UTC(2024, 0, 2);
    expect(parseTime('2024-01-02')).toBe(mid);
    expect(parseTime('2024/01/02')).toBe(mid);
    expect(parseTime('2024-01-02T00:00:00Z')).toBe(mid);
    expect(parseTime('2024-01-02 13:45')).toBe(mid + 13.75 * 3_600_000);
    expect(parseTime('2024-01-02 13:45:30')).toBe(mid + 13.75 * 3_600_000 + 30_000);
    expect(parseTime('2024-01-02T13:45:30.250Z')).toBe(mid + 13.75 * 3_600_000 + 30_250);
    expect(parseTime('2024-01-02T08:00:00+08:00')).toBe(mid);
    expect(parseTime('2024-01-01T19:00:00-0500')).toBe(mid);
    expect(parseTime(mid)).toBe(mid);
    expect(parseTime(new Date(mid))).toBe(mid);
    expect(parseTime('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(parseTime('1998-01-02T14:00:00Z')).toBe(Date.parse('1998-01-02T14:00:00Z'));
  });

  it('rejects malformed or out-of-range times', () => {
    for (const bad of ['2024-1-2', '2023-02-29', '2024-13-01', '2024-01-02T24:00', '2024-01-02X', 'yesterday', '']) {
      expect(() => parseTime(bad), bad).toThrow(RangeError);
    }
    expect(() => parseTime(NaN)).toThrow(RangeError);
    expect(() => parseTime(new Date('nope'))).toThrow(RangeError);
  });

  it('§16.15 intraday bars at 00:00 are ordinary instants (no "00:00 means end of day")', () => {
    const bars = toBars([
      { time: '2024-01-01T23:00:00Z', open: 1, high: 2, low: 0.5, close: 1.5 },
      { time: '2024-01-02T00:00:00Z', open: 1, high: 2, low: 0.5, close: 1.5 },
      { time: '2024-01-02T00:01:00Z', open: 1, high: 2, low: 0.5, close: 1.5 },
    ]);
    expect(bars[1].time - bars[0].time).toBe(3_600_000);
    expect(bars[2].time - bars[1].time).toBe(60_000);
    const lv = new Level();
    for (const b of bars) lv.push(b);
    expect(lv.bars).toHaveLength(3);
    // A date-only daily bar is the same instant as that date's 00:00 bar: it does not sort after the day's bars.
    expect(parseTime('2024-01-02')).toBe(bars[1].time);
  });

  it('formats labels for times given as numbers', () => {
    expect(formatTime(Date.UTC(2024, 0, 2))).toBe('2024-01-02');
    expect(formatTime(Date.UTC(2024, 0, 2, 9, 30))).toBe('2024-01-02T09:30:00Z');
    expect(toBar({ time: Date.UTC(2024, 0, 2, 9, 30), open: 1, high: 1, low: 1, close: 1 }, 0).label).toBe(
      '2024-01-02T09:30:00Z',
    );
    expect(toBar({ time: '2024-01-02 09:30', open: 1, high: 1, low: 1, close: 1 }, 0).label).toBe('2024-01-02 09:30');
  });
});

describe('bar validation', () => {
  const ok = { time: '2024-01-02', open: 10, high: 12, low: 9, close: 11 };

  it('converts a valid bar; missing optional fields are NaN', () => {
    const b = toBar({ ...ok, volume: 100 }, 3);
    expect([b.idx, b.time, b.label, b.open, b.high, b.low, b.close, b.volume]).toEqual([
      3,
      Date.UTC(2024, 0, 2),
      '2024-01-02',
      10,
      12,
      9,
      11,
      100,
    ]);
    expect(Number.isNaN(b.turnover) && Number.isNaN(b.turnoverRate)).toBe(true);
  });

  it.each([
    [{ ...ok, open: NaN }, 'open'],
    [{ ...ok, close: Infinity }, 'close'],
    [{ ...ok, high: '12' as unknown as number }, 'high'],
    [{ ...ok, low: 10.5 }, 'low'],
    [{ ...ok, low: 13 }, 'low'],
    [{ ...ok, high: 10.5 }, 'high'],
    [{ ...ok, time: '2024-02-30' }, 'time'],
    [{ ...ok, volume: Infinity }, 'volume'],
  ])('rejects %o naming field %s', (input, field) => {
    const e = catchErr(() => toBar(input, 7));
    expect(e).toBeInstanceOf(BarValidationError);
    expect((e as BarValidationError).index).toBe(7);
    expect((e as BarValidationError).field).toBe(field);
    expect((e as Error).message).toMatch(new RegExp(`^bar 7: ${field}: `));
  });

  it('rejects non-increasing time, naming the bar', () => {
    const e = catchErr(() => toBars([ok, { ...ok, time: '2024-01-03' }, { ...ok, time: '2024-01-03' }]));
    expect(e).toBeInstanceOf(BarValidationError);
    expect([(e as BarValidationError).index, (e as BarValidationError).field]).toEqual([2, 'time']);
    const lv = new Level();
    lv.push(toBar(ok, 0));
    expect(() => lv.push(toBar({ ...ok, time: '2024-01-01' }, 1))).toThrow(/strictly increase/);
  });

  it('autofix replaces low/high by the min/max of the four prices', () => {
    const b = toBar({ time: 0, open: 10, high: 9.5, low: 10.5, close: 11 }, 0, undefined, { autofix: true });
    expect([b.low, b.high]).toEqual([9.5, 11]);
    // Non-finite prices are still rejected.
    expect(() => toBar({ ...ok, open: NaN }, 0, undefined, { autofix: true })).toThrow(BarValidationError);
  });
});

describe('CSV', () => {
  it('parses the header, optional columns, CRLF, a BOM and blank lines', () => {
    const text =
      '\uFEFFtime,open,high,low,close,volume,turnover,turnover_rate\r\n' +
      '2024-01-02,10,12,9,11,100,1000,0.5\r\n' +
      '\r\n' +
      '2024-01-03,11,13,10,12,,,\r\n';
    const { bars, labels } = parseCsv(text);
    expect(labels).toEqual(['2024-01-02', '2024-01-03']);
    expect(bars[0]).toEqual({
      time: Date.UTC(2024, 0, 2),
      open: 10,
      high: 12,
      low: 9,
      close: 11,
      volume: 100,
      turnover: 1000,
      turnoverRate: 0.5,
    });
    expect(Number.isNaN(bars[1].volume)).toBe(true);
    const b = toBars(bars, labels);
    expect(b[1].label).toBe('2024-01-03');
  });

  it('finds columns by name in any order and without volume', () => {
    const { bars } = parseCsv('Close,Low,High,Open,Time\n11,9,12,10,2024-01-02T09:30:00Z\n');
    expect(bars[0]).toMatchObject({ open: 10, high: 12, low: 9, close: 11, volume: undefined });
  });

  it.each([
    ['time,open,high,low\n2024-01-02,1,2,0.5\n', 1, 'close', /missing column/],
    ['time,open,high,low,close\n2024-01-02,1,2,0.5\n', 2, undefined, /expected 5 cells, got 4/],
    ['time,open,high,low,close\n2024-01-02,1,2,0.5,1\n2024-01-03,1,x,0.5,1\n', 3, 'high', /not a finite number/],
    ['time,open,high,low,close\n2024-01-02,1,2,,1\n', 2, 'low', /empty cell/],
    ['time,open,high,low,close\n2024-01-02,1,2,0.5,1\n02/01/2024,1,2,0.5,1\n', 3, 'time', /invalid time/],
    ['time,open,high,low,close\n2024-01-02,1,2,1.5,1\n', 2, 'low', /above/],
    ['time,open,high,low,close\n2024-01-02,1,2,0.5,1\n2024-01-02,1,2,0.5,1\n', 3, 'time', /strictly increase/],
  ])('reports the line and the problem (%#)', (text, line, column, msg) => {
    const e = catchErr(() => parseCsv(text));
    expect(e).toBeInstanceOf(CsvError);
    expect((e as CsvError).line).toBe(line);
    expect((e as CsvError).column).toBe(column);
    expect((e as Error).message).toMatch(msg);
    expect((e as Error).message).toMatch(new RegExp(`^CSV line ${line}`));
  });

  it('autofix repairs a bad low/high while parsing', () => {
    const { bars } = parseCsv('time,open,high,low,close\n2024-01-02,1,2,1.5,1\n', { autofix: true });
    expect([bars[0].low, bars[0].high]).toEqual([1, 2]);
  });
});
