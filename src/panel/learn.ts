import { learnJson } from '../model/query';
import type { SessionStore } from '../model/store';

type Idle = { timeRemaining(): number };
const whenIdle: (fn: (d: Idle) => void) => number =
  typeof requestIdleCallback === 'function' ? (fn) => requestIdleCallback(fn) : (fn) => setTimeout(() => fn({ timeRemaining: () => 8 }), 50) as unknown as number;
const cancelIdle: (h: number) => void = typeof cancelIdleCallback === 'function' ? cancelIdleCallback : clearTimeout;

/**
 * While the panel is idle, learn what JSON terms need to know of each stored frame (learnJson), so that a first JSON
 * query over a million frames reads raw text rather than parsing every payload. Runs in idle periods only (≤ 12 ms
 * each), resumes when frames arrive. Returns a stop function.
 */
export function learnWhenIdle(store: SessionStore): () => void {
  let handle = 0;
  let caughtUp = false;
  const step = (d: Idle) => {
    handle = 0;
    caughtUp = store.learn(learnJson, performance.now() + Math.min(12, Math.max(1, d.timeRemaining())));
    if (!caughtUp) handle = whenIdle(step);
  };
  const off = store.subscribe(() => {
    if (caughtUp && !handle) {
      caughtUp = false;
      handle = whenIdle(step);
    }
  });
  handle = whenIdle(step);
  return () => {
    off();
    if (handle) cancelIdle(handle);
  };
}
