// The sessions the panel can show: the live capture, and HAR files opened read-only beside it.
import { useCallback, useRef, useState } from 'preact/hooks';
import type { SessionStore } from '../model/store';

/** A session shown in the panel: the live capture, or a HAR file opened read-only. */
export interface ViewSession {
  /** LIVE_SESSION for the live capture. */
  id: number;
  name: string;
  store: SessionStore;
  readOnly: boolean;
}

export const LIVE_SESSION = 0;

export interface SessionsState {
  /** The imported sessions, oldest first. */
  imported: readonly ViewSession[];
  /** The session shown. */
  current: ViewSession;
  /** Show another session. */
  show(id: number): void;
  /** Add a HAR file's store as a read-only session; returns its id. */
  add(name: string, store: SessionStore): number;
}

export function useSessions(live: SessionStore): SessionsState {
  const [imported, setImported] = useState<ViewSession[]>([]);
  const [currentId, setCurrentId] = useState(LIVE_SESSION);
  const lastId = useRef(LIVE_SESSION);
  const current = imported.find((v) => v.id === currentId) ?? { id: LIVE_SESSION, name: 'Live capture', store: live, readOnly: false };
  const add = useCallback((name: string, store: SessionStore) => {
    const id = ++lastId.current;
    setImported((list) => [...list, { id, name, store, readOnly: true }]);
    return id;
  }, []);
  return { imported, current, show: setCurrentId, add };
}
