// Frameline's query language: parse a filter typed by the user into a predicate over frames. Pure.
//
//   hello                 free text: case-insensitive substring of the payload (hex preview for binary)
//   "two words"           quoted text (\" and \\ escapes)
//   /regex/flags          a JavaScript regular expression over the payload
//   dir:sent  dir:received
//   conn:3  conn:ticker   a connection id, or a fragment of its URL
//   op:text|binary|close|ping|pong|error
//   size>1k  size<=512  size:200   payload bytes; k = 1024, m = 1024²
//   time:5s..10s  time:>2m  time:<500ms  time:..30s   relative to the first frame of the session
//   unanswered  unanswered>5s  latency>200ms  pair:request|answer|paired|orphan|superseded|more  (pair-terms.ts)
//   exchange:getUser  exchange:user.*   every frame of the exchanges a request of that name opened
//   $.type == "trade"  $.price > 100  $.user.name ~ /bob/i  $.items[0].id != 3  exists($.error)
//   -term                 negation;  a b  both (AND);  a OR b  either;  ( … ) grouping
import { previewOf as previewOfImported } from '../preview';
import { compile, render, type Node } from './ast';
import { fieldTerm } from './fields';
import { ParseCache } from './json-memo';
import { existsTerm, jsonTerm } from './json-terms';
import { makeRegex } from './regex-safety';
import { tokenize, type Token } from './tokenize';
import { QueryError, type ParsedQuery } from './types';

// Imported functions copied to module constants for the per-frame paths (a bundler or test runner may turn each use
// of an imported binding into a property read on a module object).
const previewOf = previewOfImported;

/** The value after a JSON comparison: a JSON scalar, or a regular expression (checked for safety) for `~`. */
export interface JsonLiteral {
  value: unknown;
  re?: RegExp;
}

export function jsonLiteral(tok: Token | undefined, pos: number): JsonLiteral {
  if (!tok) throw new QueryError('A value is missing after the comparison', pos);
  if (tok.k === 'regex') return { value: undefined, re: makeRegex(tok.source, tok.flags, tok.pos) };
  if (tok.k !== 'word') throw new QueryError('A value is missing after the comparison', tok.pos);
  if (tok.quoted) return { value: tok.v };
  if (tok.v === 'true') return { value: true };
  if (tok.v === 'false') return { value: false };
  if (tok.v === 'null') return { value: null };
  if (/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(tok.v)) return { value: Number(tok.v) };
  throw new QueryError(`Quote text values: "${tok.v}"`, tok.pos);
}

/**
 * What the grammar makes of its terms and connectives: the panel's predicate tree (below), or a rule's page match
 * (intercept/page-match.ts) — one grammar, so both read a query alike. `and`/`or` get two items or more.
 */
export interface TermBuilder<N> {
  and(items: N[]): N;
  or(items: N[]): N;
  not(item: N): N;
  regex(t: Extract<Token, { k: 'regex' }>): N;
  word(t: Extract<Token, { k: 'word' }>): N;
  exists(path: string, pos: number): N;
  json(path: string, pos: number, op: string, lit: JsonLiteral): N;
}

class Parser<N> {
  private i = 0;
  constructor(
    private readonly toks: Token[],
    private readonly input: string,
    private readonly b: TermBuilder<N>,
  ) {}

  parse(): N | null {
    if (this.toks.length === 0) return null;
    const n = this.or();
    if (this.i < this.toks.length) {
      const t = this.toks[this.i];
      throw new QueryError(t.k === 'rparen' ? 'Unmatched )' : 'Unexpected input', t.pos);
    }
    return n;
  }

  private or(): N {
    const items = [this.and()];
    while (this.peek()?.k === 'or') {
      const orTok = this.toks[this.i++];
      if (!this.peek() || this.peek()!.k === 'rparen' || this.peek()!.k === 'or') throw new QueryError('OR needs a term on both sides', orTok.pos);
      items.push(this.and());
    }
    return items.length === 1 ? items[0] : this.b.or(items);
  }

