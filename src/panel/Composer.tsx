// The composer: edit a payload and send it on the captured connection's live socket, inject it into the page as if
// received, or send it on a fresh connection to the same URL. Saved messages per server origin.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Connection } from '../model/types';
import { bytesToBase64, bytesToHex, formatBytes, parseBase64, parseHex, utf8ByteLength } from '../model/bytes';
import { saveBlob } from '../platform/download';
import { deleteSaved, loadSaved, originOf, saveMessage, type SavedMessage } from '../platform/saved';
import type { PanelHost } from './host';
import { connectionLabel } from './format';
import { offeredProtocols } from '../model/headers';

export interface ComposerSource {
  conn: number;
  /** The frame the payload came from, if any. */
  frame?: number;
  text?: string;
  bytes?: Uint8Array;
  /** Changes each time the composer is (re)opened from a frame, so the editor takes the new payload. */
  nonce: number;
}

/**
 * Past these, the editor holds the payload's first part and the rest is sent after it unchanged: a textarea of tens of
 * megabytes (or their hex) would freeze the panel.
 */
export const EDIT_CHARS = 1 << 20;
export const EDIT_BYTES = 256 << 10;

/** A large payload cut for editing: the part the editor holds, and what follows it unchanged. */
export function splitForEditing(source: Pick<ComposerSource, 'text' | 'bytes'>): { head: string | Uint8Array; rest: string | Uint8Array | null } {
  if (source.bytes) {
    const b = source.bytes;
    return b.length > EDIT_BYTES ? { head: b.subarray(0, EDIT_BYTES), rest: b.subarray(EDIT_BYTES) } : { head: b, rest: null };
  }
  const t = source.text ?? '';
  if (t.length <= EDIT_CHARS) return { head: t, rest: null };
  // Never between the two halves of a surrogate pair.
  const cut = t.charCodeAt(EDIT_CHARS - 1) >= 0xd800 && t.charCodeAt(EDIT_CHARS - 1) <= 0xdbff ? EDIT_CHARS - 1 : EDIT_CHARS;
  return { head: t.slice(0, cut), rest: t.slice(cut) };
}

