/**
 * Which `url` provider sources this deployment can fetch. Kept apart from the provider so the symbols API can
 * check a source without bundling the fetcher.
 */

/**
 * Why a source URL cannot be fetched by this deployment, or undefined when it can: https:// always; http:// only
 * where `allowHttp` (the local runtime): deployed functions may open connections on port 443 only.
 */
export function sourceUrlProblem(url: string, allowHttp: boolean): string | undefined {
  if (new URL(url).protocol === 'https:' || allowHttp) return undefined;
  return 'sourceUrl must be https:// (the ingest functions may connect to port 443 only; plain http:// cannot be fetched)';
}
