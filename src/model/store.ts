// The session store: connections and frames of one capture session. One door in: `apply(records)`.
// Domain data only; view state (selection, scroll, filter text) lives in the panel.
// Rows are served by index (`frameAt`, `visibleAt`) for the virtualized timeline. Pure: no chrome.*, no DOM.
import type { CaptureRecord, Connection, Frame, WireFrame } from './types';
import { OPCODE } from './types';
import { base64ToBytes } from './bytes';
import { toWallMs } from './time';

export type FramePredicate = (frame: Frame, conn: Connection | undefined) => boolean;

/** Estimated bytes a stored frame costs beyond its payload (the object, its fields, the row index). */
export const FRAME_OVERHEAD_BYTES = 160;
export const DEFAULT_BUDGET_BYTES = 500 * 1024 * 1024;

/** Estimated memory of a stored frame. */
export function frameCost(f: Frame): number {
  return FRAME_OVERHEAD_BYTES + (f.text !== undefined ? f.text.length : (f.bytes?.length ?? 0));
}

export interface StoreStats {
  framesSent: number;
  framesReceived: number;
  bytesSent: number;
  bytesReceived: number;
  /** Frames that arrived while capture was paused: counted, not stored. */
  pausedDropped: number;
  /** The oldest frames dropped to stay within the memory budget. */
  evicted: number;
}

export class SessionStore {
  /** Bumped on every change; views compare it to decide whether to re-render. */
  revision = 0;
  readonly connections = new Map<number, Connection>();
  /** Connection ids in the order they were first seen. */
  readonly connectionOrder: number[] = [];
  // frames[head…] are stored; frames[0…head) were evicted (emptied, compacted away now and then).
  private frames: Frame[] = [];
  private head = 0;
  // Indexes into `frames` of the frames the filter shows (visible[visHead…]); null = no filter (all visible).
  private visible: number[] | null = null;
  private visHead = 0;
  /** Memory the stored frames may use (estimated, see frameCost); past it the oldest are evicted and counted. */
  budgetBytes = DEFAULT_BUDGET_BYTES;
  /** Estimated memory of the stored frames. */
  usedBytes = 0;
  private predicate: FramePredicate | null = null;
  /** wall-clock seconds − CDP monotonic seconds. */
  anchor: number | undefined;
  paused = false;
  stats: StoreStats = { framesSent: 0, framesReceived: 0, bytesSent: 0, bytesReceived: 0, pausedDropped: 0, evicted: 0 };
  /** Frames stored per connection id. */
  readonly framesPerConnection = new Map<number, number>();
  private listeners = new Set<() => void>();
  /** Keep frames across navigations of the inspected page (separated on the timeline), or start afresh. */
  preserve = true;
  /** First frame after each navigation → the URL navigated to. */
  readonly navigationStarts = new Map<number, string>();
  private pendingNavigation: string | null = null;
  private readonly forgotten = new Set<number>();

  apply(records: readonly CaptureRecord[]): void {
    if (records.length === 0) return;
    for (const r of records) {
      switch (r.t) {
        case 'conn':
          if (this.forgotten.has(r.conn.id)) break; // a socket of a page we navigated away from
          if (!this.connections.has(r.conn.id)) this.connectionOrder.push(r.conn.id);
          this.connections.set(r.conn.id, r.conn);
          break;
        case 'frame':
          if (!this.forgotten.has(r.frame.conn)) this.addFrame(r.frame);
          break;
        case 'anchor':
          this.anchor = r.anchor;
          break;
        case 'navigated':
          if (this.preserve) this.pendingNavigation = r.url;
          else this.clearForNavigation();
          break;
      }
    }
    this.changed();
  }

