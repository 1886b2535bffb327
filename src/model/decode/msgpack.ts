// MessagePack payloads as trees, decoded by @msgpack/msgpack. A structural scan runs first: the library then only sees
// values whose counts fit the bytes and whose nesting is bounded (it preallocates arrays from the claimed length).
// Values: extension types are `{ext: type, data: bytes}` (timestamps, type -1, also get `time` as an ISO string);
// map keys that are not strings become object keys by `keyText` (numbers as they print, bytes as 0x hex, arrays and
// maps as compact text; two keys with the same text keep the last value); 64-bit integers are numbers where a double
// holds them exactly, bigint otherwise. Several values in one frame are several messages.
import { Decoder as MsgpackDecoder, decodeTimestampToTimeSpec, type ExtensionCodecType } from '@msgpack/msgpack';
import { keyText, MAX_VALUES, scanCbor, scanMsgpack, treeMessage, truncatedText, isMsgpackContainer, likelier, readsWholly, wrapper, type Scan } from './binary-common';
import { DECODE_LIMIT, type Decoded, type DecodedMessage, type Decoder, type DecodeInput } from './types';

const ID = 'msgpack';

function timeOf(data: Uint8Array): string | undefined {
  try {
    const { sec, nsec } = decodeTimestampToTimeSpec(data);
    const ms = sec * 1000 + nsec / 1e6;
    return Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : undefined;
  } catch {
    return undefined; // not a well-formed timestamp: the bytes are shown as they are
  }
}

const extensions: ExtensionCodecType<undefined> = {
  tryToEncode: () => null,
  decode(data: Uint8Array, ext: number) {
    if (ext === -1) {
      const time = timeOf(data);
      if (time !== undefined) return wrapper({ ext, data, time });
    }
    return wrapper({ ext, data });
  },
};

// One decoder for every frame: the scan already bounds what it allocates, and its key cache is shared.
const library = new MsgpackDecoder({ useBigInt64: true, extensionCodec: extensions, mapKeyConverter: keyText });

/** 64-bit integers come as bigint: back to numbers where exact. Depth is bounded by the scan. */
function narrow(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = narrow(v[i]);
  } else if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array)) {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) o[k] = narrow(o[k]);
  }
  return v;
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The map or array the read limit cut: its complete items, each decoded on its own. */
function partialValue(bytes: Uint8Array, s: Scan): { value: unknown; note: string } | undefined {
  const p = s.partial;
  if (!p) return undefined;
  const items: unknown[] = [];
  let at = p.start;
  for (const end of p.ends) {
    items.push(library.decode(bytes.subarray(at, end)));
    at = end;
  }
  if (!p.map) return { value: items, note: `the last array holds only its first ${items.length} items` };
  const o: Record<string, unknown> = {};
  for (let i = 0; i + 1 < items.length; i += 2) o[keyText(items[i])] = items[i + 1];
  return { value: o, note: `the last map holds only its first ${Math.floor(items.length / 2)} entries` };
}

export function decodeMsgpack(f: DecodeInput): Decoded {
  const out: Decoded = { proto: ID, messages: [] };
  try {
    const bytes = f.bytes;
    if (!bytes) {
      out.error = 'a text frame: MessagePack is binary';
      return out;
    }
    if (bytes.length === 0) {
      out.error = 'an empty frame';
      return out;
    }
    const over = bytes.length > DECODE_LIMIT;
    const s = scanMsgpack(bytes, DECODE_LIMIT, MAX_VALUES, over);
    const last = s.ends.length ? s.ends[s.ends.length - 1] : 0;
    try {
      // One value is the common case: decode() skips decodeMulti's generator.
      if (s.ends.length === 1) out.messages.push(treeMessage(s.int64 ? narrow(library.decode(bytes.subarray(0, last))) : library.decode(bytes.subarray(0, last))));
      else if (last > 0) {
        for (const v of library.decodeMulti(bytes.subarray(0, last))) out.messages.push(treeMessage(s.int64 ? narrow(v) : v));
      }
      let partial: DecodedMessage | undefined;
      const part = s.cut ? partialValue(bytes, s) : undefined;
      if (part) partial = treeMessage(s.int64 ? narrow(part.value) : part.value);
      if (partial) out.messages.push(partial);
      if (s.cut) out.truncated = truncatedText(DECODE_LIMIT, bytes.length) + (part ? `; ${part.note}` : '');
    } catch (e) {
      out.error = reason(e);
      return out;
    }
    if (s.error) out.error = s.ends.length ? `after ${s.ends.length} value${s.ends.length > 1 ? 's' : ''}: ${s.error}` : s.error;
    else if (!s.cut && last < Math.min(bytes.length, DECODE_LIMIT)) out.truncated = `decoded the first ${MAX_VALUES} values`;
    return out;
  } catch (e) {
    out.error = reason(e);
    return out;
  }
}

/**
 * True when the whole frame is MessagePack values that each start with a map or array head, and CBOR, which shares
 * the heads 0x80–0x9f, does not read it as plausibly (see `likelier`; a tie says nothing). False when such a head
 * does not decode.
 */
export function sniffMsgpack(f: DecodeInput): boolean | undefined {
  const b = f.bytes;
  if (!b) return undefined; // a text frame says nothing of the binary frames beside it
  if (b.length < 2 || !isMsgpackContainer(b[0])) return undefined;
  const s = scanMsgpack(b, DECODE_LIMIT, Infinity);
  if (s.error) return false;
  if (!s.allContainers) return undefined;
  if (b[0] <= 0x9f) {
    const c = scanCbor(b, DECODE_LIMIT, Infinity);
    if (readsWholly(c) && likelier(s, c) !== 'msgpack') return undefined;
  }
  return true;
}

export const msgpackDecoder: Decoder = {
  id: ID,
  label: 'MessagePack',
  sniff: (f) => sniffMsgpack(f),
  decode: (f) => decodeMsgpack(f),
};
