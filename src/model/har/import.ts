// HAR import of WebSocket sessions: Chrome DevTools, Playwright, HTTP Toolkit and CDP-recorder variants (type
// request/response, monotonic times). Pure: no chrome.*, no DOM.
import type { CaptureRecord, Connection, Header, WireFrame } from '../types';
import { OPCODE } from '../types';
import { base64ByteLength, utf8ByteLength } from '../bytes';
import { UNKNOWN_URL } from './export';
import { Dropped, fieldsOf, readClose, readFrameline, shown } from './fields';
import type { HarTimings, HarWebSocketDocument, HarWebSocketEntry, HarWebSocketMessage, HarWebSocketResponse } from './types';

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

function headersOf(v: unknown, where: string): Header[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new HarError(`${where}: headers is not a list.`);
  return v.map((raw, i) => {
    const h = fieldsOf<Header>(raw);
    if (!h || typeof h.name !== 'string' || typeof h.value !== 'string') {
      throw new HarError(`${where}: header ${i} needs a string name and value.`);
    }
    return { name: h.name, value: h.value };
  });
}

const BASE64_CHARS = /[^A-Za-z0-9+/=]/;

/** Why `data` is not base64 as the store decodes it (atob), or undefined when it is. */
function notBase64(data: string): string | undefined {
  const bad = BASE64_CHARS.exec(data);
  if (bad) return `${JSON.stringify(bad[0])} at ${bad.index} is not a base64 character`;
  let pad = 0;
  while (pad < data.length && data.charCodeAt(data.length - 1 - pad) === 61 /* = */) pad++;
  const firstPad = data.indexOf('=');
  if (pad > 2 || (firstPad !== -1 && firstPad < data.length - pad)) return '"=" is only padding, at most two at the end';
  if (pad ? data.length % 4 !== 0 : data.length % 4 === 1) return `its length (${data.length}) is not one base64 has`;
  return undefined;
}

/** The WebSocket opcodes Frameline knows, -1 (a frame error) included. */
const OPCODES = new Set<number>(Object.values(OPCODE));

/**
 * The wall-clock times, in ms, an imported time may stand for: 1970 to 9999 (a Date holds more, ±275,760 years, but
 * no capture is from then, and a view formats them as nonsense).
 */
