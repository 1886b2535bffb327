// Manual intercept's bar (shown while the toolbar's Intercept switch is on): which frames are held, for how long at
// most, and the queue of frames held in the page now. The selected frame can be edited, then forwarded, or dropped;
// "Forward all" lets everything go as it was. Payloads are the page's and render as text only.
import { useEffect, useRef, useState } from 'preact/hooks';
import { networkFrameOf } from '../model/intercept/held-frame';
import type { SessionStore } from '../model/store';
import { base64ByteLength, base64ToBytes, bytesToBase64, bytesToHex, formatBytes, parseHex, utf8ByteLength } from '../model/bytes';
import type { HeldFrame, WirePayload } from '../model/intercept/types';
import type { ManualIntercept } from './useManualIntercept';

/** Larger payloads are forwarded or dropped as they are: a textarea of many megabytes would stall the panel. */
const MAX_EDIT_CHARS = 1 << 20;
const PREVIEW_CHARS = 160;

/** The payload as the editor shows it: text as is, binary as hex. */
function editable(p: WirePayload): { text: string; binary: boolean } {
  return 'text' in p ? { text: p.text, binary: false } : { text: bytesToHex(base64ToBytes(p.b64)), binary: true };
}

function preview(p: WirePayload | null): string {
  if (!p) return '';
  const s = 'text' in p ? p.text : bytesToHex(base64ToBytes(p.b64.slice(0, 4 * Math.ceil(PREVIEW_CHARS / 9))));
  return s.length > PREVIEW_CHARS ? `${s.slice(0, PREVIEW_CHARS)}…` : s;
}

const seconds = (ms: number) => `${Math.max(0, Math.round(ms / 1000))} s`;

export function InterceptQueue({ mi, store }: { mi: ManualIntercept; store: SessionStore }) {
  const list = mi.held.held;
  // A held received frame is one the network carried: its row in the timeline, once found (kept per held key).
  const frameIds = useRef(new Map<string, number>());
  const frameIdOf = (h: HeldFrame) => {
    let id = frameIds.current.get(h.key);
    if (id === undefined) {
      id = networkFrameOf(store, h);
      if (id !== undefined) frameIds.current.set(h.key, id);
    }
    return id;
  };
  const [picked, setPicked] = useState<string | null>(null);
  const current = list.find((h) => h.key === picked) ?? list[0] ?? null;
  // The countdowns follow the clock while anything is held.
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!list.length) return;
    const t = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [list.length > 0]);
  const now = Date.now();

  return (
    <div class="intercept-bar" data-testid="intercept-bar" data-held={list.length}>
      <div class="intercept-head">
        <strong>Intercept</strong>
        <label>
          hold frames matching{' '}
          <input
            type="text"
            data-testid="intercept-query"
            spellcheck={false}
            placeholder='every frame   or   dir:sent   $.type == "order"'
            value={mi.query}
            onInput={(e) => mi.setQuery(e.currentTarget.value)}
          />
        </label>
        <label title="A held frame goes on unchanged after this long (with a notice in its detail)">
          for at most{' '}
          <input type="text" inputMode="numeric" size={4} data-testid="intercept-timeout" value={mi.holdSeconds} onInput={(e) => mi.setHoldSeconds(e.currentTarget.value)} /> s
        </label>
        <span data-testid="intercept-count" data-count={list.length}>
          {list.length} held
        </span>
        {mi.held.overflow > 0 && (
          <span class="warn" data-testid="intercept-overflow" title="The page holds at most 1000 frames: later matches went on unchanged">
            {mi.held.overflow} let through (queue full)
          </span>
        )}
        <button type="button" data-testid="intercept-forward-all" disabled={!list.length} onClick={mi.releaseAll}>
          Forward all
        </button>
      </div>
      {mi.error && (
        <div class="intercept-error" role="alert" data-testid="intercept-error">
          {mi.error} — nothing is held until it is fixed.
        </div>
      )}
      {list.length > 0 && (
        <div class="intercept-body">
          <ul class="intercept-queue" data-testid="intercept-queue" role="listbox" aria-label="Held frames">
            {list.map((h) => (
              <li
                key={h.key}
                role="option"
                data-testid="intercept-item"
                data-key={h.key}
                data-frame-id={frameIdOf(h)}
                data-dir={h.dir}
                data-url={h.url}
                aria-selected={h === current}
                class={h === current ? 'selected' : ''}
                onClick={() => setPicked(h.key)}
              >
                <span class={`dir dir-${h.dir}`}>{h.dir === 'sent' ? '↑' : '↓'}</span>
                <span class="intercept-url" title={h.url}>
                  {h.url.replace(/^wss?:\/\/[^/]+/, '') || h.url}
                </span>
                <span class="intercept-preview">{preview(h.original)}</span>
                <span class="muted" title="Goes on unchanged then">
                  {seconds(h.due - now)} left
                </span>
              </li>
            ))}
          </ul>
          {current && <HeldEditor key={current.key} h={current} mi={mi} />}
        </div>
      )}
    </div>
  );
}

function HeldEditor({ h, mi }: { h: HeldFrame; mi: ManualIntercept }) {
  const start = h.original ? editable(h.original) : null;
  const tooBig = !start || start.text.length > MAX_EDIT_CHARS;
  const [text, setText] = useState(start && !tooBig ? start.text : '');
  const [error, setError] = useState<string | null>(null);
  const forward = () => {
    if (tooBig || !start || text === start.text) return mi.release(h.key, { forward: true });
    if (!start.binary) return mi.release(h.key, { forward: true, payload: { text } });
    const parsed = parseHex(text);
    if ('error' in parsed) return setError(parsed.error);
    mi.release(h.key, { forward: true, payload: { b64: bytesToBase64(parsed.bytes) } });
  };
  return (
    <div class="intercept-edit" data-testid="intercept-detail" data-key={h.key}>
      <div class="muted">
        {h.dir === 'sent' ? 'Sent by the page, not yet on the network' : 'Received, not yet seen by the page'} · {h.url}
        {start?.binary ? ' · binary, edited as hex' : ''}
      </div>
      {tooBig ? (
        <div class="notice" data-testid="intercept-too-big">
          {h.original
            ? `This frame (${formatBytes('text' in h.original ? utf8ByteLength(h.original.text) : base64ByteLength(h.original.b64))}) is too large to edit here: forward it as it is or drop it.`
            : 'Its payload has not reached the panel yet: forward it as it is or drop it.'}
        </div>
      ) : (
        <textarea
          data-testid="intercept-edit"
          spellcheck={false}
          value={text}
          onInput={(e) => {
            setText(e.currentTarget.value);
            setError(null);
          }}
        />
      )}
      {error && (
        <div class="intercept-error" role="alert">
          {error}
        </div>
      )}
      <div class="intercept-actions">
        <button type="button" data-testid="intercept-forward" onClick={forward} title="Let it go on: edited if you changed it">
          {start && !tooBig && text !== start.text ? 'Forward edited' : 'Forward'}
        </button>
        <button type="button" data-testid="intercept-drop" onClick={() => mi.release(h.key, { forward: false })} title="It never reaches the other side">
          Drop
        </button>
      </div>
    </div>
  );
}
