// Helpers shared by the JSON-RPC, GraphQL WS, SignalR, ActionCable and WAMP decoders: reading a frame's text within
// DECODE_LIMIT, a bounded scan of a JSON head (for sniffing and for frames too large to parse), short previews for
// summaries, and MessagePack decoding that yields plain data. Pure.
import { Decoder as MsgpackDecoder, ExtensionCodec, decodeTimestampToTimeSpec } from '@msgpack/msgpack';
import { DECODE_LIMIT, oneLine, type Decoded, type DecodeInput } from './types';

/** The most messages one frame yields: a batch of tiny elements must not make an unbounded list. */
export const MAX_MESSAGES = 1000;

const UTF8 = new TextDecoder('utf-8', { fatal: false });

export interface TextRead {
  text: string;
  /** Set when the frame was longer than DECODE_LIMIT and `text` is its first part. */
  truncated?: string;
}

/** The frame's text (binary frames read as UTF-8), cut at DECODE_LIMIT. */
export function frameText(f: DecodeInput): TextRead | undefined {
  if (typeof f.text === 'string') {
    if (f.text.length <= DECODE_LIMIT) return { text: f.text };
    return { text: f.text.slice(0, DECODE_LIMIT), truncated: cutNote(DECODE_LIMIT, f.text.length, 'characters') };
  }
  if (f.bytes) {
    const n = Math.min(f.bytes.length, DECODE_LIMIT);
    const text = UTF8.decode(f.bytes.subarray(0, n));
    return n < f.bytes.length ? { text, truncated: cutNote(n, f.bytes.length, 'bytes') } : { text };
  }
  return undefined;
}

/** The first `max` characters of a frame's text (or of its bytes read as UTF-8): what sniffing looks at. */
export function headText(f: DecodeInput, max: number): string | undefined {
  if (typeof f.text === 'string') return f.text.length <= max ? f.text : f.text.slice(0, max);
  if (f.bytes) return UTF8.decode(f.bytes.subarray(0, Math.min(f.bytes.length, max)));
  return undefined;
}

export function cutNote(read: number, total: number, unit: 'characters' | 'bytes'): string {
  return `decoded the first ${read} of ${total} ${unit}`;
}

/** A Decoded that says what went wrong, for a decoder's last-resort catch. */
export function failed(proto: string, e: unknown, messages: Decoded['messages'] = []): Decoded {
  return { proto, messages, error: errorText(e) };
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}

/** A JSON.parse that reports instead of throwing. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, error: `not JSON: ${errorText(e)}` };
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** Text for one line: control characters folded to spaces, cut with an ellipsis. */
export function clip(s: string, max = 60): string {
  return oneLine(s, max - 1);
}

/** Characters of an id a summary shows: a UUID (graphql-ws, many RPC clients) is told apart by its start. */
const ID_CHARS = 13;

/** An id as the summaries show it: `#7`, `#abc`, `#25e83dc0-88b…`. */
export function idText(id: unknown): string {
  // Not String(id): a parsed object may carry a `toString` member that is no function.
  return `#${typeof id === 'string' ? clip(id, ID_CHARS) : preview(id, ID_CHARS)}`;
}

/** An id the protocol carries, when it is one `DecodedMessage.id` can hold. */
export function asId(v: unknown): string | number | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'bigint') return v.toString();
  return undefined;
}

const PREVIEW_DEPTH = 6;

/** Compact JSON-like text of a value, stopping once it passes `max` characters (so a huge value costs little). */
export function preview(v: unknown, max = 60): string {
  let out = '';
  const walk = (x: unknown, depth: number): void => {
    if (out.length > max) return;
    if (x === null || typeof x === 'number' || typeof x === 'boolean') out += String(x);
    else if (x === undefined) out += 'undefined';
    else if (typeof x === 'string') out += JSON.stringify(x.length > max ? x.slice(0, max) : x);
    else if (typeof x === 'bigint') out += x.toString();
    else if (x instanceof Uint8Array) out += `<${x.length} bytes>`;
    else if (depth >= PREVIEW_DEPTH) out += Array.isArray(x) ? '[…]' : '{…}';
    else if (Array.isArray(x)) {
      out += '[';
      for (let i = 0; i < x.length && out.length <= max; i++) {
        if (i) out += ',';
        walk(x[i], depth + 1);
      }
      out += ']';
    } else if (typeof x === 'object') {
      out += '{';
      let first = true;
      for (const k in x) {
        if (!Object.prototype.hasOwnProperty.call(x, k)) continue;
        if (out.length > max) break;
        if (!first) out += ',';
        first = false;
        out += JSON.stringify(k.length > max ? k.slice(0, max) : k) + ':';
        walk((x as Record<string, unknown>)[k], depth + 1);
      }
      out += '}';
    } else out += typeof x;
  };
  walk(v, 0);
  return clip(out, max);
}