const MAX_WALL_MS = Date.UTC(10000, 0, 1);
const inRange = (wallMs: number) => wallMs >= 0 && wallMs < MAX_WALL_MS;

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
  const dropped = new Dropped();
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
    // HAR's own fields that Frameline reads are checked strictly (a wrong one refuses the file); Frameline's and
    // other recorders' extensions are left out and counted (fields.ts).
    if (!req || url === undefined) throw new HarError(`${where}: request.url is missing or not a string.`);
    if (messages !== undefined && !Array.isArray(messages)) throw new HarError(`${where}: _webSocketMessages is not a list.`);
    const msgs: unknown[] = messages ?? [];
    const started = typeof e.startedDateTime === 'string' && /^\d{4}-\d\d-\d\dT/.test(e.startedDateTime) ? Date.parse(e.startedDateTime) : NaN;
    if (!inRange(started)) throw new HarError(`${where}: startedDateTime is missing or not a date from 1970 to 9999.`);

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
    /** A file's time as the store keeps it (epoch seconds: the anchor is 0), or undefined when out of range. */
    const timeOf = (t: number) => {
      const ts = toEpochS(t);
      return t >= 0 && inRange(ts * 1000) ? ts : undefined;
    };

    if (e.response !== undefined && !fieldsOf(e.response)) throw new HarError(`${where}: response is not an object.`);
    const resp = fieldsOf<HarWebSocketResponse>(e.response) ?? {};
    const reqHeaders = headersOf(req.headers, `${where}, request`);
    const resHeaders = headersOf(resp.headers, `${where}, response`);
    // HAR writes 0 for no response.
    const status = resp.status ?? 0;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 0 || status > 999) {
      throw new HarError(`${where}: response.status ${shown(status)} is not an HTTP status code.`);
    }
    const statusText = resp.statusText ?? '';
    if (typeof statusText !== 'string') throw new HarError(`${where}: response.statusText is not a string.`);
    if (e.timings !== undefined && !fieldsOf(e.timings)) throw new HarError(`${where}: timings is not an object.`);
    const wait = fieldsOf<HarTimings>(e.timings)?.wait;
    if (wait !== undefined && typeof wait !== 'number') throw new HarError(`${where}: timings.wait is not a number.`);
    const fl = readFrameline(e._frameline, where, dropped);
    const close = readClose(e._webSocketClose, where, timeOf, dropped);
    const id = conns.length + 1;
    // HTTP Toolkit records the upgrade request with its http(s):// URL.
    const wsUrl = url.replace(/^http(s?):/i, 'ws$1:');
    const proto = resHeaders.find((h) => h.name.toLowerCase() === 'sec-websocket-protocol')?.value ?? '';
    const ext = resHeaders.find((h) => h.name.toLowerCase() === 'sec-websocket-extensions')?.value ?? '';
    const conn: Connection = {
      id,
      url: url === UNKNOWN_URL ? '' : wsUrl,
      state: fl.state ?? (status === 101 && !close.aborted ? 'closed' : 'error'),
      openedBeforeCapture: fl.openedBeforeCapture ?? false,
      target: fl.target ?? { type: 'page' },
      request: { headers: reqHeaders },
      response: { status, statusText, headers: resHeaders },
      protocol: fl.protocol ?? proto,
      extensions: fl.extensions ?? ext,
      createdTs: started / 1000,
    };
    // HAR writes -1 for a time that does not apply.
    if (wait !== undefined && wait >= 0 && status === 101) {
      if (!inRange(started + wait)) throw new HarError(`${where}: timings.wait ${shown(wait)} is out of range.`);
      conn.openTs = (started + wait) / 1000;
    }
    if (fl.initiator) conn.initiator = fl.initiator;
    if (fl.stateNote !== undefined) conn.stateNote = fl.stateNote;
    if (fl.untrusted !== undefined) conn.untrusted = fl.untrusted;
    if (fl.error !== undefined) conn.error = fl.error;
    else if (close.aborted) conn.error = 'The connection was aborted';
    if (close.closeCode !== undefined) conn.closeCode = close.closeCode;
    if (close.closeReason !== undefined) conn.closeReason = close.closeReason;
    if (close.wasClean !== undefined) conn.wasClean = close.wasClean;
    if (close.closeTs !== undefined) conn.closeTs = close.closeTs;
    conns.push(conn);

    msgs.forEach((raw, k) => {
      const mw = `${where}, message ${k}`;
      const m = fieldsOf<HarWebSocketMessage>(raw);
      if (!m) throw new HarError(`${mw} is not an object.`);
      const type = m.type;
      if (type !== 'send' && type !== 'receive' && type !== 'request' && type !== 'response' && type !== 'error') {
        throw new HarError(`${mw}: type ${shown(type)} is not send, receive or error.`);
      }
      if (typeof m.time !== 'number' || !Number.isFinite(m.time)) throw new HarError(`${mw}: time is not a number.`);
      const ts = timeOf(m.time);
      if (ts === undefined) throw new HarError(`${mw}: time ${m.time} is out of range (not a time from 1970 to 9999).`);
      if (typeof m.data !== 'string') throw new HarError(`${mw}: data is not a string.`);
      if (m.opcode !== undefined && !OPCODES.has(m.opcode as number)) {
        throw new HarError(`${mw}: opcode ${shown(m.opcode)} is not a WebSocket opcode (0, 1, 2, 8, 9, 10, or -1 for an error).`);
      }
      const opcode = type === 'error' ? OPCODE.error : ((m.opcode as number | undefined) ?? OPCODE.text);
      const dir = type === 'send' || type === 'request' ? 'sent' : 'received';
      for (const k of ['_replayed', '_injected'] as const) {
        if (m[k] !== undefined && typeof m[k] !== 'boolean') dropped.note(`${mw}: ${k}`, `${shown(m[k])} is not true or false`);
      }
      const mark = m._replayed === true ? 'replayed' : m._injected === true ? 'injected' : undefined;
      // Numbered once all entries are read and the frames are in time order.
      if (opcode === OPCODE.text || opcode === OPCODE.error) {
        frames.push({ id: 0, conn: id, dir, opcode, ts, size: opcode === OPCODE.error ? 0 : utf8ByteLength(m.data), text: m.data, ...(mark ? { mark } : {}) });
      } else {
        const why = notBase64(m.data);
        if (why) throw new HarError(`${mw}: binary data is not base64 (${why}).`);
        const size = base64ByteLength(m.data);
        frames.push({ id: 0, conn: id, dir, opcode, ts, size, b64: m.data, ...(mark ? { mark } : {}) });
      }
    });
  });
  if (monotonicEntries) {
    warnings.push(`${monotonicEntries} entries had monotonic message times: their wall-clock times are approximate.`);
  }
  const left = dropped.warning();
  if (left) warnings.push(left);

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
