// Protobuf with the user's .proto files: protobufjs parses them (its reflection only); the wire is read here. The
// extension's CSP forbids eval, and protobufjs's Type.decode / toObject are generated with `new Function`, so they are
// not used. The panel may import this file lazily: protobufjs is large.
//
// Value: the typed object, as toObject would give it with field names as written in the .proto (keepCase): 64-bit
// integers as numbers where a double holds them exactly, as decimal strings otherwise; enums as their names (the
// number when the schema has no name for it); bytes as Uint8Array; maps as objects keyed by the key's text; unset
// fields absent. Fields the schema does not know (or whose wire type does not match) go under `$unknown`, as the
// schema-less tree reads them.
import protobuf from 'protobufjs';
import { truncatedText } from './binary-common';
import {
  laxText,
  readDouble,
  readFloat,
  readU32,
  readVarint,
  s64,
  skipField,
  u64,
  vHi,
  vLo,
  wireTree,
  zigzag64,
  type WireMessage,
} from './protobuf';
import { DECODE_LIMIT, type Decoded, type DecodedMessage, type Decoder, type DecodeInput } from './types';

const ID = 'protobuf';
/** Deepest nesting of messages (protobufjs and protoc bound theirs too). */
const MAX_DEPTH = 64;

// What a field holds, as the decoder switches on it.
const enum K {
  Double,
  Float,
  Int32,
  Int64,
  Uint32,
  Uint64,
  Sint32,
  Sint64,
  Fixed32,
  Fixed64,
  Sfixed32,
  Sfixed64,
  Bool,
  String,
  Bytes,
  Enum,
  Message,
}

const SCALARS: Record<string, K> = {
  double: K.Double,
  float: K.Float,
  int32: K.Int32,
  int64: K.Int64,
  uint32: K.Uint32,
  uint64: K.Uint64,
  sint32: K.Sint32,
  sint64: K.Sint64,
  fixed32: K.Fixed32,
  fixed64: K.Fixed64,
  sfixed32: K.Sfixed32,
  sfixed64: K.Sfixed64,
  bool: K.Bool,
  string: K.String,
  bytes: K.Bytes,
};

/** The wire type each kind is written with (packed repeated scalars also come as 2). */
function wireOf(k: K): number {
  switch (k) {
    case K.Double:
    case K.Fixed64:
    case K.Sfixed64:
      return 1;
    case K.Float:
    case K.Fixed32:
    case K.Sfixed32:
      return 5;
    case K.String:
    case K.Bytes:
    case K.Message:
      return 2;
    default:
      return 0;
  }
}

interface Slot {
  kind: K;
  msg?: Plan;
  enumNames?: Record<number, string>;
}

interface FieldPlan extends Slot {
  name: string;
  wire: number;
  repeated: boolean;
  /** Map fields: the key's kind, and the value's wire type (the value is the slot itself). */
  key?: K;
  valueWire?: number;
  /** Other members of the (non-synthetic) oneof this field is in: setting it clears them. */
  siblings?: string[];
}

interface Plan {
  name: string;
  byId: Map<number, FieldPlan>;
}

class PbError extends Error {
  constructor(
    message: string,
    /** The bytes read ran out before the frame did: the read limit cut it, it is not broken. */
    readonly past: boolean,
  ) {
    super(message);
  }
}

function slotOf(type: string, resolved: protobuf.Type | protobuf.Enum | null, plans: Map<protobuf.Type, Plan>): Slot {
  if (resolved instanceof protobuf.Type) return { kind: K.Message, msg: planOf(resolved, plans) };
  if (resolved instanceof protobuf.Enum) return { kind: K.Enum, enumNames: resolved.valuesById };
  const kind = SCALARS[type];
  if (kind === undefined) throw new Error(`unknown field type ${type}`);
  return { kind };
}

