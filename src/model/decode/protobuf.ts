// Protobuf without a schema: the wire-format tree. No library (protobufjs is large and the schema path loads it
// apart, from protobuf-schema.ts). Never sniffed: almost any byte string parses as some protobuf message.
//
// Value: an object keyed by field number; each key holds one entry, or an array of entries when the field repeats.
// An entry: {wire: 'varint', value, zigzag, signed?} | {wire: 'i64', value, signed?, double} |
// {wire: 'i32', value, signed?, float} | {wire: 'len', value, varints?} | {wire: 'group', value}.
// Integers are unsigned numbers (bigint past 2^53); `signed` is the two's-complement reading when it is negative.
// A 'len' value is guessed: a nested message (same shape) when it parses wholly and is not printable text, else a
// string when it is valid printable UTF-8, else bytes (with `varints` when they read wholly as packed varints).
import { truncatedText } from './binary-common';
import { DECODE_LIMIT, type Decoded, type DecodedMessage, type Decoder, type DecodeInput } from './types';

const ID = 'protobuf';
/** Deepest nesting of guessed messages and groups; deeper, a 'len' field stays a string or bytes. */
export const PB_MAX_DEPTH = 32;
/** Most entries one frame yields (every field costs an object). */
export const PB_MAX_FIELDS = 100_000;
/** Highest field number a guessed nested message may use: random bytes often parse, but rarely with small numbers. */
const MAX_GUESS_FIELD = 0xffff;
/** Most packed varints shown beside a bytes value. */
const MAX_PACKED = 1000;

export type WireEntry =
  | { wire: 'varint'; value: number | bigint; zigzag: number | bigint; signed?: number | bigint }
  | { wire: 'i64'; value: number | bigint; signed?: number | bigint; double: number }
  | { wire: 'i32'; value: number; signed?: number; float: number }
  | { wire: 'len'; value: WireMessage | string | Uint8Array; varints?: (number | bigint)[] }
  | { wire: 'group'; value: WireMessage };
export type WireMessage = Record<string, WireEntry | WireEntry[]>;

// ---- Wire reading, shared with protobuf-schema.ts ----

/** The last varint read, as two unsigned 32-bit halves (read them before the next call). */
export let vLo = 0;
export let vHi = 0;

/** Read a varint at `pos` (before `end`): the position after it, or -1 when it runs past `end` or past ten bytes. */
export function readVarint(b: Uint8Array, pos: number, end: number): number {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) return -1;
    const c = b[pos++];
    const bits = c & 0x7f;
    if (i < 4) lo |= bits << (7 * i);
    else if (i === 4) {
      lo |= bits << 28;
      hi = bits >>> 4;
    } else hi |= bits << (7 * i - 32);
    if (c < 0x80) {
      vLo = lo >>> 0;
      vHi = hi >>> 0;
      return pos;
    }
  }
  return -1;
}

const TWO32 = 4294967296;

