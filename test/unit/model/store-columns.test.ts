// The store's columns: rows across chunk boundaries, fields read without making frames, payloads kept as texts, joined
// texts (seal) and shared byte blocks, eviction by chunks, and the invariants of all that together (property).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SessionStore, frameCost } from '../../../src/model/store';
import type { CaptureRecord, WireFrame } from '../../../src/model/types';

describe('columnar layout', () => {
  const rec = (id: number, o: Partial<WireFrame> = {}): CaptureRecord => ({
    t: 'frame',
    frame: { id, conn: 1 + (id % 3), dir: id % 2 ? 'sent' : 'received', opcode: 1, ts: id / 10, size: 3, text: `f${id}`, ...o },
  });
  const b64 = (bytes: number[]) => btoa(String.fromCharCode(...bytes));

  it('serves rows, ids and the filter across chunk boundaries', () => {
    const s = new SessionStore({ chunkBits: 3 }); // 8 rows a chunk
    s.apply(Array.from({ length: 50 }, (_, i) => rec(i * 2 + 1)));
    expect(s.chunkCount).toBe(7);
    expect(Array.from({ length: 50 }, (_, i) => s.frameAt(i)!.id)).toEqual(Array.from({ length: 50 }, (_, i) => i * 2 + 1));
    expect(s.frameAt(50)).toBeUndefined();
    expect(s.frameAt(-1)).toBeUndefined();
    for (const id of [1, 15, 17, 31, 99]) expect(s.frameById(id)?.text).toBe(`f${id}`);
    expect(s.frameById(16)).toBeUndefined();
    s.setFilter((f) => f.conn === 2);
    const want = Array.from({ length: 50 }, (_, i) => i * 2 + 1).filter((id) => 1 + (id % 3) === 2);
    expect(Array.from({ length: s.visibleCount }, (_, i) => s.visibleIdAt(i))).toEqual(want);
    expect(s.visibleIndexOf(want[7])).toBe(7);
    expect(s.visibleIndexOf(3)).toBe(-1);
  });

  it('reads fields without making frames: tsAt, visibleIdAt, visibleSizeAt', () => {
    const s = new SessionStore({ chunkBits: 2 });
    s.apply([rec(1, { size: 10 }), rec(2, { size: 20 }), rec(3, { size: 30 }), rec(4, { size: 40 }), rec(5, { size: 50 })]);
    expect(s.tsAt(0)).toBe(0.1);
    expect(s.tsAt(4)).toBe(0.5);
    expect(s.tsAt(5)).toBeNaN();
    s.setFilter((f) => f.size >= 30);
    expect([s.visibleIdAt(0), s.visibleIdAt(1), s.visibleIdAt(2)]).toEqual([3, 4, 5]);
    expect([s.visibleSizeAt(0), s.visibleSizeAt(2), s.visibleSizeAt(3)]).toEqual([30, 50, NaN]);
  });

  it('keeps every field of a frame, and hands the same object for a row read again', () => {
    const s = new SessionStore();
    s.apply([
      { t: 'frame', frame: { id: 7, conn: 3, dir: 'sent', opcode: 1, ts: 12.345678, size: 6, text: 'héllo', mark: 'replayed' } },
      { t: 'frame', frame: { id: 8, conn: 4, dir: 'received', opcode: -1, ts: 13, size: 0, text: 'boom', mark: 'injected' } },
      { t: 'frame', frame: { id: 9, conn: 4, dir: 'received', opcode: 9, ts: 14, size: 0 } },
    ]);
    expect(s.frameAt(0)).toEqual({ id: 7, conn: 3, dir: 'sent', opcode: 1, ts: 12.345678, size: 6, text: 'héllo', mark: 'replayed' });
    expect(s.frameAt(1)).toEqual({ id: 8, conn: 4, dir: 'received', opcode: -1, ts: 13, size: 0, text: 'boom', mark: 'injected' });
    expect(s.frameAt(2)).toEqual({ id: 9, conn: 4, dir: 'received', opcode: 9, ts: 14, size: 0 });
    expect(s.frameAt(0)).toBe(s.frameAt(0));
    expect(s.stats).toMatchObject({ framesSent: 1, framesReceived: 1, bytesSent: 6, bytesReceived: 0 }); // errors are not counted
  });

  it('keeps binary payloads as bytes: small ones in shared blocks, large ones apart', () => {
    const s = new SessionStore({ chunkBits: 2 });
    const payloads = [[], [0], [1, 2], [0xff, 0xfe, 0xfd], Array.from({ length: 300 }, (_, i) => i & 0xff), Array.from({ length: 40_000 }, (_, i) => (i * 7) & 0xff)];
    s.apply(payloads.map((p, i) => ({ t: 'frame', frame: { id: i + 1, conn: 1, dir: 'received', opcode: 2, ts: i, size: p.length, b64: b64(p) } })));
    payloads.forEach((p, i) => {
      const f = s.frameAt(i)!;
      expect(f.text).toBeUndefined();
      expect(f.bytes).toBeInstanceOf(Uint8Array);
      expect([...f.bytes!]).toEqual(p);
    });
    // The filter sees the same bytes through its cursor.
    const seen: number[][] = [];
    s.setFilter((f) => (seen.push([...f.bytes!]), true));
    expect(seen).toEqual([...payloads].reverse()); // newest first
    expect(s.usedBytes).toBeGreaterThan(40_300);
  });

  it('joins the texts of a full chunk into one string, and reads them back the same everywhere', () => {
    const s = new SessionStore({ chunkBits: 3, sealFrom: 0 }); // 8 rows a chunk, sealed once full
    // Chunk 0: Latin-1 texts and a binary frame; chunk 1: one text past Latin-1 (kept as strings); chunk 2: not full.
    const texts = Array.from({ length: 20 }, (_, i) => (i === 11 ? 'smile 😀' : i === 18 ? '{"n":18,"s":"café au lait"}' : i % 3 === 0 ? `{"n":${i},"s":"café"}` : `t${i}`));
    s.apply(texts.map((text, i) => (i === 5 ? { t: 'frame', frame: { id: i + 1, conn: 1, dir: 'received', opcode: 2, ts: i, size: 2, b64: 'AAE=' } } : rec(i + 1, { text, size: new TextEncoder().encode(text).length }))));
    expect(s.chunkCount).toBe(3);
    expect(s.sealedChunkCount).toBe(1);
    const cost = s.usedBytes;
    texts.forEach((t, i) => {
      if (i === 5) expect([...s.frameAt(i)!.bytes!]).toEqual([0, 1]);
      else expect(s.frameAt(i)!.text).toBe(t);
      expect(s.frameById(i + 1)).toEqual(s.frameAt(i));
    });
    expect(s.usedBytes).toBe(cost);
    expect(s.usedBytes).toBe(Array.from({ length: 20 }, (_, i) => frameCost(s.frameAt(i)!)).reduce((a, b) => a + b, 0));
    // Filters read sealed texts through the cursor; the longest texts are found in sealed chunks too.
    s.setFilter((f) => f.text?.includes('café') ?? false);
    expect(Array.from({ length: s.visibleCount }, (_, i) => s.visibleIdAt(i))).toEqual([1, 4, 7, 10, 13, 16, 19]);
    expect(s.longestTexts(1, 1)[0]).toEqual({ id: 19, text: texts[18] });
    // Eviction through a sealed chunk keeps the count and the bytes right.
    s.setBudget(1024 * 1024);
    s.apply(Array.from({ length: 3000 }, (_, i) => rec(100 + i, { size: 1000, text: 'x'.repeat(1000) })));
    const kept = Array.from({ length: s.frameCount }, (_, i) => s.frameAt(i)!);
    expect(s.usedBytes).toBe(kept.reduce((a, f) => a + frameCost(f), 0));
    expect(kept.every((f) => f.text === 'x'.repeat(1000))).toBe(true);
    expect(s.sealedChunkCount).toBeGreaterThan(0);
  });

  it('seals full chunks only once the store holds sealFrom frames, then the older ones too, a few at a time', () => {
    const s = new SessionStore({ chunkBits: 3, sealFrom: 40 });
    s.apply(Array.from({ length: 39 }, (_, i) => rec(i + 1)));
    expect(s.sealedChunkCount).toBe(0);
    s.apply(Array.from({ length: 1 }, (_, i) => rec(40 + i))); // the 5th chunk is full at 40 frames: it and 2 older
    expect(s.sealedChunkCount).toBe(3);
    s.apply(Array.from({ length: 8 }, (_, i) => rec(41 + i)));
    expect(s.sealedChunkCount).toBe(6);
    expect(Array.from({ length: 48 }, (_, i) => s.frameAt(i)!.text)).toEqual(Array.from({ length: 48 }, (_, i) => `f${i + 1}`));
    // A chunk of large texts keeps its strings (joined, it would be one long task, or past V8's longest string).
    const big = new SessionStore({ chunkBits: 3, sealFrom: 0 });
    big.setBudget(1024 ** 3);
    big.apply(Array.from({ length: 8 }, (_, i) => rec(i + 1, { size: 1_100_000, text: String.fromCharCode(97 + i).repeat(1_100_000) })));
    expect(big.chunkCount).toBe(1);
    expect(big.sealedChunkCount).toBe(0);
    expect(big.frameAt(7)!.text!.length).toBe(1_100_000);
  });

  it('evicts across chunks, dropping the chunks it empties', () => {
    const s = new SessionStore({ chunkBits: 4 }); // 16 rows a chunk
    s.setBudget(1024 * 1024);
    const n = 3000;
    s.apply(Array.from({ length: n }, (_, i) => rec(i + 1, { size: 1000, text: 'x'.repeat(1000) })));
    expect(s.frameCount + s.stats.evicted).toBe(n);
    expect(s.usedBytes).toBeLessThanOrEqual(1024 * 1024);
    expect(s.chunkCount).toBeLessThanOrEqual(Math.ceil(s.frameCount / 16) + 1);
    expect(s.frameAt(0)!.id).toBe(s.stats.evicted + 1);
    expect(s.frameAt(s.frameCount - 1)!.id).toBe(n);
  });

  it('clear drops the columns and payloads', () => {
    const s = new SessionStore({ chunkBits: 4 });
    s.apply(Array.from({ length: 100 }, (_, i) => rec(i + 1)));
    s.apply([{ t: 'frame', frame: { id: 500, conn: 1, dir: 'sent', opcode: 2, ts: 0, size: 2, b64: 'AAE=' } }]);
    const held = s.frameAt(0)!;
    s.clear();
    expect(s.chunkCount).toBe(0);
    expect(s.frameCount).toBe(0);
    expect(s.usedBytes).toBe(0);
    expect(s.frameAt(0)).toBeUndefined();
    expect(s.frameById(1)).toBeUndefined();
    expect(held.text).toBe('f1'); // a frame handed out earlier stays whole
    s.apply([rec(1000)]);
    expect(s.frameAt(0)!.id).toBe(1000);
    expect(s.chunkCount).toBe(1);
  });

  it('holds its invariants across chunks, sealing, eviction, filters, pauses and clears (property)', () => {
    type Op =
      | { k: 'add'; n: number; size: number; binary: boolean }
      | { k: 'budget'; mb: number }
      | { k: 'filter'; mod: number }
      | { k: 'pause'; on: boolean }
      | { k: 'clear' };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ k: fc.constant('add' as const), n: fc.integer({ min: 1, max: 300 }), size: fc.integer({ min: 0, max: 30_000 }), binary: fc.boolean() }),
      fc.record({ k: fc.constant('budget' as const), mb: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ k: fc.constant('filter' as const), mod: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ k: fc.constant('pause' as const), on: fc.boolean() }),
      fc.record({ k: fc.constant('clear' as const) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(op, { maxLength: 30 }), fc.integer({ min: 0, max: 600 }), (bits, ops, sealFrom) => {
        const s = new SessionStore({ chunkBits: bits, sealFrom });
        let id = 0;
        let applied = 0; // since the last clear
        const payload = (n: number, size: number) => (n % 251) + size; // a byte derived from the frame
        for (const o of ops) {
          if (o.k === 'add') {
            const recs: CaptureRecord[] = [];
            for (let j = 0; j < o.n; j++) {
              const fid = ++id;
              const size = (o.size * (j + 1)) % 30_001;
              recs.push(
                o.binary
                  ? { t: 'frame', frame: { id: fid, conn: 1 + (fid % 4), dir: 'received', opcode: 2, ts: fid, size, b64: size ? btoa(String.fromCharCode(payload(fid, 0) & 0xff).repeat(size)) : '' } }
                  : { t: 'frame', frame: { id: fid, conn: 1 + (fid % 4), dir: fid % 2 ? 'sent' : 'received', opcode: 1, ts: fid, size, text: 'y'.repeat(size) } },
              );
            }
            s.apply(recs);
            applied += o.n;
          } else if (o.k === 'budget') s.setBudget(o.mb * 1024 * 1024);
          else if (o.k === 'filter') s.setFilter(o.mod ? (f) => f.id % o.mod === 0 : null);
          else if (o.k === 'pause') s.setPaused(o.on);
          else {
            s.clear();
            applied = 0;
          }
        }
        expect(s.frameCount + s.stats.evicted + s.stats.pausedDropped).toBe(applied);
        if (s.frameCount > 1) expect(s.usedBytes).toBeLessThanOrEqual(s.budgetBytes);
        const stored = Array.from({ length: s.frameCount }, (_, i) => s.frameAt(i)!);
        for (let i = 1; i < stored.length; i++) expect(stored[i].id).toBeGreaterThan(stored[i - 1].id);
        expect(s.usedBytes).toBe(stored.reduce((a, f) => a + frameCost(f), 0));
        const perConn = new Map<number, number>();
        for (const f of stored) perConn.set(f.conn, (perConn.get(f.conn) ?? 0) + 1);
        expect(new Map(s.framesPerConnection)).toEqual(perConn);
        for (const f of stored) {
          if (f.opcode === 2) {
            expect(f.bytes!.length).toBe(f.size);
            if (f.size) expect(f.bytes![f.size - 1]).toBe(payload(f.id, 0) & 0xff);
          } else expect(f.text).toBe('y'.repeat(f.size));
          expect(s.frameById(f.id)).toEqual(f);
        }
        const want = s.filter ? stored.filter((f) => s.filter!(f, undefined)) : stored;
        expect(Array.from({ length: s.visibleCount }, (_, i) => s.visibleIdAt(i))).toEqual(want.map((f) => f.id));
        expect(Array.from({ length: s.visibleCount }, (_, i) => s.visibleAt(i)!.id)).toEqual(want.map((f) => f.id));
        expect(s.chunkCount).toBeLessThanOrEqual(Math.ceil(s.frameCount / 2 ** bits) + 1);
      }),
      { numRuns: 200 },
    );
  });
});
