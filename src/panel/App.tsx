import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { SessionStore } from '../model/store';
import { substringFilter } from '../model/preview';
import type { HostStatus, Settings } from '../protocol';
import type { PanelHost } from './host';
import { loadSettings, saveSettings } from '../platform/settings';
import { useStoreRevision } from './useStore';
import { ConnectionList } from './ConnectionList';
import { Timeline } from './Timeline';
import { DetailPane, type DetailTab } from './DetailPane';
import type { ComposerSource } from './Composer';
import type { SequenceSource } from './Sequence';

/** The most frames a sequence replays at once (from the current filter). */
const MAX_SEQUENCE = 10_000;
import type { Frame } from '../model/types';
import { StatusBar } from './StatusBar';
import { Toolbar } from './Toolbar';

export interface AppProps {
  store: SessionStore;
  getStatus: () => HostStatus | null;
  onStatus: (fn: () => void) => () => void;
  host: PanelHost;
  inDevTools: boolean;
}

export function App({ store, getStatus, onStatus, host, inDevTools }: AppProps) {
  const revision = useStoreRevision(store);
  const [status, setStatus] = useState(getStatus());
  useEffect(() => onStatus(() => setStatus(getStatus())), []);

  const [filterText, setFilterText] = useState('');
  const [connFilter, setConnFilter] = useState<number | null>(null);
  const [selectedFrame, setSelectedFrame] = useState<number | null>(null);
  const [selectedConn, setSelectedConn] = useState<number | null>(null);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [detailTab, setDetailTab] = useState<DetailTab>('frame');
  const [composer, setComposer] = useState<ComposerSource | null>(null);
  const openComposer = useCallback((f: Frame) => {
    setComposer((prev) => ({ conn: f.conn, frame: f.id, text: f.text, bytes: f.bytes, nonce: (prev?.nonce ?? 0) + 1 }));
    setDetailTab('replay');
  }, []);
  useEffect(() => {
    void loadSettings().then(setSettings);
  }, []);

  // The filter: text terms and the connection picked in the list.
  useEffect(() => {
    const text = substringFilter(filterText);
    const conn = connFilter;
    if (!text && conn === null) store.setFilter(null);
    else store.setFilter((f) => (conn === null || f.conn === conn) && (!text || text(f)));
  }, [filterText, connFilter, store]);

  const [selection, setSelection] = useState<ReadonlySet<number>>(new Set());
  const anchor = useRef<number | null>(null);
  const [sequence, setSequence] = useState<SequenceSource | null>(null);
  const openSequence = useCallback((frames: number[]) => {
    setSequence((prev) => ({ frames, nonce: (prev?.nonce ?? 0) + 1 }));
    setDetailTab('sequence');
  }, []);

  const selectFrame = useCallback(
    (id: number | null, mods?: { toggle: boolean; extend: boolean }) => {
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
      setDetailTab('frame');
      if (id !== null) {
        const f = store.frameById(id);
        if (f) setSelectedConn(f.conn);
      }
    },
    [store, selectedFrame],
  );

  const pickConnection = useCallback((id: number | null) => {
    setSelectedConn(id);
    setConnFilter(id);
    setSelectedFrame(null);
    setDetailTab('handshake');
  }, []);

  const clear = useCallback(() => {
    store.clear();
    setSelectedFrame(null);
    setSelectedConn(null);
    setConnFilter(null);
    setComposer(null);
    setSequence(null);
    setSelection(new Set());
  }, [store]);

  const detail = useMemo(
    () => ({
      frame: selectedFrame !== null ? store.frameById(selectedFrame) : undefined,
      conn: selectedConn !== null ? store.connections.get(selectedConn) : undefined,
    }),
    [selectedFrame, selectedConn, revision],
  );

  return (
    <div class="app">
      <Toolbar
        paused={store.paused}
        onPause={() => store.setPaused(!store.paused)}
        onClear={clear}
        filterText={filterText}
        onFilter={setFilterText}
        onReload={() => host.reload()}
        settings={settings}
        onSettings={(patch) => void saveSettings(patch).then(setSettings)}
        inDevTools={inDevTools}
        selectionSize={selection.size}
        onReplaySelection={() => openSequence([...selection])}
        filteredCount={filterText || connFilter !== null ? store.visibleCount : 0}
        onReplayFiltered={() => {
          const ids: number[] = [];
          for (let i = 0; i < Math.min(store.visibleCount, MAX_SEQUENCE); i++) ids.push(store.visibleAt(i)!.id);
          openSequence(ids);
        }}
      />
      {status && status.phase === 'detached' && (
        <div class="banner banner-error" role="alert" data-testid="capture-error">
          <span>{status.reason ?? 'Capture stopped.'}</span>
          <button type="button" data-testid="reattach" onClick={() => host.attach()}>
            Reattach
          </button>
        </div>
      )}
      <div class="main">
        <ConnectionList store={store} revision={revision} selected={connFilter} onPick={pickConnection} />
        <div class="center">
          <Timeline
            store={store}
            revision={revision}
            selected={selectedFrame}
            selection={selection}
            onSelect={selectFrame}
            onReplay={(id) => {
              const f = store.frameById(id);
              if (f) openComposer(f);
            }}
          />
          <DetailPane
            store={store}
            frame={detail.frame}
            conn={detail.conn}
            tab={detailTab}
            onTab={setDetailTab}
            composer={composer}
            host={host}
            onReplay={openComposer}
            sequence={sequence}
          />
        </div>
      </div>
      <StatusBar store={store} revision={revision} status={status} />
    </div>
  );
}
