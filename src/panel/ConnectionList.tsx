// The connection list: every connection of the session, newest last. From a few hundred on (a page that opens
// thousands of sockets), only the rows in view are in the DOM, at a fixed height, between two spacers.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { SessionStore } from '../model/store';
import { FIREFOX_BUILD } from '../platform/build';
import { connectionLabel, connectionName, sharedHost } from './format';

export interface ConnectionListProps {
  store: SessionStore;
  revision: number;
  selected: number | null;
  onPick: (id: number | null) => void;
}

/** From this many connections on, the list is windowed. */
export const WINDOW_FROM = 300;
/** A row's height when windowed (CSS `.connections-windowed .conn`). */
export const CONN_ROW_PX = 24;
const OVERSCAN = 10;

export function ConnectionList({ store, selected, onPick }: ConnectionListProps) {
  const host = sharedHost(store.connections.values());
  const ids = store.connectionOrder;
  const windowed = ids.length >= WINDOW_FROM;
  const ref = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 800 });
  useEffect(() => {
    const el = ref.current;
    if (!windowed || !el) return;
    const update = () => setView({ top: el.scrollTop, height: el.clientHeight || 800 });
    update();
    el.addEventListener('scroll', update, { passive: true });
    const ro = typeof ResizeObserver === 'function' ? new ResizeObserver(update) : null;
    ro?.observe(el);
    return () => {
      el.removeEventListener('scroll', update);
      ro?.disconnect();
    };
  }, [windowed]);
  // The "All connections" row sits above the first row: one row's height.
  const first = windowed ? Math.max(0, Math.floor(view.top / CONN_ROW_PX) - 1 - OVERSCAN) : 0;
  const last = windowed ? Math.min(ids.length, Math.ceil((view.top + view.height) / CONN_ROW_PX) + OVERSCAN) : ids.length;
  return (
    <div ref={ref} class={'connections' + (windowed ? ' connections-windowed' : '')} role="listbox" aria-label="Connections" data-windowed={windowed}>
      <div
        class={'conn-all' + (selected === null ? ' selected' : '')}
        role="option"
        aria-selected={selected === null}
        onClick={() => onPick(null)}
      >
        All connections ({store.connections.size})
        {host && (
          <span class="muted conn-host" data-testid="connections-host" title="Every connection is to this host">
            {' '}
            · {host}
          </span>
        )}
      </div>
      {first > 0 && <div class="conn-spacer" style={{ height: `${first * CONN_ROW_PX}px` }} />}
      {ids.slice(first, last).map((id) => {
        const c = store.connections.get(id)!;
        return (
          <div
            key={id}
            data-testid="connection-row"
            data-url={c.url}
            data-state={c.state}
            data-conn-id={id}
            data-before-capture={c.openedBeforeCapture ? 'true' : undefined}
            data-target={c.target.type}
            role="option"
            aria-selected={selected === id}
            class={'conn' + (selected === id ? ' selected' : '')}
            title={c.url || connectionLabel(c)}
            onClick={() => onPick(id)}
          >
            <span class={`state state-${c.state}`} title={c.stateNote ? `${c.state}: ${c.stateNote}` : c.state} />
            <span class="conn-id">#{id}</span>
            <span class="conn-url">{connectionName(c, host)}</span>
            <span class="conn-meta">
              {c.target.type !== 'page' && <span class="badge">{c.target.type.replace('_', ' ')}</span>}
              {c.openedBeforeCapture && <span class="badge badge-warn">opened before capture</span>}
              {c.handshakeOnly && <span class="badge badge-warn" title={c.handshakeOnly}>handshake only</span>}
              {c.untrusted && <span class="badge badge-warn" data-testid="untrusted" title={c.untrusted}>not vouched for</span>}
              <span class="count">{store.framesPerConnection.get(id) ?? 0}</span>
            </span>
          </div>
        );
      })}
      {last < ids.length && <div class="conn-spacer" style={{ height: `${(ids.length - last) * CONN_ROW_PX}px` }} />}
      {FIREFOX_BUILD && (
        <div
          class="muted conn-note"
          data-testid="workers-unseen"
          title="Firefox lets extensions into neither shared nor service workers: their sockets are not listed here (see README)."
        >
          Sockets of shared and service workers cannot be seen in Firefox.
        </div>
      )}
    </div>
  );
}
