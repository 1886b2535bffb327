import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BUSY_AT, BUSY_FROM, FALLBACK_MS, RENDER_SHARE, RENDER_SHARE_MACHINE_KNOWN, SATURATED_GAP_MS, TYPING_HOLD_MS, frameScheduler, gapForIdle,
  COST_WEIGHT, MAX_HOLD_MS, atFrameStart, holdAfter, idleBesidesTail, runningCost, recordsWaiting, renderBudget, setMachineIdle, userTyping, wakeWhenRecordsWait,
} from '../../../src/panel/schedule';

describe('the tail yields to a saturated machine', () => {
  it('renders every frame while the machine has CPU to spare, or when the platform cannot tell', () => {
    expect(gapForIdle(undefined)).toBe(0);
    expect(gapForIdle(1)).toBe(0);
    expect(gapForIdle(BUSY_FROM)).toBe(0);
  });

  it('spaces renders out as the machine fills up, down to a few a second when it is saturated', () => {
    expect(gapForIdle(BUSY_AT)).toBe(SATURATED_GAP_MS);
    expect(gapForIdle(0)).toBe(SATURATED_GAP_MS);
    const mid = gapForIdle((BUSY_FROM + BUSY_AT) / 2);
    expect(mid).toBeCloseTo(SATURATED_GAP_MS / 2);
    // Never slower than 1000 / SATURATED_GAP_MS renders a second, so the tail still visibly moves.
    expect(1000 / SATURATED_GAP_MS).toBeGreaterThanOrEqual(5);
    for (let idle = 0; idle < 1; idle += 0.05) expect(gapForIdle(idle + 0.05)).toBeLessThanOrEqual(gapForIdle(idle));
  });
});

describe('a render that took long', () => {
  it('holds the next one back by its cost over the share, but never for more than MAX_HOLD_MS', () => {
    expect(holdAfter(9, 0.45)).toBeCloseTo(20);
    // A render followed by seconds of someone else's task (DevTools starting up) must not freeze the panel.
    expect(holdAfter(9000, 0.45)).toBe(MAX_HOLD_MS);
    expect(MAX_HOLD_MS).toBeLessThanOrEqual(1000);
  });
});

describe('the load the tail yields to', () => {
  it('is the machine\'s without the tail\'s own renders, so the tail does not throttle itself', () => {
    // 2 cores, 240 ms of the tail's renders in the last 500 ms: a quarter of the machine was the tail.
    expect(idleBesidesTail(0.2, 240, 500, 2)).toBeCloseTo(0.44);
    expect(gapForIdle(0.2)).toBeGreaterThan(0);
    expect(gapForIdle(idleBesidesTail(0.2, 240, 500, 2))).toBe(0);
    // Saturated (a burst), whoever's load it is: the tail yields fully.
    expect(gapForIdle(idleBesidesTail(0, 30, 500, 2))).toBe(SATURATED_GAP_MS);
    expect(gapForIdle(idleBesidesTail(BUSY_AT, 400, 500, 2))).toBe(SATURATED_GAP_MS);
    expect(idleBesidesTail(undefined, 240, 500, 2)).toBeUndefined();
    expect(idleBesidesTail(0.9, 900, 500, 1)).toBe(1);
  });
});

describe('a render that stands alone', () => {
  it('hardly holds the next; a cost that lasts holds it as much as the share says', () => {
    const share = 0.6;
    const steady = 5;
    let avg = runningCost(undefined, steady, share);
    expect(holdAfter(avg, share)).toBeLessThan(16);
    avg = runningCost(avg, 24, share); // one slow render among quick ones: the next frame still renders
    expect(holdAfter(avg, share)).toBeLessThan(17);
    for (let i = 0; i < 40; i++) avg = runningCost(avg, 24, share); // slow renders that last: held to the share
    expect(holdAfter(avg, share)).toBeCloseTo(40, 0);
    expect(COST_WEIGHT).toBeGreaterThan(0);
  });

  it('a render followed by seconds of someone else\'s task holds the next for MAX_HOLD_MS at most, and briefly after', () => {
    const share = 0.6;
    let avg = runningCost(5, 9000, share);
    expect(holdAfter(avg, share)).toBeLessThanOrEqual(MAX_HOLD_MS);
    for (let i = 0; i < 8; i++) avg = runningCost(avg, 5, share);
    expect(holdAfter(avg, share)).toBeLessThan(35);
  });
});

describe('the panel thread share of tail renders', () => {
  it('is larger where the machine idle share is known (it protects the page directly), smaller where it is not', () => {
    expect(renderBudget(undefined)).toEqual({ share: RENDER_SHARE, gapMs: 0 });
    expect(renderBudget(0.8)).toEqual({ share: RENDER_SHARE_MACHINE_KNOWN, gapMs: 0 });
    expect(renderBudget(0.05).gapMs).toBe(SATURATED_GAP_MS);
    expect(RENDER_SHARE_MACHINE_KNOWN).toBeGreaterThan(RENDER_SHARE);
  });
});

