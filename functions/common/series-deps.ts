/** The cached series service over the process's store and cache (one per process, like the other deps). */
import { getDeps } from './deps.js';
import { SeriesService } from './series.js';

let svc: { deps: object; svc: SeriesService } | undefined;

export function getSeriesService(): SeriesService {
  const d = getDeps();
  if (svc?.deps !== d) svc = { deps: d, svc: new SeriesService(d.klines, d.cache) };
  return svc.svc;
}
