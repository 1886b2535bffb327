// The compiled tree: boolean algebra holds, rendering round-trips, and the cheap terms run first.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseQuery } from '../../../../src/model/query';
import type { Frame } from '../../../../src/model/types';
import { ctx, frames, matches, text } from './fixtures';

describe('query language', () => {
  const term = fc.constantFrom('hello', 'dir:sent', 'op:binary', 'size>100', '$.type == "trade"', 'exists($.error)', 'conn:chat', '/wor/i');
  const q: fc.Arbitrary<string> = fc.letrec<{ q: string }>((tie) => ({
    q: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      term,
      tie('q').map((x) => `-(${x})`),
      fc.tuple(tie('q'), tie('q')).map(([a, b]) => `(${a}) (${b})`),
      fc.tuple(tie('q'), tie('q')).map(([a, b]) => `(${a}) OR (${b})`),
    ),
  })).q;

  it('obeys boolean algebra: negation complements, AND intersects, OR unites, and rendering round-trips', () => {
    fc.assert(
      fc.property(q, q, (a, b) => {
        const A = new Set(matches(a));
        const B = new Set(matches(b));
        const all = frames.map((_, i) => i);
        expect(matches(`-(${a})`)).toEqual(all.filter((i) => !A.has(i)));
        expect(matches(`(${a}) (${b})`)).toEqual(all.filter((i) => A.has(i) && B.has(i)));
        expect(matches(`(${a}) OR (${b})`)).toEqual(all.filter((i) => A.has(i) || B.has(i)));
        expect(matches(parseQuery(a).text)).toEqual([...A]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('query evaluation', () => {
  it('runs the cheap terms of AND and OR first, with the same answers', () => {
    let jsonReads = 0;
    const spy = (t: string): Frame => {
      const f = text(t);
      return new Proxy(f, { get: (o, k) => (k === 'text' && jsonReads++, Reflect.get(o, k)) });
    };
    const pred = parseQuery('$.type == "trade" dir:sent').predicate!;
    expect(pred(spy('{"type":"trade"}'), undefined, ctx)).toBe(false); // received: the JSON term is not run
    expect(jsonReads).toBe(0);
    expect(pred(spy('{"type":"trade"}'), undefined, ctx)).toBe(false);
    expect(parseQuery('$.type == "trade" OR dir:received').predicate!(spy('nope'), undefined, ctx)).toBe(true);
    expect(jsonReads).toBe(0);
  });
});
