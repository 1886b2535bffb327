// Collects records and hands them on in batches, about once per frame (16 ms), never one message per record.
// Bounded while nobody takes them: past `maxBuffered` the oldest frames are dropped and counted.
import type { CaptureRecord } from './types';

export interface BatcherOptions {
  flush: (records: CaptureRecord[]) => void;
  intervalMs?: number;
  maxBuffered?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  /** Clock in ms (performance.now by default). */
  now?: () => number;
  /** Runs a function at the end of the current task (queueMicrotask by default). */
  soon?: (fn: () => void) => void;
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
      now: () => performance.now(),
      soon: (fn) => queueMicrotask(fn),
      ...opts,
    };
  }

  push(r: CaptureRecord): void {
    this.buf.push(r);
    if (this.buf.length > this.opts.maxBuffered) this.shed();
    // A batch that is due goes out at the end of this task: timers of hidden pages (the DevTools page is one) are
    // throttled, sometimes to once a second, so under a steady stream the arrivals themselves drive the batches.
    if (this.open && !this.soonQueued && this.opts.now() - this.lastFlush >= this.opts.intervalMs) {
      this.soonQueued = true;
      this.opts.soon(() => {
        this.soonQueued = false;
        this.flushNow();
      });
    }
    this.schedule();
  }
  private soonQueued = false;
  private lastFlush = -Infinity;

  /** Start or stop delivering (while closed, records wait in the buffer). */
  setOpen(open: boolean): void {
    this.open = open;
    if (open) this.schedule();
  }

  flushNow(): void {
    this.scheduled = false;
    if (!this.open || this.buf.length === 0) return;
    this.lastFlush = this.opts.now();
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
