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

/** Parsed JSON of a text frame, or MISSING (not JSON). */
export function jsonOf(f: Frame, cache: ParseCache): unknown {
  const t = f.text;
  if (t === undefined || f.opcode !== TEXT) return MISSING;
  if (t !== cache.text) {
    cache.text = t;
    cache.value = MISSING;
    const s = t.trimStart();
    if (s[0] === '{' || s[0] === '[') {
      try {
        cache.value = JSON.parse(t);
      } catch {
        /* not JSON */
      }
    }
  }
  const value = cache.value;
  // Remembered by the frame, also when its text is the one parsed last (the same string in another frame).
  const m = (f as Partial<JsonMemoFrame>).jsonMemo;
  if (m !== undefined && ((m & M_VALIDITY) === 0 || m & M_UNCOUNTED)) {
    const rest = m & ~(M_VALIDITY | M_UNCOUNTED);
    if (value === MISSING) setMemo(f, rest | INVALID);
    else setMemo(f, rest | VALID | (uniqueNames(t, value) ? M_UNIQUE : 0));
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
 * Whether `t`, the text of a text frame whose first character is { or [, parses as JSON (remembered by the frame if
 * it can). Most texts are told by a regular expression (jsonShape), without the parse and its garbage; the others are
 * parsed, and now and then one no shape told is parsed to learn its shape.
 */
export function parses(f: Frame, t: string, cache: ParseCache): boolean {
  const m = (f as Partial<JsonMemoFrame>).jsonMemo ?? 0;
  if ((m & M_VALIDITY) === VALID) return true;
  if ((m & M_VALIDITY) === INVALID) return false;
  const told = jsonShape(t);
  if (told === TOLD_UNIQUE) {
    setMemo(f, m | VALID | M_UNIQUE);
    return true;
  }
  if (told === TOLD_VALID && !wantsShape()) {
    setMemo(f, m | VALID | M_UNCOUNTED);
    return true;
  }
  const value = jsonOf(f, cache);
  if (value !== MISSING && wantsShape()) learnShape(uniqueNames(t, value) ? value : null);
  return value !== MISSING;
}

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
  memoOf(f, t);
  // Told as a query would (a text of a shape learnt needs no parse), then parsed if the grammar alone told it valid,
  // so that whether its names repeat is known too.
  if (parses(f, t, idleParse) && ((f as Partial<JsonMemoFrame>).jsonMemo ?? 0) & M_UNCOUNTED) jsonOf(f, idleParse);
}
