// The panel: the session shown (live or imported) with its filter, selection and detail, laid out around the
// timeline. The state lives in hooks named for what they hold; this file puts them together.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { SessionStore } from '../model/store';
import type { HostStatus } from '../protocol';
import type { PanelHost } from './host';
import { learnWhenIdle } from './learn';
import { useStoreRevision } from './useStore';
import { ConnectionList } from './ConnectionList';
import { Timeline } from './Timeline';
import { DetailPane, detailIsEmpty } from './DetailPane';
import { StatusBar } from './StatusBar';
import { Toolbar } from './Toolbar';
import { Splitter } from './Splitter';
import { SessionBar } from './SessionBar';
import { PaneBoundary } from './PaneBoundary';
import { useSessions } from './useSessions';
import { useHarIO, type Notice } from './useHarIO';
import { useLayout } from './useLayout';
import { useHostStatus } from './useHostStatus';
import { useFilter } from './useFilter';
import { useSelection } from './useSelection';
import { useDetail } from './useDetail';
import { useSettings } from './useSettings';
import { onDecodersChanged, setDecoderOverrides } from '../model/decode/decoding';
import { loadDecoderChoices } from '../platform/settings';
import { initSchemas } from './protoSchemas';
import { CopyMenu } from './CopyMenu';
import { ExportCode } from './ExportCode';
import { copyFrame, copyRows } from './copyActions';
import { ThroughputChart } from './ThroughputChart';
import { timeTerm } from '../model/chart-layout';
import { PairsSummary } from './PairsSummary';
import { pairsOf, pairRuleFor, pairRules, setPairRules } from '../model/pairs/of-store';
import { originOf, withRule } from '../model/pairs/rules';
import { exchangeQuery } from '../model/query';
import { loadPairRules, savePairRules } from '../platform/settings';
import { Rules } from './Rules';
import { RulesBanner } from './RulesBanner';
import { useInterceptRules, type FollowOrigin } from './useInterceptRules';
import { useManualIntercept } from './useManualIntercept';
import { InterceptQueue } from './InterceptQueue';

/** Below this panel height (a docked DevTools) the chart starts folded, leaving the rows the room, until the user unfolds it. */
const SHORT_PANEL_PX = 760;
/** A `time:` term in a query, replaced by a new brush. */
const TIME_TERM = /(^|\s)time:\S*/g;

/** How often the panel around the timeline (connection list, detail, toolbar counts) follows a changing store. */
const PANEL_REFRESH_MS = 200;
/** The most frames a sequence replays at once (from the current filter). */
const MAX_SEQUENCE = 10_000;

export interface AppProps {
  store: SessionStore;
  getStatus: () => HostStatus | null;
  onStatus: (fn: () => void) => () => void;
  host: PanelHost;
  inDevTools: boolean;
  /** Follows the inspected page's origin, under which intercept rules are kept (absent: they are kept nowhere). */
  followOrigin?: FollowOrigin;
}

const TOAST_MS = 4000;

