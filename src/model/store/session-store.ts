// The session store: connections and frames of one capture session. One door in: `applyBatch(batch)`.
// Domain data only; view state (selection, scroll, filter text) lives in the panel.
// Rows are served by index (`frameAt`, `visibleAt`) for the virtualized timeline. Pure: no chrome.*, no DOM.
//
// Layout: frames are columns (typed arrays) in chunks of 2^14 rows — id, ts, conn, size, opcode and a flags byte
// (direction, mark, shared bytes), plus, made when first needed, the offsets of shared bytes and what JSON terms learnt
// about each text — and one slot per row for the payload: the text as the string received, or the bytes. Past
// SEAL_FROM_FRAMES stored frames a full chunk joins its texts into one string (seal), so the garbage collector marks one
// string per chunk, not one per frame. Small binary payloads are decoded straight into shared byte blocks (a view per
// frame is made on demand), large ones get a Uint8Array of their own. A `Frame` object is only made when a row is read
// (`frameAt`, `visibleAt`, `frameById`); filters read rows through a cursor, without allocating.
// Rows have absolute positions (0… since the last clear); eviction drops rows from the head, whole chunks at a time
// once all their rows are gone.
import type { CaptureRecord, Connection, Frame } from '../types';
import { OPCODE } from '../types';
import { RuleMarks } from './rule-marks';
import { batchOf, K_BINARY, K_INJECTED, K_INTERCEPTED, K_NO_PAYLOAD, K_RECEIVED, K_REPLAYED, type FrameColumns, type OtherRecord, type RecordBatch } from '../batch';
import { toWallMs } from '../time';
import {
  ByteBlocks, Chunk, DEFAULT_BUDGET_BYTES, DEFAULT_CHUNK_BITS, F_MARK_SHIFT, F_SEALED, F_SENT, FrameCursor, SEAL_FROM_FRAMES,
  costOf, materialize, seal, textOf,
} from './chunk';
import { Positions } from './positions';
import { nextTask } from './next-task';

/**
 * A filter over frames. The frame it is given may be a cursor the store moves from row to row: read it during the call,
 * do not keep it (use `frameAt`/`frameById` for a frame to keep).
 */
export type FramePredicate = (frame: Frame, conn: Connection | undefined) => boolean;

export interface StoreStats {
  framesSent: number;
  framesReceived: number;
  bytesSent: number;
  bytesReceived: number;
  /** Frames that arrived while capture was paused: counted, not stored. */
  pausedDropped: number;
  /** The oldest frames dropped to stay within the memory budget. */
  evicted: number;
  /** Closed connections without stored frames dropped to keep the list within MAX_CONNECTIONS. */
  connectionsEvicted: number;
}

/** Connections kept at most: past it, the oldest closed ones whose frames are all gone are dropped (and counted). A
 *  page that opens sockets in a loop would otherwise grow the list for ever. */
export const MAX_CONNECTIONS = 10_000;

const freshStats = (): StoreStats => ({ framesSent: 0, framesReceived: 0, bytesSent: 0, bytesReceived: 0, pausedDropped: 0, evicted: 0, connectionsEvicted: 0 });

// Frames materialized lately, by position: a row read again (every render reads the rows in view) is the same object.
const CACHE_SIZE = 4096;
/** Past this size a text is long enough for `learn` to look at the clock after it. */
const LEARN_CHECK_BYTES = 4096;

