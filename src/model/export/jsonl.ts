// Frames as JSON Lines, one object a line: {"time","dir","conn","url","opcode","data"} (+ "encoding":"base64" for
// binary data, "mark" for frames Frameline replayed or injected). Streamed in chunks, with a cheap size estimate
// the panel shows before copying. Pure.
import type { Frame } from '../types';
import { bytesToBase64, utf8ByteLength } from '../bytes';
import { opcodeName } from '../preview';
import { toWallMs } from '../time';

/** Past this size a copy to the clipboard is unwieldy: the panel offers to save a file instead. */
export const COPY_LIMIT_BYTES = 4 * 1024 * 1024;

export interface JsonlOptions {
  /** The session's anchor (wall seconds minus monotonic); undefined writes `"time":null`. */
  anchor: number | undefined;
  /** The URL of a connection, by id ('' when unknown). */
  connUrl: (connId: number) => string | undefined;
  /** Roughly how many characters each chunk holds. */
  chunkChars?: number;
}

const ISO_LENGTH = '"2026-01-01T00:00:00.000Z"'.length;

/** A URL lookup that quotes each connection's URL once, not once per frame. */
function quotedUrls(connUrl: (connId: number) => string | undefined): (connId: number) => string {
  const cache = new Map<number, string>();
  return (id) => {
    let q = cache.get(id);
    if (q === undefined) {
      q = JSON.stringify(connUrl(id) ?? '');
      cache.set(id, q);
    }
    return q;
  };
}

function timeJson(ts: number, anchor: number | undefined): string {
  if (anchor === undefined) return 'null';
  const ms = toWallMs(ts, anchor);
  // Dates past ±8.64e15 ms have no ISO form.
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? `"${new Date(ms).toISOString()}"` : 'null';
}

function line(f: Frame, anchor: number | undefined, url: (id: number) => string): string {
  const data = f.bytes ? `${JSON.stringify(bytesToBase64(f.bytes))},"encoding":"base64"` : JSON.stringify(f.text ?? '');
  const mark = f.mark ? `,"mark":"${f.mark}"` : '';
  return `{"time":${timeJson(f.ts, anchor)},"dir":"${f.dir}","conn":${f.conn},"url":${url(f.conn)},"opcode":${JSON.stringify(opcodeName(f.opcode))},"data":${data}${mark}}\n`;
}

/**
 * The lines in chunks of about `chunkChars`, each line ending in `\n`. Each frame is read once, while it is current,
 * so `frames` may be a cursor the store moves from row to row.
 */
export function* jsonlChunks(frames: Iterable<Frame>, opts: JsonlOptions): Generator<string> {
  const per = opts.chunkChars ?? 64 * 1024;
  const url = quotedUrls(opts.connUrl);
  let parts: string[] = [];
  let size = 0;
  for (const f of frames) {
    const l = line(f, opts.anchor, url);
    parts.push(l);
    size += l.length;
    if (size >= per) {
      yield parts.join('');
      parts = [];
      size = 0;
    }
  }
  if (parts.length) yield parts.join('');
}

/** All lines as one string (small selections, tests). */
export function jsonlText(frames: Iterable<Frame>, opts: JsonlOptions): string {
  return [...jsonlChunks(frames, opts)].join('');
}

/**
 * How many frames and about how many UTF-8 bytes `jsonlChunks` would write, without writing anything: exact but for
 * the escapes JSON adds inside text payloads, which it leaves out.
 */
export function estimateJsonl(frames: Iterable<Frame>, opts: Pick<JsonlOptions, 'anchor' | 'connUrl'>): { count: number; bytes: number } {
  const enc = new TextEncoder();
  const urlBytes = new Map<number, number>();
  const fixed = '{"time":,"dir":"","conn":,"url":,"opcode":"","data":""}\n'.length;
  const time = opts.anchor === undefined ? 4 : ISO_LENGTH;
  let count = 0;
  let bytes = 0;
  for (const f of frames) {
    let u = urlBytes.get(f.conn);
    if (u === undefined) {
      u = enc.encode(JSON.stringify(opts.connUrl(f.conn) ?? '')).length;
      urlBytes.set(f.conn, u);
    }
    // Error frames carry a message but size 0: only they are measured.
    const data = f.bytes ? 4 * Math.ceil(f.bytes.length / 3) + ',"encoding":"base64"'.length : f.size || utf8ByteLength(f.text ?? '');
    const mark = f.mark ? `,"mark":""`.length + f.mark.length : 0;
    bytes += fixed + time + f.dir.length + String(f.conn).length + u + opcodeName(f.opcode).length + data + mark;
    count++;
  }
  return { count, bytes };
}

/** Just the size of `estimateJsonl`. */
export function estimateJsonlBytes(frames: Iterable<Frame>, opts: Pick<JsonlOptions, 'anchor' | 'connUrl'>): number {
  return estimateJsonl(frames, opts).bytes;
}