export function App({ store: live, getStatus, onStatus, host, inDevTools, followOrigin }: AppProps) {
  const { settings, save: saveSettings } = useSettings(live);
  const sessions = useSessions(live, settings?.memoryBudgetMB);
  const session = sessions.current;
  const store = session.store;
  // The panel around the live views follows the store a few times a second (the timeline and the status bar follow
  // every frame themselves).
  const revision = useStoreRevision(store, PANEL_REFRESH_MS);
  useEffect(() => learnWhenIdle(store), [store]);
  useEffect(() => onDecodersChanged(() => store.touch()), [store]);
  useEffect(() => {
    void loadPairRules().then((r) => {
      setPairRules(r);
      store.touch();
    });
    void loadDecoderChoices().then(setDecoderOverrides);
    void initSchemas();
  }, []);
  const [notice, setNotice] = useState<Notice | null>(null);
  // What a copy, save or export did: a toast over the panel for a few seconds, never a banner that takes the rows' room
  // (DevTools docked at the bottom leaves the panel a short strip).
  const [toast, setToast] = useState<Notice | null>(null);
  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => setToast(null), TOAST_MS);
    return () => clearTimeout(t);
  }, [toast]);
  const [layout, setLayout] = useLayout();
  const status = useHostStatus(getStatus, onStatus);
  const manual = useManualIntercept(host);
  const intercept = useInterceptRules(host, followOrigin, manual.rule);
  const activeRules = intercept.rules.filter((r) => r.enabled).length;
  const filter = useFilter(store);
  const detail = useDetail();
  const sel = useSelection(store, () => detail.setTab('frame'));

  // Forget view state that points into the session's frames (selection, composer, sequence, connection filter).
  // Callbacks with no dependencies below only call the hooks' setters, which never change.
  const resetView = useCallback(() => {
    sel.reset();
    filter.setConnFilter(null);
    detail.reset();
  }, []);
  const show = (id: number) => {
    sessions.show(id);
    resetView();
  };
  const close = (id: number) => {
    if (id === session.id) resetView();
    sessions.close(id);
  };
  const har = useHarIO({
    store,
    connFilter: filter.connFilter,
    notify: setNotice,
    open: (name, s) => {
      const opened = sessions.add(name, s);
      if (opened.ok) show(opened.id);
      return opened;
    },
  });

  const pickConnection = useCallback((id: number | null) => {
    sel.setSelectedConn(id);
    filter.setConnFilter(id);
    sel.setSelectedFrame(null);
    detail.setTab('handshake');
  }, []);
  const clear = useCallback(() => {
    store.clear('live');
    resetView();
  }, [store, resetView]);
  // A failed detail pane tries again once something else is shown in it.
  const detailKey = `${session.id}:${sel.selectedFrame}:${sel.selectedConn}:${detail.tab}`;
  const [exportFor, setExportFor] = useState<number | null>(null);
  // A jump between a request and its answer: select it, show its detail, bring its row into view.
  const [reveal, setReveal] = useState<{ id: number; nonce: number } | null>(null);
  const jump = (id: number) => {
    sel.setSelectedFrame(id);
    detail.setTab('frame');
    setReveal((prev) => ({ id, nonce: (prev?.nonce ?? 0) + 1 }));
  };
  const renderMenu = (id: number, x: number, y: number) => (
    <CopyMenu
      store={store}
      frameId={id}
      selection={sel.selection}
      x={x}
      y={y}
      onDone={setToast}
      onReplay={(fid) => {
        const f = store.frameById(fid);
        if (f) detail.openComposer(f);
      }}
      onExportCode={setExportFor}
    />
  );
  // Ctrl/⌘+C in the timeline: the picked rows as JSON Lines, else the selected frame's payload as text.
  const copySelected = () => {
    if (sel.selection.size > 1) void copyRows(store, [...sel.selection].sort((a, b) => a - b), 'selected rows').then(setToast);
    else {
      const f = sel.selectedFrame !== null ? store.frameById(sel.selectedFrame) : undefined;
      if (f) void copyFrame(f, 'text').then(setToast);
    }
  };
  const shown = useMemo(
    () => ({
      frame: sel.selectedFrame !== null ? store.frameById(sel.selectedFrame) : undefined,
      conn: sel.selectedConn !== null ? store.connections.get(sel.selectedConn) : undefined,
    }),
    [sel.selectedFrame, sel.selectedConn, revision],
  );

  // The pairs summary, and the pairing rule of the connection shown (or the selected frame's).
  const ruleConn = shown.conn ?? (shown.frame ? store.connections.get(shown.frame.conn) : undefined);
  const ruleOrigin = ruleConn ? originOf(ruleConn.url) : '';
  const pairsView = (
    <PaneBoundary name="pairs" label="pairs summary" resetOn={session.id}>
      <PairsSummary
        pairs={pairsOf(store).sync()}
        revision={revision}
        onPick={(name) => filter.setFilterText(exchangeQuery(name))}
        rule={
          ruleOrigin
            ? {
                origin: ruleOrigin,
                rule: pairRuleFor(ruleConn!.url) ?? null,
                onRule: (r) => {
                  const all = withRule(pairRules(), ruleOrigin, r);
                  setPairRules(all);
                  void savePairRules(all);
                  store.touch();
                },
              }
            : undefined
        }
      />
    </PaneBoundary>
  );

  // Rules act on the inspected tab, whatever session is shown: their hits are the live session's.
  const rulesView = (
    <PaneBoundary name="rules" label="rules" resetOn={session.id}>
      <Rules rules={intercept.rules} onRules={intercept.setRules} origin={intercept.origin} loaded={intercept.loaded} unsaved={intercept.unsaved} store={live} />
    </PaneBoundary>
  );
  // Nothing to show: the detail is only its tab strip and the timeline keeps the height (DevTools docked at the bottom
  // leaves a short panel). Shown, it never takes more than 60% of the panel.
  const detailEmpty = detailIsEmpty({ frame: shown.frame, conn: shown.conn, tab: detail.tab, composer: detail.composer, host, sequence: detail.sequence, pairsView, rulesView });
  const detailHeight = Math.max(80, Math.min(layout.detailHeight, Math.round(innerHeight * 0.6)));
  // Manual intercept's marks are named by RuleDetail itself.
  const ruleOf = (id: string) => intercept.rules.find((r) => r.id === id);

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
        void har.importFile(f);
      }}
    >
      <PaneBoundary name="toolbar" label="toolbar" resetOn={session.id}>
        <Toolbar
          paused={store.paused}
          onPause={() => store.setPaused(!store.paused)}
          onClear={clear}
          filterText={filter.filterText}
          onFilter={filter.setFilterText}
          filterError={filter.error}
          filterChecking={filter.checking}
          onReload={() => host.reload()}
          settings={settings}
          onSettings={saveSettings}
          inDevTools={inDevTools}
          selectionSize={sel.selection.size}
          onReplaySelection={() => detail.openSequence([...sel.selection])}
          intercepting={manual.on}
          onIntercept={() => manual.setOn(!manual.on)}
          filteredCount={filter.filterText || filter.connFilter !== null ? store.visibleCount : 0}
          onReplayFiltered={() => {
            const ids: number[] = [];
            for (let i = 0; i < Math.min(store.visibleCount, MAX_SEQUENCE); i++) ids.push(store.visibleAt(i)!.id);
            detail.openSequence(ids);
          }}
        />
      </PaneBoundary>
      <PaneBoundary name="session-bar" label="session bar" resetOn={session.id}>
        <SessionBar sessions={sessions} onShow={show} onClose={close} har={har} canConnection={filter.connFilter !== null} canFiltered={!!store.filter} />
      </PaneBoundary>
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
          {!status.final && (
            <button type="button" data-testid="reattach" onClick={() => host.attach()}>
              Reattach
            </button>
          )}
        </div>
      )}
      {!session.readOnly && status?.reloadToTrust && (
        <div class="banner banner-error" role="alert" data-testid="reload-to-trust">
          <span>
            Frameline reached this page after its own scripts ran (it was installed or updated while the page was open): what
            the page reports is not vouched for, and replay there is refused. Reload the page to capture it fully.
          </span>
          <button type="button" data-testid="reload-to-trust-reload" onClick={() => host.reload()}>
            Reload page
          </button>
        </div>
      )}
      <PaneBoundary name="rules-banner" label="rules banner" resetOn={activeRules}>
        <RulesBanner active={activeRules} store={live} intercept={status?.intercept} onOpen={() => detail.setTab('rules')} />
      </PaneBoundary>
      {manual.on && (
        <PaneBoundary name="intercept" label="intercept queue" resetOn={0}>
          <InterceptQueue mi={manual} store={live} />
        </PaneBoundary>
      )}
      <div class="main">
        <div class="connections-pane" style={{ width: `${layout.connectionsWidth}px` }}>
          <PaneBoundary name="connections" label="connection list" resetOn={session.id}>
            <ConnectionList store={store} revision={revision} selected={filter.connFilter} onPick={pickConnection} />
          </PaneBoundary>
        </div>
        <Splitter axis="x" size={layout.connectionsWidth} min={120} onSize={(w) => setLayout({ ...layout, connectionsWidth: w })} testid="split-connections" label="Resize the connection list" />
        <div class="center">
          <PaneBoundary name="throughput" label="throughput chart" resetOn={session.id}>
            <ThroughputChart
              store={store}
              conn={filter.connFilter}
              selectedFrame={sel.selectedFrame}
              collapsed={layout.chartCollapsed ?? innerHeight < SHORT_PANEL_PX}
              onCollapsed={(c) => setLayout({ ...layout, chartCollapsed: c })}
              onBrush={(from, to) => {
                const rest = filter.filterText.replace(TIME_TERM, ' ').trim();
                filter.setFilterText(`${rest ? rest + ' ' : ''}${timeTerm(from, to)}`);
              }}
            />
          </PaneBoundary>
          <PaneBoundary name="timeline" label="timeline" resetOn={session.id}>
            <Timeline
              store={store}
              selected={sel.selectedFrame}
              selection={sel.selection}
              onSelect={sel.selectFrame}
              renderMenu={renderMenu}
              onCopy={copySelected}
              reveal={reveal}
              onOpen={(id) => {
                sel.setSelectedFrame(id);
                detail.setTab('frame');
              }}
            />
          </PaneBoundary>
          {!detailEmpty && (
            <Splitter axis="y" size={detailHeight} min={80} onSize={(h) => setLayout({ ...layout, detailHeight: h })} testid="split-detail" label="Resize the detail pane" />
          )}
          <div class={'detail-pane' + (detailEmpty ? ' detail-empty' : '')} data-testid="detail-pane" data-empty={detailEmpty} style={detailEmpty ? undefined : { height: `${detailHeight}px` }}>
            <PaneBoundary name="detail" label="detail pane" resetOn={detailKey}>
              <DetailPane
                store={store}
                frame={shown.frame}
                conn={shown.conn}
                tab={detail.tab}
                onTab={detail.setTab}
                composer={detail.composer}
                host={host}
                readOnly={session.readOnly}
                onReplay={detail.openComposer}
                sequence={detail.sequence}
                renderMenu={renderMenu}
                onExportCode={setExportFor}
                onJump={jump}
                pairsView={pairsView}
                rulesView={rulesView}
                ruleOf={ruleOf}
              />
            </PaneBoundary>
          </div>
        </div>
      </div>
      {exportFor !== null && (
        <PaneBoundary name="export-code" label="export as code" resetOn={exportFor}>
          <ExportCode store={store} conn={exportFor} sessionLabel={session.name} onDone={setToast} onClose={() => setExportFor(null)} />
        </PaneBoundary>
      )}
      {toast && (
        <div class={`toast ${toast.kind === 'error' ? 'toast-error' : ''}`} role={toast.kind === 'error' ? 'alert' : 'status'} data-testid="copy-notice" data-kind={toast.kind} onClick={() => setToast(null)}>
          {toast.text}
        </div>
      )}
      <PaneBoundary name="status-bar" label="status bar" resetOn={session.id}>
        <StatusBar store={store} status={status} />
      </PaneBoundary>
    </div>
  );
}
