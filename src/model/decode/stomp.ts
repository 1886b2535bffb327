// STOMP 1.0–1.2 over WebSocket (subprotocols v10.stomp, v11.stomp, v12.stomp), and the frame parser SockJS reuses.
//
// A frame: COMMAND EOL, header lines `name:value` EOL, an empty line, the body, a NUL; EOL is LF or CR LF. One
// WebSocket message may carry several frames, and EOLs between frames (and a message of EOLs alone) are heart-beats.
// With a `content-length` header the body is that many octets (NULs included) and a NUL must follow it; without one
// the body runs to the first NUL.
//
// Header escaping (`\c` `:`, `\n` LF, `\r` CR, `\\` `\`) is STOMP 1.1+ and never applies to CONNECT / CONNECTED. The
// version is known per connection only from the subprotocol: `v10.stomp` reads headers raw; otherwise (1.1, 1.2, or no
// subprotocol, as over SockJS) escapes are undone. An escape the spec does not define is kept as it is.
// Repeated headers: the first one counts (the spec's rule); all of them stay in `value.headerList` then.
//
// What a message says:
// - summary: `SEND /topic/prices`, `MESSAGE /topic/prices`, `SUBSCRIBE /topic/x id=sub-0`, `CONNECTED 1.2`,
//   `RECEIPT 77`, `ERROR <message header>`, `heart-beat`; a client frame asking for a receipt adds `receipt=77`.
// - kind: the command ('heart-beat' for an EOL-only message); names.dest: the `destination` header.
// - id: the receipt correlation, chosen so a request and its answer share it: a client frame's `receipt` header, a
//   RECEIPT's (or an ERROR's) `receipt-id`. `message-id` / `ack` / subscription `id` are not ids here (they live in
//   `value.headers`): they tie MESSAGE to ACK and SUBSCRIBE to MESSAGE, not a request to its answer.
// - value: `{ command, headers, body? }`; body is a JSON tree when it parses as JSON (content-type json, or a body
//   that starts like an object or array), else the text, else (not UTF-8) the bytes. An empty body is left out.
import type { Decoded, DecodedMessage, Decoder, DecodeInput } from './types';
import { DECODE_LIMIT } from './types';
import { clip } from './rpc-common';

export const STOMP_COMMANDS: ReadonlySet<string> = new Set([
  // client
  'CONNECT', 'STOMP', 'SEND', 'SUBSCRIBE', 'UNSUBSCRIBE', 'BEGIN', 'COMMIT', 'ABORT', 'ACK', 'NACK', 'DISCONNECT',
  // server
  'CONNECTED', 'MESSAGE', 'RECEIPT', 'ERROR',
]);

export interface StompFrame {
  command: string;
  /** First occurrence of each header (escapes undone). */
  headers: Record<string, string>;
  /** Every header line in order; only when some header is repeated. */
  headerList?: [string, string][];
  /** The body octets (without the NUL). */
  body: Uint8Array;
}

export type StompItem = StompFrame | 'heart-beat';

export interface StompParse {
  items: StompItem[];
  /** Why the rest could not be parsed; the items before it stay. */
  error?: string;
}

export interface StompOptions {
  /** Undo 1.1+ header escapes (except in CONNECT / CONNECTED). Default true. */
  unescape?: boolean;
  /** The input is a cut first part of the message: a last frame without its end is no error. */
  truncated?: boolean;
}

const LF = 10;
const CR = 13;
const NUL = 0;

const utf8 = new TextDecoder('utf-8');
const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** True when `s` starts (after optional EOLs) with a STOMP command line, or is EOLs alone (a heart-beat). */
export function looksLikeStomp(s: string): boolean {
  const m = /^(?:\r?\n)*(?:([A-Z]{3,11})\r?\n|$)/.exec(s.length > 64 ? s.slice(0, 64) : s);
  if (!m) return false;
  return m[1] === undefined ? s.length > 0 : STOMP_COMMANDS.has(m[1]);
}

function unescapeHeader(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  return s.replace(/\\([\\cnr])/g, (_, c: string) => (c === 'c' ? ':' : c === 'n' ? '\n' : c === 'r' ? '\r' : '\\'));
}

function indexOfByte(b: Uint8Array, v: number, from: number): number {
  return b.indexOf(v, from);
}

/** Reads one line starting at `i`: the text without its EOL, and where the next line starts (-1: no LF). */
function readLine(b: Uint8Array, i: number): { line: string; next: number } {
  const lf = indexOfByte(b, LF, i);
  if (lf < 0) return { line: utf8.decode(b.subarray(i)), next: -1 };
  const end = lf > i && b[lf - 1] === CR ? lf - 1 : lf;
  return { line: utf8.decode(b.subarray(i, end)), next: lf + 1 };
}

