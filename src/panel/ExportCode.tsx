// Export a connection as code: a Node script that replays what the page sent (`ws`), or a Playwright test that mocks
// the server with what it answered (page.routeWebSocket). Saved through the download flow, like HAR.
import { useState } from 'preact/hooks';
import type { SessionStore } from '../model/store';
import type { Frame } from '../model/types';
import { hasCredentials, nodeReplayScript, playwrightMockTest, replayableHeaderNames } from '../model/export';
import { hostOf, savedFileName } from '../model/file-name';
import { saveBlob } from '../platform/download';
import type { Outcome } from './copyActions';

type Kind = 'node-ws' | 'playwright-mock';
type Timing = 'original' | 'scaled' | 'none';

export interface ExportCodeProps {
  store: SessionStore;
  conn: number;
  /** A label for the session the code came from (its name in the session bar). */
  sessionLabel: string;
  onDone: (o: Outcome) => void;
  onClose: () => void;
}

/** The frames of one connection: those the filter shows when a filter is on, else all of it the store holds. */
function* framesOf(store: SessionStore, conn: number, filtered: boolean): Generator<Frame> {
  const n = filtered ? store.visibleCount : store.frameCount;
  for (let i = 0; i < n; i++) {
    const row = filtered ? store.visibleAt(i)! : store.rowAt(i)!;
    if (row.conn === conn) yield filtered ? row : store.frameAt(i)!;
  }
}

export function ExportCode({ store, conn, sessionLabel, onDone, onClose }: ExportCodeProps) {
  const c = store.connections.get(conn);
  const [kind, setKind] = useState<Kind>('node-ws');
  const [timing, setTiming] = useState<Timing>('original');
  const [scale, setScale] = useState('1');
  const [match, setMatch] = useState('');
  const [keepCredentials, setKeepCredentials] = useState(false);
  const [keepHeaders, setKeepHeaders] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!c) return null;
  const filtered = !!store.filter;
  const credentials = hasCredentials(c.url, c.request?.headers ?? []);
  const save = () => {
    const source = { exportedAt: new Date(), sessionLabel };
    const frames = framesOf(store, conn, filtered);
    let text: string;
    try {
      if (kind === 'node-ws') {
        const k = Number(scale);
        if (timing === 'scaled' && !(k > 0)) throw new Error('the time scale must be a number above 0 (0.5: twice as fast)');
        text = nodeReplayScript(c, frames, { timing, scale: k, keepHeaders: keepHeaders ? replayableHeaderNames(c) : 'none', keepCredentials, source });
      } else {
        const paths = match.split(',').map((p) => p.trim()).filter(Boolean);
        text = playwrightMockTest(c, frames, { match: paths.length ? { paths } : 'exact', keepCredentials, source });
      }
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      return;
    }
    const name = savedFileName(hostOf(c.url), kind === 'node-ws' ? 'replay.mjs' : 'mock.spec.ts');
    saveBlob(new Blob([text], { type: 'text/javascript' }), name);
    onDone({ kind: 'info', text: `Saving ${name}.` });
    onClose();
  };
  return (
    <div class="dialog" role="dialog" aria-label="Export connection as code" data-testid="export-code" data-conn-id={conn}>
      <h3>Export connection #{conn} as code</h3>
      <p class="muted">
        {filtered ? 'The rows the filter shows' : 'Every stored frame'} of <span class="url">{c.url}</span>.
      </p>
      <label>
        Kind{' '}
        <select data-testid="export-code-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as Kind)}>
          <option value="node-ws">Replay script (Node, ws)</option>
          <option value="playwright-mock">Mock server for tests (Playwright)</option>
        </select>
      </label>
      {kind === 'node-ws' ? (
        <>
          <label>
            Timing{' '}
            <select data-testid="export-code-timing" value={timing} onChange={(e) => setTiming(e.currentTarget.value as Timing)}>
              <option value="original">As recorded</option>
              <option value="scaled">Scaled</option>
              <option value="none">No waits</option>
            </select>
          </label>
          {timing === 'scaled' && (
            <label>
              × <input data-testid="export-code-scale" size={4} value={scale} onInput={(e) => setScale(e.currentTarget.value)} title="0.5: twice as fast; 2: half as fast" />
            </label>
          )}
          <label>
            <input type="checkbox" data-testid="export-code-headers" checked={keepHeaders} onChange={(e) => setKeepHeaders(e.currentTarget.checked)} /> Send the
            recorded handshake headers
          </label>
        </>
      ) : (
        <label title="Which fields tell the page's messages apart; empty: the whole payload must be equal">
          Match by{' '}
          <input data-testid="export-code-match" placeholder="exact payload, or $.type, $.id" value={match} onInput={(e) => setMatch(e.currentTarget.value)} />
        </label>
      )}
      <label title={credentials ? 'Cookies, Authorization and token parameters are replaced by REDACTED unless kept' : 'The handshake carries no credentials'}>
        <input type="checkbox" data-testid="export-code-credentials" disabled={!credentials} checked={keepCredentials} onChange={(e) => setKeepCredentials(e.currentTarget.checked)} /> Keep
        credentials
      </label>
      {error && (
        <p class="proto-error" role="alert" data-testid="export-code-error">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="button" data-testid="export-code-save" onClick={save}>
          Save
        </button>
        <button type="button" data-testid="export-code-cancel" onClick={onClose}>
          Cancel
        </button>
      </div>
    </div>
  );
}
