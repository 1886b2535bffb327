import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { SessionStore } from '../model/store';
import { parseQuery, QueryError, type ParsedQuery, type Predicate } from '../model/query';
import { checkRegexes, samplesFor } from './regexCheck';
import type { HostStatus, Settings } from '../protocol';
import type { PanelHost } from './host';
import { loadSettings, saveSettings } from '../platform/settings';
import { learnWhenIdle } from './learn';
import { useStoreRevision } from './useStore';
import { ConnectionList } from './ConnectionList';
import { Timeline } from './Timeline';
import { DetailPane, type DetailTab } from './DetailPane';
import type { ComposerSource } from './Composer';
import type { SequenceSource } from './Sequence';
import type { Frame } from '../model/types';
import { StatusBar } from './StatusBar';
import { Toolbar } from './Toolbar';
import { SessionStore as Store } from '../model/store';
import { HarError, harChunks, harFileName, parseHar } from '../model/har';
import { blobFromChunks, saveBlob } from '../platform/download';
import { DEFAULT_EXPORT, ExportImport, parseRedact, type ExportOptions } from './ExportImport';
import { formatBytes } from '../model/bytes';
import { Splitter } from './Splitter';

/** How often the panel around the timeline (connection list, detail, toolbar counts) follows a changing store. */
const PANEL_REFRESH_MS = 200;
/** The most frames a sequence replays at once (from the current filter). */
const MAX_SEQUENCE = 10_000;
/** Larger HAR files are refused with a message (a browser cannot hold such a file as one string). */
export const MAX_IMPORT_BYTES = 400 * 1024 * 1024;

/** Pane sizes, kept in the panel's localStorage. */
interface Layout {
  connectionsWidth: number;
  detailHeight: number;
}
const LAYOUT_KEY = 'frameline.layout';
function loadLayout(): Layout {
  const fallback = { connectionsWidth: 260, detailHeight: 220 };
  try {
    const l = JSON.parse(localStorage.getItem(LAYOUT_KEY) ?? 'null');
    if (l && Number.isFinite(l.connectionsWidth) && Number.isFinite(l.detailHeight)) return l;
  } catch {
    /* fall back */
  }
  return fallback;
}

/** A session shown in the panel: the live capture, or a HAR file opened read-only. */
interface ViewSession {
  id: number;
  name: string;
  store: SessionStore;
  readOnly: boolean;
}

export interface AppProps {
  store: SessionStore;
  getStatus: () => HostStatus | null;
  onStatus: (fn: () => void) => () => void;
  host: PanelHost;
  inDevTools: boolean;
}