// ---- A bounded scan of a JSON head ----

/** What `scanHead` records for a member or element whose value is an object / an array (it does not copy them). */
export const OBJECT = Symbol('object');
export const ARRAY = Symbol('array');
/** A string that was cut where the scan stopped. */
export const CUT = Symbol('cut');
export type HeadValue = string | number | boolean | null | typeof OBJECT | typeof ARRAY | typeof CUT;

export interface Head {
  /** Dotted paths (`method`, `error.code`, `0`, `payload.query`) to the primitives read, and markers for containers. */
  fields: Map<string, HeadValue>;
  /** The top-level value closed within the scan. */
  complete: boolean;
  /** Index just past the top-level value when complete. */
  end: number;
}

interface ScanState {
  t: string;
  i: number;
  end: number;
  fields: Map<string, HeadValue>;
}

const isWs = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9;

function skipWs(s: ScanState): void {
  while (s.i < s.end && isWs(s.t.charCodeAt(s.i))) s.i++;
}

/** Index of the closing quote of the string opening at i, or -1 when it does not close before `end`. */
function stringEnd(t: string, i: number, end: number): number {
  for (let j = i + 1; j < end; j++) {
    const c = t.charCodeAt(j);
    if (c === 34) return j;
    if (c === 92) j++;
  }
  return -1;
}

/** Skips an object or array without recording it: a counting loop, so nesting depth costs nothing. */
function skipContainer(s: ScanState): boolean {
  let depth = 0;
  for (let j = s.i; j < s.end; j++) {
    const c = s.t.charCodeAt(j);
    if (c === 34) {
      j = stringEnd(s.t, j, s.end);
      if (j < 0) return false;
    } else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      if (--depth === 0) {
        s.i = j + 1;
        return true;
      }
    }
  }
  return false;
}

/** Reads one value at s.i, recording it under `path` (when it has one) and its members down `depth` more levels. */
function scanValue(s: ScanState, path: string, depth: number): boolean {
  skipWs(s);
  if (s.i >= s.end) return false;
  const t = s.t;
  const c = t.charCodeAt(s.i);
  if (c === 123 || c === 91) {
    if (path) s.fields.set(path, c === 123 ? OBJECT : ARRAY);
    if (depth <= 0) return skipContainer(s);
    return c === 123 ? scanObject(s, path, depth) : scanArray(s, path, depth);
  }
  if (c === 34) {
    const e = stringEnd(t, s.i, s.end);
    if (e < 0) {
      if (path) s.fields.set(path, CUT);
      return false;
    }
    if (path) {
      try {
        s.fields.set(path, JSON.parse(t.slice(s.i, e + 1)) as string);
      } catch {
        return false; // a bad escape or a raw control character: not JSON
      }
    }
    s.i = e + 1;
    return true;
  }
  let j = s.i;
  while (j < s.end) {
    const d = t.charCodeAt(j);
    if (d === 44 || d === 125 || d === 93 || isWs(d)) break;
    j++;
  }
  if (j >= s.end) return false; // the token may go on past what is read
  const tok = t.slice(s.i, j);
  let v: HeadValue;
  if (tok === 'true') v = true;
  else if (tok === 'false') v = false;
  else if (tok === 'null') v = null;
  else if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(tok)) v = Number(tok);
  else return false;
  if (path) s.fields.set(path, v);
  s.i = j;
  return true;
}