export class SessionStore {
  /** Bumped on every change; views compare it to decide whether to re-render. */
  revision = 0;
  /**
   * Goes up whenever the visible rows change other than by rows being added (a new filter, a clear, eviction of visible
   * rows): what a view keeps per visible row stays valid while it holds, and must be made afresh once it moves.
   */
  visibleEpoch = 0;
  readonly connections = new Map<number, Connection>();
  /** Connection ids in the order they were first seen. */
  readonly connectionOrder: number[] = [];
  // Rows head…tail-1 are stored; chunks[0] holds positions base…base+CHUNK-1.
  private readonly BITS: number;
  private readonly CHUNK: number;
  private readonly MASK: number;
  private chunks: Chunk[] = [];
  private base = 0;
  private head = 0;
  private tail = 0;
  private blocks = new ByteBlocks();
  // While a filter is on, the frames it shows are the scan's matches among the frames stored when it was set
  // (`found`, newest first) followed by the matches among the frames that arrived since (`visible`, oldest first).
  // null = no filter (all visible).
  private visible: Positions | null = null;
  private readonly cursor = new FrameCursor();
  private cachePos = new Float64Array(CACHE_SIZE).fill(-1);
  private cacheFrame: Array<Frame | undefined> = new Array<Frame | undefined>(CACHE_SIZE).fill(undefined);
  /** Memory the stored frames may use (estimated, see frameCost); past it the oldest are evicted and counted. */
  budgetBytes = DEFAULT_BUDGET_BYTES;
  /** Estimated memory of the stored frames. */
  usedBytes = 0;
  private predicate: FramePredicate | null = null;
  /** wall-clock seconds − CDP monotonic seconds. */
  anchor: number | undefined;
  paused = false;
  stats: StoreStats = freshStats();
  /** Frames stored per connection id. */
  readonly framesPerConnection = new Map<number, number>();
  /** Position of each connection's first stored frame (where a decoder's detection starts reading). */
  private readonly firstPos = new Map<number, number>();
  private listeners = new Set<() => void>();
  /** Keep frames across navigations of the inspected page (separated on the timeline), or start afresh. */
  preserve = true;
  /** First frame after each navigation → the URL navigated to. */
  readonly navigationStarts = new Map<number, string>();
  private pendingNavigation: string | null = null;
  private readonly forgotten = new Set<number>();
  /** What intercept rules did to which frames. */
  readonly ruleMarks = new RuleMarks();

  /** Frames stored from which full chunks join their texts (seal). */
  private readonly sealFrom: number;
  constructor(opts: { chunkBits?: number; sealFrom?: number } = {}) {
    this.sealFrom = opts.sealFrom ?? SEAL_FROM_FRAMES;
    this.BITS = opts.chunkBits ?? DEFAULT_CHUNK_BITS;
    this.CHUNK = 1 << this.BITS;
    this.MASK = this.CHUNK - 1;
  }

  /**
   * The one door in: a batch as capture sources write it (frames as columns). Each frame is copied once, from its
   * columns into the store's chunks.
   */
  applyBatch(b: RecordBatch): void {
    const f = b.frames;
    const n = f.id.length;
    const others = b.others;
    if (n === 0 && others.length === 0) return;
    const before = this.frameCount;
    let o = 0;
    for (let i = 0; i <= n; i++) {
      while (o < others.length && b.at[o] === i) this.applyOther(others[o++]);
      if (i === n) break;
      if (!this.forgotten.has(f.conn[i])) this.addFrame(f, i);
    }
    while (o < others.length) this.applyOther(others[o++]);
    if (n > 0) this.ruleMarks.retry(this, before);
    this.changed();
  }

  /** Records made as objects (HAR import, tests): the same door, through a batch. */
  apply(records: readonly CaptureRecord[]): void {
    if (records.length) this.applyBatch(batchOf(records));
  }

  private applyOther(r: OtherRecord) {
    switch (r.t) {
      case 'conn':
        if (this.forgotten.has(r.conn.id)) break; // a socket of a page we navigated away from, or one evicted
        if (!this.connections.has(r.conn.id)) this.connectionOrder.push(r.conn.id);
        this.connections.set(r.conn.id, r.conn);
        if (this.connectionOrder.length > this.evictConnectionsAt) this.evictConnections();
        break;
      case 'anchor':
        this.anchor = r.anchor;
        break;
      case 'navigated':
        if (this.preserve) this.pendingNavigation = r.url;
        else this.clearForNavigation();
        break;
      case 'ruled':
        if (!this.forgotten.has(r.mark.conn)) this.ruleMarks.add(r.mark, this);
        break;
    }
  }

