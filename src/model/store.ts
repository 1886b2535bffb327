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
import type { CaptureRecord, Connection, Direction, Frame, FrameMark } from './types';
import { OPCODE } from './types';
import { base64Into, base64ToBytes, base64ByteLength } from './bytes';
import { batchOf, K_BINARY, K_INJECTED, K_NO_PAYLOAD, K_RECEIVED, K_REPLAYED, type FrameColumns, type OtherRecord, type RecordBatch } from './batch';
import { toWallMs } from './time';

/**
 * A filter over frames. The frame it is given may be a cursor the store moves from row to row: read it during the call,
 * do not keep it (use `frameAt`/`frameById` for a frame to keep).
 */
export type FramePredicate = (frame: Frame, conn: Connection | undefined) => boolean;

/**
 * Estimated bytes a stored frame costs beyond its payload bytes: its row in the columns (8 id + 8 ts + 4 conn + 4 size
 * + 1 opcode + 1 flags, + 2 once a JSON term has read it), the payload slot (8), and the string header and rounding
 * of a text payload (~20).
 * Measured by test/bench/store.bench.ts: 1M × 200 B text frames take 251 B each in all (heap and array buffers), 51 B
 * beyond their payload; 1M × 200 B binary frames 243 B each.
 */
export const FRAME_OVERHEAD_BYTES = 56;
/** What a binary payload with a Uint8Array of its own costs beyond its bytes (the ArrayBuffer and the view). */
export const OWN_BUFFER_OVERHEAD_BYTES = 200;
export const DEFAULT_BUDGET_BYTES = 500 * 1024 * 1024;

/** Binary payloads up to this size share byte blocks; larger ones get an ArrayBuffer of their own. */
const SHARED_MAX = 16 * 1024;
const BLOCK_BYTES = 1024 * 1024;

/** Memory estimate of a text payload: V8 keeps one byte per character for Latin-1 text, two otherwise. */
function textCost(text: string, size: number): number {
  return textCostOf(text.length, size);
}
function textCostOf(length: number, size: number): number {
  return size > length ? 2 * length : length;
}