function scanObject(s: ScanState, path: string, depth: number): boolean {
  s.i++; // {
  skipWs(s);
  if (s.i < s.end && s.t.charCodeAt(s.i) === 125) {
    s.i++;
    return true;
  }
  for (;;) {
    skipWs(s);
    if (s.i >= s.end || s.t.charCodeAt(s.i) !== 34) return false;
    const e = stringEnd(s.t, s.i, s.end);
    if (e < 0) return false;
    let key: string;
    try {
      key = JSON.parse(s.t.slice(s.i, e + 1)) as string;
    } catch {
      return false; // a bad escape: not JSON
    }
    s.i = e + 1;
    skipWs(s);
    if (s.i >= s.end || s.t.charCodeAt(s.i) !== 58) return false;
    s.i++;
    if (!scanValue(s, path ? `${path}.${key}` : key, depth - 1)) return false;
    skipWs(s);
    if (s.i >= s.end) return false;
    const c = s.t.charCodeAt(s.i++);
    if (c === 125) return true;
    if (c !== 44) return false;
  }
}

function scanArray(s: ScanState, path: string, depth: number): boolean {
  s.i++; // [
  skipWs(s);
  if (s.i < s.end && s.t.charCodeAt(s.i) === 93) {
    s.i++;
    return true;
  }
  for (let k = 0; ; k++) {
    if (!scanValue(s, path ? `${path}.${k}` : String(k), depth - 1)) return false;
    skipWs(s);
    if (s.i >= s.end) return false;
    const c = s.t.charCodeAt(s.i++);
    if (c === 93) return true;
    if (c !== 44) return false;
  }
}

/**
 * Reads the object or array that starts at `from` (after whitespace), looking at no more than `max` characters:
 * primitives down `depth` levels are recorded by dotted path; deeper values are skipped. Undefined when the text
 * there is not an object or an array. It stops, incomplete, at the end of what it may read or at anything not JSON.
 */
export function scanHead(t: string, from = 0, max = 512, depth = 1): Head | undefined {
  const s: ScanState = { t, i: from, end: Math.min(t.length, from + max), fields: new Map() };
  skipWs(s);
  const c = t.charCodeAt(s.i);
  if (s.i >= s.end || (c !== 123 && c !== 91)) return undefined;
  const complete = c === 123 ? scanObject(s, '', depth) : scanArray(s, '', depth);
  return { fields: s.fields, complete, end: complete ? s.i : -1 };
}

/**
 * The head rebuilt as plain data (what a cut frame's `value` shows): primitives as read, objects and arrays with what
 * was read of them, and '…' for those whose members were not read.
 */
export function headObject(h: Head): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, v] of h.fields) {
    const parts = path.split('.');
    // Assigning these would reach a prototype, not make a member.
    if (parts.includes('__proto__')) continue;
    let o: Record<string, unknown> = out;
    for (let i = 0; i < parts.length - 1; i++) {
      const next = Object.hasOwn(o, parts[i]) ? o[parts[i]] : undefined;
      if (typeof next === 'object' && next !== null) o = next as Record<string, unknown>;
      else {
        const marker = h.fields.get(parts.slice(0, i + 1).join('.'));
        o = o[parts[i]] = (marker === ARRAY ? [] : {}) as Record<string, unknown>;
      }
    }
    o[parts[parts.length - 1]] = typeof v === 'symbol' ? '…' : v;
  }
  return out;
}

/** A string member of a head, or undefined. */
export function headString(h: Head, path: string): string | undefined {
  const v = h.fields.get(path);
  return typeof v === 'string' ? v : undefined;
}

/**
 * Splits the top-level array of `t` into its elements' texts, up to `maxItems`; `rest` is where an element starts
 * that does not close within the text (a cut frame). Undefined when `t` is not an array.
 */
export function arrayItems(t: string, maxItems: number): { items: string[]; rest?: number; more: boolean } | undefined {
  const s: ScanState = { t, i: 0, end: t.length, fields: new Map() };
  skipWs(s);
  if (t.charCodeAt(s.i) !== 91) return undefined;
  s.i++;
  const items: string[] = [];
  skipWs(s);
  if (t.charCodeAt(s.i) === 93) return { items, more: false };
  for (;;) {
    skipWs(s);
    if (items.length >= maxItems) return { items, more: true };
    const start = s.i;
    if (!scanValue(s, '', 0)) return { items, rest: start, more: false };
    items.push(t.slice(start, s.i));
    skipWs(s);
    const c = t.charCodeAt(s.i++);
    if (c !== 44) return { items, more: false };
  }
}

// ---- MessagePack as plain data ----