/** What decoding a type needs, built once per type (a recursive type points at its own plan). */
function planOf(type: protobuf.Type, plans: Map<protobuf.Type, Plan>): Plan {
  let plan = plans.get(type);
  if (plan) return plan;
  plan = { name: type.name, byId: new Map() };
  plans.set(type, plan);
  for (const f of type.fieldsArray) {
    f.resolve();
    const slot = slotOf(f.type, f.resolvedType, plans);
    const fp: FieldPlan = { ...slot, name: f.name, wire: wireOf(slot.kind), repeated: f.repeated };
    if (f.map) {
      const keyType = (f as unknown as protobuf.MapField).keyType;
      const key = SCALARS[keyType];
      if (key === undefined) throw new Error(`map key type ${keyType} of ${type.name}.${f.name}`);
      fp.key = key;
      fp.valueWire = fp.wire;
      fp.wire = 2;
    }
    const oneof = f.partOf;
    if (oneof && !oneof.isProto3Optional && oneof.oneof.length > 1) fp.siblings = oneof.oneof.filter((n) => n !== f.name);
    plan.byId.set(f.id, fp);
  }
  return plan;
}

/** A 64-bit integer: a number where exact, else its decimal text. */
function long(v: number | bigint): number | string {
  return typeof v === 'bigint' ? String(v) : v;
}

