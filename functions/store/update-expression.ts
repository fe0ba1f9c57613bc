/**
 * The one builder of UpdateItem expressions. Every attribute goes through a placeholder name (#a0, #a1, …) and
 * value (:a0, …): DynamoDB reserves hundreds of words (status, count, interval, symbol, …), and numbered
 * placeholders cannot collide with those of a condition the caller adds (which use their own names).
 */

export interface UpdateSpec {
  /** SET these; an undefined value is skipped (or removed, when listed in `remove` too). */
  set?: Record<string, unknown>;
  /** SET only where the attribute is absent (if_not_exists), e.g. createdAt. */
  setIfAbsent?: Record<string, unknown>;
  /** ADD these numbers (a missing attribute counts as 0). */
  add?: Record<string, number>;
  /** REMOVE these attributes. */
  remove?: readonly string[];
  /** A ConditionExpression with its own placeholders (merged with the update's). */
  condition?: { expression: string; names?: Record<string, string>; values?: Record<string, unknown> };
}

export interface UpdateParts {
  UpdateExpression: string;
  ConditionExpression?: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

export function updateExpression(spec: UpdateSpec): UpdateParts {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  let n = 0;
  const placeholder = (attr: string, value?: unknown): [string, string] => {
    const i = n++;
    names[`#a${i}`] = attr;
    if (value !== undefined) values[`:a${i}`] = value;
    return [`#a${i}`, `:a${i}`];
  };
  const sets: string[] = [];
  for (const [k, v] of Object.entries(spec.set ?? {})) {
    if (v === undefined) continue;
    const [name, value] = placeholder(k, v);
    sets.push(`${name} = ${value}`);
  }
  for (const [k, v] of Object.entries(spec.setIfAbsent ?? {})) {
    const [name, value] = placeholder(k, v);
    sets.push(`${name} = if_not_exists(${name}, ${value})`);
  }
  const adds = Object.entries(spec.add ?? {}).map(([k, v]) => placeholder(k, v).join(' '));
  const removes = (spec.remove ?? []).map((k) => placeholder(k)[0]);
  const clauses = [
    sets.length ? `SET ${sets.join(', ')}` : '',
    adds.length ? `ADD ${adds.join(', ')}` : '',
    removes.length ? `REMOVE ${removes.join(', ')}` : '',
  ].filter(Boolean);
  const c = spec.condition;
  Object.assign(names, c?.names);
  Object.assign(values, c?.values);
  return {
    UpdateExpression: clauses.join(' '),
    ...(c ? { ConditionExpression: c.expression } : {}),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  };
}
