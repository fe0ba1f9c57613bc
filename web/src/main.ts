/**
 * Page wiring: pickers (symbol, interval, preset, colour convention), layer toggles, loading the analysis,
 * the crosshair legend and tooltip, the poll that refreshes the last bar, and `window.__chan` for tests.
 */
import type { MouseEventParams, Time } from 'lightweight-charts';
import { ApiError, fetchAnalysis, fetchKlines, fetchSymbols, type ChanResult, type SymbolInfo } from './api.js';
import { ChanChart } from './chart.js';
import { hitTest, type Hit } from './explain.js';
import { DEFAULT_LAYERS, LAYERS, type Layer } from './layers.js';
import type { Drawn } from './overlay.js';
import type { Convention } from './theme.js';

/** The engine's named presets (chan-analysis PRESETS). */
const PRESETS: [string, string, string][] = [
  ['chanpy', 'chanpy', 'chan.py code defaults (conformance preset)'],
  ['classic', 'classic', 'chan.py documented defaults: divergence rate 0.9, type-2 retrace ≤ 0.618'],
  ['demo', 'demo', 'chan.py main.py demo: type 2/3 need no stored type 1 (more signals)'],
];
const FALLBACK_INTERVALS = ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w'];

export interface ChanPageState {
  ready: boolean;
  loading: boolean;
  error: string | null;
  symbol: string;
  interval: string;
  preset: string;
  convention: Convention;
  result: ChanResult | null;
  readonly drawn: Drawn;
  readonly layers: Layer[];
  loads: number;
  polls: number;
  lastPollAt: number | null;
  pollMs: number;
  /** Whether a `?focus=` time was found in the loaded bars and the view centred on it. */
  focused: boolean;
  /** The empty-state message while the chart shows nothing (no bars for the series, or it could not load). */
  empty: string | null;
  toPixel(time: number | string, price: number): { x: number; y: number } | null;
  setLayer(layer: Layer, on: boolean): void;
  load(): Promise<void>;
  poll(): Promise<void>;
  fitAll(): void;
  chart: ChanChart;
}

