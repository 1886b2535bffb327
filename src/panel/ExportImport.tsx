// HAR export (with scope and sanitize options) and import (file picker and drag-and-drop) controls.
import { useState } from 'preact/hooks';
import { regexHazard } from '../model/query/regex-safety';

export type ExportScope = 'all' | 'connection' | 'filtered';

export interface ExportOptions {
  scope: ExportScope;
  sanitize: boolean;
  stripHeaders: string;
  redact: string;
}

export const DEFAULT_EXPORT: ExportOptions = { scope: 'all', sanitize: true, stripHeaders: '', redact: '' };

/** Why the redaction input cannot be used: not a regex (`invalid`), or one the regex check refuses (`unsafe`). */
export interface RedactError {
  error: string;
  kind: 'invalid' | 'unsafe';
}

/**
 * A regex typed as `/…/flags` or plain text (matched literally). A regex goes through the same shape check as a
 * filter's (regex-safety.ts): export runs it over every payload, on the panel's thread.
 */
export function parseRedact(input: string): RegExp | null | RedactError {
  const t = input.trim();
  if (!t) return null;
  const m = /^\/(.+)\/([a-z]*)$/.exec(t);
  const flags = m ? (m[2].includes('g') ? m[2] : m[2] + 'g') : 'g';
  const source = m ? m[1] : t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let re: RegExp;
  try {
    re = new RegExp(source, flags);
  } catch (e) {
    return { error: (e as Error).message, kind: 'invalid' };
  }
  const hazard = regexHazard(source, flags);
  return hazard ? { error: hazard.message, kind: 'unsafe' } : re;
}

export interface ExportImportProps {
  options: ExportOptions;
  onOptions: (o: ExportOptions) => void;
  canConnection: boolean;
  canFiltered: boolean;
  busy: boolean;
  onExport: () => void;
  onImport: (file: File) => void;
}

export function ExportImport(p: ExportImportProps) {
  const [open, setOpen] = useState(false);
  const redact = parseRedact(p.options.redact);
  const set = (patch: Partial<ExportOptions>) => p.onOptions({ ...p.options, ...patch });
  return (
    <span class="export-import">
      <button type="button" data-testid="export-har" disabled={p.busy} title="Save the session as a HAR file" onClick={p.onExport}>
        {p.busy ? 'Exporting…' : 'Export HAR'}
      </button>
      <button type="button" data-testid="export-options" aria-expanded={open} title="Export options" onClick={() => setOpen(!open)}>
        ▾
      </button>
      <label class="button" title="Open a HAR file (or drop one on the panel)">
        Import HAR
        <input
          type="file"
          accept=".har,.json,application/json"
          data-testid="import-har"
          hidden
          onChange={(e) => {
            const input = e.currentTarget;
            const f = input.files?.[0];
            if (f) p.onImport(f);
            input.value = '';
          }}
        />
      </label>
      {open && (
        <div class="popover" data-testid="export-popover">
          <fieldset>
            <legend>Export</legend>
            <label>
              <input type="radio" name="scope" checked={p.options.scope === 'all'} onChange={() => set({ scope: 'all' })} /> The whole session
            </label>
            <label class={p.canConnection ? '' : 'muted'}>
              <input type="radio" name="scope" disabled={!p.canConnection} checked={p.options.scope === 'connection'} onChange={() => set({ scope: 'connection' })} />{' '}
              The selected connection
            </label>
            <label class={p.canFiltered ? '' : 'muted'}>
              <input type="radio" name="scope" data-testid="export-scope-filtered" disabled={!p.canFiltered} checked={p.options.scope === 'filtered'} onChange={() => set({ scope: 'filtered' })} />{' '}
              Only frames matching the filter
            </label>
          </fieldset>
          <label>
            <input type="checkbox" data-testid="export-sanitize" checked={p.options.sanitize} onChange={(e) => set({ sanitize: (e.currentTarget).checked })} />
            Sanitize: strip Cookie, Set-Cookie and Authorization headers
          </label>
          <label>
            Also strip headers
            <input type="text" placeholder="X-Api-Key, X-Session" value={p.options.stripHeaders} onInput={(e) => set({ stripHeaders: (e.currentTarget).value })} />
          </label>
          <label>
            Redact in payloads
            <input type="text" data-testid="export-redact" placeholder={'/"password":"[^"]*"/'} value={p.options.redact} onInput={(e) => set({ redact: (e.currentTarget).value })} />
          </label>
          {redact && 'error' in redact && (
            <div class="error" data-testid="export-redact-error">
              {redact.kind === 'invalid' ? 'Invalid regex: ' : 'Not used: '}
              {redact.error}
            </div>
          )}
        </div>
      )}
    </span>
  );
}
