/**
 * Engine coordinates (epoch-ms time, price) → chart pixels (CSS px, relative to the main pane). The x axis is
 * the bar index ("logical" index in lightweight-charts), so structures line up with candles whatever the
 * calendar gaps (weekends, holidays, lunch breaks).
 */
import type { IChartApi, ISeriesApi, Logical, SeriesType } from 'lightweight-charts';

export class Coords {
  private ts: number[] = [];

  constructor(
    private readonly chart: IChartApi,
    private readonly series: ISeriesApi<SeriesType>,
  ) {}

  setTimes(ts: number[]): void {
    this.ts = ts;
  }

  get barCount(): number {
    return this.ts.length;
  }

  /** Bar index of an epoch-ms time: exact when it is a bar's time, else interpolated between neighbours. */
  indexOf(t: number): number {
    const a = this.ts;
    if (a.length === 0) return NaN;
    let lo = 0;
    let hi = a.length - 1;
    if (t <= a[0]) return t === a[0] ? 0 : -1;
    if (t >= a[hi]) return t === a[hi] ? hi : hi + 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (a[mid] <= t) lo = mid;
      else hi = mid;
    }
    if (a[lo] === t) return lo;
    return lo + (t - a[lo]) / (a[hi] - a[lo]);
  }

  xOfIndex(i: number): number | null {
    return this.chart.timeScale().logicalToCoordinate(i as Logical);
  }

  x(t: number): number | null {
    const i = this.indexOf(t);
    return Number.isFinite(i) ? this.xOfIndex(i) : null;
  }

  y(price: number): number | null {
    return this.series.priceToCoordinate(price);
  }

  /** Half the distance between two bars, in pixels. */
  halfBar(): number {
    return Math.max(1, this.chart.timeScale().options().barSpacing / 2);
  }

  /** Width of the main pane's drawing area (CSS px). */
  paneWidth(): number {
    return this.chart.timeScale().width();
  }

  /** Height of the main pane (CSS px). */
  paneHeight(): number {
    return this.chart.panes()[0]?.getHeight() ?? 0;
  }
}
