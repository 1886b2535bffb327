// CBOR payloads as trees, decoded by cborg after a structural scan (bounded depth and counts: cborg recurses). Values:
// a tag is `{tag, value}` (the self-describe tag 55799 is dropped, bignum tags 2/3 become integers); undefined becomes
// null; integers past a double's exact range are bigint; map keys that are not text become object keys by `keyText`
// (numbers as they print, bytes as 0x hex, arrays and maps as compact text; a repeated text gets ` (2)`). Several data
// items in one frame (a CBOR sequence) are several messages.
import { decodeFirst, type DecodeOptions, type TagDecodeControl, type TagDecoder } from 'cborg';
import { isCborContainer, keyText, MAX_VALUES, scanCbor, scanMsgpack, likelier, readsWholly, treeMessage, truncatedText, wrapper, type Scan } from './binary-common';
import { DECODE_LIMIT, type Decoded, type Decoder, type DecodeInput } from './types';

const ID = 'cbor';
const SELF_DESCRIBE = 55799;
/** Longest bignum (tags 2 and 3) turned into a bigint; longer ones stay `{tag, value: bytes}`. */
const MAX_BIGNUM_BYTES = 64;

function bignum(tag: number, b: Uint8Array): unknown {
  if (b.length > MAX_BIGNUM_BYTES) return wrapper({ tag, value: b });
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  if (tag === 3) n = -1n - n;
  return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n;
}

function tagged(tag: number): TagDecoder {
  return (decode: TagDecodeControl) => {
    const value = decode();
    if (tag === SELF_DESCRIBE) return value;
    if ((tag === 2 || tag === 3) && value instanceof Uint8Array) return bignum(tag, value);
    return wrapper({ tag, value });
  };
}

// cborg fails on a tag it has no decoder for: every tag number gets the generic one.
const TAG_CACHE = new Map<number, TagDecoder>();
const anyTag = new Proxy({} as Record<number, TagDecoder>, {
  get(_t, k) {
    const n = Number(k);
    if (!Number.isFinite(n)) return undefined;
    let d = TAG_CACHE.get(n);
    if (!d) {
      d = tagged(n);
      if (TAG_CACHE.size < 256) TAG_CACHE.set(n, d);
    }
    return d;
  },
});

const OPTIONS: DecodeOptions = { allowUndefined: true, coerceUndefinedToNull: true, allowIndefinite: true, allowBigInt: true, tags: anyTag };
// Only for frames whose scan saw a key that is not text: every map then comes as a Map, made plain by `plain`.
const MAP_OPTIONS: DecodeOptions = { ...OPTIONS, useMaps: true };

/** Maps (from useMaps) into objects with `keyText` keys; depth is bounded by the scan. */
function plain(v: unknown): unknown {
  if (v instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v as Map<unknown, unknown>) {
      let key = keyText(k);
      if (Object.prototype.hasOwnProperty.call(o, key)) {
        let i = 2;
        while (Object.prototype.hasOwnProperty.call(o, `${key} (${i})`)) i++;
        key = `${key} (${i})`;
      }
      // defineProperty: a key "__proto__" stays an entry instead of replacing the prototype.
      Object.defineProperty(o, key, { value: plain(x), enumerable: true, writable: true, configurable: true });
    }
    return o;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = plain(v[i]);
  } else if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array)) {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) o[k] = plain(o[k]);
  }
  return v;
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function one(bytes: Uint8Array, maps: boolean): unknown {
  const v: unknown = decodeFirst(bytes, maps ? MAP_OPTIONS : OPTIONS)[0];
  return maps ? plain(v) : v;
}

/** The map or array the read limit cut: its complete items, each decoded on its own. */
function partialValue(bytes: Uint8Array, s: Scan): { value: unknown; note: string } | undefined {
  const p = s.partial;
  if (!p) return undefined;
  const items: unknown[] = [];
  let at = p.start;
  for (const end of p.ends) {
    items.push(one(bytes.subarray(at, end), s.oddKeys));
    at = end;
  }
  if (!p.map) return { value: items, note: `the last array holds only its first ${items.length} items` };
  const o: Record<string, unknown> = {};
  for (let i = 0; i + 1 < items.length; i += 2) Object.defineProperty(o, keyText(items[i]), { value: items[i + 1], enumerable: true, writable: true, configurable: true });
  return { value: o, note: `the last map holds only its first ${Math.floor(items.length / 2)} entries` };
}

export function decodeCbor(f: DecodeInput): Decoded {
  const out: Decoded = { proto: ID, messages: [] };
  try {
    const bytes = f.bytes;
    if (!bytes) {
      out.error = 'a text frame: CBOR is binary';
      return out;
    }
    if (bytes.length === 0) {
      out.error = 'an empty frame';
      return out;
    }
    const over = bytes.length > DECODE_LIMIT;
    const s = scanCbor(bytes, DECODE_LIMIT, MAX_VALUES, over);
    const last = s.ends.length ? s.ends[s.ends.length - 1] : 0;
    try {
      // decodeFirst item by item: a CBOR sequence is several items back to back.
      let rest = bytes.subarray(0, last);
      const opts = s.oddKeys ? MAP_OPTIONS : OPTIONS;
      while (rest.length > 0) {
        const r = decodeFirst(rest, opts);
        const v: unknown = r[0];
        out.messages.push(treeMessage(s.oddKeys ? plain(v) : v));
        rest = r[1];
      }
      const part = s.cut ? partialValue(bytes, s) : undefined;
      if (part) out.messages.push(treeMessage(part.value));
      if (s.cut) out.truncated = truncatedText(DECODE_LIMIT, bytes.length) + (part ? `; ${part.note}` : '');
    } catch (e) {
      out.error = reason(e);
      return out;
    }
    if (s.error) out.error = s.ends.length ? `after ${s.ends.length} item${s.ends.length > 1 ? 's' : ''}: ${s.error}` : s.error;
    else if (!s.cut && last < Math.min(bytes.length, DECODE_LIMIT)) out.truncated = `decoded the first ${MAX_VALUES} items`;
    return out;
  } catch (e) {
    out.error = reason(e);
    return out;
  }
}

/**
 * True for the self-describe prefix (0xd9d9f7), or when the whole frame is CBOR items that each start with a map or
 * array head and MessagePack, which shares the heads 0x80–0x9f, does not read it as plausibly (see `likelier`; a tie
 * says nothing).
 * False when such a head does not decode.
 */
export function sniffCbor(f: DecodeInput): boolean | undefined {
  const b = f.bytes;
  if (!b) return undefined; // a text frame says nothing of the binary frames beside it
  if (b.length >= 3 && b[0] === 0xd9 && b[1] === 0xd9 && b[2] === 0xf7) return true;
  if (b.length < 2 || !isCborContainer(b[0])) return undefined;
  const s = scanCbor(b, DECODE_LIMIT, Infinity);
  if (s.error) return false;
  if (!s.allContainers) return undefined;
  if (b[0] <= 0x9f) {
    const m = scanMsgpack(b, DECODE_LIMIT, Infinity);
    if (readsWholly(m) && likelier(m, s) !== 'cbor') return undefined;
  }
  return true;
}

export const cborDecoder: Decoder = {
  id: ID,
  label: 'CBOR',
  sniff: (f) => sniffCbor(f),
  decode: (f) => decodeCbor(f),
};
