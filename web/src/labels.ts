/**
 * Text labels on the main pane placed so that none overlaps another (or another buy/sell arrow): each label
 * offers a few candidate positions, labels are placed in priority order, and one with no free position is left
 * out — its marker stays, and hovering or tapping it still explains it. On a dense hourly view most stroke-level
 * labels give way; zooming in brings them back.
 */

export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface LabelRequest {
  id: string;
  /** What the label belongs to: a buy/sell point (its id is the signal's) or an extending pivot's tag. */
  kind: 'signal' | 'pivot';
  text: string;
  color: string;
  /** Text width in px (measured by the caller's canvas). */
  width: number;
  /** Candidate top-left corners, best first. */
  at: { x: number; y: number }[];
}

export interface PlacedLabel extends Box {
  id: string;
  kind: LabelRequest['kind'];
  text: string;
  color: string;
}

export const LABEL_FONT_PX = 11;
/** Box height: the font plus a pixel of air above and below. */
export const LABEL_HEIGHT = LABEL_FONT_PX + 2;

const BUCKET = 64;

export const intersects = (a: Box, b: Box): boolean => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;

/** Boxes indexed by x bucket, so each test looks only at its neighbours (thousands of labels on a fitted view). */
class BoxIndex {
  private readonly buckets = new Map<number, Box[]>();

  add(b: Box): void {
    for (let k = Math.floor(b.x1 / BUCKET); k <= Math.floor(b.x2 / BUCKET); k++) {
      const list = this.buckets.get(k);
      if (list) list.push(b);
      else this.buckets.set(k, [b]);
    }
  }

  hits(b: Box): boolean {
    for (let k = Math.floor(b.x1 / BUCKET); k <= Math.floor(b.x2 / BUCKET); k++)
      if (this.buckets.get(k)?.some((o) => intersects(o, b))) return true;
    return false;
  }
}

/**
 * Places `requests` (already in priority order) inside `area`, avoiding each other and `obstacles`; returns the
 * placed labels and the ids of those left out. A label near a side edge slides inside; one that would cross the
 * top or bottom edge tries its next position (it would be cut off).
 */
export function placeLabels(
  requests: readonly LabelRequest[],
  obstacles: readonly Box[],
  area: Box,
): { placed: PlacedLabel[]; omitted: string[] } {
  const index = new BoxIndex();
  for (const o of obstacles) index.add(o);
  const placed: PlacedLabel[] = [];
  const omitted: string[] = [];
  for (const r of requests) {
    const box = r.at
      .map(({ x, y }) => {
        const x1 = Math.max(area.x1, Math.min(x, area.x2 - r.width));
        return { x1, y1: y, x2: x1 + r.width, y2: y + LABEL_HEIGHT };
      })
      .find((b) => b.y1 >= area.y1 && b.y2 <= area.y2 && !index.hits(b));
    if (!box) {
      omitted.push(r.id);
      continue;
    }
    index.add(box);
    placed.push({ ...box, id: r.id, kind: r.kind, text: r.text, color: r.color });
  }
  return { placed, omitted };
}