const codec = new ExtensionCodec();
// Timestamps become ISO strings and other extensions { ext, data }: the value holds plain data only (no Date, no
// ExtData class).
codec.register({
  type: -1,
  encode: () => null,
  decode: (data: Uint8Array) => {
    try {
      const { sec, nsec } = decodeTimestampToTimeSpec(data);
      const ms = sec * 1000 + nsec / 1e6;
      return Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : { sec, nsec };
    } catch {
      return { ext: -1, data: data.slice() };
    }
  },
});
// Every other type, the reserved negative ones too: a mutated or hostile frame may carry any of them.
for (let type = -128; type < 128; type++) {
  if (type === -1) continue;
  codec.register({ type, encode: () => null, decode: (data: Uint8Array, t: number) => ({ ext: t, data: data.slice() }) });
}

const msgpack = new MsgpackDecoder({
  extensionCodec: codec,
  // 64-bit integers as bigint, then back to numbers where they fit: no silently rounded ids.
  useBigInt64: true,
  maxArrayLength: DECODE_LIMIT,
  maxMapLength: DECODE_LIMIT,
  mapKeyConverter: (k: unknown) => (typeof k === 'string' || typeof k === 'number' ? k : preview(k, 200)),
});

const FIX_DEPTH = 64;

function fixBigints(v: unknown, depth: number): unknown {
  if (typeof v === 'bigint') return v >= Number.MIN_SAFE_INTEGER && v <= Number.MAX_SAFE_INTEGER ? Number(v) : v;
  if (depth >= FIX_DEPTH || typeof v !== 'object' || v === null || v instanceof Uint8Array) return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = fixBigints(v[i], depth + 1);
  } else {
    const o = v as Record<string, unknown>;
    for (const k in o) o[k] = fixBigints(o[k], depth + 1);
  }
  return v;
}

/** One MessagePack value as plain data; throws (DecodeError, RangeError) on bad or cut input. */
export function decodeMsgpack(bytes: Uint8Array): unknown {
  const v = msgpack.decode(bytes);
  // Only the 64-bit integer markers make bigints: without either byte there is nothing to walk.
  return bytes.includes(0xcf) || bytes.includes(0xd3) ? fixBigints(v, 0) : v;
}

/**
 * The head of a MessagePack array at `at`: its declared length and its first elements, primitives read and containers
 * marked, up to the first element that does not fit in `bytes` (a cut frame). Undefined when no array starts there.
 */
