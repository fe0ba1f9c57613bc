/**
 * The chart page (web/) in headless Chromium against the local server with real data: SSE Composite 000001.SH
 * and SPY daily bars seeded through the API, analysed by the real engine behind the real handlers. Checks that
 * the chart renders, every layer toggles, and that a stroke, a pivot and a buy/sell point the engine reports are
 * painted where the engine says — read both from the page's own state and from the pixels of a screenshot.
 * Screenshots: test-artifacts/chart.png (and docs/chart.png for the README with UPDATE_DOCS_SCREENSHOT=1).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChanResult, ResultLine, ResultPivot, ResultSignal } from '../../shared/chan-analysis/src/result.js';
import { buildWeb } from '../../web/build.js';
import { LAYERS, type Layer } from '../../web/src/layers.js';
import { PAGE_CSP } from '../../web/csp.js';
import { STYLE, palette } from '../../web/src/theme.js';
import { chartPixels, drawnOn, hex, launch, near, nextPaint, overWhite, type Rgb, type Shot } from './browser.js';
import { startChartServer, type ChartServer } from './server.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SYMBOL = '000001.SH';

let srv: ChartServer;
let browser: Browser;
let page: Page;
let engine: ChanResult;
const pageErrors: string[] = [];

async function analysis(symbol: string): Promise<ChanResult> {
  const res = await fetch(
    `${srv.url}/api/v1/analysis/${encodeURIComponent(symbol)}?interval=1d&preset=chanpy&include=all`,
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { result: ChanResult }).result;
}

const frames = () => nextPaint(page);

/** Sets the layers through the page's own checkboxes (real clicks), then waits for a paint. */
async function setLayers(on: readonly Layer[]): Promise<void> {
  for (const [layer] of LAYERS) {
    const cb = page.locator(`#layers input[data-layer="${layer}"]`);
    if ((await cb.isChecked()) !== on.includes(layer)) await cb.click();
  }
  await page.mouse.move(2, 2); // crosshair and tooltip out of the way
  await frames();
}

/** Scrolls/zooms so that bars [from, to] (epoch ms) fill the view with a margin. */
async function showSpan(fromTs: number, toTs: number, margin = 25): Promise<void> {
  await page.evaluate(
    ([a, b, m]) => {
      const c = window.__chan.chart;
      const i = c.coords.indexOf(a);
      const j = c.coords.indexOf(b);
      c.chart.timeScale().setVisibleLogicalRange({ from: i - m, to: j + m } as never);
    },
    [fromTs, toTs, margin] as const,
  );
  await frames();
}

const toPixel = (ts: number, price: number) =>
  page.evaluate(([t, p]) => window.__chan.toPixel(t, p), [ts, price] as const);

/** The library's own mapping (timeToCoordinate / priceToCoordinate), independent of the page's toPixel. */
const libPixel = (ts: number, price: number) =>
  page.evaluate(
    ([t, p]) => {
      const c = window.__chan.chart;
      return { x: c.chart.timeScale().timeToCoordinate((t / 1000) as never), y: c.candles.priceToCoordinate(p) };
    },
    [ts, price] as const,
  );

const drawn = () => drawnOn(page);

const anyNear = (px: Rgb[], c: Rgb, tol: number) => px.some((p) => near(p, c, tol));

/** An element from the middle of the list that satisfies `pred` (the middle of the history, not the edges). */
function middle<T>(list: T[], pred: (x: T) => boolean): T {
  const mid = Math.floor(list.length / 2);
  for (let d = 0; d < list.length; d++) {
    for (const i of [mid + d, mid - d]) if (list[i] && pred(list[i]!)) return list[i]!;
  }
  throw new Error('no element satisfies the predicate');
}

