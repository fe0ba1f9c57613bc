/**
 * The Chan structures drawn on the main pane as one lightweight-charts series primitive: merged-bar boxes and
 * pivots under the candles, strokes / segments / segments of segments and fractal marks over them. Each paint
 * records what it drew, in pixels, in `drawn` (the tooltip hit-tests against it and tests read it).
 */
import type {
  IPrimitivePaneRenderer,
  IPrimitivePaneView,
  ISeriesPrimitive,
  PrimitivePaneViewZOrder,
  SeriesAttachedParameter,
  Time,
} from 'lightweight-charts';
import type { CanvasRenderingTarget2D } from 'fancy-canvas';
import type { ChanResult, ResultLine, ResultPivot } from '../../shared/chan-analysis/src/result.js';
import type { Coords } from './coords.js';
import { LABEL_FONT_PX, LABEL_HEIGHT, placeLabels, type Box, type LabelRequest, type PlacedLabel } from './labels.js';
import type { Layer } from './layers.js';
import { STYLE } from './theme.js';

export type LineKind = 'stroke' | 'segment' | 'segseg';
export type RectKind = 'strokePivot' | 'segmentPivot' | 'mergedBar';

export interface DrawnLine {
  kind: LineKind;
  id: string;
  idx: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  confirmed: boolean;
  dashed: boolean;
  visible: boolean;
}

export interface DrawnRect {
  kind: RectKind;
  id: string;
  /** left, top, right, bottom in CSS px of the main pane. */
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  confirmed: boolean;
  dashed: boolean;
  visible: boolean;
}

export interface DrawnPoint {
  kind: 'fractal' | 'strokeSignal' | 'segmentSignal';
  id: string;
  x: number;
  y: number;
  confirmed: boolean;
  visible: boolean;
}

export interface Drawn {
  strokes: DrawnLine[];
  segments: DrawnLine[];
  segsegs: DrawnLine[];
  strokePivots: DrawnRect[];
  segmentPivots: DrawnRect[];
  mergedBars: DrawnRect[];
  fractals: DrawnPoint[];
  /** Buy/sell markers are painted by the series-markers plugin; these are their price anchors. */
  markers: DrawnPoint[];
  /** Text labels as painted (buy/sell types, "extending" tags); none overlaps another. */
  labels: PlacedLabel[];
  /** Labels left out for want of room (their markers stay; the tooltip explains them). */
  omittedLabels: number;
  /** Number of paints so far (tests wait for it to move after a change). */
  paints: number;
}

export function emptyDrawn(): Drawn {
  return {
    strokes: [],
    segments: [],
    segsegs: [],
    strokePivots: [],
    segmentPivots: [],
    mergedBars: [],
    fractals: [],
    markers: [],
    labels: [],
    omittedLabels: 0,
    paints: 0,
  };
}

/** Height of a buy/sell arrow as the series-markers plugin draws it (12–30 px with the bar spacing, times its size). */
export function markerHeight(barSpacing: number, size: number): number {
  return (Math.ceil(Math.min(Math.max(barSpacing, 12), 30)) + 2) * size;
}

export interface MarkerStyle {
  text: string;
  color: string;
  /** The plugin's size multiplier. */
  size: number;
}

const MARGIN = 40;
/** Bar spacing (px) under which fractal marks are not drawn. */
export const FRACTAL_MIN_SPACING = 3;

export class StructureOverlay implements ISeriesPrimitive<Time> {
  result: ChanResult | null = null;
  layers = new Set<Layer>();
  drawn: Drawn = emptyDrawn();
  /** id of the structure under the cursor, drawn emphasised. */
  highlight: string | null = null;
  /** How the buy/sell markers of the current result are drawn, by signal id (set with the markers). */
  markerStyles = new Map<string, MarkerStyle>();
  private requestUpdate: (() => void) | null = null;
  private readonly views: readonly IPrimitivePaneView[];

  constructor(private readonly coords: Coords) {
    const below: IPrimitivePaneRenderer = { draw: (t) => this.paint(t, 'below') };
    const above: IPrimitivePaneRenderer = { draw: (t) => this.paint(t, 'above') };
    this.views = [
      { zOrder: (): PrimitivePaneViewZOrder => 'bottom', renderer: () => below },
      { zOrder: (): PrimitivePaneViewZOrder => 'normal', renderer: () => above },
    ];
  }

  attached(p: SeriesAttachedParameter<Time>): void {
    this.requestUpdate = p.requestUpdate;
  }

