// The store's columns: frames in chunks of 2^14 rows, one typed array per field (id, ts, conn, size, opcode, a flags
// byte), plus, made when first needed, the offsets of shared bytes and what JSON terms learnt about each text, and one
// payload slot per row (the text as received, or the bytes). A full chunk of a large store joins its texts (seal).
// What a stored frame costs in memory is estimated here too. Pure.
import type { Direction, Frame, FrameMark } from '../types';
import { base64ByteLength, base64Into, base64ToBytes } from '../bytes';

/**
 * Estimated bytes a stored frame costs beyond its payload bytes: its row in the columns (8 id + 8 ts + 4 conn + 4 size
 * + 1 opcode + 1 flags, + 2 once a JSON term has read it), the payload slot (8), and the string header and rounding
 * of a text payload (~20); checked against the heap by test/bench/store.bench.ts.
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

// --- Columns -------------------------------------------------------------------------------------------------------

/** Rows per chunk: 2^14 by default (tests use small chunks to cross their boundaries often). */
export const DEFAULT_CHUNK_BITS = 14;

// flags byte
export const F_SENT = 1;
export const F_MARK_SHIFT = 1; // 2 bits: 0 none, 1 replayed, 2 injected, 3 intercepted
export const F_SHARED = 8; // the payload slot holds a shared byte block; the frame's bytes are off[k]…off[k]+len[k]
export const F_SEALED = 16; // the text is in the chunk's joined texts, textOff[k]…textOff[k + 1]
const MARKS: Array<FrameMark | undefined> = [undefined, 'replayed', 'injected', 'intercepted'];

type Payload = string | Uint8Array | undefined;

export class Chunk {
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
export function textOf(c: Chunk, k: number): string | undefined {
  const p = c.payload[k];
  if (typeof p === 'string') return p;
  if (c.flags[k] & F_SEALED) return c.joined!.slice(c.textOff![k], c.textOff![k + 1]);
  return undefined;
}

/**
 * Seal a full chunk: its texts are joined into one string, and the strings received are let go, so the garbage
 * collector marks one string per chunk instead of one per frame (its marking of millions of strings drops frames of a
 * scrollbar drag; README has the figures). Only where every text of the chunk is Latin-1: V8 keeps such a string at
 * one byte per character, and one character past Latin-1 would make the whole joined string two. A sealed row's text
 * is a slice made when it is read, which slows filters that read texts: so chunks are sealed only once the store
 * holds SEAL_FROM_FRAMES, where the collector's marking starts to cost frames.
 */
export function seal(c: Chunk): void {
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
/** Frames stored from which full chunks are sealed (below it, scrolling and drags keep every frame unsealed). */
export const SEAL_FROM_FRAMES = 2_000_000;

export function bytesOf(c: Chunk, k: number): Uint8Array | undefined {
  const p = c.payload[k];
  if (p === undefined || typeof p === 'string') return undefined;
  if (c.flags[k] & F_SHARED) return p.subarray(c.off![k], c.off![k] + c.len![k]);
  return p;
}

export function costOf(c: Chunk, k: number): number {
  const p = c.payload[k];
  if (c.flags[k] & F_SEALED) return FRAME_OVERHEAD_BYTES + textCostOf(c.textOff![k + 1] - c.textOff![k], c.size[k]);
  if (p === undefined) return FRAME_OVERHEAD_BYTES;
  if (typeof p === 'string') return FRAME_OVERHEAD_BYTES + textCost(p, c.size[k]);
  if (c.flags[k] & F_SHARED) return FRAME_OVERHEAD_BYTES + c.len![k];
  return FRAME_OVERHEAD_BYTES + p.length + (p.length > SHARED_MAX ? OWN_BUFFER_OVERHEAD_BYTES : 0);
}

export function materialize(c: Chunk, k: number): Frame {
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
 * The byte blocks small binary payloads are decoded into (one allocation per megabyte, not one per frame); larger
 * payloads get a Uint8Array of their own.
 */
export class ByteBlocks {
  private block: Uint8Array | null = null;
  private used = 0;

  /** Decode a base64 payload into row k of the chunk; returns the flags to add to the row (F_SHARED or none). */
  put(c: Chunk, k: number, b64: string): number {
    const n = base64ByteLength(b64);
    if (n > SHARED_MAX) {
      c.payload[k] = base64ToBytes(b64);
      return 0;
    }
    if (!this.block || this.used + n > this.block.length) {
      this.block = new Uint8Array(BLOCK_BYTES);
      this.used = 0;
    }
    const wrote = base64Into(b64, this.block, this.used);
    if (!c.off) {
      c.off = new Uint32Array(c.rows);
      c.len = new Uint32Array(c.rows);
    }
    c.off[k] = this.used;
    c.len![k] = wrote;
    c.payload[k] = this.block;
    this.used += wrote;
    return F_SHARED;
  }
}