/** Estimated memory of a stored frame. */
export function frameCost(f: Frame): number {
  if (f.text !== undefined) return FRAME_OVERHEAD_BYTES + textCost(f.text, f.size);
  const n = f.bytes?.length ?? 0;
  return FRAME_OVERHEAD_BYTES + n + (n > SHARED_MAX ? OWN_BUFFER_OVERHEAD_BYTES : 0);
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

// --- Columns -------------------------------------------------------------------------------------------------------

/** Rows per chunk: 2^14 by default (tests use small chunks to cross their boundaries often). */
export const DEFAULT_CHUNK_BITS = 14;

// flags byte
const F_SENT = 1;
const F_MARK_SHIFT = 1; // 2 bits: 0 none, 1 replayed, 2 injected
const F_SHARED = 8; // the payload slot holds a shared byte block; the frame's bytes are off[k]…off[k]+len[k]
const F_SEALED = 16; // the text is in the chunk's joined texts, textOff[k]…textOff[k + 1]
const MARKS: Array<FrameMark | undefined> = [undefined, 'replayed', 'injected', undefined];

type Payload = string | Uint8Array | undefined;

class Chunk {
  readonly id: Float64Array;
  readonly ts: Float64Array;
  readonly conn: Int32Array;
  readonly size: Uint32Array;
  readonly op: Int8Array;
  readonly flags: Uint8Array;
  readonly payload: Payload[];
  constructor(readonly rows: number) {
    this.id = new Float64Array(rows);
    this.ts = new Float64Array(rows);
    this.conn = new Int32Array(rows);
    this.size = new Uint32Array(rows);
    this.op = new Int8Array(rows);
    this.flags = new Uint8Array(rows);
    this.payload = new Array<Payload>(rows).fill(undefined);
  }
  /** Offset and length of binary payloads in shared blocks; made for the first such payload of the chunk. */
  off: Uint32Array | null = null;
  len: Uint32Array | null = null;
  /** What the query learnt about each text (JsonMemoFrame); made when a JSON term first reads the chunk. */
  memo: Uint16Array | null = null;
  /**
   * The texts of a full chunk, one after the other in one string (see seal), and where each row's begins (rows
   * without text take no room); null until the chunk is sealed.
   */
  joined: string | null = null;
  textOff: Uint32Array | null = null;
  /** seal ran (it may have kept the strings: a text past Latin-1). */
  sealTried = false;
}

/** A row's text, or undefined (binary, none). A sealed row's is a slice of the chunk's joined texts, made now. */
function textOf(c: Chunk, k: number): string | undefined {
  const p = c.payload[k];
  if (typeof p === 'string') return p;
  if (c.flags[k] & F_SEALED) return c.joined!.slice(c.textOff![k], c.textOff![k + 1]);
  return undefined;
}

/**
 * Seal a full chunk: its texts are joined into one string, and the strings received are let go. A million frames are
 * then 62 strings for the garbage collector to mark instead of a million (measured at 5M stored texts: a major
 * collection's marking took 270 ms in steps of up to 12 ms, enough to drop frames of a scrollbar drag; sealed, none
 * dropped), and each text sheds its own string header (1.25× → 1.19× the payload bytes at 1M frames of 200 B). Only
 * where every text of the chunk is Latin-1: V8 keeps such a string at one byte per character, and one character past
 * Latin-1 would make the whole joined string two bytes per character. A sealed row's text is a slice made when it is
 * read, which costs filters that read texts 10–30% (measured over 1M frames in one process, sealed against not:
 * substring and regex +11–32%, JSON terms +2–7%): so chunks are sealed only once the store holds SEAL_FROM_FRAMES,
 * where the collector's marking starts to cost frames.
 */
function seal(c: Chunk): void {
  c.sealTried = true;
  const texts: string[] = [];
  const off = new Uint32Array(c.rows + 1);
  let at = 0;
  for (let k = 0; k < c.rows; k++) {
    off[k] = at;
    const p = c.payload[k];
    if (typeof p === 'string') {
      texts.push(p);
      at += p.length;
    }
  }
  off[c.rows] = at;
  if (texts.length === 0 || at > SEAL_MAX_CHARS) return;
  const joined = texts.join('');
  if (NOT_LATIN1.test(joined)) return;
  c.joined = joined;
  c.textOff = off;
  for (let k = 0; k < c.rows; k++) {
    if (typeof c.payload[k] === 'string') {
      c.payload[k] = undefined;
      c.flags[k] |= F_SEALED;
    }
  }
}
const NOT_LATIN1 = /[^\x00-\xff]/;
/**
 * A chunk with more text than this keeps its strings: joining and checking it would be one long task (and past V8's
 * longest string, impossible), and a store of such large texts holds few frames for the collector to mark anyway.
 */
const SEAL_MAX_CHARS = 8 * 1024 * 1024;
/** Frames stored from which full chunks are sealed (at 1M stored texts, scrolling and drags keep every frame). */
export const SEAL_FROM_FRAMES = 2_000_000;

function bytesOf(c: Chunk, k: number): Uint8Array | undefined {
  const p = c.payload[k];
  if (p === undefined || typeof p === 'string') return undefined;
  if (c.flags[k] & F_SHARED) return p.subarray(c.off![k], c.off![k] + c.len![k]);
  return p;
}

function costOf(c: Chunk, k: number): number {
  const p = c.payload[k];
  if (c.flags[k] & F_SEALED) return FRAME_OVERHEAD_BYTES + textCostOf(c.textOff![k + 1] - c.textOff![k], c.size[k]);
  if (p === undefined) return FRAME_OVERHEAD_BYTES;
  if (typeof p === 'string') return FRAME_OVERHEAD_BYTES + textCost(p, c.size[k]);
  if (c.flags[k] & F_SHARED) return FRAME_OVERHEAD_BYTES + c.len![k];
  return FRAME_OVERHEAD_BYTES + p.length + (p.length > SHARED_MAX ? OWN_BUFFER_OVERHEAD_BYTES : 0);
}

function materialize(c: Chunk, k: number): Frame {
  const fl = c.flags[k];
  const f: Frame = { id: c.id[k], conn: c.conn[k], dir: fl & F_SENT ? 'sent' : 'received', opcode: c.op[k], ts: c.ts[k], size: c.size[k] };
  const p = c.payload[k];
  if (typeof p === 'string') f.text = p;
  else if (c.flags[k] & F_SEALED) f.text = textOf(c, k);
  else if (p !== undefined) f.bytes = bytesOf(c, k);
  const mark = MARKS[(fl >> F_MARK_SHIFT) & 3];
  if (mark) f.mark = mark;
  return f;
}

/**
 * A frame read in place: the store points it at a row and hands it to a filter. `bytes` makes a view each time it is
 * read. `jsonMemo` is 16 bits the query keeps per row about its text (whether it parses as JSON, and where to look).
 */
export class FrameCursor implements Frame {
  /** @internal */ c!: Chunk;
  /** @internal */ k = 0;
  get id(): number {
    return this.c.id[this.k];
  }
  get conn(): number {
    return this.c.conn[this.k];
  }
  get dir(): Direction {
    return this.c.flags[this.k] & F_SENT ? 'sent' : 'received';
  }
  get opcode(): number {
    return this.c.op[this.k];
  }
  get ts(): number {
    return this.c.ts[this.k];
  }
  get size(): number {
    return this.c.size[this.k];
  }
  get text(): string | undefined {
    // A sealed row's text is a slice made on read: a query that reads it several times (a JSON term, an OR) gets one.
    if (this.c !== this.tc || this.k !== this.tk) {
      this.tc = this.c;
      this.tk = this.k;
      this.tt = textOf(this.c, this.k);
    }
    return this.tt;
  }
  private tc: Chunk | null = null;
  private tk = -1;
  private tt: string | undefined = undefined;
  get bytes(): Uint8Array | undefined {
    return bytesOf(this.c, this.k);
  }
  get mark(): FrameMark | undefined {
    return MARKS[(this.c.flags[this.k] >> F_MARK_SHIFT) & 3];
  }
  get jsonMemo(): number {
    const m = this.c.memo;
    return m ? m[this.k] : 0;
  }
  set jsonMemo(v: number) {
    (this.c.memo ??= new Uint16Array(this.c.rows))[this.k] = v;
  }
}

/**
 * A list of row positions in blocks of 2^15: it grows without copying (a filter matching a million rows makes 32
 * blocks, not a doubling chain of ever larger arrays the garbage collector has to chase), and drops from either end.
 */
const POS_BITS = 15;
const POS_BLOCK = 1 << POS_BITS;
const POS_MASK = POS_BLOCK - 1;
class Positions {
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

// Frames materialized lately, by position: a row read again (every render reads the rows in view) is the same object.
const CACHE_SIZE = 4096;

/**
 * Run `fn` in a task of its own, soon: a MessageChannel message where there is one (no 4 ms clamp as for nested
 * timers, and input and rendering still get their turn between tasks), a timer otherwise.
 */
function nextTask(fn: () => void): void {
  if (typeof MessageChannel === 'undefined') {
    setTimeout(fn, 0);
    return;
  }
  if (!taskChannel) {
    taskChannel = new MessageChannel();
    taskChannel.port1.onmessage = () => taskQueue.shift()?.();
  }
  taskQueue.push(fn);
  taskChannel.port2.postMessage(0);
}
let taskChannel: MessageChannel | null = null;
const taskQueue: Array<() => void> = [];

export class SessionStore {
  /** Bumped on every change; views compare it to decide whether to re-render. */
  revision = 0;
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
  // The shared byte block small binary payloads are decoded into, and how much of it is used.
  private block: Uint8Array | null = null;
  private blockUsed = 0;
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
    let o = 0;
    for (let i = 0; i <= n; i++) {
      while (o < others.length && b.at[o] === i) this.applyOther(others[o++]);
      if (i === n) break;
      if (!this.forgotten.has(f.conn[i])) this.addFrame(f, i);
    }
    while (o < others.length) this.applyOther(others[o++]);
    this.changed();
  }

  /** Records made as objects (HAR import, tests): the same door, through a batch. */
  apply(records: readonly CaptureRecord[]): void {
    if (records.length) this.applyBatch(batchOf(records));
  }

  private applyOther(r: OtherRecord) {
    switch (r.t) {
      case 'conn':
        if (this.forgotten.has(r.conn.id)) break; // a socket of a page we navigated away from
        if (!this.connections.has(r.conn.id)) this.connectionOrder.push(r.conn.id);
        this.connections.set(r.conn.id, r.conn);
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
    let fl = (sent ? F_SENT : 0) | (kind & K_REPLAYED ? 1 << F_MARK_SHIFT : kind & K_INJECTED ? 2 << F_MARK_SHIFT : 0);
    if (kind & K_NO_PAYLOAD) c.payload[k] = undefined;
    else if (!(kind & K_BINARY)) {
      c.payload[k] = f.p[i];
      if (size > this.maxTextBytes) this.maxTextBytes = size;
    } else {
      const b64 = f.p[i];
      const n = base64ByteLength(b64);
      if (n > SHARED_MAX) c.payload[k] = base64ToBytes(b64);
      else {
        if (!this.block || this.blockUsed + n > this.block.length) {
          this.block = new Uint8Array(BLOCK_BYTES);
          this.blockUsed = 0;
        }
        const wrote = base64Into(b64, this.block, this.blockUsed);
        if (!c.off) {
          c.off = new Uint32Array(this.CHUNK);
          c.len = new Uint32Array(this.CHUNK);
        }
        c.off[k] = this.blockUsed;
        c.len![k] = wrote;
        c.payload[k] = this.block;
        this.blockUsed += wrote;
        fl |= F_SHARED;
      }
    }
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
    this.framesPerConnection.set(connId, (this.framesPerConnection.get(connId) ?? 0) + 1);
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

  /** Drop the oldest frames until the store is back under 95% of its budget (never the newest frame). */
  private evict() {
    const target = this.budgetBytes * 0.95;
    const last = this.tail - 1;
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
    const v = this.visible;
    if (v && f.n === 0) {
      old = 0;
      while (old < v.n && v.at(old) < this.head) old++;
      if (old) v.dropFirst(old);
    }
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
    let lo = this.head;
    let hi = this.tail - 1;
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2);
      const id = this.chunkOf(mid).id[(mid - this.base) & this.MASK];
      if (id === frameId) return this.frameAtPos(mid);
      if (id < frameId) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

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
  setFilter(predicate: FramePredicate | null): void {
    this.predicate = predicate;
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
    const cur = this.cursor;
    let pos = Math.max(this.learned, this.head);
    while (pos < this.tail) {
      const { c, k: first, end } = this.runAt(pos);
      cur.c = c;
      for (let k = first; pos < end; pos++, k++) {
        cur.k = k;
        fn(cur);
        if ((pos & 255) === 255 && performance.now() > until) {
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

  /** Forget every frame and connection (the columns and payloads are dropped, so their memory can be reclaimed). */
  clear(): void {
    this.navigationStarts.clear();
    this.pendingNavigation = null;
    this.chunks = [];
    this.base = 0;
    this.head = 0;
    this.tail = 0;
    this.learned = 0;
    this.maxTextBytes = 0;
    this.block = null;
    this.blockUsed = 0;
    this.cachePos.fill(-1);
    this.cacheFrame.fill(undefined);
    this.usedBytes = 0;
    this.scan = null;
    this.found = new Positions();
    this.visible = this.predicate ? new Positions() : null;
    this.connections.clear();
    this.connectionOrder.length = 0;
    this.framesPerConnection.clear();
    this.stats = { framesSent: 0, framesReceived: 0, bytesSent: 0, bytesReceived: 0, pausedDropped: 0, evicted: 0 };
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

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed() {
    this.revision++;
    for (const fn of this.listeners) fn();
  }
}