/** An unsigned 64-bit integer from halves: a number when exact, else bigint. */
export function u64(lo: number, hi: number): number | bigint {
  if (hi < 0x200000) return hi * TWO32 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** The two's-complement reading of 64 bits: a number when exact, else bigint. */
export function s64(lo: number, hi: number): number | bigint {
  if (hi < 0x80000000) return u64(lo, hi);
  // Negative: -(~v + 1) on both halves.
  const nlo = (~lo + 1) >>> 0;
  const nhi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
  const m = u64(nlo, nhi);
  return typeof m === 'number' ? -m : -m;
}

/** The zigzag (sint64) reading of 64 bits. */
export function zigzag64(lo: number, hi: number): number | bigint {
  // (v >>> 1) ^ -(v & 1), on both halves.
  const neg = lo & 1;
  let zlo = ((lo >>> 1) | (hi << 31)) >>> 0;
  let zhi = hi >>> 1;
  if (neg) {
    zlo = ~zlo >>> 0;
    zhi = ~zhi >>> 0;
  }
  return s64(zlo, zhi);
}

const F64 = new Float64Array(1);
const F64B = new Uint8Array(F64.buffer);
const F32 = new Float32Array(1);
const F32B = new Uint8Array(F32.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function readDouble(b: Uint8Array, p: number): number {
  for (let i = 0; i < 8; i++) F64B[LITTLE_ENDIAN ? i : 7 - i] = b[p + i];
  return F64[0];
}
export function readFloat(b: Uint8Array, p: number): number {
  for (let i = 0; i < 4; i++) F32B[LITTLE_ENDIAN ? i : 3 - i] = b[p + i];
  return F32[0];
}
export function readU32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Lax = new TextDecoder('utf-8');

/** UTF-8 text without control characters other than tab and line breaks, or undefined. */
export function printableText(b: Uint8Array): string | undefined {
  let ascii = true;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c < 0x20 ? c !== 9 && c !== 10 && c !== 13 : c === 0x7f) return undefined;
    if (c >= 0x80) ascii = false;
  }
  if (ascii && b.length <= 64) return String.fromCharCode(...b);
  let s: string;
  try {
    s = utf8.decode(b);
  } catch {
    return undefined; // not UTF-8: bytes
  }
  // C1 controls decode from valid UTF-8 but are no text either.
  return /[\x80-\x9f]/.test(s) ? undefined : s;
}

/** UTF-8 text, invalid sequences replaced (schema strings are text whatever they hold). */
export function laxText(b: Uint8Array): string {
  return utf8Lax.decode(b);
}

// ---- The schema-less tree ----

/**
 * Whether [pos, end) parses wholly as fields (a group: up to its end marker, whose end is returned). Builds nothing.
 * Returns the end position or -1.
 */
function check(b: Uint8Array, pos: number, end: number, depth: number, group: number, maxField: number): number {
  while (pos < end) {
    pos = readVarint(b, pos, end);
    if (pos < 0 || vHi !== 0) return -1;
    const field = vLo >>> 3;
    const wire = vLo & 7;
    if (field === 0 || field > maxField) return -1;
    if (wire === 4) return field === group ? pos : -1;
    pos = skip(b, pos, end, wire, field, depth, maxField);
    if (pos < 0) return -1;
  }
  return group ? -1 : pos;
}

function skip(b: Uint8Array, pos: number, end: number, wire: number, field: number, depth: number, maxField: number): number {
  switch (wire) {
    case 0:
      return readVarint(b, pos, end);
    case 1:
      return pos + 8 <= end ? pos + 8 : -1;
    case 5:
      return pos + 4 <= end ? pos + 4 : -1;
    case 2:
      pos = readVarint(b, pos, end);
      return pos < 0 || vHi !== 0 || vLo > end - pos ? -1 : pos + vLo;
    case 3:
      return depth >= PB_MAX_DEPTH ? -1 : check(b, pos, end, depth + 1, field, maxField);
    default:
      return -1;
  }
}

/**
 * Skip the value of one field whose tag (`field`, `wire`) ends at `pos`: the position after it (after the end marker,
 * for a group), or -1 when it does not fit before `end`. Not for wire type 4.
 */
export function skipField(b: Uint8Array, pos: number, end: number, wire: number, field: number, depth: number): number {
  return skip(b, pos, end, wire, field, depth, 0x1fffffff);
}

/** Varints back to back filling the bytes wholly, or undefined. */
function packedVarints(b: Uint8Array): (number | bigint)[] | undefined {
  const out: (number | bigint)[] = [];
  let p = 0;
  while (p < b.length) {
    if (out.length === MAX_PACKED) return undefined;
    p = readVarint(b, p, b.length);
    if (p < 0) return undefined;
    out.push(u64(vLo, vHi));
  }
  return out.length ? out : undefined;
}

interface Build {
  b: Uint8Array;
  /** Entries made so far (bounded by PB_MAX_FIELDS). */
  n: number;
  /** Top level only: why parsing stopped early, whether at the read limit, whether at PB_MAX_FIELDS. */
  error: string;
  cut: boolean;
  capped: boolean;
}

