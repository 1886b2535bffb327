// The bar above the timeline: HAR export and import, the session shown (live or an imported file), and for an
// imported one its read-only badge and a button that closes it.
import { ExportImport } from './ExportImport';
import type { HarIOState } from './useHarIO';
import { LIVE_SESSION, type SessionsState } from './useSessions';

export interface SessionBarProps {
  sessions: SessionsState;
  /** Show another session. */
  onShow: (id: number) => void;
  /** Close an imported session (its memory goes back to the live capture). */
  onClose: (id: number) => void;
  har: HarIOState;
  /** A connection is picked (export can save it alone). */
  canConnection: boolean;
  /** A filter is on (export can save what it shows). */
  canFiltered: boolean;
}

export function SessionBar({ sessions, onShow, onClose, har, canConnection, canFiltered }: SessionBarProps) {
  const { imported, current } = sessions;
  return (
    <div class="sessionbar">
      <ExportImport
        options={har.exportOptions}
        onOptions={har.setExportOptions}
        canConnection={canConnection}
        canFiltered={canFiltered}
        busy={har.exporting}
        onExport={() => void har.exportHar()}
        onImport={(f) => void har.importFile(f)}
      />
      {imported.length > 0 && (
        <label>
          Session{' '}
          <select data-testid="session-select" value={current.id} onChange={(e) => onShow(Number(e.currentTarget.value))}>
            <option value={LIVE_SESSION}>Live capture</option>
            {imported.map((v) => (
              <option key={v.id} value={v.id}>
                {v.name} (imported, read-only)
              </option>
            ))}
          </select>
        </label>
      )}
      {current.readOnly && (
        <span class="badge badge-warn" data-testid="read-only">
          read-only: {current.name}
        </span>
      )}
      {current.readOnly && (
        <button type="button" data-testid="session-close" title="Close this imported session, free its memory and go back to the live capture" onClick={() => onClose(current.id)}>
          Close
        </button>
      )}
    </div>
  );
}
