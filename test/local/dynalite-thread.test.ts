/**
 * `npm start` runs dynalite on a worker thread (local/dynalite.ts): it must keep what it stores across a restart on
 * the same folder, close for good (the thread exits, so the folder can be opened again), and report a port it
 * cannot take instead of hanging.
 */
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adminClient, ensureTable, startDynalite } from '../../local/dynalite.js';

const dir = mkdtempSync(join(tmpdir(), 'dynalite-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dynalite on a worker thread', () => {
  it('serves the table, keeps it across a restart on the same folder, and closes', async () => {
    const first = await startDynalite({ path: dir, thread: true });
    expect(first.server).toBeUndefined();
    expect(await ensureTable(first.endpoint, 'chan')).toBe(true);
    const doc = DynamoDBDocumentClient.from(adminClient(first.endpoint));
    await doc.send(new PutCommand({ TableName: 'chan', Item: { pk: 'K#SPY', sk: 'T#1', c: 101.5 } }));
    doc.destroy();
    await first.close();
    await expect(fetch(first.endpoint)).rejects.toThrow();

    const again = await startDynalite({ path: dir, thread: true });
    try {
      expect(await ensureTable(again.endpoint, 'chan')).toBe(false);
      const doc2 = DynamoDBDocumentClient.from(adminClient(again.endpoint));
      const got = await doc2.send(new GetCommand({ TableName: 'chan', Key: { pk: 'K#SPY', sk: 'T#1' } }));
      doc2.destroy();
      expect(got.Item).toEqual({ pk: 'K#SPY', sk: 'T#1', c: 101.5 });
    } finally {
      await again.close();
    }
  });

  it('rejects with the reason when the port is taken', async () => {
    const taken = await startDynalite({ thread: true });
    try {
      await expect(startDynalite({ thread: true, port: taken.port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await taken.close();
    }
  });
});
