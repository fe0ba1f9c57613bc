/**
 * Turns a provider's checked rows (ascending) into a Page: the forming bar set aside, rows outside the asked
 * window dropped, the accepted prefix and the rejections separated, and the next page's start computed.
 */
import { acceptPrefix, isRejected, type IngestBar, type RejectedRow } from '../bar.js';
import { INTERVAL_MS } from '../intervals.js';
import type { Page, PageRequest } from './types.js';

export function assemblePage(
  rows: Array<IngestBar | RejectedRow>,
  req: PageRequest,
  rawCount: number,
  /** When a bar opening at t is final: the end of its period, unless the market says otherwise (stock days). */
  closeOf: (t: number) => number = (t) => t + INTERVAL_MS[req.interval],
): Page {
  const { bars, rejected } = acceptPrefix(rows);
  let forming: IngestBar | undefined;
  const closed: IngestBar[] = [];
  for (const b of bars) {
    if (b.time < req.startTime || b.time > req.endTime) continue;
    if (closeOf(b.time) > req.now) {
      // Only the newest bar can be forming; anything after it cannot exist yet.
      forming = b;
      break;
    }
    closed.push(b);
  }
  let lastRaw = -Infinity;
  for (const r of rows) if (!isRejected(r) && r.time > lastRaw) lastRaw = r.time;
  const full = rawCount >= req.limit;
  const next = lastRaw + INTERVAL_MS[req.interval];
  const nextStart = full && !forming && Number.isFinite(lastRaw) && next <= req.endTime ? next : undefined;
  return { bars: closed, rejected, forming, rawCount, nextStart };
}

/**
 * For providers asked by windows of at most `limit` bars (Bybit, and the stock providers, which answer by date
 * range): a window that ended before the caller's end continues after it even when it held fewer rows than
 * `limit` (closed hours, holidays, a suspended stock), unless the newest bar is still forming or a row was bad.
 */
export function continueAfterWindow(page: Page, windowEnd: number, req: PageRequest): Page {
  if (page.nextStart === undefined && !page.forming && windowEnd < req.endTime && page.rejected.length === 0) {
    page.nextStart = windowEnd + INTERVAL_MS[req.interval];
  }
  return page;
}
