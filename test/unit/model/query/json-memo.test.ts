// What JSON terms learn per frame (json-memo), learnt ahead while the panel is idle: the answers stay JSON.parse's.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { learnJson, parseQuery } from '../../../../src/model/query';
import { SessionStore } from '../../../../src/model/store';
import { ctx } from './fixtures';
import { resolveRef, terms, text } from './json-fixtures';

describe('JSON terms answer as JSON.parse would', () => {
  it('the same after the panel learnt the texts while idle (learnJson), also when a text repeats', () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 12 }), fc.constantFrom(...terms), fc.nat(11), (texts, term, upTo) => {
        const s = new SessionStore();
        const all = [...texts, texts[0]]; // the same string again: the parse cache must not leave it unlearnt
        s.apply(all.map((t, i) => ({ t: 'frame', frame: { id: i + 1, conn: 1, dir: 'received', opcode: 1, ts: 0, size: t.length, text: t } })));
        // Learn some, then all, of the frames; query in between.
        const pred = parseQuery(term.q).predicate!;
        const want = all.map((_t, i) => i + 1).filter((id) => term.want(resolveRef(all[id - 1], term.segs)));
        let n = 0;
        s.learn((f) => n++ < upTo && learnJson(f), Infinity);
        s.setFilter((f, c) => pred(f, c, ctx));
        expect(Array.from({ length: s.visibleCount }, (_, i) => s.visibleAt(i)!.id)).toEqual(want);
        const fresh = new SessionStore();
        fresh.apply(all.map((t, i) => ({ t: 'frame', frame: { id: i + 1, conn: 1, dir: 'received', opcode: 1, ts: 0, size: t.length, text: t } })));
        expect(fresh.learn((f) => void learnJson(f), Infinity)).toBe(true);
        fresh.setFilter((f, c) => pred(f, c, ctx));
        expect(Array.from({ length: fresh.visibleCount }, (_, i) => fresh.visibleAt(i)!.id)).toEqual(want);
      }),
      { numRuns: 1000 },
    );
  });
});
