// What the throughput chart draws, from a Throughput's buckets: a rate per pixel column, the y scale, x ↔ time, gap
// spans, connection and page-load marks, time ticks. Pure (no DOM); every pass here is over buckets or columns, never
// over frames, except gaps(), which GapCache runs only as often as its cost allows.
import type { SessionStore } from './store';
import { formatBytes } from './bytes';
import { connectionMarks, Throughput, type ConnectionMark, type Gap, type Series } from './throughput';

export type Metric = 'frames' | 'bytes';

const throughputs = new WeakMap<SessionStore, Throughput>();

/** The store's Throughput (one per store); call `sync(store)` before reading it. */
export function throughputOf(store: SessionStore): Throughput {
  let t = throughputs.get(store);
  if (!t) throughputs.set(store, (t = new Throughput()));
  return t;
}

export interface GapSpan {
  conn: number;
  /** Device-pixel x range in the plot. */
  x0: number;
  x1: number;
  seconds: number;
  text: string;
}

export interface Mark {
  x: number;
  ts: number;
  kind: 'open' | 'close' | 'page';
  /** The connection opened or closed (open / close). */
  conn?: number;
  /** The page loaded (page). */
  url?: string;
}

export interface PageLoad {
  ts: number;
  url: string;
}

export interface ChartInput {
  metric: Metric;
  /** A connection's series, or null for all connections. */
  conn: number | null;
  /** Plot width in device pixels: one column each. */
  width: number;
  gaps?: readonly Gap[];
  marks?: readonly ConnectionMark[];
  pageLoads?: readonly PageLoad[];
}

export interface ChartLayout {
  width: number;
  buckets: number;
  bucketMs: number;
  /** Monotonic seconds at x = 0 and x = width (the start of the first bucket, the end of the last). */
  start: number;
  end: number;
  /** Rate per second of each column (the largest among the buckets it covers). */
  sent: Float64Array;
  received: Float64Array;
  /** Top of the y axis: a round value at or above every column's sent + received. */
  yMax: number;
  /** Highest rate of a bucket (sent + received), and the rate over about the last second of buckets. */
  peak: number;
  current: number;
  gaps: GapSpan[];
  marks: Mark[];
}

/** Gap overlays kept at most (the longest): each is a DOM element. */
const MAX_GAPS = 64;

/**
 * What to draw for a Throughput. `reuse`, a layout made before, lends its column arrays when the width is the same, so
 * a redraw allocates no new ones.
 */
