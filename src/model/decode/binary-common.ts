// What the MessagePack and CBOR decoders share: structural scanners that check a frame without building anything
// (so the libraries only ever see values whose counts and depth fit the bytes), and the summary of a decoded tree.
// Pure and library-free: the sniffs run them both to settle frames either format could read.
import { oneLine, type DecodedMessage } from './types';

/** Deepest nesting of maps, arrays (and CBOR tags) a frame may have: keeps the libraries' recursion and the views' bounded. */
export const MAX_DEPTH = 64;
/** Most top-level values one frame yields as messages. */
export const MAX_VALUES = 1000;

export interface Scan {
  /** End offsets of the complete top-level values, in order. */
  ends: number[];
  /** Why scanning stopped before the end of what it read; '' when it did not. */
  error: string;
  /** The read limit fell inside a value (the frame goes on past it). */
  cut: boolean;
  /** Every complete top-level value starts with a map or array head. */
  allContainers: boolean;
  /** MessagePack only: a 64-bit integer was seen (the library gives those as bigint). */
  int64: boolean;
  /** A map key that is not a string was seen. */
  oddKeys: boolean;
  /** With `children` asked: the value the limit cut, when a container: its head, where its items start, their ends. */
  partial?: { map: boolean; start: number; ends: number[] };
}

export function sizeText(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}

export function truncatedText(read: number, total: number): string {
  return `decoded the first ${sizeText(read)} of ${sizeText(total)}`;
}

// One stack shared by the scanners (they are synchronous and not re-entered): items left per open container.
const LEFT = new Float64Array(MAX_DEPTH);
// CBOR only: items read per open container (key/value parity, indefinite maps) and what the container is.
const READ = new Float64Array(MAX_DEPTH);
const KIND = new Uint8Array(MAX_DEPTH);
const K_ARRAY = 0;
const K_MAP = 1;
const K_TAG = 2;

const MORE = -1;
const BAD = -2;

interface ScanState {
  s: Scan;
  len: number;
  total: number;
  want: boolean;
}

/** Ran out of the bytes read: inside the frame (cut by the limit) or at its real end (a broken frame). */
function outOf(st: ScanState, at: number): number {
  if (st.len < st.total) {
    st.s.cut = true;
    return MORE;
  }
  st.s.error = `the frame ends inside a value (at byte ${at})`;
  return BAD;
}

function bad(st: ScanState, msg: string): number {
  st.s.error = msg;
  return BAD;
}

function u16(b: Uint8Array, p: number): number {
  return (b[p] << 8) | b[p + 1];
}
function u32(b: Uint8Array, p: number): number {
  return b[p] * 0x1000000 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
}

export function isMsgpackContainer(h: number): boolean {
  return (h >= 0x80 && h <= 0x9f) || (h >= 0xdc && h <= 0xdf);
}

