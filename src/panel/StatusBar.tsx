import { MAX_CONNECTIONS, type SessionStore } from '../model/store';
import { formatBytes } from '../model/bytes';
import type { HostStatus } from '../protocol';
import { useStoreRevision } from './useStore';

const PHASE_TEXT: Record<HostStatus['phase'], string> = {
  idle: 'Not capturing yet',
  attaching: 'Attaching…',
  capturing: 'Capturing',
  detached: 'Capture stopped',
};

export function StatusBar({ store, status }: { store: SessionStore; status: HostStatus | null }) {
  useStoreRevision(store);
  const s = store.stats;
  const total = store.frameCount;
  const visible = store.visibleCount;
  return (
    <div class="statusbar" role="status">
      <span data-testid="frame-count" data-total={total} data-visible={visible} data-query={store.filterLabel} data-filtering={store.filtering ? 'true' : undefined}>
        {visible === total ? `${total} frames` : `${visible} / ${total} frames`}
      </span>
      {store.filtering && (
        <span class="muted" data-testid="filtering">
          filtering… {Math.floor((100 * store.filtering.done) / Math.max(1, store.filtering.total))}%
        </span>
      )}
      <span title="Sent">
        ↑ {s.framesSent} · {formatBytes(s.bytesSent)}
      </span>
      <span title="Received">
        ↓ {s.framesReceived} · {formatBytes(s.bytesReceived)}
      </span>
      <span>{store.connections.size} connections</span>
      {store.paused && <span class="warn" data-testid="paused-count" data-count={s.pausedDropped}>Paused: {s.pausedDropped} frames not stored</span>}
      {!!status?.dropped && (
        <span class="warn" data-testid="dropped" data-count={status.dropped} title="Capture kept them while no panel took them, past the memory budget, or they could not be passed on">
          {status.dropped} frames lost before reaching the panel
        </span>
      )}
      {!!status?.discarded && (
        <span class="warn" data-testid="discarded" data-count={status.discarded} title="The page hook keeps a page's first events until it hears whether a panel listens; told none does, or hearing nothing for 10 s, it lets them go">
          {status.discarded} page events let go before capture started
        </span>
      )}
      {s.evicted > 0 && (
        <span class="warn" data-testid="evicted" data-count={s.evicted} title="Raise the memory budget in the toolbar to keep more">
          {s.evicted} oldest frames dropped (memory budget {formatBytes(store.budgetBytes)})
        </span>
      )}
      {s.connectionsEvicted > 0 && (
        <span class="warn" data-testid="connections-evicted" data-count={s.connectionsEvicted} title={`Past ${MAX_CONNECTIONS.toLocaleString('en')} connections, the oldest closed ones whose frames are all gone are dropped`}>
          {s.connectionsEvicted} old closed connections dropped
        </span>
      )}
      <span class="muted" title="Estimated memory of the stored frames">
        {formatBytes(store.usedBytes)} / {formatBytes(store.budgetBytes)}
      </span>
      <span class="spacer" />
      <span data-testid="capture-state" data-phase={status?.phase ?? 'idle'} class={`phase phase-${status?.phase ?? 'idle'}`}>
        {PHASE_TEXT[status?.phase ?? 'idle']}
      </span>
    </div>
  );
}
