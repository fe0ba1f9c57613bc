/** The built chart page (web/dist) at `/`, as `npm start` serves it: GET and HEAD of files under one folder. */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
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

/** A server of the files under `dir`, or undefined when there is no such folder (the API alone is served). */
export function staticFiles(dir: string | undefined) {
  if (!dir || !existsSync(dir)) return undefined;
  const root = resolve(dir);
  /** Answers with the file at `pathname` and returns true, or returns false (not a GET/HEAD, or no such file). */
  return (req: IncomingMessage, res: ServerResponse, pathname: string): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const decoded = safeDecode(pathname === '/' ? '/index.html' : pathname);
    if (decoded === undefined) return false;
    const rel = normalize(decoded).replace(/^([/\\])+/, '');
    const file = resolve(join(root, rel));
    if (!file.startsWith(root)) return false; // path traversal
    if (!existsSync(file) || !statSync(file).isFile()) return false;
    const ext = extname(file);
    res.writeHead(200, { 'Content-Type': (Object.hasOwn(MIME, ext) && MIME[ext]) || 'application/octet-stream' });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
    return true;
  };
}
