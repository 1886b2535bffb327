// MQTT on the wire, for mqtt-packets.ts and mqtt.ts: the bounded packet Reader, strict UTF-8, the fixed header, v5
// properties and reason codes. Apart from the packets: nothing here chooses between 3.1.1 and 5 or knows of frames.

export const TYPE_NAMES = [
  '', 'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP', 'SUBSCRIBE', 'SUBACK', 'UNSUBSCRIBE',
  'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH',
];
/** The fixed header flags each type must carry; PUBLISH (-1) carries DUP, QoS and RETAIN. */
const FIXED_FLAGS = [-1, 0, 0, -1, 0, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, 0];

export type Obj = Record<string, unknown>;

// ---- Reading ----------------------------------------------------------------------------------------------------

/** Thrown (one instance, no stack to build) when a packet is malformed or ends before the bytes received so far do. */
class Stop extends Error {}
export const STOP = new Stop('mqtt');
export let stopShort = false;
export let stopReason = '';

export function malformed(reason: string): never {
  stopShort = false;
  stopReason = reason;
  throw STOP;
}

export function short(): never {
  stopShort = true;
  stopReason = 'the packet continues past the bytes received';
  throw STOP;
}

const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Whether the bytes are well-formed UTF-8 (no overlongs, no surrogates): checked here, as a throw costs more. */
function isUtf8(b: Uint8Array, i: number, end: number): boolean {
  while (i < end) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else return false;
    if (i + n >= end) return false;
    const c1 = b[i + 1];
    if (c1 < lo || c1 > hi) return false;
    for (let k = 2; k <= n; k++) if ((b[i + k] & 0xc0) !== 0x80) return false;
    i += n + 1;
  }
  return true;
}

/** Strict UTF-8, undefined when invalid; short ASCII (most topics and ids) without TextDecoder's call cost. */
export function utf8(b: Uint8Array, start: number, end: number): string | undefined {
  if (end - start <= 32) {
    let s = '';
    let i = start;
    for (; i < end; i++) {
      const c = b[i];
      if (c >= 0x80) break;
      s += String.fromCharCode(c);
    }
    if (i === end) return s;
  }
  return isUtf8(b, start, end) ? UTF8.decode(b.subarray(start, end)) : undefined;
}

/** Reads one packet: past `end` (the packet's own length) it is malformed, past `avail` (bytes received) short. */
export class Reader {
  constructor(
    readonly b: Uint8Array,
    public pos: number,
    public end: number,
    readonly avail: number,
  ) {}

  need(n: number, what: string): void {
    if (this.pos + n > this.end) malformed(`${what} runs past the end of the packet`);
    if (this.pos + n > this.avail) short();
  }

  u8(what: string): number {
    this.need(1, what);
    return this.b[this.pos++];
  }

  u16(what: string): number {
    this.need(2, what);
    const v = (this.b[this.pos] << 8) | this.b[this.pos + 1];
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const b = this.b;
    const p = this.pos;
    this.pos += 4;
    return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
  }

  varint(what: string): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 4; i++) {
      const c = this.u8(what);
      v += (c & 0x7f) * mul;
      if (!(c & 0x80)) return v;
      mul *= 128;
    }
    return malformed(`${what} is a variable byte integer longer than 4 bytes`);
  }

  bin(what: string): Uint8Array {
    const n = this.u16(what);
    this.need(n, what);
    const out = this.b.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  skipBin(what: string): number {
    const n = this.u16(what);
    this.need(n, what);
    this.pos += n;
    return n;
  }

  str(what: string): string {
    const n = this.u16(what);
    this.need(n, what);
    const s = utf8(this.b, this.pos, this.pos + n);
    if (s === undefined) malformed(`${what} is not valid UTF-8`);
    if (s.includes('\0')) malformed(`${what} contains U+0000`);
    this.pos += n;
    return s;
  }

  done(what: string): void {
    if (this.pos !== this.end) malformed(`${this.end - this.pos} unexpected bytes after the ${what}`);
  }
}

// Fixed header, read without allocating: the result lands in these.
// Exported as live bindings: the other files read them straight after their own readHeader call.
export let hdrLen = 0;
export let remLen = 0;
export let hdrError = '';
export const HDR_OK = 0;
export const HDR_SHORT = 1;
export const HDR_BAD = 2;

