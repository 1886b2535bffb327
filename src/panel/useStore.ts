import { useEffect, useState } from 'preact/hooks';
import type { SessionStore } from '../model/store';
import { frameScheduler } from './schedule';

/**
 * Re-render the calling component when the store changes: at most once per animation frame, or, with `everyMs`, at
 * most once per that many milliseconds (a changing store always gets its latest state rendered). Returns the store's
 * revision. The live views (timeline, counts) follow every frame; the rest of the panel (connection list, detail,
 * toolbar) a few times a second, so a stream's frames re-render only what moves with it.
 */
export function useStoreRevision(store: SessionStore, everyMs = 0): number {
  const [rev, setRev] = useState(store.revision);
  useEffect(() => {
    const update = () => setRev(store.revision);
    const schedule = everyMs > 0 ? throttle(frameScheduler(update), everyMs) : frameScheduler(update);
    const off = store.subscribe(schedule);
    schedule();
    return off;
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
