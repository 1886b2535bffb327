import { useEffect, useState } from 'preact/hooks';
import type { SessionStore } from '../model/store';
import { frameScheduler, wakeWhenRecordsWait } from './schedule';

/** A view following a store: how often it may re-render (0: every render), and when it last did. */
interface View {
  everyMs: number;
  last: number;
}

/**
 * All views that follow a store share one scheduler per store: one animation callback, one measure of the frame's
 * cost (see schedule.ts), and one style/layout/paint for all of them. Views with an interval re-render in the renders
 * that come once it has passed, never in a frame of their own: each frame of its own would cost the panel, the
 * compositor and the display compositor a whole frame's work.
 */
const followers = new WeakMap<SessionStore, { views: Map<() => void, View>; off: () => void }>();

export function follow(store: SessionStore, update: () => void, everyMs: number): () => void {
  let entry = followers.get(store);
  if (!entry) {
    const views = new Map<() => void, View>();
    // Frames stored so far, as of the last render: a render with new ones is a stream's (it may yield to the machine).
    const arrived = () => store.stats.framesSent + store.stats.framesReceived;
    let shown = arrived();
    let later: ReturnType<typeof setTimeout> | undefined;
    const schedule = frameScheduler(
      () => {
        shown = arrived();
        const now = performance.now();
        let next = Infinity;
        for (const [fn, v] of views) {
          if (now - v.last >= v.everyMs) {
            v.last = now;
            fn();
          } else next = Math.min(next, v.last + v.everyMs);
        }
        // A view held back by its interval still gets the store's latest state once the interval has passed.
        if (next < Infinity && later === undefined) {
          later = setTimeout(() => {
            later = undefined;
            schedule();
          }, next - now);
        }
      },
      { streaming: () => arrived() !== shown },
    );
    const unsubscribe = store.subscribe(schedule);
    const unwake = wakeWhenRecordsWait(schedule);
    entry = {
      views,
      off: () => {
        unsubscribe();
        unwake();
        if (later !== undefined) clearTimeout(later);
      },
    };
    followers.set(store, entry);
  }
  const { views, off } = entry;
  views.set(update, { everyMs, last: -Infinity });
  return () => {
    views.delete(update);
    if (views.size > 0) return;
    off();
    followers.delete(store);
  };
}

/**
 * Re-render the calling component when the store changes: at most once per animation frame (within the render share
 * of schedule.ts), or, with `everyMs`, at most once per that many milliseconds (a changing store always gets its
 * latest state rendered). Returns the store's revision. The live views (timeline, counts) follow every frame; the
 * rest of the panel (connection list, detail, toolbar) a few times a second, in the same renders, so a stream's frames
 * re-render only what moves with it.
 */
export function useStoreRevision(store: SessionStore, everyMs = 0): number {
  const [rev, setRev] = useState(store.revision);
  useEffect(() => {
    const update = () => setRev(store.revision);
    update(); // it may have changed between the render and this subscription
    return follow(store, update, everyMs);
  }, [store, everyMs]);
  return rev;
}