export function App({ store: live, getStatus, onStatus, host, inDevTools }: AppProps) {
  const [imported, setImported] = useState<ViewSession[]>([]);
  const [current, setCurrent] = useState(0);
  const session: ViewSession = imported.find((v) => v.id === current) ?? { id: 0, name: 'Live capture', store: live, readOnly: false };
  const store = session.store;
  // The panel around the live views follows the store a few times a second (the timeline and the status bar follow
  // every frame themselves).
  const revision = useStoreRevision(store, PANEL_REFRESH_MS);
  useEffect(() => learnWhenIdle(store), [store]);
  const [notice, setNotice] = useState<{ kind: 'error' | 'info'; text: string } | null>(null);
  const [exportOptions, setExportOptions] = useState<ExportOptions>(DEFAULT_EXPORT);
  const [exporting, setExporting] = useState(false);
  const [layout, setLayoutState] = useState(loadLayout);
  const setLayout = (l: Layout) => {
    setLayoutState(l);
    try {
      localStorage.setItem(LAYOUT_KEY, JSON.stringify(l));
    } catch {
      /* storage unavailable: the layout lasts for this panel only */
    }
  };
  const [status, setStatus] = useState(getStatus());
  useEffect(() => {
    setStatus(getStatus()); // it may have changed between the first render and this subscription
    return onStatus(() => setStatus(getStatus()));
  }, []);

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
  useEffect(() => {
    if (settings) live.setBudget(settings.memoryBudgetMB * 1024 * 1024);
  }, [settings?.memoryBudgetMB, live]);
  useEffect(() => {
    if (settings) live.preserve = settings.preserveAcrossNavigation;
  }, [settings?.preserveAcrossNavigation, live]);

  // The filter: the query typed (the last valid one stays applied while the text is invalid) and the connection
  // picked in the list.
  // Parsed and applied in the render the keystroke causes (not in effects a frame apart), so the next paint has rows.
  // A query with regular expressions is first tried on the longest stored texts (regexCheck.ts) when there are long
  // ones: applied when that passes, refused (shown like a syntax error) when a regex does not finish there.
  const query = useMemo<{ parsed: ParsedQuery | null; error: QueryError | null }>(() => {
    try {
      return { parsed: parseQuery(filterText), error: null };
    } catch (e) {
      if (!(e instanceof QueryError)) throw e;
      return { parsed: null, error: e };
    }
  }, [filterText]);
  const applied = useRef<Predicate | null>(null);
  /** Queries whose regexes passed (null) or failed the check on this store's long texts. */
  const checked = useRef(new Map<string, QueryError | null>());
  useEffect(() => checked.current.clear(), [store]);
  const [checking, setChecking] = useState<string | null>(null);
  const [refused, setRefused] = useState<{ text: string; error: QueryError } | null>(null);
  const applyFilter = (pred: Predicate | null, conn: number | null) => {
    if (!pred && conn === null) return store.setFilter(null);
    const ctx = {
      get startTs() {
        return store.frameCount ? store.tsAt(0) : 0;
      },
    };
    if (conn === null) store.setFilter((f, c) => pred!(f, c, ctx));
    else store.setFilter((f, c) => f.conn === conn && (!pred || pred(f, c, ctx)));
  };
  useLayoutEffect(() => {
    const parsed = query.parsed;
    const conn = connFilter;
    if (!parsed) return applyFilter(applied.current, conn);
    const samples = samplesFor(store, parsed.regexes);
    // Checked once per query and set of samples (a longer text stored since is tried again).
    const key = `${samples.map((x) => x.id).join(',')} ${filterText}`;
    const known = samples.length ? checked.current.get(key) : null;
    if (known === undefined) {
      applyFilter(applied.current, conn); // the last valid filter stays while the check runs
      setChecking(filterText);
      const check = checkRegexes(parsed.regexes, samples);
      let current = true;
      void check.result.then((slow) => {
        if (!current) return;
        const error = slow && new QueryError(slow.message, slow.regex.pos);
        checked.current.set(key, error);
        setChecking(null);
        if (error) setRefused({ text: filterText, error });
        else {
          applied.current = parsed.predicate;
          applyFilter(parsed.predicate, conn);
        }
      });
      return () => {
        current = false;
        check.cancel();
        setChecking(null);
      };
    }
    if (known) {
      setRefused({ text: filterText, error: known });
      return applyFilter(applied.current, conn);
    }
    applied.current = parsed.predicate;
    applyFilter(parsed.predicate, conn);
  }, [query, connFilter, store]);
  const filterError = query.error ?? (refused?.text === filterText ? refused.error : null);

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

  /** Forget view state that points into the session's frames (selection, composer, sequence, connection filter). */
  const resetView = useCallback(() => {
    setSelectedFrame(null);
    setSelectedConn(null);
    setConnFilter(null);
    setComposer(null);
    setSequence(null);
    setSelection(new Set());
  }, []);

  const switchTo = useCallback(
    (id: number) => {
      setCurrent(id);
      resetView();
    },
    [resetView],
  );

  const importFile = useCallback(
    async (file: File) => {
      if (file.size > MAX_IMPORT_BYTES) {
        setNotice({ kind: 'error', text: `${file.name} is ${formatBytes(file.size)}: Frameline opens HAR files up to ${formatBytes(MAX_IMPORT_BYTES)}. Nothing was imported.` });
        return;
      }
      try {
        const imp = parseHar(await file.text());
        const s = new Store();
        s.apply(imp.records);
        const id = Date.now();
        setImported((list) => [...list, { id, name: file.name, store: s, readOnly: true }]);
        switchTo(id);
        const skipped = imp.skipped ? `; ${imp.skipped} entries that are not WebSockets skipped` : '';
        setNotice({ kind: 'info', text: `Opened ${file.name} (read-only): ${imp.connections} connections, ${imp.frames} frames${skipped}. ${imp.warnings.join(' ')}`.trim() });
      } catch (e) {
        const why = e instanceof HarError ? e.message : `Could not read the file: ${(e as Error).message}`;
        setNotice({ kind: 'error', text: `${file.name}: ${why} Nothing was imported.` });
      }
    },
    [switchTo],
  );

  const exportHar = useCallback(async () => {
    const redact = parseRedact(exportOptions.redact);
    if (redact && 'error' in redact) {
      setNotice({ kind: 'error', text: `Export: the redaction regex is invalid (${redact.error}).` });
      return;
    }
    setExporting(true);
    try {
      // Redaction runs the regex over every payload: tried first on the longest, like a filter's (regexCheck.ts).
      if (redact) {
        const rx = [{ source: redact.source, flags: redact.flags, pos: 0 }];
        const samples = samplesFor(store, rx);
        const slow = samples.length ? await checkRegexes(rx, samples).result : null;
        if (slow) {
          setNotice({ kind: 'error', text: `Export: the redaction regex is too slow. ${slow.message}` });
          return;
        }
      }
      const scope = exportOptions.scope;
      const chunks = harChunks(store, {
        connections: scope === 'connection' && connFilter !== null ? new Set([connFilter]) : null,
        frameFilter: scope === 'filtered' && store.filter ? (f) => store.filter!(f, store.connections.get(f.conn)) : null,
        sanitize: exportOptions.sanitize,
        stripHeaders: exportOptions.stripHeaders.split(',').map((h) => h.trim()).filter(Boolean),
        redact,
        creator: { name: 'Frameline', version: chrome.runtime?.getManifest?.().version ?? 'dev' },
      });
      const firstUrl = store.connectionOrder.map((id) => store.connections.get(id)!.url).find(Boolean) ?? '';
      let host = '';
      try {
        host = firstUrl ? new URL(firstUrl).host : '';
      } catch {
        /* keep '' */
      }
      const blob = await blobFromChunks(chunks, 'application/json');
      const name = harFileName(host);
      saveBlob(blob, name);
      setNotice({ kind: 'info', text: `Saved ${name} (${formatBytes(blob.size)}).` });
    } catch (e) {
      setNotice({ kind: 'error', text: `Export failed: ${(e as Error).message}` });
    } finally {
      setExporting(false);
    }
  }, [store, exportOptions, connFilter]);

  const clear = useCallback(() => {
    store.clear();
    resetView();
  }, [store, resetView]);

  const detail = useMemo(
    () => ({
      frame: selectedFrame !== null ? store.frameById(selectedFrame) : undefined,
      conn: selectedConn !== null ? store.connections.get(selectedConn) : undefined,
    }),
    [selectedFrame, selectedConn, revision],
  );

  return (
    <div
      class="app"
      onDragOver={(e) => {
        if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
      }}
      onDrop={(e) => {
        const f = e.dataTransfer?.files?.[0];
        if (!f) return;
        e.preventDefault();
        void importFile(f);
      }}
    >
      <Toolbar
        paused={store.paused}
        onPause={() => store.setPaused(!store.paused)}
        onClear={clear}
        filterText={filterText}
        onFilter={setFilterText}
        filterError={filterError}
        filterChecking={checking === filterText}
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
      <div class="sessionbar">
        <ExportImport
          options={exportOptions}
          onOptions={setExportOptions}
          canConnection={connFilter !== null}
          canFiltered={!!store.filter}
          busy={exporting}
          onExport={() => void exportHar()}
          onImport={(f) => void importFile(f)}
        />
        {imported.length > 0 && (
          <label>
            Session{' '}
            <select data-testid="session-select" value={current} onChange={(e) => switchTo(Number((e.currentTarget as HTMLSelectElement).value))}>
              <option value={0}>Live capture</option>
              {imported.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.name} (imported, read-only)
                </option>
              ))}
            </select>
          </label>
        )}
        {session.readOnly && <span class="badge badge-warn" data-testid="read-only">read-only: {session.name}</span>}
      </div>
      {notice && (
        <div class={`banner ${notice.kind === 'error' ? 'banner-error' : 'banner-info'}`} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid={notice.kind === 'error' ? 'import-error' : 'notice'}>
          <span>{notice.text}</span>
          <button type="button" class="link" onClick={() => setNotice(null)}>
            dismiss
          </button>
        </div>
      )}
      {!session.readOnly && status && status.phase === 'detached' && (
        <div class="banner banner-error" role="alert" data-testid="capture-error">
          <span>{status.reason ?? 'Capture stopped.'}</span>
          <button type="button" data-testid="reattach" onClick={() => host.attach()}>
            Reattach
          </button>
        </div>
      )}
      <div class="main">
        <div class="connections-pane" style={{ width: `${layout.connectionsWidth}px` }}>
          <ConnectionList store={store} revision={revision} selected={connFilter} onPick={pickConnection} />
        </div>
        <Splitter axis="x" size={layout.connectionsWidth} min={120} onSize={(w) => setLayout({ ...layout, connectionsWidth: w })} testid="split-connections" label="Resize the connection list" />
        <div class="center">
          <Timeline
            store={store}
            selected={selectedFrame}
            selection={selection}
            onSelect={selectFrame}
            onReplay={(id) => {
              const f = store.frameById(id);
              if (f) openComposer(f);
            }}
            onOpen={(id) => {
              setSelectedFrame(id);
              setDetailTab('frame');
            }}
          />
          <Splitter axis="y" size={layout.detailHeight} min={80} onSize={(h) => setLayout({ ...layout, detailHeight: h })} testid="split-detail" label="Resize the detail pane" />
          <div class="detail-pane" style={{ height: `${layout.detailHeight}px` }}>
          <DetailPane
            store={store}
            frame={detail.frame}
            conn={detail.conn}
            tab={detailTab}
            onTab={setDetailTab}
            composer={composer}
            host={host}
            readOnly={session.readOnly}
            onReplay={openComposer}
            sequence={sequence}
          />
          </div>
        </div>
      </div>
      <StatusBar store={store} status={status} />
    </div>
  );
}
