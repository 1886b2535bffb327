// Render scheduling for views that follow the store: at most once per animation frame, and within a share of the
// main thread.
//
// Renders run in the frame's animation callbacks, right before the browser's own style/layout/paint, so a render's
// layout work (the timeline's scroll write forces one) is done once per painted frame. Rendering on a timer as well
// would, when the panel's renderer is busy with a stream (it shares its main thread with the capture host), run
// renders that are never painted, each with a forced layout, during a stream most of them. A timer is only a fallback for frames that get no animation frames at all (some headless modes):
// it fires when no animation frame came for FALLBACK_MS, and renders only if the document is rendered at all. While
// the user looks at another DevTools panel, the Frameline panel's frame is display:none: nothing renders then (the
// store still takes every batch), and the first animation frame after it is shown again renders what came meanwhile.
//
// While a stream pours in, every frame is a new screenful of rows, and the panel's renderer competes with the
// inspected page for the same cores (and, in Chrome, with capture itself: the DevTools page that receives the
// debugger's events shares the panel's main thread). So the next render waits until the last one's busy time is at
// most RENDER_SHARE of the time since it began. Its busy time runs from its start until the main thread is free again:
// its script, the style, layout and paint after it, and whatever work queued up meanwhile (capture's events). On an
// idle machine the tail moves with every frame; when the renderer is behind, the tail moves less often and capture and the page get the time. Renders caused by the user (scrolling, keys, clicks,
// typing) are not scheduled here: they are immediate.
//
// That share is the panel's own thread; the inspected page runs in another process, on the same cores. When the
// machine as a whole has no CPU to spare (in Chrome the platform tells the idle share of all processors), every tail
// render is taken from the page and from capture, and a screenful of new rows 60 times a second is unreadable anyway:
// the gap between renders then grows from nothing (machine idle at least BUSY_FROM) to SATURATED_GAP_MS (idle at most
// BUSY_AT), so the page keeps its receive rate and the tail still moves several times a second. Where the machine's
// idle share is known, that protects the page and capture directly, so the panel's own share can be larger
// (RENDER_SHARE_MACHINE_KNOWN): the tail then follows every frame whenever
// the machine has CPU to spare. While the user types in the filter box on a busy machine, the stream's renders wait until
// typing pauses (see userTyping).
export const FALLBACK_MS = 100;
const FRAME_MS = 16;
/** A render due later than this sleeps on a timer instead of asking for every animation frame until then. */
const SLEEP_FROM_MS = 24;
export const RENDER_SHARE = 0.45;
export const RENDER_SHARE_MACHINE_KNOWN = 0.6;
export const BUSY_FROM = 0.3;
export const BUSY_AT = 0.1;
export const SATURATED_GAP_MS = 125;
/**
 * The longest a render's measured cost may hold the next one back. The cost runs until the main thread is free again,
 * so one render followed by a long task of someone else's (DevTools starting up, the capture host's set-up) would
 * otherwise hold every render, the user's own included, for many seconds.
 */
export const MAX_HOLD_MS = 500;

/** How long after a render began the next may run: its cost over the share, at most MAX_HOLD_MS (pure). */
export function holdAfter(cost: number, share: number): number {
  return Math.min(cost / share, MAX_HOLD_MS);
}

/** The weight of the latest render's cost in the running cost that holds the next render back. */
export const COST_WEIGHT = 0.25;
/**
 * The running cost after a render that took `cost` ms (pure). A render that stands alone (a stream's first rows, code
 * run for the first time) hardly holds the next; a cost that lasts holds it fully, so the share holds over time.
 */
export function runningCost(prev: number | undefined, cost: number, share: number): number {
  const c = Math.min(cost, MAX_HOLD_MS * share);
  return prev === undefined ? c : prev + (c - prev) * COST_WEIGHT;
}

