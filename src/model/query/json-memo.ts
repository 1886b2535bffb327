// What JSON terms learn about a frame's text: whether it parses, and where its structure is (remembered by the frame
// when the store gives it room: JsonMemoFrame.jsonMemo); and the parse of the last text, kept by a cache its owner holds.
import type { Frame, JsonMemoFrame } from '../types';
import { JSON_MEMO, OPCODE } from '../types';
import { MISSING as MISSING_VALUE } from './json-path';
import { skipWs as skipWsImported } from './json-scan';
import { jsonShape as jsonShapeImported, learnShape, UNIQUE as SHAPE_UNIQUE, VALID as SHAPE_VALID, wantsShape as wantsShapeImported } from './json-valid';

// Imported constants and functions copied to module constants for the per-frame paths (a bundler or test runner may
// turn each use of an imported binding into a property read on a module object).
const MISSING = MISSING_VALUE;
const skipWs = skipWsImported;
const jsonShape = jsonShapeImported;
const wantsShape = wantsShapeImported;
const TOLD_UNIQUE = SHAPE_UNIQUE;
const TOLD_VALID = SHAPE_VALID;
const TEXT = OPCODE.text;
const VALID = JSON_MEMO.valid;
const INVALID = JSON_MEMO.invalid;

// What a frame remembers about its text (JsonMemoFrame.jsonMemo, 16 bits; 0: nothing known yet):
export const M_VALIDITY = 3; // JSON_MEMO: unknown, invalid, valid
const M_KNOWN = 4; // the bits below are known
export const M_BACKSLASH = 8; // the text has a backslash
export const M_UNIQUE = 16; // the text parses, and no object in it has two members of the same name (uniqueNames)
// Known valid by the grammar alone (jsonShape), not parsed: whether names repeat is unknown until learnJson parses it.
export const M_UNCOUNTED = 32;
export const M_BRACKET_SHIFT = 6; // 10 bits: where the first { or [ after the first character is (capped)
const BRACKET_CAP = 1023;

/**
 * The text parsed last and its value (MISSING: not JSON). Kept by text, not by frame: the same frame is often asked
 * twice (two JSON terms of a query, a raw reading that must parse), and the frame handed over may be a cursor the store
 * moves from row to row, so its identity says nothing. Each parsed query owns one, which its JSON terms share.
 */
export class ParseCache {
  text: string | null = null;
  value: unknown = MISSING;
}

/**
 * Whether a frame's memo speaks of the JSON from `at`: a text that starts with { or [ is remembered whole (at 0); any
 * other text (no JSON itself) remembers the JSON from its first { or [ to its end, as a decoder reads it after a short
 * header (Socket.IO's `42`). `m`: the frame's memo, its structure known (memoOf).
 */
export function speaksOf(t: string, m: number, at: number): boolean {
  const c = t.charCodeAt(skipWs(t, 0));
  const whole = c === 123 || c === 91;
  return at === 0 ? whole : !whole && m >>> M_BRACKET_SHIFT === at;
}

/** Parsed JSON of a text frame (from `at`: a decoder's payload after its header), or MISSING (not JSON). */
export function jsonOf(f: Frame, cache: ParseCache, at = 0): unknown {
  const t = f.text;
  if (t === undefined || f.opcode !== TEXT) return MISSING;
  const s = at === 0 ? t : t.slice(at);
  if (s !== cache.text) {
    cache.text = s;
    cache.value = MISSING;
    const c = s.charCodeAt(skipWs(s, 0));
    if (c === 123 || c === 91) {
      try {
        cache.value = JSON.parse(s);
      } catch {
        /* not JSON */
      }
    }
  }
  const value = cache.value;
  // Remembered by the frame, also when its text is the one parsed last (the same string in another frame).
  const m = (f as Partial<JsonMemoFrame>).jsonMemo;
  if (m !== undefined && ((m & M_VALIDITY) === 0 || m & M_UNCOUNTED) && speaksOf(t, memoOf(f, t), at)) {
    const rest = (f as JsonMemoFrame).jsonMemo & ~(M_VALIDITY | M_UNCOUNTED);
    if (value === MISSING) setMemo(f, rest | INVALID);
    else setMemo(f, rest | VALID | (uniqueNames(s, value) ? M_UNIQUE : 0));
  }
  return value;
}

/**
 * Whether no object in a text has two members of the same name, from its parsed value: the names written (counted
 * from above: every ':' after a '"', which every name is followed by) equal the names parsed (duplicates merge).
 */