  detached(): void {
    this.requestUpdate = null;
  }

  paneViews(): readonly IPrimitivePaneView[] {
    return this.views;
  }

  update(): void {
    this.requestUpdate?.();
  }

  private on(l: Layer): boolean {
    return this.layers.has(l) && !!this.result;
  }

  // ---------------------------------------------------------------- layout (engine → pixels)

  private layoutLines(lines: ResultLine[], kind: LineKind, out: DrawnLine[]): void {
    const w = this.coords.paneWidth();
    for (const l of lines) {
      const x1 = this.coords.x(l.beginTs);
      const x2 = this.coords.x(l.endTs);
      const y1 = this.coords.y(l.beginVal);
      const y2 = this.coords.y(l.endVal);
      if (x1 == null || x2 == null || y1 == null || y2 == null) continue;
      out.push({
        kind,
        id: l.id,
        idx: l.idx,
        x1,
        y1,
        x2,
        y2,
        confirmed: l.confirmed,
        dashed: !l.confirmed,
        visible: x2 >= -MARGIN && x1 <= w + MARGIN,
      });
    }
  }

  private layoutPivots(pivots: ResultPivot[], kind: RectKind, out: DrawnRect[]): void {
    const w = this.coords.paneWidth();
    for (const p of pivots) {
      const x1 = this.coords.x(p.beginTs);
      const x2 = this.coords.x(p.endTs);
      const y1 = this.coords.y(p.zg);
      const y2 = this.coords.y(p.zd);
      if (x1 == null || x2 == null || y1 == null || y2 == null) continue;
      out.push({
        kind,
        id: p.id,
        x1,
        y1,
        x2,
        y2,
        confirmed: p.confirmed,
        dashed: !p.confirmed,
        visible: x2 >= -MARGIN && x1 <= w + MARGIN,
      });
    }
  }

  private layout(): void {
    const r = this.result;
    const d: Drawn = { ...emptyDrawn(), paints: this.drawn.paints + 1 };
    if (r) {
      const w = this.coords.paneWidth();
      const half = this.coords.halfBar();
      if (this.on('mergedBars')) {
        for (const m of r.mergedBars) {
          if (m.barCount < 2) continue; // a single bar is its own candle; only merges get a box
          const xa = this.coords.x(m.beginTs);
          const xb = this.coords.x(m.endTs);
          if (xa == null || xb == null || xb + half < -MARGIN || xa - half > w + MARGIN) continue;
          const y1 = this.coords.y(m.high);
          const y2 = this.coords.y(m.low);
          if (y1 == null || y2 == null) continue;
          d.mergedBars.push({
            kind: 'mergedBar',
            id: `merged-${m.idx}`,
            x1: xa - half,
            y1,
            x2: xb + half,
            y2,
            confirmed: true,
            dashed: false,
            visible: true,
          });
        }
      }
      if (this.on('strokePivots')) this.layoutPivots(r.strokePivots, 'strokePivot', d.strokePivots);
      if (this.on('segmentPivots')) this.layoutPivots(r.segmentPivots, 'segmentPivot', d.segmentPivots);
      if (this.on('strokes')) this.layoutLines(r.strokes, 'stroke', d.strokes);
      if (this.on('segments')) this.layoutLines(r.segments, 'segment', d.segments);
      if (this.on('segsegs')) this.layoutLines(r.segmentsOfSegments, 'segseg', d.segsegs);
      // Below a few pixels per bar the marks merge into a band that hides the candles.
      if (this.on('fractals') && half * 2 >= FRACTAL_MIN_SPACING) {
        for (const f of r.fractals) {
          const x = this.coords.x(f.ts);
          const y = this.coords.y(f.value);
          if (x == null || y == null || x < -MARGIN || x > w + MARGIN) continue;
          d.fractals.push({ kind: 'fractal', id: `fx-${f.type}-${f.mergedIdx}`, x, y, confirmed: true, visible: true });
        }
      }
      const markers: DrawnPoint[] = [];
      for (const [layer, list, kind] of [
        ['strokeSignals', r.strokeSignals, 'strokeSignal'],
        ['segmentSignals', r.segmentSignals, 'segmentSignal'],
      ] as const) {
        if (!this.on(layer)) continue;
        for (const s of list) {
          const x = this.coords.x(s.ts);
          const y = this.coords.y(s.price);
          if (x == null || y == null) continue;
          markers.push({ kind, id: s.id, x, y, confirmed: s.confirmed, visible: x >= -MARGIN && x <= w + MARGIN });
        }
      }
      d.markers = markers;
    }
    this.drawn = d;
  }