/** One MessagePack value from `start`: its end, or MORE / BAD. */
function msgpackValue(b: Uint8Array, start: number, st: ScanState): number {
  const { len, total } = st;
  let pos = start;
  let depth = 0;
  let pending = 0;
  for (;;) {
    if (pos >= len) return outOf(st, pos);
    const h = b[pos];
    if (depth > 0) {
      const d = depth - 1;
      // A map counts keys and values down from an even number: an even count left means a key comes.
      if (KIND[d] === K_MAP && LEFT[d] % 2 === 0 && !(h >= 0xa0 && h <= 0xbf) && !(h >= 0xd9 && h <= 0xdb)) st.s.oddKeys = true;
      LEFT[d]--;
      pending--;
    }
    let n = 0;
    let size = 1;
    let map = false;
    if (h < 0x80 || h >= 0xe0) size = 1;
    else if (h < 0x90) {
      n = (h & 0x0f) * 2;
      map = true;
    } else if (h < 0xa0) n = h & 0x0f;
    else if (h < 0xc0) size = 1 + (h & 0x1f);
    else {
      // Heads with a length: the length bytes must be there before they are read.
      const lenBytes = h === 0xc4 || h === 0xc7 || h === 0xd9 ? 1 : h === 0xc5 || h === 0xc8 || h === 0xda || h === 0xdc || h === 0xde ? 2 : h === 0xc6 || h === 0xc9 || h === 0xdb || h === 0xdd || h === 0xdf ? 4 : 0;
      if (pos + 1 + lenBytes > len) return outOf(st, pos);
      const l = lenBytes === 1 ? b[pos + 1] : lenBytes === 2 ? u16(b, pos + 1) : lenBytes === 4 ? u32(b, pos + 1) : 0;
      switch (h) {
        case 0xc0:
        case 0xc2:
        case 0xc3:
          break;
        case 0xc1:
          return bad(st, `byte 0xc1 (never used in MessagePack) at byte ${pos}`);
        case 0xcc:
        case 0xd0:
          size = 2;
          break;
        case 0xcd:
        case 0xd1:
          size = 3;
          break;
        case 0xca:
        case 0xce:
        case 0xd2:
          size = 5;
          break;
        case 0xcb:
          size = 9;
          break;
        case 0xcf:
        case 0xd3:
          size = 9;
          st.s.int64 = true;
          break;
        case 0xd4:
          size = 3;
          break;
        case 0xd5:
          size = 4;
          break;
        case 0xd6:
          size = 6;
          break;
        case 0xd7:
          size = 10;
          break;
        case 0xd8:
          size = 18;
          break;
        case 0xc4:
        case 0xc5:
        case 0xc6:
        case 0xd9:
        case 0xda:
        case 0xdb:
          size = 1 + lenBytes + l;
          break;
        case 0xc7:
        case 0xc8:
        case 0xc9:
          size = 2 + lenBytes + l; // + the extension type byte
          break;
        case 0xdc:
        case 0xdd:
          size = 1 + lenBytes;
          n = l;
          break;
        default: // 0xde, 0xdf
          size = 1 + lenBytes;
          n = 2 * l;
          map = true;
      }
    }
    pos += size;
    if (pos > len) return outOf(st, pos);
    if (n > 0) {
      if (depth === MAX_DEPTH) return bad(st, `nested deeper than ${MAX_DEPTH} levels (at byte ${pos - size})`);
      // Every item takes at least a byte: a count the rest of the frame cannot hold is a lie (and would be allocated).
      if (pending + n > total - pos) return bad(st, `${map ? 'a map' : 'an array'} at byte ${pos - size} claims ${map ? n / 2 : n} ${map ? 'entries' : 'items'}, more than the frame holds`);
      if (st.want && depth === 0) st.s.partial = { map, start: pos, ends: [] };
      KIND[depth] = map ? K_MAP : K_ARRAY;
      LEFT[depth++] = n;
      pending += n;
      continue;
    }
    while (depth > 0 && LEFT[depth - 1] === 0) depth--;
    if (depth === 0) return pos;
    if (st.want && depth === 1) st.s.partial!.ends.push(pos);
  }
}

