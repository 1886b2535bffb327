import { learnJson } from '../model/query';
import type { SessionStore } from '../model/store';
import { machineBusy } from './schedule';

type Idle = { timeRemaining(): number };
const whenIdle: (fn: (d: Idle) => void) => number =
  typeof requestIdleCallback === 'function' ? (fn) => requestIdleCallback(fn) : (fn) => setTimeout(() => fn({ timeRemaining: () => 8 }), 50) as unknown as number;
const cancelIdle: (h: number) => void = typeof cancelIdleCallback === 'function' ? cancelIdleCallback : clearTimeout;

/**
 * While the panel is idle, learn what JSON terms need to know of each stored frame (learnJson), so that a first JSON
 * query over a million frames reads raw text rather than parsing every payload. Runs in idle periods only (≤ 12 ms
 * each), resumes when frames arrive. The panel's thread may be idle while the machine is not (a stream pours into the
 * inspected page): then it waits, BUSY_RETRY_MS at a time, so the page gets the CPU. Returns a stop function.
 */
const BUSY_RETRY_MS = 250;

export function learnWhenIdle(store: SessionStore): () => void {
  let handle = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let caughtUp = false;
  const step = (d: Idle) => {
    handle = 0;
    if (machineBusy()) {
      retry = setTimeout(() => {
        retry = undefined;
        handle = whenIdle(step);
      }, BUSY_RETRY_MS);
      return;
    }
    caughtUp = store.learn(learnJson, performance.now() + Math.min(12, Math.max(1, d.timeRemaining())));
    if (!caughtUp) handle = whenIdle(step);
  };
  const off = store.subscribe(() => {
    if (caughtUp && !handle && retry === undefined) {
      caughtUp = false;
      handle = whenIdle(step);
    }
  });
  handle = whenIdle(step);
  return () => {
    off();
    if (handle) cancelIdle(handle);
    if (retry !== undefined) clearTimeout(retry);
  };
}
