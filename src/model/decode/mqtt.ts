// MQTT 3.1, 3.1.1 and 5 over WebSocket: every control packet, v5 properties by name, PUBLISH payloads as text / JSON /
// bytes, several packets in one frame and packets split across frames (reassembled from earlier frames of the same
// direction). Pure: no chrome.*, no DOM.
//
// Payloads: text when valid UTF-8 without control characters (other than tab and line breaks), parsed into a tree
// when it is JSON; anything else stays bytes.
//
// Protocol level: a CONNECT names it. Only PUBLISH, SUBSCRIBE, SUBACK and UNSUBSCRIBE read differently in 3.1.1 and
// 5; the others tell by their length. The level comes from a CONNECT or an unambiguous packet in this frame or in the
// frames looked back at for reassembly; failing that, a sent frame looks a few sent frames back, and otherwise the
// packet is read as v5 when its v5 reading validates, else as 3.1.1. A 3.1.1 PUBLISH whose payload happens to read as
// valid v5 properties (a payload starting with byte 0) can therefore show as v5 with its first byte taken as an empty
// property list.
//
// Split packets: a frame that does not parse on its own as whole packets looks back (bounded) for the frame where
// the packet it continues began. A frame that parses on its own as whole packets is taken as such without looking
// back (the common case stays cheap), unless it is two bytes or less (a packet id or a length can look like PINGREQ).
//
// names.topic: the PUBLISH topic only. SUBSCRIBE / UNSUBSCRIBE filters are in value.subscriptions / value.filters:
// a filter is not a topic, and `topic:` matches topics against the query's filter.
import { DECODE_LIMIT, type Decoded, type DecodedMessage, type DecodeContext, type DecodeInput, type Decoder } from './types';

const PROTO = 'mqtt';
/** How many earlier frames of the same direction a split packet is looked for in. */
const LOOKBACK_FRAMES = 64;
/** How many earlier sent frames a sent frame looks at for its connection's level when a packet reads both ways. */
const LEVEL_LOOKBACK_FRAMES = 4;
/** Packet headers the look-back may step over in all, so a frame of many tiny packets cannot make it slow. */
const LOOKBACK_PACKET_BUDGET = 20_000;
const MAX_PACKETS = 10_000;
const MAX_JSON_DEPTH = 64;
const SUMMARY_TEXT = 60;

const CONNECT = 1;
const CONNACK = 2;
const PUBLISH = 3;
const PUBACK = 4;
const PUBREL = 6;
const PUBCOMP = 7;
const SUBSCRIBE = 8;
const SUBACK = 9;
const UNSUBSCRIBE = 10;
const UNSUBACK = 11;
const PINGREQ = 12;
const PINGRESP = 13;
const AUTH = 15;

const TYPE_NAMES = [
  '', 'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP', 'SUBSCRIBE', 'SUBACK', 'UNSUBSCRIBE',
  'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH',
];
/** The fixed header flags each type must carry; PUBLISH (-1) carries DUP, QoS and RETAIN. */
const FIXED_FLAGS = [-1, 0, 0, -1, 0, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, 0];

type Level = 4 | 5;
type Obj = Record<string, unknown>;

// ---- Reading ----------------------------------------------------------------------------------------------------

/** Thrown (one instance, no stack to build) when a packet is malformed or ends before the bytes received so far do. */
class Stop extends Error {}
const STOP = new Stop('mqtt');
let stopShort = false;
let stopReason = '';

function malformed(reason: string): never {
  stopShort = false;
  stopReason = reason;
  throw STOP;
}

