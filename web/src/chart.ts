/**
 * The lightweight-charts v5 chart: candles (pane 0, with the structure overlay and buy/sell markers), volume
 * (pane 1) and MACD — DIF, DEA, histogram — (pane 2), one time axis and one crosshair across the panes.
 */
import {
  CandlestickSeries,
  ColorType,
  CrosshairMode,
  HistogramSeries,
  LineSeries,
  LineStyle,
  createChart,
  createSeriesMarkers,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type LogicalRange,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { ChanResult, ResultBar, ResultSignal } from '../../shared/chan-analysis/src/result.js';
import type { Kline } from './api.js';
import { Coords } from './coords.js';
import { signalLabel } from './explain.js';
import type { Layer } from './layers.js';
import { StructureOverlay } from './overlay.js';
import { STYLE, palette, type Convention, type Palette } from './theme.js';

const sec = (ms: number) => Math.round(ms / 1000) as UTCTimestamp;
const TRANSPARENT = 'rgba(0,0,0,0)';

export class ChanChart {
  readonly chart: IChartApi;
  readonly candles: ISeriesApi<'Candlestick'>;
  readonly volume: ISeriesApi<'Histogram'>;
  readonly dif: ISeriesApi<'Line'>;
  readonly dea: ISeriesApi<'Line'>;
  readonly hist: ISeriesApi<'Histogram'>;
  readonly markers: ISeriesMarkersPluginApi<Time>;
  readonly overlay: StructureOverlay;
  readonly coords: Coords;
  result: ChanResult | null = null;
  private bars: ResultBar[] = [];
  private pal: Palette;
  private layers = new Set<Layer>();

  constructor(container: HTMLElement, convention: Convention) {
    this.pal = palette(convention);
    this.chart = createChart(container, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: STYLE.background },
        textColor: STYLE.text,
        fontSize: 11,
        panes: { separatorColor: '#d0d0d0', enableResize: true },
        // The logo injects an inline <style>, which the page's CSP forbids; the footer carries the attribution
        // the library's licence asks for instead (a link to TradingView).
        attributionLogo: false,
      },
      grid: { vertLines: { color: STYLE.grid }, horzLines: { color: STYLE.grid } },
      crosshair: { mode: CrosshairMode.Normal },
      rightPriceScale: { borderColor: '#cccccc' },
      timeScale: { borderColor: '#cccccc', rightOffset: 6, barSpacing: 6, timeVisible: true, secondsVisible: false },
      handleScroll: true,
      handleScale: true,
    });
    this.candles = this.chart.addSeries(CandlestickSeries, { priceLineVisible: false, lastValueVisible: true }, 0);
    this.volume = this.chart.addSeries(
      HistogramSeries,
      { priceFormat: { type: 'volume' }, priceLineVisible: false, lastValueVisible: false },
      1,
    );
    this.hist = this.chart.addSeries(
      HistogramSeries,
      { priceLineVisible: false, lastValueVisible: false, title: 'MACD' },
      2,
    );
    this.dif = this.chart.addSeries(
      LineSeries,
      {
        color: STYLE.dif,
        lineWidth: 1,
        priceLineVisible: false,
        lastValueVisible: false,
        title: 'DIF',
        crosshairMarkerVisible: false,
      },
      2,
    );
    this.dea = this.chart.addSeries(
      LineSeries,
      {
        color: STYLE.dea,
        lineWidth: 1,
        priceLineVisible: false,
        lastValueVisible: false,
        title: 'DEA',
        crosshairMarkerVisible: false,
      },
      2,
    );
    this.dif.createPriceLine({
      price: 0,
      color: '#bbbbbb',
      lineStyle: LineStyle.Dotted,
      lineWidth: 1,
      axisLabelVisible: false,
    });
    const panes = this.chart.panes();
    panes[0]?.setStretchFactor(6);
    panes[1]?.setStretchFactor(1.2);
    panes[2]?.setStretchFactor(2.2);
    this.markers = createSeriesMarkers(this.candles, [], { autoScale: true });
    this.coords = new Coords(this.chart, this.candles);
    this.overlay = new StructureOverlay(this.coords);
    this.candles.attachPrimitive(this.overlay);
    this.applyPalette();
  }

  get convention(): Palette {
    return this.pal;
  }

  setConvention(c: Convention): void {
    this.pal = palette(c);
    this.applyPalette();
    this.setSeriesData(false);
    this.applyMarkers();
  }

  private applyPalette(): void {
    const show = this.layers.has('candles') || this.layers.size === 0;
    const { up, down } = this.pal;
    this.candles.applyOptions({
      upColor: show ? up : TRANSPARENT,
      downColor: show ? down : TRANSPARENT,
      borderUpColor: show ? up : TRANSPARENT,
      borderDownColor: show ? down : TRANSPARENT,
      wickUpColor: show ? up : TRANSPARENT,
      wickDownColor: show ? down : TRANSPARENT,
      lastValueVisible: show,
    });
  }

  setLayers(layers: Set<Layer>): void {
    this.layers = new Set(layers);
    this.applyPalette();
    this.volume.applyOptions({ visible: layers.has('volume') });
    for (const s of [this.dif, this.dea, this.hist]) s.applyOptions({ visible: layers.has('macd') });
    this.overlay.layers = new Set(layers);
    this.applyMarkers();
    this.overlay.update();
  }

  /** Loads a new analysis. `keepView` keeps the visible range (poll refresh); otherwise shows the latest bars. */
  setResult(result: ChanResult, keepView: boolean): void {
    let range = keepView ? this.chart.timeScale().getVisibleLogicalRange() : null;
    // A view that showed the latest bar keeps following it when bars are added.
    const grown = result.bars.length - this.bars.length;
    if (range && grown > 0 && range.to >= this.bars.length - 1) {
      range = { from: (range.from + grown) as LogicalRange['from'], to: (range.to + grown) as LogicalRange['to'] };
    }
    this.result = result;
    this.bars = result.bars.slice();
    this.coords.setTimes(this.bars.map((b) => b.ts));
    this.setSeriesData(true);
    this.overlay.result = result;
    this.applyMarkers();
    if (range) this.chart.timeScale().setVisibleLogicalRange(range);
    else this.showLatest(Math.min(400, this.bars.length));
    this.overlay.update();
  }

  /** Daily and weekly bars show dates only on the time axis. */
  setIntraday(intraday: boolean): void {
    this.chart.applyOptions({ timeScale: { timeVisible: intraday } });
  }

  /** Centres the view on the bar at or before `ts` (alert links: `?focus=<epoch ms>`); false if out of range. */
  focusOn(ts: number, span = 120): boolean {
    const bars = this.bars;
    if (bars.length === 0 || ts < bars[0].ts) return false;
    let i = bars.length - 1;
    while (i > 0 && bars[i].ts > ts) i--;
    const half = Math.floor(span / 2);
    this.chart.timeScale().setVisibleLogicalRange({
      from: (i - half) as LogicalRange['from'],
      to: (i + half) as LogicalRange['to'],
    });
    return true;
  }

  showLatest(n: number): void {
    const last = this.bars.length - 1;
    const r: LogicalRange = { from: (last - n + 1) as LogicalRange['from'], to: (last + 6) as LogicalRange['to'] };
    this.chart.timeScale().setVisibleLogicalRange(r);
  }

  private setSeriesData(_full: boolean): void {
    const { up, down, upVolume, downVolume } = this.pal;
    this.candles.setData(
      this.bars.map((b) => ({ time: sec(b.ts), open: b.open, high: b.high, low: b.low, close: b.close })),
    );
    this.volume.setData(
      this.bars.map((b) => ({
        time: sec(b.ts),
        value: b.volume ?? 0,
        color: b.close >= b.open ? upVolume : downVolume,
      })),
    );
    this.dif.setData(this.bars.map((b) => ({ time: sec(b.ts), value: b.dif })));
    this.dea.setData(this.bars.map((b) => ({ time: sec(b.ts), value: b.dea })));
    this.hist.setData(this.bars.map((b) => ({ time: sec(b.ts), value: b.macd, color: b.macd >= 0 ? up : down })));
  }

  private markerOf(s: ResultSignal, seg: boolean): SeriesMarker<Time> {
    const buy = s.side === 'buy';
    const base = buy ? this.pal.buy : this.pal.sell;
    return {
      id: s.id,
      time: sec(s.ts),
      position: buy ? 'atPriceBottom' : 'atPriceTop',
      price: s.price,
      shape: s.confirmed ? (buy ? 'arrowUp' : 'arrowDown') : 'circle',
      color: s.confirmed ? base : `${base}99`,
      text: seg ? `[${signalLabel(s)}]` : signalLabel(s),
      size: seg ? 1.6 : 1,
    };
  }

  applyMarkers(): void {
    const r = this.result;
    const list: SeriesMarker<Time>[] = [];
    if (r && this.layers.has('strokeSignals')) list.push(...r.strokeSignals.map((s) => this.markerOf(s, false)));
    if (r && this.layers.has('segmentSignals')) list.push(...r.segmentSignals.map((s) => this.markerOf(s, true)));
    list.sort((a, b) => (a.time as number) - (b.time as number));
    this.markers.setMarkers(list);
  }

  /** Poll refresh: replace the bars from the first returned one on (the forming last bar, and any new ones). */
  updateBars(klines: Kline[]): { changed: boolean; appended: number } {
    let changed = false;
    let appended = 0;
    for (const k of klines) {
      const last = this.bars[this.bars.length - 1];
      if (!last || k.ts < last.ts) continue;
      const same = k.ts === last.ts;
      if (
        same &&
        last.open === k.open &&
        last.high === k.high &&
        last.low === k.low &&
        last.close === k.close &&
        last.volume === k.volume
      )
        continue;
      const bar: ResultBar = same ? { ...last, ...k } : { ...k, dif: last.dif, dea: last.dea, macd: last.macd };
      if (same) this.bars[this.bars.length - 1] = bar;
      else {
        this.bars.push(bar);
        appended++;
      }
      changed = true;
      const t = sec(bar.ts);
      this.candles.update({ time: t, open: bar.open, high: bar.high, low: bar.low, close: bar.close });
      this.volume.update({
        time: t,
        value: bar.volume ?? 0,
        color: bar.close >= bar.open ? this.pal.upVolume : this.pal.downVolume,
      });
    }
    if (appended) this.coords.setTimes(this.bars.map((b) => b.ts));
    return { changed, appended };
  }

  get lastBar(): ResultBar | undefined {
    return this.bars[this.bars.length - 1];
  }

  barAt(index: number): ResultBar | undefined {
    return this.bars[Math.round(index)];
  }

  /** Engine coordinates → pixels relative to the chart element (the main pane's top-left corner). */
  toPixel(time: number | string, price: number): { x: number; y: number } | null {
    const ts = typeof time === 'number' ? time : this.bars.find((b) => b.time === time)?.ts;
    if (ts === undefined) return null;
    const x = this.coords.x(ts);
    const y = this.coords.y(price);
    return x == null || y == null ? null : { x, y };
  }
}
