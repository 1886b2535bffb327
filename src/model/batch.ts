// A batch of records as every capture source writes it and the store reads it: frames as columns (one array per
// field), the few other records (connections, anchors, navigations) as they are, each with its place among the frames.
// The same object goes from the capture source to the store: nothing is encoded or decoded on the way, and a runtime
// Port (the only hop that crosses processes) serializes it as it is. Pure.
import type { CaptureRecord, Direction, FrameMark } from './types';

/** Frame columns. `k`: bit 0 received (else sent), bit 1 binary (payload is base64), bit 2 replayed, bit 3 injected,
 *  bit 5 intercepted. */
export interface FrameColumns {
  id: number[];
  conn: number[];
  op: number[];
  ts: number[];
  size: number[];
  k: number[];
  /** Payload: text, or base64 for binary; '' with bit 4 of `k` set when the frame has no payload. */
  p: string[];
}

export const K_RECEIVED = 1;
export const K_BINARY = 2;
export const K_REPLAYED = 4;
export const K_INJECTED = 8;
export const K_NO_PAYLOAD = 16;
export const K_INTERCEPTED = 32;

export type OtherRecord = Exclude<CaptureRecord, { t: 'frame' }>;

export interface RecordBatch {
  frames: FrameColumns;
  /** Records other than frames, in order. */
  others: OtherRecord[];
  /** For each of `others`: how many frames of this batch come before it. */
  at: number[];
}

/** Where capture sources write: a frame's fields one by one (no object per frame), or another record. */
export interface RecordSink {
  /** `payload`: the text, or base64 when `binary`; undefined when the frame has none. */
  frame(id: number, conn: number, dir: Direction, opcode: number, ts: number, size: number, payload: string | undefined, binary: boolean, mark?: FrameMark): void;
  record(r: OtherRecord): void;
}

export function emptyBatch(): RecordBatch {
  return { frames: { id: [], conn: [], op: [], ts: [], size: [], k: [], p: [] }, others: [], at: [] };
}

export const batchFrameCount = (b: RecordBatch): number => b.frames.id.length;

/** Builds one batch; `take` hands it over and starts the next. */
export class BatchBuilder implements RecordSink {
  batch = emptyBatch();
  /** Payload characters in the batch (for bounds in bytes). */
  chars = 0;

  frame(id: number, conn: number, dir: Direction, opcode: number, ts: number, size: number, payload: string | undefined, binary: boolean, mark?: FrameMark): void {
    const f = this.batch.frames;
    f.id.push(id);
    f.conn.push(conn);
    f.op.push(opcode);
    f.ts.push(ts);
    f.size.push(size);
    let k = dir === 'received' ? K_RECEIVED : 0;
    if (binary) k |= K_BINARY;
    if (mark === 'replayed') k |= K_REPLAYED;
    else if (mark === 'injected') k |= K_INJECTED;
    else if (mark === 'intercepted') k |= K_INTERCEPTED;
    if (payload === undefined) k |= K_NO_PAYLOAD;
    f.k.push(k);
    f.p.push(payload ?? '');
    if (payload !== undefined) this.chars += payload.length;
  }

  record(r: OtherRecord): void {
    this.batch.others.push(r);
    this.batch.at.push(this.batch.frames.id.length);
  }

  get frames(): number {
    return this.batch.frames.id.length;
  }

  get empty(): boolean {
    return this.batch.frames.id.length === 0 && this.batch.others.length === 0;
  }

  take(): RecordBatch {
    const b = this.batch;
    this.batch = emptyBatch();
    this.chars = 0;
    return b;
  }

  /** Drop the oldest `n` frames (the other records stay, at the front); returns the payload characters dropped. */
  dropOldest(n: number): number {
    const f = this.batch.frames;
    let chars = 0;
    for (let i = 0; i < n; i++) chars += f.p[i].length;
    for (const col of [f.id, f.conn, f.op, f.ts, f.size, f.k, f.p] as unknown[][]) col.splice(0, n);
    const at = this.batch.at;
    for (let i = 0; i < at.length; i++) at[i] = Math.max(0, at[i] - n);
    this.chars -= chars;
    return chars;
  }
}

