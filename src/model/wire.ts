// How a batch of records crosses contexts (runtime Ports serialize messages as JSON): frames go as columns, one array
// per field, which serializes and parses about twice as fast as an object per frame (test/bench/relay.bench.ts);
// the few other records (connections, anchors, navigations) go as they are, each with its position among the
// frames so the order is kept exactly. Pure.
import type { CaptureRecord, WireFrame } from './types';

/** Frame columns. `k`: bit 0 received (else sent), bit 1 binary (payload is base64), bit 2 replayed, bit 3 injected. */
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

export interface WireBatch {
  frames: FrameColumns;
  /** Records other than frames, in order. */
  others: Exclude<CaptureRecord, { t: 'frame' }>[];
  /** For each of `others`: how many frames of this batch come before it. */
  at: number[];
}

export function encodeBatch(records: readonly CaptureRecord[]): WireBatch {
  const f: FrameColumns = { id: [], conn: [], op: [], ts: [], size: [], k: [], p: [] };
  const others: WireBatch['others'] = [];
  const at: number[] = [];
  for (const r of records) {
    if (r.t !== 'frame') {
      others.push(r);
      at.push(f.id.length);
      continue;
    }
    const w = r.frame;
    f.id.push(w.id);
    f.conn.push(w.conn);
    f.op.push(w.opcode);
    f.ts.push(w.ts);
    f.size.push(w.size);
    let k = w.dir === 'received' ? 1 : 0;
    if (w.b64 !== undefined) k |= 2;
    if (w.mark === 'replayed') k |= 4;
    else if (w.mark === 'injected') k |= 8;
    const p = w.text ?? w.b64;
    if (p === undefined) k |= 16;
    f.k.push(k);
    f.p.push(p ?? '');
  }
  return { frames: f, others, at };
}

export function decodeBatch(b: WireBatch): CaptureRecord[] {
  const f = b.frames;
  const n = f.id.length;
  const out: CaptureRecord[] = [];
  let o = 0;
  for (let i = 0; i <= n; i++) {
    while (o < b.others.length && b.at[o] === i) out.push(b.others[o++]);
    if (i === n) break;
    const k = f.k[i];
    const frame: WireFrame = { id: f.id[i], conn: f.conn[i], dir: k & 1 ? 'received' : 'sent', opcode: f.op[i], ts: f.ts[i], size: f.size[i] };
    if (!(k & 16)) {
      if (k & 2) frame.b64 = f.p[i];
      else frame.text = f.p[i];
    }
    if (k & 4) frame.mark = 'replayed';
    else if (k & 8) frame.mark = 'injected';
    out.push({ t: 'frame', frame });
  }
  while (o < b.others.length) out.push(b.others[o++]);
  return out;
}

/** A well-formed wire batch (column lengths agree), as the panel checks it before decoding. */
export function isWireBatch(x: unknown): x is WireBatch {
  if (typeof x !== 'object' || x === null) return false;
  const b = x as Partial<WireBatch>;
  const f = b.frames;
  if (!f || !Array.isArray(b.others) || !Array.isArray(b.at) || b.others.length !== b.at.length) return false;
  const n = Array.isArray(f.id) ? f.id.length : -1;
  return [f.conn, f.op, f.ts, f.size, f.k, f.p].every((c) => Array.isArray(c) && c.length === n);
}