  private addFrame(f: FrameColumns, i: number) {
    if (this.paused) {
      this.stats.pausedDropped++;
      return;
    }
    const id = f.id[i];
    const connId = f.conn[i];
    const size = f.size[i];
    const opcode = f.op[i];
    const kind = f.k[i];
    if (this.pendingNavigation !== null) {
      this.navigationStarts.set(id, this.pendingNavigation);
      this.pendingNavigation = null;
    }
    const pos = this.tail;
    const rel = pos - this.base;
    const ci = rel >>> this.BITS;
    if (ci === this.chunks.length) this.chunks.push(new Chunk(this.CHUNK));
    const c = this.chunks[ci];
    const k = rel & this.MASK;
    c.id[k] = id;
    c.ts[k] = f.ts[i];
    c.conn[k] = connId;
    c.size[k] = size;
    c.op[k] = opcode;
    const sent = !(kind & K_RECEIVED);
    let fl = (sent ? F_SENT : 0) | (kind & K_REPLAYED ? 1 << F_MARK_SHIFT : kind & K_INJECTED ? 2 << F_MARK_SHIFT : kind & K_INTERCEPTED ? 3 << F_MARK_SHIFT : 0);
    if (kind & K_NO_PAYLOAD) c.payload[k] = undefined;
    else if (!(kind & K_BINARY)) {
      c.payload[k] = f.p[i];
      if (size > this.maxTextBytes) this.maxTextBytes = size;
    } else fl |= this.blocks.put(c, k, f.p[i]);
    c.flags[k] = fl;
    this.tail = pos + 1;
    if (opcode !== OPCODE.error) {
      if (sent) {
        this.stats.framesSent++;
        this.stats.bytesSent += size;
      } else {
        this.stats.framesReceived++;
        this.stats.bytesReceived += size;
      }
    }
    const had = this.framesPerConnection.get(connId);
    if (had === undefined) this.firstPos.set(connId, pos);
    this.framesPerConnection.set(connId, (had ?? 0) + 1);
    this.usedBytes += costOf(c, k);
    if (this.visible) {
      const cur = this.cursor;
      cur.c = c;
      cur.k = k;
      if (this.predicate!(cur, this.connections.get(connId))) this.visible.push(pos);
    }
    if (k === this.MASK && this.frameCount >= this.sealFrom) {
      // This chunk, and two older ones not sealed yet (those filled before the store reached sealFrom), so a store
      // that grows past it seals its backlog a few milliseconds at a time.
      seal(c);
      let older = 2;
      for (const ch of this.chunks) {
        if (older === 0) break;
        if (!ch.sealTried) {
          seal(ch);
          older--;
        }
      }
    }
    if (this.usedBytes > this.budgetBytes) this.evict();
  }

  /**
   * Drop the oldest connections that are over and have no stored frame left, down to 90% of MAX_CONNECTIONS (or as
   * far as there are such): counted, and their late records ignored.
   */
  private evictConnectionsAt = MAX_CONNECTIONS;
  private evictConnections() {
    let excess = this.connectionOrder.length - Math.floor(MAX_CONNECTIONS * 0.9);
    const kept: number[] = [];
    for (const id of this.connectionOrder) {
      if (excess > 0 && !this.framesPerConnection.has(id) && !isLive(this.connections.get(id))) {
        excess--;
        this.connections.delete(id);
        this.firstPos.delete(id);
        this.forgotten.add(id);
        this.stats.connectionsEvicted++;
      } else kept.push(id);
    }
    if (kept.length < this.connectionOrder.length) {
      this.connectionOrder.length = 0;
      for (const id of kept) this.connectionOrder.push(id);
    }
    // When few could go (live, or with frames), try again only a thousand connections later, not on every new one.
    this.evictConnectionsAt = Math.max(MAX_CONNECTIONS, this.connectionOrder.length + 1000);
  }