function uniqueNames(t: string, value: unknown): boolean {
  let written = 0;
  for (let j = t.indexOf(':'); j >= 0; j = t.indexOf(':', j + 1)) {
    let k = j - 1;
    for (let c = t.charCodeAt(k); c === 32 || c === 10 || c === 13 || c === 9; c = t.charCodeAt(--k));
    if (t.charCodeAt(k) === 34) written++;
  }
  let parsed = 0;
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) for (const x of v) stack.push(x);
    else
      for (const k of Object.keys(v)) {
        parsed++;
        stack.push((v as Record<string, unknown>)[k]);
      }
  }
  return written === parsed;
}

function setMemo(f: Frame, m: number) {
  const memo = f as Partial<JsonMemoFrame>;
  if (memo.jsonMemo !== undefined) memo.jsonMemo = m;
}

/**
 * Validity bits as known, plus the text's structure bits (learnt, with native searches, the first time). Only the
 * opening brackets are looked for: in JSON a closing one before them can only close the text itself, and what the
 * raw reading finds in a text that is not JSON never counts.
 */
export function memoOf(f: Frame, t: string): number {
  let m = (f as Partial<JsonMemoFrame>).jsonMemo ?? 0;
  if (m & M_KNOWN) return m;
  m |= M_KNOWN;
  if (t.indexOf('\\') >= 0) m |= M_BACKSLASH;
  const open = skipWs(t, 0);
  let bracket = t.indexOf('{', open + 1);
  const square = t.indexOf('[', open + 1);
  if (bracket < 0 || (square >= 0 && square < bracket)) bracket = square;
  m |= (bracket < 0 || bracket > BRACKET_CAP ? BRACKET_CAP : bracket) << M_BRACKET_SHIFT;
  setMemo(f, m);
  return m;
}

/**
 * Whether `t`, the text of a text frame, parses as JSON from `at` (the whole text, or a decoder's payload after its
 * header), remembered by the frame when its memo speaks of that JSON (speaksOf). Most texts are told by a regular
 * expression (jsonShape), without the parse and its garbage; the others are parsed, and now and then one no shape told
 * is parsed to learn its shape.
 */
export function parses(f: Frame, t: string, cache: ParseCache, at = 0): boolean {
  // -1: the frame keeps no memo, or its memo speaks of other JSON.
  let m = (f as Partial<JsonMemoFrame>).jsonMemo === undefined ? -1 : memoOf(f, t);
  if (m >= 0 && !speaksOf(t, m, at)) m = -1;
  if (m >= 0 && (m & M_VALIDITY) === VALID) return true;
  if (m >= 0 && (m & M_VALIDITY) === INVALID) return false;
  const s = at === 0 ? t : t.slice(at);
  const told = jsonShape(s);
  if (told === TOLD_UNIQUE) {
    if (m >= 0) setMemo(f, m | VALID | M_UNIQUE);
    return true;
  }
  if (told === TOLD_VALID && !wantsShape()) {
    if (m >= 0) setMemo(f, m | VALID | M_UNCOUNTED);
    return true;
  }
  const value = jsonOf(f, cache, at);
  if (value !== MISSING && wantsShape()) learnShape(uniqueNames(s, value) ? value : null);
  return value !== MISSING;
}

/** How long a header before a text's JSON the idle learning reads past (Socket.IO's `42/namespace,12`). */
const HEADER_CHARS = 64;

/** learnJson's own parse cache: it walks the frames in order, so a text repeated in a row is parsed once. */
const idleParse = new ParseCache();

/**
 * Learn, ahead of any query, what JSON terms need to know of a frame's text: whether it parses, whether its names
 * repeat, and where its structure is (remembered by the frame). The panel runs this over new frames while it is idle,
 * so that a JSON term over a million frames finds all that known and only reads raw text.
 */
export function learnJson(f: Frame): void {
  const t = f.text;
  if (t === undefined || f.opcode !== TEXT) return;
  const m = memoOf(f, t);
  // A text that is no JSON itself: the JSON after a short header, which decoded `$.` paths read.
  let at = 0;
  if (!speaksOf(t, m, 0)) {
    at = m >>> M_BRACKET_SHIFT;
    if (at > HEADER_CHARS || !speaksOf(t, m, at)) return;
  }
  // Told as a query would (a text of a shape learnt needs no parse), then parsed if the grammar alone told it valid,
  // so that whether its names repeat is known too.
  if (parses(f, t, idleParse, at) && ((f as Partial<JsonMemoFrame>).jsonMemo ?? 0) & M_UNCOUNTED) jsonOf(f, idleParse, at);
}