  // ---------------------------------------------------------------- painting

  private paint(target: CanvasRenderingTarget2D, phase: 'below' | 'above'): void {
    if (phase === 'below') this.layout();
    target.useMediaCoordinateSpace(({ context: ctx }) => {
      ctx.save();
      if (phase === 'below') {
        this.paintRects(ctx, this.drawn.mergedBars);
        this.paintRects(ctx, this.drawn.segmentPivots);
        this.paintRects(ctx, this.drawn.strokePivots);
      } else {
        this.paintLines(ctx, this.drawn.strokes, STYLE.stroke);
        this.paintLines(ctx, this.drawn.segments, STYLE.segment);
        this.paintLines(ctx, this.drawn.segsegs, STYLE.segseg);
        this.paintFractals(ctx);
        this.paintLabels(ctx);
      }
      ctx.restore();
    });
  }

  private paintRects(ctx: CanvasRenderingContext2D, rects: DrawnRect[]): void {
    const w = this.coords.paneWidth();
    const lastX = this.coords.xOfIndex(this.coords.barCount - 1) ?? w;
    for (const r of rects) {
      if (!r.visible && r.kind !== 'mergedBar') continue;
      const style = r.kind === 'mergedBar' ? null : r.kind === 'strokePivot' ? STYLE.strokePivot : STYLE.segmentPivot;
      const hl = this.highlight === r.id;
      const width = Math.max(1, r.x2 - r.x1);
      const height = Math.max(1, r.y2 - r.y1);
      if (!style) {
        ctx.fillStyle = STYLE.mergedBox.fill;
        ctx.strokeStyle = hl ? STYLE.highlight : STYLE.mergedBox.border;
        ctx.lineWidth = hl ? 2 : 1;
        ctx.setLineDash([]);
        ctx.fillRect(r.x1, r.y1, width, height);
        ctx.strokeRect(r.x1 + 0.5, r.y1 + 0.5, width, height);
        continue;
      }
      ctx.fillStyle = r.confirmed ? style.fill : style.provisionalFill;
      ctx.fillRect(r.x1, r.y1, width, height);
      ctx.strokeStyle = hl ? STYLE.highlight : style.border;
      ctx.lineWidth = hl ? 2.5 : r.kind === 'segmentPivot' ? 2 : 1.25;
      ctx.setLineDash(r.dashed ? STYLE.dash : []);
      ctx.strokeRect(r.x1, r.y1, width, height);
      if (!r.confirmed) {
        // Still extending: ZG and ZD run on, dotted, to the latest bar (the tag is a label: paintLabels).
        ctx.setLineDash([2, 3]);
        ctx.beginPath();
        if (lastX > r.x2) {
          ctx.moveTo(r.x2, r.y1);
          ctx.lineTo(lastX, r.y1);
          ctx.moveTo(r.x2, r.y2);
          ctx.lineTo(lastX, r.y2);
        }
        ctx.stroke();
        ctx.setLineDash([]);
      }
    }
    ctx.setLineDash([]);
  }

  private paintLines(ctx: CanvasRenderingContext2D, lines: DrawnLine[], style: { color: string; width: number }): void {
    ctx.strokeStyle = style.color;
    ctx.lineCap = 'round';
    for (const dashed of [false, true]) {
      ctx.setLineDash(dashed ? STYLE.dash : []);
      ctx.lineWidth = style.width;
      ctx.beginPath();
      for (const l of lines) {
        if (l.dashed !== dashed || !l.visible) continue;
        ctx.moveTo(l.x1, l.y1);
        ctx.lineTo(l.x2, l.y2);
      }
      ctx.stroke();
    }
    const hl = lines.find((l) => l.id === this.highlight);
    if (hl) {
      ctx.setLineDash(hl.dashed ? STYLE.dash : []);
      ctx.lineWidth = style.width + 2.5;
      ctx.beginPath();
      ctx.moveTo(hl.x1, hl.y1);
      ctx.lineTo(hl.x2, hl.y2);
      ctx.stroke();
    }
    ctx.setLineDash([]);
  }