  private addFrame(w: WireFrame) {
    if (this.paused) {
      this.stats.pausedDropped++;
      return;
    }
    const f: Frame = { id: w.id, conn: w.conn, dir: w.dir, opcode: w.opcode, ts: w.ts, size: w.size };
    if (this.pendingNavigation !== null) {
      this.navigationStarts.set(f.id, this.pendingNavigation);
      this.pendingNavigation = null;
    }
    if (w.text !== undefined) f.text = w.text;
    else if (w.b64 !== undefined) f.bytes = base64ToBytes(w.b64);
    if (w.mark) f.mark = w.mark;
    if (f.opcode !== OPCODE.error) {
      if (f.dir === 'sent') {
        this.stats.framesSent++;
        this.stats.bytesSent += f.size;
      } else {
        this.stats.framesReceived++;
        this.stats.bytesReceived += f.size;
      }
    }
    this.framesPerConnection.set(f.conn, (this.framesPerConnection.get(f.conn) ?? 0) + 1);
    const index = this.frames.push(f) - 1;
    this.usedBytes += frameCost(f);
    if (this.visible && this.predicate!(f, this.connections.get(f.conn))) this.visible.push(index);
    if (this.usedBytes > this.budgetBytes) this.evict();
  }

  /** Drop the oldest frames until the store is back under 95% of its budget (never the newest frame). */
  private evict() {
    const target = this.budgetBytes * 0.95;
    const last = this.frames.length - 1;
    while (this.head < last && this.usedBytes > target) {
      const f = this.frames[this.head];
      this.usedBytes -= frameCost(f);
      const n = this.framesPerConnection.get(f.conn)! - 1;
      if (n > 0) this.framesPerConnection.set(f.conn, n);
      else this.framesPerConnection.delete(f.conn);
      (this.frames as Array<Frame | undefined>)[this.head] = undefined; // its payload can be reclaimed now
      this.head++;
      this.stats.evicted++;
    }
    if (this.visible) while (this.visHead < this.visible.length && this.visible[this.visHead] < this.head) this.visHead++;
    while (this.found.length && this.found[this.found.length - 1] < this.head) this.found.pop();
    if (this.head > 4096 && this.head * 2 > this.frames.length) this.compact();
  }

  private compact() {
    const h = this.head;
    this.frames = this.frames.slice(h);
    if (this.visible) this.visible = this.visible.slice(this.visHead).map((i) => i - h);
    for (let k = 0; k < this.found.length; k++) this.found[k] -= h;
    if (this.scan) {
      this.scan.next -= h;
      this.scan.start -= h;
    }
    this.head = 0;
    this.visHead = 0;
  }

  /** Set the memory budget (bytes); evicts at once if the store is over it. */
  setBudget(bytes: number): void {
    this.budgetBytes = Math.max(1024 * 1024, bytes);
    if (this.usedBytes > this.budgetBytes) this.evict();
    this.changed();
  }

  get frameCount(): number {
    return this.frames.length - this.head;
  }

  frameAt(i: number): Frame | undefined {
    return i < 0 ? undefined : this.frames[this.head + i];
  }

  get visibleCount(): number {
    return this.visible ? this.found.length + this.visible.length - this.visHead : this.frameCount;
  }

  visibleAt(i: number): Frame | undefined {
    if (i < 0) return undefined;
    if (!this.visible) return this.frames[this.head + i];
    const n = this.found.length;
    return i < n ? this.frames[this.found[n - 1 - i]] : this.frames[this.visible[this.visHead + i - n]];
  }

