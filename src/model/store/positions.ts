// A list of row positions for the store's filters. Pure.
/**
 * A list of row positions in blocks of 2^15: it grows without copying (a filter matching a million rows makes 32
 * blocks, not a doubling chain of ever larger arrays the garbage collector has to chase), and drops from either end.
 */
const POS_BITS = 15;
const POS_BLOCK = 1 << POS_BITS;
const POS_MASK = POS_BLOCK - 1;
export class Positions {
  private blocks: Float64Array[] = [];
  /** Index of the first position within blocks[0]. */
  private start = 0;
  /** Number of positions held. */
  n = 0;
  push(x: number): void {
    const at = this.start + this.n;
    const b = at >>> POS_BITS;
    if (b === this.blocks.length) this.blocks.push(new Float64Array(POS_BLOCK));
    this.blocks[b][at & POS_MASK] = x;
    this.n++;
  }
  at(i: number): number {
    const at = this.start + i;
    return this.blocks[at >>> POS_BITS][at & POS_MASK];
  }
  /** Drop the first k positions. */
  dropFirst(k: number): void {
    this.start += k;
    this.n -= k;
    while (this.start >= POS_BLOCK) {
      this.blocks.shift();
      this.start -= POS_BLOCK;
    }
  }
  /** Drop the last k positions. */
  dropLast(k: number): void {
    this.n -= k;
    const need = (this.start + this.n + POS_MASK) >>> POS_BITS;
    if (this.blocks.length > need + 1) this.blocks.length = need + 1; // keep one spare block
  }
}

