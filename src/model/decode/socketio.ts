// Engine.IO (v3, v4) and Socket.IO (protocol 4 of socket.io 2.x, protocol 5 of socket.io 3+/4) over WebSocket.
//
// Engine.IO: a text frame is one packet, its first character the type: 0 open (JSON handshake), 1 close, 2 ping,
// 3 pong, 4 message, 5 upgrade, 6 noop; `2probe` / `3probe` are the upgrade probe. `b<base64>` (v3: `b4<base64>`) is
// a binary message sent as text. A binary frame is a binary message: raw bytes in v4, a 0x04 type byte first in v3
// (told by `EIO=3` in the URL; v4 otherwise).
//
// Socket.IO, inside a message: `<type>[<attachments>-][<nsp>,][<ack id>][<JSON>]`, type 0 CONNECT, 1 DISCONNECT,
// 2 EVENT, 3 ACK, 4 CONNECT_ERROR (ERROR in protocol 4), 5 BINARY_EVENT, 6 BINARY_ACK. A binary packet's JSON holds
// `{"_placeholder":true,"num":i}` where attachment i goes; the attachments are the next frames of the same connection
// and direction. Decoding the packet joins them (ctx.sibling(+1…+N)) into args in place of the placeholders; decoding
// an attachment looks back (ctx.sibling(-1…-64)) for its packet and says `attachment 1/2 of EVENT upload`. A binary
// frame that is no attachment is an Engine.IO binary message. A message that is no Socket.IO packet is shown as an
// Engine.IO message (plain engine.io).
//
// What a message says:
// - summary: `open sid=…`, `ping`, `pong probe`, `EVENT chat`, `EVENT chat ack 12`, `ACK 12`, `CONNECT /admin`,
//   `EVENT upload ack 3 (2 attachments)`; a namespace other than `/` comes first: `/admin EVENT chat`.
// - kind: the Engine.IO packet type in lower case ('open', 'ping', 'message'…) or the Socket.IO type in capitals
//   ('EVENT', 'BINARY_EVENT'…); 'attachment' for an attachment frame.
// - names.event: the event name (on the packet and its attachments); id: the ack id.
// - value: Engine.IO `{ type, data? }`; Socket.IO `{ type, nsp, event?, args?, data?, id?, attachments? }`;
//   attachment `{ type: 'attachment', index, of, packet: { type, nsp, event?, id? }, data: bytes }`.
import type { Decoded, DecodedMessage, Decoder, DecodeContext, DecodeInput, RawJson } from './types';
import { MISSING, type Segment } from '../query/json-path';
import { DECODE_LIMIT, oneLine } from './types';
import { base64ToBytes } from '../bytes';
import { jsonShape, NOT_TOLD } from '../query/json-valid';
import { socketioQuickPair } from '../pairs/quick';

const EIO_TYPES = ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'] as const;
const SIO_TYPES = ['CONNECT', 'DISCONNECT', 'EVENT', 'ACK', 'CONNECT_ERROR', 'BINARY_EVENT', 'BINARY_ACK'] as const;
type SioType = (typeof SIO_TYPES)[number] | 'ERROR';

/** How far back an attachment looks for its packet, and the most attachments joined into one packet. */
export const ATTACHMENT_REACH = 64;

const SUMMARY_CHARS = 120;
const NAME_CHARS = 60;

/** A name the page chose (namespace, event, sid) as a summary shows it: one line, cut. */
function shown(s: string): string {
  return oneLine(s, NAME_CHARS);
}

