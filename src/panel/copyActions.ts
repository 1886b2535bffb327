// What the copy menu and Ctrl/⌘+C put on the clipboard or save: a frame's payload in a format, rows as JSON Lines, a
// handshake as a command. Each returns what to tell the user.
import type { SessionStore } from '../model/store';
import type { Frame } from '../model/types';
import { formatBytes } from '../model/bytes';
import { hostOf, savedFileName } from '../model/file-name';
import {
  COPY_LIMIT_BYTES,
  curlCommand,
  estimateJsonl,
  frameAsBase64,
  frameAsHex,
  frameAsPrettyJson,
  frameAsText,
  jsonlChunks,
  websocatCommand,
} from '../model/export';
import { copyText } from '../platform/clipboard';
import { blobFromChunks, saveBlob } from '../platform/download';

export type FrameFormat = 'text' | 'json' | 'hex' | 'base64';

export interface Outcome {
  kind: 'info' | 'error';
  text: string;
}

const fail = (text: string): Outcome => ({ kind: 'error', text });

async function put(text: string, what: string): Promise<Outcome> {
  try {
    await copyText(text);
    return { kind: 'info', text: `Copied ${what}.` };
  } catch (e) {
    return fail(`Could not copy ${what}: ${String(e)}`);
  }
}

export async function copyFrame(f: Frame, format: FrameFormat): Promise<Outcome> {
  const size = formatBytes(f.size);
  switch (format) {
    case 'text':
      return put(frameAsText(f), `the payload as text (${size})`);
    case 'json': {
      const r = frameAsPrettyJson(f);
      return r.ok ? put(r.text, 'the payload as JSON') : fail(`Not copied: the payload is not JSON (${r.error}).`);
    }
    case 'hex':
      return put(frameAsHex(f), `the payload as hex (${size})`);
    case 'base64':
      return put(frameAsBase64(f), `the payload as base64 (${size})`);
  }
}

/** Frames by id, oldest first, skipping those the store no longer holds. */
function* framesOf(store: SessionStore, ids: Iterable<number>): Generator<Frame> {
  for (const id of ids) {
    const f = store.frameById(id);
    if (f) yield f;
  }
}

/** The ids of the rows the filter shows, in their order. */
export function* visibleIds(store: SessionStore): Generator<number> {
  for (let i = 0; i < store.visibleCount; i++) yield store.visibleIdAt(i);
}

/** Rows as JSON Lines: copied up to COPY_LIMIT_BYTES; past it saved as a file (the clipboard is no place for more). */
export async function copyRows(store: SessionStore, ids: readonly number[], what: string): Promise<Outcome> {
  const opts = { anchor: store.anchor, connUrl: (c: number) => store.connections.get(c)?.url };
  const est = estimateJsonl(framesOf(store, ids), opts);
  if (est.count === 0) return fail('Nothing to copy: those rows are no longer stored.');
  const label = `${est.count} ${what} as JSON Lines (${formatBytes(est.bytes)})`;
  if (est.bytes > COPY_LIMIT_BYTES) {
    const blob = await blobFromChunks(jsonlChunks(framesOf(store, ids), opts), 'application/x-ndjson');
    saveBlob(blob, savedFileName(hostOf(store.connections.get(store.frameById(ids[0])?.conn ?? -1)?.url), 'jsonl'));
    return { kind: 'info', text: `${label}: too large for the clipboard, saved as a file instead.` };
  }
  return put([...jsonlChunks(framesOf(store, ids), opts)].join(''), label);
}

export function copyHandshake(store: SessionStore, conn: number, as: 'curl' | 'websocat', keepCredentials: boolean): Promise<Outcome> {
  const c = store.connections.get(conn);
  if (!c) return Promise.resolve(fail('That connection is no longer stored.'));
  const cmd = as === 'curl' ? curlCommand(c, { keepCredentials }) : websocatCommand(c, { keepCredentials });
  return put(cmd, `the handshake as a ${as} command${keepCredentials ? ' (with credentials)' : ''}`);
}

/** A frame's payload through the download flow: bytes as they were, text as UTF-8. */
export function savePayload(f: Frame): Outcome {
  const blob = f.bytes ? new Blob([f.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }) : new Blob([f.text ?? ''], { type: 'text/plain' });
  saveBlob(blob, `frameline-frame-${f.id}.${f.bytes ? 'bin' : 'txt'}`);
  return { kind: 'info', text: `Saving frame #${f.id} (${formatBytes(f.size)}).` };
}
