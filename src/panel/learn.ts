import { learnJson } from '../model/query';
import type { SessionStore } from '../model/store';
import { machineBusy } from './schedule';

type Idle = { timeRemaining(): number };
const whenIdle: (fn: (d: Idle) => void) => number =
  typeof requestIdleCallback === 'function' ? (fn) => requestIdleCallback(fn) : (fn) => setTimeout(() => fn({ timeRemaining: () => 8 }), 50) as unknown as number;
const cancelIdle: (h: number) => void = typeof cancelIdleCallback === 'function' ? cancelIdleCallback : clearTimeout;

/**
 * Learn what JSON terms need to know of each stored frame (learnJson), so that a first JSON query over a million frames
 * reads raw text rather than parsing every payload: frames that just arrived at once (see AT_ARRIVAL_BACKLOG), a
 * larger backlog in idle periods (≤ 12 ms each). The panel's thread may be idle while the machine is not (a stream
 * pours into the inspected page): idle learning then waits, BUSY_RETRY_MS at a time, so the page gets the CPU. It also
 * waits while the user scrolls, types, clicks or moves the pointer (until INPUT_QUIET_MS after the last of it): an idle
 * period between two frames of a scroll is short, and a slice of learning that overruns it costs the scroll a frame.
 * Returns a stop function.
 */
const BUSY_RETRY_MS = 250;
export const INPUT_QUIET_MS = 500;
/**
 * Frames that just arrived are learnt at once while few wait (at most AT_ARRIVAL_BACKLOG, for at most AT_ARRIVAL_MS
 * plus AT_ARRIVAL_MS_PER_FRAME for each waiting): learning a short text costs about what storing it did, so a JSON
 * term typed right after a stream or a burst reads learnt frames. A larger backlog (learning was cut short by long
 * texts, or a session was opened) is left to idle time.
 */
export const AT_ARRIVAL_BACKLOG = 20_000;
export const AT_ARRIVAL_MS = 2;
export const AT_ARRIVAL_MS_PER_FRAME = 0.0005;

export function learnWhenIdle(store: SessionStore): () => void {
  let handle = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let caughtUp = false;
  let lastInput = Number.NEGATIVE_INFINITY;
  const onInput = () => {
    lastInput = performance.now();
  };
  // What the user does, not 'scroll': the timeline's own writes while it follows a stream fire scroll events, and
  // learning would then wait for as long as frames keep coming. A wheel, a trackpad, keys and the scrollbar (pointer
  // events) are the user's scrolls.
  const inputs = ['wheel', 'keydown', 'pointerdown', 'pointermove'] as const;
  if (typeof addEventListener === 'function') for (const t of inputs) addEventListener(t, onInput, { capture: true, passive: true });
  const step = (d: Idle) => {
    handle = 0;
    const quietIn = lastInput + INPUT_QUIET_MS - performance.now();
    if (machineBusy() || quietIn > 0) {
      retry = setTimeout(() => {
        retry = undefined;
        handle = whenIdle(step);
      }, machineBusy() ? BUSY_RETRY_MS : quietIn);
      return;
    }
    caughtUp = store.learn(learnJson, performance.now() + Math.min(12, Math.max(1, d.timeRemaining())));
    if (!caughtUp) handle = whenIdle(step);
  };
  const off = store.subscribe(() => {
    const backlog = store.unlearned;
    if (backlog > 0 && backlog <= AT_ARRIVAL_BACKLOG && store.learn(learnJson, performance.now() + AT_ARRIVAL_MS + backlog * AT_ARRIVAL_MS_PER_FRAME)) return;
    if (caughtUp && !handle && retry === undefined) {
      caughtUp = false;
      handle = whenIdle(step);
    }
  });
  handle = whenIdle(step);
  return () => {
    off();
    if (typeof removeEventListener === 'function') for (const t of inputs) removeEventListener(t, onInput, { capture: true });
    if (handle) cancelIdle(handle);
    if (retry !== undefined) clearTimeout(retry);
  };
}
