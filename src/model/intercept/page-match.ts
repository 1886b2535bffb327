// A rule's query compiled to the match tree the page evaluates (types.ts: PageMatch). Same tokenizer, grammar and
// checks as the panel's filter (query/parse.ts), so a query reads alike in both places; only the terms a frame alone
// answers are allowed, since the page matches each frame as it passes, without decoders, pairs or session time.
import { DECODED_FIELDS } from '../query/decoded-terms';
import { dirValue, FIELDS, OP_CODES, sizeValue, splitField } from '../query/fields';
import { parsePath } from '../query/json-path';
import { PAIR_FIELDS } from '../query/pair-terms';
import { parseTokens, type TermBuilder } from '../query/parse';
import { makeRegex } from '../query/regex-safety';
import { tokenize } from '../query/tokenize';
import { QueryError } from '../query/types';
import type { Cmp, PageMatch } from './types';

/** The fields a rule can use (the others of FIELDS, DECODED_FIELDS and PAIR_FIELDS are refused by name). */
const RULE_FIELDS = ['dir', 'conn', 'op', 'size'];

/** Why a known term cannot be in a rule, by field. */
function refusal(field: string): string {
  if (DECODED_FIELDS.includes(field)) {
    return 'decoders run in the panel, not in the page: match the payload with text, /regex/ or $.path instead';
  }
  if (field === 'time') return 'the page matches each frame as it passes, with no session clock';
  // unanswered, latency, pair:, exchange:
  return 'the page matches each frame as it passes, before any answer to it exists';
}

const cannot = (term: string, field: string, pos: number) => new QueryError(`${term} cannot be used in a rule: ${refusal(field)}`, pos);

/** Flattened so `(a b) c` is one AND of three (the page walks fewer levels; the meaning is the same). */
function flat(k: 'and' | 'or', items: PageMatch[]): PageMatch {
  return { k, of: items.flatMap((m) => (m.k === k ? m.of : [m])) };
}

const SIZE_CMP: Record<string, Cmp> = { '=': '==', '>': '>', '>=': '>=', '<': '<', '<=': '<=' };

const builder: TermBuilder<PageMatch> = {
  and: (items) => flat('and', items),
  or: (items) => flat('or', items),
  not: (of) => ({ k: 'not', of }),
  regex: (t) => {
    // Compiled here to refuse invalid and catastrophic patterns; the page gets the checked source and flags (no g/y).
    const re = makeRegex(t.source, t.flags, t.pos);
    return { k: 're', source: re.source, flags: re.flags };
  },
  exists: (path, pos) => ({ k: 'json', path: parsePath(path, pos), cmp: 'exists' }),
  json: (path, pos, op, lit) => {
    const steps = parsePath(path, pos);
    if (op === '~') {
      if (!lit.re) throw new QueryError(`~ takes a regular expression: ${path} ~ /text/i`, pos);
      return { k: 'json', path: steps, cmp: '~', source: lit.re.source, flags: lit.re.flags };
    }
    // The panel accepts `$.a == /x/` (it matches nothing); a rule says so rather than never acting.
    if (lit.re) throw new QueryError(`${op} compares with a value: use ~ for a regular expression (${path} ~ /text/i)`, pos);
    if ((op === '>' || op === '<' || op === '>=' || op === '<=') && typeof lit.value !== 'number') {
      throw new QueryError(`${op} compares numbers: ${path} ${op} 100`, pos);
    }
    return { k: 'json', path: steps, cmp: op as Cmp, value: lit.value as string | number | boolean | null };
  },
  word: (t) => {
    if (t.quoted) return { k: 'text', s: t.v.toLowerCase() };
    if (t.v.toLowerCase() === 'unanswered') throw cannot('unanswered', 'unanswered', t.pos);
    const w = splitField(t.v, t.pos);
    if (!w) return { k: 'text', s: t.v.toLowerCase() };
    const { field, rawField, sep, value, valuePos } = w;
    const known = FIELDS.includes(field) || DECODED_FIELDS.includes(field) || PAIR_FIELDS.includes(field);
    if (!known) {
      // As in the panel: `foo:bar` is a mistyped field, `a=b` or `x>1` is text.
      if (sep !== ':') return { k: 'text', s: t.v.toLowerCase() };
      throw new QueryError(`Unknown field "${rawField}": a rule can use dir, conn, op and size — or quote the text`, t.pos);
    }
    if (!RULE_FIELDS.includes(field)) throw cannot(sep === ':' ? `${field}:` : field, field, t.pos);
    switch (field) {
      case 'dir':
        return { k: 'dir', dir: dirValue(sep, value, valuePos) };
      case 'op': {
        const op = value.toLowerCase();
        if (sep === ':' && (op === 'text' || op === 'binary')) return { k: 'op', op };
        if (sep === ':' && Object.prototype.hasOwnProperty.call(OP_CODES, op)) {
          throw new QueryError(`op:${op} cannot be used in a rule: rules act on text and binary messages only`, valuePos);
        }
        throw new QueryError('op: takes text or binary in a rule', valuePos);
      }
      case 'conn': {
        if (sep !== ':' || !value) throw new QueryError("conn: takes part of the socket's URL, like conn:chat", valuePos);
        if (/^#?\d+$/.test(value)) {
          throw new QueryError(
            `conn:${value} cannot be used in a rule: the page does not know the panel's connection ids — use a fragment of the socket's URL, like conn:chat`,
            valuePos,
          );
        }
        return { k: 'url', frag: value.toLowerCase() };
      }
      default: {
        const { op, bytes } = sizeValue(sep, value, valuePos);
        return { k: 'size', cmp: SIZE_CMP[op], n: bytes };
      }
    }
  },
};

/**
 * Compile a rule's query for the page. Throws QueryError (with the position of the problem) when the query is invalid
 * or uses a term the page cannot answer. The empty query matches every frame.
 */
export function compilePageMatch(query: string): PageMatch {
  return parseTokens(tokenize(query), query, builder) ?? { k: 'all' };
}

/** Kleene logic: true, false, or null (depends on more than the direction). */
type Tri = boolean | null;

function underDir(m: PageMatch, dir: 'sent' | 'received'): Tri {
  switch (m.k) {
    case 'all':
      return true;
    case 'dir':
      return m.dir === dir;
    case 'not': {
      const v = underDir(m.of, dir);
      return v === null ? null : !v;
    }
    case 'and': {
      let r: Tri = true;
      for (const x of m.of) {
        const v = underDir(x, dir);
        if (v === false) return false;
        if (v === null) r = null;
      }
      return r;
    }
    case 'or': {
      let r: Tri = false;
      for (const x of m.of) {
        const v = underDir(x, dir);
        if (v === true) return true;
        if (v === null) r = null;
      }
      return r;
    }
    default:
      return null;
  }
}

/** Whether a frame of this direction can match (the `dir:` terms alone rule it out, or not). */
export function canMatchDir(m: PageMatch, dir: 'sent' | 'received'): boolean {
  return underDir(m, dir) !== false;
}

/**
 * The directions a match can accept: 'sent' or 'received' when its dir: terms exclude the other (`dir:sent $.a == 1`,
 * `-dir:received`), else 'both' — also for a match that excludes both (see canMatchDir to tell that apart).
 */
export function ruleDirection(m: PageMatch): 'sent' | 'received' | 'both' {
  const sent = canMatchDir(m, 'sent');
  const received = canMatchDir(m, 'received');
  return sent && !received ? 'sent' : received && !sent ? 'received' : 'both';
}
