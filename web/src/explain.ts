/**
 * The tooltip: which structure lies under the cursor (hit-testing the pixels the overlay drew), and a short
 * explanation of it in the theory's terms — what it is, its range, whether it is confirmed.
 */
import type { ChanResult, ResultLine, ResultPivot, ResultSignal } from '../../shared/chan-analysis/src/result.js';
import type { Box } from './labels.js';
import type { Drawn, DrawnLine, DrawnPoint } from './overlay.js';

export interface Hit {
  id: string;
  title: string;
  html: string;
}

const BSP_TEXT: Record<string, string> = {
  '1': '一类 (type 1): the trend ends — the line leaving the last pivot breaks it with MACD divergence (背驰).',
  '1p': '一类·盘整背驰 (type 1′): divergence inside a consolidation — a new extreme with a weaker move.',
  '2': '二类 (type 2): the first pullback after a type-1 point that does not pass it.',
  '2s': '类二 (type 2-like): a later pullback that stays within the type-2 band.',
  '3a': '三类 (type 3, pivot after the 1st point): price leaves a new pivot and the pullback does not re-enter it.',
  '3b': '三类 (type 3, pivot before the 1st point): after leaving the old pivot, a pullback stays outside it.',
};

const PROVISIONAL =
  '<b class="prov">provisional</b> — the last structure of the series; it can still move or vanish as new bars arrive.';
const CONFIRMED = '<b class="conf">confirmed</b>';

function fmt(n: number): string {
  return Math.abs(n) >= 1000 ? n.toFixed(2) : n.toPrecision(6).replace(/\.?0+$/, '');
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

export function signalLabel(s: ResultSignal): string {
  const side = s.side === 'buy' ? 'B' : 'S';
  return s.types.map((t) => `${t}${side}`).join('/') + (s.confirmed ? '' : '?');
}

function distToSegment(px: number, py: number, l: DrawnLine): number {
  const dx = l.x2 - l.x1;
  const dy = l.y2 - l.y1;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - l.x1) * dx + (py - l.y1) * dy) / len2));
  return Math.hypot(px - (l.x1 + t * dx), py - (l.y1 + t * dy));
}

function lineHtml(l: ResultLine, what: string, explain: string, result: ChanResult): string {
  const pct = ((l.endVal - l.beginVal) / l.beginVal) * 100;
  const bars = result.bars.filter((b) => b.ts >= l.beginTs && b.ts <= l.endTs).length;
  const sub =
    l.startLine !== undefined && l.endLine !== undefined
      ? `<div>sub-lines #${l.startLine}–#${l.endLine} (${l.endLine - l.startLine + 1})${l.reason ? `, ${esc(l.reason)}` : ''}</div>`
      : '';
  return (
    `<div class="what">${explain}</div>` +
    `<div>${l.direction === 'up' ? '↑ up' : '↓ down'} ${what} #${l.idx}: ${esc(l.begin)} ${fmt(l.beginVal)} → ${esc(l.end)} ${fmt(l.endVal)} ` +
    `(${pct >= 0 ? '+' : ''}${pct.toFixed(2)}%, ${bars} bars)</div>${sub}` +
    `<div>${l.confirmed ? CONFIRMED : PROVISIONAL}</div>`
  );
}

function pivotHtml(p: ResultPivot, level: string): string {
  return (
    `<div class="what">中枢 (pivot): the price band where at least three consecutive ${level} overlap; ` +
    `ZD–ZG is their common range, DD–GG the extremes reached inside it.</div>` +
    `<div>${esc(p.begin)} → ${esc(p.end)}, ${level} #${p.startLine}–#${p.endLine}${p.combined ? `, combined from ${p.combined}` : ''}</div>` +
    `<div>ZG ${fmt(p.zg)} / ZD ${fmt(p.zd)} &nbsp; GG ${fmt(p.gg)} / DD ${fmt(p.dd)}</div>` +
    `<div>${p.confirmed ? `${CONFIRMED} (its segment is confirmed)` : '<b class="prov">still extending</b> — the segment holding it is not confirmed; later lines can extend it.'}</div>`
  );
}

