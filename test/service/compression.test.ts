/**
 * Compression on the wire, as API Gateway does it (minimumCompressionSize, gzip or deflate by Accept-Encoding): the
 * local adapter applies the same rule from the same constant, so the chart page and clients meet compressed JSON
 * locally too. The chart page's own files are compressed as CloudFront serves them (br, else gzip). Content is
 * checked after decompression, not just the headers.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_COMPRESSION_BYTES } from '../../functions/routes.js';
import { negotiateEncoding } from '../../local/respond.js';
import { startService, type TestService } from '../support/service.js';

const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

let svc: TestService;
beforeAll(async () => {
  svc = await startService({ staticDir: WEB_DIST });
});
afterAll(async () => {
  await svc?.stop();
});

/** A GET with raw bytes back (node:http does not decompress, unlike fetch). */
function get(
  path: string,
  acceptEncoding?: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${svc.url}${path}`,
      { headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('compressed responses', () => {
  it('gzips a large JSON document when the client accepts gzip, and the content is the same document', async () => {
    const plain = await get('/api/v1/openapi.json');
    const zipped = await get('/api/v1/openapi.json', 'gzip, deflate, br');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(MIN_COMPRESSION_BYTES);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers['vary']).toMatch(/accept-encoding/i);
    expect(zipped.body.length).toBeLessThan(plain.body.length / 3);
    expect(JSON.parse(gunzipSync(zipped.body).toString('utf8'))).toEqual(JSON.parse(plain.body.toString('utf8')));
  });

  it('uses deflate when that is all the client takes, and nothing when it refuses both', async () => {
    const plain = await get('/api/v1/openapi.json');
    const deflated = await get('/api/v1/openapi.json', 'deflate');
    expect(deflated.headers['content-encoding']).toBe('deflate');
    expect(inflateSync(deflated.body).equals(plain.body)).toBe(true);
    const refused = await get('/api/v1/openapi.json', 'gzip;q=0, deflate;q=0, br');
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.body.equals(plain.body)).toBe(true);
  });

  it('leaves responses under the minimum size as they are', async () => {
    const small = await get('/api/v1/symbols', 'gzip');
    expect(small.status).toBe(200);
    expect(small.body.length).toBeLessThan(MIN_COMPRESSION_BYTES);
    expect(small.headers['content-encoding']).toBeUndefined();
    JSON.parse(small.body.toString('utf8'));
  });

  it('negotiates like API Gateway (gzip first, then deflate; q=0 refuses; * accepts)', () => {
    expect(negotiateEncoding(undefined)).toBeUndefined();
    expect(negotiateEncoding('br')).toBeUndefined();
    expect(negotiateEncoding('br, deflate')).toBe('deflate');
    expect(negotiateEncoding('deflate, gzip;q=0.5')).toBe('gzip');
    expect(negotiateEncoding('gzip;q=0, *')).toBe('deflate');
    expect(negotiateEncoding(['identity', 'GZIP'])).toBe('gzip');
  });
});

describe('the chart page files, as CloudFront serves them', () => {
  it('sends br to a browser, gzip to a client without br, the file as stored otherwise: the same bytes each way', async () => {
    const file = readFileSync(`${WEB_DIST}app.js`);
    const browser = await get('/app.js', 'gzip, deflate, br, zstd');
    expect(browser.status).toBe(200);
    expect(browser.headers['content-encoding']).toBe('br');
    expect(browser.headers['vary']).toMatch(/accept-encoding/i);
    expect(Number(browser.headers['content-length'])).toBe(browser.body.length);
    expect(browser.body.length).toBeLessThan(file.length / 2);
    expect(brotliDecompressSync(browser.body).equals(file)).toBe(true);

    const gz = await get('/app.js', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(file)).toBe(true);

    const plain = await get('/app.js', 'br;q=0, gzip;q=0');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(file)).toBe(true);
    // The page itself, under the file's name and at /.
    const page = await get('/', 'br');
    expect(brotliDecompressSync(page.body).toString('utf8')).toBe(readFileSync(`${WEB_DIST}index.html`, 'utf8'));
  });

  it('leaves files under 1,000 bytes as they are, as CloudFront does', async () => {
    const small = readFileSync(`${WEB_DIST}app.js.LEGAL.txt`);
    expect(small.length).toBeLessThan(1000);
    const r = await get('/app.js.LEGAL.txt', 'br, gzip');
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.body.equals(small)).toBe(true);
  });
});