export function chartLayout(t: Throughput, input: ChartInput, reuse?: ChartLayout): ChartLayout {
  const width = Math.max(1, Math.floor(input.width));
  const sameWidth = reuse !== undefined && reuse.sent.length === width;
  const sent = sameWidth ? reuse.sent : new Float64Array(width);
  const received = sameWidth ? reuse.received : new Float64Array(width);
  const n = t.bucketCount;
  const bucketMs = t.bucketMs;
  const layout: ChartLayout = { width, buckets: n, bucketMs, start: 0, end: 0, sent, received, yMax: niceCeil(0, input.metric), peak: 0, current: 0, gaps: [], marks: [] };
  if (n === 0) {
    sent.fill(0);
    received.fill(0);
    return layout;
  }
  layout.start = t.bucketStart(0);
  layout.end = t.bucketStart(n);
  const series: Series | undefined = input.conn === null ? t.overall : t.perConnection.get(input.conn);
  const s = series ? (input.metric === 'frames' ? series.framesSent : series.bytesSent) : undefined;
  const r = series ? (input.metric === 'frames' ? series.framesReceived : series.bytesReceived) : undefined;
  const perSec = 1000 / bucketMs;
  const at = (a: Float64Array | undefined, i: number) => (a !== undefined && i < a.length ? a[i] * perSec : 0);

  // Column c covers the buckets whose start falls in it; when buckets are wider than a column, it shows the bucket
  // under it. The largest rate wins, so a one-bucket spike shows however many buckets a column covers.
  let top = 0;
  for (let c = 0; c < width; c++) {
    const b0 = Math.floor((c * n) / width);
    const b1 = Math.max(b0 + 1, Math.floor(((c + 1) * n) / width));
    let ms = 0;
    let mr = 0;
    for (let i = b0; i < b1; i++) {
      const vs = at(s, i);
      const vr = at(r, i);
      if (vs > ms) ms = vs;
      if (vr > mr) mr = vr;
    }
    sent[c] = ms;
    received[c] = mr;
    if (ms + mr > top) top = ms + mr;
  }
  layout.yMax = niceCeil(top, input.metric);

  let peak = 0;
  for (let i = 0; i < n; i++) peak = Math.max(peak, at(s, i) + at(r, i));
  layout.peak = peak;
  const last = Math.min(n, Math.max(1, Math.round(1000 / bucketMs)));
  let sum = 0;
  for (let i = n - last; i < n; i++) sum += at(s, i) + at(r, i);
  layout.current = sum / last;

  const spans: GapSpan[] = [];
  for (const g of input.gaps ?? []) {
    if (input.conn !== null && g.conn !== input.conn) continue;
    const x0 = clamp(xOfTs(layout, g.from), 0, width);
    const x1 = clamp(xOfTs(layout, g.to), 0, width);
    if (x1 <= x0) continue;
    spans.push({ conn: g.conn, x0, x1, seconds: g.seconds, text: gapText(g.seconds) });
  }
  if (spans.length > MAX_GAPS) {
    spans.sort((a, b) => b.seconds - a.seconds);
    spans.length = MAX_GAPS;
  }
  layout.gaps = spans.sort((a, b) => a.x0 - b.x0);

  // A mark up to a bucket before the first one (a connection opening just before its first frame) sits at x = 0.
  const slack = bucketMs / 1000;
  const marks: Mark[] = [];
  const place = (ts: number) => (ts >= layout.start - slack && ts <= layout.end ? clamp(xOfTs(layout, ts), 0, width - 1) : NaN);
  for (const m of input.marks ?? []) {
    if (input.conn !== null && m.conn !== input.conn) continue;
    const x = place(m.ts);
    if (!Number.isNaN(x)) marks.push({ x, ts: m.ts, kind: m.kind, conn: m.conn });
  }
  for (const p of input.pageLoads ?? []) {
    const x = place(p.ts);
    if (!Number.isNaN(x)) marks.push({ x, ts: p.ts, kind: 'page', url: p.url });
  }
  layout.marks = marks.sort((a, b) => a.x - b.x);
  return layout;
}

/** x (device px, 0 … width) of a monotonic time. */
export function xOfTs(l: ChartLayout, ts: number): number {
  const span = l.end - l.start;
  return span > 0 ? ((ts - l.start) / span) * l.width : 0;
}

/** Monotonic time at an x (device px). */
export function tsOfX(l: ChartLayout, x: number): number {
  return l.start + (x / l.width) * (l.end - l.start);
}

/**
 * A brush between two points of the plot, given as fractions of its width (0 … 1, either order), as seconds since
 * `originTs` (the store's first frame, as `time:` terms count), within the plotted time and never before the origin.
 */
export function brushSeconds(l: ChartLayout, a: number, b: number, originTs: number): { from: number; to: number } | null {
  if (l.buckets === 0 || Number.isNaN(originTs)) return null;
  const lo = tsOfX(l, clamp(Math.min(a, b), 0, 1) * l.width);
  const hi = tsOfX(l, clamp(Math.max(a, b), 0, 1) * l.width);
  return { from: Math.max(0, lo - originTs), to: Math.max(0, hi - originTs) };
}

/** The query term for a brush: `time:5.2s..9.75s` (milliseconds kept, so the range is the one brushed). */
export function timeTerm(from: number, to: number): string {
  // Whole milliseconds, rounded outward: a frame at the edge of the range brushed stays in it.
  const s = (v: number, round: (x: number) => number) => `${round(Math.max(0, v) * 1000) / 1000}s`;
  return `time:${s(Math.min(from, to), Math.floor)}..${s(Math.max(from, to), Math.ceil)}`;
}

export function gapText(seconds: number): string {
  return `no frames for ${seconds.toFixed(1)} s`;
}

