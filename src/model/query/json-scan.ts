// Reading a JSON path on a frame's raw text, without a parse: a walk over the characters that reads the members and
// elements on the way to the value, and skips the others. On valid JSON it is exact, as long as the names and the
// string read have no escapes (a backslash there: UNSURE, and the text is parsed). On anything else it reads something
// or nothing, but never throws and stays linear: a value it finds counts only once the text is known to parse
// (`parses` in json-memo.ts, remembered per frame), and a value it does not find is right either way (invalid JSON has
// no values).
import { MISSING as MISSING_VALUE, type Segment } from './json-path';

// Imported constants copied to module constants for the per-frame paths (a bundler or test runner may turn each use
// of an imported binding into a property read on a module object).
const MISSING = MISSING_VALUE;

/** A value that is an object or an array. */
const NESTED: object = Object.freeze({});
/** The raw reading cannot tell (an escape in a name or in the string read; a name on an array): parse. */
export const UNSURE = Symbol('unsure');

export function skipWs(t: string, i: number): number {
  for (;;) {
    const c = t.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else return i;
  }
}

/** Index of the " that closes the string whose opening " is at i (escapes skipped), or -1. */
function stringEnd(t: string, i: number): number {
  const n = t.length;
  for (let j = i + 1; j < n; j++) {
    const c = t.charCodeAt(j);
    if (c === 34) return j;
    if (c === 92) j++;
  }
  return -1;
}

/** Index of the closing " of a string at i that has no escape; -1 if unclosed, -2 if it has an escape. */
function plainStringEnd(t: string, i: number): number {
  const n = t.length;
  for (let j = i + 1; j < n; j++) {
    const c = t.charCodeAt(j);
    if (c === 34) return j;
    if (c === 92) return -2;
  }
  return -1;
}