/** The Engine.IO protocol version the URL asks for: 3 with `EIO=3`, else 4. */
export function eioVersion(url: string): 3 | 4 {
  return /[?&]EIO=3(?:&|#|$)/.test(url) ? 3 : 4;
}

const SIO_URL = /\/socket\.io\/|[?&]EIO=\d/;

interface SioHeader {
  type: SioType;
  nsp: string;
  id?: number;
  attachments?: number;
  /** Where the JSON starts ('' when none). */
  json: string;
}

/** Parses a Socket.IO packet's header (as socket.io-parser does); a string says why `s` is none. */
function parseSioHeader(s: string, eio: 3 | 4): SioHeader | string {
  const t = s.charCodeAt(0) - 48;
  if (!(t >= 0 && t <= 6)) return 'no Socket.IO packet type';
  const type: SioType = t === 4 && eio === 3 ? 'ERROR' : SIO_TYPES[t];
  let i = 1;
  const h: SioHeader = { type, nsp: '/', json: '' };
  if (t === 5 || t === 6) {
    const dash = s.indexOf('-', 1);
    const n = dash > 1 ? s.slice(1, dash) : '';
    if (!/^\d{1,9}$/.test(n)) return 'binary packet without its attachment count';
    h.attachments = Number(n);
    i = dash + 1;
  }
  if (s[i] === '/') {
    const comma = s.indexOf(',', i);
    const end = comma < 0 ? s.length : comma;
    h.nsp = s.slice(i, end);
    i = comma < 0 ? s.length : comma + 1;
  }
  const idMatch = /^\d+/.exec(s.slice(i, i + 20));
  if (idMatch) {
    h.id = Number(idMatch[0]);
    i += idMatch[0].length;
  }
  h.json = s.slice(i);
  return h;
}

const EVENT_NAME = /^\[\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?)/;

/** The event name from the start of an EVENT's JSON, without parsing all of it. */
function eventNameOf(json: string): string | undefined {
  const m = EVENT_NAME.exec(json.slice(0, 512));
  if (!m) return undefined;
  try {
    return String(JSON.parse(m[1]));
  } catch {
    return undefined;
  }
}

function nspPrefix(nsp: string): string {
  return nsp === '/' ? '' : shown(nsp) + ' ';
}

function isEvent(t: SioType): boolean {
  return t === 'EVENT' || t === 'BINARY_EVENT';
}

/** `EVENT upload`, `ACK 3`, with the namespace first when not `/`: what a packet and its attachments say. */
function packetLabel(h: { type: SioType; nsp: string; id?: number }, event: string | undefined): string {
  if (isEvent(h.type)) return `${nspPrefix(h.nsp)}EVENT${event !== undefined ? ' ' + shown(event) : ''}`;
  return `${nspPrefix(h.nsp)}ACK${h.id !== undefined ? ' ' + h.id : ''}`;
}

/** The bytes of an attachment frame, or undefined when the frame is no attachment. */
function attachmentBytes(f: DecodeInput, eio: 3 | 4): Uint8Array | undefined {
  if (f.bytes !== undefined && f.text === undefined) {
    if (eio === 3) return f.bytes[0] === 4 ? f.bytes.subarray(1) : undefined;
    return f.bytes;
  }
  const t = f.text;
  if (t === undefined) return undefined;
  const prefix = eio === 3 ? 'b4' : 'b';
  if (!t.startsWith(prefix)) return undefined;
  try {
    return base64ToBytes(t.slice(prefix.length));
  } catch {
    return undefined;
  }
}

function isAttachmentShaped(f: DecodeInput, eio: 3 | 4): boolean {
  if (f.text === undefined) return f.bytes !== undefined;
  return f.text.startsWith(eio === 3 ? 'b4' : 'b');
}

/** Replaces `{_placeholder:true,num:i}` by bytes[i] where known, in place (`v` is a tree this decoder parsed). */
function fillPlaceholders(v: unknown, bytes: (Uint8Array | undefined)[], depth = 0): unknown {
  if (depth > 64 || v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if (!Array.isArray(v) && o._placeholder === true && typeof o.num === 'number') return bytes[o.num] ?? o;
  for (const k of Object.keys(o)) {
    const x = o[k];
    if (x === null || typeof x !== 'object') continue;
    const y = fillPlaceholders(x, bytes, depth + 1);
    // defineProperty: a key named __proto__ (JSON.parse makes it an own key) stays a key.
    if (y !== x) Object.defineProperty(o, k, { value: y, writable: true, enumerable: true, configurable: true });
  }
  return v;
}

interface Owner {
  index: number;
  of: number;
  header: SioHeader;
  event?: string;
}

/** Looks back for the binary packet this frame is an attachment of. */
function findOwner(ctx: DecodeContext, eio: 3 | 4): Owner | undefined {
  for (let k = 1; k <= ATTACHMENT_REACH; k++) {
    const s = ctx.sibling(-k);
    if (!s) return undefined;
    if (isAttachmentShaped(s, eio)) continue;
    const t = s.text;
    if (t === undefined || t[0] !== '4') return undefined;
    const h = parseSioHeader(t.slice(1), eio);
    if (typeof h === 'string' || h.attachments === undefined || k > h.attachments) return undefined;
    const owner: Owner = { index: k, of: h.attachments, header: h };
    if (isEvent(h.type)) owner.event = eventNameOf(h.json);
    return owner;
  }
  return undefined;
}

function binaryMessage(bytes: Uint8Array, ctx: DecodeContext, eio: 3 | 4, asText: boolean): DecodedMessage {
  const owner = findOwner(ctx, eio);
  if (owner) {
    const h = owner.header;
    const packet: Record<string, unknown> = { type: h.type, nsp: h.nsp };
    if (owner.event !== undefined) packet.event = owner.event;
    if (h.id !== undefined) packet.id = h.id;
    const m: DecodedMessage = {
      summary: `attachment ${owner.index}/${owner.of} of ${packetLabel(h, owner.event)}`,
      kind: 'attachment',
      value: { type: 'attachment', index: owner.index, of: owner.of, packet, data: bytes },
    };
    if (owner.event !== undefined) m.names = { event: owner.event };
    if (h.id !== undefined) m.id = h.id;
    return m;
  }
  return {
    summary: `binary message (${bytes.length} byte${bytes.length === 1 ? '' : 's'}${asText ? ', base64' : ''})`,
    kind: 'message',
    value: { type: 'message', data: bytes },
  };
}

function sioMessage(
  h: SioHeader,
  ctx: DecodeContext,
  eio: 3 | 4,
  errors: string[],
  cut: boolean,
): DecodedMessage | undefined {
  let data: unknown;
  if (h.json !== '') {
    try {
      data = JSON.parse(h.json) as unknown;
    } catch {
      // A huge event cut at DECODE_LIMIT: its name and ack id still tell what it is.
      const event = cut && isEvent(h.type) ? eventNameOf(h.json) : undefined;
      if (event === undefined) return undefined;
      errors.push('the JSON is cut short: args not decoded');
      const value: Record<string, unknown> = { type: h.type, nsp: h.nsp, event };
      const m: DecodedMessage = { summary: `${nspPrefix(h.nsp)}EVENT ${shown(event)}`, kind: h.type, names: { event }, value };
      if (h.id !== undefined) {
        value.id = h.id;
        m.id = h.id;
        m.summary += ` ack ${h.id}`;
      }
      if (h.attachments !== undefined) value.attachments = h.attachments;
      return m;
    }
  }
  const value: Record<string, unknown> = { type: h.type, nsp: h.nsp };
  const m: DecodedMessage = { summary: '', kind: h.type, value };
  if (h.id !== undefined) {
    value.id = h.id;
    m.id = h.id;
  }
  const pre = nspPrefix(h.nsp);
  switch (h.type) {
    case 'CONNECT':
      if (data !== undefined) value.data = data;
      m.summary = `CONNECT ${shown(h.nsp)}`;
      break;
    case 'DISCONNECT':
      if (data !== undefined) value.data = data;
      m.summary = `DISCONNECT ${shown(h.nsp)}`;
      break;
    case 'CONNECT_ERROR':
    case 'ERROR': {
      value.data = data;
      const why =
        typeof data === 'string'
          ? data
          : data !== null && typeof data === 'object' && typeof (data as { message?: unknown }).message === 'string'
            ? (data as { message: string }).message
            : '';
      m.summary = `${h.type} ${shown(h.nsp)}${why ? ' ' + oneLine(why, SUMMARY_CHARS) : ''}`;
      break;
    }
    case 'EVENT':
    case 'BINARY_EVENT':
    case 'ACK':
    case 'BINARY_ACK': {
      if (!Array.isArray(data)) return undefined;
      let args: unknown[] = data;
      if (h.attachments !== undefined) {
        value.attachments = h.attachments;
        const want = Math.min(h.attachments, ATTACHMENT_REACH);
        const bytes: (Uint8Array | undefined)[] = [];
        for (let k = 1; k <= want; k++) {
          const s = ctx.sibling(k);
          if (!s) break; // not captured (yet), or no longer held: placeholders stay
          const b = attachmentBytes(s, eio);
          if (!b) {
            errors.push(`attachment ${k}/${h.attachments} missing: the next frame is no binary`);
            break;
          }
          bytes[k - 1] = b;
        }
        args = fillPlaceholders(data, bytes) as unknown[];
      }
      const more = h.attachments !== undefined ? ` (${h.attachments} attachment${h.attachments === 1 ? '' : 's'})` : '';
      if (isEvent(h.type)) {
        const first = args[0];
        const event = typeof first === 'string' || typeof first === 'number' ? String(first) : undefined;
        if (event !== undefined) {
          value.event = event;
          m.names = { event };
        }
        value.args = args.slice(1);
        const ack = h.id !== undefined ? ` ack ${h.id}` : '';
        m.summary = `${pre}EVENT${event !== undefined ? ' ' + shown(event) : ''}${ack}${more}`;
      } else {
        value.args = args;
        m.summary = `${pre}ACK${h.id !== undefined ? ' ' + h.id : ''}${more}`;
      }
      break;
    }
  }
  return m;
}

function decodeText(
  text: string,
  ctx: DecodeContext,
  eio: 3 | 4,
  errors: string[],
  cut: boolean,
): DecodedMessage | undefined {
  if (text[0] === 'b') {
    const prefix = eio === 3 ? 'b4' : 'b';
    const b = attachmentBytes({ opcode: 1, dir: 'sent', text }, eio);
    if (!b || !text.startsWith(prefix)) {
      errors.push('bad base64 binary packet');
      return undefined;
    }
    return binaryMessage(b, ctx, eio, true);
  }
  const t = text.charCodeAt(0) - 48;
  if (!(t >= 0 && t <= 6)) {
    errors.push(`not an Engine.IO packet (starts with ${JSON.stringify(text.slice(0, 8))})`);
    return undefined;
  }
  const type = EIO_TYPES[t];
  const rest = text.slice(1);
  switch (type) {
    case 'open': {
      let data: unknown = rest;
      try {
        data = JSON.parse(rest) as unknown;
      } catch {
        errors.push('open packet without its JSON handshake');
      }
      const sid =
        data !== null && typeof data === 'object' ? (data as { sid?: unknown }).sid : undefined;
      return { summary: typeof sid === 'string' ? `open sid=${shown(sid)}` : 'open', kind: 'open', value: { type, data } };
    }
    case 'message': {
      const h = parseSioHeader(rest, eio);
      if (typeof h !== 'string') {
        const m = sioMessage(h, ctx, eio, errors, cut);
        if (m) return m;
      }
      return {
        summary: rest === '' ? 'message (empty)' : `message ${oneLine(rest, SUMMARY_CHARS)}`,
        kind: 'message',
        value: { type, data: rest },
      };
    }
    default: {
      const value: Record<string, unknown> = { type };
      if (rest !== '') value.data = rest;
      return { summary: rest !== '' ? `${type} ${oneLine(rest, SUMMARY_CHARS)}` : type, kind: type, value };
    }
  }
}

/**
 * An EVENT's name read from its text without parsing it: the header skipped as parseSioHeader does, a first argument
 * that is a string without escapes, and JSON known to parse (`parsesAt`: what the frame learnt of it; else the grammar
 * tells, as JSON.parse would); undefined otherwise.
 */
function quickEventName(t: string, parsesAt?: (at: number) => boolean): string | null | undefined {
  if (t.length > DECODE_LIMIT) return undefined;
  if (t.charCodeAt(0) !== 52 /* 4 */) return t[0] === 'b' ? undefined : null;
  const type = t.charCodeAt(1);
  if (type !== 50 /* 2 */ && type !== 53 /* 5 */) return null;
  let i = 2;
  if (type === 53) {
    const dash = t.indexOf('-', 2);
    if (dash < 3 || dash > 11) return undefined;
    for (; i < dash; i++) if (t.charCodeAt(i) < 48 || t.charCodeAt(i) > 57) return undefined;
    i = dash + 1;
  }
  if (t.charCodeAt(i) === 47 /* / */) {
    const comma = t.indexOf(',', i);
    if (comma < 0) return null; // a namespace and no JSON: no event
    i = comma + 1;
  }
  for (let k = 0; k < 20; k++, i++) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) break;
  }
  if (t.charCodeAt(i) !== 91 /* [ */ || t.charCodeAt(i + 1) !== 34 /* " */) return undefined;
  const end = t.indexOf('"', i + 2);
  if (end < 0) return undefined;
  const name = t.slice(i + 2, end);
  if (name.includes('\\')) return undefined;
  // The name counts only in JSON that parses (as decode has it): the frame's memo tells where the text was learnt.
  if (parsesAt ? !parsesAt(i) : jsonShape(i === 2 ? t.slice(2) : t.slice(i)) === NOT_TOLD) return undefined;
  return name;
}

