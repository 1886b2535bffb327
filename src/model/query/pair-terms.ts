// Terms over pairing (requests and their answers): `unanswered`, `unanswered>5s` (no answer, and older than that
// against the newest frame seen — not the wall clock, so a paused or imported session reads the same), `latency>200ms`
// (answers whose latency compares: any of a frame's answers), `pair:request|answer|paired|orphan|superseded|more`,
// `exchange:getUser` (every frame of the exchanges named so: request, answer, stream items, end; a glob like method:).
// Each asks the query context's pairs; without them none matches.
import type { Node } from './ast';
import { nameMatcher } from './decoded-terms';
import { QueryError, type Predicate } from './types';
import { PAIR_FLAG } from '../pairs/types';

export const PAIR_FIELDS = ['unanswered', 'latency', 'pair', 'exchange'];

const F = PAIR_FLAG;

/** A time with its unit (ms, s, m), in ms. */
function unitMs(s: string, pos: number, example: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/i.exec(s);
  if (!m) throw new QueryError(`Not a time with its unit: "${s}" (${example})`, pos);
  const n = Number(m[1]);
  const u = m[2].toLowerCase();
  return u === 'ms' ? n : u === 's' ? n * 1000 : n * 60_000;
}

const cmp = (op: string, a: number, b: number) => (op === '>' ? a > b : op === '>=' ? a >= b : op === '<' ? a < b : a <= b);

/** A flag test: the frame's pair flags (0 when it takes part in none) satisfy `test`. */
function flagTerm(text: string, test: (flags: number) => boolean): Node {
  const match: Predicate = (f, _c, ctx) => {
    const p = ctx.pairs;
    if (!p) return false;
    const r = p.rowOf(f.id);
    return r >= 0 && test(p.flagsAt(r));
  };
  return { t: 'leaf', text, match };
}

const KINDS: Record<string, (flags: number) => boolean> = {
  request: (x) => (x & F.request) !== 0,
  answer: (x) => (x & F.answer) !== 0,
  paired: (x) => (x & F.answer) !== 0 || (x & (F.request | F.unanswered)) === F.request,
  unanswered: (x) => (x & F.unanswered) !== 0,
  orphan: (x) => (x & F.orphan) !== 0,
  superseded: (x) => (x & F.superseded) !== 0,
  more: (x) => (x & F.more) !== 0,
};

/** `unanswered` alone (an unquoted word: quote it to search the text). */
export const unansweredTerm = (): Node => flagTerm('unanswered', KINDS.unanswered);

/**
 * The query that shows a name's whole exchanges (what a click on a summary row filters by): quoted when the name has
 * spaces or parentheses; a quote or backslash the query cannot carry becomes `*`, which matches it too.
 */
export function exchangeQuery(name: string): string {
  if (name === '') return 'exchange:*';
  if (/^[^\s()"'\\]+$/.test(name) && !name.startsWith('//')) return `exchange:${name}`;
  const q = name.includes('"') && !name.includes("'") ? "'" : '"';
  return `exchange:${q}${name.replace(q === '"' ? /["\\]/g : /['\\]/g, '*')}${q}`;
}

export function pairTerm(field: string, value: string, sep: string, valuePos: number): Node {
  switch (field) {
    case 'exchange': {
      if (sep !== ':' || !value) throw new QueryError('exchange: takes a request name: exchange:getUser, exchange:user.*', valuePos);
      const test = nameMatcher(value);
      const match: Predicate = (f, _c, ctx) => {
        const p = ctx.pairs;
        if (!p) return false;
        const r = p.rowOf(f.id);
        return r >= 0 && p.hasExchangeName(r, test);
      };
      return { t: 'leaf', text: `exchange:${value.toLowerCase()}`, match };
    }
    case 'pair': {
      const kind = value.toLowerCase();
      if (sep !== ':' || !KINDS[kind]) throw new QueryError(`pair: takes ${Object.keys(KINDS).join(', ')}`, valuePos);
      return flagTerm(`pair:${kind}`, KINDS[kind]);
    }
    case 'unanswered': {
      if (sep === ':' || sep === '=') throw new QueryError('unanswered takes an age: unanswered>5s, or stands alone', valuePos);
      const ms = unitMs(value, valuePos, 'unanswered>5s, unanswered>=500ms');
      const s = ms / 1000;
      const match: Predicate = (f, _c, ctx) => {
        const p = ctx.pairs;
        if (!p) return false;
        const r = p.rowOf(f.id);
        return r >= 0 && (p.flagsAt(r) & F.unanswered) !== 0 && cmp(sep, p.newestTs - f.ts, s);
      };
      return { t: 'leaf', text: `unanswered${sep}${ms}ms`, match };
    }
    default: {
      if (sep === ':' || sep === '=') throw new QueryError('latency takes a comparison: latency>200ms, latency<=1s', valuePos);
      const ms = unitMs(value, valuePos, 'latency>200ms, latency<=1s');
      const high = sep[0] === '>';
      const match: Predicate = (f, _c, ctx) => {
        const p = ctx.pairs;
        if (!p) return false;
        const r = p.rowOf(f.id);
        return r >= 0 && cmp(sep, high ? p.maxLatencyAt(r) : p.minLatencyAt(r), ms);
      };
      return { t: 'leaf', text: `latency${sep}${ms}ms`, match };
    }
  }
}