/** End of the value that starts at i, or -1. */
function skipValue(t: string, i: number): number {
  const c = t.charCodeAt(i);
  if (c === 34 /* " */) {
    const e = stringEnd(t, i);
    return e < 0 ? -1 : e + 1;
  }
  const n = t.length;
  if (c === 123 /* { */ || c === 91 /* [ */) {
    let depth = 0;
    for (let j = i; j < n; j++) {
      const d = t.charCodeAt(j);
      if (d === 34) {
        j = stringEnd(t, j);
        if (j < 0) return -1;
      } else if (d === 123 || d === 91) depth++;
      else if (d === 125 || d === 93) {
        if (--depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  for (; j < n; j++) {
    const d = t.charCodeAt(j);
    if (d === 44 || d === 125 || d === 93 || d === 58 || d === 32 || d === 10 || d === 13 || d === 9) break;
  }
  return j === i ? -1 : j;
}

/**
 * Start of the value of the last member named `key` of the object at i; -1 if none, -2 if unsure. In a text without
 * backslashes, `needle` (the end of the name and its closing quote, see needleOf) ends the search early: once it does
 * not occur after a member named `key`, no later member can have that name.
 */
function memberAt(t: string, i: number, key: string, needle: string | null): number {
  let found = -1;
  const kl = key.length;
  i = skipWs(t, i + 1);
  if (t.charCodeAt(i) === 125) return -1;
  for (;;) {
    if (t.charCodeAt(i) !== 34) return -1;
    const end = plainStringEnd(t, i);
    if (end < 0) return end;
    let named = end - i - 1 === kl;
    for (let k = 0; named && k < kl; k++) named = t.charCodeAt(i + 1 + k) === key.charCodeAt(k);
    i = skipWs(t, end + 1);
    if (t.charCodeAt(i) !== 58 /* : */) return -1;
    i = skipWs(t, i + 1);
    const e = skipValue(t, i);
    if (e < 0) return -1;
    if (named) {
      found = i; // the last of duplicate names wins, as in JSON.parse
      if (needle !== null && t.indexOf(needle, e) < 0) return found;
    }
    i = skipWs(t, e);
    const c = t.charCodeAt(i);
    if (c === 125) return found;
    if (c !== 44) return -1;
    i = skipWs(t, i + 1);
  }
}

/**
 * What a text without backslashes must contain for `name` to be a name in it, or a string value: its last characters
 * and its closing quote. At most 6 characters: V8 searches such short strings fastest.
 */
export function needleOf(name: string): string {
  return name.slice(-5) + '"';
}

/**
 * In a text without backslashes, the start of the value of the member `key` of the object at `open`, found
 * with native searches instead of a walk: -1 if the name is nowhere after `open`, -3 if this cannot tell (then walk).
 * `bracket` is where the first { or [ after `open` is (see memoOf), or -1 for an object below the top level (then the
 * characters up to the name are checked). The first `needle` is the name's closing quote;
 * the name is a member of this object if it comes before any bracket (nothing nested opened or closed), and
 * the last such member if the needle does not occur again (or if the text is known to have no duplicate names). Only for names with a character that cannot stand between
 * two strings (see `RawPath.fast`): then the quote before the name opens a string.
 */
function fastMember(t: string, open: number, key: string, needle: string, bracket: number, unique: boolean): number {
  const p = t.indexOf(needle, open + 1);
  if (p < 0) return -1;
  const q = p - (key.length - needle.length + 1) - 1; // the quote before the name
  if (q <= open || t.charCodeAt(q) !== 34 || !t.startsWith(key, q + 1)) return -3;
  if (bracket < 0) {
    // Nested: look for a bracket between (the name is usually near).
    for (let j = open + 1; j < q; j++) {
      const c = t.charCodeAt(j);
      if (c === 123 || c === 125 || c === 91 || c === 93) return -3;
    }
  } else if (q >= bracket) return -3;
  const i = skipWs(t, q + key.length + 2);
  if (t.charCodeAt(i) !== 58 /* : */) return -3;
  if (!unique && t.indexOf(needle, i) >= 0) return -3; // perhaps a later member of the same name
  return skipWs(t, i + 1);
}

/** Whether a name is written in JSON as itself (no character that must be escaped). */
export const plainName = (s: string) => !/["\\\u0000-\u001f]/.test(s);

/** Start of element n of the array at i, or -1. */
function elementAt(t: string, i: number, n: number): number {
  i = skipWs(t, i + 1);
  if (t.charCodeAt(i) === 93) return -1;
  for (let k = 0; ; k++) {
    if (k === n) return i;
    const e = skipValue(t, i);
    if (e < 0) return -1;
    i = skipWs(t, e);
    if (t.charCodeAt(i) !== 44) return -1;
    i = skipWs(t, i + 1);
  }
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * The number that starts at i (NaN if none). Up to 15 digits without exponent: digits / 10^decimals, one correctly
 * rounded division of two exact doubles, the same double as Number() gives; otherwise Number() of the token.
 */
function numberAt(t: string, i: number): number {
  let j = i;
  const neg = t.charCodeAt(j) === 45;
  if (neg) j++;
  let m = 0;
  let digits = 0;
  let decimals = -1;
  for (;;) {
    const c = t.charCodeAt(j);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
      if (decimals >= 0) decimals++;
    } else if (c === 46 && decimals < 0) decimals = 0;
    else break;
    j++;
  }
  const d = t.charCodeAt(j);
  const ends = j >= t.length || d === 44 || d === 125 || d === 93 || d === 58 || d === 32 || d === 10 || d === 13 || d === 9;
  if (ends && digits > 0 && digits <= 15 && decimals !== 0) {
    const v = decimals > 0 ? m / POW10[decimals] : m;
    return neg ? -v : v;
  }
  const e = skipValue(t, i);
  return e < 0 ? NaN : Number(t.slice(i, e));
}

/** A path, ready for raw reading. */
export interface RawPath {
  segs: Segment[];
  /** Per segment: the needle of a name (null for an index). */
  needles: Array<string | null>;
  /** Whether every name is written in JSON as itself: else the raw reading is never sure. */
  plain: boolean;
  /** Per segment: a name fastMember can find (it has a character that is not a bracket, comma, colon or space). */
  fast: boolean[];
  /**
   * For == and != "text": the text. A string value found is then compared in place, and read as `eq` itself when equal
   * or OTHER_STRING when not (no string made).
   */
  eq: string | null;
}

/** A string value other than RawPath.eq. */
const OTHER_STRING = Symbol('other string');

export function rawPath(segs: Segment[], eq: string | null = null): RawPath {
  return {
    eq,
    segs,
    needles: segs.map((s) => (typeof s === 'string' ? needleOf(s) : null)),
    plain: segs.every((s) => typeof s === 'number' || plainName(s)),
    fast: segs.map((s) => typeof s === 'string' && /[^{}[\],: \t\n\r]/.test(s)),
  };
}

/**
 * The value at a path in a JSON text (from `at`: a decoder's payload after its header): a primitive, NESTED, MISSING
 * or UNSURE. `plain`: the text has no backslash; `bracket`: where the first { or [ after the JSON's first character is
 * (memoOf), -1 when not known; `unique`: no duplicate names in the JSON.
 */
export function rawLookup(t: string, path: RawPath, plain: boolean, bracket: number, unique: boolean, at = 0): unknown {
  let i = skipWs(t, at);
  const c0 = t.charCodeAt(i);
  if (c0 !== 123 && c0 !== 91) return MISSING; // as jsonOf: only objects and arrays are parsed
  if (!path.plain) return UNSURE;
  const segs = path.segs;
  for (let n = 0; n < segs.length; n++) {
    const s = segs[n];
    const c = t.charCodeAt(i);
    if (typeof s === 'number') {
      if (c !== 91) return MISSING;
      i = elementAt(t, i, s);
    } else {
      if (c === 91) return UNSURE;
      if (c !== 123) return MISSING;
      const r = plain && path.fast[n] ? fastMember(t, i, s, path.needles[n]!, n === 0 ? bracket : -1, unique) : -3;
      if (r === -3) {
        i = memberAt(t, i, s, plain ? path.needles[n] : null);
        if (i === -2) return UNSURE;
      } else i = r;
    }
    if (i < 0) return MISSING;
  }
  const c = t.charCodeAt(i);
  if (c === 34) {
    const e = plainStringEnd(t, i);
    if (e < 0) return e === -2 ? UNSURE : MISSING;
    const eq = path.eq;
    if (eq === null) return t.slice(i + 1, e);
    return e - i - 1 === eq.length && t.startsWith(eq, i + 1) ? eq : OTHER_STRING;
  }
  if (c === 123 || c === 91) return NESTED;
  if (c === 116 /* t */ || c === 102 /* f */ || c === 110 /* n */) {
    const e = skipValue(t, i);
    if (c === 116) return e - i === 4 && t.startsWith('true', i) ? true : MISSING;
    if (c === 102) return e - i === 5 && t.startsWith('false', i) ? false : MISSING;
    return e - i === 4 && t.startsWith('null', i) ? null : MISSING;
  }
  const n = numberAt(t, i);
  return Number.isNaN(n) ? MISSING : n;
}