/**
 * Where the JSON of an EVENT (type 2) or ACK (type 3) starts in a text frame, the header skipped as parseSioHeader
 * does: -1 when the frame's message has no args (another packet, or no Socket.IO packet), -2 when this cannot tell
 * quickly (binary packets, whose placeholders become attachments; frames past DECODE_LIMIT).
 */
function argsJsonAt(t: string): number {
  if (t.length > DECODE_LIMIT) return -2;
  if (t.charCodeAt(0) !== 52 /* 4 */) return -1;
  const type = t.charCodeAt(1);
  if (type === 53 || type === 54) return -2;
  if (type !== 50 && type !== 51) return -1;
  let i = 2;
  if (t.charCodeAt(i) === 47 /* / */) {
    const comma = t.indexOf(',', i);
    if (comma < 0) return -1; // a namespace and no JSON
    i = comma + 1;
  }
  for (let k = 0; k < 20; k++, i++) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) break;
  }
  return i;
}

/** `$.args[n]…` read in place: element n+1 of an EVENT's JSON (the first is its name), element n of an ACK's. */
function quickArgs(segs: readonly Segment[], raw: RawJson): ((f: DecodeInput) => unknown) | undefined {
  if (segs[0] !== 'args' || typeof segs[1] !== 'number') return undefined;
  const rest = segs.slice(2);
  const inEvent = raw.prepare([segs[1] + 1, ...rest]);
  const inAck = raw.prepare([segs[1], ...rest]);
  return (f) => {
    const t = f.text;
    // A binary frame is an Engine.IO binary message or an attachment: neither has args.
    if (t === undefined) return MISSING;
    const at = argsJsonAt(t);
    if (at === -2) return undefined;
    if (at === -1) return MISSING;
    return raw.read(f, at, t.charCodeAt(1) === 50 ? inEvent : inAck);
  };
}