/** The idle share of the machine's processors (0–1), or undefined when the platform cannot tell. */
let machineIdle: () => number | undefined = () => undefined;
export function setMachineIdle(fn: () => number | undefined): void {
  machineIdle = fn;
}

/** How long after a keystroke in the filter box the user counts as typing. */
export const TYPING_HOLD_MS = 250;
let typingUntil = -Infinity;
/**
 * The user typed in the filter box. On a busy machine the stream's renders wait until typing pauses: each keystroke's
 * own render already shows the latest rows, and a tail render between two keys takes the CPU the next key's render
 * needs (README: input.bench's keystroke figures).
 */
export function userTyping(): void {
  typingUntil = performance.now() + TYPING_HOLD_MS;
}

/**
 * The tail's own recent renders, as (start, busy ms) pairs: the gap yields to the load of others, not to the tail's
 * own. Counted as load, the tail's renders would throttle the tail itself: the gap grows, renders get rare, the idle
 * share rises, the gap goes, and the tail stutters between the two at rates the machine handles with CPU to spare.
 */
const OWN_WINDOW_MS = 500;
const ownRenders: number[] = [];
function ownBusyMs(now: number): number {
  let drop = 0;
  while (drop < ownRenders.length && ownRenders[drop] < now - OWN_WINDOW_MS) drop += 2;
  if (drop) ownRenders.splice(0, drop);
  let ms = 0;
  for (let i = 1; i < ownRenders.length; i += 2) ms += ownRenders[i];
  return ms;
}

/**
 * The machine's idle share had the tail not rendered: `ownMs` of its busy time over the last `windowMs` (pure). A
 * machine idle BUSY_AT or less is saturated whoever's load it is (a burst): there the tail yields fully.
 */
export function idleBesidesTail(idle: number | undefined, ownMs: number, windowMs: number, cores: number): number | undefined {
  if (idle === undefined || idle <= BUSY_AT) return idle;
  return Math.min(1, idle + ownMs / (windowMs * Math.max(1, cores)));
}

/** Whether the machine has less CPU to spare than BUSY_FROM (work that can wait, such as learning, waits). */
export function machineBusy(): boolean {
  return gapForIdle(machineIdle()) > 0;
}

/** The least time between two tail renders for a machine this idle (pure). */
export function gapForIdle(idle: number | undefined): number {
  if (idle === undefined || idle >= BUSY_FROM) return 0;
  if (idle <= BUSY_AT) return SATURATED_GAP_MS;
  return (SATURATED_GAP_MS * (BUSY_FROM - idle)) / (BUSY_FROM - BUSY_AT);
}

/** Whether the document is rendered at all: a display:none frame (a hidden DevTools panel) has no boxes. */
function isRendered(): boolean {
  return typeof document === 'undefined' || document.documentElement.getClientRects().length > 0;
}

/** For benchmarks (exposed as `__frameline.renders`): scheduled renders run, and their busy milliseconds in all. */
export const renderStats = { renders: 0, ms: 0, get idle() { return machineIdle(); } };

/** The share of the panel's main thread a tail render may take (see above), and the least gap after one (pure). */
export function renderBudget(idle: number | undefined): { share: number; gapMs: number } {
  return { share: idle === undefined ? RENDER_SHARE : RENDER_SHARE_MACHINE_KNOWN, gapMs: gapForIdle(idle) };
}

/**
 * What the panel does at the start of each scheduled render: take the records its capture host holds (a host in the
 * same renderer is pulled, see src/platform/host-link.ts), so they are rendered in this very frame.
 */
const frameStarts = new Set<() => void>();
export function atFrameStart(fn: () => void): () => void {
  frameStarts.add(fn);
  return () => frameStarts.delete(fn);
}

/** The schedulers of the live views, to tell when the host says records are waiting (recordsWaiting). */
const wakeable = new Set<Scheduler>();
export function wakeWhenRecordsWait(schedule: Scheduler): () => void {
  wakeable.add(schedule);
  return () => wakeable.delete(schedule);
}

