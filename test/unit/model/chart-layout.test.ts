// The throughput chart's layout: x ↔ time, columns from buckets (a spike survives aggregation), per-connection
// series, gaps, marks, ticks, brushes, and the throttled gap cache.
import { describe, expect, it } from 'vitest';
import {
  brushSeconds,
  chartLayout,
  connectionMarksOf,
  formatRate,
  gapText,
  GapCache,
  niceCeil,
  pageLoadsOf,
  throughputOf,
  timeTerm,
  timeTicks,
  tsOfFrame,
  tsOfX,
  xOfTs,
} from '../../../src/model/chart-layout';
import { Throughput } from '../../../src/model/throughput';
import { SessionStore } from '../../../src/model/store';
import type { CaptureRecord, Connection, Frame } from '../../../src/model/types';

let nextId = 0;
const frame = (ts: number, o: Partial<Frame> = {}): Frame => ({ id: ++nextId, conn: 1, dir: 'received', opcode: 1, ts, size: 10, ...o });
const conn = (id: number, o: Partial<Connection> = {}): Connection => ({ id, url: 'ws://x', state: 'open', openedBeforeCapture: false, target: { type: 'page' }, ...o });
const rec = (f: Frame): CaptureRecord => ({ t: 'frame', frame: { ...f, text: 'x'.repeat(f.size) } });

/**
 * A throughput with a frame in each of `n` 100 ms buckets from ts 100, alternating received / sent. Past the first,
 * frames sit mid-bucket, so float rounding never moves one to the bucket before.
 */
function steady(n: number): Throughput {
  const t = new Throughput();
  for (let i = 0; i < n; i++) t.add(frame(i ? 100 + (i + 0.5) * 0.1 : 100, { dir: i % 2 ? 'sent' : 'received' }));
  return t;
}