export const socketioDecoder: Decoder = {
  quickPair: socketioQuickPair,
  quickPath: quickArgs,
  quickName(f, field, raw) {
    if (field !== 'event') return null;
    return f.text === undefined ? undefined : quickEventName(f.text, raw && ((at) => raw.parses(f, at)));
  },
  id: 'socketio',
  label: 'Socket.IO',
  sniff(f, url) {
    const t = f.text;
    if (t === undefined) return undefined;
    if (t.startsWith('0{"sid":')) return true;
    if (SIO_URL.test(url)) return /^[0-6b]/.test(t);
    return /^[0-6b]/.test(t) ? undefined : false;
  },
  decode(f, ctx) {
    const eio = eioVersion(ctx.url);
    const out: Decoded = { proto: 'socketio', messages: [] };
    const errors: string[] = [];
    if (f.text !== undefined) {
      let text = f.text;
      if (text.length > DECODE_LIMIT) {
        out.truncated = `first ${DECODE_LIMIT} of ${text.length} characters`;
        text = text.slice(0, DECODE_LIMIT);
      }
      if (text === '') errors.push('empty frame: no Engine.IO packet');
      else {
        const m = decodeText(text, ctx, eio, errors, out.truncated !== undefined);
        if (m) out.messages.push(m);
      }
    } else if (f.bytes !== undefined) {
      let bytes = f.bytes;
      if (bytes.length > DECODE_LIMIT) {
        out.truncated = `first ${DECODE_LIMIT} of ${bytes.length} bytes`;
        bytes = bytes.subarray(0, DECODE_LIMIT);
      }
      if (eio === 3) {
        if (bytes[0] !== 4) errors.push('Engine.IO v3 binary packet without its message type byte');
        else out.messages.push(binaryMessage(bytes.subarray(1), ctx, eio, false));
      } else out.messages.push(binaryMessage(bytes, ctx, eio, false));
    }
    if (errors.length) out.error = errors.join('; ');
    return out;
  },
};
