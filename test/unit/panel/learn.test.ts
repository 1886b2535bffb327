// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionStore } from '../../../src/model/store';
import { AT_ARRIVAL_BACKLOG, INPUT_QUIET_MS, learnWhenIdle } from '../../../src/panel/learn';
import { setMachineIdle } from '../../../src/panel/schedule';

afterEach(() => {
  setMachineIdle(() => undefined);
  vi.useRealTimers();
});

const fill = (store: SessionStore, n: number) => {
  const batch = [];
  for (let i = 0; i < n; i++) {
    const text = JSON.stringify({ type: 'trade', seq: i });
    batch.push({ t: 'frame' as const, frame: { id: i + 1, conn: 1, dir: 'received' as const, opcode: 1, ts: i, size: text.length, text } });
  }
  store.apply([{ t: 'conn', conn: { id: 1, url: 'ws://h/', state: 'open', openedBeforeCapture: false, target: { type: 'page' } } }, ...batch]);
};

/** `type` events on the document every 100 ms for 2 s (fake timers). */
const eventsFor2s = (type: string) => {
  for (let t = 0; t < 2000; t += 100) {
    document.dispatchEvent(new Event(type));
    vi.advanceTimersByTime(100);
  }
};

describe('JSON learning while the panel is idle', () => {
  it('waits while the machine has no CPU to spare (the inspected page needs it), then catches up', () => {
    vi.useFakeTimers();
    let idle = 0.05;
    setMachineIdle(() => idle);
    const store = new SessionStore();
    fill(store, 500);
    const stop = learnWhenIdle(store);
    vi.advanceTimersByTime(2000);
    expect(store.unlearned).toBe(500); // saturated: nothing parsed
    idle = 0.8;
    vi.advanceTimersByTime(2000);
    expect(store.unlearned).toBe(0);
    stop();
  });

  it('learns at once where the machine idle share is unknown (Firefox)', () => {
    vi.useFakeTimers();
    const store = new SessionStore();
    fill(store, 200);
    const stop = learnWhenIdle(store);
    vi.advanceTimersByTime(500);
    expect(store.unlearned).toBe(0);
    stop();
  });

  it('waits while the user scrolls with a wheel (a slice of learning would cost the scroll a frame), then catches up', () => {
    vi.useFakeTimers();
    const store = new SessionStore();
    fill(store, 300);
    const stop = learnWhenIdle(store);
    eventsFor2s('wheel'); // learning waits throughout
    expect(store.unlearned).toBe(300);
    vi.advanceTimersByTime(INPUT_QUIET_MS + 500);
    expect(store.unlearned).toBe(0);
    stop();
  });

  it("does not wait for scroll events (the timeline's own, following a stream): it learns while frames trickle in", () => {
    vi.useFakeTimers();
    const store = new SessionStore();
    fill(store, 300);
    const stop = learnWhenIdle(store);
    eventsFor2s('scroll');
    expect(store.unlearned).toBe(0);
    stop();
  });
});

describe('JSON learning as frames arrive', () => {
  it('learns what just arrived at once, even on a busy machine while the user scrolls: a JSON term typed then reads learnt frames', () => {
    vi.useFakeTimers();
    setMachineIdle(() => 0.05);
    const store = new SessionStore();
    const stop = learnWhenIdle(store);
    document.dispatchEvent(new Event('wheel'));
    fill(store, 5000);
    expect(store.unlearned).toBe(0);
    stop();
  });

  it('leaves a large backlog (a session opened, a burst learnt only in part) to idle time', () => {
    vi.useFakeTimers();
    setMachineIdle(() => 0.05);
    const store = new SessionStore();
    const stop = learnWhenIdle(store);
    fill(store, AT_ARRIVAL_BACKLOG + 1);
    expect(store.unlearned).toBe(AT_ARRIVAL_BACKLOG + 1);
    stop();
  });
});
