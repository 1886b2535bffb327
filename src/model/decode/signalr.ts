// ASP.NET Core SignalR: the JSON hub protocol (records ended by 0x1E) and the MessagePack hub protocol (each message
// a varint length then a MessagePack array), with the JSON handshake that opens both. MessagePack messages are given
// the JSON protocol's shape, so the same `$.` paths read both.
import { DECODE_LIMIT, type Decoded, type DecodedMessage, type Decoder, type DecodeInput } from './types';
import {
  MAX_MESSAGES, asId, clip, cutNote, decodeMsgpack, errorText, failed, frameText, headObject, headText, idText,
  isObject, msgpackArrayHead, parseJson, preview, scanHead,
} from './rpc-common';

const PROTO = 'signalr';
const RS = '\x1e';

const TYPE_NAMES = [
  '', 'Invocation', 'StreamItem', 'Completion', 'StreamInvocation', 'CancelInvocation', 'Ping', 'Close', 'Ack', 'Sequence',
];

/** The message a JSON-shaped record is; undefined when it is not one. */
function message(o: Record<string, unknown>): DecodedMessage | undefined {
  if (!('type' in o)) {
    // The handshake: the request names the protocol; the response is `{}` or carries an error.
    if (typeof o.protocol === 'string') {
      const v = typeof o.version === 'number' ? ` v${o.version}` : '';
      return { summary: `Handshake ${clip(o.protocol, 30)}${v}`, kind: 'HandshakeRequest', value: o };
    }
    const err = typeof o.error === 'string' ? ` error: ${clip(o.error)}` : ' OK';
    return { summary: `Handshake${err}`, kind: 'HandshakeResponse', value: o };
  }
  const type = o.type;
  if (typeof type !== 'number' || !(type >= 1 && type <= 9) || !Number.isInteger(type)) return undefined;
  const kind = TYPE_NAMES[type];
  const id = asId(o.invocationId);
  const at = id === undefined ? '' : ` ${idText(id)}`;
  const m: DecodedMessage = { summary: kind, kind, value: o };
  if (id !== undefined) m.id = id;
  switch (type) {
    case 1:
    case 4: {
      const target = typeof o.target === 'string' ? o.target : undefined;
      m.summary = `${kind}${target === undefined ? '' : ` ${clip(target)}`}${at}`;
      if (target !== undefined) {
        // A call without an invocation id expects no answer: from a server, that is a client event.
        m.names = id === undefined && type === 1 ? { method: target, event: target } : { method: target };
      }
      break;
    }
    case 2:
      m.summary = `${kind}${at}${'item' in o ? ` ${preview(o.item, 40)}` : ''}`;
      break;
    case 3:
      m.summary = `${kind}${at}${typeof o.error === 'string' ? ` error: ${clip(o.error)}` : ''}`;
      break;
    case 5:
      m.summary = `${kind}${at}`;
      break;
    case 7:
      m.summary = `${kind}${typeof o.error === 'string' ? ` error: ${clip(o.error)}` : ''}`;
      break;
    case 8:
    case 9:
      m.summary = `${kind}${typeof o.sequenceId === 'number' ? ` ${o.sequenceId}` : ''}`;
      break;
  }
  return m;
}

// ---- JSON hub protocol ----

/**
 * The JavaScript client writes `type` last: a record cut before it is named by what it carries (a target: an
 * Invocation, which could also be a StreamInvocation; an item: a StreamItem; a result or error: a Completion).
 */
function inferType(o: Record<string, unknown>): Record<string, unknown> {
  if ('type' in o) return o;
  if ('target' in o) return { ...o, type: 1 };
  if ('item' in o) return { ...o, type: 2 };
  if ('invocationId' in o && ('result' in o || 'error' in o)) return { ...o, type: 3 };
  return o;
}

