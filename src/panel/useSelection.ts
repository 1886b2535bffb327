// What is selected in the session: the frame shown in the detail pane, its connection, and the frames picked with
// ctrl/⌘-click or shift-click (a range of the visible rows) for a sequence.
import { useCallback, useRef, useState } from 'preact/hooks';
import type { SessionStore } from '../model/store';

export type SelectMods = { toggle: boolean; extend: boolean };

export interface SelectionState {
  selectedFrame: number | null;
  setSelectedFrame: (id: number | null) => void;
  selectedConn: number | null;
  setSelectedConn: (id: number | null) => void;
  /** Frames picked for a sequence (empty unless ctrl/⌘- or shift-clicked). */
  selection: ReadonlySet<number>;
  /** A click on a row (null: none), with the keys held. */
  selectFrame: (id: number | null, mods?: SelectMods) => void;
  /** Forget it all (the frames it points to are gone, or another session is shown). */
  reset: () => void;
}

/** `onSelect` runs after a frame is selected (the panel shows the frame's detail). */
export function useSelection(store: SessionStore, onSelect: () => void): SelectionState {
  const [selectedFrame, setSelectedFrame] = useState<number | null>(null);
  const [selectedConn, setSelectedConn] = useState<number | null>(null);
  const [selection, setSelection] = useState<ReadonlySet<number>>(new Set());
  const anchor = useRef<number | null>(null);
  const selected = useRef(onSelect);
  selected.current = onSelect;

  const selectFrame = useCallback(
    (id: number | null, mods?: SelectMods) => {
      if (id === null) setSelection(new Set());
      else if (mods?.toggle) {
        setSelection((prev) => {
          const next = new Set(prev);
          if (selectedFrame !== null && prev.size === 0) next.add(selectedFrame);
          if (next.has(id)) next.delete(id);
          else next.add(id);
          return next;
        });
        anchor.current = id;
      } else if (mods?.extend && anchor.current !== null) {
        const a = store.visibleIndexOf(anchor.current);
        const b = store.visibleIndexOf(id);
        if (a >= 0 && b >= 0) {
          const next = new Set<number>();
          for (let i = Math.min(a, b); i <= Math.max(a, b); i++) next.add(store.visibleAt(i)!.id);
          setSelection(next);
        }
      } else {
        setSelection(new Set());
        anchor.current = id;
      }
      setSelectedFrame(id);
      selected.current();
      if (id !== null) {
        const f = store.frameById(id);
        if (f) setSelectedConn(f.conn);
      }
    },
    [store, selectedFrame],
  );

  const reset = useCallback(() => {
    setSelectedFrame(null);
    setSelectedConn(null);
    setSelection(new Set());
  }, []);

  return { selectedFrame, setSelectedFrame, selectedConn, setSelectedConn, selection, selectFrame, reset };
}