  /** Label candidates in priority order: segment-level points, then confirmed ones, newest first; pivot tags last. */
  private labelRequests(ctx: CanvasRenderingContext2D): { requests: LabelRequest[]; arrows: Box[] } {
    const r = this.result;
    const w = this.coords.paneWidth();
    const spacing = this.coords.halfBar() * 2;
    const requests: LabelRequest[] = [];
    const arrows: Box[] = [];
    if (!r) return { requests, arrows };
    const signals = new Map([...r.strokeSignals, ...r.segmentSignals].map((s) => [s.id, s]));
    const points: { p: DrawnPoint; buy: boolean; style: MarkerStyle; ts: number; confirmed: boolean }[] = [];
    for (const p of this.drawn.markers) {
      const s = signals.get(p.id);
      const style = this.markerStyles.get(p.id);
      if (!s || !style || p.x < 0 || p.x > w) continue;
      const buy = s.side === 'buy';
      const h = markerHeight(spacing, style.size);
      arrows.push({ x1: p.x - h / 2, x2: p.x + h / 2, y1: buy ? p.y : p.y - h, y2: buy ? p.y + h : p.y });
      points.push({ p, buy, style, ts: s.ts, confirmed: s.confirmed });
    }
    points.sort(
      (a, b) =>
        Number(b.p.kind === 'segmentSignal') - Number(a.p.kind === 'segmentSignal') ||
        Number(b.confirmed) - Number(a.confirmed) ||
        b.ts - a.ts,
    );
    for (const { p, buy, style } of points) {
      const h = markerHeight(spacing, style.size);
      const width = ctx.measureText(style.text).width;
      requests.push({
        id: p.id,
        kind: 'signal',
        text: style.text,
        color: style.color,
        width,
        at: [0, 1, 2].map((k) => ({
          x: p.x - width / 2,
          y: buy ? p.y + h + 2 + k * (LABEL_HEIGHT + 1) : p.y - h - 2 - LABEL_HEIGHT - k * (LABEL_HEIGHT + 1),
        })),
      });
    }
    for (const rect of [...this.drawn.segmentPivots, ...this.drawn.strokePivots]) {
      if (rect.confirmed || !rect.visible || rect.x2 < 0 || rect.x1 > w) continue;
      const text = '延伸中 extending';
      const x = Math.max(rect.x1, 0) + 3;
      requests.push({
        id: rect.id,
        kind: 'pivot',
        text,
        color: rect.kind === 'strokePivot' ? STYLE.strokePivot.border : STYLE.segmentPivot.border,
        width: ctx.measureText(text).width,
        // Above ZG, just inside under ZG, below ZD.
        at: [
          { x, y: rect.y1 - 2 - LABEL_HEIGHT },
          { x, y: rect.y1 + 2 },
          { x, y: rect.y2 + 2 },
        ],
      });
    }
    return { requests, arrows };
  }

  private paintLabels(ctx: CanvasRenderingContext2D): void {
    ctx.font = `${LABEL_FONT_PX}px ${STYLE.labelFont}`;
    const { requests, arrows } = this.labelRequests(ctx);
    const area = { x1: 0, y1: 0, x2: this.coords.paneWidth(), y2: this.coords.paneHeight() };
    const { placed, omitted } = placeLabels(requests, arrows, area);
    this.drawn.labels = placed;
    this.drawn.omittedLabels = omitted.length;
    ctx.textBaseline = 'top';
    ctx.lineJoin = 'round';
    ctx.lineWidth = 3;
    ctx.strokeStyle = STYLE.labelHalo;
    for (const l of placed) ctx.strokeText(l.text, l.x1, l.y1 + 1);
    for (const l of placed) {
      ctx.fillStyle = l.color;
      ctx.fillText(l.text, l.x1, l.y1 + 1);
    }
  }

  private paintFractals(ctx: CanvasRenderingContext2D): void {
    const r = this.result;
    if (!r) return;
    const byId = new Map(r.fractals.map((f) => [`fx-${f.type}-${f.mergedIdx}`, f.type]));
    const s = 3.5;
    for (const p of this.drawn.fractals) {
      const top = byId.get(p.id) === 'top';
      ctx.fillStyle = top ? STYLE.fractalTop : STYLE.fractalBottom;
      ctx.beginPath();
      if (top) {
        // ▼ just above the high
        ctx.moveTo(p.x - s, p.y - 2 * s - 2);
        ctx.lineTo(p.x + s, p.y - 2 * s - 2);
        ctx.lineTo(p.x, p.y - 2);
      } else {
        // ▲ just below the low
        ctx.moveTo(p.x - s, p.y + 2 * s + 2);
        ctx.lineTo(p.x + s, p.y + 2 * s + 2);
        ctx.lineTo(p.x, p.y + 2);
      }
      ctx.closePath();
      ctx.fill();
    }
  }
}
