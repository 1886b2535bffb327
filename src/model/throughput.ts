// Throughput over time, kept as frames arrive: frames and bytes per bucket of time, per direction, overall and per
// connection, for the throughput chart; gaps in a connection's traffic; connection open / close marks. Pure.
//
// Buckets start BASE_MS wide from the first frame's time; when a frame falls past `cap` buckets, leading buckets left
// empty by eviction are dropped, and if that is not enough, pairs of buckets merge and the width doubles. A frame's
// bucket is a function of its time and the current width and origin only, so an evicted frame is taken out of the
// bucket it was counted in: each stored frame's time, connection, direction and size is kept (compact columns).
import type { Connection, Frame } from './types';
import type { SessionStore } from './store';
import { Columns } from './pairs/columns';
import { select } from './pairs/summary';

const BASE_MS = 100;
const DEFAULT_CAP = 4096;

/** Counts per bucket: frames and bytes, sent and received. */
export class Series {
  framesSent = new Float64Array(0);
  framesReceived = new Float64Array(0);
  bytesSent = new Float64Array(0);
  bytesReceived = new Float64Array(0);

  get length(): number {
    return this.framesSent.length;
  }

  /** Room for bucket i (arrays grow by doubling, up to `cap`). */
  ensure(i: number, cap: number): void {
    if (i < this.length) return;
    let n = Math.max(16, this.length);
    while (n <= i) n *= 2;
    n = Math.min(n, cap);
    for (const k of ['framesSent', 'framesReceived', 'bytesSent', 'bytesReceived'] as const) {
      const a = new Float64Array(n);
      a.set(this[k]);
      this[k] = a;
    }
  }

  add(i: number, sent: boolean, size: number, sign: number): void {
    if (sent) {
      this.framesSent[i] += sign;
      this.bytesSent[i] += sign * size;
    } else {
      this.framesReceived[i] += sign;
      this.bytesReceived[i] += sign * size;
    }
  }

  /** Drops the first k buckets. */
  dropFirst(k: number): void {
    for (const a of [this.framesSent, this.framesReceived, this.bytesSent, this.bytesReceived]) {
      a.copyWithin(0, Math.min(k, a.length));
      a.fill(0, Math.max(0, a.length - k));
    }
  }

  /** Merges buckets 2i and 2i+1 into i. */
  halve(): void {
    for (const a of [this.framesSent, this.framesReceived, this.bytesSent, this.bytesReceived]) {
      const n = a.length;
      for (let i = 0; 2 * i < n; i++) a[i] = a[2 * i] + (2 * i + 1 < n ? a[2 * i + 1] : 0);
      a.fill(0, Math.ceil(n / 2));
    }
  }
}

export interface Gap {
  conn: number;
  /** Monotonic seconds of the frames before and after the gap. */
  from: number;
  to: number;
  seconds: number;
}

export interface ConnectionMark {
  conn: number;
  ts: number;
  kind: 'open' | 'close';
}

const logColumns = (n: number) => ({
  id: new Float64Array(n),
  ts: new Float64Array(n),
  conn: new Int32Array(n),
  size: new Uint32Array(n),
  sent: new Uint8Array(n),
});

export class Throughput {
  /** Goes up with every change. */
  version = 0;
  readonly overall = new Series();
  readonly perConnection = new Map<number, Series>();
  /** Time of the first frame since the last clear (monotonic seconds), NaN before. */
  private t0 = NaN;
  /** Buckets merged this many times: a bucket is BASE_MS × 2^level wide. */
  private level = 0;
  /** Base units (BASE_MS) from t0 to the start of bucket 0. */
  private origin = 0;
  /** Buckets in use (the last one holding or having held a frame, plus one). */
  private used = 0;
  private readonly log = new Columns(logColumns, 4096);
  private seen = 0;
  private lastId = NaN;

  constructor(readonly cap = DEFAULT_CAP) {}

  get bucketMs(): number {
    return BASE_MS * 2 ** this.level;
  }

  get bucketCount(): number {
    return this.used;
  }

  /** Monotonic seconds at which bucket i starts. */
  bucketStart(i: number): number {
    return this.t0 + ((this.origin + i * 2 ** this.level) * BASE_MS) / 1000;
  }

  /** Bucket of a time, as the current width and origin place it (times before the origin fall in bucket 0). */
  bucketOf(ts: number): number {
    const u = Math.floor(((ts - this.t0) * 1000) / BASE_MS);
    return Math.max(0, Math.floor((u - this.origin) / 2 ** this.level));
  }

  /** Counts a frame (frames come in id order). */
  add(f: Frame): void {
    this.lastId = f.id;
    const ts = f.ts;
    if (Number.isNaN(this.t0)) this.t0 = ts;
    let i = this.bucketOf(ts);
    if (i >= this.cap) i = this.makeRoom(i);
    const s = this.log.push();
    const c = this.log.cols;
    const sent = f.dir === 'sent';
    c.id[s] = f.id;
    c.ts[s] = ts;
    c.conn[s] = f.conn;
    c.size[s] = f.size;
    c.sent[s] = sent ? 1 : 0;
    this.count(f.conn, i, sent, f.size, 1);
    if (i >= this.used) this.used = i + 1;
    this.version++;
  }

