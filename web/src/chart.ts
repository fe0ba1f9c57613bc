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
import { INDICATOR_KEYS, type Indicator } from '../../functions/common/indicators.js';
import type { Layer } from './layers.js';
import { StructureOverlay } from './overlay.js';
import { STYLE, palette, type Convention, type Palette } from './theme.js';

const sec = (ms: number) => Math.round(ms / 1000) as UTCTimestamp;
const TRANSPARENT = 'rgba(0,0,0,0)';
/** Relative pane heights: candles, volume, MACD. */
const PANE_STRETCH = { main: 6, volume: 1.2, macd: 2.2 } as const;
/** The library's default minimum bar spacing; below it only when the whole history would not fit otherwise. */
const DEFAULT_MIN_BAR_SPACING = 0.5;
const RIGHT_OFFSET = 6;
/** Room left of the first bar when fitting the whole history. */
const FIT_PAD_PX = 4;

export class ChanChart {
  readonly chart: IChartApi;
  readonly candles: ISeriesApi<'Candlestick'>;
  /** The volume and MACD series exist only while their layer is on: removing a pane's last series removes the pane. */
  volume: ISeriesApi<'Histogram'> | null = null;
  macd: { dif: ISeriesApi<'Line'>; dea: ISeriesApi<'Line'>; hist: ISeriesApi<'Histogram'> } | null = null;
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
      timeScale: {
        borderColor: '#cccccc',
        rightOffset: RIGHT_OFFSET,
        barSpacing: 6,
        // The price axes widen when zooming out changes their labels; keep the same bars in view when they do
        // (otherwise "fit all" loses the oldest few bars off the left edge).
        lockVisibleTimeRangeOnResize: true,
        timeVisible: true,
        secondsVisible: false,
      },
      handleScroll: true,
      handleScale: true,
    });
    this.candles = this.chart.addSeries(CandlestickSeries, { priceLineVisible: false, lastValueVisible: true }, 0);
    this.chart.panes()[0]?.setStretchFactor(PANE_STRETCH.main);
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
    this.setSeriesData();
    this.applyMarkers();
    this.overlay.update();
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
    this.showVolume(layers.has('volume'));
    for (const k of INDICATOR_KEYS) this.indicatorPanes[k](layers.has(k));
    this.overlay.layers = new Set(layers);
    this.applyMarkers();
    this.overlay.update();
  }

  /** Shows or removes each indicator's pane (one entry per indicator in functions/common/indicators.ts). */
  private readonly indicatorPanes: Record<Indicator, (on: boolean) => void> = {
    macd: (on) => this.showMacd(on),
  };

  private showVolume(on: boolean): void {
    if (!on) {
      if (this.volume) this.chart.removeSeries(this.volume);
      this.volume = null;
      return;
    }
    if (this.volume) return;
    // A new pane goes last; the volume pane then moves right under the candles (above MACD when that is on).
    this.volume = this.chart.addSeries(
      HistogramSeries,
      { priceFormat: { type: 'volume' }, priceLineVisible: false, lastValueVisible: false },
      this.chart.panes().length,
    );
    this.volume.getPane().moveTo(1);
    this.volume.getPane().setStretchFactor(PANE_STRETCH.volume);
    this.setVolumeData();
  }

  private showMacd(on: boolean): void {
    if (!on) {
      if (this.macd) for (const s of Object.values(this.macd)) this.chart.removeSeries(s);
      this.macd = null;
      return;
    }
    if (this.macd) return;
    const pane = this.chart.panes().length;
    const line = (title: string, color: string) =>
      this.chart.addSeries(
        LineSeries,
        { color, lineWidth: 1, priceLineVisible: false, lastValueVisible: false, title, crosshairMarkerVisible: false },
        pane,
      );
    const hist = this.chart.addSeries(
      HistogramSeries,
      { priceLineVisible: false, lastValueVisible: false, title: 'MACD' },
      pane,
    );
    this.macd = { hist, dif: line('DIF', STYLE.dif), dea: line('DEA', STYLE.dea) };
    this.macd.dif.createPriceLine({
      price: 0,
      color: '#bbbbbb',
      lineStyle: LineStyle.Dotted,
      lineWidth: 1,
      axisLabelVisible: false,
    });
    hist.getPane().setStretchFactor(PANE_STRETCH.macd);
    this.setMacdData();
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
    this.setSeriesData();
    this.allowWholeHistory();
    this.overlay.result = result;
    this.applyMarkers();
    if (range) this.chart.timeScale().setVisibleLogicalRange(range);
    else this.showLatest(Math.min(400, this.bars.length));
    this.overlay.update();
  }

  /** Nothing to show (a series with no bars, or a failed load): no candles, structures or markers of anything else. */
  clear(): void {
    this.result = null;
    this.bars = [];
    this.coords.setTimes([]);
    this.setSeriesData();
    this.overlay.result = null;
    this.applyMarkers();
    this.overlay.update();
  }

  /**
   * The library stops zooming out at `minBarSpacing` (0.5 px by default), so on a long history "fit" showed only
   * the newest width/0.5 bars (SPY daily from 2011 of 1998–2021). Lower it just enough for every loaded bar.
   */
  private allowWholeHistory(): void {
    const width = this.chart.timeScale().width();
    // 10% spare: the axes may take a few pixels more once the whole history is in view.
    const needed = width > 0 ? (0.9 * width) / (this.bars.length + RIGHT_OFFSET + 1) : DEFAULT_MIN_BAR_SPACING;
    this.chart.applyOptions({ timeScale: { minBarSpacing: Math.min(DEFAULT_MIN_BAR_SPACING, needed) } });
  }

  /**
   * The whole loaded history in view, the first bar a few pixels in from the left edge (the library's fitContent
   * leaves it half cut off, which at a fraction of a pixel per bar is the whole bar).
   */
  fitAll(): void {
    if (this.bars.length === 0) return;
    this.allowWholeHistory();
    const ts = this.chart.timeScale();
    const last = this.bars.length - 1;
    const spacing = ts.width() / (last + RIGHT_OFFSET + 1);
    const pad = Math.max(1, FIT_PAD_PX / spacing);
    ts.setVisibleLogicalRange({ from: -pad as LogicalRange['from'], to: (last + RIGHT_OFFSET) as LogicalRange['to'] });
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
    const r: LogicalRange = {
      from: (last - n + 1) as LogicalRange['from'],
      to: (last + RIGHT_OFFSET) as LogicalRange['to'],
    };
    this.chart.timeScale().setVisibleLogicalRange(r);
  }

  private setSeriesData(): void {
    this.candles.setData(
      this.bars.map((b) => ({ time: sec(b.ts), open: b.open, high: b.high, low: b.low, close: b.close })),
    );
    this.setVolumeData();
    this.setMacdData();
  }

  private volumePoint(b: ResultBar) {
    return {
      time: sec(b.ts),
      value: b.volume ?? 0,
      color: b.close >= b.open ? this.pal.upVolume : this.pal.downVolume,
    };
  }

  private setVolumeData(): void {
    this.volume?.setData(this.bars.map((b) => this.volumePoint(b)));
  }

  private setMacdData(): void {
    if (!this.macd) return;
    const { up, down } = this.pal;
    this.macd.dif.setData(this.bars.map((b) => ({ time: sec(b.ts), value: b.dif })));
    this.macd.dea.setData(this.bars.map((b) => ({ time: sec(b.ts), value: b.dea })));
    this.macd.hist.setData(this.bars.map((b) => ({ time: sec(b.ts), value: b.macd, color: b.macd >= 0 ? up : down })));
  }

  private markerOf(s: ResultSignal, seg: boolean): SeriesMarker<Time> {
    const buy = s.side === 'buy';
    const base = buy ? this.pal.buy : this.pal.sell;
    const color = s.confirmed ? base : `${base}99`;
    const size = seg ? 1.6 : 1;
    // The type labels are painted by the overlay, which keeps them from overlapping (the plugin does not).
    this.overlay.markerStyles.set(s.id, { text: seg ? `[${signalLabel(s)}]` : signalLabel(s), color, size });
    return {
      id: s.id,
      time: sec(s.ts),
      position: buy ? 'atPriceBottom' : 'atPriceTop',
      price: s.price,
      shape: s.confirmed ? (buy ? 'arrowUp' : 'arrowDown') : 'circle',
      color,
      size,
    };
  }

  applyMarkers(): void {
    const r = this.result;
    const list: SeriesMarker<Time>[] = [];
    this.overlay.markerStyles.clear();
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
      this.volume?.update(this.volumePoint(bar));
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