function signalHtml(s: ResultSignal, level: string): string {
  const items = s.types.map((t) => `<li><b>${t}${s.side === 'buy' ? 'B' : 'S'}</b> ${BSP_TEXT[t] ?? ''}</li>`).join('');
  const feats = Object.entries(s.features)
    .filter(([, v]) => v != null)
    .map(([k, v]) => `${esc(k)} ${fmt(v as number)}`)
    .join(', ');
  return (
    `<div class="what">${s.side === 'buy' ? '买点 buy point' : '卖点 sell point'} at the end of ${level} #${s.lineIdx}, ${esc(s.time)} @ ${fmt(s.price)}</div>` +
    `<ul>${items}</ul>` +
    (feats ? `<div class="feat">${feats}</div>` : '') +
    `<div>${s.confirmed ? `${CONFIRMED} (its line is confirmed)` : `${PROVISIONAL} Buy/sell points repaint (chan-spec §12.8).`}</div>`
  );
}

function inRect(x: number, y: number, r: Box, pad = 0): boolean {
  return x >= r.x1 - pad && x <= r.x2 + pad && y >= r.y1 - pad && y <= r.y2 + pad;
}

/** Where the pointer is, what is drawn and analysed, and the hit-area test for a point with its radii. */
interface Probe {
  x: number;
  y: number;
  slop: number;
  near: (p: DrawnPoint, rx: number, ry: number) => boolean;
  drawn: Drawn;
  result: ChanResult;
}

/**
 * The structure under (x, y) in the main pane, most specific first: labels and markers, fractals, lines, pivots,
 * boxes. `slop` widens every hit area: 1 for a mouse, more for a finger, whose tap lands
 * less precisely than a cursor.
 */
export function hitTest(x: number, y: number, drawn: Drawn, result: ChanResult, slop = 1): Hit | null {
  const near = (p: DrawnPoint, rx: number, ry: number) =>
    Math.abs(p.x - x) <= rx * slop && Math.abs(p.y - y) <= ry * slop;
  const probe: Probe = { x, y, slop, near, drawn, result };
  return signalAt(probe) ?? fractalAt(probe) ?? lineAt(probe) ?? pivotAt(probe) ?? mergedBarAt(probe);
}

/** A buy/sell point's label or marker (labels and markers are drawn from the result's signals). */
function signalAt({ x, y, slop, near, drawn, result }: Probe): Hit | null {
  const signals = new Map<string, [ResultSignal, string]>();
  for (const s of result.strokeSignals) signals.set(s.id, [s, 'stroke']);
  for (const s of result.segmentSignals) signals.set(s.id, [s, 'segment']);
  const signalHit = (id: string): Hit | null => {
    const entry = signals.get(id);
    if (!entry) return null;
    const [s, level] = entry;
    return {
      id,
      title: `${level === 'segment' ? '段' : '笔'}${s.side === 'buy' ? '买' : '卖'}点 ${signalLabel(s)}`,
      html: signalHtml(s, level),
    };
  };
  // A label names its point: on it, explain that point.
  for (const l of drawn.labels) if (l.kind === 'signal' && inRect(x, y, l, 2 * slop)) return signalHit(l.id);
  // Markers sit just beyond their price (below a buy, above a sell); the nearest one wins.
  let nearest: { d: number; id: string } | null = null;
  for (const m of drawn.markers) {
    const entry = signals.get(m.id);
    if (!entry) continue;
    const cy = entry[0].side === 'buy' ? m.y + 14 : m.y - 14;
    if (!near({ ...m, y: cy }, 8, 18)) continue;
    const d = Math.hypot(m.x - x, cy - y);
    if (!nearest || d < nearest.d) nearest = { d, id: m.id };
  }
  if (nearest) return signalHit(nearest.id);
  return null;
}