/** One CBOR data item from `start`: its end, or MORE / BAD. Accepts what cborg decodes, nothing more. */
function cborValue(b: Uint8Array, start: number, st: ScanState): number {
  const { len, total } = st;
  let pos = start;
  let depth = 0;
  let pending = 0;
  for (;;) {
    if (pos >= len) return outOf(st, pos);
    const h = b[pos];
    const major = h >> 5;
    const ai = h & 31;
    if (h === 0xff) {
      // A break closes the innermost indefinite array or map (after whole entries, for a map).
      if (depth === 0 || LEFT[depth - 1] !== Infinity) return bad(st, `unexpected break at byte ${pos}`);
      if (KIND[depth - 1] === K_MAP && READ[depth - 1] % 2 !== 0) return bad(st, `a map ends between a key and its value at byte ${pos}`);
      pos++;
      depth--;
    } else {
      if (depth > 0) {
        const d = depth - 1;
        if (KIND[d] === K_MAP && READ[d] % 2 === 0 && major !== 3) st.s.oddKeys = true;
        READ[d]++;
        if (LEFT[d] !== Infinity) {
          LEFT[d]--;
          pending--;
        }
      }
      if (ai >= 28 && ai <= 30) return bad(st, `invalid head byte 0x${h.toString(16)} at byte ${pos}`);
      if (ai === 31 && major !== 4 && major !== 5) {
        if (major === 2 || major === 3) return bad(st, `indefinite-length string at byte ${pos} (not supported)`);
        return bad(st, `invalid head byte 0x${h.toString(16)} at byte ${pos}`);
      }
      let hdr = 1;
      let arg = ai;
      if (major === 7) {
        // Floats carry their bits after the head; simple values other than false/true/null/undefined are refused.
        if (ai < 20 || ai === 24) return bad(st, `simple value at byte ${pos} (not supported)`);
        hdr = ai === 25 ? 3 : ai === 26 ? 5 : ai === 27 ? 9 : 1;
        arg = 0;
      } else if (ai >= 24 && ai <= 27) {
        hdr = ai === 24 ? 2 : ai === 25 ? 3 : ai === 26 ? 5 : 9;
        if (pos + hdr > len) return outOf(st, pos);
        arg = ai === 24 ? b[pos + 1] : ai === 25 ? u16(b, pos + 1) : ai === 26 ? u32(b, pos + 1) : u32(b, pos + 1) * 0x100000000 + u32(b, pos + 5);
      }
      const head = pos;
      pos += hdr;
      if (pos > len) return outOf(st, pos);
      let n = 0;
      let kind = K_ARRAY;
      if (major === 2 || major === 3) {
        if (arg > total - pos) return bad(st, `a string at byte ${head} claims ${arg} bytes, more than the frame holds`);
        pos += arg;
        if (pos > len) return outOf(st, pos);
      } else if (major === 4 || major === 5 || major === 6) {
        kind = major === 4 ? K_ARRAY : major === 5 ? K_MAP : K_TAG;
        n = ai === 31 ? Infinity : major === 5 ? 2 * arg : major === 6 ? 1 : arg;
      }
      if (n > 0) {
        if (depth === MAX_DEPTH) return bad(st, `nested deeper than ${MAX_DEPTH} levels (at byte ${head})`);
        if (n !== Infinity) {
          if (kind === K_TAG && n > total - pos) return outOf(st, pos);
          if (pending + n > total - pos) return bad(st, `${kind === K_MAP ? 'a map' : 'an array'} at byte ${head} claims ${kind === K_MAP ? n / 2 : n} ${kind === K_MAP ? 'entries' : 'items'}, more than the frame holds`);
          pending += n;
        }
        if (st.want && depth === 0 && kind !== K_TAG) st.s.partial = { map: kind === K_MAP, start: pos, ends: [] };
        KIND[depth] = kind;
        READ[depth] = 0;
        LEFT[depth++] = n;
        continue;
      }
    }
    while (depth > 0 && LEFT[depth - 1] === 0) depth--;
    if (depth === 0) return pos;
    if (st.want && depth === 1 && st.s.partial && KIND[0] !== K_TAG) st.s.partial.ends.push(pos);
  }
}

function scan(
  one: (b: Uint8Array, start: number, st: ScanState) => number,
  isContainer: (h: number) => boolean,
  b: Uint8Array,
  limit: number,
  maxValues: number,
  children: boolean,
): Scan {
  const s: Scan = { ends: [], error: '', cut: false, allContainers: true, int64: false, oddKeys: false };
  const st: ScanState = { s, len: Math.min(limit, b.length), total: b.length, want: false };
  let pos = 0;
  while (pos < st.len && s.ends.length < maxValues) {
    st.want = children;
    s.partial = undefined;
    const end = one(b, pos, st);
    if (end < 0) break;
    if (!isContainer(b[pos])) s.allContainers = false;
    s.ends.push(end);
    pos = end;
  }
  if (!s.cut) s.partial = undefined;
  return s;
}

/**
 * Check MessagePack values from the start of `b`, reading at most `limit` bytes and `maxValues` values. `children`:
 * when the limit cuts a map or array, say where its complete items end (to decode them on their own).
 */
export function scanMsgpack(b: Uint8Array, limit: number, maxValues = MAX_VALUES, children = false): Scan {
  return scan(msgpackValue, isMsgpackContainer, b, limit, maxValues, children);
}

export function isCborContainer(h: number): boolean {
  return (h >= 0x80 && h <= 0x9b) || h === 0x9f || (h >= 0xa0 && h <= 0xbb) || h === 0xbf;
}

/** As scanMsgpack, for a sequence of CBOR data items. */
export function scanCbor(b: Uint8Array, limit: number, maxValues = MAX_VALUES, children = false): Scan {
  return scan(cborValue, isCborContainer, b, limit, maxValues, children);
}

/**
 * Which format reads a frame both read wholly (as values that each start with a map or array) more plausibly: fewer
 * top-level values, then maps keyed by strings. Undefined on a tie.
 */
export function likelier(m: Scan, c: Scan): 'msgpack' | 'cbor' | undefined {
  const mn = m.ends.length + (m.cut ? 1 : 0);
  const cn = c.ends.length + (c.cut ? 1 : 0);
  if (mn !== cn) return mn < cn ? 'msgpack' : 'cbor';
  if (m.oddKeys !== c.oddKeys) return m.oddKeys ? 'cbor' : 'msgpack';
  return undefined;
}

