/**
 * The built chart page (web/dist) at `/`, as `npm start` serves it: GET and HEAD of files under one folder,
 * compressed as CloudFront serves the chart site (its behaviours compress): br, else gzip, when the viewer accepts
 * it, for text files from 1,000 bytes. Each file is compressed once per version (size and mtime), not per request.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { pickEncoding } from './respond.js';
import { safeDecode } from './routing.js';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** CloudFront compresses objects of these types from 1,000 bytes up (and up to 10 MB: the page has none larger). */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.map', '.txt']);
const MIN_COMPRESS_BYTES = 1000;

interface Encoded {
  version: string;
  bodies: Map<string, Buffer>;
}

/** How a chart-site file is compressed (the bench's figure for the page's script uses it too). */
export const compress = (body: Buffer, encoding: 'br' | 'gzip') =>
  encoding === 'br'
    ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } })
    : gzipSync(body, { level: 9 });

/** A server of the files under `dir`, or undefined when there is no such folder (the API alone is served). */
export function staticFiles(dir: string | undefined) {
  if (!dir || !existsSync(dir)) return undefined;
  const root = resolve(dir);
  const encoded = new Map<string, Encoded>();
  /** The file's bytes in `encoding` ('identity' as stored), read and compressed once per file version. */
  const body = (file: string, version: string, encoding: 'br' | 'gzip' | 'identity') => {
    let e = encoded.get(file);
    if (e?.version !== version) encoded.set(file, (e = { version, bodies: new Map() }));
    let b = e.bodies.get(encoding);
    if (!b) {
      const raw = e.bodies.get('identity') ?? readFileSync(file);
      e.bodies.set('identity', raw);
      b = encoding === 'identity' ? raw : compress(raw, encoding);
      e.bodies.set(encoding, b);
    }
    return b;
  };
  /** Answers with the file at `pathname` and returns true, or returns false (not a GET/HEAD, or no such file). */
  return (req: IncomingMessage, res: ServerResponse, pathname: string): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const decoded = safeDecode(pathname === '/' ? '/index.html' : pathname);
    if (decoded === undefined) return false;
    const rel = normalize(decoded).replace(/^([/\\])+/, '');
    const file = resolve(join(root, rel));
    if (!file.startsWith(root)) return false; // path traversal
    const stat = statSync(file, { throwIfNoEntry: false });
    if (!stat?.isFile()) return false;
    const ext = extname(file);
    const encoding =
      COMPRESSIBLE.has(ext) && stat.size >= MIN_COMPRESS_BYTES
        ? pickEncoding(req.headers['accept-encoding'], ['br', 'gzip'] as const)
        : undefined;
    const payload = body(file, `${stat.size}:${stat.mtimeMs}`, encoding ?? 'identity');
    res.writeHead(200, {
      'Content-Type': (Object.hasOwn(MIME, ext) && MIME[ext]) || 'application/octet-stream',
      'Content-Length': String(payload.length),
      ...(COMPRESSIBLE.has(ext) ? { Vary: 'Accept-Encoding' } : {}),
      ...(encoding ? { 'Content-Encoding': encoding } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : payload);
    return true;
  };
}
