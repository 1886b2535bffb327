// JSON paths ($.a.b, $["key"], $[0]): parsed into segments, and resolved on a parsed value.
import { readQuoted } from './tokenize';
import { QueryError } from './types';

export type Segment = string | number;

/** No value at a path (or a text that is not JSON). */
export const MISSING = Symbol('missing');

export function parsePath(path: string, pos: number): Segment[] {
  const segs: Segment[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === '.') {
      const m = /^[\w$-]+/.exec(path.slice(i + 1));
      if (!m) throw new QueryError(`A JSON path needs a name after "."`, pos + i);
      segs.push(m[0]);
      i += 1 + m[0].length;
    } else if (path[i] === '[') {
      if (path[i + 1] === '"' || path[i + 1] === "'") {
        const q = readQuoted(path, i + 1);
        if (path[q.end] !== ']') throw new QueryError('In a JSON path, a quoted key needs its closing ]', pos + i);
        segs.push(q.value);
        i = q.end + 1;
      } else {
        const end = path.indexOf(']', i);
        // The tokenizer catches this in a query; a path typed alone (a rule's rewrite, a pairing rule) may not.
        if (end < 0) throw new QueryError('Unclosed [ in JSON path', pos + i);
        const inner = path.slice(i + 1, end);
        if (!/^\d+$/.test(inner)) throw new QueryError('In a JSON path, [ ] takes an index or a quoted key', pos + i);
        segs.push(Number(inner));
        i = end + 1;
      }
    } else throw new QueryError(`Unexpected "${path[i]}" in JSON path`, pos + i);
  }
  return segs;
}

export function resolve(value: unknown, segs: Segment[]): unknown {
  let v: unknown = value;
  for (const s of segs) {
    if (v === null || typeof v !== 'object') return MISSING;
    if (typeof s === 'number') {
      if (!Array.isArray(v) || s >= v.length) return MISSING;
      v = v[s];
    } else {
      if (!Object.prototype.hasOwnProperty.call(v, s)) return MISSING;
      v = (v as Record<string, unknown>)[s];
    }
  }
  return v;
}
