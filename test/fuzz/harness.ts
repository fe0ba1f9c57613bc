/**
 * What both fuzz suites share: the service they run against (the local runtime in-process on dynalite, throttling
 * off, reference series seeded, the job starter and ingest queue replaced by recorders because Step Functions and
 * SQS have no local equivalent here and no traffic may leave the machine), the seed, and the checks every answer
 * must pass: no 5xx, a JSON body, `error` and `message` on refusals, and nothing written by a refused write.
 */
import type { IncomingMessage } from 'node:http';
import { expect } from 'vitest';
import { startService, type TestService } from '../support/service.js';
import { InProcessQueue } from '../support/sqs-standin.js';
import { describeRequest, type FuzzContext, type FuzzRequest } from './requests.js';

/** FUZZ_SEED reproduces a run; otherwise a fresh seed each run (printed with any failure). */
export const FUZZ_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() ^ (Math.random() * 2 ** 31);
/** Requests per suite (FUZZ_RUNS overrides). */
export const FUZZ_RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 1200;

const DAY = 86_400_000;
const WRITE_TARGETS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

export interface FuzzService {
  svc: TestService;
  ctx: FuzzContext;
  doc: Record<string, unknown>;
  /** Write calls dynalite has received so far. */
  writes(): number;
  /** Canonical text of the whole table (for "nothing written" checks). */
  snapshot(): Promise<string>;
  /** Bars of the read-only reference series, as stored at the start. */
  reference: string;
  readReference(): Promise<string>;
  stop(): Promise<void>;
}

function series(n: number, start: number, base: number) {
  return Array.from({ length: n }, (_, i) => {
    const c = base * (1 + 0.15 * Math.sin(i / 7) + 0.04 * Math.sin(i * 1.3));
    return { time: start + i * DAY, open: c, high: c * 1.01, low: c * 0.99, close: c * 1.004, volume: 100 + i };
  });
}

export async function startFuzzService(): Promise<FuzzService> {
  const svc = await startService({ throttle: false, env: { LOG_LEVEL: 'SILENT', MAX_BODY_BYTES: '5000000' } });
  let writes = 0;
  const db = svc.table.server;
  if (!db) throw new Error('the fuzz harness counts the writes dynalite receives: run it on this thread');
  db.on('request', (req: IncomingMessage) => {
    const target = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    if (WRITE_TARGETS.has(target)) writes++;
  });
  const [{ setJobStarter }, { setQueueSender }] = await Promise.all([
    import('../../functions/jobs/starter.js'),
    import('../../functions/ingest/queue.js'),
  ]);
  setJobStarter({ start: async (input) => `arn:local:execution:${input.jobId}` });
  setQueueSender(new InProcessQueue({ clock: { now: Date.now() } }));

  const h = { 'x-api-key': svc.apiKey, 'content-type': 'application/json' };
  const seeded: [string, number, number][] = [
    ['SPY', 300, 300],
    ['FUZZ', 120, 10],
    ['REF', 250, 50],
  ];
  for (const [symbol, n, base] of seeded) {
    const put = await svc.fetch(`/api/v1/symbols/${symbol}`, {
      method: 'PUT',
      headers: h,
      body: JSON.stringify({ provider: 'upload', intervals: ['1d', '1h'] }),
    });
    expect(put.status).toBe(201);
    const up = await svc.fetch(`/api/v1/klines/${symbol}?interval=1d`, {
      method: 'POST',
      headers: h,
      body: JSON.stringify(series(n, Date.UTC(2020, 0, 1), base)),
    });
    expect(up.status).toBe(200);
  }
  const readReference = async () => (await svc.fetch('/api/v1/klines/REF?interval=1d&limit=1000')).text();
  const doc = (await (await svc.fetch('/api/v1/openapi.json')).json()) as Record<string, unknown>;
  return {
    svc,
    doc,
    ctx: { apiKey: svc.apiKey, symbols: ['SPY', 'FUZZ', 'NEW1', '000001.SH'], readOnlySymbols: ['REF'] },
    writes: () => writes,
    snapshot: async () =>
      (await svc.scanAll())
        .map((i) => JSON.stringify(i))
        .sort()
        .join('\n'),
    reference: await readReference(),
    readReference,
    stop: async () => {
      setJobStarter(undefined);
      setQueueSender(undefined);
      await svc.stop();
    },
  };
}

export interface Answer {
  status: number;
  text: string;
}

/** The checks every answer must pass. */
export function checkAnswer(r: FuzzRequest, a: Answer): void {
  const where = () => `${describeRequest(r)}\n→ ${a.status} ${a.text.slice(0, 400)}`;
  expect(a.status, where()).toBeGreaterThanOrEqual(200);
  expect(a.status, where()).toBeLessThan(500);
  let body: unknown;
  expect(() => (body = JSON.parse(a.text)), where()).not.toThrow();
  if (a.status >= 400) {
    const b = body as { error?: unknown; message?: unknown };
    expect(typeof b?.error, where()).toBe('string');
    expect(typeof b?.message, where()).toBe('string');
    expect(String(b.message).length, where()).toBeGreaterThan(0);
  }
}

/**
 * Sends one request and checks its answer; a refused write must leave the table as it was. The table is only
 * scanned when needed: before a write whose predecessor changed it, and after a refused write that reached the
 * store's write API at all.
 */
export function makeRunner(f: FuzzService, send: (r: FuzzRequest) => Promise<Answer>) {
  let before: string | undefined;
  let count = 0;
  const stats = new Map<string, { n: number; ms: number; byClass: Record<string, number> }>();
  const run = async (r: FuzzRequest) => {
    count++;
    const write = r.method !== 'GET';
    if (write) before ??= await f.snapshot();
    const w0 = f.writes();
    const t0 = performance.now();
    const a = await send(r);
    const st = stats.get(r.op) ?? { n: 0, ms: 0, byClass: {} };
    st.n++;
    st.ms += performance.now() - t0;
    const cls = `${Math.floor(a.status / 100)}xx`;
    st.byClass[cls] = (st.byClass[cls] ?? 0) + 1;
    stats.set(r.op, st);
    checkAnswer(r, a);
    if (!write) return;
    if (a.status >= 400) {
      if (f.writes() !== w0)
        expect(await f.snapshot(), `refused write changed the table: ${describeRequest(r)}`).toBe(before);
    } else {
      before = undefined;
    }
    if (count % 250 === 0) expect((await f.svc.fetch('/health')).status).toBe(200);
  };
  /** Per operation: requests, mean ms, answers by status class (what the run exercised). */
  const summary = () =>
    [...stats]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([op, s]) => `${op}: ${s.n} req, ${(s.ms / s.n).toFixed(1)} ms avg, ${JSON.stringify(s.byClass)}`)
      .join('\n');
  return Object.assign(run, { summary });
}

/** Wrap fast-check's failure with how to replay it. */
export function withSeed(e: unknown): never {
  const err = e as Error;
  err.message = `fuzz failed with FUZZ_SEED=${FUZZ_SEED} (replay: FUZZ_SEED=${FUZZ_SEED} npx vitest run test/fuzz)\n${err.message}`;
  throw err;
}