/** Whether a scan read a frame wholly (up to the read limit) as map / array values. */
export function readsWholly(s: Scan): boolean {
  return !s.error && s.allContainers && (s.ends.length > 0 || s.cut);
}

// ---- Summaries of decoded trees ----

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hexOf(b: Uint8Array, max: number): string {
  let s = '';
  for (let i = 0; i < Math.min(b.length, max); i++) s += HEX[b[i]];
  return b.length > max ? s + '…' : s;
}

/** Compact text of any decoded value, cut near `max` characters. */
function compact(v: unknown, max: number): string {
  let out = '';
  const put = (s: string): boolean => {
    out += s;
    return out.length < max;
  };
  const walk = (x: unknown): boolean => {
    if (typeof x === 'string') return put(JSON.stringify(x.length > max ? x.slice(0, max) : x));
    if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint') return put(String(x));
    if (x === null || x === undefined) return put(String(x));
    if (x instanceof Uint8Array) return put('0x' + hexOf(x, 32));
    if (Array.isArray(x)) {
      if (!put('[')) return false;
      for (let i = 0; i < x.length; i++) if ((i && !put(',')) || !walk(x[i])) return false;
      return put(']');
    }
    if (typeof x === 'object') {
      if (!put('{')) return false;
      let i = 0;
      for (const k of Object.keys(x)) {
        if ((i++ && !put(',')) || !put(JSON.stringify(k) + ':') || !walk((x as Record<string, unknown>)[k])) return false;
      }
      return put('}');
    }
    return put(typeof x);
  };
  walk(v);
  return out.length > max ? out.slice(0, max) + '…' : out;
}

/**
 * A map key that is not a string, as the object key it becomes: numbers, bigints, booleans and null as they print,
 * bytes as 0x hex, arrays and maps as compact JSON-like text.
 */
export function keyText(k: unknown): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'number' || typeof k === 'bigint' || typeof k === 'boolean' || k === null || k === undefined) return String(k);
  return compact(k, 80);
}

/** Keys that name what a map is, in the order a summary prefers them. */
const LEAD_KEYS = ['type', 'event', 'method', 'op'];
const SUMMARY_KEYS_CHARS = 60;

/** The `{ext, data}` / `{tag, value}` objects the decoders made (so a user's map with such keys is not taken for one). */
const WRAPPERS = new WeakSet<object>();
export function wrapper<T extends object>(o: T): T {
  WRAPPERS.add(o);
  return o;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/**
 * One decoded MessagePack / CBOR value as a message. Maps: `trade {type, id, price}` when a string `type` / `event` /
 * `method` / `op` names them, else `map {…}`; names.event / names.method from top-level string fields of those names.
 */
export function treeMessage(value: unknown): DecodedMessage {
  if (Array.isArray(value)) return { summary: `array(${value.length})`, kind: 'array', value };
  if (value instanceof Uint8Array) return { summary: `bytes(${value.length})`, kind: 'bytes', value };
  if (isPlainObject(value)) {
    if (WRAPPERS.has(value)) {
      if (typeof value.ext === 'number') return { summary: `ext ${value.ext} (${(value.data as Uint8Array).length} bytes)`, kind: 'ext', value };
      const inner = treeMessage(value.value);
      return { summary: `tag ${String(value.tag)} ${inner.summary}`, kind: 'tag', value };
    }
    const keys = Object.keys(value);
    let lead = 'map';
    for (const k of LEAD_KEYS) {
      const v = value[k];
      if (typeof v === 'string' && v !== '') {
        lead = oneLine(v, 40);
        break;
      }
    }
    let list = '';
    let i = 0;
    for (; i < keys.length && list.length < SUMMARY_KEYS_CHARS; i++) list += (i ? ', ' : '') + oneLine(keys[i], 24);
    if (i < keys.length) list += ', …';
    const msg: DecodedMessage = { summary: `${lead} {${list}}`, kind: 'map', value };
    const event = value.event;
    const method = value.method;
    if (typeof event === 'string' || typeof method === 'string') {
      msg.names = {};
      if (typeof event === 'string') msg.names.event = event;
      if (typeof method === 'string') msg.names.method = method;
    }
    return msg;
  }
  if (typeof value === 'string') return { summary: oneLine(JSON.stringify(value.length > 80 ? value.slice(0, 80) : value), 82), kind: 'string', value };
  if (typeof value === 'number' || typeof value === 'bigint') return { summary: String(value), kind: 'number', value };
  if (typeof value === 'boolean') return { summary: String(value), kind: 'boolean', value };
  return { summary: 'null', kind: 'null', value: value === undefined ? null : value };
}
