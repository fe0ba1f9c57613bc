/**
 * One CSV path: a file `POST /klines` accepts, `npx chan analyze` accepts (and reads as the same bars), the URL
 * provider reads without rejecting a row; a file one refuses, the others refuse. The readers are the engine's
 * scanner under three consumers (shared/chan-analysis/src/csv.ts documents what is accepted).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireValidCsv } from '../../functions/common/bars.js';
import { HttpError } from '../../functions/common/errors.js';
import { checkBar, isRejected } from '../../functions/ingest/bar.js';
import { parseDocument } from '../../functions/ingest/providers/url-source.js';
import { main } from '../../shared/chan-analysis/src/cli.js';
import { parseCsv } from '../../shared/chan-analysis/src/csv.js';

const D1 = Date.UTC(2024, 0, 2);
const DAY = 86_400_000;
const EXPECTED = [
  { ts: D1, open: 10, high: 12, low: 9, close: 11 },
  { ts: D1 + DAY, open: 11, high: 13, low: 10, close: 12 },
  { ts: D1 + 2 * DAY, open: 12, high: 14, low: 11.5, close: 13.25 },
];

const ACCEPTED: Record<string, string> = {
  canonical:
    'time,open,high,low,close,volume\n2024-01-02,10,12,9,11,100\n2024-01-03,11,13,10,12,200\n2024-01-04,12,14,11.5,13.25,300\n',
  'date header, capitalised (uploads only, before)':
    'Date,Open,High,Low,Close,Volume\n2024-01-02,10,12,9,11,100\n2024-01-03,11,13,10,12,200\n2024-01-04,12,14,11.5,13.25,300\n',
  'semicolons, datetime and vol':
    'datetime;open;high;low;close;vol\n2024-01-02T00:00:00Z;10;12;9;11;100\n2024-01-03T00:00:00Z;11;13;10;12;200\n2024-01-04 00:00;12;14;11.5;13.25;300\n',
  'tabs and the short names (the URL provider only, before)':
    't\to\th\tl\tc\tv\n2024-01-02\t10\t12\t9\t11\t100\n2024-01-03\t11\t13\t10\t12\t200\n2024-01-04\t12\t14\t11.5\t13.25\t300\n',
  'BOM, CRLF, quotes, a blank line, an unknown column, any order, no volume':
    '\uFEFF"close","note","low","high","open","time"\r\n11,a,9,12,10,"2024-01-02"\r\n\r\n12,b,10,13,11,2024-01-03\r\n13.25,c,11.5,14,12,2024-01-04\r\n',
  'two time columns and a column named twice: the leftmost is read':
    'date,time,open,high,low,close,close\n2024-01-02,09:30,10,12,9,11,x\n2024-01-03,09:30,11,13,10,12,x\n2024-01-04,09:30,12,14,11.5,13.25,x\n',
  'epoch milliseconds and an empty volume': `timestamp,open,high,low,close,volume\n${D1},10,12,9,11,\n${D1 + DAY},11,13,10,12,5\n${D1 + 2 * DAY},12,14,11.5,13.25,6\n`,
};

const REFUSED: Record<string, string> = {
  'no close column': 'time,open,high,low\n2024-01-02,1,2,0.5\n',
  'a text price': 'time,open,high,low,close\n2024-01-02,abc,2,0.5,1\n',
  'times out of order': 'time,open,high,low,close\n2024-01-03,1,2,0.5,1\n2024-01-02,1,2,0.5,1\n',
  'a row with missing cells': 'time,open,high,low,close\n2024-01-02,1,2,0.5,1\n2024-01-03,1,2\n',
  'a day-first date': 'time,open,high,low,close\n2024-01-02,1,2,0.5,1\n03/01/2024,1,2,0.5,1\n',
  'high below low': 'time,open,high,low,close\n2024-01-02,1,0.4,0.5,1\n',
};

const dir = mkdtempSync(join(tmpdir(), 'csv-parity-'));

async function cliAnalyze(name: string, text: string): Promise<{ code: number; barCount?: number; err: string }> {
  const file = join(dir, `${name.replace(/\W+/g, '_')}.csv`);
  writeFileSync(file, text);
  let out = '';
  let err = '';
  const code = await main(['analyze', file, '--json'], { write: (s) => (out += s) }, { write: (s) => (err += s) });
  return {
    code,
    err,
    barCount: code === 0 ? (JSON.parse(out) as { meta: { barCount: number } }).meta.barCount : undefined,
  };
}

function upload(text: string) {
  return requireValidCsv(text, 'body', '1d');
}

describe('one CSV path: uploads, the CLI and the URL provider accept the same files', () => {
  it.each(Object.entries(ACCEPTED))('accepted by all three: %s', async (name, text) => {
    expect(upload(text).map(({ ts, open, high, low, close }) => ({ ts, open, high, low, close }))).toEqual(EXPECTED);
    const engine = parseCsv(text).bars.map(({ time, open, high, low, close }) => ({
      ts: time,
      open,
      high,
      low,
      close,
    }));
    expect(engine).toEqual(EXPECTED);
    const cli = await cliAnalyze(name, text);
    expect(cli).toMatchObject({ code: 0, barCount: 3 });
    const rows = parseDocument(text, 'text/csv').map((r, i) => checkBar(i, ...r, '1d'));
    expect(rows.filter(isRejected)).toEqual([]);
    expect(rows.map((b) => (isRejected(b) ? undefined : b.time))).toEqual(EXPECTED.map((b) => b.ts));
  });

  it.each(Object.entries(REFUSED))('refused by uploads and the CLI: %s', async (name, text) => {
    expect(() => upload(text)).toThrow(HttpError);
    const cli = await cliAnalyze(name, text);
    expect(cli.code).toBe(1);
    // The CLI names the file line (1-based, header = line 1); so do the upload's messages about a row.
    expect(cli.err).toMatch(/CSV line \d/);
  });

  it('names rows by file line in the CLI and by file line plus bar index in an upload', async () => {
    const text = 'time,open,high,low,close\n\n2024-01-02,1,2,0.5,1\n2024-01-03,1,x,0.5,1\n';
    expect((await cliAnalyze('lines', text)).err).toMatch(/CSV line 4 \(high\)/);
    let message = '';
    try {
      upload(text);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^Invalid body\[1\]\.high: .*\(CSV line 4\)/);
  });
});
