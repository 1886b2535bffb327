// HAR 1.2 export and import of WebSocket sessions. Pure: no chrome.*, no DOM.
// Export writes Chrome's shape (`_resourceType: "websocket"`, `_webSocketMessages: [{type, time, opcode, data}]`,
// time in epoch seconds, binary data base64, errors as type "error" / opcode -1) plus HTTP Toolkit's
// `_webSocketClose`, and is produced in chunks so a session of millions of frames never becomes one string.
// Import reads Chrome DevTools, Playwright, HTTP Toolkit and CDP-recorder variants (type request/response,
// monotonic times).
import type { CaptureRecord, Connection, Frame, Header } from './types';
import { OPCODE } from './types';
import { base64ByteLength, bytesToBase64, utf8ByteLength } from './bytes';
import { toWallMs } from './time';

export const HAR_VERSION = '1.2';

/** What export reads: the session store satisfies it. */
export interface HarSource {
  readonly connections: ReadonlyMap<number, Connection>;
  readonly connectionOrder: readonly number[];
  readonly frameCount: number;
  frameAt(i: number): Frame | undefined;
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
const UNKNOWN_URL = 'ws://unknown.invalid/opened-before-capture';

interface HarCookie {
  name: string;
  value: string;
  path?: string;
  domain?: string;
  expires?: string;
  httpOnly?: boolean;
  secure?: boolean;
}

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

function queryString(url: string): Array<{ name: string; value: string }> {
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
  const sizes = new Map<number, number>();
  for (let i = 0; i < src.frameCount; i++) {
    const f = src.frameAt(i)!;
    if (keep(f)) sizes.set(f.conn, (sizes.get(f.conn) ?? 0) + 1);
  }
  const byConn = new Map<number, Uint32Array>();
  const fill = new Map<number, number>();
  for (const [id, n] of sizes) {
    byConn.set(id, new Uint32Array(n));
    fill.set(id, 0);
  }
  for (let i = 0; i < src.frameCount; i++) {
    const f = src.frameAt(i)!;
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
    const entry = {
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
      const f = src.frameAt(frames[k])!;
      const type = f.opcode === OPCODE.error ? 'error' : f.dir === 'sent' ? 'send' : 'receive';
      let data = f.bytes ? bytesToBase64(f.bytes) : (f.text ?? '');
      if (opts.redact && !f.bytes) data = data.replace(opts.redact, '[redacted]');
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
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  const safeHost = (host || 'session').replace(/:/g, '-').replace(/[^A-Za-z0-9.-]+/g, '_');
  return `frameline-${safeHost}-${stamp}.har`;
}

// ---------------------------------------------------------------------------------------------------------------
// Import

export interface HarImport {
  /** Records for a fresh SessionStore (anchor 0: frame `ts` are epoch seconds). */
  records: CaptureRecord[];
  connections: number;
  frames: number;
  /** Entries that are not WebSockets. */
  skipped: number;
  /** Non-fatal notes (approximate times, …). */
  warnings: string[];
}

export class HarError extends Error {}

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

function headersOf(v: unknown, where: string): Header[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new HarError(`${where}: headers is not a list`);
  return v.map((h, i) => {
    if (!isObj(h) || typeof h.name !== 'string' || typeof h.value !== 'string') {
      throw new HarError(`${where}: header ${i} needs a string name and value`);
    }
    return { name: h.name, value: h.value };
  });
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Parse a HAR document (as text). Throws HarError with a message naming the problem and where. */
export function parseHar(text: string): HarImport {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const msg = e instanceof RangeError ? 'it nests too deeply' : (e as Error).message;
    throw new HarError(`Not a HAR file: it is not valid JSON (${msg}).`);
  }
  if (!isObj(doc) || !isObj(doc.log)) throw new HarError('Not a HAR file: there is no "log" object.');
  const entries = doc.log.entries;
  if (!Array.isArray(entries)) throw new HarError('Not a HAR file: "log.entries" is not a list.');

  const records: CaptureRecord[] = [{ t: 'anchor', anchor: 0 }];
  const warnings: string[] = [];
  let skipped = 0;
  let connId = 0;
  let frameId = 0;
  let monotonicEntries = 0;

  entries.forEach((e: unknown, index: number) => {
    const where = `Entry ${index}`;
    if (!isObj(e)) throw new HarError(`${where} is not an object.`);
    const req = e.request;
    const url = isObj(req) && typeof req.url === 'string' ? req.url : undefined;
    const messages = e._webSocketMessages;
    const isWs = e._resourceType === 'websocket' || Array.isArray(messages) || (url !== undefined && /^wss?:/i.test(url));
    if (!isWs) {
      skipped++;
      return;
    }
    if (!isObj(req) || url === undefined) throw new HarError(`${where}: request.url is missing or not a string.`);
    if (messages !== undefined && !Array.isArray(messages)) throw new HarError(`${where}: _webSocketMessages is not a list.`);
    const msgs = (messages ?? []) as unknown[];
    const started = typeof e.startedDateTime === 'string' ? Date.parse(e.startedDateTime) : NaN;
    if (Number.isNaN(started)) throw new HarError(`${where}: startedDateTime is missing or not a date.`);

    // Message times are epoch seconds (Chrome, HTTP Toolkit), epoch milliseconds (Playwright) or, in some CDP
    // recorders, monotonic seconds (anchored here to the entry's start).
    let minTime = Infinity;
    for (const m of msgs) if (isObj(m) && typeof m.time === 'number' && m.time < minTime) minTime = m.time;
    const monotonic = minTime < 1e9;
    const millis = !monotonic && minTime > 1e11 && minTime !== Infinity;
    if (monotonic) monotonicEntries++;
    const toEpochS = (t: number) => (monotonic ? started / 1000 + (t - minTime) : millis ? t / 1000 : t);

    const resp = isObj(e.response) ? e.response : {};
    const reqHeaders = headersOf(req.headers, `${where}, request`);
    const resHeaders = headersOf(resp.headers, `${where}, response`);
    const status = typeof resp.status === 'number' ? resp.status : 0;
    const fl = isObj(e._frameline) ? e._frameline : {};
    const close = isObj(e._webSocketClose) ? e._webSocketClose : undefined;
    const aborted = e._webSocketClose === 'aborted';
    const id = ++connId;
    // HTTP Toolkit records the upgrade request with its http(s):// URL.
    const wsUrl = url.replace(/^http(s?):/i, 'ws$1:');
    const proto = resHeaders.find((h) => h.name.toLowerCase() === 'sec-websocket-protocol')?.value ?? '';
    const ext = resHeaders.find((h) => h.name.toLowerCase() === 'sec-websocket-extensions')?.value ?? '';
    const conn: Connection = {
      id,
      url: url === UNKNOWN_URL ? '' : wsUrl,
      state: typeof fl.state === 'string' ? (fl.state as Connection['state']) : status === 101 && !aborted ? 'closed' : 'error',
      openedBeforeCapture: fl.openedBeforeCapture === true,
      target: isObj(fl.target) && typeof fl.target.type === 'string' ? (fl.target as Connection['target']) : { type: 'page' },
      request: { headers: reqHeaders },
      response: { status, statusText: typeof resp.statusText === 'string' ? resp.statusText : '', headers: resHeaders },
      protocol: typeof fl.protocol === 'string' ? fl.protocol : proto,
      extensions: typeof fl.extensions === 'string' ? fl.extensions : ext,
      createdTs: started / 1000,
    };
    if (typeof e.timings?.wait === 'number' && e.timings.wait >= 0 && status === 101) conn.openTs = started / 1000 + e.timings.wait / 1000;
    if (isObj(fl.initiator)) conn.initiator = fl.initiator as Connection['initiator'];
    if (typeof fl.error === 'string') conn.error = fl.error;
    else if (aborted) conn.error = 'The connection was aborted';
    if (close) {
      if (typeof close.code === 'number') conn.closeCode = close.code;
      if (typeof close.reason === 'string') conn.closeReason = close.reason;
      if (typeof close.wasClean === 'boolean') conn.wasClean = close.wasClean;
      if (typeof close.timestamp === 'number') conn.closeTs = toEpochS(close.timestamp);
    }
    records.push({ t: 'conn', conn });

    msgs.forEach((m, k) => {
      const mw = `${where}, message ${k}`;
      if (!isObj(m)) throw new HarError(`${mw} is not an object.`);
      const type = m.type;
      if (type !== 'send' && type !== 'receive' && type !== 'request' && type !== 'response' && type !== 'error') {
        throw new HarError(`${mw}: type ${JSON.stringify(type)} is not send, receive or error.`);
      }
      if (typeof m.time !== 'number' || !Number.isFinite(m.time)) throw new HarError(`${mw}: time is not a number.`);
      if (typeof m.data !== 'string') throw new HarError(`${mw}: data is not a string.`);
      const opcode = type === 'error' ? OPCODE.error : typeof m.opcode === 'number' ? m.opcode : OPCODE.text;
      const dir = type === 'send' || type === 'request' ? 'sent' : 'received';
      const ts = toEpochS(m.time);
      const mark = m._replayed === true ? 'replayed' : m._injected === true ? 'injected' : undefined;
      if (opcode === OPCODE.text || opcode === OPCODE.error) {
        records.push({
          t: 'frame',
          frame: { id: ++frameId, conn: id, dir, opcode, ts, size: opcode === OPCODE.error ? 0 : utf8ByteLength(m.data), text: m.data, ...(mark ? { mark } : {}) },
        });
      } else {
        if (!BASE64.test(m.data)) throw new HarError(`${mw}: binary data is not base64.`);
        const size = base64ByteLength(m.data);
        records.push({ t: 'frame', frame: { id: ++frameId, conn: id, dir, opcode, ts, size, b64: m.data, ...(mark ? { mark } : {}) } });
      }
    });
  });
  if (monotonicEntries) {
    warnings.push(`${monotonicEntries} entries had monotonic message times: their wall-clock times are approximate.`);
  }
  return { records, connections: connId, frames: frameId, skipped, warnings };
}
