// What the page hook reports, in order, in batches of at most one per 16 ms. Until the router says whether a
// Frameline host listens for this tab (armed), events are kept, so the first frames of a new page or frame are not
// lost; bounded, and what does not fit is counted (`lost`), never dropped silently.
import type { Builtins } from './builtins';
import { HOOK_VERSION, type HookBatch, type HookEvent } from './hook-protocol';

/** Events kept before the router's answer, and their frames' characters (text or base64). */
export const MAX_UNARMED = 20_000;
export const MAX_UNARMED_CHARS = 32 * 1024 * 1024;
const BATCH_MS = 16;

/** A frame event; its `b64` may be filled in later (a Blob's bytes are read asynchronously). */
export type FrameEvent = Extract<HookEvent, { k: 'frame' }>;

export interface EventQueue {
  /** true: a host listens; false: none does, nothing is kept; null: not known yet, events are kept (bounded). */
  armed(): boolean | null;
  emit(e: HookEvent): void;
  /** Keeps the place of a frame whose bytes come later (its `b64` is '' till then), holding back the events after
   *  it; the function returned fills it in. */
  hold(e: FrameEvent & { b64: string }): (b64: string) => void;
  /** Sets armed and returns what it was; disarming drops whatever waits. */
  arm(on: boolean): boolean | null;
  /** Sends the ready events now; `always`: even none (an empty batch tells the host of this document and its URL). */
  flushNow(always?: boolean): void;
  /** No word from the router: stop keeping events. */
  giveUp(): void;
}

export function createEventQueue(B: Builtins, doc: string, href: () => string, post: (msg: unknown) => void): EventQueue {
  const { apply, arrayPush, arraySplice } = B;
  let armed: boolean | null = null;
  let lost = 0;
  let unarmedChars = 0;
  // Ordered output: an event waiting for a Blob's bytes holds back the ones after it.
  const queue: Array<{ e: HookEvent; ready: boolean }> = [];
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  let lastFlush = 0;
  let microtask = false;

  const flush = (always: boolean) => {
    flushTimer = null;
    let n = 0;
    while (n < queue.length && queue[n].ready) n++;
    if (n === 0 && !always) return;
    const taken = apply(arraySplice, queue, [0, n]) as typeof queue;
    const events: HookEvent[] = [];
    for (let i = 0; i < taken.length; i++) events[i] = taken[i].e;
    const batch: HookBatch = { v: HOOK_VERSION, doc, href: href(), events, ...(lost ? { lost } : {}) };
    lost = 0;
    post({ k: 'batch', batch });
  };
  // A due batch goes out at the end of the current task (a background tab's timers fire a second late at best);
  // otherwise a timer sends it.
  const flushNow = (always = false) => {
    microtask = false;
    if (flushTimer !== null) B.clearTimeout(flushTimer);
    flushTimer = null;
    lastFlush = B.now();
    flush(always);
    if (queue.length && queue[0].ready) schedule();
  };
  const schedule = () => {
    if (microtask) return;
    const wait = BATCH_MS - (B.now() - lastFlush);
    if (wait <= 0) {
      microtask = true;
      B.queueMicrotask(() => flushNow());
    } else if (flushTimer === null) flushTimer = B.setTimeout(() => flushNow(), wait);
  };

  return {
    armed: () => armed,
    emit(e) {
      if (armed === false) return;
      if (armed === null) {
        const chars = e.k === 'frame' ? (e.text ?? e.b64 ?? '').length : 0;
        if (queue.length >= MAX_UNARMED || unarmedChars + chars > MAX_UNARMED_CHARS) {
          lost++;
          return;
        }
        unarmedChars += chars;
      }
      apply(arrayPush, queue, [{ e, ready: true }]);
      if (armed) schedule();
    },
    hold(e) {
      const slot = { e, ready: false };
      apply(arrayPush, queue, [slot]);
      return (b64) => {
        e.b64 = b64;
        slot.ready = true;
        if (armed) schedule();
      };
    },
    arm(on) {
      const was = armed;
      armed = on;
      if (!armed) {
        queue.length = 0;
        lost = 0;
      }
      return was;
    },
    flushNow,
    giveUp() {
      if (armed !== null) return;
      armed = false;
      queue.length = 0;
    },
  };
}
