// HAR in and out of the panel: import (file picker or drop) opens a file as a read-only session; export saves the
// shown session (whole, the picked connection, or the frames the filter shows) through the browser's download flow.
import { useCallback, useState } from 'preact/hooks';
import { SessionStore } from '../model/store';
import { HarError, harChunks, harFileName, parseHar } from '../model/har';
import { formatBytes } from '../model/bytes';
import { blobFromChunks, saveBlob } from '../platform/download';
import { checkRegexes, samplesFor } from './regexCheck';
import { DEFAULT_EXPORT, parseRedact, type ExportOptions } from './ExportImport';
import type { Admission } from './useSessions';
import { extensionVersion } from '../platform/browser';

/** Larger HAR files are refused with a message (a browser cannot hold such a file as one string). */
export const MAX_IMPORT_BYTES = 400 * 1024 * 1024;

/** A message above the panel: what an import or export did, or why it did nothing. */
export interface Notice {
  kind: 'error' | 'info';
  text: string;
}

export interface HarIOOptions {
  /** The session shown: what export saves. */
  store: SessionStore;
  /** The connection picked in the list (export's "selected connection" scope). */
  connFilter: number | null;
  notify: (n: Notice) => void;
  /** Open an imported file's store as a read-only session, unless it does not fit the memory budget. */
  open: (name: string, store: SessionStore) => Admission;
}

export interface HarIOState {
  exportOptions: ExportOptions;
  setExportOptions: (o: ExportOptions) => void;
  exporting: boolean;
  importFile: (file: File) => Promise<void>;
  exportHar: () => Promise<void>;
}

export function useHarIO({ store, connFilter, notify, open }: HarIOOptions): HarIOState {
  const [exportOptions, setExportOptions] = useState<ExportOptions>(DEFAULT_EXPORT);
  const [exporting, setExporting] = useState(false);

  const importFile = useCallback(
    async (file: File) => {
      if (file.size > MAX_IMPORT_BYTES) {
        notify({ kind: 'error', text: `${file.name} is ${formatBytes(file.size)}: Frameline opens HAR files up to ${formatBytes(MAX_IMPORT_BYTES)}. Nothing was imported.` });
        return;
      }
      try {
        const imp = parseHar(await file.text());
        // No budget while it is built, so it is measured whole and never silently cut; the sessions decide if it fits.
        const s = new SessionStore();
        s.setBudget(Infinity);
        s.apply(imp.records);
        const opened = open(file.name, s);
        if (!opened.ok) {
          s.clear();
          notify({ kind: 'error', text: `${file.name}: ${opened.why} Nothing was imported.` });
          return;
        }
        const skipped = imp.skipped ? `; ${imp.skipped} entries that are not WebSockets skipped` : '';
        const memory = `It holds ${formatBytes(s.usedBytes)} of the memory budget.`;
        notify({ kind: 'info', text: `Opened ${file.name} (read-only): ${imp.connections} connections, ${imp.frames} frames${skipped}. ${memory} ${imp.warnings.join(' ')}`.trim() });
      } catch (e) {
        const why = e instanceof HarError ? e.message : `Could not read the file: ${(e as Error).message}`;
        notify({ kind: 'error', text: `${file.name}: ${why} Nothing was imported.` });
      }
    },
    [open, notify],
  );

  const exportHar = useCallback(async () => {
    const redact = parseRedact(exportOptions.redact);
    if (redact && 'error' in redact) {
      const why = redact.kind === 'invalid' ? `is invalid (${redact.error}).` : `is refused. ${redact.error}`;
      notify({ kind: 'error', text: `Export (Redact in payloads): the redaction regex ${why} Nothing was exported.` });
      return;
    }
    setExporting(true);
    try {
      // Redaction runs the regex over every payload: tried first on stored texts, like a filter's (regexCheck.ts).
      if (redact) {
        const rx = [{ source: redact.source, flags: redact.flags, pos: 0 }];
        const samples = samplesFor(store, rx);
        const slow = samples.length ? await checkRegexes(rx, samples).result : null;
        if (slow) {
          notify({ kind: 'error', text: `Export (Redact in payloads): the redaction regex is too slow. ${slow.message} Nothing was exported.` });
          return;
        }
      }
      const scope = exportOptions.scope;
      const chunks = harChunks(store, {
        connections: scope === 'connection' && connFilter !== null ? new Set([connFilter]) : null,
        frameFilter: scope === 'filtered' && store.filter ? (f) => store.filter!(f, store.connections.get(f.conn)) : null,
        sanitize: exportOptions.sanitize,
        stripHeaders: exportOptions.stripHeaders.split(',').map((h) => h.trim()).filter(Boolean),
        redact,
        creator: { name: 'Frameline', version: extensionVersion() },
      });
      const firstUrl = store.connectionOrder.map((id) => store.connections.get(id)!.url).find(Boolean) ?? '';
      let host = '';
      try {
        host = firstUrl ? new URL(firstUrl).host : '';
      } catch {
        /* keep '' */
      }
      const blob = await blobFromChunks(chunks, 'application/json');
      const name = harFileName(host);
      saveBlob(blob, name);
      notify({ kind: 'info', text: `Saved ${name} (${formatBytes(blob.size)}).` });
    } catch (e) {
      notify({ kind: 'error', text: `Export failed: ${(e as Error).message}` });
    } finally {
      setExporting(false);
    }
  }, [store, exportOptions, connFilter, notify]);

  return { exportOptions, setExportOptions, exporting, importFile, exportHar };
}
