import { afterEach, expect, it, vi } from 'vitest';
import { SessionStore } from '../../../src/model/store';
import { follow } from '../../../src/panel/useStore';

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

it('views that re-render every 200 ms do so in the live views\' frames, never in frames of their own, and get the latest state', () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  const frames: Array<() => void> = [];
  vi.stubGlobal('requestAnimationFrame', (fn: () => void) => frames.push(fn));
  const frame = () => frames.splice(0).forEach((fn) => fn());
  const store = new SessionStore();
  store.apply([{ t: 'conn', conn: { id: 1, url: 'wss://x/', state: 'open', openedBeforeCapture: false, target: { type: 'page' } } }]);
  let id = 0;
  const arrive = () => store.apply([{ t: 'frame', frame: { id: ++id, conn: 1, dir: 'received', opcode: 1, ts: id, size: 1, text: 'x' } }]);
  const seen = { live: 0, slow: 0 };
  const offLive = follow(store, () => seen.live++, 0);
  const offSlow = follow(store, () => seen.slow++, 200);

  arrive();
  expect(frames).toHaveLength(1); // one animation frame asked for, for both views
  frame();
  expect(seen).toEqual({ live: 1, slow: 1 });
  for (let i = 0; i < 5; i++) {
    vi.advanceTimersByTime(20);
    arrive();
    expect(frames.length).toBeLessThanOrEqual(1);
    frame();
  }
  expect(seen).toEqual({ live: 6, slow: 1 });
  // The stream stops: once 200 ms have passed, the slow view renders the latest state.
  vi.advanceTimersByTime(100);
  frame();
  expect(seen.slow).toBe(2);
  offLive();
  offSlow();
});