describe('chart layout', () => {
  it('maps x to time and back, across the buckets in use', () => {
    const t = steady(50); // 100 ms buckets, 50 of them: 100 … 105 s
    const l = chartLayout(t, { metric: 'frames', conn: null, width: 400 });
    expect([l.buckets, l.bucketMs, l.width]).toEqual([50, 100, 400]);
    expect(l.start).toBeCloseTo(100);
    expect(l.end).toBeCloseTo(105);
    expect(xOfTs(l, l.start)).toBe(0);
    expect(xOfTs(l, l.end)).toBeCloseTo(400);
    for (const x of [0, 1, 57.5, 200, 399]) expect(xOfTs(l, tsOfX(l, x))).toBeCloseTo(x, 9);
    for (const ts of [100, 101.234, 104.9]) expect(tsOfX(l, xOfTs(l, ts))).toBeCloseTo(ts, 9);
  });

  it('spreads few buckets over several columns, each showing its bucket’s rate', () => {
    const t = new Throughput();
    t.add(frame(10)); // bucket 0: 1 received
    t.add(frame(10.15, { dir: 'sent' })); // bucket 1: 1 sent
    t.add(frame(10.16, { dir: 'sent' }));
    const l = chartLayout(t, { metric: 'frames', conn: null, width: 8 });
    expect(l.buckets).toBe(2);
    expect(Array.from(l.received)).toEqual([10, 10, 10, 10, 0, 0, 0, 0]);
    expect(Array.from(l.sent)).toEqual([0, 0, 0, 0, 20, 20, 20, 20]);
    expect(l.yMax).toBe(20);
    expect(l.peak).toBe(20);
  });

  it('keeps a one-bucket spike when many buckets share a column (the largest wins, not the mean)', () => {
    const t = new Throughput();
    t.add(frame(0));
    for (let i = 1; i < 3000; i++) t.add(frame(i * 0.1 + 0.05)); // one per bucket
    for (let i = 0; i < 40; i++) t.add(frame(300.05)); // 40 in the last one
    const l = chartLayout(t, { metric: 'frames', conn: null, width: 100 });
    expect([l.buckets, l.bucketMs]).toEqual([3001, 100]);
    const spike = 40 * 10;
    expect(Math.max(...l.received)).toBe(spike);
    expect(l.peak).toBe(spike);
    expect(l.yMax).toBeGreaterThanOrEqual(spike);
    // The steady part stays at its rate: one frame per 100 ms bucket.
    expect(l.received[10]).toBe(10);

    // A spike in the middle, too, in whatever column covers its bucket.
    const u = new Throughput();
    u.add(frame(0));
    for (let i = 1; i < 2000; i++) u.add(frame(i * 0.1 + 0.05));
    for (let i = 0; i < 30; i++) u.add(frame(199.95, { dir: 'sent' }));
    for (let i = 2000; i < 4000; i++) u.add(frame(i * 0.1 + 0.05));
    const m = chartLayout(u, { metric: 'frames', conn: null, width: 37 });
    expect(m.buckets).toBe(4000);
    const col = Math.floor((u.bucketOf(199.95) * 37) / m.buckets);
    expect(m.sent[col]).toBe(300);
    expect(m.sent.filter((v) => v > 0).length).toBe(1);
  });

  it('shows one connection’s series, or all; bytes or frames', () => {
    const t = new Throughput();
    t.add(frame(1, { conn: 1, size: 100 }));
    t.add(frame(1.01, { conn: 2, size: 5, dir: 'sent' }));
    t.add(frame(1.25, { conn: 2, size: 7 }));
    const all = chartLayout(t, { metric: 'bytes', conn: null, width: 3 });
    expect(Array.from(all.received)).toEqual([1000, 0, 70]);
    expect(Array.from(all.sent)).toEqual([50, 0, 0]);
    const two = chartLayout(t, { metric: 'bytes', conn: 2, width: 3 });
    expect(Array.from(two.received)).toEqual([0, 0, 70]);
    expect(Array.from(two.sent)).toEqual([50, 0, 0]);
    const one = chartLayout(t, { metric: 'frames', conn: 1, width: 3 });
    expect(Array.from(one.received)).toEqual([10, 0, 0]);
    const none = chartLayout(t, { metric: 'frames', conn: 99, width: 3 });
    expect(Array.from(none.received)).toEqual([0, 0, 0]);
    expect([none.peak, none.yMax]).toEqual([0, 1]);
  });

  it('reuses the column arrays of a layout of the same width', () => {
    const t = steady(10);
    const a = chartLayout(t, { metric: 'frames', conn: null, width: 20 });
    const b = chartLayout(t, { metric: 'bytes', conn: null, width: 20 }, a);
    expect(b.sent).toBe(a.sent);
    expect(chartLayout(t, { metric: 'frames', conn: null, width: 21 }, b).sent).not.toBe(a.sent);
  });

  it('places gaps as x ranges with their text, of the chosen connection only', () => {
    const t = new Throughput();
    for (let i = 0; i < 20; i++) t.add(frame(i * 0.1, { conn: 1 }));
    t.add(frame(0.05, { conn: 2 }));
    t.add(frame(0.06, { conn: 2 }));
    t.add(frame(0.07, { conn: 2 }));
    t.add(frame(14.3, { conn: 1 }));
    t.add(frame(14.4, { conn: 1 }));
    const gaps = t.gaps();
    expect(gaps.map((g) => g.conn)).toEqual([1]);
    const l = chartLayout(t, { metric: 'frames', conn: null, width: 1000, gaps });
    expect(l.gaps).toHaveLength(1);
    const [g] = l.gaps;
    expect(g.text).toBe('no frames for 12.4 s');
    expect(g.x0).toBeCloseTo(xOfTs(l, 1.9));
    expect(g.x1).toBeCloseTo(xOfTs(l, 14.3));
    expect(chartLayout(t, { metric: 'frames', conn: 2, width: 1000, gaps }).gaps).toEqual([]);
    expect(chartLayout(t, { metric: 'frames', conn: 1, width: 1000, gaps }).gaps).toHaveLength(1);
    expect(gapText(2)).toBe('no frames for 2.0 s');
  });

  it('marks connections opening and closing and page loads where their times fall', () => {
    const store = new SessionStore();
    store.apply([
      { t: 'conn', conn: conn(1, { openTs: 9.99, closeTs: 15 }) },
      { t: 'conn', conn: conn(2, { createdTs: 12 }) },
      { t: 'conn', conn: conn(3, { openTs: 2 }) }, // long before the first frame: off the plot
      rec(frame(10, { conn: 1 })),
      { t: 'navigated', url: 'https://page/2', ts: 13 },
      rec(frame(13.5, { conn: 2 })),
      rec(frame(19.95, { conn: 1 })),
    ]);
    const t = throughputOf(store);
    expect(throughputOf(store)).toBe(t);
    t.sync(store);
    const pages = pageLoadsOf(store);
    expect(pages).toEqual([{ ts: 13.5, url: 'https://page/2' }]);
    const l = chartLayout(t, { metric: 'frames', conn: null, width: 1000, marks: connectionMarksOf(store), pageLoads: pages });
    expect(l.start).toBeCloseTo(10);
    expect(l.end).toBeCloseTo(20);
    expect(l.marks.map((m) => [m.kind, m.conn ?? m.url, Math.round(m.x)])).toEqual([
      ['open', 1, 0], // a bucket before the first: at the left edge
      ['open', 2, 200],
      ['page', 'https://page/2', 350],
      ['close', 1, 500],
    ]);
    const one = chartLayout(t, { metric: 'frames', conn: 1, width: 1000, marks: connectionMarksOf(store), pageLoads: pages });
    expect(one.marks.map((m) => m.kind)).toEqual(['open', 'page', 'close']);
    expect(tsOfFrame(store, store.rowAt(1)!.id)).toBe(13.5);
    expect(tsOfFrame(store, 12345)).toBeNaN();
    expect(tsOfFrame(store, null)).toBeNaN();
  });

  it('lays out an empty store: no buckets, flat columns, nothing to mark', () => {
    const store = new SessionStore();
    const t = throughputOf(store);
    t.sync(store);
    const l = chartLayout(t, { metric: 'bytes', conn: null, width: 50, marks: connectionMarksOf(store), pageLoads: pageLoadsOf(store), gaps: t.gaps() });
    expect([l.buckets, l.peak, l.current, l.yMax, l.gaps.length, l.marks.length]).toEqual([0, 0, 0, 1, 0, 0]);
    expect(l.sent.every((v) => v === 0) && l.received.every((v) => v === 0)).toBe(true);
    expect(Number.isFinite(xOfTs(l, 5))).toBe(true);
    expect(timeTicks(l, NaN)).toEqual([]);
    expect(brushSeconds(l, 0.1, 0.5, NaN)).toBeNull();
  });

  it('rates now: over about the last second of buckets', () => {
    const t = new Throughput();
    for (let i = 0; i < 40; i++) t.add(frame(i * 0.05)); // 20 frames/s for 2 s
    const l = chartLayout(t, { metric: 'frames', conn: null, width: 10 });
    expect(l.current).toBeCloseTo(20);
  });

  it('rounds the y axis up to a nice value (powers of 1024 for bytes)', () => {
    expect([0, 0.3, 1, 1.1, 2.2, 3, 7, 12, 99, 101].map((v) => niceCeil(v))).toEqual([1, 0.5, 1, 2, 2.5, 5, 10, 20, 100, 200]);
    expect(niceCeil(1500, 'bytes')).toBe(2048);
    expect(niceCeil(3 * 1024 * 1024, 'bytes')).toBe(5 * 1024 * 1024);
    expect(niceCeil(500, 'bytes')).toBe(500);
    expect(formatRate(2048, 'bytes')).toBe('2.0 kB/s');
    expect(formatRate(12, 'frames')).toBe('12 frames/s');
    expect(formatRate(2.5, 'frames')).toBe('2.5 frames/s');
  });

  it('ticks the time axis at round steps from the first frame', () => {
    const t = steady(100); // 100 … 110 s
    const l = chartLayout(t, { metric: 'frames', conn: null, width: 1000 });
    const ticks = timeTicks(l, 100, 6);
    expect(ticks.map((k) => k.label)).toEqual(['0 s', '2 s', '4 s', '6 s', '8 s', '10 s']);
    expect(ticks[1].x).toBeCloseTo(200);
    expect(timeTicks(l, 99, 3).map((k) => k.label)).toEqual(['5 s', '10 s']);
    const short = chartLayout(steady(5), { metric: 'frames', conn: null, width: 100 }); // 100 … 100.5 s
    expect(timeTicks(short, 100, 6).map((k) => k.label)).toEqual(['0.0 s', '0.1 s', '0.2 s', '0.3 s', '0.4 s', '0.5 s']);
    expect(timeTicks(short, 100, 5).map((k) => k.label)).toEqual(['0.0 s', '0.2 s', '0.4 s']);
  });

  it('turns a brush into seconds since the first frame, in order, within the plot', () => {
    const t = steady(100); // 100 … 110 s
    const l = chartLayout(t, { metric: 'frames', conn: null, width: 500 });
    expect(brushSeconds(l, 0.5, 0.2, 100)).toEqual({ from: 2, to: 5 });
    const r = brushSeconds(l, -0.5, 2, 101)!;
    expect(r.from).toBe(0);
    expect(r.to).toBeCloseTo(9);
    expect(timeTerm(5.2, 9.75)).toBe('time:5.2s..9.75s');
    expect(timeTerm(3.33333, 1)).toBe('time:1s..3.334s');
  });

  it('runs gaps() again only once its last cost has been paid back many times over', () => {
    let now = 0;
    const t = new Throughput();
    const clock = () => now;
    const cache = new GapCache(clock);
    expect(cache.get(t)).toEqual({ gaps: [], stale: false, retryInMs: 0 });
    const origGaps = t.gaps.bind(t);
    let runs = 0;
    t.gaps = (...a) => {
      runs++;
      now += 10; // each run costs 10 ms
      return origGaps(...a);
    };
    t.add(frame(1));
    expect(cache.get(t).stale).toBe(false);
    expect(runs).toBe(1);
    expect(cache.get(t).stale).toBe(false); // same version: no run
    t.add(frame(2));
    now += 50;
    const held = cache.get(t);
    expect([held.stale, held.retryInMs, runs]).toEqual([true, 10 * GapCache.COST_FACTOR - 50, 1]);
    now += held.retryInMs;
    expect(cache.get(t).stale).toBe(false);
    expect(runs).toBe(2);
  });
});
