// What the page hook reports, in order, in batches of at most one per 16 ms. Until the router says whether a
// Frameline host listens for this tab (armed), events are kept, so the first frames of a new page or frame are not
// lost; bounded, and what does not fit is counted (`lost`). Kept events the hook lets go (told no host listens, or no
// word in 10 s) are counted too (`discarded`); both counts go with the next batch, never dropped silently.
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
  /** Sets armed and returns what it was; disarming lets go of whatever waits (counted). */
  arm(on: boolean): boolean | null;
  /** Sends the ready events now; `always`: even none (an empty batch tells the host of this document and its URL). */
  flushNow(always?: boolean): void;
  /** No word from the router: stop keeping events (those kept are counted). */
  giveUp(): void;
}

/** An event in its place; `dropped`: a held Blob frame that did not fit once its bytes came (counted as lost). */
interface Slot {
  e: HookEvent;
  ready: boolean;
  dropped: boolean;
}

const charsOf = (e: HookEvent) => (e.k === 'frame' ? (e.text ?? e.b64 ?? '').length : 0);

/** `late`: the hook came after the page's own scripts; every batch says so. */
export function createEventQueue(B: Builtins, doc: string, late: boolean, href: () => string, post: (msg: unknown) => void): EventQueue {
  const { bare, append } = B;
  let armed: boolean | null = null;
  let lost = 0;
  let discarded = 0;
  let unarmedChars = 0;
  // Ordered output: an event waiting for a Blob's bytes holds back the ones after it. Own properties only (append).
  let queue: Slot[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  let lastFlush = 0;
  let microtask = false;

  const letGo = () => {
    for (let i = 0; i < queue.length; i++) if (!queue[i].dropped) discarded++;
    queue = [];
    unarmedChars = 0;
  };
  /** Whether one more kept event (`place`: one more in the queue) of `chars` characters fits before arming; if not,
   *  it is counted as lost. */
  const fits = (chars: number, place = true) => {
    if ((place && queue.length >= MAX_UNARMED) || unarmedChars + chars > MAX_UNARMED_CHARS) {
      lost++;
      return false;
    }
    unarmedChars += chars;
    return true;
  };

  const flush = (always: boolean) => {
    flushTimer = null;
    let n = 0;
    while (n < queue.length && queue[n].ready) n++;
    if (n === 0 && !always) return;
    const events: HookEvent[] = [];
    for (let i = 0; i < n; i++) if (!queue[i].dropped) append(events, queue[i].e);
    const rest: Slot[] = [];
    for (let i = n; i < queue.length; i++) append(rest, queue[i]);
    queue = rest;
    const batch: HookBatch = bare({
      v: HOOK_VERSION, doc, href: href(), events,
      ...(lost ? { lost } : {}), ...(discarded ? { discarded } : {}), ...(late ? { late } : {}),
    });
    lost = 0;
    discarded = 0;
    post(bare({ k: 'batch', batch }));
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
      if (armed === null && !fits(charsOf(e))) return;
      append(queue, bare({ e, ready: true, dropped: false }));
      if (armed) schedule();
    },
    hold(e) {
      if (armed === false || (armed === null && !fits(0))) return () => {};
      const slot: Slot = bare({ e, ready: false, dropped: false });
      append(queue, slot);
      return (b64) => {
        e.b64 = b64;
        slot.ready = true;
        // Its size is known only now: still before arming, it must fit like any other.
        if (armed === null && !fits(b64.length, false)) slot.dropped = true;
        if (armed) schedule();
      };
    },
    arm(on) {
      const was = armed;
      armed = on;
      if (!armed) letGo();
      return was;
    },
    flushNow,
    giveUp() {
      if (armed !== null) return;
      armed = false;
      letGo();
    },
  };
}
