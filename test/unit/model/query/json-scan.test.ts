// JSON terms read the raw text where they can (json-scan) and must answer exactly as a parse would.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseQuery } from '../../../../src/model/query';
import { SessionStore } from '../../../../src/model/store';
import { ctx } from './fixtures';
import { resolveRef, terms, text } from './json-fixtures';

describe('JSON terms answer as JSON.parse would', () => {
  it('on random texts, through the store (its cursor remembers what it learnt: asked twice)', () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 12 }), fc.constantFrom(...terms), (texts, term) => {
        const s = new SessionStore();
        s.apply(texts.map((t, i) => ({ t: 'frame', frame: { id: i + 1, conn: 1, dir: 'received', opcode: i === 5 ? -1 : 1, ts: 0, size: t.length, text: t } })));
        const pred = parseQuery(term.q).predicate!;
        const want = texts.map((_t, i) => i + 1).filter((id) => (id === 6 ? term.q.includes('!=') : term.want(resolveRef(texts[id - 1], term.segs))));
        for (let pass = 0; pass < 2; pass++) {
          s.setFilter((f, c) => pred(f, c, ctx));
          expect(Array.from({ length: s.visibleCount }, (_, i) => s.visibleAt(i)!.id)).toEqual(want);
        }
        // And on plain frame objects (nothing remembered).
        expect(texts.map((_, i) => s.frameAt(i)!).filter((f) => pred(f, undefined, ctx)).map((f) => f.id)).toEqual(want);
      }),
      { numRuns: 2000 },
    );
  });
});
