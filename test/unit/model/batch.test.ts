// Record batches (frames as columns), as capture writes them and the store reads them: exact round trips through a
// Port's JSON, order kept, malformed batches refused.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { batchOf, isRecordBatch, recordsOf, splitBatch } from '../../../src/model/batch';
import { batchMessage, isHostToPanel } from '../../../src/protocol';
import type { CaptureRecord } from '../../../src/model/types';

const conn = (id: number): CaptureRecord => ({ t: 'conn', conn: { id, url: `ws://x/${id}`, state: 'open', openedBeforeCapture: false, target: { type: 'page' } } });

describe('record batches', () => {
  it('round-trips every kind of frame and keeps records in order', () => {
    const records: CaptureRecord[] = [
      { t: 'anchor', anchor: 12.5 },
      conn(1),
      { t: 'frame', frame: { id: 1, conn: 1, dir: 'sent', opcode: 1, ts: 1.25, size: 5, text: 'hello' } },
      { t: 'frame', frame: { id: 2, conn: 1, dir: 'received', opcode: 2, ts: 1.5, size: 3, b64: 'AAEC' } },
      { t: 'navigated', url: 'http://a/', ts: 2 },
      { t: 'frame', frame: { id: 3, conn: 1, dir: 'sent', opcode: 1, ts: 1.75, size: 0, text: '', mark: 'replayed' } },
      { t: 'frame', frame: { id: 4, conn: 1, dir: 'received', opcode: 1, ts: 2, size: 1, text: 'x', mark: 'injected' } },
      { t: 'frame', frame: { id: 5, conn: 1, dir: 'received', opcode: 9, ts: 2, size: 0 } },
      conn(2),
    ];
    const wire = JSON.parse(JSON.stringify(batchOf(records)));
    expect(isRecordBatch(wire)).toBe(true);
    expect(recordsOf(wire)).toEqual(records);
  });

  it('round-trips any sequence of records (property)', () => {
    const frame = fc.record({
      id: fc.nat(), conn: fc.nat(), dir: fc.constantFrom('sent' as const, 'received' as const), opcode: fc.constantFrom(1, 2, 8, 9, 10, -1),
      ts: fc.double({ noNaN: true, noDefaultInfinity: true }), size: fc.nat(),
    });
    const rec = fc.oneof(
      fc.tuple(frame, fc.option(fc.string(), { nil: undefined }), fc.boolean(), fc.constantFrom(undefined, 'replayed' as const, 'injected' as const)).map(([f, p, bin, mark]): CaptureRecord => ({
        t: 'frame', frame: { ...f, ...(p === undefined ? {} : bin ? { b64: p } : { text: p }), ...(mark ? { mark } : {}) },
      })),
      fc.nat().map(conn),
      fc.double({ noNaN: true }).map((anchor): CaptureRecord => ({ t: 'anchor', anchor })),
    );
    fc.assert(fc.property(fc.array(rec, { maxLength: 40 }), (records) => {
      expect(recordsOf(batchOf(records))).toEqual(records);
    }));
  });

  it('refuses malformed batches at the protocol check', () => {
    expect(isHostToPanel(batchMessage(batchOf([conn(1)])))).toBe(true);
    const bad = batchMessage(batchOf([{ t: 'frame', frame: { id: 1, conn: 1, dir: 'sent', opcode: 1, ts: 0, size: 1, text: 'a' } }])) as { batch: { frames: { p: string[] } } };
    bad.batch.frames.p.pop();
    expect(isHostToPanel(bad)).toBe(false);
    expect(isHostToPanel({ v: 1, type: 'batch', records: [] })).toBe(false); // an older protocol
  });
});

describe('splitBatch', () => {
  it('cuts a batch into parts within a payload bound, records and their places kept, a long frame alone', () => {
    const conn: CaptureRecord = { t: 'conn', conn: { id: 1, url: 'ws://x', state: 'open', openedBeforeCapture: false, target: { type: 'page' } } };
    const fr = (id: number, n: number): CaptureRecord => ({ t: 'frame', frame: { id, conn: 1, dir: 'received', opcode: 1, ts: id, size: n, text: 'a'.repeat(n) } });
    const records: CaptureRecord[] = [conn, fr(1, 40), fr(2, 40), { t: 'anchor', anchor: 5 }, fr(3, 250), fr(4, 10), fr(5, 10), { t: 'navigated', url: 'http://x/', ts: 6 }];
    const parts = splitBatch(batchOf(records), 100);
    expect(parts.map((p) => p.frames.id)).toEqual([[1, 2], [3], [4, 5]]);
    expect(parts.flatMap(recordsOf)).toEqual(records);
    for (const p of parts) expect(isRecordBatch(p)).toBe(true);
    expect(splitBatch(batchOf(records), 1000)).toHaveLength(1);
  });
});
