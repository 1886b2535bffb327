// The sessions the panel can show: the live capture, and HAR files opened read-only beside it. They share the user's
// one memory budget: an imported session holds what its file needs, and the live capture gets the rest.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { SessionStore } from '../model/store';
import { formatBytes } from '../model/bytes';
import { DEFAULT_SETTINGS } from '../protocol';

/** A session shown in the panel: the live capture, or a HAR file opened read-only. */
export interface ViewSession {
  /** LIVE_SESSION for the live capture. */
  id: number;
  name: string;
  store: SessionStore;
  readOnly: boolean;
}

export const LIVE_SESSION = 0;

export type Admission = { ok: true; id: number } | { ok: false; why: string };

export interface SessionsState {
  /** The imported sessions, oldest first. */
  imported: readonly ViewSession[];
  /** The session shown. */
  current: ViewSession;
  /** Show another session. */
  show: (id: number) => void;
  /**
   * Add a HAR file's store (built with no budget, so nothing of it was dropped) as a read-only session, or refuse it,
   * saying why, when it needs more than the budget leaves beside the other imported sessions.
   */
  add: (name: string, store: SessionStore) => Admission;
  /** Forget an imported session: its store is cleared and no longer referenced. */
  close: (id: number) => void;
}

/** Bytes held by these sessions' stores. */
const held = (list: readonly ViewSession[]) => list.reduce((n, v) => n + v.store.usedBytes, 0);

const MB = 1024 * 1024;

/**
 * `budgetMB` is the user's memory budget, undefined until the settings are loaded (the live store keeps its own until
 * then, and imports are measured against the default).
 */
export function useSessions(live: SessionStore, budgetMB: number | undefined): SessionsState {
  const [imported, setImported] = useState<readonly ViewSession[]>([]);
  // The list as of the last change, for decisions made before the next render (two imports finishing together).
  const list = useRef(imported);
  const update = (next: readonly ViewSession[]) => {
    list.current = next;
    setImported(next);
  };
  const [currentId, setCurrentId] = useState(LIVE_SESSION);
  const lastId = useRef(LIVE_SESSION);
  const budget = (budgetMB ?? DEFAULT_SETTINGS.memoryBudgetMB) * MB;
  const budgetRef = useRef(budget);
  budgetRef.current = budget;
  const current = imported.find((v) => v.id === currentId) ?? { id: LIVE_SESSION, name: 'Live capture', store: live, readOnly: false };
  // Recomputed every render: clearing an imported session (the toolbar's Clear) gives its bytes back too.
  const importedBytes = held(imported);

  useEffect(() => {
    if (budgetMB === undefined && importedBytes === 0) return;
    live.setBudget(Math.max(0, budget - importedBytes));
  }, [live, budgetMB, importedBytes]);

  const add = useCallback((name: string, store: SessionStore): Admission => {
    const others = held(list.current);
    const room = budgetRef.current - others;
    if (store.usedBytes > room) {
      const need = `Its ${store.frameCount} frames need ${formatBytes(store.usedBytes)} of memory`;
      const why = others
        ? `${need}, more than the ${formatBytes(Math.max(0, room))} the memory budget leaves for it (the budget is ${formatBytes(budgetRef.current)}; imported sessions hold ${formatBytes(others)}). Raise the budget in the toolbar or close an imported session.`
        : `${need}, more than the whole memory budget (${formatBytes(budgetRef.current)}). Raise the budget in the toolbar.`;
      return { ok: false, why };
    }
    // Read-only: it never grows, so its budget is what it holds.
    store.setBudget(store.usedBytes);
    const id = ++lastId.current;
    update([...list.current, { id, name, store, readOnly: true }]);
    return { ok: true, id };
  }, []);

  const close = useCallback((id: number) => {
    const gone = list.current.find((v) => v.id === id);
    if (!gone) return;
    update(list.current.filter((v) => v !== gone));
    setCurrentId((shown) => (shown === id ? LIVE_SESSION : shown));
    gone.store.clear();
  }, []);

  return { imported, current, show: setCurrentId, add, close };
}
