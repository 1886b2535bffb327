// Rows kept as typed-array columns, appended at the tail and dropped from the head (as the store evicts its oldest
// frames): compact per-row data without an object per row. Rows have absolute numbers that never change.
type Column = Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array;
type ColumnSet = Record<string, Column>;

export class Columns<T extends ColumnSet> {
  cols: T;
  /** Absolute number of the row in slot 0 of the columns. */
  base = 0;
  /** First row held. */
  head = 0;
  /** Next row to be appended. */
  tail = 0;

  constructor(
    private readonly make: (n: number) => T,
    private readonly initial = 1024,
  ) {
    this.cols = make(initial);
  }

  get size(): number {
    return this.tail - this.head;
  }

  /** Appends a row (its cells zero) and returns its slot. */
  push(): number {
    let slot = this.tail - this.base;
    const cap = this.cols[Object.keys(this.cols)[0]].length;
    if (slot === cap) {
      // Full: move the live rows down (when more than half is dropped rows) or into columns twice as large.
      const live = this.tail - this.head;
      const next = live * 2 > cap ? this.make(cap * 2) : this.cols;
      const from = this.head - this.base;
      for (const k in this.cols) {
        const src = this.cols[k];
        if (next === this.cols) src.copyWithin(0, from, slot);
        else next[k].set(src.subarray(from, slot));
        next[k].fill(0, live);
      }
      this.cols = next;
      this.base = this.head;
      slot = live;
    }
    this.tail++;
    return slot;
  }

  /** Drops the rows before `row`. */
  dropBefore(row: number): void {
    if (row > this.head) this.head = Math.min(row, this.tail);
  }

  clear(): void {
    this.cols = this.make(this.initial);
    this.base = this.head = this.tail = 0;
  }
}