function decodeJson(text: string, truncated: string | undefined): Decoded {
  const out: Decoded = { proto: PROTO, messages: [] };
  if (truncated) out.truncated = truncated;
  let pos = 0;
  while (pos < text.length) {
    if (out.messages.length >= MAX_MESSAGES) {
      out.truncated = `the first ${MAX_MESSAGES} messages`;
      break;
    }
    const end = text.indexOf(RS, pos);
    if (end < 0) {
      const rest = text.slice(pos);
      if (!rest.trim()) break;
      if (truncated) {
        // The record cut at DECODE_LIMIT: its head still names the message.
        const h = scanHead(text, pos, text.length - pos, 1);
        const o = h ? headObject(h) : {};
        const typed = inferType(o);
        const m = 'type' in typed ? message(typed) : undefined;
        // Without its type the record's invocation id may be cut away too: it is no sure client event.
        if (m && !('type' in o) && m.names?.method) m.names = { method: m.names.method };
        if (m) out.messages.push(m);
        else out.error = 'a record cut before its type';
      } else out.error = 'a record not ended by 0x1E';
      break;
    }
    const p = parseJson(text.slice(pos, end));
    if (!p.ok) {
      out.error = p.error;
      break;
    }
    const m = isObject(p.value) ? message(p.value) : undefined;
    if (!m) {
      out.error = 'not a SignalR message: no numeric type 1–9';
      break;
    }
    out.messages.push(m);
    pos = end + 1;
  }
  return out;
}

// ---- MessagePack hub protocol ----

/** The JSON protocol's shape of a MessagePack message array. */
function fromArray(a: unknown[]): Record<string, unknown> | undefined {
  const type = a[0];
  if (typeof type !== 'number' || !Number.isInteger(type) || type < 1 || type > 9) return undefined;
  const o: Record<string, unknown> = { type };
  const headers = () => {
    if (isObject(a[1]) && Object.keys(a[1]).length) o.headers = a[1];
  };
  const invocationId = () => {
    if (a[2] !== null && a[2] !== undefined) o.invocationId = a[2];
  };
  switch (type) {
    case 1:
    case 4:
      headers();
      invocationId();
      if (a[3] !== undefined) o.target = a[3];
      if (a[4] !== undefined) o.arguments = a[4];
      if (Array.isArray(a[5]) && a[5].length) o.streamIds = a[5];
      break;
    case 2:
      headers();
      invocationId();
      if (a[3] !== undefined) o.item = a[3];
      break;
    case 3:
      headers();
      invocationId();
      // Result kind: 1 error, 2 void, 3 a result.
      if (a[3] === 1) o.error = a[4];
      else if (a[3] === 3) o.result = a[4];
      break;
    case 5:
      headers();
      invocationId();
      break;
    case 7:
      if (a[1] !== null && a[1] !== undefined) o.error = a[1];
      if (typeof a[2] === 'boolean') o.allowReconnect = a[2];
      break;
    case 8:
    case 9:
      if (a[1] !== undefined) o.sequenceId = a[1];
      break;
  }
  return o;
}

/** A varint length prefix at p: [value, bytes it took], or undefined when cut or longer than 5 bytes. */
function readVarint(b: Uint8Array, p: number): [number, number] | undefined {
  let v = 0;
  for (let k = 0; k < 5; k++) {
    if (p + k >= b.length) return undefined;
    const c = b[p + k];
    v += (c & 0x7f) * 2 ** (7 * k);
    if (!(c & 0x80)) return [v, k + 1];
  }
  return undefined;
}

/** Whether a handshake (JSON, then 0x1E) opens these bytes: `{"` or `{}` cannot start a length-prefixed message. */
function startsWithHandshake(b: Uint8Array): boolean {
  return b[0] === 0x7b && (b[1] === 0x22 || b[1] === 0x7d);
}

