// HAR 1.2 export of WebSocket sessions, in Chrome's shape (`_resourceType: "websocket"`, `_webSocketMessages:
// [{type, time, opcode, data}]`, time in epoch seconds, binary data base64, errors as type "error" / opcode -1) plus
// HTTP Toolkit's `_webSocketClose`. Written in chunks so a session of millions of frames never becomes one string.
// Pure: no chrome.*, no DOM.
import { savedFileName } from '../file-name';
import type { Connection, Frame, Header } from '../types';
import { OPCODE } from '../types';
import { bytesToBase64 } from '../bytes';
import { toWallMs } from '../time';
import { HAR_VERSION, type HarCookie, type HarQueryString, type HarWebSocketEntry, type HarWebSocketMessage } from './types';

/** What export reads: the session store satisfies it. */
export interface HarSource {
  readonly connections: ReadonlyMap<number, Connection>;
  readonly connectionOrder: readonly number[];
  readonly frameCount: number;
  frameAt(i: number): Frame | undefined;
  /** The i-th frame read in place (valid until the next call), where the source can: no object per row. */
  rowAt?(i: number): Frame | undefined;
  readonly anchor: number | undefined;
}

export interface HarExportOptions {
  /** Only these connections (default: all). */
  connections?: ReadonlySet<number> | null;
  /** Only frames for which this holds (default: all), e.g. the current filter. */
  frameFilter?: ((f: Frame) => boolean) | null;
  /** Strip Cookie, Set-Cookie, Authorization and `stripHeaders` (default on). */
  sanitize?: boolean;
  stripHeaders?: readonly string[];
  /** Replace matches in text payloads with `[redacted]`. */
  redact?: RegExp | null;
  creator?: { name: string; version: string };
  /** Messages per chunk. */
  chunkMessages?: number;
}

export const DEFAULT_STRIPPED = ['cookie', 'set-cookie', 'authorization', 'proxy-authorization'];
/** The URL written for a socket whose URL was never known (import reads it back as ''). */
export const UNKNOWN_URL = 'ws://unknown.invalid/opened-before-capture';

function requestCookies(headers: Header[]): HarCookie[] {
  const out: HarCookie[] = [];
  for (const h of headers) {
    if (h.name.toLowerCase() !== 'cookie') continue;
    for (const part of h.value.split(';')) {
      const i = part.indexOf('=');
      if (i > 0) out.push({ name: part.slice(0, i).trim(), value: part.slice(i + 1).trim() });
    }
  }
  return out;
}

function responseCookies(headers: Header[]): HarCookie[] {
  const out: HarCookie[] = [];
  for (const h of headers) {
    if (h.name.toLowerCase() !== 'set-cookie') continue;
    const [pair, ...attrs] = h.value.split(';');
    const i = pair.indexOf('=');
    if (i <= 0) continue;
    const c: HarCookie = { name: pair.slice(0, i).trim(), value: pair.slice(i + 1).trim() };
    for (const a of attrs) {
      const [k, ...v] = a.split('=');
      const key = k.trim().toLowerCase();
      const val = v.join('=').trim();
      if (key === 'path') c.path = val;
      else if (key === 'domain') c.domain = val;
      else if (key === 'expires') {
        const d = new Date(val);
        if (!Number.isNaN(d.getTime())) c.expires = d.toISOString();
      } else if (key === 'httponly') c.httpOnly = true;
      else if (key === 'secure') c.secure = true;
    }
    out.push(c);
  }
  return out;
}