function short(): never {
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
function utf8(b: Uint8Array, start: number, end: number): string | undefined {
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
class Reader {
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
let hdrLen = 0;
let remLen = 0;
let hdrError = '';
const HDR_OK = 0;
const HDR_SHORT = 1;
const HDR_BAD = 2;

/** The fixed header at `pos`: type and flags checked, remaining length read (bytes past `avail` make it short). */
function readHeader(b: Uint8Array, pos: number, avail: number): number {
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
const P_CONNECT = allowed([0x11, 0x21, 0x22, 0x27, 0x17, 0x19, 0x26, 0x15, 0x16]);
const P_WILL = allowed([0x18, 0x01, 0x02, 0x03, 0x08, 0x09, 0x26]);
const P_CONNACK = allowed([0x11, 0x21, 0x24, 0x25, 0x27, 0x12, 0x22, 0x1f, 0x26, 0x28, 0x29, 0x2a, 0x13, 0x1a, 0x1c, 0x15, 0x16]);
const P_PUBLISH = allowed([0x01, 0x02, 0x23, 0x08, 0x09, 0x26, 0x0b, 0x03]);
const P_ACK = allowed([0x1f, 0x26]);
const P_SUBSCRIBE = allowed([0x0b, 0x26]);
const P_UNSUBSCRIBE = allowed([0x26]);
const P_DISCONNECT = allowed([0x11, 0x1f, 0x26, 0x1c]);
const P_AUTH = allowed([0x15, 0x16, 0x1f, 0x26]);

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

function readProps(r: Reader, ok: Uint8Array, what: string): Obj {
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

const REASONS: Record<number, string> = {
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
const R_CONNACK = allowedCodes([0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f]);
const R_PUBACK = allowedCodes([0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99]);
const R_PUBREL = allowedCodes([0x00, 0x92]);
const R_SUBACK = allowedCodes([0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2]);
const R_UNSUBACK = allowedCodes([0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91]);
const R_DISCONNECT = allowedCodes([0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2]);
const R_AUTH = allowedCodes([0x00, 0x18, 0x19]);
const V4_CONNACK = ['Connection accepted', 'Unacceptable protocol version', 'Identifier rejected', 'Server unavailable', 'Bad user name or password', 'Not authorized'];
const V4_SUBACK: Record<number, string> = { 0: 'Granted QoS 0', 1: 'Granted QoS 1', 2: 'Granted QoS 2', 0x80: 'Failure' };

function allowedCodes(codes: number[]): Uint8Array {
  const a = new Uint8Array(256);
  for (const c of codes) a[c] = 1;
  return a;
}

function hex2(n: number): string {
  return '0x' + n.toString(16).padStart(2, '0');
}

function reasonCode(r: Reader, ok: Uint8Array, what: string, v: Obj): number {
  const code = r.u8(`${what} reason code`);
  if (!ok[code]) malformed(`${what} reason code ${hex2(code)} is not one it may carry`);
  v.reasonCode = code;
  v.reason = code === 0 && what === 'DISCONNECT' ? 'Normal disconnection' : REASONS[code];
  return code;
}

// ---- Payloads -----------------------------------------------------------------------------------------------------

const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
const JSON_START = /^\s*[[{"\-0-9tfn]/;

function jsonTooDeep(s: string): boolean {
  if (s.length <= MAX_JSON_DEPTH * 2) return false;
  let depth = 0;
  let inStr = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inStr) {
      if (c === 92) i++;
      else if (c === 34) inStr = false;
    } else if (c === 34) inStr = true;
    else if (c === 91 || c === 123) {
      if (++depth > MAX_JSON_DEPTH) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

/** Text when valid UTF-8 without control characters (JSON as a tree when it parses), else the bytes. */
function payloadInto(v: Obj, b: Uint8Array, start: number, end: number): void {
  const text = end > start ? utf8(b, start, end) : '';
  v.payloadSize = end - start;
  if (text === undefined || CONTROL.test(text)) {
    v.payloadType = 'bytes';
    v.payload = b.slice(start, end);
    return;
  }
  if (JSON_START.test(text) && !jsonTooDeep(text)) {
    try {
      const tree = JSON.parse(text) as unknown;
      v.payloadType = 'json';
      v.payload = tree;
      return;
    } catch {
      // Not JSON after all: shown as text.
    }
  }
  v.payloadType = 'text';
  v.payload = text;
}

// ---- Topics ---------------------------------------------------------------------------------------------------------

function checkTopicName(t: string, what: string): void {
  if (t.includes('+') || t.includes('#')) malformed(`${what} "${clip(t)}" contains a wildcard`);
}

function checkTopicFilter(f: string): void {
  if (f === '') malformed('empty topic filter');
  for (let i = 0; i < f.length; i++) {
    const c = f.charCodeAt(i);
    if (c !== 35 && c !== 43) continue;
    const alone = (i === 0 || f.charCodeAt(i - 1) === 47) && (i === f.length - 1 || f.charCodeAt(i + 1) === 47);
    if (!alone || (c === 35 && i !== f.length - 1)) malformed(`topic filter "${clip(f)}" misplaces a wildcard`);
  }
}

/**
 * MQTT topic filter matching: `+` matches one level, `#` (last) the rest including the parent level, and a topic
 * starting with `$` is not matched by a filter starting with a wildcard. Walks both strings without allocating.
 */
export function mqttTopicMatches(filter: string, topic: string): boolean {
  const f0 = filter.charCodeAt(0);
  if (topic.charCodeAt(0) === 36 && (f0 === 43 || f0 === 35)) return false;
  const fl = filter.length;
  const tl = topic.length;
  let fi = 0;
  let ti = 0;
  for (;;) {
    let fe = filter.indexOf('/', fi);
    if (fe < 0) fe = fl;
    if (fe - fi === 1 && filter.charCodeAt(fi) === 35) return true;
    let te = topic.indexOf('/', ti);
    if (te < 0) te = tl;
    if (!(fe - fi === 1 && filter.charCodeAt(fi) === 43)) {
      if (fe - fi !== te - ti) return false;
      for (let i = 0; i < fe - fi; i++) if (filter.charCodeAt(fi + i) !== topic.charCodeAt(ti + i)) return false;
    }
    if (fe === fl) return te === tl;
    if (te === tl) return fl - fe === 2 && filter.charCodeAt(fe + 1) === 35;
    fi = fe + 1;
    ti = te + 1;
  }
}

// ---- Packets --------------------------------------------------------------------------------------------------------

function packetId(r: Reader, v: Obj): void {
  const id = r.u16('packet identifier');
  if (id === 0) malformed('packet identifier 0');
  v.packetId = id;
}

/** Returns the level the CONNECT names. */
function parseConnect(r: Reader, v: Obj, light: boolean): Level {
  const name = r.str('protocol name');
  v.protocolName = name;
  const level = r.u8('protocol level');
  v.protocolLevel = level;
  if (!((name === 'MQTT' && (level === 4 || level === 5)) || (name === 'MQIsdp' && level === 3))) {
    malformed(`protocol ${clip(name)} level ${level} is not MQTT 3.1, 3.1.1 or 5`);
  }
  v.version = level === 5 ? '5' : level === 4 ? '3.1.1' : '3.1';
  const fl = r.u8('connect flags');
  if (fl & 1) malformed('the reserved connect flag is set');
  const will = (fl & 4) !== 0;
  const willQos = (fl >> 3) & 3;
  const willRetain = (fl & 0x20) !== 0;
  const hasPassword = (fl & 0x40) !== 0;
  const hasUser = (fl & 0x80) !== 0;
  if (willQos === 3) malformed('will QoS 3');
  if (!will && (willQos || willRetain)) malformed('will QoS or retain set without a will');
  if (level < 5 && hasPassword && !hasUser) malformed('a password without a user name');
  v[level === 5 ? 'cleanStart' : 'cleanSession'] = (fl & 2) !== 0;
  v.keepAlive = r.u16('keep alive');
  if (level === 5) v.properties = readProps(r, P_CONNECT, 'CONNECT');
  v.clientId = r.str('client identifier');
  if (will) {
    const w: Obj = {};
    v.will = w;
    const props = level === 5 ? readProps(r, P_WILL, 'will') : undefined;
    w.topic = r.str('will topic');
    checkTopicName(w.topic as string, 'will topic');
    w.qos = willQos;
    w.retain = willRetain;
    if (props) w.properties = props;
    const n = r.u16('will payload');
    r.need(n, 'will payload');
    if (light) r.pos += n;
    else {
      payloadInto(w, r.b, r.pos, r.pos + n);
      r.pos += n;
    }
  }
  if (hasUser) v.username = r.str('user name');
  // The password is never shown: only that it is there.
  if (hasPassword) {
    r.skipBin('password');
    v.password = '(present, not shown)';
  }
  r.done('CONNECT');
  return level === 5 ? 5 : 4;
}

function parseConnack(r: Reader, v: Obj, len: number): Level {
  const f = r.u8('acknowledge flags');
  if (f & 0xfe) malformed('reserved CONNACK flags are set');
  v.sessionPresent = f === 1;
  if (len === 2) {
    const code = r.u8('return code');
    if (code > 5) malformed(`CONNACK return code ${code} is not 0 to 5`);
    v.reasonCode = code;
    v.reason = V4_CONNACK[code];
    return 4;
  }
  reasonCode(r, R_CONNACK, 'CONNACK', v);
  v.properties = readProps(r, P_CONNACK, 'CONNACK');
  r.done('CONNACK');
  return 5;
}

function parsePublish(r: Reader, v: Obj, level: Level, light: boolean): void {
  const topic = r.str('topic');
  v.topic = topic;
  checkTopicName(topic, 'topic');
  if ((v.qos as number) > 0) packetId(r, v);
  let props: Obj | undefined;
  if (level === 5) v.properties = props = readProps(r, P_PUBLISH, 'PUBLISH');
  if (topic === '' && props?.topicAlias === undefined) malformed('an empty topic without a topic alias');
  if (r.end > r.avail) {
    // Only the start of the payload is here (the packet continues, or the frame was cut at the decode limit).
    v.payloadSize = r.end - r.pos;
    v.payloadReceived = r.avail - r.pos;
    if (!light) {
      v.payloadType = 'bytes';
      v.payload = r.b.slice(r.pos, r.avail);
    }
    short();
  }
  if (light) v.payloadSize = r.end - r.pos;
  else payloadInto(v, r.b, r.pos, r.end);
  r.pos = r.end;
}

function parseAck(r: Reader, v: Obj, type: number, len: number): Level | undefined {
  packetId(r, v);
  if (len === 2) return undefined;
  const what = TYPE_NAMES[type];
  reasonCode(r, type === PUBREL || type === PUBCOMP ? R_PUBREL : R_PUBACK, what, v);
  if (len > 3) v.properties = readProps(r, P_ACK, what);
  r.done(what);
  return 5;
}

function parseSubscribe(r: Reader, v: Obj, level: Level): void {
  packetId(r, v);
  if (level === 5) v.properties = readProps(r, P_SUBSCRIBE, 'SUBSCRIBE');
  const subs: Obj[] = [];
  v.subscriptions = subs;
  do {
    const s: Obj = {};
    const filter = r.str('topic filter');
    checkTopicFilter(filter);
    s.filter = filter;
    subs.push(s);
    const o = r.u8('subscription options');
    if (level === 5) {
      if (o & 0xc0 || (o & 3) === 3 || (o & 0x30) === 0x30) malformed(`subscription options ${hex2(o)} are invalid`);
      s.qos = o & 3;
      s.noLocal = (o & 4) !== 0;
      s.retainAsPublished = (o & 8) !== 0;
      s.retainHandling = (o >> 4) & 3;
    } else {
      if (o > 2) malformed(`requested QoS byte ${hex2(o)} is invalid`);
      s.qos = o;
    }
  } while (r.pos < r.end);
}

function parseSuback(r: Reader, v: Obj, level: Level, type: number): void {
  const what = TYPE_NAMES[type];
  packetId(r, v);
  if (level === 5) v.properties = readProps(r, P_ACK, what);
  const codes: number[] = [];
  const reasons: string[] = [];
  v.reasonCodes = codes;
  v.reasons = reasons;
  do {
    const c = r.u8(`${what} reason code`);
    if (type === SUBACK && level === 4) {
      if (V4_SUBACK[c] === undefined) malformed(`SUBACK return code ${hex2(c)} is invalid`);
      reasons.push(V4_SUBACK[c]);
    } else {
      if (!(type === SUBACK ? R_SUBACK : R_UNSUBACK)[c]) malformed(`${what} reason code ${hex2(c)} is not one it may carry`);
      reasons.push(c === 0 && type === SUBACK ? 'Granted QoS 0' : REASONS[c]);
    }
    codes.push(c);
  } while (r.pos < r.end);
}

function parseUnsubscribe(r: Reader, v: Obj, level: Level): void {
  packetId(r, v);
  if (level === 5) v.properties = readProps(r, P_UNSUBSCRIBE, 'UNSUBSCRIBE');
  const filters: string[] = [];
  v.filters = filters;
  do {
    const f = r.str('topic filter');
    checkTopicFilter(f);
    filters.push(f);
  } while (r.pos < r.end);
}

/** PINGREQ, PINGRESP, DISCONNECT, AUTH, UNSUBACK in 3.1.1: their length says the level. */
function parseTail(r: Reader, v: Obj, type: number, len: number): Level | undefined {
  const what = TYPE_NAMES[type];
  if (type === PINGREQ || type === PINGRESP) {
    r.done(what);
    return undefined;
  }
  if (type === UNSUBACK) {
    if (len === 2) {
      packetId(r, v);
      return 4;
    }
    parseSuback(r, v, 5, type);
    return 5;
  }
  if (len === 0) return type === AUTH ? 5 : undefined;
  reasonCode(r, type === AUTH ? R_AUTH : R_DISCONNECT, what, v);
  if (len > 1) v.properties = readProps(r, type === AUTH ? P_AUTH : P_DISCONNECT, what);
  r.done(what);
  return 5;
}

/** What the packets told of the level: `sure` from a CONNECT or a packet that reads one way only. */
interface LevelState {
  level?: Level;
  sure: boolean;
  /** A packet read both ways and the choice was a guess. */
  guessed: boolean;
  /** Asked when a packet reads both ways and nothing here tells: earlier frames of this direction. */
  lookup?: () => Level | undefined;
}

interface Parsed {
  v: Obj;
  /** 'ok', 'short' (continues past the bytes here) or the reason it is malformed. */
  end: string;
}

function attempt(b: Uint8Array, body: number, end: number, avail: number, type: number, flags: number, level: Level, light: boolean): Parsed {
  const v = newValue(type, flags);
  const r = new Reader(b, body, end, avail);
  try {
    if (type === PUBLISH) parsePublish(r, v, level, light);
    else if (type === SUBSCRIBE) parseSubscribe(r, v, level);
    else if (type === SUBACK) parseSuback(r, v, level, type);
    else parseUnsubscribe(r, v, level);
    return { v, end: 'ok' };
  } catch (e) {
    if (e !== STOP) throw e;
    return { v, end: stopShort ? 'short' : stopReason };
  }
}

function newValue(type: number, flags: number): Obj {
  const v: Obj = { type: TYPE_NAMES[type] };
  if (type === PUBLISH) {
    v.qos = (flags >> 1) & 3;
    v.retain = (flags & 1) !== 0;
    v.dup = (flags & 8) !== 0;
  }
  return v;
}

function isEmpty(o: unknown): boolean {
  for (const _ in o as Obj) return false;
  return true;
}

/** One packet whose header is at `pos` (hdrLen / remLen already read); `avail` bounds the bytes present. */
function parsePacket(b: Uint8Array, pos: number, avail: number, lv: LevelState, light: boolean): Parsed {
  const first = b[pos];
  const type = first >> 4;
  const flags = first & 15;
  const len = remLen;
  const body = pos + hdrLen;
  const end = body + len;
  if (type === PUBLISH || type === SUBSCRIBE || type === SUBACK || type === UNSUBSCRIBE) {
    if (lv.sure && lv.level) return attempt(b, body, end, avail, type, flags, lv.level, light);
    if (type === PUBLISH && !publishMayBeV5(b, body, end, avail, flags)) {
      const p = attempt(b, body, end, avail, type, flags, 4, light);
      if (p.end === 'ok') setSure(lv, 4);
      return p;
    }
    const five = attempt(b, body, end, avail, type, flags, 5, light);
    if (five.end !== 'ok' && five.end !== 'short') {
      // Not v5: read once as 3.1.1.
      const p = attempt(b, body, end, avail, type, flags, 4, light);
      if (p.end === 'ok') setSure(lv, 4);
      return p.end === 'ok' || p.end === 'short' || lv.level !== 5 ? p : five;
    }
    const four = attempt(b, body, end, avail, type, flags, 4, true);
    const again4 = (): Parsed => (light ? four : attempt(b, body, end, avail, type, flags, 4, light));
    if (five.end === 'ok' && four.end === 'ok') {
      // Both readings hold: only an empty v5 property list (byte 0) is a likely misreading of a 3.1.1 packet.
      let level = lv.level;
      if (!level && isEmpty(five.v.properties) && lv.lookup) level = lv.lookup();
      lv.guessed = true;
      return level === 4 ? again4() : five;
    }
    if (five.end === 'ok') {
      setSure(lv, 5);
      return five;
    }
    // The v5 reading is short of bytes (the packet continues): the 3.1.1 one too, or it is malformed.
    return four.end === 'short' && lv.level === 4 ? again4() : five;
  }
  const v = newValue(type, flags);
  const r = new Reader(b, body, end, avail);
  try {
    let told: Level | undefined;
    if (type === CONNECT) {
      // The CONNECT names the level of everything after it.
      lv.level = parseConnect(r, v, light);
      lv.sure = true;
    } else if (type === CONNACK) told = parseConnack(r, v, len);
    else if (type >= PUBACK && type <= PUBCOMP) told = parseAck(r, v, type, len);
    else told = parseTail(r, v, type, len);
    if (told) setSure(lv, told);
    return { v, end: 'ok' };
  } catch (e) {
    if (e !== STOP) throw e;
    return { v, end: stopShort ? 'short' : stopReason };
  }
}

/**
 * Cheap test, without reading strings, of whether a PUBLISH can be v5: its property length must fit and its first
 * property must be one a PUBLISH carries. Most 3.1.1 payloads fail it at once (`{` as a length runs past the end).
 */
function publishMayBeV5(b: Uint8Array, body: number, end: number, avail: number, flags: number): boolean {
  if (body + 2 > avail) return true;
  let p = body + 2 + ((b[body] << 8) | b[body + 1]) + (flags & 6 ? 2 : 0);
  if (p >= avail) return true;
  if (p >= end) return false;
  let len = 0;
  let mul = 1;
  for (let i = 0; ; i++) {
    if (p >= avail) return true;
    if (i === 4) return false;
    const c = b[p++];
    len += (c & 0x7f) * mul;
    if (!(c & 0x80)) break;
    mul *= 128;
  }
  if (p + len > end) return false;
  return len === 0 || p >= avail || P_PUBLISH[b[p]] === 1;
}

function setSure(lv: LevelState, level: Level): void {
  if (lv.sure) return;
  lv.level = level;
  lv.sure = true;
}

// ---- Summaries --------------------------------------------------------------------------------------------------------

function clip(s: string): string {
  return s.length > SUMMARY_TEXT ? s.slice(0, SUMMARY_TEXT - 1) + '…' : s;
}

function listFilters(parts: string[], items: unknown[], withQos: boolean): void {
  const shown = Math.min(items.length, 2);
  for (let i = 0; i < shown; i++) {
    const it = items[i] as Obj | string;
    const text = typeof it === 'string' ? clip(it) : `${clip(it.filter as string)}${withQos && it.qos !== undefined ? ` q${it.qos as number}` : ''}`;
    parts.push(i < shown - 1 ? text + ',' : text);
  }
  if (items.length > shown) parts.push(`+${items.length - shown}`);
}

function summarize(v: Obj): string {
  const parts: string[] = [v.type as string];
  const id = v.packetId !== undefined ? `#${v.packetId as number}` : undefined;
  switch (v.type) {
    case 'CONNECT':
      if (v.version !== undefined) parts.push(`mqtt${v.version as string}`);
      if (v.clientId !== undefined) parts.push(v.clientId === '' ? '(no client id)' : clip(v.clientId as string));
      break;
    case 'CONNACK':
      if (v.reason !== undefined) parts.push(v.reason as string);
      if (v.sessionPresent) parts.push('session present');
      break;
    case 'PUBLISH': {
      const alias = (v.properties as Obj | undefined)?.topicAlias;
      if (v.topic) parts.push(clip(v.topic as string));
      else if (alias !== undefined) parts.push(`(alias ${alias as number})`);
      parts.push(`q${v.qos as number}`);
      if (id) parts.push(id);
      if (v.retain) parts.push('retain');
      if (v.dup) parts.push('dup');
      break;
    }
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE': {
      const items = (v.subscriptions ?? v.filters) as unknown[] | undefined;
      if (items) listFilters(parts, items, true);
      if (id) parts.push(id);
      break;
    }
    case 'SUBACK':
    case 'UNSUBACK': {
      if (id) parts.push(id);
      const codes = v.reasonCodes as number[] | undefined;
      const reasons = v.reasons as string[] | undefined;
      if (codes && reasons) {
        const bad = new Set<string>();
        for (let i = 0; i < codes.length; i++) if (codes[i] >= 0x80 || (v.type === 'UNSUBACK' && codes[i] !== 0)) bad.add(reasons[i]);
        if (bad.size) parts.push([...bad].join(', '));
      }
      break;
    }
    default:
      if (id) parts.push(id);
      if (v.reasonCode !== undefined && (v.reasonCode !== 0 || v.type === 'AUTH')) parts.push(v.reason as string);
  }
  return parts.join(' ');
}

type Piece = 'whole' | 'begins' | 'middle' | 'ends' | 'cut';

function toMessage(v: Obj, piece: Piece, frames: number): DecodedMessage {
  let summary = summarize(v);
  if (piece === 'begins') summary += ' (continues in the next frame)';
  else if (piece === 'middle') summary += ' (continued; continues in the next frame)';
  else if (piece === 'cut') summary += ' (truncated)';
  if (piece === 'ends') v.frames = frames;
  else if (piece !== 'whole') v.partial = true;
  const msg: DecodedMessage = { summary, kind: v.type as string, value: v };
  if (v.type === 'PUBLISH' && typeof v.topic === 'string' && v.topic !== '') msg.names = { topic: v.topic };
  if (typeof v.packetId === 'number') msg.id = v.packetId;
  return msg;
}

// ---- Frames --------------------------------------------------------------------------------------------------------

interface RunOpts {
  lv: LevelState;
  light: boolean;
  /** Bytes at the start of the buffer that belong to a packet begun in earlier frames. */
  carried: number;
  /** How many earlier frames that packet began in. */
  carriedFrames: number;
  /** The frame was cut at the decode limit: a packet running past the end is truncated, not continued. */
  cut: boolean;
}

interface RunOut {
  messages: DecodedMessage[];
  error?: string;
  /** The last packet continues past the end. */
  partial: boolean;
  /** The first packet of the buffer failed to parse. */
  failedAtStart: boolean;
  tooMany: boolean;
  /** Where parsing stopped. */
  pos: number;
  /** A packet read both ways and its level was a guess. */
  guessed: boolean;
}

function run(b: Uint8Array, end: number, o: RunOpts): RunOut {
  const out: RunOut = { messages: [], partial: false, failedAtStart: false, tooMany: false, pos: 0, guessed: false };
  let pos = 0;
  while (pos < end) {
    if (out.messages.length >= MAX_PACKETS) {
      out.tooMany = true;
      break;
    }
    const where = pos < o.carried ? 'begun in an earlier frame' : `at byte ${pos - o.carried}`;
    const st = readHeader(b, pos, end);
    if (st === HDR_BAD) {
      out.error = `not an MQTT packet ${where}: ${hdrError}`;
      out.failedAtStart = pos === 0;
      break;
    }
    const continued = pos < o.carried;
    if (st === HDR_SHORT) {
      const v = newValue(b[pos] >> 4, b[pos] & 15);
      out.messages.push(toMessage(v, o.cut ? 'cut' : continued ? 'middle' : 'begins', 0));
      out.partial = true;
      break;
    }
    const total = hdrLen + remLen;
    const p = parsePacket(b, pos, end, o.lv, o.light);
    if (p.end !== 'ok' && p.end !== 'short') {
      out.error = `${p.v.type as string} ${where}: ${p.end}`;
      out.failedAtStart = pos === 0;
      break;
    }
    if (p.end === 'short' || pos + total > end) {
      out.messages.push(toMessage(p.v, o.cut ? 'cut' : continued ? 'middle' : 'begins', 0));
      out.partial = true;
      break;
    }
    out.messages.push(toMessage(p.v, continued ? 'ends' : 'whole', o.carriedFrames + 1));
    pos += total;
  }
  out.pos = pos;
  return out;
}

/** The packet a frame starts inside of: its bytes so far (up to the decode limit) from the frames it began in. */
interface Carry {
  pieces: Uint8Array[];
  /** Bytes of it seen so far. */
  len: number;
  /** Bytes of it kept (all, unless it outgrew the decode limit or crossed a frame cut at the limit). */
  kept: number;
  frames: number;
}

interface Start {
  /** undefined: the frame starts at a packet boundary. */
  carry?: Carry;
  /** Nothing in the look-back window says where the frame's first packet began. */
  unknown: boolean;
  level?: Level;
}

function concat(pieces: Uint8Array[], total: number): Uint8Array {
  if (pieces.length === 1 && pieces[0].length === total) return pieces[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of pieces) {
    const n = Math.min(p.length, total - at);
    out.set(n === p.length ? p : p.subarray(0, n), at);
    at += n;
    if (at >= total) break;
  }
  return out;
}

function keep(c: Carry, b: Uint8Array): void {
  const room = DECODE_LIMIT - c.kept;
  if (room > 0 && c.kept === c.len) {
    const piece = b.length <= room ? b : b.subarray(0, room);
    c.pieces.push(piece);
    c.kept += piece.length;
  }
  c.len += b.length;
}

interface Sibling {
  bytes: Uint8Array;
  /** Its first DECODE_LIMIT bytes: headers past it are not read. */
  readable: number;
}

const BAD = 0;
const SHORT = 1;
const WHOLE = 2;

/** Light parse of one packet, header already read, for the look-back: BAD, SHORT (reads well so far) or WHOLE. */
function plausible(b: Uint8Array, pos: number, avail: number, lv: LevelState, budget: { n: number }): number {
  budget.n--;
  const p = parsePacket(b, pos, avail, lv, true);
  return p.end === 'ok' ? WHOLE : p.end === 'short' ? SHORT : BAD;
}

/**
 * Walks frames -k … -1 from a frame assumed to start at a packet boundary: every packet must read as MQTT. Returns
 * the packet left open at the end (or none), or undefined when the assumption does not hold.
 */
function simulate(sibs: Sibling[], k: number, lv: LevelState, budget: { n: number }): { carry?: Carry; whole: number } | undefined {
  let carry: Carry | undefined;
  let whole = 0;
  let total = -1;
  for (let i = k - 1; i >= 0; i--) {
    const { bytes, readable } = sibs[i];
    let pos = 0;
    if (carry) {
      if (total < 0) {
        // The header itself was split: at most 5 bytes.
        const head = concat([...carry.pieces, bytes.subarray(0, 5)], Math.min(carry.len + bytes.length, carry.len + 5));
        const st = readHeader(head, 0, head.length);
        if (st === HDR_BAD) return undefined;
        if (st === HDR_SHORT) {
          keep(carry, bytes);
          carry.frames++;
          continue;
        }
        total = hdrLen + remLen;
      }
      const need = total - carry.len;
      if (need > bytes.length) {
        keep(carry, bytes.subarray(0, readable));
        if (readable < bytes.length) carry.len += bytes.length - readable;
        carry.frames++;
        continue;
      }
      if (carry.kept === carry.len && need <= readable && total <= DECODE_LIMIT) {
        const joined = concat([...carry.pieces, bytes.subarray(0, need)], total);
        readHeader(joined, 0, joined.length);
        if (plausible(joined, 0, joined.length, lv, budget) !== WHOLE) return undefined;
        whole++;
      }
      pos = need;
      carry = undefined;
      total = -1;
    }
    while (pos < bytes.length) {
      if (budget.n <= 0 || pos >= readable) return undefined;
      const st = readHeader(bytes, pos, readable);
      if (st === HDR_BAD) return undefined;
      if (st === HDR_SHORT) {
        if (readable < bytes.length) return undefined;
        carry = { pieces: [], len: 0, kept: 0, frames: 1 };
        keep(carry, bytes.subarray(pos));
        break;
      }
      const t = hdrLen + remLen;
      const fit = plausible(bytes, pos, Math.min(readable, pos + t), lv, budget);
      if (fit === BAD) return undefined;
      if (fit === WHOLE && pos + t <= readable) whole++;
      if (pos + t > bytes.length) {
        total = t;
        carry = { pieces: [], len: 0, kept: 0, frames: 1 };
        keep(carry, bytes.subarray(pos, readable));
        carry.len += bytes.length - readable;
        break;
      }
      pos += t;
    }
  }
  return { carry, whole };
}

function siblingBytes(s: DecodeInput | undefined): Sibling | undefined {
  // An empty binary frame stays: a writer that sends each field as a frame sends an empty string as an empty frame.
  if (!s || s.opcode !== 2 || !s.bytes) return undefined;
  return { bytes: s.bytes, readable: Math.min(s.bytes.length, DECODE_LIMIT) };
}

/** How this frame, with the packet carried into it (if any), starts: BAD, SHORT (reads well so far) or WHOLE. */
function startsWell(carry: Carry | undefined, frame: Uint8Array, budget: { n: number }): number {
  let b = frame;
  if (carry) {
    // A packet too large to keep whole cannot be checked further.
    if (carry.kept !== carry.len) return SHORT;
    b = concat([...carry.pieces, frame], Math.min(carry.len + frame.length, DECODE_LIMIT));
  }
  const st = readHeader(b, 0, b.length);
  if (st !== HDR_OK) return st === HDR_SHORT ? SHORT : BAD;
  return plausible(b, 0, b.length, { sure: false, guessed: false }, budget);
}

/**
 * Where this frame's first packet began: bounded look-back over earlier frames of the same direction. A frame whose
 * first bytes read as a packet header is a candidate start; tiny frames (one field each) make many such candidates
 * by chance, so a candidate counts only once a whole packet from it validates (before or in this frame). Nearest
 * such candidate wins; the first frame of the direction is a start for sure; failing both, the farthest candidate
 * that reads consistently up to this frame.
 */
function findStart(ctx: DecodeContext, frame: Uint8Array): Start {
  const sibs: Sibling[] = [];
  const budget = { n: LOOKBACK_PACKET_BUDGET };
  let weak: Start | undefined;
  const tryFrom = (k: number, sure: boolean): Start | undefined => {
    const lv: LevelState = { sure: false, guessed: false };
    const sim = simulate(sibs, k, lv, budget);
    if (!sim) return undefined;
    const first = startsWell(sim.carry, frame, budget);
    if (first === BAD && !sure) return undefined;
    const start: Start = { carry: sim.carry, unknown: false, level: lv.sure ? lv.level : undefined };
    if (sure || sim.whole > 0 || first === WHOLE) return start;
    weak = start;
    return undefined;
  };
  for (let k = 1; k <= LOOKBACK_FRAMES; k++) {
    const s = siblingBytes(ctx.sibling(-k));
    if (!s) {
      // The first frame of this direction (or past what the store holds, or not MQTT): surely a boundary.
      if (k === 1) return { unknown: false };
      return tryFrom(k - 1, true) ?? weak ?? { unknown: true };
    }
    sibs.push(s);
    if (s.readable === 0 || readHeader(s.bytes, 0, s.readable) === HDR_BAD) continue;
    const start = tryFrom(k, false);
    if (start) return start;
    if (budget.n <= 0) break;
  }
  return weak ?? { unknown: true };
}

/** A sent frame's level from the few sent frames before it: the nearest that tells. */
function levelFromEarlier(ctx: DecodeContext): Level | undefined {
  for (let k = 1; k <= LEVEL_LOOKBACK_FRAMES; k++) {
    const s = siblingBytes(ctx.sibling(-k));
    if (!s) return undefined;
    const lv: LevelState = { sure: false, guessed: false };
    run(s.bytes, s.readable, { lv, light: true, carried: 0, carriedFrames: 0, cut: s.readable < s.bytes.length });
    if (lv.sure) return lv.level;
  }
  return undefined;
}

function size(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

function decodeBinary(all: Uint8Array, dir: DecodeInput['dir'], ctx: DecodeContext): Decoded {
  const cut = all.length > DECODE_LIMIT;
  const bytes = cut ? all.subarray(0, DECODE_LIMIT) : all;
  let lookedUp = false;
  let earlier: Level | undefined;
  const lookup =
    dir === 'sent'
      ? () => {
          if (!lookedUp) {
            lookedUp = true;
            earlier = levelFromEarlier(ctx);
          }
          return earlier;
        }
      : undefined;
  const decodeWith = (buf: Uint8Array, carried: number, carriedFrames: number, level?: Level): RunOut => {
    const o: RunOpts = { lv: { sure: level !== undefined, level, guessed: false, lookup }, light: false, carried, carriedFrames, cut };
    const r = run(buf, buf.length, o);
    // A packet later in the frame told the level after an earlier one was guessed: read the frame again with it.
    if (o.lv.guessed && o.lv.sure && level === undefined) return decodeWith(buf, carried, carriedFrames, o.lv.level);
    r.guessed = o.lv.guessed;
    return r;
  };

  let r = decodeWith(bytes, 0, 0);
  const clean = !r.error && !r.partial && !r.tooMany;
  let note = '';
  if (!clean || bytes.length <= 2) {
    const start = findStart(ctx, bytes);
    const c = start.carry;
    if (c && c.kept === c.len) {
      const joined = concat([...c.pieces, bytes], c.len + bytes.length);
      r = decodeWith(joined, c.len, c.frames, start.level);
    } else if (c) {
      r = endOfHugePacket(c, bytes, start.level, (buf, level) => decodeWith(buf, 0, 0, level));
    } else if (start.unknown && r.failedAtStart) {
      note = ` (or the rest of a packet begun more than ${LOOKBACK_FRAMES} frames before)`;
    } else if (start.level && r.guessed) {
      r = decodeWith(bytes, 0, 0, start.level);
    }
  }
  const out: Decoded = { proto: PROTO, messages: r.messages };
  if (r.error) out.error = r.error + note;
  else if (bytes.length === 0 && !r.messages.length) out.error = 'an empty frame';
  if (cut) out.truncated = `decoded the first ${size(DECODE_LIMIT)} of ${size(all.length)}`;
  else if (r.tooMany) out.truncated = `decoded the first ${MAX_PACKETS} packets; ${size(bytes.length - r.pos)} after them not decoded`;
  return out;
}

/** A frame that ends (or continues) a packet too large to keep whole: what was kept of it, then the frame's own packets. */
function endOfHugePacket(c: Carry, bytes: Uint8Array, level: Level | undefined, rest: (buf: Uint8Array, level?: Level) => RunOut): RunOut {
  const head = concat(c.pieces, c.kept);
  const none: RunOut = { messages: [], partial: false, failedAtStart: true, tooMany: false, pos: 0, guessed: false };
  if (readHeader(head, 0, head.length) !== HDR_OK) return { ...none, error: 'continues a packet too large to reassemble' };
  const total = hdrLen + remLen;
  const p = parsePacket(head, 0, head.length, { sure: level !== undefined, level, guessed: false }, false);
  const ends = total - c.len <= bytes.length;
  const msg = toMessage(p.v, ends ? 'cut' : 'middle', 0);
  msg.summary = msg.summary.replace(/ \((truncated|continued; continues in the next frame)\)$/, ends ? ' (end of a packet too large to reassemble)' : ' (continued; too large to reassemble)');
  if (!ends) return { ...none, failedAtStart: false, messages: [msg], partial: true, pos: bytes.length };
  const after = rest(bytes.subarray(total - c.len), level);
  return { ...after, messages: [msg, ...after.messages] };
}

// ---- Sniffing ---------------------------------------------------------------------------------------------------------

function sniffConnect(b: Uint8Array): boolean {
  if (readHeader(b, 0, b.length) !== HDR_OK || b[0] !== 0x10) return false;
  const p = hdrLen;
  if (remLen < 10 || b.length < p + 8) return false;
  const n = (b[p] << 8) | b[p + 1];
  const name = n === 4 || n === 6 ? utf8(b, p + 2, p + 2 + n) : undefined;
  if (b.length < p + 2 + n + 2) return false;
  const level = b[p + 2 + n];
  const flags = b[p + 3 + n];
  const nameOk = (name === 'MQTT' && (level === 4 || level === 5)) || (name === 'MQIsdp' && level === 3);
  return nameOk && (flags & 1) === 0 && ((flags >> 3) & 3) !== 3 && (flags & 4 ? true : (flags & 0x38) === 0);
}

function sniffConnack(b: Uint8Array): boolean {
  if (readHeader(b, 0, b.length) !== HDR_OK || b[0] !== 0x20) return false;
  const total = hdrLen + remLen;
  if (total > b.length || remLen < 2) return false;
  const lv: LevelState = { sure: false, guessed: false };
  if (parsePacket(b, 0, total, lv, true).end !== 'ok') return false;
  // Anything after it must at least start like another packet.
  return total === b.length || readHeader(b, total, b.length) !== HDR_BAD;
}

export const mqttDecoder: Decoder = {
  id: PROTO,
  label: 'MQTT',
  subprotocols: ['mqtt', 'mqttv3.1'],
  sniff(f: DecodeInput): boolean | undefined {
    // MQTT over WebSocket is carried in binary frames only.
    if (f.opcode === 1) return false;
    const b = f.bytes;
    if (f.opcode !== 2 || !b || b.length < 4) return undefined;
    try {
      if (b[0] === 0x10 && f.dir === 'sent') return sniffConnect(b) || undefined;
      if (b[0] === 0x20 && f.dir === 'received') return sniffConnack(b) || undefined;
    } catch {
      // A sniff never decides on a failure.
    }
    return undefined;
  },
  decode(f: DecodeInput, ctx: DecodeContext): Decoded {
    if (f.opcode !== 2 || !f.bytes) {
      return { proto: PROTO, messages: [], error: 'MQTT over WebSocket travels in binary frames; this is a text frame' };
    }
    try {
      return decodeBinary(f.bytes, f.dir, ctx);
    } catch (e) {
      return { proto: PROTO, messages: [], error: `could not decode: ${e instanceof Error ? e.message : String(e)}` };
    }
  },
};
