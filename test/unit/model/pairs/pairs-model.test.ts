// The engine against a plain reference of the pairing rules, on random sessions with evictions and clears (small
// columns, so they grow and move their rows).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Pairs } from '../../../../src/model/pairs/pairs';
import { PAIR_FLAG as F, PAIR_ROLE as R, type PairKey, type PairRole } from '../../../../src/model/pairs/types';
import type { Direction, Frame } from '../../../../src/model/types';

interface RefPair { req: number; ans: number; answered: boolean; closed: boolean; superseded: boolean; cancelled: boolean }

/** The rules written plainly: exchanges in an array, open ones in a map, flags recomputed from them. */
class Reference {
  pairs: RefPair[] = [];
  open = new Map<string, RefPair>();
  frames = new Map<number, { orphan: boolean; more: boolean; request: boolean; answer: boolean }>();
  orphans = 0;
  add(id: number, dir: Direction, keys: PairKey[]) {
    const fl = { orphan: false, more: false, request: false, answer: false };
    for (const k of keys) {
      const reqSent = k.role === R.request || k.role === R.follow || k.role === R.cancel ? dir === 'sent' : dir !== 'sent';
      const mk = (reqSent ? 's' : 'r') + k.key;
      if (k.role === R.request) {
        const prev = this.open.get(mk);
        if (prev) Object.assign(prev, { superseded: true, closed: true });
        const p: RefPair = { req: id, ans: NaN, answered: false, closed: false, superseded: false, cancelled: false };
        this.pairs.push(p);
        this.open.set(mk, p);
        fl.request = true;
        continue;
      }
      const p = this.open.get(mk);
      if (!p) {
        if (k.role === R.answer || k.role === R.item) {
          fl.orphan = true;
          this.orphans++;
        }
        continue;
      }
      if (k.role === R.answer || k.role === R.item) {
        if (p.answered) fl.more = true;
        else {
          Object.assign(p, { answered: true, ans: id });
          fl.answer = true;
        }
      } else {
        fl.more = true;
        if (k.role === R.cancel && !p.answered) p.cancelled = true;
      }
      if (k.role === R.answer || k.role === R.cancel) {
        p.closed = true;
        this.open.delete(mk);
      }
    }
    if (fl.request || fl.answer || fl.orphan || fl.more) this.frames.set(id, fl);
  }
  evictBefore(id: number) {
    this.pairs = this.pairs.filter((p) => p.req >= id);
    for (const [k, p] of this.open) if (p.req < id) this.open.delete(k);
    for (const f of this.frames.keys()) if (f < id) this.frames.delete(f);
  }
  flags(id: number): number {
    const f = this.frames.get(id);
    if (!f) return 0;
    const mine = this.pairs.filter((p) => p.req === id);
    let x = (f.request ? F.request : 0) | (f.answer ? F.answer : 0) | (f.orphan ? F.orphan : 0) | (f.more ? F.more : 0);
    if (mine.some((p) => !p.answered && !p.cancelled)) x |= F.unanswered;
    if (mine.some((p) => p.superseded)) x |= F.superseded;
    return x;
  }
}

const key = fc.record({ role: fc.constantFrom<PairRole>(R.request, R.request, R.answer, R.item, R.follow, R.cancel), key: fc.constantFrom('1', '2', '3', '"1"') });
const op = fc.oneof(
  { weight: 8, arbitrary: fc.record({ t: fc.constant('frame' as const), dir: fc.constantFrom<Direction>('sent', 'received'), keys: fc.array(key, { maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('evict' as const), n: fc.nat(6) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('clear' as const) }) },
);

describe('pairing against a reference', () => {
  it('agrees on flags, partners and counts', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 150 }), (ops) => {
        const keys = new Map<number, PairKey[]>();
        const pairs = new Pairs((f) => keys.get(f.id) ?? null, 4);
        let ref = new Reference();
        let held: number[] = [];
        let id = 0;
        for (const o of ops) {
          if (o.t === 'frame') {
            const f: Frame = { id: ++id, conn: 1, dir: o.dir, opcode: 1, ts: id, size: 0 };
            const ks = o.keys.map((k) => (k.role === R.request ? { ...k, name: 'n' } : k));
            keys.set(f.id, ks);
            pairs.add(f);
            ref.add(f.id, f.dir, ks);
            held.push(f.id);
          } else if (o.t === 'evict') {
            held = held.slice(Math.min(o.n, held.length));
            const first = held.length ? held[0] : id + 1;
            pairs.evictBefore(first);
            ref.evictBefore(first);
          } else {
            pairs.clear();
            ref = new Reference();
            held = [];
          }
        }
        for (const h of held) {
          expect(pairs.flagsOf(h)).toBe(ref.flags(h));
          const p = ref.pairs.find((x) => x.req === h) ?? ref.pairs.find((x) => x.ans === h);
          const mine = ref.pairs.find((x) => x.req === h);
          const other = mine ? mine.ans : p ? p.req : NaN;
          // A frame answering several requests (a batch) jumps to one of them.
          const answered = ref.pairs.filter((x) => x.ans === h).map((x) => x.req);
          if (!mine && answered.length > 1) expect(answered).toContain(pairs.partnerOf(h));
          else if (ref.frames.get(h)?.request || ref.frames.get(h)?.answer) expect(pairs.partnerOf(h)).toBe(other);
        }
        const st = pairs.stats;
        expect(st.requests).toBe(ref.pairs.length);
        expect(st.answered).toBe(ref.pairs.filter((x) => x.answered).length);
        expect(st.unanswered).toBe(ref.pairs.filter((x) => !x.answered && !x.cancelled).length);
        expect(st.superseded).toBe(ref.pairs.filter((x) => x.superseded).length);
        expect(st.orphans).toBe(ref.orphans);
        const sum = pairs.summary().reduce((a, r) => a + r.count, 0);
        expect(sum).toBe(ref.pairs.length);
      }),
      { numRuns: 400 },
    );
  });
});