function add(m: WireMessage, field: number, e: WireEntry): void {
  const k = String(field);
  const prev = m[k];
  if (prev === undefined) m[k] = e;
  else if (Array.isArray(prev)) prev.push(e);
  else m[k] = [prev, e];
}

function lenValue(c: Build, start: number, end: number, depth: number): WireEntry {
  const sub = c.b.subarray(start, end);
  if (sub.length === 0) return { wire: 'len', value: '' };
  const text = printableText(sub);
  if (text === undefined && depth < PB_MAX_DEPTH && c.n < PB_MAX_FIELDS && check(c.b, start, end, depth + 1, 0, MAX_GUESS_FIELD) === end) {
    return { wire: 'len', value: fields(c, start, end, end, depth + 1, 0).m };
  }
  if (text !== undefined) return { wire: 'len', value: text };
  const varints = packedVarints(sub);
  return varints ? { wire: 'len', value: sub, varints } : { wire: 'len', value: sub };
}

/**
 * Fields of [pos, end) into an object. `len` is where the bytes read end (the frame may go on past it); inner calls
 * run on checked ranges, so only the top level meets errors, which stop it with what it read so far.
 */
function fields(c: Build, pos: number, end: number, total: number, depth: number, group: number): { m: WireMessage; pos: number } {
  const m: WireMessage = {};
  const b = c.b;
  const fail = (msg: string, at: number): { m: WireMessage; pos: number } => {
    if (at > end && end < total) c.cut = true;
    else c.error = msg;
    return { m, pos: -1 };
  };
  while (pos < end) {
    if (c.n >= PB_MAX_FIELDS) {
      c.capped = true;
      return { m, pos: -1 };
    }
    const at = pos;
    pos = readVarint(b, pos, end);
    if (pos < 0) return fail(`a broken field tag at byte ${at}`, end + 1);
    if (vHi !== 0 || vLo >>> 3 === 0) return fail(`field number ${vHi !== 0 ? 'too large' : 0} at byte ${at}`, at);
    const field = vLo >>> 3;
    const wire = vLo & 7;
    c.n++;
    switch (wire) {
      case 0: {
        const p = readVarint(b, pos, end);
        if (p < 0) return fail(`field ${field}: a broken varint at byte ${pos}`, end - pos < 10 ? end + 1 : pos);
        pos = p;
        const lo = vLo;
        const hi = vHi;
        const e: WireEntry = { wire: 'varint', value: u64(lo, hi), zigzag: zigzag64(lo, hi) };
        if (hi >= 0x80000000) e.signed = s64(lo, hi);
        add(m, field, e);
        break;
      }
      case 1: {
        if (pos + 8 > end) return fail(`field ${field}: 8 bytes needed at byte ${pos}`, pos + 8);
        const lo = readU32(b, pos);
        const hi = readU32(b, pos + 4);
        const e: WireEntry = { wire: 'i64', value: u64(lo, hi), double: readDouble(b, pos) };
        if (hi >= 0x80000000) e.signed = s64(lo, hi);
        add(m, field, e);
        pos += 8;
        break;
      }
      case 5: {
        if (pos + 4 > end) return fail(`field ${field}: 4 bytes needed at byte ${pos}`, pos + 4);
        const v = readU32(b, pos);
        const e: WireEntry = { wire: 'i32', value: v, float: readFloat(b, pos) };
        if (v >= 0x80000000) e.signed = v | 0;
        add(m, field, e);
        pos += 4;
        break;
      }
      case 2: {
        const p = readVarint(b, pos, end);
        if (p < 0) return fail(`field ${field}: a broken length at byte ${pos}`, end + 1);
        const n = vHi !== 0 ? Infinity : vLo;
        if (n > end - p) return fail(`field ${field} at byte ${at} claims ${n} bytes, more than the frame holds`, p + n <= total ? p + n : at);
        add(m, field, lenValue(c, p, p + n, depth));
        pos = p + n;
        break;
      }
      case 3: {
        const close = depth < PB_MAX_DEPTH ? check(b, pos, end, depth + 1, field, 0x1fffffff) : -1;
        if (close < 0) return fail(`field ${field}: a group at byte ${at} that does not close`, end < total ? end + 1 : at);
        add(m, field, { wire: 'group', value: fields(c, pos, close, close, depth + 1, field).m });
        pos = close;
        break;
      }
      case 4:
        if (field === group) return { m, pos };
        return fail(`field ${field}: a group end with no start at byte ${at}`, at);
      default:
        return fail(`field ${field}: wire type ${wire} (no such type) at byte ${at}`, at);
    }
  }
  return { m, pos };
}

