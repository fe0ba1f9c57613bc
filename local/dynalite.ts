/**
 * dynalite (a DynamoDB-compatible server on LevelDB) for the local runtime and the tests: in memory by default,
 * persisted when given a folder. Table states switch instantly (createTableMs 0) so a fresh table is usable at once.
 */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { createTableInput } from '../functions/store/table.js';

export interface Dynalite {
  endpoint: string;
  port: number;
  /** The HTTP server itself, when dynalite runs on the calling thread (tests observe the requests it receives). */
  server?: Server;
  close(): Promise<void>;
}

export interface DynaliteOptions {
  /** LevelDB folder; in memory without one. */
  path?: string;
  port?: number;
  /**
   * Run dynalite on a worker thread (`npm start`, the upload bench): its CPU work — validation, LevelDB, number
   * parsing, about half of a write-heavy request — then overlaps the handlers' instead of queueing behind it on the
   * one main thread. Tests that watch `server` run it on the calling thread.
   */
  thread?: boolean;
}

export async function startDynalite(opts: DynaliteOptions = {}): Promise<Dynalite> {
  const options = {
    ...(opts.path ? { path: opts.path } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  };
  if (opts.thread) return startOnThread(options, opts.port ?? 0);
  const server = dynalite(options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

async function startOnThread(options: Record<string, unknown>, port: number): Promise<Dynalite> {
  const worker = new Worker(new URL('./dynalite-thread.js', import.meta.url), { workerData: { options, port } });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  type Started = { port?: number; error?: string };
  const started = await new Promise<Started>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  }).catch((e: unknown): Started => ({ error: (e as Error).message }));
  if (started.port === undefined) {
    await worker.terminate();
    throw new Error(started.error ?? 'dynalite did not start');
  }
  return {
    endpoint: `http://127.0.0.1:${started.port}`,
    port: started.port,
    close: async () => {
      worker.postMessage('close');
      // A store that does not close within 5 s (a request stuck mid-write) is stopped rather than waited on.
      const timer = setTimeout(() => void worker.terminate(), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A raw client for table administration (credentials are irrelevant to dynalite but required by the SDK). */
export function adminClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** Create the service table unless it exists. Returns true when it was created. */
export async function ensureTable(endpoint: string, tableName: string): Promise<boolean> {
  const client = adminClient(endpoint);
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return false;
  } catch (e) {
    if ((e as Error).name !== 'ResourceNotFoundException') throw e;
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    return true;
  } finally {
    client.destroy();
  }
}
