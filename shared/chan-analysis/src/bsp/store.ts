/**
 * Where buy/sell points live (chan-spec §12.2): the stored points (reported, and what the follow-1 options
 * look at) and the "bsp1 list" (every type-1/1p point created, stored or not: what later types relate to).
 * Both are kept sorted by line idx so that an incremental update drops its unsure tail in O(tail).
 */
import type { BspType, Line } from '../types.js';
import type { BspSideConfig } from '../config.js';
import { BuySellPointImpl, type Features } from './point.js';

class SortedByLine<L extends Line> {
  readonly list: BuySellPointImpl<L>[] = [];
  /** Point by line idx (line indices are small dense integers: an array beats a Map here). */
  readonly byLine: (BuySellPointImpl<L> | undefined)[] = [];

  at(idx: number): BuySellPointImpl<L> | undefined {
    return idx < this.byLine.length ? this.byLine[idx] : undefined;
  }

  insert(p: BuySellPointImpl<L>): void {
    const list = this.list;
    const idx = p.line.idx;
    let i = list.length;
    if (i === 0 || list[i - 1]!.line.idx < idx) {
      // Lines mostly come in order: append.
      list.push(p);
    } else {
      while (i > 0 && list[i - 1]!.line.idx > idx) i--;
      list.splice(i, 0, p);
    }
    const byLine = this.byLine;
    while (byLine.length < idx) byLine.push(undefined);
    byLine[idx] = p;
  }

  /** Drops points whose line ends after raw bar `bar`. */
  dropAfter(bar: number): void {
    const list = this.list;
    while (list.length > 0 && list[list.length - 1]!.line.endBar > bar) {
      this.byLine[list.pop()!.line.idx] = undefined;
    }
  }

  clear(): void {
    this.list.length = 0;
    this.byLine.length = 0;
  }
}

export class BspStore<L extends Line = Line> {
  private readonly stored = new SortedByLine<L>();
  private readonly bsp1 = new SortedByLine<L>();

  constructor(private readonly sides: { buy: BspSideConfig; sell: BspSideConfig }) {}

  /** Stored points in line order. */
  get points(): readonly BuySellPointImpl<L>[] {
    return this.stored.list;
  }

  storedAt(lineIdx: number): BuySellPointImpl<L> | undefined {
    return this.stored.at(lineIdx);
  }

  bsp1At(lineIdx: number): BuySellPointImpl<L> | undefined {
    return this.bsp1.at(lineIdx);
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