/** The fixed header at `pos`: type and flags checked, remaining length read (bytes past `avail` make it short). */
export function readHeader(b: Uint8Array, pos: number, avail: number): number {
  if (pos >= avail) return HDR_SHORT;
  const first = b[pos];
  const type = first >> 4;
  const flags = first & 15;
  if (type === 0) {
    hdrError = 'packet type 0 is reserved';
    return HDR_BAD;
  }
  const want = FIXED_FLAGS[type];
  if (want >= 0 ? flags !== want : (flags & 6) === 6) {
    hdrError = want >= 0 ? `${TYPE_NAMES[type]} with fixed header flags ${flags} (must be ${want})` : 'PUBLISH with QoS 3';
    return HDR_BAD;
  }
  let v = 0;
  let mul = 1;
  for (let i = 1; i <= 4; i++) {
    if (pos + i >= avail) return HDR_SHORT;
    const c = b[pos + i];
    v += (c & 0x7f) * mul;
    if (!(c & 0x80)) {
      hdrLen = i + 1;
      remLen = v;
      return HDR_OK;
    }
    mul *= 128;
  }
  hdrError = `${TYPE_NAMES[type]} remaining length longer than 4 bytes`;
  return HDR_BAD;
}

// ---- Properties (MQTT 5) ----------------------------------------------------------------------------------------

const K_BYTE = 0;
const K_BOOL = 1;
const K_U16 = 2;
const K_U32 = 3;
const K_VAR = 4;
const K_STR = 5;
const K_BIN = 6;
const K_PAIR = 7;

const PROPS: Record<number, readonly [string, number]> = {
  0x01: ['payloadFormatIndicator', K_BYTE],
  0x02: ['messageExpiryInterval', K_U32],
  0x03: ['contentType', K_STR],
  0x08: ['responseTopic', K_STR],
  0x09: ['correlationData', K_BIN],
  0x0b: ['subscriptionIdentifier', K_VAR],
  0x11: ['sessionExpiryInterval', K_U32],
  0x12: ['assignedClientIdentifier', K_STR],
  0x13: ['serverKeepAlive', K_U16],
  0x15: ['authenticationMethod', K_STR],
  0x16: ['authenticationData', K_BIN],
  0x17: ['requestProblemInformation', K_BOOL],
  0x18: ['willDelayInterval', K_U32],
  0x19: ['requestResponseInformation', K_BOOL],
  0x1a: ['responseInformation', K_STR],
  0x1c: ['serverReference', K_STR],
  0x1f: ['reasonString', K_STR],
  0x21: ['receiveMaximum', K_U16],
  0x22: ['topicAliasMaximum', K_U16],
  0x23: ['topicAlias', K_U16],
  0x24: ['maximumQoS', K_BYTE],
  0x25: ['retainAvailable', K_BOOL],
  0x26: ['userProperties', K_PAIR],
  0x27: ['maximumPacketSize', K_U32],
  0x28: ['wildcardSubscriptionAvailable', K_BOOL],
  0x29: ['subscriptionIdentifiersAvailable', K_BOOL],
  0x2a: ['sharedSubscriptionAvailable', K_BOOL],
};

function allowed(ids: number[]): Uint8Array {
  const a = new Uint8Array(64);
  for (const id of ids) a[id] = 1;
  return a;
}
export const P_CONNECT = allowed([0x11, 0x21, 0x22, 0x27, 0x17, 0x19, 0x26, 0x15, 0x16]);
export const P_WILL = allowed([0x18, 0x01, 0x02, 0x03, 0x08, 0x09, 0x26]);
export const P_CONNACK = allowed([0x11, 0x21, 0x24, 0x25, 0x27, 0x12, 0x22, 0x1f, 0x26, 0x28, 0x29, 0x2a, 0x13, 0x1a, 0x1c, 0x15, 0x16]);
export const P_PUBLISH = allowed([0x01, 0x02, 0x23, 0x08, 0x09, 0x26, 0x0b, 0x03]);
export const P_ACK = allowed([0x1f, 0x26]);
export const P_SUBSCRIBE = allowed([0x0b, 0x26]);
export const P_UNSUBSCRIBE = allowed([0x26]);
export const P_DISCONNECT = allowed([0x11, 0x1f, 0x26, 0x1c]);
export const P_AUTH = allowed([0x15, 0x16, 0x1f, 0x26]);

