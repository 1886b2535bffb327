// Throughput buckets: counts follow appends, evictions and clears exactly (property-tested), the width adapts, gaps
// and connection marks.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Series, Throughput, connectionMarks } from '../../../src/model/throughput';
import { SessionStore } from '../../../src/model/store';
import type { CaptureRecord, Connection, Frame } from '../../../src/model/types';

const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);

/** Checks every sum: buckets against the frames held, and connections against the overall series. */
function check(t: Throughput, held: Frame[]): void {
  const o = t.overall;
  expect(sum(o.framesSent)).toBe(held.filter((f) => f.dir === 'sent').length);
  expect(sum(o.framesReceived)).toBe(held.filter((f) => f.dir === 'received').length);
  expect(sum(o.bytesSent)).toBe(held.filter((f) => f.dir === 'sent').reduce((a, f) => a + f.size, 0));
  expect(sum(o.bytesReceived)).toBe(held.filter((f) => f.dir === 'received').reduce((a, f) => a + f.size, 0));
  expect(t.frames).toBe(held.length);
  expect(t.bucketCount).toBeLessThanOrEqual(t.cap);
  for (const k of ['framesSent', 'framesReceived', 'bytesSent', 'bytesReceived'] as const) {
    for (let i = 0; i < o.length; i++) {
      let s = 0;
      for (const per of t.perConnection.values()) s += per[k][i] ?? 0;
      expect(s).toBe(o[k][i]);
    }
  }
  // Each held frame is counted in the bucket its time says.
  for (const f of held) {
    const per = t.perConnection.get(f.conn)!;
    expect(per[f.dir === 'sent' ? 'framesSent' : 'framesReceived'][t.bucketOf(f.ts)]).toBeGreaterThan(0);
  }
}

describe('throughput', () => {
  it('bucket sums equal the frames and bytes held through appends, evictions and clears', () => {
    const op = fc.oneof(
      fc.record({ t: fc.constant('add' as const), dt: fc.oneof(fc.double({ min: 0, max: 0.3, noNaN: true }), fc.double({ min: 0, max: 50, noNaN: true }), fc.constant(-0.05)), conn: fc.integer({ min: 1, max: 3 }), sent: fc.boolean(), size: fc.nat(5000) }),
      fc.record({ t: fc.constant('evict' as const), n: fc.nat(10) }),
      fc.record({ t: fc.constant('clear' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), fc.constantFrom(4, 8, 64), (ops, cap) => {
        const t = new Throughput(cap);
        let held: Frame[] = [];
        let id = 0;
        let ts = 1000;
        for (const o of ops) {
          if (o.t === 'add') {
            ts += o.dt;
            const f: Frame = { id: ++id, conn: o.conn, dir: o.sent ? 'sent' : 'received', opcode: 1, ts, size: o.size };
            t.add(f);
            held.push(f);
          } else if (o.t === 'evict') {
            const keep = held.slice(Math.min(o.n, held.length));
            t.evictBefore(keep.length ? keep[0].id : id + 1);
            held = keep;
          } else {
            t.clear();
            held = [];
          }
          check(t, held);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('starts at 100 ms buckets and doubles the width past the cap, dropping buckets emptied by eviction first', () => {
    const t = new Throughput(8);
    const f = (id: number, ts: number): Frame => ({ id, conn: 1, dir: 'received', opcode: 1, ts, size: 10 });
    t.add(f(1, 10));
    t.add(f(2, 10.25));
    expect([t.bucketMs, t.bucketCount, t.bucketOf(10.25)]).toEqual([100, 3, 2]);
    expect(Array.from(t.perSecond(t.overall.bytesReceived))).toEqual([100, 0, 100]);
    t.add(f(3, 10.95));
    expect([t.bucketMs, t.bucketOf(10.95)]).toEqual([200, 4]);
    expect(t.bucketStart(4)).toBeCloseTo(10.8);
    t.evictBefore(3);
    t.add(f(4, 12.3)); // past 8 × 200 ms: the empty buckets before frame 3 go first
    expect(t.bucketMs).toBe(200);
    expect(t.bucketStart(0)).toBeCloseTo(10.8);
    t.add(f(5, 13.5)); // no empty bucket left to drop: the width doubles
    expect(t.bucketMs).toBe(400);
    expect(sum(t.overall.framesReceived)).toBe(3);
  });

  it('follows a store: appends, evictions, clears', () => {
    const store = new SessionStore({ chunkBits: 4 });
    const t = new Throughput();
    const rec = (id: number, ts: number): CaptureRecord => ({ t: 'frame', frame: { id, conn: 1 + (id % 2), dir: id % 3 ? 'received' : 'sent', opcode: 1, ts, size: 1000, text: 'x'.repeat(1000) } });
    const batch: CaptureRecord[] = [];
    for (let i = 1; i <= 3000; i++) batch.push(rec(i, i / 10));
    store.apply(batch);
    t.sync(store);
    expect(t.frames).toBe(3000);
    store.setBudget(1024 * 1024);
    t.sync(store);
    expect(t.frames).toBe(store.frameCount);
    expect(sum(t.overall.bytesReceived) + sum(t.overall.bytesSent)).toBe(store.frameCount * 1000);
    store.clear();
    store.apply([rec(5000, 1), rec(5001, 2)]);
    t.sync(store);
    expect([t.frames, sum(t.overall.framesReceived) + sum(t.overall.framesSent)]).toEqual([2, 2]);
  });

  it('finds gaps: longer than k times the connection’s median interval and than the floor', () => {
    const t = new Throughput();
    let id = 0;
    const at = (conn: number, ts: number) => t.add({ id: ++id, conn, dir: 'received', opcode: 1, ts, size: 1 });
    for (let i = 0; i < 20; i++) at(1, i * 0.1);
    at(1, 10);
    at(1, 10.1);
    for (let i = 0; i < 10; i++) at(2, i * 5); // every 5 s: usual for it
    expect(t.gaps()).toEqual([{ conn: 1, from: 1.9000000000000001, to: 10, seconds: 10 - 1.9000000000000001 }]);
    expect(t.gaps(10, 20)).toEqual([]);
  });

  it('marks connections opening and closing', () => {
    const c = (id: number, o: Partial<Connection>): Connection => ({ id, url: 'ws://x', state: 'open', openedBeforeCapture: false, target: { type: 'page' }, ...o });
    expect(connectionMarks([c(1, { openTs: 5, closeTs: 9 }), c(2, { createdTs: 1 })])).toEqual([
      { conn: 2, ts: 1, kind: 'open' }, { conn: 1, ts: 5, kind: 'open' }, { conn: 1, ts: 9, kind: 'close' },
    ]);
  });

  it('Series halves and drops', () => {
    const s = new Series();
    s.ensure(5, 8);
    for (let i = 0; i < 6; i++) s.add(i, true, 10, 1);
    s.halve();
    expect(Array.from(s.framesSent.slice(0, 4))).toEqual([2, 2, 2, 0]);
    s.dropFirst(1);
    expect(Array.from(s.framesSent.slice(0, 3))).toEqual([2, 2, 0]);
  });
});