  /** Position of a frame id among the visible rows, or -1. Frame ids increase with position. */
  visibleIndexOf(frameId: number): number {
    let lo = 0;
    let hi = this.visibleCount - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const id = this.visibleAt(mid)!.id;
      if (id === frameId) return mid;
      if (id < frameId) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  frameById(frameId: number): Frame | undefined {
    let lo = this.head;
    let hi = this.frames.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const id = this.frames[mid].id;
      if (id === frameId) return this.frames[mid];
      if (id < frameId) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** The filter in force, if any. */
  get filter(): FramePredicate | null {
    return this.predicate;
  }

  /**
   * Apply a filter (null: show everything). Frames arriving later are matched on arrival. Over more than
   * `syncLimit` stored frames the existing frames are matched in slices of about `sliceMs`, newest first (so the rows
   * at the bottom appear first), between which the panel stays responsive; a new filter cancels the scan under way.
   */
  setFilter(predicate: FramePredicate | null): void {
    this.predicate = predicate;
    this.scan = null;
    this.found = [];
    if (!predicate) this.visible = null;
    else if (this.frameCount <= this.syncLimit) {
      const v: number[] = [];
      for (let i = this.head; i < this.frames.length; i++) {
        const f = this.frames[i];
        if (predicate(f, this.connections.get(f.conn))) v.push(i);
      }
      this.visible = v;
      this.visHead = 0;
    } else {
      // `visible` takes the frames that arrive from now on; the scan fills `found` from the newest existing frame down.
      this.visible = [];
      this.visHead = 0;
      const scan = { next: this.frames.length - 1, start: this.frames.length };
      this.scan = scan;
      this.schedule(() => this.scanStep(scan));
    }
    this.changed();
  }

  /** Frames stored at most for a filter to be applied in one go. */
  syncLimit = 50_000;
  /** Time slice of a filter scan, ms. */
  sliceMs = 8;
  /** How scan slices are scheduled (a timer by default; tests drive it by hand). */
  schedule: (fn: () => void) => void = (fn) => setTimeout(fn, 0);
  private scan: { next: number; start: number } | null = null;
  /** Matches found by the scan so far, newest first (absolute indexes, descending). */
  private found: number[] = [];

  /** While a filter scan is under way: how far it is. */
  get filtering(): { done: number; total: number } | null {
    if (!this.scan) return null;
    const total = this.scan.start - this.head;
    return { done: Math.min(total, this.scan.start - 1 - this.scan.next), total };
  }

  private scanStep(scan: { next: number; start: number }) {
    if (this.scan !== scan) return; // cancelled
    const pred = this.predicate!;
    const until = performance.now() + this.sliceMs;
    let i = scan.next;
    while (i >= this.head) {
      const f = this.frames[i];
      if (pred(f, this.connections.get(f.conn))) this.found.push(i);
      i--;
      if ((i & 511) === 0 && performance.now() > until) break;
    }
    scan.next = i;
    if (i < this.head) {
      // Done: the existing matches (ascending) then those that arrived meanwhile.
      const v = this.found.reverse();
      for (let k = this.visHead; k < this.visible!.length; k++) v.push(this.visible![k]);
      this.visible = v;
      this.visHead = 0;
      this.found = [];
      this.scan = null;
    } else this.schedule(() => this.scanStep(scan));
    this.changed();
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    this.changed();
  }

  /** Navigation with preserve off: forget the old page's frames and sockets, and ignore their late events. */
  private clearForNavigation() {
    for (const id of this.connectionOrder) this.forgotten.add(id);
    this.clear();
  }

  /** Forget every frame and connection (the arrays are dropped, so their memory can be reclaimed). */
  clear(): void {
    this.navigationStarts.clear();
    this.pendingNavigation = null;
    this.frames = [];
    this.head = 0;
    this.visHead = 0;
    this.usedBytes = 0;
    this.scan = null;
    this.found = [];
    this.visible = this.predicate ? [] : null;
    this.connections.clear();
    this.connectionOrder.length = 0;
    this.framesPerConnection.clear();
    this.stats = { framesSent: 0, framesReceived: 0, bytesSent: 0, bytesReceived: 0, pausedDropped: 0, evicted: 0 };
    this.changed();
  }

  /** Wall-clock ms of a monotonic timestamp, or NaN before any anchor is known. */
  wallMs(ts: number): number {
    return this.anchor === undefined ? NaN : toWallMs(ts, this.anchor);
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed() {
    this.revision++;
    for (const fn of this.listeners) fn();
  }
}