/** Parse [0, end) of `b` (the frame is `total` bytes) into a tree, with what stopped it. */
export function wireTree(b: Uint8Array, end: number, total: number): { value: WireMessage; count: number; error: string; cut: boolean; capped: boolean } {
  const c: Build = { b, n: 0, error: '', cut: false, capped: false };
  const { m } = fields(c, 0, end, total, 0, 0);
  let count = 0;
  for (const k in m) {
    const v = m[k];
    count += Array.isArray(v) ? v.length : 1;
  }
  return { value: m, count, error: c.error, cut: c.cut, capped: c.capped };
}

// ---- Summary ----

function niceFloat(f: number): boolean {
  const a = Math.abs(f);
  return Number.isFinite(f) && (a === 0 || (a >= 1e-6 && a < 1e15));
}

function shortText(s: string, max: number): string {
  const t = s.length > max ? s.slice(0, max) + '…' : s;
  return JSON.stringify(t).replace(/\\[nrt]/g, ' ');
}

function entryText(e: WireEntry): string {
  switch (e.wire) {
    case 'varint':
      return String(e.signed ?? e.value);
    case 'i64':
      return niceFloat(e.double) && !(typeof e.value === 'number' && e.value < 1e6) ? String(e.double) : String(e.signed ?? e.value);
    case 'i32':
      return niceFloat(e.float) && e.value >= 1e6 ? String(e.float) : String(e.signed ?? e.value);
    case 'len':
      if (typeof e.value === 'string') return shortText(e.value, 24);
      if (e.value instanceof Uint8Array) return `<${e.value.length} bytes>`;
      return '{…}';
    default:
      return '{…}';
  }
}

const SUMMARY_CHARS = 90;

export function wireSummary(m: WireMessage, count: number): string {
  let s = `protobuf ${count} field${count === 1 ? '' : 's'}`;
  let first = true;
  for (const k in m) {
    const v = m[k];
    const part = `${k}=${Array.isArray(v) ? `[×${v.length}]` : entryText(v)}`;
    if (s.length + part.length > SUMMARY_CHARS && !first) {
      s += ' …';
      break;
    }
    s += (first ? ': ' : ' ') + part;
    first = false;
  }
  return s;
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function decodeProtobuf(f: DecodeInput): Decoded {
  const out: Decoded = { proto: ID, messages: [] };
  try {
    const bytes = f.bytes;
    if (!bytes) {
      out.error = 'a text frame: protobuf is binary';
      return out;
    }
    const end = Math.min(bytes.length, DECODE_LIMIT);
    const t = wireTree(bytes, end, bytes.length);
    const msg: DecodedMessage = { summary: wireSummary(t.value, t.count), kind: 'message', value: t.value };
    out.messages.push(msg);
    if (t.error) out.error = t.error;
    if (t.capped) out.truncated = `decoded the first ${PB_MAX_FIELDS} fields`;
    else if (t.cut || end < bytes.length) out.truncated = truncatedText(end, bytes.length);
    return out;
  } catch (e) {
    out.error = reason(e);
    return out;
  }
}

export const protobufDecoder: Decoder = {
  id: ID,
  label: 'Protobuf',
  // Never detected from content: the user picks it for a connection.
  sniff: () => undefined,
  decode: (f) => decodeProtobuf(f),
};
