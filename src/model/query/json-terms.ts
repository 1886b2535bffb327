// JSON terms: `$.path <op> value` and `exists($.path)`, answered from the raw text where it can tell, parsed otherwise.
import type { Frame } from '../types';
import type { DecodeInput, Decoder, RawJson } from '../decode/types';
import { rawJson } from './raw-json';
import { JSON_MEMO, OPCODE } from '../types';
import type { Node } from './ast';
import { compare as compareImported } from './fields';
import {
  jsonOf as jsonOfImported,
  memoOf as memoOfImported,
  parses as parsesImported,
  M_BACKSLASH,
  M_BRACKET_SHIFT,
  M_UNIQUE,
  M_VALIDITY,
  ParseCache,
} from './json-memo';
import { MISSING as MISSING_VALUE, parsePath, resolve as resolveImported, type Segment } from './json-path';
import { needleOf, plainName, rawLookup as rawLookupImported, rawPath, UNSURE as UNSURE_VALUE, type RawPath } from './json-scan';
import { QueryError, type Predicate, type QueryContext } from './types';

// Imported constants and functions copied to module constants for the per-frame paths (a bundler or test runner may
// turn each use of an imported binding into a property read on a module object).
const MISSING = MISSING_VALUE;
const UNSURE = UNSURE_VALUE;
const TEXT = OPCODE.text;
const INVALID = JSON_MEMO.invalid;
const VALIDITY = M_VALIDITY;
const BACKSLASH = M_BACKSLASH;
const BRACKET_SHIFT = M_BRACKET_SHIFT;
const UNIQUE = M_UNIQUE;
const compare = compareImported;
const jsonOf = jsonOfImported;
const memoOf = memoOfImported;
const parses = parsesImported;
const resolve = resolveImported;
const rawLookup = rawLookupImported;

/**
 * Match a frame by the value at a path: `test(value)`, where `none` = test(MISSING) is the answer when there is no
 * value (or the text is not JSON). Reads the raw text; parses only when the answer depends on the text being JSON.
 * `needles`: what a text without backslashes must contain for the answer not to be `none`.
 */
function byPath(f: Frame, path: RawPath, test: (v: unknown) => boolean, none: boolean, needles: readonly string[], cache: ParseCache): boolean {
  const t = f.text;
  if (t === undefined || f.opcode !== TEXT) return none;
  const m = memoOf(f, t);
  if ((m & VALIDITY) === INVALID) return none;
  const plain = (m & BACKSLASH) === 0;
  if (plain) for (let k = 0; k < needles.length; k++) if (t.indexOf(needles[k]) < 0) return none;
  const v = rawLookup(t, path, plain, m >>> BRACKET_SHIFT, (m & UNIQUE) !== 0);
  if (v === MISSING) return none;
  if (v === UNSURE) return test(resolve(jsonOf(f, cache), path.segs));
  const hit = test(v);
  // Invalid JSON has no values: a value found decides only if the text parses (or if it changes nothing).
  return hit === none || parses(f, t, cache) ? hit : none;
}

/** The needles of a path term: for == "text", the text's (the names' are looked for by fastMember). */
function needlesOf(path: RawPath, op: string | null, value: unknown): string[] {
  if (!path.plain) return [];
  const out: string[] = [];
  if (op === '==' && typeof value === 'string' && plainName(value) && value.length > 0) out.push(needleOf(value));
  return out;
}

/** The test of a comparison, on a value found at a path (MISSING: none). */
function comparison(op: string, lit: { value: unknown; re?: RegExp }): (v: unknown) => boolean {
  const want = lit.value;
  switch (op) {
    case '==':
      return (v) => v !== MISSING && v === want;
    case '!=':
      return (v) => v === MISSING || v !== want;
    case '~': {
      const re = lit.re!;
      return (v) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && re.test(String(v));
    }
    default: {
      const n = want as number;
      return (v) => typeof v === 'number' && compare(op, v, n);
    }
  }
}

/** A term's quick reading of decoded values: the reader the last decoder asked made for its path. */
interface Quick {
  raw: RawJson;
  decoder: Decoder | null;
  read: ((f: DecodeInput) => unknown) | undefined;
}

function quickOf(eq: string | null, test: (v: unknown) => boolean, none: boolean, cache: ParseCache): Quick {
  return { raw: rawJson(eq, test, none, cache), decoder: null, read: undefined };
}

/**
 * On a connection a decoder reads, `$.` paths read the decoded messages' values (any message may match): the answer,
 * or undefined when the frame's connection has no decoder (read the raw text then). The decoder's quick path, where
 * it has one, reads the raw JSON in place of a decode.
 */
function overDecoded(f: Frame, ctx: QueryContext, segs: Segment[], test: (v: unknown) => boolean, none: boolean, quick: Quick): boolean | undefined {
  if (!ctx.decoding || !ctx.protoOf) return undefined;
  if (ctx.decoderOf) {
    const d = ctx.decoderOf(f.conn);
    if (!d) return undefined;
    if (d !== quick.decoder) {
      quick.decoder = d;
      quick.read = d.quickPath?.(segs, quick.raw);
    }
    if (quick.read) {
      const v = quick.read(f);
      if (v !== undefined) return test(v);
    }
  } else if (ctx.protoOf(f.conn) === 'raw') return undefined;
  const d = ctx.decode!(f);
  if (!d || d.messages.length === 0) return none;
  for (const m of d.messages) if (test(resolve(m.value, segs))) return true;
  return false;
}

/** `$.path <op> value`: == != > >= < <= on the value at the path, ~ a regular expression on it. */
export function jsonTerm(path: string, pos: number, op: string, lit: { value: unknown; re?: RegExp }, cache: ParseCache): Node {
  const segs = parsePath(path, pos);
  const text = `${path} ${op} ${lit.re ? String(lit.re) : JSON.stringify(lit.value)}`;
  if ((op === '>' || op === '<' || op === '>=' || op === '<=') && typeof lit.value !== 'number') {
    throw new QueryError(`${op} compares numbers: ${path} ${op} 100`, pos);
  }
  if (op === '~' && !lit.re) throw new QueryError(`~ takes a regular expression: ${path} ~ /text/i`, pos);
  const test = comparison(op, lit);
  const none = test(MISSING);
  const raw = rawPath(segs, (op === '==' || op === '!=') && typeof lit.value === 'string' ? lit.value : null);
  const needles = needlesOf(raw, op, lit.value);
  const quick = quickOf(raw.eq, test, none, cache);
  const match: Predicate = (f, _c, ctx) =>
    overDecoded(f, ctx, segs, test, none, quick) ?? (f.text === undefined ? op === '!=' : byPath(f, raw, test, none, needles, cache));
  return { t: 'leaf', text, match, cost: 3 };
}

/** `exists($.path)`: whether the text is JSON with a value at the path. */
export function existsTerm(path: string, pos: number, cache: ParseCache): Node {
  const segs = parsePath(path, pos);
  const found = (v: unknown) => v !== MISSING;
  const raw = rawPath(segs);
  const needles = needlesOf(raw, null, undefined);
  const quick = quickOf(null, found, false, cache);
  return {
    t: 'leaf',
    text: `exists(${path})`,
    match: (f, _c, ctx) => overDecoded(f, ctx, segs, found, false, quick) ?? (f.text !== undefined && byPath(f, raw, found, false, needles, cache)),
    cost: 3,
  };
}