/** Parses every frame of one WebSocket message. Never throws. */
export function parseStomp(input: string | Uint8Array, opts: StompOptions = {}): StompParse {
  const b = typeof input === 'string' ? encoder.encode(input) : input;
  const unescapeOn = opts.unescape !== false;
  const items: StompItem[] = [];
  const n = b.length;
  let i = 0;
  const fail = (error: string): StompParse => (opts.truncated ? { items } : { items, error });
  while (i < n) {
    // EOLs between frames (or alone) are heart-beats.
    const eolStart = i;
    while (i < n && (b[i] === LF || (b[i] === CR && b[i + 1] === LF))) i += b[i] === CR ? 2 : 1;
    if (i >= n) {
      if (items.length === 0 && i > eolStart) items.push('heart-beat');
      break;
    }
    const cmd = readLine(b, i);
    if (cmd.next < 0) return fail(`frame "${cmd.line.slice(0, 40)}" ends before its headers`);
    if (!STOMP_COMMANDS.has(cmd.line)) return { items, error: `not a STOMP command: "${cmd.line.slice(0, 40)}"` };
    const command = cmd.line;
    const unescape = unescapeOn && command !== 'CONNECT' && command !== 'CONNECTED';
    const headers: Record<string, string> = Object.create(null) as Record<string, string>;
    const list: [string, string][] = [];
    let repeated = false;
    i = cmd.next;
    for (;;) {
      if (i >= n) return fail(`${command} frame ends in its headers`);
      if (b[i] === LF) {
        i += 1;
        break;
      }
      if (b[i] === CR && b[i + 1] === LF) {
        i += 2;
        break;
      }
      const h = readLine(b, i);
      if (h.next < 0) return fail(`${command} frame ends in its headers`);
      const colon = h.line.indexOf(':');
      if (colon < 0) return { items, error: `${command} header line without a colon: "${h.line.slice(0, 40)}"` };
      const rawName = h.line.slice(0, colon);
      const rawValue = h.line.slice(colon + 1);
      const name = unescape ? unescapeHeader(rawName) : rawName;
      const value = unescape ? unescapeHeader(rawValue) : rawValue;
      if (name in headers) repeated = true;
      else headers[name] = value;
      list.push([name, value]);
      i = h.next;
    }
    const cl = headers['content-length'];
    let body: Uint8Array;
    if (cl !== undefined && /^\s*\d+\s*$/.test(cl)) {
      const len = Number(cl);
      if (i + len > n) {
        items.push(frameOf(command, headers, list, repeated, b.subarray(i)));
        return fail(`${command} content-length ${len} runs past the end of the message (${n - i} bytes left)`);
      }
      body = b.subarray(i, i + len);
      i += len;
      if (i >= n) {
        items.push(frameOf(command, headers, list, repeated, body));
        return fail(`${command} frame ends without its NUL`);
      }
      if (b[i] !== NUL) {
        items.push(frameOf(command, headers, list, repeated, body));
        return { items, error: `${command} frame: no NUL after the content-length ${len} body` };
      }
      i += 1;
    } else {
      const nul = indexOfByte(b, NUL, i);
      if (nul < 0) {
        items.push(frameOf(command, headers, list, repeated, b.subarray(i)));
        return fail(`${command} frame ends without its NUL`);
      }
      body = b.subarray(i, nul);
      i = nul + 1;
    }
    items.push(frameOf(command, headers, list, repeated, body));
  }
  return { items };
}

function frameOf(
  command: string,
  headers: Record<string, string>,
  list: [string, string][],
  repeated: boolean,
  body: Uint8Array,
): StompFrame {
  // A plain object (not null-prototype) for the views and `$.` paths.
  const f: StompFrame = { command, headers: { ...headers }, body };
  if (repeated) f.headerList = list;
  return f;
}

/** The body as a JSON tree, text, or bytes (undefined when empty). */
export function stompBodyValue(f: StompFrame): unknown {
  if (f.body.length === 0) return undefined;
  let text: string;
  try {
    text = utf8Strict.decode(f.body);
  } catch {
    return f.body.slice();
  }
  const ct = (f.headers['content-type'] ?? '').toLowerCase();
  const t = text.trimStart();
  if (ct.includes('json') || t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // not JSON after all: the text
    }
  }
  return text;
}