declare global {
  interface Window {
    __chan: ChanPageState;
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);

const symbolSel = $<HTMLSelectElement>('symbol');
const intervalSel = $<HTMLSelectElement>('interval');
const presetSel = $<HTMLSelectElement>('preset');
const colorSel = $<HTMLSelectElement>('convention');
const layerBox = $<HTMLDivElement>('layers');
const statusEl = $<HTMLSpanElement>('status');
const legendEl = $<HTMLDivElement>('legend');
const tooltipEl = $<HTMLDivElement>('tooltip');
const emptyEl = $<HTMLDivElement>('empty');
const chartEl = $<HTMLDivElement>('chart');

const convention: Convention = params.get('colors') === 'green-up' ? 'green-up' : 'red-up';
const chart = new ChanChart(chartEl, convention);
let symbols: SymbolInfo[] = [];
const layers = new Set<Layer>(
  params.get('layers')
    ? (params
        .get('layers')!
        .split(',')
        .filter((l) => LAYERS.some(([k]) => k === l)) as Layer[])
    : DEFAULT_LAYERS,
);
let loadSeq = 0;
let loadAbort: AbortController | null = null;
let pollTimer: ReturnType<typeof setInterval> | null = null;
let polling = false;

const state: ChanPageState = {
  ready: false,
  loading: false,
  error: null,
  symbol: '',
  interval: '',
  preset: params.get('preset') ?? 'chanpy',
  convention,
  result: null,
  get drawn() {
    return chart.overlay.drawn;
  },
  get layers() {
    return [...layers];
  },
  loads: 0,
  polls: 0,
  lastPollAt: null,
  focused: false,
  empty: null,
  pollMs: Math.max(1000, Number(params.get('poll')) || 15_000),
  toPixel: (time, price) => chart.toPixel(time, price),
  setLayer(layer, on) {
    const cb = layerBox.querySelector<HTMLInputElement>(`input[data-layer="${layer}"]`);
    if (cb) cb.checked = on;
    if (on) layers.add(layer);
    else layers.delete(layer);
    chart.setLayers(layers);
    syncUrl();
  },
  load: () => load(),
  poll,
  fitAll: () => chart.fitAll(),
  chart,
};
window.__chan = state;

function setStatus(text: string, isError = false): void {
  statusEl.textContent = text;
  statusEl.classList.toggle('error', isError);
}

function syncUrl(): void {
  const p = new URLSearchParams(location.search);
  p.set('symbol', state.symbol);
  p.set('interval', state.interval);
  p.set('preset', state.preset);
  p.set('colors', state.convention);
  p.set('layers', [...layers].join(','));
  history.replaceState(null, '', `${location.pathname}?${p}`);
}

function option(sel: HTMLSelectElement, value: string, label = value): void {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = label;
  sel.append(o);
}

function fillIntervals(): void {
  const info = symbols.find((s) => s.symbol === state.symbol);
  const list = info?.intervals.length ? info.intervals : FALLBACK_INTERVALS;
  intervalSel.replaceChildren();
  for (const i of list) option(intervalSel, i);
  const want = state.interval || params.get('interval') || '';
  state.interval = list.includes(want) ? want : list.includes('1d') ? '1d' : list[0];
  intervalSel.value = state.interval;
}

function buildLayerToggles(): void {
  for (const [key, label] of LAYERS) {
    const lab = document.createElement('label');
    const cb = document.createElement('input');
    cb.type = 'checkbox';
    cb.dataset.layer = key;
    cb.checked = layers.has(key);
    cb.addEventListener('change', () => state.setLayer(key, cb.checked));
    lab.append(cb, ` ${label}`);
    layerBox.append(lab);
  }
  chart.setLayers(layers);
}

/** `quiet`: a retry while the empty state is shown, which leaves the status line alone unless bars arrived. */
async function load(quiet = false): Promise<void> {
  const seq = ++loadSeq;
  loadAbort?.abort();
  loadAbort = new AbortController();
  state.loading = true;
  state.error = null;
  if (!quiet) setStatus(`loading ${state.symbol} ${state.interval}…`);
  const t0 = performance.now();
  try {
    const result = await fetchAnalysis(state.symbol, state.interval, state.preset, loadAbort.signal);
    if (seq !== loadSeq) return;
    if (result.bars.length === 0) throw new ApiError('no bars', 404);
    showResult(result, false);
    const ms = Math.round(performance.now() - t0);
    setStatus(
      `${result.bars.length} bars, ${result.strokes.length} strokes, ${result.segments.length} segments, ` +
        `${result.strokePivots.length + result.segmentPivots.length} pivots, ${result.strokeSignals.length + result.segmentSignals.length} B/S points · ${ms} ms`,
    );
  } catch (e) {
    if (seq !== loadSeq || (e as Error).name === 'AbortError') return;
    // Whatever failed, the previous series must not stay on screen under the new name.
    showEmpty(e as Error);
  } finally {
    if (seq === loadSeq) {
      state.loading = false;
      state.ready = true;
    }
  }
}

/** How bars get into the store for this symbol (README: local runtime, uploads and backfills). */
function howToGetBars(info: SymbolInfo | undefined, interval: string): string[] {
  const sym = encodeURIComponent(state.symbol);
  const lines: string[] = [];
  if (!info?.provider)
    lines.push(
      `If ${state.symbol} is not tracked yet: PUT /api/v1/symbols/${sym} with its provider and intervals (API key).`,
    );
  else if (!(info.intervals as readonly string[]).includes(interval))
    lines.push(`${interval} is not one of its tracked intervals; add it with PUT /api/v1/symbols/${sym} (API key).`);
  if (info?.provider !== 'upload')
    lines.push(
      `Backfill from ${info?.provider ?? 'its provider'}: POST /api/v1/symbols/${sym}/backfill with {"interval":"${interval}","from":"YYYY-MM-DD"} (API key); scheduled ingestion then adds new bars.`,
    );
  if (info?.provider === 'upload' || !info?.provider)
    lines.push(
      `Upload bars: POST /api/v1/klines/${sym}?interval=${interval} with CSV (time,open,high,low,close[,volume]) or a JSON array (API key).`,
    );
  lines.push(
    `This page checks again every ${Math.round(state.pollMs / 1000)} s and shows the bars once they are stored.`,
  );
  return lines;
}

function showEmpty(e: Error): void {
  chart.clear();
  state.result = null;
  const noBars = e instanceof ApiError && e.status === 404;
  const title = noBars
    ? `No bars for ${state.symbol} at interval ${state.interval}`
    : `Could not load ${state.symbol} ${state.interval}: ${e.message}`;
  const lines = noBars
    ? howToGetBars(
        symbols.find((s) => s.symbol === state.symbol),
        state.interval,
      )
    : ['Nothing is shown rather than another series; retrying may help if the API was unreachable.'];
  state.empty = title;
  state.error = noBars ? null : e.message;
  const h = document.createElement('div');
  h.className = 'title';
  h.textContent = title;
  emptyEl.replaceChildren(
    h,
    ...lines.map((t) => {
      const p = document.createElement('div');
      p.textContent = t;
      return p;
    }),
  );
  emptyEl.hidden = false;
  hideTooltip();
  updateLegend(null);
  setStatus(noBars ? `no bars for ${state.symbol} ${state.interval}` : title, !noBars);
}

function showResult(result: ChanResult, keepView: boolean): void {
  state.result = result;
  state.empty = null;
  emptyEl.hidden = true;
  state.loads++;
  chart.setIntraday(!/^\d+[dwM]$/.test(state.interval));
  chart.setResult(result, keepView);
  chart.setLayers(layers);
  updateLegend(null);
}

/** Refreshes the forming last bar (and appends new ones); re-runs the analysis when anything changed. */
async function poll(): Promise<void> {
  if (polling || state.loading) return;
  if (!state.result) {
    // Empty state: look again, so bars from a backfill or an upload appear without a reload.
    if (state.empty) await load(true);
    return;
  }
  polling = true;
  const seq = loadSeq;
  try {
    const last = chart.lastBar;
    const klines = await fetchKlines(state.symbol, state.interval, last?.time);
    if (seq !== loadSeq) return;
    state.polls++;
    state.lastPollAt = Date.now();
    const { changed } = chart.updateBars(klines);
    if (changed) {
      const result = await fetchAnalysis(state.symbol, state.interval, state.preset);
      if (seq !== loadSeq) return;
      showResult(result, true);
    }
    updateLegend(null);
  } catch (e) {
    setStatus(`refresh failed: ${(e as Error).message}`, true);
  } finally {
    polling = false;
  }
}

function fmt(n: number | null | undefined, d = 2): string {
  if (n == null || !Number.isFinite(n)) return '–';
  return Math.abs(n) >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n.toFixed(d);
}

function updateLegend(logical: number | null): void {
  const b = logical == null ? chart.lastBar : chart.barAt(logical);
  if (!b) {
    legendEl.textContent = state.symbol;
    return;
  }
  const up = b.close >= b.open;
  // Built with DOM nodes, not inline style attributes: the CloudFront CSP allows no inline styles.
  const span = (text: string, cls?: string, color?: string) => {
    const el = document.createElement(cls === 'b' ? 'b' : 'span');
    el.textContent = text;
    if (cls && cls !== 'b') el.className = cls;
    if (color) el.style.color = color;
    return el;
  };
  legendEl.replaceChildren(
    span(state.symbol, 'b'),
    ` ${state.interval} · ${b.time} `,
    span(
      `O ${fmt(b.open)} H ${fmt(b.high)} L ${fmt(b.low)} C ${fmt(b.close)}`,
      undefined,
      up ? chart.convention.up : chart.convention.down,
    ),
    ` V ${fmt(b.volume, 0)} · `,
    span(`DIF ${fmt(b.dif, 3)}`, 'dif'),
    ' ',
    span(`DEA ${fmt(b.dea, 3)}`, 'dea'),
    ` MACD ${fmt(b.macd, 3)}`,
  );
}

/** The input that last touched the chart: a finger opens tooltips by tapping, a mouse by hovering. */
let lastPointer = 'mouse';
/** Touch targets are fingers, not a cursor's tip: hit-test with this much more slack. */
const TOUCH_SLOP = 2;

function hideTooltip(): void {
  tooltipEl.hidden = true;
  if (chart.overlay.highlight !== null) {
    chart.overlay.highlight = null;
    chart.overlay.update();
  }
}

function showTooltip(hit: Hit, point: { x: number; y: number }): void {
  if (chart.overlay.highlight !== hit.id) {
    chart.overlay.highlight = hit.id;
    chart.overlay.update();
  }
  tooltipEl.innerHTML = `<div class="title">${hit.title}</div>${hit.html}`;
  tooltipEl.hidden = false;
  tooltipEl.dataset.id = hit.id;
  const box = chartEl.getBoundingClientRect();
  const tw = tooltipEl.offsetWidth;
  const th = tooltipEl.offsetHeight;
  let x = point.x + 16;
  let y = point.y + 16;
  if (x + tw > box.width - 60) x = point.x - tw - 16;
  if (y + th > box.height) y = point.y - th - 16;
  // On a narrow (phone) screen neither side may have room: keep it inside the chart.
  x = Math.max(0, Math.min(x, box.width - tw));
  y = Math.max(0, Math.min(y, box.height - th));
  tooltipEl.style.transform = `translate(${x}px, ${y}px)`;
}

function hitAt(p: MouseEventParams<Time>, slop: number): Hit | null {
  const result = state.result;
  if (!result || !p.point || (p.paneIndex ?? 0) !== 0) return null;
  return hitTest(p.point.x, p.point.y, chart.overlay.drawn, result, slop);
}

function onCrosshair(p: MouseEventParams<Time>): void {
  updateLegend(p.logical ?? null);
  // A tap opened (or closed) the tooltip; the crosshair following a finger must not close it again.
  if (lastPointer === 'touch') return;
  const hit = hitAt(p, 1);
  if (hit && p.point) showTooltip(hit, p.point);
  else hideTooltip();
}

/** Tap-to-open: a tap on a structure explains it, a tap elsewhere closes the tooltip. */
function onClick(p: MouseEventParams<Time>): void {
  if (lastPointer !== 'touch') return;
  updateLegend(p.logical ?? null);
  const hit = hitAt(p, TOUCH_SLOP);
  if (hit && p.point) showTooltip(hit, p.point);
  else hideTooltip();
}

async function init(): Promise<void> {
  for (const [v, label, title] of PRESETS) {
    option(presetSel, v, label);
    presetSel.lastElementChild!.setAttribute('title', title);
  }
  if (!PRESETS.some(([v]) => v === state.preset)) option(presetSel, state.preset);
  presetSel.value = state.preset;
  colorSel.value = state.convention;
  buildLayerToggles();
  chart.chart.subscribeCrosshairMove(onCrosshair);
  chart.chart.subscribeClick(onClick);
  chartEl.addEventListener('pointerdown', (e) => (lastPointer = e.pointerType), { capture: true });
  chartEl.addEventListener('pointermove', (e) => {
    if (e.pointerType === 'mouse') lastPointer = 'mouse';
  });

  symbolSel.addEventListener('change', () => {
    state.symbol = symbolSel.value;
    fillIntervals();
    syncUrl();
    void load();
  });
  intervalSel.addEventListener('change', () => {
    state.interval = intervalSel.value;
    syncUrl();
    void load();
  });
  presetSel.addEventListener('change', () => {
    state.preset = presetSel.value;
    syncUrl();
    void load();
  });
  colorSel.addEventListener('change', () => {
    state.convention = colorSel.value as Convention;
    chart.setConvention(state.convention);
    syncUrl();
    updateLegend(null);
  });
  $('latest').addEventListener('click', () => chart.showLatest(400));
  $('fit').addEventListener('click', () => chart.fitAll());

  setStatus('loading symbols…');
  let deactivated: string[] = [];
  try {
    // Deactivated symbols are no longer ingested: the picker offers active ones only (the API lists all).
    const all = await fetchSymbols();
    symbols = all.filter((s) => s.active !== false);
    deactivated = all.filter((s) => s.active === false).map((s) => s.symbol);
  } catch (e) {
    setStatus(`could not list symbols: ${(e as Error).message}`, true);
  }
  let wanted = params.get('symbol');
  if (wanted && deactivated.includes(wanted)) wanted = null;
  else if (wanted && !symbols.some((s) => s.symbol === wanted)) symbols.unshift({ symbol: wanted, intervals: [] });
  for (const s of symbols) option(symbolSel, s.symbol, s.symbol);
  if (symbols.length === 0) {
    state.ready = true;
    state.error = state.error ?? 'no symbols';
    setStatus('no tracked symbols', true);
    return;
  }
  state.symbol = wanted ?? symbols[0].symbol;
  symbolSel.value = state.symbol;
  fillIntervals();
  syncUrl();
  await load();
  // Signal alerts link here with ?focus=<epoch ms> of the buy/sell point's bar.
  const focus = Number(params.get('focus'));
  if (Number.isFinite(focus) && focus > 0) state.focused = chart.focusOn(focus);
  pollTimer = setInterval(() => void poll(), state.pollMs);
  addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void poll();
  });
}

void init();
export { pollTimer };