function set(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

class Reader {
  constructor(
    readonly b: Uint8Array,
    /** Where the bytes read end, and where the frame does. */
    readonly limit: number,
    readonly total: number,
  ) {}

  ranOut(what: string, at: number, need: number): PbError {
    const past = need > this.limit && this.limit < this.total && need <= this.total;
    return new PbError(`${what} at byte ${at} runs past the end of the frame`, past);
  }

  varint(pos: number, end: number): number {
    const p = readVarint(this.b, pos, end);
    if (p < 0) {
      if (end - pos >= 10) throw new PbError(`a varint longer than ten bytes at byte ${pos}`, false);
      throw this.ranOut('a varint', pos, end + 1);
    }
    return p;
  }

  /** One scalar of kind `k` at `pos` (its wire type already checked): [value, position after it]. */
  scalar(k: K, pos: number, end: number, slot: Slot): [unknown, number] {
    const b = this.b;
    switch (k) {
      case K.Double:
      case K.Fixed64:
      case K.Sfixed64: {
        if (pos + 8 > end) throw this.ranOut('a 64-bit value', pos, pos + 8);
        if (k === K.Double) return [readDouble(b, pos), pos + 8];
        const lo = readU32(b, pos);
        const hi = readU32(b, pos + 4);
        return [long(k === K.Fixed64 ? u64(lo, hi) : s64(lo, hi)), pos + 8];
      }
      case K.Float:
      case K.Fixed32:
      case K.Sfixed32: {
        if (pos + 4 > end) throw this.ranOut('a 32-bit value', pos, pos + 4);
        if (k === K.Float) return [readFloat(b, pos), pos + 4];
        const v = readU32(b, pos);
        return [k === K.Fixed32 ? v : v | 0, pos + 4];
      }
      case K.String:
      case K.Bytes: {
        const p = this.varint(pos, end);
        const n = vHi !== 0 ? Infinity : vLo;
        if (n > end - p) throw this.ranOut(`a ${n}-byte ${k === K.String ? 'string' : 'bytes'} value`, pos, p + n);
        const sub = b.subarray(p, p + n);
        return [k === K.String ? laxText(sub) : sub, p + n];
      }
      default: {
        const p = this.varint(pos, end);
        const lo = vLo;
        const hi = vHi;
        switch (k) {
          case K.Int32:
            return [lo | 0, p];
          case K.Uint32:
            return [lo, p];
          case K.Int64:
            return [long(s64(lo, hi)), p];
          case K.Uint64:
            return [long(u64(lo, hi)), p];
          case K.Sint32:
            return [(lo >>> 1) ^ -(lo & 1), p];
          case K.Sint64:
            return [long(zigzag64(lo, hi)), p];
          case K.Bool:
            return [lo !== 0 || hi !== 0, p];
          default: {
            const n = lo | 0;
            return [slot.enumNames?.[n] ?? n, p];
          }
        }
      }
    }
  }

  /** A message's fields from [pos, end) into `o`; for a group, up to its end marker. Returns the position after. */
  message(plan: Plan, pos: number, end: number, depth: number, group: number, o: Record<string, unknown>): number {
    if (depth > MAX_DEPTH) throw new PbError(`messages nested deeper than ${MAX_DEPTH} levels`, false);
    while (pos < end) {
      const at = pos;
      pos = this.varint(pos, end);
      if (vHi !== 0 || vLo >>> 3 === 0) throw new PbError(`an invalid field tag at byte ${at}`, false);
      const id = vLo >>> 3;
      const wire = vLo & 7;
      if (wire === 4) {
        if (id === group) return pos;
        throw new PbError(`a group end with no start at byte ${at}`, false);
      }
      const f = plan.byId.get(id);
      const packed = f !== undefined && f.repeated && f.key === undefined && wire === 2 && f.wire !== 2;
      if (f === undefined || !(wire === f.wire || packed || (wire === 3 && f.kind === K.Message))) {
        pos = this.unknown(o, at, pos, end, id, wire, depth);
        continue;
      }
      if (f.siblings) for (const s of f.siblings) delete o[s];
      if (f.key !== undefined) {
        pos = this.mapEntry(f, pos, end, depth, o);
      } else if (packed) {
        const p = this.varint(pos, end);
        const n = vHi !== 0 ? Infinity : vLo;
        if (n > end - p) throw this.ranOut(`packed field ${f.name}`, at, p + n);
        const list = this.list(o, f);
        let q = p;
        while (q < p + n) {
          const [v, next] = this.scalar(f.kind, q, p + n, f);
          list.push(v);
          q = next;
        }
        pos = p + n;
      } else if (f.kind === K.Message) {
        const into = f.repeated ? {} : ((o[f.name] as Record<string, unknown> | undefined) ?? {});
        if (wire === 3) pos = this.message(f.msg!, pos, end, depth + 1, id, into);
        else {
          const p = this.varint(pos, end);
          const n = vHi !== 0 ? Infinity : vLo;
          if (n > end - p) throw this.ranOut(`field ${f.name}`, at, p + n);
          this.message(f.msg!, p, p + n, depth + 1, 0, into);
          pos = p + n;
        }
        if (f.repeated) this.list(o, f).push(into);
        else set(o, f.name, into);
      } else {
        const [v, next] = this.scalar(f.kind, pos, end, f);
        if (f.repeated) this.list(o, f).push(v);
        else set(o, f.name, v);
        pos = next;
      }
    }
    if (group) throw this.ranOut('a group', end, end + 1);
    return pos;
  }

  list(o: Record<string, unknown>, f: FieldPlan): unknown[] {
    let l = o[f.name];
    if (!Array.isArray(l)) {
      l = [];
      set(o, f.name, l);
    }
    return l as unknown[];
  }

  mapEntry(f: FieldPlan, pos: number, end: number, depth: number, o: Record<string, unknown>): number {
    const p = this.varint(pos, end);
    const n = vHi !== 0 ? Infinity : vLo;
    if (n > end - p) throw this.ranOut(`map field ${f.name}`, pos, p + n);
    const stop = p + n;
    let key: unknown = f.key === K.String ? '' : f.key === K.Bool ? false : 0;
    let value: unknown;
    let q = p;
    while (q < stop) {
      const at = q;
      q = this.varint(q, stop);
      const id = vLo >>> 3;
      const wire = vLo & 7;
      if (vHi === 0 && id === 1 && wire === wireOf(f.key!)) [key, q] = this.scalar(f.key!, q, stop, f);
      else if (vHi === 0 && id === 2 && wire === f.valueWire) {
        if (f.kind === K.Message) {
          const q2 = this.varint(q, stop);
          const m = vLo;
          if (vHi !== 0 || m > stop - q2) throw this.ranOut(`a map value of ${f.name}`, at, q2 + m);
          const into: Record<string, unknown> = {};
          this.message(f.msg!, q2, q2 + m, depth + 1, 0, into);
          value = into;
          q = q2 + m;
        } else [value, q] = this.scalar(f.kind, q, stop, f);
      } else {
        const next = vHi !== 0 || wire === 4 ? -1 : skipField(this.b, q, stop, wire, id, depth + 1);
        if (next < 0) throw new PbError(`a broken entry of map field ${f.name} at byte ${at}`, false);
        q = next;
      }
    }
    if (value === undefined) value = f.kind === K.Message ? {} : f.kind === K.Enum ? (f.enumNames?.[0] ?? 0) : f.kind === K.String ? '' : f.kind === K.Bytes ? new Uint8Array(0) : f.kind === K.Bool ? false : 0;
    set(this.list2map(o, f), String(key), value);
    return stop;
  }

  list2map(o: Record<string, unknown>, f: FieldPlan): Record<string, unknown> {
    let m = o[f.name];
    if (typeof m !== 'object' || m === null) {
      m = {};
      set(o, f.name, m);
    }
    return m as Record<string, unknown>;
  }

  /** A field the schema does not know: skipped, and kept under `$unknown` as the schema-less tree reads it. */
  unknown(o: Record<string, unknown>, at: number, pos: number, end: number, id: number, wire: number, depth: number): number {
    if (wire > 5) throw new PbError(`field ${id}: wire type ${wire} (no such type) at byte ${at}`, false);
    const next = skipField(this.b, pos, end, wire, id, depth);
    if (next < 0) throw this.ranOut(`field ${id}`, at, end + 1);
    const tree = wireTree(this.b.subarray(at, next), next - at, next - at).value;
    let u = o.$unknown as WireMessage | undefined;
    if (!u) {
      u = {};
      o.$unknown = u;
    }
    for (const k of Object.keys(tree)) {
      const prev = u[k];
      const more = tree[k];
      u[k] = prev === undefined ? more : [...(Array.isArray(prev) ? prev : [prev]), ...(Array.isArray(more) ? more : [more])];
    }
    return next;
  }
}

const SUMMARY_KEYS_CHARS = 60;

function summaryOf(name: string, o: Record<string, unknown>): string {
  const keys = Object.keys(o);
  let list = '';
  let i = 0;
  for (; i < keys.length && list.length < SUMMARY_KEYS_CHARS; i++) list += (i ? ', ' : '') + keys[i];
  if (i < keys.length) list += ', …';
  return `${name} {${list}}`;
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Decode one frame as a message of `plan`. */
function decodeWith(plan: Plan, f: DecodeInput): Decoded {
  const out: Decoded = { proto: ID, messages: [] };
  const bytes = f.bytes;
  if (!bytes) {
    out.error = 'a text frame: protobuf is binary';
    return out;
  }
  const limit = Math.min(bytes.length, DECODE_LIMIT);
  const o: Record<string, unknown> = {};
  try {
    new Reader(bytes, limit, bytes.length).message(plan, 0, limit, 0, 0, o);
    if (limit < bytes.length) out.truncated = truncatedText(limit, bytes.length);
  } catch (e) {
    if (e instanceof PbError && e.past) out.truncated = truncatedText(limit, bytes.length);
    else out.error = reason(e);
  }
  const msg: DecodedMessage = { summary: summaryOf(plan.name, o), kind: 'message', value: o };
  const names: DecodedMessage['names'] = {};
  if (typeof o.event === 'string') names.event = o.event;
  if (typeof o.method === 'string') names.method = o.method;
  if (names.event !== undefined || names.method !== undefined) msg.names = names;
  out.messages.push(msg);
  return out;
}

/** The line of `text` where `word` first appears as a whole word (1-based), or 0. */
function lineOf(text: string, word: string): number {
  const re = new RegExp(`(^|[^\\w.])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w])`, 'm');
  const m = re.exec(text);
  return m ? text.slice(0, m.index + m[1].length).split('\n').length : 0;
}

/** Parse .proto sources into one root (well-known google/protobuf imports supplied), or say why not. */
function load(protoText: string | readonly string[]): { root: protobuf.Root } | { error: string } {
  const texts = typeof protoText === 'string' ? [protoText] : protoText;
  const root = new protobuf.Root();
  const known = new Set<string>();
  for (let i = 0; i < texts.length; i++) {
    const where = texts.length > 1 ? `.proto file ${i + 1}: ` : '';
    let imports: string[];
    try {
      imports = protobuf.parse(texts[i], root, { keepCase: true }).imports ?? [];
    } catch (e) {
      return { error: `${where}invalid .proto: ${reason(e)}` };
    }
    for (const file of imports) {
      const json = protobuf.common.get(file);
      if (json?.nested && !known.has(file)) {
        known.add(file);
        try {
          root.addJSON(json.nested);
        } catch {
          // Already defined by the user's own sources: theirs stay.
        }
      }
    }
  }
  try {
    root.resolveAll();
  } catch (e) {
    const msg = reason(e);
    const name = /'([^']+)'/.exec(msg)?.[1];
    let line = 0;
    let file = 0;
    if (name) {
      for (let i = 0; i < texts.length && !line; i++) {
        line = lineOf(texts[i], name);
        file = i;
      }
    }
    const where = line ? ` (${texts.length > 1 ? `.proto file ${file + 1}, ` : ''}line ${line})` : '';
    return { error: `invalid .proto: ${msg}${where}` };
  }
  return { root };
}