function summaryOf(f: StompFrame): string {
  const h = f.headers;
  const parts: string[] = [clip(f.command, 30)];
  // Header values may hold any character but NUL and LF (a CR in 1.0, escapes in 1.2): one line, cut.
  const add = (s: string | undefined) => {
    if (s !== undefined && s !== '') parts.push(clip(s));
  };
  switch (f.command) {
    case 'SEND':
    case 'MESSAGE':
      add(h.destination);
      break;
    case 'SUBSCRIBE':
      add(h.destination);
      if (h.id !== undefined) add(`id=${h.id}`);
      break;
    case 'UNSUBSCRIBE':
      if (h.id !== undefined) add(`id=${h.id}`);
      else add(h.destination);
      break;
    case 'CONNECT':
    case 'STOMP':
      add(h['accept-version']);
      break;
    case 'CONNECTED':
      add(h.version ?? '1.0');
      break;
    case 'RECEIPT':
      add(h['receipt-id']);
      break;
    case 'ERROR':
      add(h.message);
      break;
    case 'ACK':
    case 'NACK':
      add(h.id ?? h['message-id']);
      break;
    case 'BEGIN':
    case 'COMMIT':
    case 'ABORT':
      add(h.transaction);
      break;
  }
  if (h.receipt !== undefined) add(`receipt=${h.receipt}`);
  return parts.join(' ');
}

export const HEART_BEAT: DecodedMessage = { summary: 'heart-beat', kind: 'heart-beat', value: null };

/** One parsed item as a decoded message. */
export function stompMessage(item: StompItem): DecodedMessage {
  if (item === 'heart-beat') return { ...HEART_BEAT };
  const value: Record<string, unknown> = { command: item.command, headers: item.headers };
  if (item.headerList) value.headerList = item.headerList;
  const body = stompBodyValue(item);
  if (body !== undefined) value.body = body;
  const m: DecodedMessage = { summary: summaryOf(item), kind: item.command, value };
  const dest = item.headers.destination;
  if (dest !== undefined) m.names = { dest };
  const id = item.headers.receipt ?? item.headers['receipt-id'];
  if (id !== undefined) m.id = id;
  return m;
}

/** Whether to undo header escapes on a connection with this subprotocol. */
export function stompUnescapes(protocol: string): boolean {
  return protocol.toLowerCase() !== 'v10.stomp';
}

/** Decodes one STOMP message (text or bytes) into messages; the caller applies DECODE_LIMIT. */
export function decodeStompPayload(
  input: string | Uint8Array,
  opts: StompOptions = {},
): { messages: DecodedMessage[]; error?: string } {
  const p = parseStomp(input, opts);
  const out: { messages: DecodedMessage[]; error?: string } = { messages: p.items.map(stompMessage) };
  if (p.error) out.error = p.error;
  return out;
}

function limited(f: DecodeInput): { data: string | Uint8Array; truncated?: string } {
  if (f.text !== undefined) {
    if (f.text.length <= DECODE_LIMIT) return { data: f.text };
    return { data: f.text.slice(0, DECODE_LIMIT), truncated: `first ${DECODE_LIMIT} of ${f.text.length} characters` };
  }
  const b = f.bytes ?? new Uint8Array(0);
  if (b.length <= DECODE_LIMIT) return { data: b };
  return { data: b.subarray(0, DECODE_LIMIT), truncated: `first ${DECODE_LIMIT} of ${b.length} bytes` };
}

function headAscii(f: DecodeInput): string {
  if (f.text !== undefined) return f.text.slice(0, 64);
  const b = f.bytes;
  if (!b) return '';
  let s = '';
  for (let i = 0; i < Math.min(64, b.length); i++) s += String.fromCharCode(b[i]);
  return s;
}

export const stompDecoder: Decoder = {
  id: 'stomp',
  label: 'STOMP',
  subprotocols: ['v10.stomp', 'v11.stomp', 'v12.stomp'],
  sniff(f) {
    const head = headAscii(f);
    if (/^(?:\r?\n)*$/.test(head)) return undefined; // empty, or a heart-beat: cannot tell
    const m = /^(?:\r?\n)*([A-Z]{3,11})\r?\n/.exec(head);
    return m !== null && STOMP_COMMANDS.has(m[1]);
  },
  decode(f, ctx) {
    const { data, truncated } = limited(f);
    const r = decodeStompPayload(data, { unescape: stompUnescapes(ctx.protocol), truncated: truncated !== undefined });
    const out: Decoded = { proto: 'stomp', messages: r.messages };
    if (r.error) out.error = r.error;
    if (truncated) out.truncated = truncated;
    return out;
  },
};
