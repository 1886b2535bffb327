// MQTT packets, for mqtt.ts: each control packet read into its value (payloads, topic names and filters, the
// 3.1.1-or-5 choice and the level state behind it) and `mqttTopicMatches`. Apart from the reassembly: it reads one
// packet at a time. The rules it follows for the level are in mqtt.ts's header.
import {
  type Obj, TYPE_NAMES, STOP, stopShort, stopReason, malformed, short, utf8, Reader, hdrLen, remLen, readProps,
  P_CONNECT, P_WILL, P_CONNACK, P_PUBLISH, P_ACK, P_SUBSCRIBE, P_UNSUBSCRIBE, P_DISCONNECT, P_AUTH, REASONS,
  R_CONNACK, R_PUBACK, R_PUBREL, R_SUBACK, R_UNSUBACK, R_DISCONNECT, R_AUTH, V4_CONNACK, V4_SUBACK, hex2, reasonCode,
} from './mqtt-wire';
import { oneLine } from './types';

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

export type Level = 4 | 5;

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

// Here, not with the summaries in mqtt.ts: the topic and CONNECT checks clip what they quote in their errors.
// Control characters fold to a space: a topic or client id may hold line breaks, and a summary is one line.
export function clip(s: string): string {
  return oneLine(s, SUMMARY_TEXT - 1);
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
export interface LevelState {
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

export function newValue(type: number, flags: number): Obj {
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
export function parsePacket(b: Uint8Array, pos: number, avail: number, lv: LevelState, light: boolean): Parsed {
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