function queryString(url: string): HarQueryString[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

/** Build the HAR as a sequence of string chunks (concatenated, they are the JSON document). */
export function* harChunks(src: HarSource, opts: HarExportOptions = {}): Generator<string> {
  const sanitize = opts.sanitize ?? true;
  const stripped = new Set([...(sanitize ? DEFAULT_STRIPPED : []), ...(opts.stripHeaders ?? []).map((h) => h.toLowerCase())]);
  const keepHeader = (h: Header) => !stripped.has(h.name.toLowerCase());
  const anchor = src.anchor ?? 0;
  const wallS = (ts: number) => ts + anchor;
  const per = opts.chunkMessages ?? 500;

  // Frames of each exported connection, as indexes into the store: counted, then filled (two passes, no growth).
  const wanted = (id: number) => !opts.connections || opts.connections.has(id);
  const keep = (f: Frame) => wanted(f.conn) && (!opts.frameFilter || opts.frameFilter(f));
  const row = (i: number): Frame => (src.rowAt ? src.rowAt(i)! : src.frameAt(i)!);
  const sizes = new Map<number, number>();
  for (let i = 0; i < src.frameCount; i++) {
    const f = row(i);
    if (keep(f)) sizes.set(f.conn, (sizes.get(f.conn) ?? 0) + 1);
  }
  const byConn = new Map<number, Uint32Array>();
  const fill = new Map<number, number>();
  for (const [id, n] of sizes) {
    byConn.set(id, new Uint32Array(n));
    fill.set(id, 0);
  }
  for (let i = 0; i < src.frameCount; i++) {
    const f = row(i);
    if (!keep(f)) continue;
    const k = fill.get(f.conn)!;
    byConn.get(f.conn)![k] = i;
    fill.set(f.conn, k + 1);
  }

  const creator = opts.creator ?? { name: 'Frameline', version: '0' };
  yield `{"log":{"version":"${HAR_VERSION}","creator":${JSON.stringify(creator)},"pages":[],"entries":[`;
  let firstEntry = true;
  for (const id of src.connectionOrder) {
    const c = src.connections.get(id);
    if (!c || !wanted(id)) continue;
    const frames = byConn.get(id) ?? new Uint32Array(0);
    if (opts.frameFilter && frames.length === 0) continue;
    const reqHeaders = (c.request?.headers ?? []).filter(keepHeader);
    const resHeaders = (c.response?.headers ?? []).filter(keepHeader);
    const firstTs = c.createdTs ?? c.openTs ?? (frames.length ? src.frameAt(frames[0])!.ts : undefined);
    const started = firstTs !== undefined && src.anchor !== undefined ? toWallMs(firstTs, anchor) : 0;
    const lastTs = c.closeTs ?? (frames.length ? src.frameAt(frames[frames.length - 1])!.ts : firstTs);
    const url = c.url || UNKNOWN_URL;
    // Everything but the messages, which are streamed after it.
    const entry: Omit<HarWebSocketEntry, '_webSocketMessages'> = {
      startedDateTime: new Date(started).toISOString(),
      time: firstTs !== undefined && lastTs !== undefined ? Math.max(0, (lastTs - firstTs) * 1000) : 0,
      request: {
        method: 'GET',
        url,
        httpVersion: 'HTTP/1.1',
        cookies: sanitize ? [] : requestCookies(c.request?.headers ?? []),
        headers: reqHeaders,
        queryString: queryString(url),
        headersSize: -1,
        bodySize: 0,
      },
      response: {
        status: c.response?.status ?? 0,
        statusText: c.response?.statusText ?? '',
        httpVersion: 'HTTP/1.1',
        cookies: sanitize ? [] : responseCookies(c.response?.headers ?? []),
        headers: resHeaders,
        content: { size: 0, mimeType: 'x-unknown' },
        redirectURL: '',
        headersSize: -1,
        bodySize: -1,
        ...(c.error ? { _error: c.error } : {}),
      },
      cache: {},
      timings: {
        blocked: -1,
        dns: -1,
        connect: -1,
        ssl: -1,
        send: 0,
        wait: c.createdTs !== undefined && c.openTs !== undefined ? Math.max(0, (c.openTs - c.createdTs) * 1000) : -1,
        receive: 0,
      },
      _resourceType: 'websocket',
      ...(c.closeCode !== undefined
        ? { _webSocketClose: { code: c.closeCode, reason: c.closeReason ?? '', timestamp: c.closeTs !== undefined ? wallS(c.closeTs) : null, wasClean: c.wasClean ?? null } }
        : {}),
      _frameline: {
        connectionId: c.id,
        state: c.state,
        ...(c.stateNote ? { stateNote: c.stateNote } : {}),
        ...(c.untrusted ? { untrusted: c.untrusted } : {}),
        openedBeforeCapture: c.openedBeforeCapture,
        target: c.target,
        protocol: c.protocol ?? '',
        extensions: c.extensions ?? '',
        ...(c.initiator ? { initiator: c.initiator } : {}),
        ...(c.error ? { error: c.error } : {}),
        ...(sanitize ? { sanitized: [...stripped] } : {}),
      },
    };
    const head = JSON.stringify(entry);
    yield (firstEntry ? '' : ',') + head.slice(0, -1) + ',"_webSocketMessages":[';
    firstEntry = false;
    let parts: string[] = [];
    for (let k = 0; k < frames.length; k++) {
      const f = row(frames[k]);
      // Written by hand (the hot loop), in HarWebSocketMessage's shape.
      const type: HarWebSocketMessage['type'] = f.opcode === OPCODE.error ? 'error' : f.dir === 'sent' ? 'send' : 'receive';
      const bytes = f.bytes;
      let data = bytes ? bytesToBase64(bytes) : (f.text ?? '');
      if (opts.redact && !bytes) data = data.replace(opts.redact, '[redacted]');
      const mark = f.mark === 'replayed' ? ',"_replayed":true' : f.mark === 'injected' ? ',"_injected":true' : '';
      parts.push(`{"type":"${type}","time":${wallS(f.ts)},"opcode":${f.opcode},"data":${JSON.stringify(data)}${mark}}`);
      if (parts.length >= per) {
        yield (k + 1 > parts.length ? ',' : '') + parts.join(',');
        parts = [];
      }
    }
    if (parts.length) yield (frames.length > parts.length ? ',' : '') + parts.join(',');
    yield ']}';
  }
  yield ']}}';
}

/** The whole HAR as one string (small sessions, tests). */
export function buildHar(src: HarSource, opts?: HarExportOptions): string {
  return [...harChunks(src, opts)].join('');
}

/** `frameline-<host>-<yyyy-mm-dd-hhmmss>.har` */
export function harFileName(host: string, now = new Date()): string {
  return savedFileName(host, 'har', now);
}
