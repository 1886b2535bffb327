import { useState } from 'preact/hooks';
import type { SessionStore } from '../model/store';
import type { Connection, Header, Initiator, StackFrame } from '../model/types';
import { formatClock } from '../model/time';
import { DecoderSelect } from './DecoderSelect';
import { copyText } from '../platform/clipboard';

/** Headers as copied: the raw text when the browser gave it, else one `Name: value` line each. */
export function headersText(headers: readonly Header[], raw?: string): string {
  return raw ?? headers.map((h) => `${h.name}: ${h.value}`).join('\r\n');
}

function Headers({ title, headers, raw, note, testid }: { title: string; headers: Header[]; raw?: string; note?: string; testid: string }) {
  const [showRaw, setShowRaw] = useState(false);
  const [copiedNote, setCopiedNote] = useState<string | null>(null);
  const copy = () =>
    void copyText(headersText(headers, raw)).then(
      () => setCopiedNote('Copied.'),
      (e: unknown) => setCopiedNote(`Could not copy: ${String(e)}`),
    );
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
        {(raw || headers.length > 0) && (
          <button type="button" class="link" data-testid={`${testid}-copy`} title={raw ? 'Copy the raw headers' : 'Copy the headers, one per line'} onClick={copy}>
            copy
          </button>
        )}
        {copiedNote && (
          <span class="muted note" role="status">
            {' '}
            {copiedNote}
          </span>
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

/** A line or column for a person (1-based), or '?' for one that is not a number. */
const position = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? String(v + 1) : '?');
const text = (v: unknown, otherwise: string) => (typeof v === 'string' && v ? v : otherwise);

/**
 * The initiator's call frames as lines. Read as unknown: an imported or future shape (a string, CDP's {callFrames})
 * must show as little as it holds, never break the view.
 */
function stackLines(initiator: Initiator): Array<{ fn: string; at: string }> {
  const stack: unknown = initiator.stack;
  if (!Array.isArray(stack)) return [];
  return stack.map((raw: unknown) => {
    const f = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<Record<keyof StackFrame, unknown>>;
    return { fn: text(f.functionName, '(anonymous)'), at: `${text(f.url, '')}:${position(f.lineNumber)}:${position(f.columnNumber)}` };
  });
}

export function Handshake({ store, conn: c, onExportCode }: { store: SessionStore; conn: Connection; onExportCode?: (conn: number) => void }) {
  const time = (ts?: number) => {
    const ms = ts === undefined || store.anchor === undefined ? NaN : store.wallMs(ts);
    return Number.isNaN(new Date(ms).getTime()) ? '—' : formatClock(ms);
  };
  const stack = c.initiator ? stackLines(c.initiator) : [];
  const rows: Array<[string, string]> = [
    ['URL', c.url || (c.urlCandidates ? `one of: ${c.urlCandidates.join(', ')}` : 'unknown')],
    ['State', c.stateNote ? `${c.state} (${c.stateNote})` : c.state],
    ['Status', c.response ? `${c.response.status} ${c.response.statusText}` : '—'],
    ['Subprotocol', c.protocol || '—'],
    ['Extensions', c.extensions || '—'],
    ['Context', text(c.target?.type, '—') + (c.target?.url ? ` (${c.target.url})` : '')],
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
      <div class="meta">
        <DecoderSelect store={store} conn={c.id} />
        {onExportCode && (
          <button type="button" data-testid="export-code-open" title="A Node replay script or a Playwright mock server of this connection" onClick={() => onExportCode(c.id)}>
            Export as code…
          </button>
        )}
      </div>
      {c.initiator && (
        <section>
          <h3>Initiator ({text(c.initiator.type, 'unknown')})</h3>
          {stack.length ? (
            <ol class="stack">
              {stack.map((f, i) => (
                <li key={i}>
                  <span class="fn">{f.fn}</span> <span class="muted">{f.at}</span>
                </li>
              ))}
            </ol>
          ) : (
            <div class="muted">{text(c.initiator.url, '—')}</div>
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
