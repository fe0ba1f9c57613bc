/** Whole-partition reads and deletes, shared by the repositories of the small entities. */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll } from './batch.js';

/** Every item of one partition (those whose sk starts with `skPrefix`, if given), across 1 MB pages. */
export async function queryPartition(
  doc: DynamoDBDocumentClient,
  table: string,
  pk: string,
  skPrefix?: string,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const r = await doc.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: skPrefix === undefined ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: skPrefix === undefined ? { ':pk': pk } : { ':pk': pk, ':p': skPrefix },
        ExclusiveStartKey: start,
      }),
    );
    out.push(...(r.Items ?? []));
    start = r.LastEvaluatedKey;
  } while (start);
  return out;
}

/** Delete the items of one partition (those whose sk starts with `skPrefix`, if given); returns how many. */
export async function deletePartition(
  doc: DynamoDBDocumentClient,
  table: string,
  pk: string,
  skPrefix?: string,
): Promise<number> {
  const items = await queryPartition(doc, table, pk, skPrefix);
  if (items.length > 0)
    await batchWriteAll(
      doc,
      table,
      items.map((it) => ({ DeleteRequest: { Key: { pk: it.pk, sk: it.sk } } })),
    );
  return items.length;
}

/** An item without its keys: what the repositories hand out. */
export const stripKeys = <T>(it: Record<string, unknown>): T => {
  const { pk: _pk, sk: _sk, ...rest } = it;
  return rest as T;
};
