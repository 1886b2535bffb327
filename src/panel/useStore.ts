import { useEffect, useState } from 'preact/hooks';
import type { SessionStore } from '../model/store';
import { frameScheduler } from './schedule';

/**
 * The views that follow a store every frame share one scheduler per store: one animation callback, one measure of
 * the frame's cost (see schedule.ts) for all of them.
 */
const frameViews = new WeakMap<SessionStore, { views: Set<() => void>; off: () => void }>();

function followEveryFrame(store: SessionStore, update: () => void): () => void {
  let entry = frameViews.get(store);
  if (!entry) {
    const views = new Set<() => void>();
    // Frames stored so far, as of the last render: a render with new ones is a stream's (it may yield to the machine).
    const arrived = () => store.stats.framesSent + store.stats.framesReceived;
    let shown = arrived();
    const schedule = frameScheduler(
      () => {
        shown = arrived();
        for (const fn of views) fn();
      },
      { streaming: () => arrived() !== shown },
    );
    entry = { views, off: store.subscribe(schedule) };
    frameViews.set(store, entry);
  }
  const { views, off } = entry;
  views.add(update);
  return () => {
    views.delete(update);
    if (views.size > 0) return;
    off();
    frameViews.delete(store);
  };
}

/**
 * Re-render the calling component when the store changes: at most once per animation frame (within the render share
 * of schedule.ts), or, with `everyMs`, at most once per that many milliseconds (a changing store always gets its
 * latest state rendered). Returns the store's revision. The live views (timeline, counts) follow every frame; the
 * rest of the panel (connection list, detail, toolbar) a few times a second, so a stream's frames re-render only what
 * moves with it.
 */
export function useStoreRevision(store: SessionStore, everyMs = 0): number {
  const [rev, setRev] = useState(store.revision);
  useEffect(() => {
    const update = () => setRev(store.revision);
    update(); // it may have changed between the render and this subscription
    if (everyMs <= 0) return followEveryFrame(store, update);
    const schedule = throttle(frameScheduler(update, { counted: false }), everyMs);
    return store.subscribe(schedule);
  }, [store, everyMs]);
  return rev;
}

/** Calls `fn` at most once per `ms`: a call within that time is deferred to its end, never lost. */
function throttle(fn: () => void, ms: number): () => void {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const fire = () => {
    timer = undefined;
    last = performance.now();
    fn();
  };
  return () => {
    if (timer !== undefined) return;
    const wait = last + ms - performance.now();
    if (wait <= 0) fire();
    else timer = setTimeout(fire, wait);
  };
}