beforeAll(async () => {
  await buildWeb();
  srv = await startChartServer();
  engine = await analysis(SYMBOL);
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1400, height: 860 }, deviceScaleFactor: 1 });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${srv.url}/?symbol=${encodeURIComponent(SYMBOL)}&interval=1d&poll=1000`);
  await page.waitForFunction(() => window.__chan?.ready && !!window.__chan.result, null, { timeout: 60_000 });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await srv?.stop();
});

describe('chart page', () => {
  it('renders the engine result: candles, volume and MACD panes, pickers fed by the API', async () => {
    const s = await page.evaluate(() => ({
      error: window.__chan.error,
      bars: window.__chan.result!.bars.length,
      strokes: window.__chan.result!.strokes.map((l) => l.id),
      pivots: window.__chan.result!.strokePivots.length + window.__chan.result!.segmentPivots.length,
      signals: window.__chan.result!.strokeSignals.length + window.__chan.result!.segmentSignals.length,
      panes: window.__chan.chart.chart.panes().map((p) => p.getHeight()),
    }));
    expect(s.error).toBeNull();
    expect(pageErrors).toEqual([]);
    // What the page holds is what the API returned.
    expect(s.bars).toBe(engine.bars.length);
    expect(s.bars).toBeGreaterThan(1000);
    expect(s.strokes).toEqual(engine.strokes.map((l) => l.id));
    expect(s.pivots).toBe(engine.strokePivots.length + engine.segmentPivots.length);
    expect(s.signals).toBe(engine.strokeSignals.length + engine.segmentSignals.length);
    expect(engine.strokes.length).toBeGreaterThan(50);
    expect(s.panes).toHaveLength(3);
    expect(s.panes.every((h) => h > 40)).toBe(true);

    const symbols = await page.locator('#symbol option').allTextContents();
    expect(symbols.join(' ')).toContain('000001.SH');
    expect(symbols.join(' ')).toContain('SPY');
    expect(await page.locator('#interval').inputValue()).toBe('1d');
    expect(await page.locator('#preset').inputValue()).toBe('chanpy');

    // Candles: the body of recent bars has the convention's colour at the page's own coordinates, and those
    // coordinates agree with the library's mapping.
    await setLayers(['candles']);
    const px = await chartPixels(page);
    const pal = palette('red-up');
    let checked = 0;
    for (const b of engine.bars.slice(-40)) {
      if (Math.abs(b.close - b.open) / b.open < 0.004) continue; // thin bodies
      const p = (await toPixel(b.ts, (b.open + b.close) / 2))!;
      const lib = await libPixel(b.ts, (b.open + b.close) / 2);
      expect(Math.abs(p.x - lib.x!)).toBeLessThan(0.51);
      expect(Math.abs(p.y - lib.y!)).toBeLessThan(0.51);
      const [c] = await px.read([[p.x, p.y]]);
      expect(near(c!, hex(b.close > b.open ? pal.up : pal.down), 40), `candle body ${b.time} ${c}`).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(5);

    // Volume (pane 1) and MACD (pane 2) paint something.
    await setLayers(['volume', 'macd']);
    const pv = await chartPixels(page);
    const [h0, h1, h2] = s.panes as [number, number, number];
    const width = await page.evaluate(() => window.__chan.chart.chart.timeScale().width());
    // Pane 0 is empty now (all overlay layers off); panes 1 and 2 carry ink.
    expect(await pv.inked(10, 30, width - 10, h0 - 30, 3)).toBeLessThan(200);
    expect(await pv.inked(10, h0 + 4, width - 10, h0 + h1 - 4)).toBeGreaterThan(300);
    expect(await pv.inked(10, h0 + h1 + 4, width - 10, h0 + h1 + h2 - 4)).toBeGreaterThan(300);
  });

  it('draws a stroke where the engine puts it (solid when confirmed), and only while its layer is on', async () => {
    const stroke: ResultLine = middle(
      engine.strokes,
      (l) => l.confirmed && Math.abs(l.endVal - l.beginVal) / l.beginVal > 0.05,
    );
    await showSpan(stroke.beginTs, stroke.endTs, 30);
    await setLayers(['strokes']);
    const d = (await drawn()).strokes.find((l) => l.id === stroke.id)!;
    expect(d).toBeDefined();
    const a = (await libPixel(stroke.beginTs, stroke.beginVal)) as { x: number; y: number };
    const b = (await libPixel(stroke.endTs, stroke.endVal)) as { x: number; y: number };
    for (const [got, want] of [
      [d.x1, a.x],
      [d.y1, a.y],
      [d.x2, b.x],
      [d.y2, b.y],
    ] as const)
      expect(Math.abs(got - want)).toBeLessThan(0.51);
    expect(d.dashed).toBe(false);

    const colour = hex(STYLE.stroke.color);
    const along = [0.2, 0.4, 0.6, 0.8].map((t) => ({ x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y) }));
    const on = await chartPixels(page);
    for (const p of along) expect(anyNear(await on.box(p.x, p.y, 2), colour, 70)).toBe(true);
    await setLayers([]);
    const off = await chartPixels(page);
    for (const p of along) expect(anyNear(await off.box(p.x, p.y, 2), colour, 70)).toBe(false);

    // Provisional strokes, if the engine reports any, are dashed.
    await setLayers(['strokes']);
    const provisional = engine.strokes.filter((l) => !l.confirmed).map((l) => l.id);
    const all = (await drawn()).strokes;
    for (const l of all) expect(l.dashed).toBe(provisional.includes(l.id));
  });

  it('draws a pivot as the rectangle [ZD, ZG] over its time span', async () => {
    const pivot: ResultPivot = middle(engine.strokePivots, (p) => p.confirmed && (p.zg - p.zd) / p.zd > 0.01);
    await showSpan(pivot.beginTs, pivot.endTs, 40);
    await setLayers(['strokePivots']);
    const d = (await drawn()).strokePivots.find((r) => r.id === pivot.id)!;
    expect(d).toBeDefined();
    const tl = (await libPixel(pivot.beginTs, pivot.zg)) as { x: number; y: number };
    const br = (await libPixel(pivot.endTs, pivot.zd)) as { x: number; y: number };
    expect(Math.abs(d.x1 - tl.x)).toBeLessThan(0.51);
    expect(Math.abs(d.y1 - tl.y)).toBeLessThan(0.51);
    expect(Math.abs(d.x2 - br.x)).toBeLessThan(0.51);
    expect(Math.abs(d.y2 - br.y)).toBeLessThan(0.51);
    expect(d.dashed).toBe(false);
    expect(br.y - tl.y).toBeGreaterThan(8);

    const fill = overWhite(255, 193, 7, 0.22);
    const px = await chartPixels(page);
    const inside = await px.read(
      [0.25, 0.5, 0.75].flatMap((fx) =>
        [0.3, 0.7].map((fy): [number, number] => [tl.x + fx * (br.x - tl.x), tl.y + fy * (br.y - tl.y)]),
      ),
    );
    expect(inside.filter((c) => near(c, fill, 14)).length).toBeGreaterThanOrEqual(4);
    // Just outside ZG and ZD (mid-span) it is not filled, unless another pivot lies there.
    const others = (await drawn()).strokePivots.filter((r) => r.id !== pivot.id);
    const midX = (tl.x + br.x) / 2;
    for (const y of [tl.y - 5, br.y + 5]) {
      if (others.some((r) => midX >= r.x1 && midX <= r.x2 && y >= r.y1 && y <= r.y2)) continue;
      const [c] = await px.read([[midX, y]]);
      expect(near(c!, fill, 6)).toBe(false);
    }
    // Pivots that are still extending get the dashed style.
    const extending = [...engine.strokePivots, ...engine.segmentPivots].filter((p) => !p.confirmed).map((p) => p.id);
    await showSpan(engine.bars[0]!.ts, engine.bars.at(-1)!.ts, 5);
    await setLayers(['strokePivots', 'segmentPivots']);
    const all = await drawn();
    for (const r of [...all.strokePivots, ...all.segmentPivots]) expect(r.dashed).toBe(extending.includes(r.id));
  });

  it('marks a buy/sell point at the engine time and price, labelled with its types', async () => {
    const sig: ResultSignal = middle(engine.strokeSignals, (s) => s.confirmed);
    await showSpan(sig.ts - 40 * 86_400_000, sig.ts + 40 * 86_400_000, 10);
    await setLayers(['strokeSignals']);
    const markers = await page.evaluate(() => window.__chan.chart.markers.markers());
    const m = markers.find((x) => x.id === sig.id)!;
    expect(m).toBeDefined();
    expect(m.time).toBe(sig.ts / 1000);
    expect(m.price).toBe(sig.price);
    expect(m.position).toBe(sig.side === 'buy' ? 'atPriceBottom' : 'atPriceTop');
    expect(markers).toHaveLength(engine.strokeSignals.length);
    const d = await drawn();
    const anchor = d.markers.find((p) => p.id === sig.id)!;
    const lib = (await libPixel(sig.ts, sig.price)) as { x: number; y: number };
    expect(Math.abs(anchor.x - lib.x)).toBeLessThan(0.51);
    expect(Math.abs(anchor.y - lib.y)).toBeLessThan(0.51);
    // Its label names the types, centred on the point, beyond the arrow (below a buy, above a sell).
    const label = d.labels.find((l) => l.id === sig.id)!;
    expect(label).toBeDefined();
    for (const t of sig.types) expect(label.text).toContain(`${t}${sig.side === 'buy' ? 'B' : 'S'}`);
    expect(Math.abs((label.x1 + label.x2) / 2 - lib.x)).toBeLessThan(1);
    if (sig.side === 'buy') expect(label.y1).toBeGreaterThan(lib.y + 10);
    else expect(label.y2).toBeLessThan(lib.y - 10);

    // The arrow is painted right below a buy's price / above a sell's, in the side's colour.
    const colour = hex(sig.side === 'buy' ? palette('red-up').buy : palette('red-up').sell);
    const dir = sig.side === 'buy' ? 1 : -1;
    const region = (px: Shot) => {
      const pts: [number, number][] = [];
      for (let dy = 1; dy <= 12; dy++) for (let dx = -3; dx <= 3; dx++) pts.push([lib.x + dx, lib.y + dir * dy]);
      return px.read(pts);
    };
    const shot = await chartPixels(page);
    expect(anyNear(await region(shot), colour, 40)).toBe(true);
    // The label's text is painted in the same colour inside its box.
    const text: [number, number][] = [];
    for (let y = label.y1; y < label.y2; y++) for (let x = label.x1; x < label.x2; x++) text.push([x, y]);
    expect(anyNear(await shot.read(text), colour, 60)).toBe(true);
    await setLayers([]);
    expect(anyNear(await region(await chartPixels(page)), colour, 40)).toBe(false);
  });

  it('toggles every layer from its checkbox', async () => {
    await page.evaluate(() => window.__chan.chart.showLatest(300));
    const everything = LAYERS.map(([l]) => l);
    await setLayers(everything);
    const full = await drawn();
    const probe = () =>
      page.evaluate(() => {
        const c = window.__chan.chart;
        const d = window.__chan.drawn;
        const r = window.__chan.result!;
        return {
          candles: c.candles.options().upColor !== 'rgba(0,0,0,0)',
          volume: !!c.volume,
          macd: !!c.macd,
          mergedBars: d.mergedBars.length > 0,
          fractals: d.fractals.length > 0,
          strokes: d.strokes.length > 0,
          segments: d.segments.length > 0,
          segsegs: d.segsegs.length > 0,
          strokePivots: d.strokePivots.length > 0,
          segmentPivots: d.segmentPivots.length > 0,
          strokeSignals: c.markers.markers().some((m) => r.strokeSignals.some((s) => s.id === m.id)),
          segmentSignals: c.markers.markers().some((m) => r.segmentSignals.some((s) => s.id === m.id)),
        } as Record<Layer, boolean>;
      });
    const before = await probe();
    const present = everything.filter((l) => before[l]);
    // Every layer has something to show in the seeded data, except levels the engine found nothing for.
    const empty = {
      segsegs: engine.segmentsOfSegments.length,
      segmentPivots: engine.segmentPivots.length,
      segmentSignals: engine.segmentSignals.length,
    };
    for (const l of everything)
      if (!(l in empty) || empty[l as keyof typeof empty] > 0) expect(before[l], l).toBe(true);
    expect(full.strokes.length).toBe(engine.strokes.length);

    // Put something of the layer in view: the sparse higher levels may all lie in the past.
    const focus = async (layer: Layer) => {
      const last = <T extends { beginTs: number; endTs: number }>(xs: T[]) => xs.at(-1);
      const span =
        layer === 'segmentSignals' && engine.segmentSignals.length
          ? {
              beginTs: engine.segmentSignals.at(-1)!.ts - 90 * 86_400_000,
              endTs: engine.segmentSignals.at(-1)!.ts + 90 * 86_400_000,
            }
          : layer === 'segmentPivots'
            ? last(engine.segmentPivots)
            : layer === 'segsegs'
              ? last(engine.segmentsOfSegments)
              : undefined;
      if (span) await showSpan(span.beginTs, span.endTs, 10);
      else await page.evaluate(() => window.__chan.chart.showLatest(300));
    };
    for (const layer of present) {
      await focus(layer);
      await frames();
      const shotOn = (await chartPixels(page)).png;
      await setLayers(everything.filter((l) => l !== layer));
      const after = await probe();
      expect(after[layer], `${layer} off`).toBe(false);
      for (const other of present)
        if (other !== layer) expect(after[other], `${other} stays on while ${layer} is off`).toBe(true);
      expect((await chartPixels(page)).png.equals(shotOn), `${layer}: the picture changes`).toBe(false);
      await setLayers(everything);
      expect((await probe())[layer], `${layer} on again`).toBe(true);
    }
    expect(page.url()).toContain('layers=');
  });

  it('explains the structure under the cursor', async () => {
    const stroke = middle(engine.strokes, (l) => l.confirmed && Math.abs(l.endVal - l.beginVal) / l.beginVal > 0.05);
    await showSpan(stroke.beginTs, stroke.endTs, 30);
    await setLayers(['candles', 'strokes', 'strokePivots', 'strokeSignals']);
    const a = (await toPixel(stroke.beginTs, stroke.beginVal))!;
    const b = (await toPixel(stroke.endTs, stroke.endVal))!;
    const box = (await page.locator('#chart').boundingBox())!;
    await page.mouse.move(box.x + (a.x + b.x) / 2, box.y + (a.y + b.y) / 2);
    await frames();
    const tip = page.locator('#tooltip');
    await expect.poll(() => tip.isVisible()).toBe(true);
    const text = await tip.innerText();
    expect(text).toContain('笔 stroke');
    expect(text).toContain(`#${stroke.idx}`);
    expect(text).toContain(stroke.begin);
    expect(text).toContain(stroke.end);
    expect(text).toMatch(/confirmed/);
    expect(await tip.getAttribute('data-id')).toBe(stroke.id);

    const pivot = middle(engine.strokePivots, (p) => p.confirmed && (p.zg - p.zd) / p.zd > 0.01);
    await showSpan(pivot.beginTs, pivot.endTs, 40);
    await setLayers(['strokePivots']);
    const tl = (await toPixel(pivot.beginTs, pivot.zg))!;
    const br = (await toPixel(pivot.endTs, pivot.zd))!;
    await page.mouse.move(box.x + (tl.x + br.x) / 2, box.y + (tl.y + br.y) / 2);
    await frames();
    await expect.poll(() => tip.getAttribute('data-id')).toBe(pivot.id);
    expect(await tip.innerText()).toMatch(/中枢[\s\S]*ZG[\s\S]*ZD/);
    await page.mouse.move(2, 2);
  });

  it('switches the colour convention', async () => {
    await page.evaluate(() => window.__chan.chart.showLatest(120));
    await setLayers(['candles']);
    const bar = [...engine.bars.slice(-60)].reverse().find((b) => (b.close - b.open) / b.open > 0.006)!;
    const p = (await toPixel(bar.ts, (bar.open + bar.close) / 2))!;
    expect(near((await (await chartPixels(page)).read([[p.x, p.y]]))[0]!, hex(palette('red-up').up), 40)).toBe(true);
    await page.selectOption('#convention', 'green-up');
    await frames();
    expect(near((await (await chartPixels(page)).read([[p.x, p.y]]))[0]!, hex(palette('green-up').up), 40)).toBe(true);
    await page.selectOption('#convention', 'red-up');
    await frames();
  });

  it('switches symbol from the picker and loads its analysis', async () => {
    const loads = await page.evaluate(() => window.__chan.loads);
    await page.selectOption('#symbol', 'SPY');
    await page.waitForFunction((n) => window.__chan.loads > n && !window.__chan.loading, loads, { timeout: 60_000 });
    const spy = await analysis('SPY');
    const got = await page.evaluate(() => ({
      bars: window.__chan.result!.bars.length,
      first: window.__chan.result!.bars[0]!.time,
      error: window.__chan.error,
    }));
    expect(got.error).toBeNull();
    expect(got.bars).toBe(spy.bars.length);
    expect(got.first).toBe(spy.bars[0]!.time);
    const loads2 = await page.evaluate(() => window.__chan.loads);
    await page.selectOption('#symbol', SYMBOL);
    await page.waitForFunction((n) => window.__chan.loads > n && !window.__chan.loading, loads2, { timeout: 60_000 });
  });

  it('loads the analysis in the compact format (format=columns, compressed) and draws the same document', async () => {
    const p = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    try {
      const response = p.waitForResponse((r) => r.url().includes('/api/v1/analysis/'));
      await p.goto(`${srv.url}/?symbol=${encodeURIComponent(SYMBOL)}&interval=1d`);
      const r = await response;
      const url = new URL(r.url());
      expect(url.searchParams.get('format')).toBe('columns');
      expect(url.searchParams.get('include')).toBe('bars,mergedBars,fractals');
      expect((await r.allHeaders())['content-encoding']).toBe('gzip');
      const body = (await r.json()) as { format: string; result: { bars: Record<string, unknown[]> } };
      expect(body.format).toBe('columns');
      expect(Array.isArray(body.result.bars)).toBe(false);
      await p.waitForFunction(() => window.__chan?.ready && !!window.__chan.result, null, { timeout: 60_000 });
      // What the page holds is the engine's row document, field for field.
      const held = await p.evaluate(() => JSON.stringify(window.__chan.result));
      expect(JSON.parse(held)).toEqual(engine);
    } finally {
      await p.close();
    }
  });

  it('shows a clear error when the analysis does not match the API types, instead of drawing a guess', async () => {
    const p = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    try {
      // The real response with one column gone, as a changed API would send it.
      await p.route('**/api/v1/analysis/**', async (route) => {
        const real = await route.fetch();
        const doc = (await real.json()) as { result: { bars: Record<string, unknown> } };
        delete doc.result.bars.dif;
        await route.fulfill({ response: real, json: doc });
      });
      await p.goto(`${srv.url}/?symbol=${encodeURIComponent(SYMBOL)}&interval=1d`);
      await p.waitForFunction(() => window.__chan?.ready && window.__chan.error !== null, null, { timeout: 60_000 });
      const shown = await p.evaluate(() => ({
        error: window.__chan.error,
        result: window.__chan.result,
        empty: document.getElementById('empty')!.hidden ? '' : document.getElementById('empty')!.textContent,
      }));
      expect(shown.result).toBeNull();
      expect(shown.error).toBe('result.bars.dif is missing or not an array');
      expect(shown.empty).toContain(`Could not load ${SYMBOL} 1d: result.bars.dif is missing or not an array`);
    } finally {
      await p.close();
    }
  });

  it('saves a screenshot of the full chart', async () => {
    await setLayers(LAYERS.map(([l]) => l).filter((l) => l !== 'mergedBars'));
    await page.evaluate(() => window.__chan.chart.showLatest(260));
    await frames();
    // Hover a buy point on the left so the screenshot shows the tooltip too, leaving the latest bars in view.
    const buys = new Set(engine.strokeSignals.filter((x) => x.side === 'buy').map((x) => x.id));
    const marker = (await drawn()).markers
      .filter((m) => buys.has(m.id) && m.x > 80 && m.x < 600)
      .sort((p, q) => p.x - q.x)[0];
    if (marker) {
      const box = (await page.locator('#chart').boundingBox())!;
      await page.mouse.move(box.x + marker.x, box.y + marker.y + 8);
      await frames();
      await expect.poll(() => page.locator('#tooltip').getAttribute('data-id')).toBe(marker.id);
      expect(await page.locator('#tooltip').innerText()).toMatch(/买点 buy point/);
    }
    const png = await page.screenshot({ fullPage: false });
    // The README's docs/chart.png is refreshed on request only (UPDATE_DOCS_SCREENSHOT=1), so test runs leave the tree clean.
    for (const dir of process.env.UPDATE_DOCS_SCREENSHOT ? ['test-artifacts', 'docs'] : ['test-artifacts']) {
      mkdirSync(join(ROOT, dir), { recursive: true });
      writeFileSync(join(ROOT, dir, 'chart.png'), png);
    }
    expect(png.length).toBeGreaterThan(50_000);
    await page.mouse.move(2, 2);
  });

  it('opens centred on a buy/sell point from an alert link (?focus=<epoch ms>)', async () => {
    // An early signal, far from the latest bars the page shows by default.
    const signal = engine.strokeSignals[2]!;
    const p = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await p.goto(`${srv.url}/?symbol=${encodeURIComponent(SYMBOL)}&interval=1d&focus=${signal.ts}`);
    await p.waitForFunction(() => window.__chan?.ready && !!window.__chan.result, null, { timeout: 60_000 });
    await p.waitForFunction(() => window.__chan.focused, null, { timeout: 10_000 });
    const view = await p.evaluate((ts) => {
      const range = window.__chan.chart.chart.timeScale().getVisibleRange();
      return {
        from: Number(range!.from) * 1000,
        to: Number(range!.to) * 1000,
        x: window.__chan.toPixel(ts, 1)?.x ?? null,
      };
    }, signal.ts);
    const width = await p.evaluate(() => document.getElementById('chart')!.clientWidth);
    await p.close();
    expect(view.from).toBeLessThanOrEqual(signal.ts);
    expect(view.to).toBeGreaterThanOrEqual(signal.ts);
    // Roughly centred (the price scale takes the right edge).
    expect(view.x).not.toBeNull();
    expect(Math.abs(view.x! - width / 2)).toBeLessThan(width / 4);
  });

  it('works under the Content-Security-Policy CloudFront sends (no inline script or style needed)', async () => {
    const p = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const violations: string[] = [];
    await p.exposeFunction('__cspViolation', (v: string) => violations.push(v));
    await p.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) =>
        (window as unknown as { __cspViolation(v: string): void }).__cspViolation(
          `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`,
        ),
      );
    });
    await p.route(`${srv.url}/`, async (route) => {
      const res = await route.fetch();
      await route.fulfill({ response: res, headers: { ...res.headers(), 'content-security-policy': PAGE_CSP } });
    });
    await p.goto(`${srv.url}/`);
    await p.waitForFunction(() => window.__chan?.ready && !!window.__chan.result, null, { timeout: 60_000 });
    await p.mouse.move(600, 300);
    await p.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
    const state = await p.evaluate(() => ({
      error: window.__chan.error,
      strokes: window.__chan.drawn.strokes.length,
      legend: document.getElementById('legend')!.textContent,
    }));
    await p.close();
    expect(violations).toEqual([]);
    expect(state.error).toBeNull();
    expect(state.strokes).toBeGreaterThan(0);
    expect(state.legend).toContain('000001.SH');
  });

  it('refreshes the last bar while open (poll)', async () => {
    const last = engine.bars.at(-1)!;
    const next = { ...last, ts: last.ts + 86_400_000 * (new Date(last.ts).getUTCDay() === 5 ? 3 : 1) };
    const bar = {
      time: new Date(next.ts).toISOString().slice(0, 10),
      open: last.close,
      high: last.close * 1.03,
      low: last.close * 0.995,
      close: last.close * 1.025,
      volume: 123456789,
    };
    await srv.addBars(SYMBOL, '1d', [bar]);
    await page.waitForFunction((ts) => window.__chan.chart.lastBar?.ts === ts, next.ts, { timeout: 20_000 });
    // The analysis was re-run and the structures redrawn with the new bar.
    await page.waitForFunction((ts) => window.__chan.result?.bars.at(-1)?.ts === ts, next.ts, { timeout: 20_000 });
    const polls = await page.evaluate(() => window.__chan.polls);
    expect(polls).toBeGreaterThan(0);
    const p = (await toPixel(next.ts, bar.close))!;
    expect(p).not.toBeNull();

    // A change of the forming bar (same time, new close) is picked up as well.
    await srv.addBars(SYMBOL, '1d', [{ ...bar, high: bar.high * 1.01, close: bar.high * 1.005 }]);
    await page.waitForFunction((c) => window.__chan.chart.lastBar?.close === c, bar.high * 1.005, { timeout: 20_000 });
  });
});
