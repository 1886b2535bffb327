import type { Settings } from '../protocol';

export interface ToolbarProps {
  paused: boolean;
  onPause: () => void;
  onClear: () => void;
  filterText: string;
  onFilter: (s: string) => void;
  onReload: () => void;
  settings: Settings | null;
  onSettings: (patch: Partial<Settings>) => void;
  inDevTools: boolean;
  selectionSize: number;
  onReplaySelection: () => void;
  /** Frames shown by the current filter (0 when no filter is on). */
  filteredCount: number;
  onReplayFiltered: () => void;
}

export function Toolbar(p: ToolbarProps) {
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
      <button type="button" data-testid="clear" title="Clear all frames and connections" onClick={p.onClear}>
        Clear
      </button>
      <input
        type="search"
        class="filter"
        data-testid="filter-input"
        placeholder="Filter payloads"
        aria-label="Filter frames"
        value={p.filterText}
        onInput={(e) => p.onFilter((e.currentTarget as HTMLInputElement).value)}
      />
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
      {p.inDevTools && p.settings && (
        <label class="setting" title="Off: capture starts when this panel is first shown (no debugging bar for other DevTools work)">
          <input
            type="checkbox"
            data-testid="capture-on-open"
            checked={p.settings.captureStart === 'devtools-open'}
            onChange={(e) =>
              p.onSettings({
                captureStart: (e.currentTarget as HTMLInputElement).checked ? 'devtools-open' : 'panel-shown',
              })
            }
          />
          Capture on DevTools open
        </label>
      )}
    </div>
  );
}