/**
 * A batch cut into batches of at most `maxChars` payload characters each, in order (a frame longer than that goes
 * alone): for a hop that limits the size of one message (a runtime Port's 64 MiB).
 */
export function splitBatch(b: RecordBatch, maxChars: number): RecordBatch[] {
  const f = b.frames;
  const n = f.id.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += f.p[i].length;
  if (total <= maxChars) return [b];
  const out: RecordBatch[] = [];
  let o = 0;
  let i = 0;
  while (i < n || o < b.others.length) {
    const part = emptyBatch();
    const pf = part.frames;
    let chars = 0;
    for (;;) {
      while (o < b.others.length && b.at[o] === i) {
        part.others.push(b.others[o++]);
        part.at.push(pf.id.length);
      }
      if (i === n) break;
      const len = f.p[i].length;
      if (pf.id.length > 0 && chars + len > maxChars) break;
      pf.id.push(f.id[i]);
      pf.conn.push(f.conn[i]);
      pf.op.push(f.op[i]);
      pf.ts.push(f.ts[i]);
      pf.size.push(f.size[i]);
      pf.k.push(f.k[i]);
      pf.p.push(f.p[i]);
      chars += len;
      i++;
    }
    while (i === n && o < b.others.length) {
      part.others.push(b.others[o++]);
      part.at.push(pf.id.length);
    }
    out.push(part);
  }
  return out;
}

/** Write a record object into a sink (for records made as objects: HAR import, tests). */
export function writeRecord(sink: RecordSink, r: CaptureRecord): void {
  if (r.t !== 'frame') return sink.record(r);
  const w = r.frame;
  const binary = w.b64 !== undefined;
  sink.frame(w.id, w.conn, w.dir, w.opcode, w.ts, w.size, binary ? w.b64 : w.text, binary, w.mark);
}

export function batchOf(records: readonly CaptureRecord[]): RecordBatch {
  const b = new BatchBuilder();
  for (const r of records) writeRecord(b, r);
  return b.batch;
}

/** The records of a batch as objects, in order (tests, diagnostics). */
export function recordsOf(b: RecordBatch): CaptureRecord[] {
  const f = b.frames;
  const n = f.id.length;
  const out: CaptureRecord[] = [];
  let o = 0;
  for (let i = 0; i <= n; i++) {
    while (o < b.others.length && b.at[o] === i) out.push(b.others[o++]);
    if (i === n) break;
    const k = f.k[i];
    const frame: Extract<CaptureRecord, { t: 'frame' }>['frame'] = { id: f.id[i], conn: f.conn[i], dir: k & K_RECEIVED ? 'received' : 'sent', opcode: f.op[i], ts: f.ts[i], size: f.size[i] };
    if (!(k & K_NO_PAYLOAD)) {
      if (k & K_BINARY) frame.b64 = f.p[i];
      else frame.text = f.p[i];
    }
    if (k & K_REPLAYED) frame.mark = 'replayed';
    else if (k & K_INJECTED) frame.mark = 'injected';
    else if (k & K_INTERCEPTED) frame.mark = 'intercepted';
    out.push({ t: 'frame', frame });
  }
  while (o < b.others.length) out.push(b.others[o++]);
  return out;
}

/** A well-formed batch (column lengths agree, positions in range), as the panel checks one from a Port. */
export function isRecordBatch(x: unknown): x is RecordBatch {
  if (typeof x !== 'object' || x === null) return false;
  const b = x as Partial<RecordBatch>;
  const f = b.frames;
  if (!f || !Array.isArray(b.others) || !Array.isArray(b.at) || b.others.length !== b.at.length) return false;
  const n = Array.isArray(f.id) ? f.id.length : -1;
  return [f.conn, f.op, f.ts, f.size, f.k, f.p].every((c) => Array.isArray(c) && c.length === n);
}
