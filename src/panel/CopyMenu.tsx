// The menu of a frame (right-click on a row or in the detail, or the detail's Copy button): replay it, copy it in a
// format, copy rows as JSON Lines, copy its connection's handshake as a command, save its payload, export the
// connection as code. Each action says what it did in the panel's notice.
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { SessionStore } from '../model/store';
import { OPCODE } from '../model/types';
import { hasCredentials } from '../model/export';
import { copyFrame, copyHandshake, copyRows, savePayload, visibleIds, type FrameFormat, type Outcome } from './copyActions';

export interface CopyMenuProps {
  store: SessionStore;
  frameId: number;
  /** Rows picked with ctrl/⌘- or shift-click. */
  selection: ReadonlySet<number>;
  x: number;
  y: number;
  onDone: (o: Outcome) => void;
  onReplay?: (id: number) => void;
  onExportCode?: (conn: number) => void;
}

const FORMATS: Array<[FrameFormat, string]> = [
  ['text', 'Copy as text'],
  ['json', 'Copy as JSON'],
  ['hex', 'Copy as hex'],
  ['base64', 'Copy as base64'],
];

export function CopyMenu({ store, frameId, selection, x, y, onDone, onReplay, onExportCode }: CopyMenuProps) {
  const el = useRef<HTMLDivElement>(null);
  // Kept inside the panel, which may be a short strip of DevTools: moved up or left as far as it needs.
  useLayoutEffect(() => {
    const m = el.current;
    if (!m) return;
    const r = m.getBoundingClientRect();
    if (r.bottom > innerHeight) m.style.top = `${Math.max(0, innerHeight - r.height)}px`;
    if (r.right > innerWidth) m.style.left = `${Math.max(0, innerWidth - r.width)}px`;
  }, [x, y]);
  const f = store.frameById(frameId);
  if (!f) return null;
  const conn = store.connections.get(f.conn);
  const payload = f.opcode !== OPCODE.error;
  const picked = selection.size > 1;
  const rows = picked ? selection.size : store.visibleCount;
  const credentials = !!conn && hasCredentials(conn.url, conn.request?.headers ?? []);
  const run = (action: () => Promise<Outcome> | Outcome) => void Promise.resolve(action()).then(onDone, (e) => onDone({ kind: 'error', text: String(e) }));
  return (
    <div ref={el} class="menu" role="menu" data-testid="menu-copy" style={{ left: `${x}px`, top: `${y}px`, position: 'fixed' }}>
      {onReplay && payload && (
        <button type="button" role="menuitem" data-testid="menu-replay" onClick={() => onReplay(f.id)}>
          Edit &amp; replay…
        </button>
      )}
      {payload &&
        FORMATS.map(([format, label]) => (
          <button key={format} type="button" role="menuitem" data-testid={`copy-${format}`} onClick={() => run(() => copyFrame(f, format))}>
            {label}
          </button>
        ))}
      <button
        type="button"
        role="menuitem"
        data-testid="copy-jsonl"
        disabled={rows === 0}
        onClick={() => run(() => copyRows(store, picked ? [...selection].sort((a, b) => a - b) : [...visibleIds(store)], picked ? 'selected rows' : 'rows shown'))}
      >
        {picked ? `Copy ${rows} selected rows` : `Copy the ${rows} rows shown`} (JSON Lines)
      </button>
      {conn && (
        <>
          <button type="button" role="menuitem" data-testid="copy-curl" onClick={() => run(() => copyHandshake(store, conn.id, 'curl', false))}>
            Copy handshake as curl
          </button>
          <button type="button" role="menuitem" data-testid="copy-websocat" onClick={() => run(() => copyHandshake(store, conn.id, 'websocat', false))}>
            Copy handshake as websocat
          </button>
          {credentials && (
            <>
              <button type="button" role="menuitem" data-testid="copy-curl-credentials" onClick={() => run(() => copyHandshake(store, conn.id, 'curl', true))}>
                Copy as curl, with credentials
              </button>
              <button type="button" role="menuitem" data-testid="copy-websocat-credentials" onClick={() => run(() => copyHandshake(store, conn.id, 'websocat', true))}>
                Copy as websocat, with credentials
              </button>
            </>
          )}
        </>
      )}
      {payload && (
        <button type="button" role="menuitem" data-testid="save-payload" onClick={() => run(() => savePayload(f))}>
          Save payload…
        </button>
      )}
      {conn && onExportCode && (
        <button type="button" role="menuitem" data-testid="export-code-open" onClick={() => onExportCode(conn.id)}>
          Export connection as code…
        </button>
      )}
    </div>
  );
}