function joined(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

type Status = { kind: 'ok' | 'error' | 'busy'; text: string; closed?: boolean; seq: number } | null;
let statusSeq = 0;

export interface ComposerProps {
  conn: Connection | undefined;
  source: ComposerSource;
  host: PanelHost;
  /** The connection belongs to an imported session: only a fresh connection from the inspected page is possible. */
  readOnly?: boolean;
}

export function Composer({ conn, source, host, readOnly = false }: ComposerProps) {
  // The composer is keyed by `source.nonce` (a new payload remounts it), so its state starts from the source.
  const [binary, setBinary] = useState(source.bytes !== undefined);
  const [format, setFormat] = useState<'hex' | 'base64'>('hex');
  const split = useMemo(() => splitForEditing(source), [source]);
  const rest = split.rest;
  const [value, setValue] = useState(() => (typeof split.head === 'string' ? split.head : bytesToHex(split.head)));
  const [status, setStatus] = useState<Status>(null);
  const [saved, setSaved] = useState<SavedMessage[]>([]);
  const [name, setName] = useState('');
  const origin = conn?.url ? originOf(conn.url) : '';

  useEffect(() => {
    if (origin) void loadSaved(origin).then(setSaved);
  }, [origin]);

  // What would be sent, or why it cannot be.
  const parsed = useMemo((): { text?: string; bytes?: Uint8Array; error?: string; json?: string } => {
    if (!binary) {
      if (rest !== null) return { text: value };
      const t = value.trimStart();
      if (t.startsWith('{') || t.startsWith('[')) {
        try {
          JSON.parse(value);
          return { text: value, json: 'valid' };
        } catch (e) {
          return { text: value, json: (e as Error).message };
        }
      }
      return { text: value };
    }
    const r = format === 'hex' ? parseHex(value) : parseBase64(value);
    return 'error' in r ? { error: r.error } : { bytes: r.bytes };
  }, [value, binary, format, rest]);
  const restBytes = useMemo(() => (rest === null ? 0 : typeof rest === 'string' ? utf8ByteLength(rest) : rest.length), [rest]);
  /** The whole payload to send: what the editor holds, then the rest unchanged. */
  const whole = (): { text?: string; bytes?: Uint8Array } =>
    parsed.bytes ? { bytes: rest instanceof Uint8Array ? joined(parsed.bytes, rest) : parsed.bytes } : { text: (parsed.text ?? '') + (typeof rest === 'string' ? rest : '') };

  const switchFormat = (next: 'hex' | 'base64') => {
    if (next === format) return;
    const r = format === 'hex' ? parseHex(value) : parseBase64(value);
    if (!('error' in r)) setValue(next === 'hex' ? bytesToHex(r.bytes) : bytesToBase64(r.bytes));
    setFormat(next);
  };

  const saveToFile = () => {
    const w = whole();
    const blob = w.bytes ? new Blob([w.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }) : new Blob([w.text ?? ''], { type: 'text/plain' });
    saveBlob(blob, `frameline-payload${source.frame !== undefined ? `-${source.frame}` : ''}.${w.bytes ? 'bin' : 'txt'}`);
  };

  const reformat = (pretty: boolean) => {
    try {
      setValue(JSON.stringify(JSON.parse(value), null, pretty ? 2 : undefined));
    } catch {
      /* the button is disabled when the JSON is invalid */
    }
  };

  const go = async (mode: 'send' | 'inject' | 'fresh') => {
    if (!conn) return;
    if (parsed.error) {
      setStatus({ kind: 'error', text: `${parsed.error} Nothing was sent.`, seq: ++statusSeq });
      return;
    }
    const seq = ++statusSeq;
    setStatus({ kind: 'busy', text: mode === 'fresh' ? 'Opening a fresh connection…' : 'Sending…', seq });
    const w = whole();
    const payload = w.bytes ? { b64: bytesToBase64(w.bytes) } : { text: w.text ?? '' };
    const protocols = offeredProtocols(conn.request?.headers);
    const r = await host.replay({ conn: conn.id, mode, ...payload, ...(readOnly ? { target: { url: conn.url, protocols } } : {}) });
    if (r.ok) {
      setStatus({
        kind: 'ok',
        text:
          mode === 'inject'
            ? 'Injected into the page as a received message.'
            : mode === 'fresh'
              ? 'Sent on a fresh connection (it appears as a new connection).'
              : `Sent on connection #${conn.id}.`,
        seq,
      });
    } else setStatus({ kind: 'error', text: r.error ?? 'Failed.', closed: r.closed, seq });
  };

  const closed = conn && (conn.state === 'closed' || conn.state === 'error');
  const busy = status?.kind === 'busy';

  return (
    <div class="composer" data-testid="composer" data-frame-id={source.frame}>
      <div class="meta">
        {conn ? (
          <span>
            Connection #{conn.id} · {connectionLabel(conn)} · <span class={`state-text state-${conn.state}`}>{conn.state}</span>
          </span>
        ) : (
          <span>The connection of this frame is gone.</span>
        )}
      </div>
      <div class="subtabs">
        <button type="button" aria-pressed={!binary} disabled={rest !== null} onClick={() => setBinary(false)}>
          Text
        </button>
        <button type="button" aria-pressed={binary} disabled={rest !== null} onClick={() => setBinary(true)}>
          Binary
        </button>
        {binary ? (
          <>
            <span class="sep" />
            <button type="button" aria-pressed={format === 'hex'} data-testid="replay-format-hex" onClick={() => switchFormat('hex')}>
              Hex
            </button>
            <button type="button" aria-pressed={format === 'base64'} data-testid="replay-format-base64" onClick={() => switchFormat('base64')}>
              Base64
            </button>
          </>
        ) : (
          <>
            <span class="sep" />
            <button type="button" disabled={parsed.json !== 'valid'} onClick={() => reformat(true)}>
              Pretty
            </button>
            <button type="button" disabled={parsed.json !== 'valid'} onClick={() => reformat(false)}>
              Compact
            </button>
          </>
        )}
      </div>
      {rest !== null && (
        <div class="notice" data-testid="composer-rest" data-rest-bytes={restBytes}>
          Too large to edit whole here: the editor holds the payload's first part ({typeof split.head === 'string' ? `${split.head.length.toLocaleString('en')} characters` : formatBytes(split.head.length)}
          as it came), and the remaining {formatBytes(restBytes)} are sent after it unchanged.{' '}
          <button type="button" class="link" data-testid="composer-save-file" disabled={!!parsed.error} onClick={saveToFile}>
            Save the whole payload to a file
          </button>
        </div>
      )}
      <textarea
        class="editor"
        data-testid="replay-editor"
        spellcheck={false}
        aria-label={binary ? `Payload (${format})` : 'Payload (text)'}
        value={value}
        onInput={(e) => setValue((e.currentTarget).value)}
      />
      <div class="validation" data-testid="replay-validation">
        {parsed.error ? (
          <span class="error">{parsed.error}</span>
        ) : binary ? (
          <span class="muted">{((parsed.bytes?.length ?? 0) + restBytes).toLocaleString('en')} bytes</span>
        ) : rest !== null ? (
          <span class="muted">JSON is not checked on a payload this large.</span>
        ) : parsed.json === 'valid' ? (
          <span class="ok">Valid JSON</span>
        ) : parsed.json ? (
          <span class="warn">Not valid JSON ({parsed.json}); it can still be sent as text.</span>
        ) : null}
      </div>
      <div class="actions">
        {readOnly && <div class="notice">This connection is from an imported file: you can send its payload on a fresh connection from the inspected page.</div>}
        <button type="button" class="primary" data-testid="replay-send" disabled={!conn || busy || readOnly} onClick={() => void go('send')}>
          Send on this connection
        </button>
        <button type="button" data-testid="replay-inject" disabled={!conn || busy || readOnly} title="Dispatch it to the page's socket as if the server had sent it" onClick={() => void go('inject')}>
          Inject as received ↓
        </button>
        <button
          type="button"
          data-testid="replay-fresh"
          class={closed || status?.closed || readOnly ? 'primary' : ''}
          disabled={!conn?.url || busy}
          title="Open a new socket to the same URL from the page (same origin, cookies, subprotocols) and send there"
          onClick={() => void go('fresh')}
        >
          Send on a fresh connection
        </button>
      </div>
      {status && (
        <div class={`replay-status ${status.kind}`} data-testid="replay-status" data-kind={status.kind} data-seq={status.seq} role="status">
          {status.text}
        </div>
      )}
      {origin && (
        <details class="saved" data-testid="saved-messages">
          <summary>Saved messages for {origin} ({saved.length})</summary>
          <div class="save-row">
            <input
              type="text"
              placeholder="Name"
              aria-label="Name to save under"
              data-testid="saved-name"
              value={name}
              onInput={(e) => setName((e.currentTarget).value)}
            />
            <button
              type="button"
              data-testid="saved-save"
              disabled={!name.trim() || !!parsed.error || rest !== null}
              title={rest !== null ? 'Too large to keep with saved messages: save it to a file instead' : undefined}
              onClick={() =>
                void saveMessage(origin, {
                  name: name.trim(),
                  ...(parsed.bytes ? { b64: bytesToBase64(parsed.bytes) } : { text: parsed.text ?? '' }),
                  savedAt: Date.now(),
                }).then(setSaved)
              }
            >
              Save
            </button>
          </div>
          <ul>
            {saved.map((m) => (
              <li key={m.name} data-testid="saved-item" data-name={m.name}>
                <button
                  type="button"
                  class="link"
                  title="Load into the editor"
                  onClick={() => {
                    setBinary(m.b64 !== undefined);
                    setFormat('base64');
                    setValue(m.b64 ?? m.text ?? '');
                    if (m.b64 === undefined) setFormat('hex');
                    setName(m.name);
                    setStatus(null);
                  }}
                >
                  {m.name}
                </button>
                <span class="muted">{m.b64 !== undefined ? 'binary' : 'text'}</span>
                <button type="button" class="link" data-testid="saved-delete" onClick={() => void deleteSaved(origin, m.name).then(setSaved)}>
                  delete
                </button>
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