/** The capture host holds records: ask for a render, which pulls them at its start (atFrameStart). */
export function recordsWaiting(): void {
  for (const schedule of wakeable) schedule.recordsWaiting();
}

/**
 * Schedules a render. `recordsWaiting`: records wait to be pulled; a render already asked for (or sleeping out a
 * stream's gap) will pull them when it runs, so nothing more is asked.
 */
export type Scheduler = (() => void) & { recordsWaiting(): void };

/**
 * A render of `fn` at most once per animation frame, within the budget above; its renders count in renderStats.
 * `streaming`: whether the render now due shows frames that arrived since the last one (only those renders yield to a
 * saturated machine: a filter's result or the user's own change is never held back by the machine's load).
 */
export function frameScheduler(
  fn: () => void,
  { streaming = () => true }: { streaming?: () => boolean } = {},
): Scheduler {
  let pending = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let started = 0;
  let notBefore = 0;
  let avgCost: number | undefined;
  let gapUntil = 0;
  let sleeping = false;
  // A task posted at the end of a render's animation callback runs after that frame's style/layout/paint.
  const after = typeof MessageChannel === 'undefined' ? null : new MessageChannel();
  if (after) {
    after.port1.onmessage = () => {
      const cost = performance.now() - started;
      renderStats.ms += cost;
      ownRenders.push(started, cost);
      const now = performance.now();
      const cores = typeof navigator === 'undefined' ? 1 : navigator.hardwareConcurrency;
      const { share, gapMs } = renderBudget(idleBesidesTail(machineIdle(), ownBusyMs(now), Math.min(OWN_WINDOW_MS, now), cores));
      avgCost = runningCost(avgCost, cost, share);
      notBefore = started + holdAfter(avgCost, share);
      gapUntil = started + gapMs;
    };
  }
  const run = (fromFrame: boolean) => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    sleeping = false;
    if (!pending) return;
    for (const start of frameStarts) start();
    // No animation frame came, and none will while the document is not rendered at all (a DevTools panel the user
    // switched away from: its frame is display:none). A render then would never be seen: the animation frame already
    // asked for renders it as soon as the panel is shown again.
    if (!fromFrame && !isRendered()) return;
    const now = performance.now();
    const due = streaming() ? Math.max(notBefore, gapUntil, machineBusy() ? typingUntil : 0) : notBefore;
    // Not yet: a later frame (a quarter frame early is on time). More than a frame away, sleep on a timer until about
    // a frame before it: an animation frame asked for meanwhile would only wake this thread, the compositor and the
    // display compositor to do nothing.
    if (now < due - 4) {
      if (due - now > SLEEP_FROM_MS) {
        sleeping = true;
        timer = setTimeout(wake, due - now - FRAME_MS);
      } else ask(Math.max(FALLBACK_MS, due - now));
      return;
    }
    pending = false;
    started = now;
    renderStats.renders++;
    fn();
    after?.port2.postMessage(0);
  };
  const onFrame = () => run(true);
  const onTimer = () => run(false);
  /** Ask for an animation frame, with the timer fallback in case none comes. */
  const ask = (fallbackMs: number) => {
    requestAnimationFrame(onFrame);
    timer = setTimeout(onTimer, fallbackMs);
  };
  const wake = () => {
    sleeping = false;
    ask(FALLBACK_MS);
  };
  const schedule = () => {
    if (pending) {
      // What is due now no longer yields to the machine (nothing new arrived: a filter's result, the user's own
      // change): it does not sleep out a stream's gap.
      if (sleeping && !streaming()) {
        clearTimeout(timer);
        wake();
      }
      return;
    }
    pending = true;
    ask(FALLBACK_MS);
  };
  return Object.assign(schedule, {
    recordsWaiting: () => {
      if (pending) return;
      pending = true;
      ask(FALLBACK_MS);
    },
  });
}
