// What the detail pane shows: its tab, and what the composer and the sequence player were opened with.
import { useCallback, useState } from 'preact/hooks';
import type { Frame } from '../model/types';
import type { DetailTab } from './DetailPane';
import type { ComposerSource } from './Composer';
import type { SequenceSource } from './Sequence';

export interface DetailState {
  tab: DetailTab;
  setTab: (tab: DetailTab) => void;
  composer: ComposerSource | null;
  /** Open the composer with this frame's payload. */
  openComposer: (f: Frame) => void;
  sequence: SequenceSource | null;
  /** Open the sequence player with these frames, in this order. */
  openSequence: (frames: number[]) => void;
  /** Forget the composer's and the sequence's frames (another session is shown, or the frames are gone). */
  reset: () => void;
}

export function useDetail(): DetailState {
  const [tab, setTab] = useState<DetailTab>('frame');
  const [composer, setComposer] = useState<ComposerSource | null>(null);
  const [sequence, setSequence] = useState<SequenceSource | null>(null);
  const openComposer = useCallback((f: Frame) => {
    setComposer((prev) => ({ conn: f.conn, frame: f.id, text: f.text, bytes: f.bytes, nonce: (prev?.nonce ?? 0) + 1 }));
    setTab('replay');
  }, []);
  const openSequence = useCallback((frames: number[]) => {
    setSequence((prev) => ({ frames, nonce: (prev?.nonce ?? 0) + 1 }));
    setTab('sequence');
  }, []);
  const reset = useCallback(() => {
    setComposer(null);
    setSequence(null);
  }, []);
  return { tab, setTab, composer, openComposer, sequence, openSequence, reset };
}