export function msgpackArrayHead(bytes: Uint8Array, at = 0, maxItems = 8): { length: number; items: HeadValue[] } | undefined {
  const b0 = bytes[at];
  let length: number;
  let p = at + 1;
  if (b0 >= 0x90 && b0 <= 0x9f) length = b0 & 0x0f;
  else if (b0 === 0xdc && p + 2 <= bytes.length) {
    length = (bytes[p] << 8) | bytes[p + 1];
    p += 2;
  } else if (b0 === 0xdd && p + 4 <= bytes.length) {
    length = ((bytes[p] << 24) >>> 0) + ((bytes[p + 1] << 16) | (bytes[p + 2] << 8) | bytes[p + 3]);
    p += 4;
  } else return undefined;
  const items: HeadValue[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (items.length < Math.min(length, maxItems)) {
    const r = readPrimitive(bytes, view, p);
    if (!r) break;
    items.push(r.v);
    p = r.next;
  }
  return { length, items };
}

/** Reads one MessagePack value at p: a primitive, or a container skipped (marked). Undefined when cut or unknown. */
function readPrimitive(b: Uint8Array, view: DataView, p: number): { v: HeadValue; next: number } | undefined {
  const n = b.length;
  if (p >= n) return undefined;
  const h = b[p];
  const str = (len: number, at: number) =>
    at + len <= n ? { v: UTF8.decode(b.subarray(at, at + len)), next: at + len } : undefined;
  if (h <= 0x7f) return { v: h, next: p + 1 };
  if (h >= 0xe0) return { v: h - 0x100, next: p + 1 };
  if (h >= 0xa0 && h <= 0xbf) return str(h & 0x1f, p + 1);
  if (h === 0xc0) return { v: null, next: p + 1 };
  if (h === 0xc2 || h === 0xc3) return { v: h === 0xc3, next: p + 1 };
  const need = (k: number) => p + 1 + k <= n;
  switch (h) {
    case 0xcc: return need(1) ? { v: b[p + 1], next: p + 2 } : undefined;
    case 0xcd: return need(2) ? { v: view.getUint16(p + 1), next: p + 3 } : undefined;
    case 0xce: return need(4) ? { v: view.getUint32(p + 1), next: p + 5 } : undefined;
    case 0xcf: return need(8) ? { v: Number(view.getBigUint64(p + 1)), next: p + 9 } : undefined;
    case 0xd0: return need(1) ? { v: view.getInt8(p + 1), next: p + 2 } : undefined;
    case 0xd1: return need(2) ? { v: view.getInt16(p + 1), next: p + 3 } : undefined;
    case 0xd2: return need(4) ? { v: view.getInt32(p + 1), next: p + 5 } : undefined;
    case 0xd3: return need(8) ? { v: Number(view.getBigInt64(p + 1)), next: p + 9 } : undefined;
    case 0xca: return need(4) ? { v: view.getFloat32(p + 1), next: p + 5 } : undefined;
    case 0xcb: return need(8) ? { v: view.getFloat64(p + 1), next: p + 9 } : undefined;
    case 0xd9: return need(1) ? str(b[p + 1], p + 2) : undefined;
    case 0xda: return need(2) ? str(view.getUint16(p + 1), p + 3) : undefined;
    case 0xdb: return need(4) ? str(view.getUint32(p + 1), p + 5) : undefined;
  }
  const end = skipMsgpack(b, view, p);
  if (end < 0) return undefined;
  return { v: (h >= 0x80 && h <= 0x8f) || h === 0xde || h === 0xdf ? OBJECT : ARRAY, next: end };
}

/** End of the MessagePack value at p, or -1 when cut or unknown: a loop over a count of items still owed. */
function skipMsgpack(b: Uint8Array, view: DataView, p: number): number {
  const n = b.length;
  let owed = 1;
  while (owed > 0) {
    if (p >= n) return -1;
    const h = b[p];
    owed--;
    let size = 0; // payload bytes after the header
    let head = 1; // header bytes
    if (h <= 0x7f || h >= 0xe0 || h === 0xc0 || h === 0xc2 || h === 0xc3) size = 0;
    else if (h >= 0xa0 && h <= 0xbf) size = h & 0x1f;
    else if (h >= 0x80 && h <= 0x8f) owed += 2 * (h & 0x0f);
    else if (h >= 0x90 && h <= 0x9f) owed += h & 0x0f;
    else {
      const u = (k: number) => (p + 1 + k <= n ? (k === 1 ? b[p + 1] : k === 2 ? view.getUint16(p + 1) : view.getUint32(p + 1)) : -1);
      let k: number;
      switch (h) {
        case 0xcc: case 0xd0: size = 1; break;
        case 0xcd: case 0xd1: size = 2; break;
        case 0xce: case 0xd2: case 0xca: size = 4; break;
        case 0xcf: case 0xd3: case 0xcb: size = 8; break;
        case 0xd4: size = 2; break;
        case 0xd5: size = 3; break;
        case 0xd6: size = 5; break;
        case 0xd7: size = 9; break;
        case 0xd8: size = 17; break;
        case 0xc4: case 0xd9: k = u(1); if (k < 0) return -1; head = 2; size = k; break;
        case 0xc5: case 0xda: k = u(2); if (k < 0) return -1; head = 3; size = k; break;
        case 0xc6: case 0xdb: k = u(4); if (k < 0) return -1; head = 5; size = k; break;
        case 0xc7: k = u(1); if (k < 0) return -1; head = 3; size = k; break;
        case 0xc8: k = u(2); if (k < 0) return -1; head = 4; size = k; break;
        case 0xc9: k = u(4); if (k < 0) return -1; head = 6; size = k; break;
        case 0xdc: k = u(2); if (k < 0) return -1; head = 3; owed += k; break;
        case 0xdd: k = u(4); if (k < 0) return -1; head = 5; owed += k; break;
        case 0xde: k = u(2); if (k < 0) return -1; head = 3; owed += 2 * k; break;
        case 0xdf: k = u(4); if (k < 0) return -1; head = 5; owed += 2 * k; break;
        default: return -1;
      }
    }
    p += head + size;
    // Each item owed needs a byte at least: more owed than bytes left means a cut (or hostile) frame.
    if (p > n || owed > n - p) return -1;
  }
  return p;
}
