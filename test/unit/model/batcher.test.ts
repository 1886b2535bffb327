import { describe, expect, it } from 'vitest';
import { Batcher } from '../../../src/model/batcher';
import { recordsOf, writeRecord, type RecordBatch } from '../../../src/model/batch';
import type { CaptureRecord } from '../../../src/model/types';

const fr = (id: number, text = 'x'): CaptureRecord => ({
  t: 'frame',
  frame: { id, conn: 1, dir: 'sent', opcode: 1, ts: id, size: text.length, text },
});

function manual(opts: { maxBytes?: number } = { maxBytes: 100 * 64 }) {
  const timers: Array<() => void> = [];
  const batches: CaptureRecord[][] = [];
  const soon: Array<() => void> = [];
  const clock = { t: 0 };
  const b = new Batcher({ flush: (x: RecordBatch) => batches.push(recordsOf(x)), setTimer: (fn) => timers.push(fn), ...opts, now: () => clock.t, soon: (fn) => soon.push(fn) });
  const push = (r: CaptureRecord) => writeRecord(b, r);
  return { b, push, timers, batches, soon, clock, tick: () => timers.splice(0).forEach((t) => t()), endOfTask: () => soon.splice(0).forEach((t) => t()) };
}

const ids = (rs: CaptureRecord[]) => rs.map((r) => (r.t === 'frame' ? r.frame.id : -1));

describe('batcher', () => {
  it('sends one batch per interval, never one message per record', () => {
    const { b, push, batches, tick, timers } = manual();
    b.setOpen(true);
    for (let i = 0; i < 50; i++) push(fr(i));
    expect(timers).toHaveLength(1);
    tick();
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(50);
  });

  it('holds records while closed and delivers them in order when opened', () => {
    const { b, push, batches, tick } = manual();
    for (let i = 0; i < 10; i++) push(fr(i));
    tick();
    expect(batches).toHaveLength(0);
    b.setOpen(true);
    tick();
    expect(ids(batches[0])).toEqual([...Array(10).keys()]);
  });

  it('when nobody takes them, drops the oldest frames, counts them, and keeps connection records', () => {
    const { b, push, batches, tick } = manual();
    push({ t: 'conn', conn: { id: 1, url: 'ws://x', state: 'open', openedBeforeCapture: false, target: { type: 'page' } } });
    for (let i = 0; i < 150; i++) push(fr(i));
    b.setOpen(true);
    tick();
    const got = batches.flat();
    const frames = got.filter((r) => r.t === 'frame');
    expect(got[0].t).toBe('conn');
    expect(frames.length + b.dropped).toBe(150);
    expect(b.dropped).toBeGreaterThan(0);
    // What is kept is the newest, in order.
    expect(ids(frames)).toEqual([...Array(frames.length).keys()].map((i) => 150 - frames.length + i));
  });

  it('bounds what it holds in bytes, payloads counted, counting what it drops', () => {
    const { b, push, batches, tick } = manual({ maxBytes: 20_000 });
    for (let i = 0; i < 100; i++) push(fr(i, 'y'.repeat(1000)));
    expect(b.bytesHeld()).toBeLessThanOrEqual(20_000);
    b.setOpen(true);
    tick();
    const frames = batches.flat();
    expect(frames.length * 1000).toBeLessThanOrEqual(10_000);
    expect(frames.length + b.dropped).toBe(100);
    expect(ids(frames).at(-1)).toBe(99);
  });

  it("a lower budget (the user's setting) sheds at once, and counts it", () => {
    const { b, push } = manual({ maxBytes: 1 << 30 });
    for (let i = 0; i < 5000; i++) push(fr(i, 'z'.repeat(1000)));
    expect(b.dropped).toBe(0);
    b.setMaxBytes(2 * 1024 * 1024);
    expect(b.bytesHeld()).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(b.dropped).toBeGreaterThan(0);
  });

  it('rings once when records start waiting in an empty buffer, for a reader that pulls them (flushNow)', () => {
    const { b, push, batches } = manual();
    let rings = 0;
    b.onPending = () => rings++;
    push(fr(1)); // closed: nobody to tell
    b.setOpen(true);
    b.flushNow();
    push(fr(2));
    push(fr(3));
    expect(rings).toBe(1);
    b.flushNow();
    push(fr(4));
    expect(rings).toBe(2);
    expect(ids(batches.flat())).toEqual([1, 2, 3]);
  });

  it('under a steady stream, arrivals drive the batches (about one per interval) without waiting on timers', () => {
    const { b, push, batches, clock, endOfTask } = manual();
    b.setOpen(true);
    for (let i = 0; i < 100; i++) {
      clock.t = i; // one record per ms
      push(fr(i));
      endOfTask();
    }
    // The first record goes at once, then one batch each time 16 ms have passed: no timer was needed.
    expect(batches.map((x) => x.length)).toEqual([1, 16, 16, 16, 16, 16, 16]);
    expect(ids(batches.flat())).toEqual([...Array(97).keys()]);
  });
});