  /** Drop the oldest frames until the store is back under 95% of its budget (never the newest frame). */
  private evict() {
    const target = this.budgetBytes * 0.95;
    const last = this.tail - 1;
    const headBefore = this.head;
    while (this.head < last && this.usedBytes > target) {
      const pos = this.head;
      const c = this.chunks[0];
      const k = (pos - this.base) & this.MASK;
      this.usedBytes -= costOf(c, k);
      const conn = c.conn[k];
      const n = this.framesPerConnection.get(conn)! - 1;
      if (n > 0) this.framesPerConnection.set(conn, n);
      else this.framesPerConnection.delete(conn);
      c.payload[k] = undefined; // its payload can be reclaimed now
      const slot = pos & (CACHE_SIZE - 1);
      if (this.cachePos[slot] === pos) {
        this.cachePos[slot] = -1;
        this.cacheFrame[slot] = undefined;
      }
      this.head = pos + 1;
      this.stats.evicted++;
      if (k === this.MASK) {
        // The whole chunk is gone: drop its columns.
        this.chunks.shift();
        this.base += this.CHUNK;
      }
    }
    const f = this.found;
    let old = 0;
    while (old < f.n && f.at(f.n - 1 - old) < this.head) old++;
    if (old) f.dropLast(old);
    let dropped = old > 0 || (!this.visible && this.head > headBefore);
    const v = this.visible;
    if (v && f.n === 0) {
      old = 0;
      while (old < v.n && v.at(old) < this.head) old++;
      if (old) v.dropFirst(old);
      dropped ||= old > 0;
    }
    if (dropped) this.visibleEpoch++;
  }

  /** Set the memory budget (bytes); evicts at once if the store is over it. */
  setBudget(bytes: number): void {
    this.budgetBytes = Math.max(1024 * 1024, bytes);
    if (this.usedBytes > this.budgetBytes) this.evict();
    this.changed();
  }

  get frameCount(): number {
    return this.tail - this.head;
  }

  private chunkOf(pos: number): Chunk {
    return this.chunks[(pos - this.base) >>> this.BITS];
  }

  /** The frame at a position (head ≤ pos < tail), made once and cached while it is read often. */
  private frameAtPos(pos: number): Frame {
    const slot = pos & (CACHE_SIZE - 1);
    if (this.cachePos[slot] === pos) return this.cacheFrame[slot]!;
    const f = materialize(this.chunkOf(pos), (pos - this.base) & this.MASK);
    this.cachePos[slot] = pos;
    this.cacheFrame[slot] = f;
    return f;
  }

  frameAt(i: number): Frame | undefined {
    return i < 0 || i >= this.frameCount ? undefined : this.frameAtPos(this.head + i);
  }

  /**
   * The i-th stored frame read in place, for passes over many rows (HAR export): one cursor moved to the row, no
   * Frame made. Read it before asking for another row; use frameAt for a frame to keep.
   */
  rowAt(i: number): Frame | undefined {
    if (i < 0 || i >= this.frameCount) return undefined;
    const pos = this.head + i;
    const cur = this.rowCursor;
    cur.c = this.chunkOf(pos);
    cur.k = (pos - this.base) & this.MASK;
    return cur;
  }
  private readonly rowCursor = new FrameCursor();

  /** Timestamp of the i-th stored frame (no Frame made), NaN out of range. */
  tsAt(i: number): number {
    if (i < 0 || i >= this.frameCount) return NaN;
    const pos = this.head + i;
    return this.chunkOf(pos).ts[(pos - this.base) & this.MASK];
  }

  get visibleCount(): number {
    return this.visible ? this.found.n + this.visible.n : this.frameCount;
  }

  /** Position of the i-th visible row, or -1. */
  private visiblePos(i: number): number {
    if (i < 0 || i >= this.visibleCount) return -1;
    if (!this.visible) return this.head + i;
    const n = this.found.n;
    return i < n ? this.found.at(n - 1 - i) : this.visible.at(i - n);
  }

  visibleAt(i: number): Frame | undefined {
    const pos = this.visiblePos(i);
    return pos < 0 ? undefined : this.frameAtPos(pos);
  }

  /** Id of the i-th visible row (no Frame made), or NaN. */
  visibleIdAt(i: number): number {
    const pos = this.visiblePos(i);
    return pos < 0 ? NaN : this.chunkOf(pos).id[(pos - this.base) & this.MASK];
  }

