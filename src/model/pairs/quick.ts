// Pair keys read straight off a frame's text, without decoding it (pairing reads every frame as it arrives): the
// decoders' quickPair. Each says what `pairKeysOf(decode(f))` would, or undefined when it cannot tell quickly.
import { DECODE_LIMIT, type DecodeInput } from '../decode/types';
import { skipNumber, skipString, skipValue, skipWs, isJsonFrom } from './json-skip';
import { PAIR_ROLE, type PairKey } from './types';

const REQUEST = PAIR_ROLE.request;
const ANSWER = PAIR_ROLE.answer;

/** The key of a JSON id token (t[from, to)): what idKey gives of its parsed value; null for none, undefined unsure. */
function tokenKey(t: string, from: number, to: number): string | null | undefined {
  const c = t.charCodeAt(from);
  if (c === 34) {
    const s = t.slice(from + 1, to - 1);
    return s.includes('\\') ? undefined : `"${s}"`;
  }
  if (c === 45 || (c >= 48 && c <= 57)) {
    // A short integer (the usual id) is written as String(Number(it)) writes it: no conversion needed.
    if (to - from <= 15 && !(c === 45 && t.charCodeAt(from + 1) === 48) && plainInteger(t, from, to)) return t.slice(from, to);
    const n = Number(t.slice(from, to));
    return Number.isFinite(n) ? String(n) : null;
  }
  return null; // null, true, false, an object or an array: not an id
}

function plainInteger(t: string, from: number, to: number): boolean {
  for (let i = t.charCodeAt(from) === 45 ? from + 1 : from; i < to; i++) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

// Where the members pairing reads sit in the object (start and end of each value), -1 when absent.
let idAt = -1;
let idEnd = -1;
let methodAt = -1;
let methodEnd = -1;
let answers = false;

/**
 * Reads the top-level members of the object at `i` and checks the whole text is JSON (as JSON.parse would take it);
 * false when it is not, or when a member it reads repeats or a name has escapes (either is left to decode).
 */
function members(t: string, i: number): boolean {
  idAt = methodAt = -1;
  answers = false;
  let seen = 0;
  i = skipWs(t, i + 1);
  if (t.charCodeAt(i) === 125) return skipWs(t, i + 1) === t.length;
  for (;;) {
    if (t.charCodeAt(i) !== 34) return false;
    const keyEnd = skipString(t, i);
    if (keyEnd < 0) return false;
    const colon = skipWs(t, keyEnd);
    if (t.charCodeAt(colon) !== 58) return false;
    const v = skipWs(t, colon + 1);
    const end = skipValue(t, v);
    if (end < 0) return false;
    const len = keyEnd - i - 2;
    let bit = 0;
    if (len === 2 && t.startsWith('id', i + 1)) {
      bit = 1;
      idAt = v;
      idEnd = end;
    } else if (len === 6 && t.startsWith('method', i + 1)) {
      bit = 2;
      methodAt = v;
      methodEnd = end;
    } else if ((len === 6 && t.startsWith('result', i + 1)) || (len === 5 && t.startsWith('error', i + 1))) {
      bit = len === 6 ? 4 : 8;
      answers = true;
    } else {
      for (let k = i + 1; k < keyEnd - 1; k++) if (t.charCodeAt(k) === 92) return false; // may spell one of them
    }
    if (seen & bit) return false; // JSON.parse keeps the last one
    seen |= bit;
    i = skipWs(t, end);
    const c = t.charCodeAt(i);
    if (c === 125) return skipWs(t, i + 1) === t.length;
    if (c !== 44) return false;
    i = skipWs(t, i + 1);
  }
}

/** JSON-RPC: a request with an id opens (named by its method), a result or error with an id answers. */
export function jsonrpcQuickPair(f: DecodeInput): PairKey[] | null | undefined {
  const t = f.text;
  if (t === undefined || t.length > DECODE_LIMIT) return undefined;
  const i = skipWs(t, 0);
  const c = t.charCodeAt(i);
  if (c !== 123) return c === 91 ? undefined : null; // a batch: decode; anything else is no message
  if (!members(t, i)) return undefined;
  if (methodAt >= 0 && t.charCodeAt(methodAt) === 34) {
    if (idAt < 0) return null; // a notification
    const name = t.slice(methodAt + 1, methodEnd - 1);
    if (name.includes('\\')) return undefined;
    const key = tokenKey(t, idAt, idEnd);
    return key == null ? key : [{ role: REQUEST, key, name }];
  }
  if (!answers || idAt < 0) return null;
  const key = tokenKey(t, idAt, idEnd);
  return key == null ? key : [{ role: ANSWER, key }];
}

/**
 * Socket.IO: an EVENT with an ack id opens (named by its event), an ACK with one answers; the header read as
 * socket.io-parser does, the JSON checked to be an array.
 */
export function socketioQuickPair(f: DecodeInput): PairKey[] | null | undefined {
  const t = f.text;
  if (t === undefined) return null; // binary frames are attachments: no ids of their own
  if (t.length > DECODE_LIMIT) return undefined;
  if (t.charCodeAt(0) !== 52 /* 4 */) return null;
  const type = t.charCodeAt(1) - 48;
  if (type !== 2 && type !== 3 && type !== 5 && type !== 6) return null;
  let i = 2;
  if (type >= 5) {
    const dash = t.indexOf('-', 2);
    if (!(dash > 2 && dash <= 11)) return null;
    for (let k = 2; k < dash; k++) if (t.charCodeAt(k) < 48 || t.charCodeAt(k) > 57) return null;
    i = dash + 1;
  }
  let nsp = '/';
  if (t.charCodeAt(i) === 47 /* / */) {
    const comma = t.indexOf(',', i);
    nsp = t.slice(i, comma < 0 ? t.length : comma);
    i = comma < 0 ? t.length : comma + 1;
  }
  const idFrom = i;
  while (i < t.length && i - idFrom < 20 && t.charCodeAt(i) >= 48 && t.charCodeAt(i) <= 57) i++;
  const a = skipWs(t, i);
  if (t.charCodeAt(a) !== 91) return null; // no array: decode reads a plain message
  if (!isJsonFrom(t, a)) return undefined;
  if (i === idFrom) return null;
  const key = `${nsp}#${String(Number(t.slice(idFrom, i)))}`;
  if (type === 3 || type === 6) return [{ role: ANSWER, key }];
  return [{ role: REQUEST, key, name: eventName(t, a, type === 2 ? 'EVENT' : 'BINARY_EVENT') }];
}

/** The event name as decode gives it: the first argument when a string or a number, else the packet type. */
function eventName(t: string, a: number, kind: string): string {
  const v = skipWs(t, a + 1);
  const c = t.charCodeAt(v);
  if (c === 34) {
    const s = t.slice(v + 1, skipString(t, v) - 1);
    return s.includes('\\') ? (JSON.parse(`"${s}"`) as string) : s;
  }
  if (c === 45 || (c >= 48 && c <= 57)) return String(Number(t.slice(v, skipNumber(t, v))));
  return kind;
}
