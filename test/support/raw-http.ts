/**
 * A plain node:http client for requests fetch will not make: any method with a body, repeated or oddly named
 * headers, bodies streamed in chunks (so a server that answers before reading them is caught: the client sees a
 * broken pipe or a reset, not a response).
 */
import { Agent, request, type IncomingHttpHeaders } from 'node:http';

export interface RawRequest {
  method: string;
  /** Path and query, sent as given (not re-encoded). */
  target: string;
  headers?: readonly [string, string][];
  body?: string | Buffer;
  /** Bytes per write; the next chunk goes out after the socket drained the previous one. */
  chunkSize?: number;
  /** Pause between chunks (a slow uploader). */
  pauseMs?: number;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

export function rawRequest(baseUrl: string, r: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const body = r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body, 'utf8');
  // Node adds no Host header when headers are given as a list; HTTP/1.1 servers refuse requests without one.
  const headers: string[] = ['host', url.host];
  for (const [k, v] of r.headers ?? []) headers.push(k, v);
  if (body !== undefined) headers.push('content-length', String(body.length));
  return new Promise<RawResponse>((resolve, reject) => {
    // Done when the whole body went out AND the answer came back. An answer that arrives while the client is still
    // sending counts only if it says `Connection: close` and the connection then closes cleanly (the server read the
    // rest and dropped it); a reset after it is a failed upload for a real client (broken pipe), so it rejects.
    let response: RawResponse | undefined;
    let sent = false;
    let stopped = false;
    const settle = () => {
      if (response && sent) return resolve(response);
      if (response && response.headers.connection === 'close' && !stopped) {
        stopped = true;
        const early = response;
        const socket = req.socket;
        if (!socket || socket.destroyed) return resolve(early);
        socket.once('close', (hadError: boolean) =>
          hadError ? reject(new Error('connection reset after an early answer')) : resolve(early),
        );
      }
    };
    const req = request(
      { agent, host: url.hostname, port: url.port, method: r.method, path: r.target, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          response = {
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          };
          settle();
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.on('finish', () => {
      sent = true;
      settle();
    });
    if (body === undefined) return void req.end();
    const size = r.chunkSize ?? 64 * 1024;
    let offset = 0;
    const pump = () => {
      while (offset < body.length && !stopped) {
        const chunk = body.subarray(offset, offset + size);
        offset += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
        if (r.pauseMs) return void setTimeout(pump, r.pauseMs);
      }
      if (!stopped) req.end();
    };
    pump();
  });
}

/** Close the pooled keep-alive sockets (end of a test file). */
export function closeRawAgent(): void {
  agent.destroy();
}
