import { describe, expect, it } from 'vitest';
import { Batcher } from '../../../src/model/batcher';
import type { CaptureRecord } from '../../../src/model/types';

const fr = (id: number): CaptureRecord => ({
  t: 'frame',
  frame: { id, conn: 1, dir: 'sent', opcode: 1, ts: id, size: 1, text: 'x' },
});

function manual() {
  const timers: Array<() => void> = [];
  const batches: CaptureRecord[][] = [];
  const soon: Array<() => void> = [];
  const clock = { t: 0 };
  const b = new Batcher({ flush: (r) => batches.push(r), setTimer: (fn) => timers.push(fn), maxBuffered: 100, now: () => clock.t, soon: (fn) => soon.push(fn) });
  return { b, timers, batches, soon, clock, tick: () => timers.splice(0).forEach((t) => t()), endOfTask: () => soon.splice(0).forEach((t) => t()) };
}

describe('batcher', () => {
  it('sends one batch per interval, never one message per record', () => {
    const { b, batches, tick, timers } = manual();
    b.setOpen(true);
    for (let i = 0; i < 50; i++) b.push(fr(i));
    expect(timers).toHaveLength(1);
    tick();
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(50);
  });

  it('holds records while closed and delivers them in order when opened', () => {
    const { b, batches, tick } = manual();
    for (let i = 0; i < 10; i++) b.push(fr(i));
    tick();
    expect(batches).toHaveLength(0);
    b.setOpen(true);
    tick();
    expect(batches[0].map((r) => (r.t === 'frame' ? r.frame.id : -1))).toEqual([...Array(10).keys()]);
  });

  it('when nobody takes them, drops the oldest frames, counts them, and keeps connection records', () => {
    const { b, batches, tick } = manual();
    b.push({ t: 'conn', conn: { id: 1, url: 'ws://x', state: 'open', openedBeforeCapture: false, target: { type: 'page' } } });
    for (let i = 0; i < 150; i++) b.push(fr(i));
    b.setOpen(true);
    tick();
    const got = batches.flat();
    const frames = got.filter((r) => r.t === 'frame');
    expect(got[0].t).toBe('conn');
    expect(frames.length + b.dropped).toBe(150);
    expect(b.dropped).toBeGreaterThan(0);
    // What is kept is the newest, in order.
    expect(frames.at(-1)?.t === 'frame' && frames.at(-1)!.frame.id).toBe(149);
  });

  it('under a steady stream, arrivals drive the batches (about one per interval) without waiting on timers', () => {
    const { b, batches, clock, endOfTask } = manual();
    b.setOpen(true);
    for (let i = 0; i < 100; i++) {
      clock.t = i; // one record per ms
      b.push(fr(i));
      endOfTask();
    }
    // The first record goes at once, then one batch each time 16 ms have passed: no timer was needed.
    expect(batches.map((x) => x.length)).toEqual([1, 16, 16, 16, 16, 16, 16]);
    expect(batches.flat().map((r) => (r as { frame: { id: number } }).frame.id)).toEqual([...Array(97).keys()]);
  });
});