/** The smallest round axis value ≥ v: 1, 2, 2.5, 5 × a power of ten (of 1024 for bytes past 1 kB, so labels read 2 MB). */
export function niceCeil(v: number, metric: Metric = 'frames'): number {
  if (!(v > 0)) return 1;
  let unit = 1;
  if (metric === 'bytes') while (v / unit >= 1024) unit *= 1024;
  const x = v / unit;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x * (1 - 1e-12)) return unit * m * p;
  return unit * 10 * p;
}

/** A rate as the header and axis show it: `12.5 frames/s`, `3.0 kB/s`. */
export function formatRate(v: number, metric: Metric): string {
  if (metric === 'bytes') return `${formatBytes(Math.round(v))}/s`;
  const digits = v !== 0 && v < 10 && !Number.isInteger(v) ? 1 : 0;
  return `${v.toFixed(digits)} frames/s`;
}

export interface Tick {
  x: number;
  label: string;
}

/** A few time axis ticks (seconds since `originTs`) at round steps, at most `most` of them. */
export function timeTicks(l: ChartLayout, originTs: number, most = 6): Tick[] {
  if (l.buckets === 0 || Number.isNaN(originTs)) return [];
  const from = l.start - originTs;
  const to = l.end - originTs;
  const span = to - from;
  if (!(span > 0)) return [];
  // 0.1, 0.2, 0.5, 1, 2, 5, 10 … seconds: the first step that gives at most `most` ticks.
  let k = 0;
  const stepAt = (j: number) => [1, 2, 5][j % 3] * 10 ** (Math.floor(j / 3) - 1);
  while (Math.floor(span / stepAt(k) + 1e-9) + 1 > most) k++;
  const step = stepAt(k);
  const digits = step < 1 ? 1 : 0;
  const out: Tick[] = [];
  // No ticks before the first frame: the first bucket may start a little earlier (or long before, after evictions).
  for (let i = Math.ceil(Math.max(0, from) / step - 1e-9); i * step <= to + 1e-9; i++) {
    const v = i * step;
    out.push({ x: xOfTs(l, originTs + v), label: `${v.toFixed(digits)} s` });
  }
  return out;
}

/** Page loads of the store (the first frame after each navigation) still stored: no pass over frames. */
export function pageLoadsOf(store: SessionStore): PageLoad[] {
  const out: PageLoad[] = [];
  for (const [id, url] of store.navigationStarts) {
    const i = store.indexOfId(id);
    if (i >= 0) out.push({ ts: store.tsAt(i), url });
  }
  return out;
}

/** Connection open / close marks of the store. */
export function connectionMarksOf(store: SessionStore): ConnectionMark[] {
  return connectionMarks(store.connections.values());
}

/** Monotonic seconds of a stored frame, NaN when it is not stored (a binary search, no Frame made). */
export function tsOfFrame(store: SessionStore, frameId: number | null): number {
  if (frameId === null) return NaN;
  const i = store.indexOfId(frameId);
  return i < 0 ? NaN : store.tsAt(i);
}

/**
 * gaps() reads every frame counted, too much for every paint of a long capture: it runs again once the throughput
 * changed and at least COST_FACTOR times its last run's cost has passed, so it takes a bounded share of the time.
 * `retryInMs` says when stale gaps may be asked for again.
 */
export class GapCache {
  private version = -1;
  private gaps: Gap[] = [];
  private at = -Infinity;
  private cost = 0;
  static readonly COST_FACTOR = 20;

  constructor(private readonly clock: () => number = () => performance.now()) {}

  get(t: Throughput): { gaps: Gap[]; stale: boolean; retryInMs: number } {
    if (t.version === this.version) return { gaps: this.gaps, stale: false, retryInMs: 0 };
    if (t.frames === 0) {
      this.version = t.version;
      this.gaps = [];
      return { gaps: this.gaps, stale: false, retryInMs: 0 };
    }
    const now = this.clock();
    const wait = this.at + this.cost * GapCache.COST_FACTOR - now;
    if (wait > 0) return { gaps: this.gaps, stale: true, retryInMs: wait };
    this.gaps = t.gaps();
    const done = this.clock();
    this.cost = done - now;
    this.at = done;
    this.version = t.version;
    return { gaps: this.gaps, stale: false, retryInMs: 0 };
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
