/** Test launcher: an in-memory dynalite on port 0 with the service table created. */
import { ensureTable, startDynalite, type Dynalite } from '../../local/dynalite.js';

export interface TestTable extends Dynalite {
  tableName: string;
}

export async function startTestTable(
  tableName = `chan-test-${process.pid}-${Date.now()}`,
  opts: { thread?: boolean } = {},
): Promise<TestTable> {
  // SDK clients built by the code under test need a region and some credentials; dynalite checks neither.
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  const d = await startDynalite(opts);
  await ensureTable(d.endpoint, tableName);
  return { ...d, tableName };
}

export { ensureTable, startDynalite };