function typeNames(ns: protobuf.NamespaceBase, out: string[]): string[] {
  for (const o of ns.nestedArray) {
    // NamespaceBase is a type only: a message type or a package may hold more types.
    if (o instanceof protobuf.Type) out.push(o.fullName.replace(/^\./, ''));
    if (o instanceof protobuf.Type || o instanceof protobuf.Namespace) typeNames(o, out);
  }
  return out;
}

/** The message types .proto sources define (full names, for the panel's type choice), or why they do not parse. */
export function protobufMessageTypes(protoText: string | readonly string[]): { types: string[] } | { error: string } {
  const r = load(protoText);
  if ('error' in r) return r;
  return { types: typeNames(r.root, []).filter((n) => !n.startsWith('google.protobuf.')) };
}

/**
 * A decoder reading every frame as the message `typeName` of the .proto sources (one text, or several files that
 * import one another by package), or why it cannot be made: an invalid .proto names its line.
 */
export function createProtobufSchemaDecoder(protoText: string | readonly string[], typeName: string): { decoder: Decoder } | { error: string } {
  try {
    const r = load(protoText);
    if ('error' in r) return r;
    let type: protobuf.Type;
    try {
      type = r.root.lookupType(typeName.replace(/^\./, ''));
    } catch {
      const all = typeNames(r.root, []).filter((n) => !n.startsWith('google.protobuf.'));
      return { error: `no message type ${typeName} in the .proto (it defines ${all.length ? all.join(', ') : 'none'})` };
    }
    const plan = planOf(type, new Map());
    const decoder: Decoder = {
      id: ID,
      label: `Protobuf (${type.name})`,
      decode: (f) => {
        try {
          return decodeWith(plan, f);
        } catch (e) {
          return { proto: ID, messages: [], error: reason(e) };
        }
      },
    };
    return { decoder };
  } catch (e) {
    return { error: `invalid .proto: ${reason(e)}` };
  }
}