function decodeBinary(all: Uint8Array): Decoded {
  const out: Decoded = { proto: PROTO, messages: [] };
  const cut = all.length > DECODE_LIMIT;
  const b = cut ? all.subarray(0, DECODE_LIMIT) : all;
  if (cut) out.truncated = cutNote(DECODE_LIMIT, all.length, 'bytes');
  let pos = 0;
  if (startsWithHandshake(b)) {
    const end = b.indexOf(0x1e);
    if (end < 0) {
      out.error = 'a handshake not ended by 0x1E';
      return out;
    }
    const r = decodeJson(new TextDecoder().decode(b.subarray(0, end + 1)), undefined);
    out.messages.push(...r.messages);
    if (r.error) {
      out.error = r.error;
      return out;
    }
    pos = end + 1;
  }
  while (pos < b.length) {
    if (out.messages.length >= MAX_MESSAGES) {
      out.truncated = `the first ${MAX_MESSAGES} messages`;
      break;
    }
    const vi = readVarint(b, pos);
    if (!vi) {
      if (!cut) out.error = 'a bad length prefix';
      break;
    }
    const [len, size] = vi;
    const start = pos + size;
    if (start + len > b.length) {
      if (cut) {
        // The message cut at DECODE_LIMIT: its first elements still name it.
        const h = msgpackArrayHead(b, start, 4);
        const o = h && fromArray(h.items.map((x) => (typeof x === 'symbol' ? undefined : x)));
        const m = o && message(o);
        if (m) out.messages.push(m);
      } else out.error = `a message of ${len} bytes where ${b.length - start} remain`;
      break;
    }
    let v: unknown;
    try {
      v = decodeMsgpack(b.subarray(start, start + len));
    } catch (e) {
      out.error = `bad MessagePack: ${errorText(e)}`;
      break;
    }
    const o = Array.isArray(v) ? fromArray(v) : undefined;
    const m = o && message(o);
    if (!m) {
      out.error = 'not a SignalR message: no array with a type 1–9';
      break;
    }
    out.messages.push(m);
    pos = start + len;
  }
  return out;
}

// ---- Detection ----

const SNIFF_CHARS = 512;
/** How many elements each MessagePack message type has (optional trailing ones included). */
const ARITY: Record<number, number[]> = { 1: [5, 6], 2: [4], 3: [4, 5], 4: [5, 6], 5: [3], 6: [1], 7: [2, 3], 8: [2], 9: [2] };

function sniffBinary(b: Uint8Array): boolean {
  if (startsWithHandshake(b)) {
    const t = headText({ opcode: 2, dir: 'received', bytes: b }, SNIFF_CHARS) ?? '';
    const h = scanHead(t, 0, SNIFF_CHARS, 1);
    return !!h && h.complete && t.charCodeAt(h.end) === 0x1e && (h.fields.size === 0 || h.fields.has('error'));
  }
  // A chain of length-prefixed arrays, each with a known type and arity, ending at the frame's end.
  let pos = 0;
  for (let k = 0; k < 16 && pos < b.length; k++) {
    const vi = readVarint(b, pos);
    if (!vi) return false;
    const start = pos + vi[1];
    const head = b[start];
    const type = b[start + 1];
    if (vi[0] < 2 || head < 0x91 || head > 0x9f || !(ARITY[type]?.includes(head & 0x0f) ?? false)) return false;
    pos = start + vi[0];
    if (pos > b.length) return false;
  }
  return true;
}

function sniff(f: DecodeInput): boolean | undefined {
  if (f.bytes && f.text === undefined) return f.bytes.length ? sniffBinary(f.bytes) : undefined;
  const text = f.text;
  if (text === undefined || !text.length) return undefined;
  // Every frame of the JSON protocol ends a record; the handshake request is one even in the MessagePack protocol.
  if (text.charCodeAt(text.length - 1) !== 0x1e) return false;
  const t = text.length > SNIFF_CHARS ? text.slice(0, SNIFF_CHARS) : text;
  const h = scanHead(t, 0, SNIFF_CHARS, 1);
  if (!h || (h.complete && t.charCodeAt(h.end) !== 0x1e)) return false;
  const type = h.fields.get('type');
  if (typeof type === 'number') return Number.isInteger(type) && type >= 1 && type <= 9 ? true : false;
  if (typeof h.fields.get('protocol') === 'string' && typeof h.fields.get('version') === 'number') return true;
  if (h.complete) return h.fields.size === 0 || (h.fields.size === 1 && typeof h.fields.get('error') === 'string');
  return undefined;
}

export const signalrDecoder: Decoder = {
  id: PROTO,
  label: 'SignalR',
  sniff,
  decode(f) {
    try {
      if (f.bytes && f.text === undefined) return decodeBinary(f.bytes);
      const r = frameText(f);
      if (!r) return { proto: PROTO, messages: [], error: 'no payload' };
      return decodeJson(r.text, r.truncated);
    } catch (e) {
      return failed(PROTO, e);
    }
  },
};
