import { FIREFOX_BUILD } from '../platform/build';
import { useEffect, useState } from 'preact/hooks';
import type { Settings } from '../protocol';
import type { QueryError } from '../model/query';
import { loadQueryHistory, rememberQuery } from '../platform/settings';
import { userTyping } from './schedule';

export interface ToolbarProps {
  paused: boolean;
  onPause: () => void;
  onClear: () => void;
  filterText: string;
  onFilter: (s: string) => void;
  filterError: QueryError | null;
  /** The query's regular expressions are being tried on stored texts before it applies. */
  filterChecking?: boolean;
  onReload: () => void;
  settings: Settings | null;
  onSettings: (patch: Partial<Settings>) => void;
  inDevTools: boolean;
  selectionSize: number;
  onReplaySelection: () => void;
  /** Frames shown by the current filter (0 when no filter is on). */
  filteredCount: number;
  onReplayFiltered: () => void;
  /** Manual intercept is on (frames that match are held for review). */
  intercepting?: boolean;
  onIntercept?: () => void;
}

export function Toolbar(p: ToolbarProps) {
  const [history, setHistory] = useState<string[]>([]);
  useEffect(() => {
    void loadQueryHistory().then(setHistory);
  }, []);
  return (
    <div class="toolbar" role="toolbar">
      <button
        type="button"
        data-testid="pause"
        aria-pressed={p.paused}
        class={p.paused ? 'active' : ''}
        title={p.paused ? 'Resume capture' : 'Pause capture (frames are counted, not stored)'}
        onClick={p.onPause}
      >
        {p.paused ? 'Resume' : 'Pause'}
      </button>
 {p.onIntercept && (
        <button
          type="button"
          data-testid="intercept-toggle"
          aria-pressed={!!p.intercepting}
          class={p.intercepting ? 'active intercept-on' : ''}
          title={p.intercepting ? 'Stop intercepting: every held frame goes on as it was' : 'Intercept: hold matching frames in the page to edit, forward or drop them'}
          onClick={p.onIntercept}
        >
          Intercept
        </button>
      )}
      <button type="button" data-testid="clear" title="Clear all frames, and the connections that are closed (open ones stay, with their handshake)" onClick={p.onClear}>
        Clear
      </button>
      <span class="filter-box">
        <input
          type="search"
          class={'filter' + (p.filterError ? ' invalid' : '')}
          data-testid="filter-input"
          placeholder='Filter: text  /regex/  dir:sent  conn:3  op:binary  size>1k  time:5s..10s  $.type == "trade"  -term  OR'
          aria-label="Filter frames"
          aria-invalid={!!p.filterError}
          list="query-history"
          spellcheck={false}
          value={p.filterText}
          onInput={(e) => {
            userTyping();
            p.onFilter((e.currentTarget).value);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !p.filterError && p.filterText.trim()) void rememberQuery(p.filterText.trim()).then(setHistory);
          }}
          onBlur={() => {
            if (!p.filterError && p.filterText.trim()) void rememberQuery(p.filterText.trim()).then(setHistory);
          }}
        />
        <datalist id="query-history">
          {history.map((q) => (
            <option key={q} value={q} />
          ))}
        </datalist>
        {p.filterChecking && !p.filterError && (
          <span class="filter-note" role="status" data-testid="filter-checking">
            trying the regex on stored payloads…
          </span>
        )}
        {p.filterError && (
          <span class="filter-error" role="alert" data-testid="filter-error" data-position={p.filterError.position}>
            {p.filterError.message} (at {p.filterError.position + 1}) — the last valid filter stays applied
          </span>
        )}
      </span>
      {p.selectionSize > 1 && (
        <button type="button" data-testid="replay-selection" title="Replay the selected frames in order" onClick={p.onReplaySelection}>
          Replay {p.selectionSize} selected…
        </button>
      )}
      {p.selectionSize <= 1 && p.filteredCount > 1 && (
        <button type="button" data-testid="replay-filtered" title="Replay the frames the filter shows, in order" onClick={p.onReplayFiltered}>
          Replay {Math.min(p.filteredCount, 10_000)} filtered…
        </button>
      )}
      <span class="spacer" />
      <button
        type="button"
        data-testid="reload-capture"
        title="Reload the inspected page so its sockets are captured from the handshake"
        onClick={p.onReload}
      >
        Reload to capture from the start
      </button>
      {/* Firefox: the panel itself hosts capture, so capture starts with the panel (see README). */}
      {p.inDevTools && p.settings && !FIREFOX_BUILD && (
        <label class="setting" title="Off: capture starts when this panel is first shown (no debugging bar for other DevTools work)">
          <input
            type="checkbox"
            data-testid="capture-on-open"
            checked={p.settings.captureStart === 'devtools-open'}
            onChange={(e) =>
              p.onSettings({
                captureStart: (e.currentTarget).checked ? 'devtools-open' : 'panel-shown',
              })
            }
          />
          Capture on DevTools open
        </label>
      )}
      {p.settings && (
        <label class="setting" title="On: frames of successive page loads stay, each load marked on the timeline. Off: a navigation clears them.">
          <input
            type="checkbox"
            data-testid="preserve-log"
            checked={p.settings.preserveAcrossNavigation}
            onChange={(e) => p.onSettings({ preserveAcrossNavigation: (e.currentTarget).checked })}
          />
          Preserve across navigation
        </label>
      )}
      {p.settings && (
        <label class="setting" title="Memory the panel may use for frames, imported sessions included; past it the live capture's oldest frames are dropped, and counted in the status bar">
          Budget
          <input
            type="number"
            class="budget"
            min="16"
            step="50"
            data-testid="memory-budget"
            value={p.settings.memoryBudgetMB}
            onChange={(e) => {
              const mb = Math.round(Number((e.currentTarget).value));
              if (Number.isFinite(mb) && mb >= 16) p.onSettings({ memoryBudgetMB: mb });
            }}
          />
          MB
        </label>
      )}
    </div>
  );
}
