import type { SessionStore } from '../model/store';
import { connectionLabel, connectionName, sharedHost } from './format';

export interface ConnectionListProps {
  store: SessionStore;
  revision: number;
  selected: number | null;
  onPick: (id: number | null) => void;
}

export function ConnectionList({ store, selected, onPick }: ConnectionListProps) {
  const host = sharedHost(store.connections.values());
  return (
    <div class="connections" role="listbox" aria-label="Connections">
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
      {store.connectionOrder.map((id) => {
        const c = store.connections.get(id)!;
        return (
          <div
            key={id}
            data-testid="connection-row"
            data-url={c.url}
            data-state={c.state}
            data-conn-id={id}
            data-before-capture={c.openedBeforeCapture ? 'true' : undefined}
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
              {c.target.type !== 'page' && <span class="badge">{c.target.type}</span>}
              {c.openedBeforeCapture && <span class="badge badge-warn">opened before capture</span>}
              {c.handshakeOnly && <span class="badge badge-warn" title={c.handshakeOnly}>handshake only</span>}
              {c.untrusted && <span class="badge badge-warn" data-testid="untrusted" title={c.untrusted}>not vouched for</span>}
              <span class="count">{store.framesPerConnection.get(id) ?? 0}</span>
            </span>
          </div>
        );
      })}
    </div>
  );
}
