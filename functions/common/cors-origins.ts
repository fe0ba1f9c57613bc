/**
 * The one rule for CORS origins, applied by the stack to its `corsOrigins` context (lib/config.ts, at synth) and by
 * the functions to CORS_ORIGINS (functions/common/config.ts, at cold start), so a list one accepts the other does.
 * A JSON list of exact origins: no wildcard (the API takes API keys and must name its callers); scheme://host[:port]
 * exactly as a browser sends it (lower case, no path, no trailing slash: "https://a.example/" never matches); https,
 * or plain http for localhost only (local development). Pure: the stack imports it.
 */

export interface OriginsCheck {
  /** The origins, duplicates dropped, when there is no problem. */
  origins: string[];
  problems: string[];
}

/**
 * Checks a list given as JSON text or as an array. `key` names the setting in messages, `example` shows how to set
 * it; `nonEmpty`: the stack needs at least one origin, the functions take an empty list as "no CORS".
 */
export function checkCorsOrigins(
  value: string | readonly unknown[],
  key: string,
  { example, nonEmpty }: { example: string; nonEmpty: boolean },
): OriginsCheck {
  let list: unknown = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch {
      return { origins: [], problems: [`${key} must be a JSON list of origins, e.g. ${example}; got ${value}`] };
    }
  }
  if (!Array.isArray(list) || (nonEmpty && list.length === 0) || !list.every((o) => typeof o === 'string'))
    return { origins: [], problems: [`${key} must be a ${nonEmpty ? 'non-empty ' : ''}list of origin strings`] };
  const problems = (list as string[]).flatMap((o) => {
    const p = originProblem(o);
    return p === undefined ? [] : [`${key} ${p}`];
  });
  return { origins: [...new Set(list as string[])], problems };
}

function originProblem(o: string): string | undefined {
  if (o.includes('*')) return `must not contain a wildcard ("${o}"): list each allowed origin`;
  let u: URL | undefined;
  try {
    u = new URL(o);
  } catch {
    u = undefined;
  }
  if (!u || u.origin !== o)
    return `entry "${o}" is not an origin as browsers send it — not an exact origin (scheme://host[:port], lower case, no path or trailing slash)`;
  const local = u.hostname === 'localhost' || u.hostname === '127.0.0.1';
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && local))
    return `entry "${o}" must use https (plain http only for localhost)`;
  return undefined;
}
