// HAR import of WebSocket sessions: Chrome DevTools, Playwright, HTTP Toolkit and CDP-recorder variants (type
// request/response, monotonic times). Pure: no chrome.*, no DOM.
import type { CaptureRecord, Connection, Header, WireFrame } from '../types';
import { OPCODE } from '../types';
import { base64ByteLength, utf8ByteLength } from '../bytes';
import { UNKNOWN_URL } from './export';
import type {
  HarFramelineFields,
  HarTimings,
  HarWebSocketClose,
  HarWebSocketDocument,
  HarWebSocketEntry,
  HarWebSocketMessage,
  HarWebSocketResponse,
  Unchecked,
} from './types';

export interface HarImport {
  /**
   * Records for a fresh SessionStore (anchor 0: frame `ts` are epoch seconds): the connections in entry order, then
   * the frames of all entries in time order, numbered in that order.
   */
  records: CaptureRecord[];
  connections: number;
  frames: number;
  /** Entries that are not WebSockets. */
  skipped: number;
  /** Non-fatal notes (approximate times, …). */
  warnings: string[];
}

export class HarError extends Error {}

/** The fields of an object read from a file, not checked yet; undefined when it is not an object. */
function fieldsOf<T>(v: unknown): Unchecked<T> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined;
}

function headersOf(v: unknown, where: string): Header[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new HarError(`${where}: headers is not a list`);
  return v.map((raw, i) => {
    const h = fieldsOf<Header>(raw);
    if (!h || typeof h.name !== 'string' || typeof h.value !== 'string') {
      throw new HarError(`${where}: header ${i} needs a string name and value`);
    }
    return { name: h.name, value: h.value };
  });
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Parse a HAR document (as text). Throws HarError with a message naming the problem and where. */
export function parseHar(text: string): HarImport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const msg = e instanceof RangeError ? 'it nests too deeply' : (e as Error).message;
    throw new HarError(`Not a HAR file: it is not valid JSON (${msg}).`);
  }
  const log = fieldsOf<HarWebSocketDocument['log']>(fieldsOf<HarWebSocketDocument>(parsed)?.log);
  if (!log) throw new HarError('Not a HAR file: there is no "log" object.');
  const entries = log.entries;
  if (!Array.isArray(entries)) throw new HarError('Not a HAR file: "log.entries" is not a list.');

  const conns: Connection[] = [];
  const frames: WireFrame[] = [];
  const warnings: string[] = [];
  let skipped = 0;
  let monotonicEntries = 0;

  entries.forEach((raw: unknown, index: number) => {
    const where = `Entry ${index}`;
    const e = fieldsOf<HarWebSocketEntry>(raw);
    if (!e) throw new HarError(`${where} is not an object.`);
    const req = fieldsOf<HarWebSocketEntry['request']>(e.request);
    const url = typeof req?.url === 'string' ? req.url : undefined;
    const messages = e._webSocketMessages;
    const isWs = e._resourceType === 'websocket' || Array.isArray(messages) || (url !== undefined && /^wss?:/i.test(url));
    if (!isWs) {
      skipped++;
      return;
    }
    if (!req || url === undefined) throw new HarError(`${where}: request.url is missing or not a string.`);
    if (messages !== undefined && !Array.isArray(messages)) throw new HarError(`${where}: _webSocketMessages is not a list.`);
    const msgs: unknown[] = messages ?? [];
    const started = typeof e.startedDateTime === 'string' ? Date.parse(e.startedDateTime) : NaN;
    if (Number.isNaN(started)) throw new HarError(`${where}: startedDateTime is missing or not a date.`);

    // Message times are epoch seconds (Chrome, HTTP Toolkit), epoch milliseconds (Playwright) or, in some CDP
    // recorders, monotonic seconds (anchored here to the entry's start).
    let minTime = Infinity;
    for (const m of msgs) {
      const time = fieldsOf<HarWebSocketMessage>(m)?.time;
      if (typeof time === 'number' && time < minTime) minTime = time;
    }
    const monotonic = minTime < 1e9;
    const millis = !monotonic && minTime > 1e11 && minTime !== Infinity;
    if (monotonic) monotonicEntries++;
    const toEpochS = (t: number) => (monotonic ? started / 1000 + (t - minTime) : millis ? t / 1000 : t);

    const resp = fieldsOf<HarWebSocketResponse>(e.response) ?? {};
    const reqHeaders = headersOf(req.headers, `${where}, request`);
    const resHeaders = headersOf(resp.headers, `${where}, response`);
    const status = typeof resp.status === 'number' ? resp.status : 0;
    const fl = fieldsOf<HarFramelineFields>(e._frameline) ?? {};
    const close = fieldsOf<HarWebSocketClose>(e._webSocketClose);
    const aborted = e._webSocketClose === 'aborted';
    const wait = fieldsOf<HarTimings>(e.timings)?.wait;
    const id = conns.length + 1;
    // HTTP Toolkit records the upgrade request with its http(s):// URL.
    const wsUrl = url.replace(/^http(s?):/i, 'ws$1:');
    const proto = resHeaders.find((h) => h.name.toLowerCase() === 'sec-websocket-protocol')?.value ?? '';
    const ext = resHeaders.find((h) => h.name.toLowerCase() === 'sec-websocket-extensions')?.value ?? '';
    const target = fieldsOf<Connection['target']>(fl.target);
    const conn: Connection = {
      id,
      url: url === UNKNOWN_URL ? '' : wsUrl,
      state: typeof fl.state === 'string' ? (fl.state as Connection['state']) : status === 101 && !aborted ? 'closed' : 'error',
      openedBeforeCapture: fl.openedBeforeCapture === true,
      target: target && typeof target.type === 'string' ? (target as Connection['target']) : { type: 'page' },
      request: { headers: reqHeaders },
      response: { status, statusText: typeof resp.statusText === 'string' ? resp.statusText : '', headers: resHeaders },
      protocol: typeof fl.protocol === 'string' ? fl.protocol : proto,
      extensions: typeof fl.extensions === 'string' ? fl.extensions : ext,
      createdTs: started / 1000,
    };
    if (typeof wait === 'number' && wait >= 0 && status === 101) conn.openTs = started / 1000 + wait / 1000;
    if (fieldsOf(fl.initiator)) conn.initiator = fl.initiator as Connection['initiator'];
    if (typeof fl.error === 'string') conn.error = fl.error;
    else if (aborted) conn.error = 'The connection was aborted';
    if (close) {
      if (typeof close.code === 'number') conn.closeCode = close.code;
      if (typeof close.reason === 'string') conn.closeReason = close.reason;
      if (typeof close.wasClean === 'boolean') conn.wasClean = close.wasClean;
      if (typeof close.timestamp === 'number') conn.closeTs = toEpochS(close.timestamp);
    }
    conns.push(conn);

    msgs.forEach((raw, k) => {
      const mw = `${where}, message ${k}`;
      const m = fieldsOf<HarWebSocketMessage>(raw);
      if (!m) throw new HarError(`${mw} is not an object.`);
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
      // Numbered once all entries are read and the frames are in time order.
      if (opcode === OPCODE.text || opcode === OPCODE.error) {
        frames.push({ id: 0, conn: id, dir, opcode, ts, size: opcode === OPCODE.error ? 0 : utf8ByteLength(m.data), text: m.data, ...(mark ? { mark } : {}) });
      } else {
        if (!BASE64.test(m.data)) throw new HarError(`${mw}: binary data is not base64.`);
        const size = base64ByteLength(m.data);
        frames.push({ id: 0, conn: id, dir, opcode, ts, size, b64: m.data, ...(mark ? { mark } : {}) });
      }
    });
  });
  if (monotonicEntries) {
    warnings.push(`${monotonicEntries} entries had monotonic message times: their wall-clock times are approximate.`);
  }

  const records: CaptureRecord[] = [{ t: 'anchor', anchor: 0 }];
  for (const conn of conns) records.push({ t: 'conn', conn });
  for (const frame of inTimeOrder(frames)) records.push({ t: 'frame', frame });
  return { records, connections: conns.length, frames: frames.length, skipped, warnings };
}

/**
 * The frames of all entries in time order, numbered 1, 2, … in that order. Frames with equal times keep their order
 * in the file (entry, then message): the sort is stable, and it is skipped when the file is in order already.
 */
function inTimeOrder(frames: WireFrame[]): WireFrame[] {
  let ordered = true;
  for (let i = 1; i < frames.length && ordered; i++) ordered = frames[i - 1].ts <= frames[i].ts;
  if (!ordered) frames.sort((a, b) => a.ts - b.ts);
  for (let i = 0; i < frames.length; i++) frames[i].id = i + 1;
  return frames;
}
