/**
 * format=columns (issue 12): the per-bar parts as one array per field carry exactly what the row format carries.
 * Each response is decoded with the page's own decoder (decodeColumns) and compared with the row response of the
 * same request, for several include sets, for GET and POST, and after gzip on the wire; a bad format is a 400
 * naming the field.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INCLUDE_PARTS } from '../../functions/common/api-spec.js';
import { ColumnsError, decodeColumns } from '../../functions/common/columns.js';
import { startService, type TestService } from '../support/service.js';

const csv = readFileSync(new URL('../../shared/chan-analysis/test/fixtures/us_spy_1d.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n');
const N = 1500;

type Doc = { include: string[]; format?: string; result: Record<string, unknown> };

let svc: TestService;
beforeAll(async () => {
  svc = await startService();
  await svc.uploadCsv('SPY', '1d', [csv[0], ...csv.slice(-N)].join('\n'));
});
afterAll(async () => {
  await svc?.stop();
});

/** The columnar document as rows again: every per-bar part it holds decoded, `format` dropped. */
function decoded(doc: Doc): Doc {
  const result = { ...doc.result };
  for (const part of INCLUDE_PARTS)
    if (part in result) result[part] = decodeColumns(part, result[part], `result.${part}`);
  const { format: _format, ...rest } = doc;
  return { ...rest, result };
}

async function getJson(path: string): Promise<Doc> {
  const r = await svc.fetch(path);
  expect(r.status).toBe(200);
  return (await r.json()) as Doc;
}

describe('format=columns', () => {
  const base = '/api/v1/analysis/SPY?interval=1d';

  it.each([['all'], ['bars'], ['mergedBars,fractals'], ['fractals,bars'], ['']])(
    'include=%s: the decoded columns equal the rows',
    async (include) => {
      const q = include ? `${base}&include=${include}` : base;
      const rows = await getJson(q);
      const cols = await getJson(`${q}&format=columns`);
      expect(cols.format).toBe('columns');
      expect(rows.format).toBeUndefined();
      for (const part of cols.include) {
        const c = cols.result[part] as Record<string, unknown[]>;
        expect(Array.isArray(c)).toBe(false);
        // One array per field, each one entry per row.
        for (const values of Object.values(c)) expect(values).toHaveLength((rows.result[part] as unknown[]).length);
      }
      expect(decoded(cols)).toEqual(rows);
      // Key order too: the decoded document serializes to the row document byte for byte.
      expect(JSON.stringify(decoded(cols))).toBe(JSON.stringify(rows));
    },
  );

  it('format=rows is the default document', async () => {
    expect(await getJson(`${base}&include=bars&format=rows`)).toEqual(await getJson(`${base}&include=bars`));
  });

  it('is its own cache entry: rows and columns alternate without serving each other', async () => {
    const q = `${base}&include=bars&to=2021-01-04`;
    const first = await svc.fetch(`${q}&format=columns`);
    expect(first.headers.get('x-cache')).toBe('MISS');
    const rows = await svc.fetch(q);
    expect(rows.headers.get('x-cache')).toBe('MISS');
    const again = await svc.fetch(`${q}&format=columns`);
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect(decoded((await again.json()) as Doc)).toEqual(await rows.json());
  });

  it('POST /api/v1/analysis answers columns too, with the same content', async () => {
    const bars = csv.slice(-400).map((l) => {
      const [time, open, high, low, close, volume] = l.split(',');
      return { time, open: +open!, high: +high!, low: +low!, close: +close!, volume: +volume! };
    });
    const post = async (format?: string) => {
      const r = await svc.fetch('/api/v1/analysis', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ bars, include: ['all'], ...(format ? { format } : {}) }),
      });
      expect(r.status).toBe(200);
      return (await r.json()) as Doc;
    };
    const cols = await post('columns');
    expect(cols.format).toBe('columns');
    expect(decoded(cols)).toEqual(await post());
  });

  it('gzipped on the wire, the columns decompress and decode to the rows', async () => {
    const raw = await new Promise<{ encoding: unknown; body: Buffer }>((resolve, reject) => {
      const req = request(
        `${svc.url}${base}&include=all&format=columns`,
        { headers: { 'accept-encoding': 'gzip' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(raw.encoding).toBe('gzip');
    const plain = gunzipSync(raw.body);
    expect(raw.body.length).toBeLessThan(plain.length / 2);
    const doc = JSON.parse(plain.toString('utf8')) as Doc;
    expect(decoded(doc)).toEqual(await getJson(`${base}&include=all`));
  });

  it('is smaller than the rows for the same content', async () => {
    const size = async (q: string) => (await (await svc.fetch(q)).arrayBuffer()).byteLength;
    const rows = await size(`${base}&include=all`);
    const cols = await size(`${base}&include=all&format=columns`);
    expect(cols).toBeLessThan(rows * 0.75);
  });

  it('the OpenAPI document describes the format with its sizes', async () => {
    const doc = (await (await svc.fetch('/api/v1/openapi.json')).json()) as {
      paths: Record<string, { get: { parameters: { name: string; schema: unknown; description: string }[] } }>;
    };
    const format = doc.paths['/api/v1/analysis/{symbol}']!.get.parameters.find((p) => p.name === 'format')!;
    expect(format.schema).toEqual({ type: 'string', enum: ['rows', 'columns'] });
    expect(format.description).toMatch(/one array per field/);
    expect(format.description).toMatch(/rows are [\d.]+ MB of JSON and columns [\d.]+ MB; gzipped/);
  });

  it.each([
    ['GET', `${base}&format=csv`, 'query.format'],
    ['POST', '/api/v1/analysis', 'body.format'],
  ])('%s with an unknown format → 400 naming %s', async (method, path, field) => {
    const r = await svc.fetch(path, {
      method,
      headers: { 'content-type': 'application/json' },
      body:
        method === 'POST'
          ? JSON.stringify({ bars: [{ time: '2020-01-02', open: 1, high: 2, low: 0.5, close: 1.5 }], format: 'csv' })
          : undefined,
    });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { message: string; details: { field: string }[] };
    expect(body.message).toMatch(/format must be rows or columns/);
    expect(body.details.map((d) => d.field)).toContain(field);
  });
});

describe('decodeColumns refuses what the API does not send', () => {
  const good = { mergedIdx: [0, 1], type: ['top', 'bottom'], time: ['a', 'b'], ts: [1, 2], value: [3, 4] };

  it('decodes rows in field order', () => {
    expect(decodeColumns('fractals', good, 'result.fractals')).toEqual([
      { mergedIdx: 0, type: 'top', time: 'a', ts: 1, value: 3 },
      { mergedIdx: 1, type: 'bottom', time: 'b', ts: 2, value: 4 },
    ]);
  });

  it.each([
    [[{ mergedIdx: 0 }], /result\.fractals is not an object of columns/],
    [{ ...good, value: undefined }, /result\.fractals\.value is missing or not an array/],
    [{ ...good, ts: [1] }, /result\.fractals\.ts has 1 entries where result\.fractals\.mergedIdx has 2/],
    [{ ...good, value: [3, '4'] }, /result\.fractals\.value\[1\] is "4", not a number/],
    [{ ...good, value: [3, null] }, /result\.fractals\.value\[1\] is null, not a number/],
    [{ ...good, price: [1, 2] }, /result\.fractals\.price is not a field of fractals/],
  ])('%j → %s', (cols, message) => {
    expect(() => decodeColumns('fractals', cols, 'result.fractals')).toThrow(ColumnsError);
    expect(() => decodeColumns('fractals', cols, 'result.fractals')).toThrow(message);
  });
});
