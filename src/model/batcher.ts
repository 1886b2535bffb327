// Collects what a capture source writes and hands it on in batches, about once per frame (16 ms), never one message
// per record. Bounded in bytes while nobody takes them (the user's memory budget): past it the oldest frames are
// dropped and counted.
import { BatchBuilder, type OtherRecord, type RecordBatch, type RecordSink } from './batch';
import type { Direction, FrameMark } from './types';

/** A frame's columns in the buffer (ids, times, sizes, flags, the payload's slot), about. */
const FRAME_BYTES = 64;
/** Until the host knows the user's budget: the default budget's. */
const DEFAULT_MAX_BYTES = 500 * 1024 * 1024;

export interface BatcherOptions {
  flush: (batch: RecordBatch) => void;
  intervalMs?: number;
  /** Called when a record arrives in an empty buffer while open: a reader that pulls (flushNow) may want to come. */
  onPending?: () => void;
  /** What the buffer may hold, estimated in bytes (see bytesHeld). */
  maxBytes?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  /** Clock in ms (performance.now by default). */
  now?: () => number;
  /** Runs a function at the end of the current task (queueMicrotask by default). */
  soon?: (fn: () => void) => void;
}

export class Batcher implements RecordSink {
  private readonly buf = new BatchBuilder();
  private scheduled = false;
  private open = false;
  private soonQueued = false;
  private lastFlush = -Infinity;
  dropped = 0;
  private readonly opts: Required<Omit<BatcherOptions, 'onPending'>>;
  onPending: (() => void) | undefined;

  constructor(opts: BatcherOptions) {
    this.opts = {
      intervalMs: 16,
      maxBytes: DEFAULT_MAX_BYTES,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      now: () => performance.now(),
      soon: (fn) => queueMicrotask(fn),
      ...opts,
    };
    this.onPending = opts.onPending;
  }

  /**
   * How long records may wait for the next batch. A reader that pulls them at its own pace (the panel, at its animation
   * frames) sets it longer: the batcher's own flushes are then only for when that reader does not come.
   */
  setInterval(ms: number): void {
    this.opts.intervalMs = ms;
  }

  /** Bound what it holds (the user's memory budget); sheds at once if it holds more. */
  setMaxBytes(bytes: number): void {
    this.opts.maxBytes = Math.max(1024 * 1024, bytes);
    if (this.bytesHeld() > this.opts.maxBytes) this.shed();
  }

  /** The buffer's size in bytes, as estimated: two per payload character (a string may be two-byte) and each frame's columns. */
  bytesHeld(): number {
    return this.buf.chars * 2 + this.buf.frames * FRAME_BYTES;
  }

  frame(id: number, conn: number, dir: Direction, opcode: number, ts: number, size: number, payload: string | undefined, binary: boolean, mark?: FrameMark): void {
    if (this.open && this.buf.empty) this.onPending?.();
    this.buf.frame(id, conn, dir, opcode, ts, size, payload, binary, mark);
    if (this.bytesHeld() > this.opts.maxBytes) this.shed();
    this.arrived();
  }

  record(r: OtherRecord): void {
    if (this.open && this.buf.empty) this.onPending?.();
    this.buf.record(r);
    this.arrived();
  }

  private arrived() {
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

  /** Start or stop delivering (while closed, records wait in the buffer). */
  setOpen(open: boolean): void {
    this.open = open;
    if (open) this.schedule();
  }

  flushNow(): void {
    this.scheduled = false;
    if (!this.open || this.buf.empty) return;
    this.lastFlush = this.opts.now();
    this.opts.flush(this.buf.take());
  }

  private schedule() {
    if (this.scheduled || !this.open) return;
    this.scheduled = true;
    this.opts.setTimer(() => this.flushNow(), this.opts.intervalMs);
  }

  /** Drop the oldest tenth of the buffered frames (more if their payloads are still over the bound); other records stay. */
  private shed() {
    let n = Math.ceil(this.buf.frames / 10);
    this.buf.dropOldest(n);
    this.dropped += n;
    while (this.bytesHeld() > this.opts.maxBytes * 0.9 && this.buf.frames > 1) {
      n = Math.ceil(this.buf.frames / 10);
      this.buf.dropOldest(n);
      this.dropped += n;
    }
  }
}
