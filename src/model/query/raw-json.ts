// Raw JSON reading for decoders (Decoder.quickPath, Decoder.quickName): a JSON path read in a frame's text from where a
// decoder's payload starts, without a parse, as JSON terms read whole texts (json-terms.ts). Its own module: decoded
// name terms use it too, and json-terms.ts sits in a cycle with them (fields.ts) that module constants cannot cross.
import type { Frame } from '../types';
import { JSON_MEMO, OPCODE } from '../types';
import type { RawJson } from '../decode/types';
import { M_BACKSLASH, M_UNIQUE, M_VALIDITY, ParseCache, memoOf as memoOfImported, parses as parsesImported, speaksOf as speaksOfImported } from './json-memo';
import { MISSING as MISSING_VALUE } from './json-path';
import { rawLookup as rawLookupImported, rawPath, UNSURE as UNSURE_VALUE, type RawPath } from './json-scan';

// Imported bindings copied to module constants for the per-frame path (a bundler or test runner may turn each use of
// an imported binding into a property read on a module object).
const MISSING = MISSING_VALUE;
const UNSURE = UNSURE_VALUE;
const TEXT = OPCODE.text;
const INVALID = JSON_MEMO.invalid;
const VALIDITY = M_VALIDITY;
const BACKSLASH = M_BACKSLASH;
const UNIQUE = M_UNIQUE;
const memoOf = memoOfImported;
const parses = parsesImported;
const speaksOf = speaksOfImported;
const rawLookup = rawLookupImported;

/**
 * A reader whose values count once the JSON they are in is known to parse, unless `test`'s answer is `none` either
 * way (then no parse is needed). `eq`: for == and != "text", the text (see RawPath.eq).
 */
export function rawJson(eq: string | null, test: (v: unknown) => boolean, none: boolean, cache: ParseCache): RawJson {
  return {
    prepare: (segs) => rawPath([...segs], eq),
    read(input, at, path) {
      const f = input as Frame;
      const t = f.text;
      if (t === undefined || f.opcode !== TEXT) return MISSING;
      const m = memoOf(f, t);
      const speaks = speaksOf(t, m, at);
      if (speaks && (m & VALIDITY) === INVALID) return MISSING;
      const v = rawLookup(t, path as RawPath, (m & BACKSLASH) === 0, -1, speaks && (m & UNIQUE) !== 0, at);
      if (v === MISSING) return MISSING;
      if (v === UNSURE) return undefined;
      return test(v) === none || parses(f, t, cache, at) ? v : MISSING;
    },
    parses(input, at) {
      const f = input as Frame;
      return f.text !== undefined && f.opcode === TEXT && parses(f, f.text, cache, at);
    },
  };
}

/** A raw reader for decoders' quick names: every value found counts once its JSON parses. */
export function namesReader(): RawJson {
  return rawJson(null, () => true, false, new ParseCache());
}
