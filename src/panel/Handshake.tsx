import { useState } from 'preact/hooks';
import type { SessionStore } from '../model/store';
import type { Connection, Header } from '../model/types';
import { formatClock } from '../model/time';

function Headers({ title, headers, raw, note, testid }: { title: string; headers: Header[]; raw?: string; note?: string; testid: string }) {
  const [showRaw, setShowRaw] = useState(false);
  return (
    <section data-testid={testid}>
      <h3>
        {title}
        {note && <span class="muted note" data-testid="headers-note"> {note}</span>}
        {raw && (
          <button type="button" class="link" onClick={() => setShowRaw(!showRaw)}>
            {showRaw ? 'parsed' : 'raw'}
          </button>
        )}
      </h3>
      {showRaw && raw ? (
        <pre class="payload">{raw}</pre>
      ) : headers.length ? (
        <table class="headers">
          <tbody>
            {headers.map((h, i) => (
              <tr key={i}>
                <th>{h.name}</th>
                <td>{h.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <div class="muted">Not captured.</div>
      )}
    </section>
  );
}

export function Handshake({ store, conn: c }: { store: SessionStore; conn: Connection }) {
  const time = (ts?: number) => (ts === undefined || store.anchor === undefined ? '—' : formatClock(store.wallMs(ts)));
  const rows: Array<[string, string]> = [
    ['URL', c.url || (c.urlCandidates ? `one of: ${c.urlCandidates.join(', ')}` : 'unknown')],
    ['State', c.stateNote ? `${c.state} (${c.stateNote})` : c.state],
    ['Status', c.response ? `${c.response.status} ${c.response.statusText}` : '—'],
    ['Subprotocol', c.protocol || '—'],
    ['Extensions', c.extensions || '—'],
    ['Context', c.target.type + (c.target.url ? ` (${c.target.url})` : '')],
    ['Created', time(c.createdTs)],
    ['Opened', time(c.openTs)],
    ['Closed', time(c.closeTs)],
  ];
  if (c.closeCode !== undefined) rows.push(['Close', `${c.closeCode}${c.closeReason ? ` “${c.closeReason}”` : ''}${c.wasClean === false ? ' (not clean)' : ''}`]);
  if (c.error) rows.push(['Error', c.error]);
  return (
    <div data-testid="handshake" data-conn-id={c.id} class="handshake">
      {c.openedBeforeCapture && (
        <div class="notice">
          {c.response
            ? 'This socket was opened before capture started: its earlier frames were not captured.'
            : 'This socket was opened before capture started, so its handshake was not seen.'}{' '}
          Use “Reload to capture from the start” to see all of it.
        </div>
      )}
      {c.handshakeOnly && (
        <div class="notice" data-testid="handshake-only">
          {c.handshakeOnly}
        </div>
      )}
      <table class="general">
        <tbody>
          {rows.map(([k, v]) => (
            <tr key={k}>
              <th>{k}</th>
              <td data-field={k.toLowerCase()}>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {c.initiator && (
        <section>
          <h3>Initiator ({c.initiator.type})</h3>
          {c.initiator.stack?.length ? (
            <ol class="stack">
              {c.initiator.stack.map((f, i) => (
                <li key={i}>
                  <span class="fn">{f.functionName || '(anonymous)'}</span>{' '}
                  <span class="muted">
                    {f.url}:{f.lineNumber + 1}:{f.columnNumber + 1}
                  </span>
                </li>
              ))}
            </ol>
          ) : (
            <div class="muted">{c.initiator.url ?? '—'}</div>
          )}
        </section>
      )}
      <Headers
        testid="request-headers"
        title="Request headers"
        headers={c.request?.headers ?? []}
        raw={c.request?.headersText}
        note={c.request?.reportedByBrowser ? '(as reported by the browser: the wire differs, e.g. Connection and Upgrade)' : undefined}
      />
      <Headers testid="response-headers" title="Response headers" headers={c.response?.headers ?? []} raw={c.response?.headersText} />
    </div>
  );
}