describe('renders of a panel the user cannot see', () => {
  // Animation frames are delivered by hand (`frames`); timers are faked. `rects` is what the document's root reports:
  // a DevTools panel the user switched away from is a display:none frame, with no boxes.
  function setUp(rects: number) {
    vi.useFakeTimers();
    const frames: Array<() => void> = [];
    vi.stubGlobal('requestAnimationFrame', (fn: () => void) => frames.push(fn));
    const doc = { documentElement: { getClientRects: () => ({ length: rects }) } };
    vi.stubGlobal('document', doc);
    let renders = 0;
    const schedule = frameScheduler(() => renders++);
    const animationFrame = () => frames.splice(0).forEach((fn) => fn());
    return { schedule, animationFrame, renders: () => renders, show: () => (doc.documentElement.getClientRects = () => ({ length: 1 })) };
  }
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('renders on the timer when a shown document gets no animation frames (some headless modes)', () => {
    const s = setUp(1);
    s.schedule();
    vi.advanceTimersByTime(FALLBACK_MS);
    expect(s.renders()).toBe(1);
  });

  it('does not render while the document is not rendered, and renders on the first animation frame once shown', () => {
    const s = setUp(0);
    s.schedule();
    vi.advanceTimersByTime(FALLBACK_MS * 20);
    s.schedule(); // more frames arrive meanwhile: still nothing rendered, nothing lost
    vi.advanceTimersByTime(FALLBACK_MS * 20);
    expect(s.renders()).toBe(0);
    s.show();
    s.animationFrame();
    expect(s.renders()).toBe(1);
    s.schedule();
    s.animationFrame();
    expect(s.renders()).toBe(2);
  });
});

describe('records a host in the same renderer holds', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('are pulled at the start of the next animation frame and shown in that same render', () => {
    vi.useFakeTimers();
    const frames: Array<() => void> = [];
    vi.stubGlobal('requestAnimationFrame', (fn: () => void) => frames.push(fn));
    vi.stubGlobal('document', { documentElement: { getClientRects: () => ({ length: 1 }) } });
    let held = 0; // what the host holds
    let stored = 0; // what the store has
    const shown: number[] = [];
    const schedule = frameScheduler(() => shown.push(stored));
    const unwake = wakeWhenRecordsWait(schedule);
    const unpull = atFrameStart(() => {
      stored += held;
      held = 0;
    });
    try {
      held = 3;
      recordsWaiting(); // the host's doorbell: nothing is in the store yet
      expect(frames).toHaveLength(1);
      frames.splice(0).forEach((fn) => fn());
      expect(shown).toEqual([3]); // pulled and rendered in one frame, not a frame later
    } finally {
      unwake();
      unpull();
    }
  });
});

describe('waiting for a render that is not due yet', () => {
  afterEach(() => {
    setMachineIdle(() => undefined);
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });
  // The render's cost is measured in a message posted after it: let it arrive.
  const settle = async () => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };

  it("sleeps out a stream's gap on a timer, asks for no animation frame meanwhile, and wakes for a change that does not yield", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const frames: Array<() => void> = [];
    vi.stubGlobal('requestAnimationFrame', (fn: () => void) => frames.push(fn));
    const frame = () => frames.splice(0).forEach((fn) => fn());
    setMachineIdle(() => 0); // saturated: a stream's renders are SATURATED_GAP_MS apart
    let streaming = true;
    let renders = 0;
    const schedule = frameScheduler(() => renders++, { streaming: () => streaming });
    schedule();
    frame();
    expect(renders).toBe(1);
    await settle();

    schedule(); // more frames arrived
    frame();
    expect(renders).toBe(1);
    expect(frames).toHaveLength(0); // asleep: no animation frame asked for
    vi.advanceTimersByTime(SATURATED_GAP_MS - 30);
    expect(frames).toHaveLength(0);
    vi.advanceTimersByTime(20); // about a frame before it is due, it asks for one
    expect(frames).toHaveLength(1);
    vi.advanceTimersByTime(10);
    frame();
    expect(renders).toBe(2);
    await settle();

    schedule();
    frame();
    expect(frames).toHaveLength(0); // asleep again
    streaming = false; // a change that does not yield (a filter's result): rendered on the next frame
    schedule();
    expect(frames).toHaveLength(1);
    frame();
    expect(renders).toBe(3);
  });

  it("holds the stream's renders while the user types on a busy machine, never a keystroke's, and not on an idle machine", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const frames: Array<() => void> = [];
    vi.stubGlobal('requestAnimationFrame', (fn: () => void) => frames.push(fn));
    const frame = () => frames.splice(0).forEach((fn) => fn());
    let idle = 0.05;
    setMachineIdle(() => idle);
    let streaming = true;
    let renders = 0;
    const schedule = frameScheduler(() => renders++, { streaming: () => streaming });
    // Keys every 80 ms for a second: the stream's renders wait for all of them, then for the hold after the last.
    let t = 0;
    for (; t < 1000; t += 80) {
      userTyping();
      schedule();
      frame();
      vi.advanceTimersByTime(80);
      frame();
    }
    expect(renders).toBe(0);
    vi.advanceTimersByTime(TYPING_HOLD_MS);
    frame();
    expect(renders).toBe(1);
    await settle();

    // A render that does not yield (the keystroke's filter result) is not held.
    userTyping();
    streaming = false;
    schedule();
    frame();
    expect(renders).toBe(2);
    await settle();

    // With CPU to spare, typing holds nothing back.
    idle = 0.9;
    streaming = true;
    vi.advanceTimersByTime(SATURATED_GAP_MS);
    userTyping();
    schedule();
    frame();
    expect(renders).toBe(3);
  });
});