/** Sets a key as an own property, whatever its name (`__proto__` included). */
function put(o: Obj, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** A repeatable property: one value as itself, several as an array in wire order. */
function add(o: Obj, k: string, v: unknown): void {
  if (!Object.hasOwn(o, k)) put(o, k, v);
  else {
    const prev = o[k];
    if (Array.isArray(prev)) prev.push(v);
    else put(o, k, [prev, v]);
  }
}

export function readProps(r: Reader, ok: Uint8Array, what: string): Obj {
  const len = r.varint(`${what} property length`);
  if (r.pos + len > r.end) malformed(`${what} properties run past the end of the packet`);
  const outer = r.end;
  r.end = r.pos + len;
  const out: Obj = {};
  while (r.pos < r.end) {
    const id = r.varint(`${what} property id`);
    const p = PROPS[id];
    if (!p) malformed(`${what} has an unknown property 0x${id.toString(16)}`);
    const [name, kind] = p;
    if (!ok[id]) malformed(`${what} may not carry ${name}`);
    if (kind === K_PAIR) {
      const users = (out.userProperties ??= {}) as Obj;
      const k = r.str(`${what} user property name`);
      add(users, k, r.str(`${what} user property value`));
      continue;
    }
    let v: unknown;
    if (kind === K_BYTE || kind === K_BOOL) {
      const n = r.u8(name);
      if (n > 1) malformed(`${what} ${name} is ${n} (must be 0 or 1)`);
      v = kind === K_BOOL ? n === 1 : n;
    } else if (kind === K_U16) v = r.u16(name);
    else if (kind === K_U32) v = r.u32(name);
    else if (kind === K_VAR) v = r.varint(name);
    else if (kind === K_STR) v = r.str(name);
    else v = r.bin(name);
    if (v === 0 && (id === 0x0b || id === 0x21 || id === 0x23 || id === 0x27)) malformed(`${what} ${name} is 0`);
    if (id === 0x0b && ok === P_PUBLISH) add(out, name, v);
    else if (Object.hasOwn(out, name)) malformed(`${what} carries ${name} twice`);
    else out[name] = v;
  }
  r.end = outer;
  return out;
}

// ---- Reason codes -----------------------------------------------------------------------------------------------

export const REASONS: Record<number, string> = {
  0x00: 'Success', 0x01: 'Granted QoS 1', 0x02: 'Granted QoS 2', 0x04: 'Disconnect with Will Message',
  0x10: 'No matching subscribers', 0x11: 'No subscription existed', 0x18: 'Continue authentication',
  0x19: 'Re-authenticate', 0x80: 'Unspecified error', 0x81: 'Malformed Packet', 0x82: 'Protocol Error',
  0x83: 'Implementation specific error', 0x84: 'Unsupported Protocol Version', 0x85: 'Client Identifier not valid',
  0x86: 'Bad User Name or Password', 0x87: 'Not authorized', 0x88: 'Server unavailable', 0x89: 'Server busy',
  0x8a: 'Banned', 0x8b: 'Server shutting down', 0x8c: 'Bad authentication method', 0x8d: 'Keep Alive timeout',
  0x8e: 'Session taken over', 0x8f: 'Topic Filter invalid', 0x90: 'Topic Name invalid',
  0x91: 'Packet Identifier in use', 0x92: 'Packet Identifier not found', 0x93: 'Receive Maximum exceeded',
  0x94: 'Topic Alias invalid', 0x95: 'Packet too large', 0x96: 'Message rate too high', 0x97: 'Quota exceeded',
  0x98: 'Administrative action', 0x99: 'Payload format invalid', 0x9a: 'Retain not supported',
  0x9b: 'QoS not supported', 0x9c: 'Use another server', 0x9d: 'Server moved',
  0x9e: 'Shared Subscriptions not supported', 0x9f: 'Connection rate exceeded', 0xa0: 'Maximum connect time',
  0xa1: 'Subscription Identifiers not supported', 0xa2: 'Wildcard Subscriptions not supported',
};
export const R_CONNACK = allowedCodes([0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f]);
export const R_PUBACK = allowedCodes([0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99]);
export const R_PUBREL = allowedCodes([0x00, 0x92]);
export const R_SUBACK = allowedCodes([0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2]);
export const R_UNSUBACK = allowedCodes([0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91]);
export const R_DISCONNECT = allowedCodes([0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2]);
export const R_AUTH = allowedCodes([0x00, 0x18, 0x19]);
export const V4_CONNACK = ['Connection accepted', 'Unacceptable protocol version', 'Identifier rejected', 'Server unavailable', 'Bad user name or password', 'Not authorized'];
export const V4_SUBACK: Record<number, string> = { 0: 'Granted QoS 0', 1: 'Granted QoS 1', 2: 'Granted QoS 2', 0x80: 'Failure' };

function allowedCodes(codes: number[]): Uint8Array {
  const a = new Uint8Array(256);
  for (const c of codes) a[c] = 1;
  return a;
}

export function hex2(n: number): string {
  return '0x' + n.toString(16).padStart(2, '0');
}

export function reasonCode(r: Reader, ok: Uint8Array, what: string, v: Obj): number {
  const code = r.u8(`${what} reason code`);
  if (!ok[code]) malformed(`${what} reason code ${hex2(code)} is not one it may carry`);
  v.reasonCode = code;
  v.reason = code === 0 && what === 'DISCONNECT' ? 'Normal disconnection' : REASONS[code];
  return code;
}
