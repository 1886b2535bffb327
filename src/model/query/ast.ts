// The tree a query parses into, compiled into one predicate (cheapest terms first) and rendered as canonical text.
import type { Predicate } from './types';

export type Node =
  | { t: 'and' | 'or'; items: Node[] }
  | { t: 'not'; item: Node }
  | { t: 'leaf'; match: Predicate; text: string; /** Relative cost of a match: 1 a field, 2 a text search, 3 a JSON path. */ cost?: number };

function costOf(n: Node): number {
  return n.t === 'leaf' ? (n.cost ?? 1) : n.t === 'not' ? costOf(n.item) : n.items.reduce((a, i) => a + costOf(i), 0);
}

/** Items of AND and OR, cheapest first: a field decides before a text search is run, a text search before a JSON path. */
const cheapestFirst = (items: Node[]) => items.map((n, i) => ({ n, i, c: costOf(n) })).sort((a, b) => a.c - b.c || a.i - b.i).map((x) => x.n);

export function compile(n: Node): Predicate {
  switch (n.t) {
    case 'leaf':
      return n.match;
    case 'not': {
      const p = compile(n.item);
      return (f, c, x) => !p(f, c, x);
    }
    case 'and': {
      const ps = cheapestFirst(n.items).map(compile);
      if (ps.length === 2) {
        const [a, b] = ps;
        return (f, c, x) => a(f, c, x) && b(f, c, x);
      }
      return (f, c, x) => {
        for (const p of ps) if (!p(f, c, x)) return false;
        return true;
      };
    }
    case 'or': {
      const ps = cheapestFirst(n.items).map(compile);
      if (ps.length === 2) {
        const [a, b] = ps;
        return (f, c, x) => a(f, c, x) || b(f, c, x);
      }
      return (f, c, x) => {
        for (const p of ps) if (p(f, c, x)) return true;
        return false;
      };
    }
  }
}

export function render(n: Node): string {
  switch (n.t) {
    case 'leaf':
      return n.text;
    case 'not':
      return `-${n.item.t === 'leaf' || n.item.t === 'not' ? render(n.item) : `(${render(n.item)})`}`;
    case 'and':
      return n.items.map((i) => (i.t === 'or' ? `(${render(i)})` : render(i))).join(' ');
    case 'or':
      return n.items.map(render).join(' OR ');
  }
}