/** A fractal mark: three merged bars with the extreme in the middle. */
function fractalAt({ near, drawn, result }: Probe): Hit | null {
  for (const f of drawn.fractals) {
    if (!near(f, 5, 10)) continue;
    const fx = result.fractals.find((q) => `fx-${q.type}-${q.mergedIdx}` === f.id);
    if (!fx) continue;
    const top = fx.type === 'top';
    return {
      id: f.id,
      title: top ? '顶分型 top fractal' : '底分型 bottom fractal',
      html:
        `<div class="what">Three merged bars where the middle one has the ${top ? 'highest high and highest low' : 'lowest low and lowest high'}; ` +
        `a stroke can ${top ? 'start or end' : 'start or end'} here.</div><div>${esc(fx.time)} @ ${fmt(fx.value)} (merged bar #${fx.mergedIdx})</div>`,
    };
  }
  return null;
}

/** The nearest visible stroke, segment or segment of segments within 5 px (higher levels win ties). */
function lineAt({ x, y, slop, drawn, result }: Probe): Hit | null {
  const lineLevels: [DrawnLine[], ResultLine[], string, string, string][] = [
    [
      drawn.segsegs,
      result.segmentsOfSegments,
      '段之段 segment of segments',
      'segment of segments',
      'A segment one level up, built from segments by the same feature-sequence rule.',
    ],
    [
      drawn.segments,
      result.segments,
      '线段 segment',
      'segment',
      '线段 (segment): at least three strokes, ended when the feature sequence forms a fractal (chan-spec §7).',
    ],
    [
      drawn.strokes,
      result.strokes,
      '笔 stroke',
      'stroke',
      '笔 (stroke): from a top fractal to a bottom one (or back), with at least one free merged bar between them (chan-spec §6).',
    ],
  ];
  let best: { d: number; hit: Hit } | null = null;
  for (const [dl, rl, title, what, explain] of lineLevels) {
    for (const l of dl) {
      if (!l.visible) continue;
      const d = distToSegment(x, y, l);
      if (d <= 5 * slop && (!best || d < best.d - 0.5)) {
        const line = rl.find((q) => q.id === l.id);
        if (line)
          best = {
            d,
            hit: {
              id: l.id,
              title: `${title} #${line.idx}${line.confirmed ? '' : ' (provisional)'}`,
              html: lineHtml(line, what, explain, result),
            },
          };
      }
    }
  }
  return best?.hit ?? null;
}

function pivotAt({ x, y, slop, drawn, result }: Probe): Hit | null {
  for (const [rects, pivots, title, level] of [
    [drawn.strokePivots, result.strokePivots, '笔中枢 stroke pivot', 'strokes'],
    [drawn.segmentPivots, result.segmentPivots, '段中枢 segment pivot', 'segments'],
  ] as const) {
    for (const r of rects) {
      if (!inRect(x, y, r, 2 * slop)) continue;
      const p = pivots.find((q) => q.id === r.id);
      if (p) return { id: r.id, title: `${title}${p.confirmed ? '' : ' (extending)'}`, html: pivotHtml(p, level) };
    }
  }
  return null;
}

function mergedBarAt({ x, y, drawn, result }: Probe): Hit | null {
  for (const r of drawn.mergedBars) {
    if (!inRect(x, y, r)) continue;
    const m = result.mergedBars.find((q) => `merged-${q.idx}` === r.id);
    if (!m) continue;
    return {
      id: r.id,
      title: `合并K线 merged bar #${m.idx}`,
      html:
        `<div class="what">包含处理: ${m.barCount} bars where one range contains the other, merged in the ${m.direction === 'up' ? 'upward (higher highs and lows kept)' : 'downward (lower highs and lows kept)'} direction (chan-spec §4).</div>` +
        `<div>${esc(m.begin)} → ${esc(m.end)}, high ${fmt(m.high)} low ${fmt(m.low)}${m.fractal ? `, ${m.fractal} fractal` : ''}</div>`,
    };
  }
  return null;
}
