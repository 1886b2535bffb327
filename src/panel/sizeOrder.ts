// The timeline's order by size: the visible rows' indices sorted by payload size (ties in capture order), kept up to
// date as rows arrive, so a store batch costs a merge of its rows rather than a sort of every visible row.
import type { SessionStore } from '../model/store';

/** What the order reads of the store. */
export type SizedRows = Pick<SessionStore, 'visibleCount' | 'visibleIdAt' | 'visibleSizeAt' | 'visibleIndexOf' | 'visibleEpoch'>;

export class SizeOrder {
  /** order[rank] = index among the visible rows; room for more than `count` (it grows by doubling). */
  private order = new Uint32Array(0);
  /** Visible rows in the order. */
  private count = 0;
  private readonly sign: number;
  // What the order was made from: the store's visible rows as of `epoch` (it moves when they change other than by rows
  // added: another filter, a clear, eviction), and the ids of its first and last rows.
  private epoch = NaN;
  private firstId = NaN;
  private lastId = NaN;

  constructor(
    private readonly store: SizedRows,
    dir: 'asc' | 'desc',
  ) {
    this.sign = dir === 'asc' ? 1 : -1;
  }

  /**
   * Bring the order up to the store's visible rows. While the store's visibleEpoch stands, rows are only added: new
   * frames after the rows already ordered, and a filter scan's older matches before them; those are merged in.
   * Anything else (another filter, a clear, the oldest rows evicted) is a new set of rows, sorted afresh.
   */
  update(): void {
    const s = this.store;
    const n = s.visibleCount;
    const n0 = this.count;
    if (s.visibleEpoch !== this.epoch || n0 === 0) return this.rebuild();
    if (n === n0 && s.visibleIdAt(0) === this.firstId && s.visibleIdAt(n - 1) === this.lastId) return;
    // Where the rows ordered last time are now: together, after `before` new ones, or the set changed otherwise.
    const before = s.visibleIndexOf(this.firstId);
    if (before < 0 || before + n0 > n || s.visibleIdAt(before + n0 - 1) !== this.lastId) return this.rebuild();
    this.merge(before, n);
  }

  /** Index among the visible rows of the row at `rank` in this order. */
  at(rank: number): number {
    return this.order[rank];
  }

  /** Rank in this order of the visible row at `index`, or -1 (binary search: the order is sorted by size, then index). */
  rankOf(index: number): number {
    if (index < 0 || index >= this.count) return -1;
    const size = this.store.visibleSizeAt(index);
    const r = this.ranksBefore(index, size, this.count);
    return this.order[r] === index ? r : -1;
  }

  private rebuild(): void {
    const s = this.store;
    const n = s.visibleCount;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const sizes = new Float64Array(n);
    for (let i = 0; i < n; i++) sizes[i] = s.visibleSizeAt(i);
    const sign = this.sign;
    order.sort((a, b) => sign * (sizes[a] - sizes[b]) || a - b);
    this.order = order;
    this.settle(n);
  }

  /**
   * Merge in the rows new since the last update: `before` rows ahead of those already ordered (whose indices move up
   * by as much), and the rows after them up to `n`. Each new row, largest rank first, finds its place by binary search
   * and the ordered rows after it move up in one copy: no row is compared more than a binary search needs.
   */
  private merge(before: number, n: number): void {
    const s = this.store;
    const n0 = this.count;
    const added = n - n0;
    if (this.order.length < n) {
      const grown = new Uint32Array(Math.max(n, 2 * this.order.length));
      grown.set(this.order.subarray(0, n0));
      this.order = grown;
    }
    const order = this.order;
    if (before > 0) for (let r = 0; r < n0; r++) order[r] += before;
    // The new rows, sorted among themselves: row k of `fresh` is visible row k, or k + n0 past the first `before`.
    const fresh = new Uint32Array(added);
    const sizes = new Float64Array(added);
    for (let k = 0; k < added; k++) {
      fresh[k] = k < before ? k : k + n0;
      sizes[k] = s.visibleSizeAt(fresh[k]);
    }
    const sign = this.sign;
    const slot = (i: number) => (i < before ? i : i - n0);
    fresh.sort((a, b) => sign * (sizes[slot(a)] - sizes[slot(b)]) || a - b);
    let end = n0; // ordered rows [0, end) have not moved yet
    for (let j = added - 1; j >= 0; j--) {
      const row = fresh[j];
      const at = this.ranksBefore(row, sizes[slot(row)], end);
      order.copyWithin(at + j + 1, at, end);
      order[at + j] = row;
      end = at;
    }
    this.settle(n);
  }

  /** How many of the first `end` ranks come before the row (`index`, `size`): by size, then by index. */
  private ranksBefore(index: number, size: number, end: number): number {
    const s = this.store;
    const order = this.order;
    const sign = this.sign;
    let lo = 0;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const other = order[mid];
      const d = sign * (s.visibleSizeAt(other) - size);
      if (d < 0 || (d === 0 && other < index)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private settle(n: number): void {
    const s = this.store;
    this.count = n;
    this.epoch = s.visibleEpoch;
    this.firstId = n ? s.visibleIdAt(0) : NaN;
    this.lastId = n ? s.visibleIdAt(n - 1) : NaN;
  }
}