  private and(): N {
    const items: N[] = [];
    for (;;) {
      const t = this.peek();
      if (!t || t.k === 'or' || t.k === 'rparen') break;
      items.push(this.unary());
    }
    if (items.length === 0) {
      const t = this.peek();
      throw new QueryError(t ? 'OR needs a term on both sides' : 'Empty group', t?.pos ?? this.input.length);
    }
    return items.length === 1 ? items[0] : this.b.and(items);
  }

  private unary(): N {
    const t = this.peek()!;
    if (t.k === 'minus') {
      this.i++;
      if (!this.peek() || this.peek()!.k === 'rparen' || this.peek()!.k === 'or') throw new QueryError('- needs a term to negate', t.pos);
      return this.b.not(this.unary());
    }
    return this.primary();
  }

  private primary(): N {
    const t = this.toks[this.i++];
    switch (t.k) {
      case 'lparen': {
        if (this.peek()?.k === 'rparen') throw new QueryError('Empty ( )', t.pos);
        const n = this.or();
        if (this.peek()?.k !== 'rparen') throw new QueryError('Unclosed (', t.pos);
        this.i++;
        return n;
      }
      case 'regex':
        return this.b.regex(t);
      case 'exists':
        return this.b.exists(t.path, t.pos);
      case 'json': {
        const cmp = this.toks[this.i];
        if (!cmp || cmp.k !== 'cmp') throw new QueryError(`${t.path} needs a comparison: == != > >= < <= ~, or use exists(${t.path})`, t.pos);
        this.i++;
        const lit = jsonLiteral(this.toks[this.i++], cmp.pos + cmp.v.length);
        return this.b.json(t.path, t.pos, cmp.v, lit);
      }
      case 'word':
        return this.b.word(t);
      case 'cmp':
        throw new QueryError(`"${t.v}" compares a JSON path: $.field ${t.v} value`, t.pos);
      default:
        throw new QueryError('Unexpected input', t.pos);
    }
  }

  private peek(): Token | undefined {
    return this.toks[this.i];
  }
}

/** Parse tokens with a builder: its tree, or null for no tokens. Throws QueryError (with the position). */
export function parseTokens<N>(toks: Token[], input: string, builder: TermBuilder<N>): N | null {
  return new Parser(toks, input, builder).parse();
}

/** The panel's terms: predicates over stored frames. `cache`: the JSON terms' shared parse of the last text asked about. */
function panelBuilder(cache: ParseCache): TermBuilder<Node> {
  return {
    and: (items) => ({ t: 'and', items }),
    or: (items) => ({ t: 'or', items }),
    not: (item) => ({ t: 'not', item }),
    regex: (t) => {
      const re = makeRegex(t.source, t.flags, t.pos);
      return { t: 'leaf', text: String(re), match: (f) => re.test(f.text !== undefined ? f.text : previewOf(f)), cost: 2 };
    },
    exists: (path, pos) => existsTerm(path, pos, cache),
    json: (path, pos, op, lit) => jsonTerm(path, pos, op, lit, cache),
    word: (t) => {
      if (!t.quoted) {
        const field = fieldTerm(t.v, t.pos);
        if (field) return field;
      }
      const needle = t.v;
      const re = new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
      return { t: 'leaf', text: JSON.stringify(needle), match: (f) => re.test(f.text !== undefined ? f.text : previewOf(f)), cost: 2 };
    },
  };
}

/** Parse a query. Throws QueryError (with the position of the problem) on invalid input. */
export function parseQuery(input: string): ParsedQuery {
  const toks = tokenize(input);
  const ast = parseTokens(toks, input, panelBuilder(new ParseCache()));
  const regexes = toks.flatMap((t) => (t.k === 'regex' ? [{ source: t.source, flags: t.flags, pos: t.pos }] : []));
  return { predicate: ast ? compile(ast) : null, text: ast ? render(ast) : '', regexes };
}