  private count(conn: number, i: number, sent: boolean, size: number, sign: number): void {
    let per = this.perConnection.get(conn);
    if (per === undefined) this.perConnection.set(conn, (per = new Series()));
    this.overall.ensure(i, this.cap);
    per.ensure(i, this.cap);
    this.overall.add(i, sent, size, sign);
    per.add(i, sent, size, sign);
  }

  /** Drops leading empty buckets, then doubles the width until bucket `i` fits; returns where it is now. */
  private makeRoom(i: number): number {
    const o = this.overall;
    let empty = 0;
    while (empty < this.used && o.framesSent[empty] === 0 && o.framesReceived[empty] === 0) empty++;
    const drop = Math.min(empty, i - this.cap + 1 + (this.cap >> 2)); // leave some room ahead
    if (drop > 0) {
      o.dropFirst(drop);
      for (const s of this.perConnection.values()) s.dropFirst(drop);
      this.origin += drop * 2 ** this.level;
      this.used = Math.max(0, this.used - drop);
      i -= drop;
    }
    while (i >= this.cap) {
      o.halve();
      for (const s of this.perConnection.values()) s.halve();
      this.level++;
      this.used = Math.ceil(this.used / 2);
      i = Math.floor(i / 2);
    }
    return i;
  }

  /** Takes out the frames before `frameId` (the store evicted them). */
  evictBefore(frameId: number): void {
    const l = this.log;
    const c = l.cols;
    let h = l.head;
    for (; h < l.tail && c.id[h - l.base] < frameId; h++) {
      const s = h - l.base;
      this.count(c.conn[s], this.bucketOf(c.ts[s]), c.sent[s] === 1, c.size[s], -1);
    }
    if (h === l.head) return;
    l.dropBefore(h);
    for (const [conn, s] of this.perConnection) if (isEmpty(s)) this.perConnection.delete(conn);
    this.version++;
  }

  clear(): void {
    for (const k of ['framesSent', 'framesReceived', 'bytesSent', 'bytesReceived'] as const) this.overall[k] = new Float64Array(0);
    this.perConnection.clear();
    this.log.clear();
    this.t0 = NaN;
    this.level = this.origin = this.used = this.seen = 0;
    this.lastId = NaN;
    this.version++;
  }

  /** Counts the frames the store got since the last call; takes out what it evicted; starts afresh after a clear. */
  sync(store: SessionStore): void {
    const evicted = store.stats.evicted;
    const appended = store.frameCount + evicted;
    const last = this.seen - 1 - evicted;
    if (appended < this.seen || (last >= 0 && store.rowAt(last)?.id !== this.lastId)) this.clear();
    if (store.frameCount) this.evictBefore(store.rowAt(0)!.id);
    for (let i = Math.max(0, this.seen - evicted), n = store.frameCount; i < n; i++) this.add(store.rowAt(i)!);
    this.seen = appended;
  }

  /** A series' counts of the buckets in use as rates per second (frames/s or bytes/s). */
  perSecond(counts: Float64Array): Float64Array {
    const out = new Float64Array(this.used);
    const k = 1000 / this.bucketMs;
    for (let i = 0; i < this.used && i < counts.length; i++) out[i] = counts[i] * k;
    return out;
  }

  /** Frames counted (the stored ones). */
  get frames(): number {
    return this.log.size;
  }

  /**
   * Per connection, silences longer than `k` times its median interval between frames and at least `minSeconds`
   * (a connection that usually talks every 100 ms and then says nothing for 5 s), oldest first per connection.
   */
  gaps(k = 10, minSeconds = 2): Gap[] {
    const l = this.log;
    const c = l.cols;
    const by = new Map<number, number[]>();
    for (let s = l.head - l.base, e = l.tail - l.base; s < e; s++) {
      let a = by.get(c.conn[s]);
      if (a === undefined) by.set(c.conn[s], (a = []));
      a.push(c.ts[s]);
    }
    const out: Gap[] = [];
    for (const [conn, ts] of by) {
      if (ts.length < 3) continue;
      const d = new Float64Array(ts.length - 1);
      for (let i = 1; i < ts.length; i++) d[i - 1] = Math.max(0, ts[i] - ts[i - 1]);
      const m = (d.length - 1) >> 1;
      const sorted = d.slice();
      select(sorted, 0, sorted.length - 1, m);
      const limit = Math.max(k * sorted[m], minSeconds);
      for (let i = 0; i < d.length; i++) if (d[i] > limit) out.push({ conn, from: ts[i], to: ts[i + 1], seconds: d[i] });
    }
    return out;
  }
}

function isEmpty(s: Series): boolean {
  for (let i = 0; i < s.length; i++) if (s.framesSent[i] !== 0 || s.framesReceived[i] !== 0) return false;
  return true;
}

/** When each connection opened and closed, as the chart marks them, in time order. */
export function connectionMarks(conns: Iterable<Connection>): ConnectionMark[] {
  const out: ConnectionMark[] = [];
  for (const c of conns) {
    const open = c.openTs ?? c.createdTs;
    if (open !== undefined) out.push({ conn: c.id, ts: open, kind: 'open' });
    if (c.closeTs !== undefined) out.push({ conn: c.id, ts: c.closeTs, kind: 'close' });
  }
  return out.sort((a, b) => a.ts - b.ts);
}
