import { useEffect, useState } from 'preact/hooks';
import type { SessionStore } from '../model/store';
import { frameScheduler } from './schedule';

/** Re-render the calling component (at most once per frame) when the store changes; returns its revision. */
export function useStoreRevision(store: SessionStore): number {
  const [rev, setRev] = useState(store.revision);
  useEffect(() => {
    const schedule = frameScheduler(() => setRev(store.revision));
    const off = store.subscribe(schedule);
    schedule();
    return off;
  }, [store]);
  return rev;
}
