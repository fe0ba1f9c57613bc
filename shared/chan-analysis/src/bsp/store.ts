/**
 * Where buy/sell points live (chan-spec §12.2): the stored points (reported, and what the follow-1 options
 * look at) and the "bsp1 list" (every type-1/1p point created, stored or not: what later types relate to).
 * Both are kept sorted by line idx so that an incremental update drops its unsure tail in O(tail).
 */
import type { BspType, Line } from '../types.js';
import type { BspSideConfig } from '../config.js';
import { BuySellPointImpl, type Features } from './point.js';

const byLineIdx = (a: BuySellPointImpl<Line>, b: BuySellPointImpl<Line>): number => a.line.idx - b.line.idx;

class SortedByLine<L extends Line> {
  /** In line order, except that entries from `unsortedFrom` on may be out of order until `sort()`. */
  readonly list: BuySellPointImpl<L>[] = [];
  /** Point by line idx (line indices are small dense integers: an array beats a Map here). */
  readonly byLine: (BuySellPointImpl<L> | undefined)[] = [];
  private unsortedFrom = Infinity;

  at(idx: number): BuySellPointImpl<L> | undefined {
    return idx < this.byLine.length ? this.byLine[idx] : undefined;
  }

  /**
   * Appends; an out-of-order point (the type-2/3 passes come after the type-1 pass over later segments) only
   * marks where the list must be re-sorted, so a whole batch run costs one sort instead of a shifting insertion
   * per point.
   */
  insert(p: BuySellPointImpl<L>): void {
    const list = this.list;
    const idx = p.line.idx;
    const n = list.length;
    if (n > 0 && list[n - 1]!.line.idx > idx) {
      // First position whose line comes after p's: binary search over the sorted prefix.
      let lo = 0;
      let hi = Math.min(n, this.unsortedFrom);
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (list[mid]!.line.idx > idx) hi = mid;
        else lo = mid + 1;
      }
      if (lo < this.unsortedFrom) this.unsortedFrom = lo;
    }
    list.push(p);
    const byLine = this.byLine;
    while (byLine.length < idx) byLine.push(undefined);
    byLine[idx] = p;
  }

  /**
   * Restores line order: a stable sort of the out-of-order tail, so points on the same line keep their
   * insertion order (as a shifting insertion would).
   */
  sort(): void {
    const from = this.unsortedFrom;
    if (from === Infinity) return;
    this.unsortedFrom = Infinity;
    const list = this.list;
    const n = list.length;
    if (n - from <= 16) {
      // A short tail (a streaming update): stable insertion sort in place.
      for (let i = from + 1; i < n; i++) {
        const p = list[i]!;
        const idx = p.line.idx;
        let j = i;
        while (j > from && list[j - 1]!.line.idx > idx) {
          list[j] = list[j - 1]!;
          j--;
        }
        list[j] = p;
      }
      return;
    }
    if (from === 0) {
      list.sort(byLineIdx);
      return;
    }
    const tail = list.splice(from);
    tail.sort(byLineIdx);
    for (let i = 0; i < tail.length; i++) list.push(tail[i]!);
  }

  /** Drops points whose line ends after raw bar `bar`. */
  dropAfter(bar: number): void {
    this.sort();
    const list = this.list;
    while (list.length > 0 && list[list.length - 1]!.line.endBar > bar) {
      this.byLine[list.pop()!.line.idx] = undefined;
    }
  }

  clear(): void {
    this.list.length = 0;
    this.byLine.length = 0;
    this.unsortedFrom = Infinity;
  }
}

export class BspStore<L extends Line = Line> {
  private readonly stored = new SortedByLine<L>();
  private readonly bsp1 = new SortedByLine<L>();

  constructor(private readonly sides: { buy: BspSideConfig; sell: BspSideConfig }) {}

  /** Stored points in line order. */
  get points(): readonly BuySellPointImpl<L>[] {
    this.stored.sort();
    return this.stored.list;
  }

  /** Puts both lists back in line order after a run of `add` calls (`points` is then the sorted live list). */
  sort(): void {
    this.stored.sort();
    this.bsp1.sort();
  }

  storedAt(lineIdx: number): BuySellPointImpl<L> | undefined {
    return this.stored.at(lineIdx);
  }

  bsp1At(lineIdx: number): BuySellPointImpl<L> | undefined {
    return this.bsp1.at(lineIdx);
  }

  /**
   * Whether the points at line `lineIdx` are at most one type-1/1p record and nothing else: no stored point,
   * or the stored point is that record with its single type (no later rule appended a type or features).
   */
  onlyBsp1At(lineIdx: number): boolean {
    const stored = this.stored.at(lineIdx);
    return stored === undefined || (stored === this.bsp1.at(lineIdx) && stored.types.length === 1);
  }

  dropAfter(bar: number): void {
    this.stored.dropAfter(bar);
    this.bsp1.dropAfter(bar);
  }

  clear(): void {
    this.stored.clear();
    this.bsp1.clear();
  }

  /**
   * chan.py add_bs. The side comes from the line, never from the config that drove the rule; a type lands on
   * an existing point even when it is not a target (chan-spec §12.2 quirk). `features` must be a fresh object:
   * a new point takes ownership of it (see BuySellPointImpl).
   */
  add(
    type: BspType,
    line: L,
    relateBsp1: BuySellPointImpl<L> | undefined,
    isTarget: boolean,
    features: Features,
  ): void {
    const existing = this.stored.at(line.idx);
    if (existing !== undefined) {
      existing.addType(type, relateBsp1, features);
      return;
    }
    const side = line.dir < 0 ? this.sides.buy : this.sides.sell;
    if (!side.bsType.includes(type)) isTarget = false;
    const isBsp1 = type === '1' || type === '1p';
    if (!isTarget && !isBsp1) return;
    const p = new BuySellPointImpl<L>(line, type, relateBsp1, features);
    if (isTarget) this.stored.insert(p);
    if (isBsp1) this.bsp1.insert(p);
  }
}
