// Collects records and hands them on in batches, about once per frame (16 ms), never one message per record.
// Bounded while nobody takes them: past `maxBuffered` the oldest frames are dropped and counted.
import type { CaptureRecord } from './types';

export interface BatcherOptions {
  flush: (records: CaptureRecord[]) => void;
  intervalMs?: number;
  maxBuffered?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
}

export class Batcher {
  private buf: CaptureRecord[] = [];
  private scheduled = false;
  private open = false;
  dropped = 0;
  private readonly opts: Required<BatcherOptions>;

  constructor(opts: BatcherOptions) {
    this.opts = {
      intervalMs: 16,
      maxBuffered: 2_000_000,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      ...opts,
    };
  }

  push(r: CaptureRecord): void {
    this.buf.push(r);
    if (this.buf.length > this.opts.maxBuffered) this.shed();
    this.schedule();
  }

  /** Start or stop delivering (while closed, records wait in the buffer). */
  setOpen(open: boolean): void {
    this.open = open;
    if (open) this.schedule();
  }

  flushNow(): void {
    this.scheduled = false;
    if (!this.open || this.buf.length === 0) return;
    const out = this.buf;
    this.buf = [];
    this.opts.flush(out);
  }

  private schedule() {
    if (this.scheduled || !this.open) return;
    this.scheduled = true;
    this.opts.setTimer(() => this.flushNow(), this.opts.intervalMs);
  }

  /** Drop the oldest tenth of the buffered frames; connection records are kept (they are few and needed). */
  private shed() {
    let toDrop = Math.ceil(this.opts.maxBuffered / 10);
    const kept: CaptureRecord[] = [];
    for (const r of this.buf) {
      if (toDrop > 0 && r.t === 'frame') {
        toDrop--;
        this.dropped++;
        continue;
      }
      kept.push(r);
    }
    this.buf = kept;
  }
}