  /** Payload size of the i-th visible row (no Frame made), or NaN: for sorting by size. */
  visibleSizeAt(i: number): number {
    const pos = this.visiblePos(i);
    return pos < 0 ? NaN : this.chunkOf(pos).size[(pos - this.base) & this.MASK];
  }

  /** Position of a frame id among the visible rows, or -1. Frame ids increase with position. */
  visibleIndexOf(frameId: number): number {
    let lo = 0;
    let hi = this.visibleCount - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const id = this.visibleIdAt(mid);
      if (id === frameId) return mid;
      if (id < frameId) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  frameById(frameId: number): Frame | undefined {
    const i = this.indexOfId(frameId);
    return i < 0 ? undefined : this.frameAtPos(this.head + i);
  }

  /** Index (as frameAt's) of a stored frame by id, -1 when not stored. */
  indexOfId(frameId: number): number {
    let lo = this.head;
    let hi = this.tail - 1;
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2);
      const id = this.chunkOf(mid).id[(mid - this.base) & this.MASK];
      if (id === frameId) return mid - this.head;
      if (id < frameId) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Index (as frameAt's) of a connection's first stored frame, -1 when it has none stored. */
  firstIndexOf(conn: number): number {
    const pos = this.firstPos.get(conn);
    return pos === undefined || !this.framesPerConnection.has(conn) ? -1 : Math.max(pos, this.head) - this.head;
  }

  /** What the filter in force was made from (the query text), so views can say which filter their counts reflect. */
  filterLabel = '';

  /** The filter in force, if any. */
  get filter(): FramePredicate | null {
    return this.predicate;
  }

  /** The connections as an array indexed by id (ids are small integers), for filters: faster than the map per row. */
  private connectionsById(): Array<Connection | undefined> {
    const out: Array<Connection | undefined> = [];
    for (const [id, c] of this.connections) if (id >= 0 && id < 1 << 20 && Number.isInteger(id)) out[id] = c; // others: the map
    return out;
  }

  /**
   * Match the stored rows from `from` down to `to` (positions, from ≥ to), newest first, adding matches to `out`;
   * stops early (returning the next position to match) once `until` (performance.now()) has passed, checked every 512
   * rows. Returns to - 1 when done.
   */
  private matchDown(pred: FramePredicate, from: number, to: number, out: Positions, until: number): number {
    const cur = this.cursor;
    const conns = this.connectionsById();
    let i = from;
    while (i >= to) {
      const rel = i - this.base;
      const c = this.chunks[rel >>> this.BITS];
      const start = rel - (rel & this.MASK) + this.base; // position of the chunk's row 0
      const stop = Math.max(to, start);
      cur.c = c;
      let k = i - start;
      for (; i >= stop; i--, k--) {
        cur.k = k;
        const id = c.conn[k];
        if (pred(cur, conns[id] ?? this.connections.get(id))) out.push(i);
        if (((i - 1) & 511) === 0 && performance.now() > until) return i - 1;
      }
    }
    return i;
  }

  /**
   * Apply a filter (null: show everything). Frames arriving later are matched on arrival. The stored frames are
   * matched newest first (so the rows at the bottom come first): up to `syncLimit` of them at once, more in slices —
   * the first at once (about `firstSliceMs`, so the next paint has rows), the rest of about `sliceMs` each, between
   * which the panel stays responsive. A new filter cancels the scan under way.
   */
  setFilter(predicate: FramePredicate | null, label = ''): void {
    this.visibleEpoch++;
    this.predicate = predicate;
    this.filterLabel = predicate ? label : '';
    this.scan = null;
    this.found = new Positions();
    if (!predicate) {
      this.visible = null;
      this.changed();
      return;
    }
    this.visible = new Positions();
    const scan = { next: this.tail - 1, start: this.tail };
    this.scan = scan;
    this.scanStep(scan, this.frameCount <= this.syncLimit ? Infinity : Math.min(this.firstSliceMs, this.sliceMs));
  }

  /** Frames stored at most for a filter to be applied in one go. */
  syncLimit = 50_000;
  /** Time of the first slice of a filter scan (run at once), ms. */
  firstSliceMs = 8;
  /** Time slice of a filter scan, ms (each a task of its own: below the 50 ms of a long task). */
  sliceMs = 24;
  /** How scan slices are scheduled (a task of its own by default; tests drive it by hand). */
  schedule: (fn: () => void) => void = nextTask;
  private scan: { next: number; start: number; notified?: number } | null = null;
  /** Matches found by the scan so far, newest first (positions, descending). */
  private found = new Positions();

  /** While a filter scan is under way: how far it is. */
  get filtering(): { done: number; total: number } | null {
    if (!this.scan) return null;
    const total = this.scan.start - this.head;
    return { done: Math.min(total, this.scan.start - 1 - this.scan.next), total };
  }

  private scanStep(scan: { next: number; start: number; notified?: number }, ms = this.sliceMs) {
    if (this.scan !== scan) return; // cancelled
    const i = scan.next < this.head ? this.head - 1 : this.matchDown(this.predicate!, scan.next, this.head, this.found, performance.now() + ms);
    scan.next = i;
    if (i < this.head) this.scan = null; // done: `found` holds the matches among the frames stored before
    else {
      this.schedule(() => this.scanStep(scan));
      // Views show the first slice's rows at once, then catch up every `scanNotifyMs`: a render after every slice
      // would take as long as the slices themselves.
      const now = performance.now();
      if (scan.notified !== undefined && now - scan.notified < this.scanNotifyMs) return;
      scan.notified = now;
    }
    this.changed();
  }

  /**
   * Run `fn` over the stored frames it has not seen yet, oldest first, until `until` (performance.now()) has passed:
   * for work worth doing ahead of queries while the panel is idle (learnJson). Returns whether it has seen them all.
   */
  learn(fn: (f: Frame) => void, until: number): boolean {
    // The clock is read every 256 frames, and after each long one: a few long texts can take a while.
    const cur = this.cursor;
    let pos = Math.max(this.learned, this.head);
    while (pos < this.tail) {
      const { c, k: first, end } = this.runAt(pos);
      cur.c = c;
      for (let k = first; pos < end; pos++, k++) {
        cur.k = k;
        fn(cur);
        if (((pos & 255) === 255 || c.size[k] > LEARN_CHECK_BYTES) && performance.now() > until) {
          this.learned = pos + 1;
          return false;
        }
      }
    }
    this.learned = pos;
    return true;
  }
  /** For a walk up the stored rows from `pos`: its chunk, its row there, and the position after the chunk's last row. */
  private runAt(pos: number): { c: Chunk; k: number; end: number } {
    const rel = pos - this.base;
    return { c: this.chunks[rel >>> this.BITS], k: rel & this.MASK, end: Math.min(this.tail, pos - (rel & this.MASK) + this.CHUNK) };
  }

  /**
   * The `n` longest stored text payloads of at least `minBytes` bytes, longest first (a look at the size column; no
   * frame is made): what a regular expression is tried on before it runs over the store.
   */
  longestTexts(n: number, minBytes: number): Array<{ id: number; text: string }> {
    if (this.maxTextBytes < minBytes) return []; // nothing that long was ever stored: no scan
    const best: Array<{ c: Chunk; k: number; size: number }> = [];
    let pos = this.head;
    while (pos < this.tail) {
      const { c, k: first, end } = this.runAt(pos);
      for (let k = first; pos < end; pos++, k++) {
        const size = c.size[k];
        if (size < minBytes || (best.length === n && size <= best[n - 1].size)) continue;
        if (typeof c.payload[k] !== 'string' && !(c.flags[k] & F_SEALED)) continue;
        if (best.length === n) best.pop();
        best.push({ c, k, size });
        best.sort((a, b) => b.size - a.size);
      }
    }
    return best.map(({ c, k }) => ({ id: c.id[k], text: textOf(c, k)! }));
  }

  /**
   * Up to `n` stored text payloads spread evenly over the store (the first non-empty text at or after each of `n`
   * evenly spaced positions, looking a few rows on), none of the ids in `skip`, oldest first: samples of the kinds of
   * message a session holds, whatever their length.
   */
  spreadTexts(n: number, skip: ReadonlySet<number>): Array<{ id: number; text: string }> {
    const out: Array<{ id: number; text: string }> = [];
    const count = this.tail - this.head;
    let next = this.head;
    for (let i = 0; i < n && next < this.tail; i++) {
      let pos = Math.max(this.head + Math.floor(((i + 0.5) * count) / n), next);
      for (const stop = Math.min(this.tail, pos + 64); pos < stop; pos++) {
        const { c, k } = this.runAt(pos);
        if (!c.size[k] || skip.has(c.id[k]) || (typeof c.payload[k] !== 'string' && !(c.flags[k] & F_SEALED))) continue;
        out.push({ id: c.id[k], text: textOf(c, k)! });
        break;
      }
      next = pos + 1;
    }
    return out;
  }

  /** The size of the longest text stored since the last clear (evicted ones included). */
  private maxTextBytes = 0;
  /** Frames before this position have been seen by `learn`. */
  private learned = 0;
  /** Stored frames `learn` has not seen yet. */
  get unlearned(): number {
    return this.tail - Math.max(this.learned, this.head);
  }

  /** While a filter scan runs, how often views are told of its progress (ms). */
  scanNotifyMs = 200;

  setPaused(paused: boolean): void {
    this.paused = paused;
    this.changed();
  }

  /** Navigation with preserve off: forget the old page's frames and sockets, and ignore their late events. */
  private clearForNavigation() {
    for (const id of this.connectionOrder) this.forgotten.add(id);
    this.clear();
  }

  /**
   * Forget every frame (the columns and payloads are dropped, so their memory can be reclaimed) and every connection;
   * `keep: 'live'` (the user's Clear) keeps the connections still connecting, open or closing, handshake and all, as
   * Chrome DevTools does: their next frames, the composer and HAR export still need them.
   */
  clear(keep: 'live' | 'nothing' = 'nothing'): void {
    const live = keep === 'live' ? this.connectionOrder.filter((id) => isLive(this.connections.get(id))) : [];
    this.visibleEpoch++;
    this.ruleMarks.clear();
    this.navigationStarts.clear();
    this.pendingNavigation = null;
    this.chunks = [];
    this.base = 0;
    this.head = 0;
    this.tail = 0;
    this.learned = 0;
    this.maxTextBytes = 0;
    this.blocks = new ByteBlocks();
    this.cachePos.fill(-1);
    this.cacheFrame.fill(undefined);
    this.usedBytes = 0;
    this.scan = null;
    this.found = new Positions();
    this.visible = this.predicate ? new Positions() : null;
    const kept = live.map((id) => this.connections.get(id)!);
    this.connections.clear();
    this.connectionOrder.length = 0;
    for (const c of kept) {
      this.connections.set(c.id, c);
      this.connectionOrder.push(c.id);
    }
    this.framesPerConnection.clear();
    this.firstPos.clear();
    this.evictConnectionsAt = MAX_CONNECTIONS;
    this.stats = freshStats();
    this.changed();
  }

  /** Chunks of columns held (for tests and diagnostics). */
  get chunkCount(): number {
    return this.chunks.length;
  }

  /** Chunks whose texts are joined (seal). */
  get sealedChunkCount(): number {
    return this.chunks.filter((c) => c.joined !== null).length;
  }

  /** Wall-clock ms of a monotonic timestamp, or NaN before any anchor is known. */
  wallMs(ts: number): number {
    return this.anchor === undefined ? NaN : toWallMs(ts, this.anchor);
  }

  /** Something views show of the frames changed though the frames did not (a decoder chosen): views render again. */
  touch(): void {
    this.changed();
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

function isLive(c: Connection | undefined): boolean {
  return c !== undefined && (c.state === 'connecting' || c.state === 'open' || c.state === 'closing' || c.state === 'unknown');
}
