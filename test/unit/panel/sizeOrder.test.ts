// The timeline's order by size: after anything the store goes through (frames arriving, filters and their scans in
// slices, clears, eviction), it is the visible rows sorted by size, ties in capture order, and finds any row's rank.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SessionStore } from '../../../src/model/store';
import { SizeOrder, type SizedRows } from '../../../src/panel/sizeOrder';

/** A store of small chunks (eviction drops whole chunks) whose filter scans run in slices the test steps through. */
function makeStore() {
  const s = new SessionStore({ chunkBits: 4 });
  s.syncLimit = 0;
  s.firstSliceMs = 0;
  s.sliceMs = 0;
  s.scanNotifyMs = 0;
  const slices: Array<() => void> = [];
  s.schedule = (fn) => slices.push(fn);
  s.apply([{ t: 'conn', conn: { id: 1, url: 'wss://x/', state: 'open', openedBeforeCapture: false, target: { type: 'page' } } }]);
  let id = 0;
  return {
    s,
    slices,
    arrive(sizes: number[]) {
      s.apply(sizes.map((size) => ({ t: 'frame' as const, frame: { id: ++id, conn: 1, dir: 'received' as const, opcode: 1, ts: id, size, text: 'x'.repeat(size) } })));
    },
    clear() {
      s.clear();
      id = 0; // a new session may number its frames from 1 again
    },
  };
}

/** The visible rows sorted afresh: by size (descending for 'desc'), ties by capture order. */
function expected(s: SessionStore, dir: 'asc' | 'desc'): number[] {
  const rows = Array.from({ length: s.visibleCount }, (_, i) => i);
  const sign = dir === 'asc' ? 1 : -1;
  return rows.sort((a, b) => sign * (s.visibleSizeAt(a) - s.visibleSizeAt(b)) || a - b);
}

function check(order: SizeOrder, s: SessionStore, dir: 'asc' | 'desc') {
  const want = expected(s, dir);
  expect(Array.from(want, (_, r) => order.at(r))).toEqual(want);
  expect(want.map((row) => order.rankOf(row))).toEqual(want.map((_, rank) => rank));
  expect(order.rankOf(-1)).toBe(-1);
  expect(order.rankOf(want.length)).toBe(-1);
}

describe('size order', () => {
  type Op =
    | { k: 'arrive'; sizes: number[] }
    | { k: 'filter'; mod: number }
    | { k: 'unfilter' }
    | { k: 'slice' }
    | { k: 'clear'; sizes: number[] }
    | { k: 'budget'; bytes: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    { arbitrary: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 40 }).map((sizes) => ({ k: 'arrive' as const, sizes })), weight: 6 },
    { arbitrary: fc.integer({ min: 2, max: 4 }).map((mod) => ({ k: 'filter' as const, mod })), weight: 1 },
    { arbitrary: fc.constant({ k: 'unfilter' as const }), weight: 1 },
    { arbitrary: fc.constant({ k: 'slice' as const }), weight: 3 },
    // A clear, and the next session's first frames before the view updates.
    { arbitrary: fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 60 }).map((sizes) => ({ k: 'clear' as const, sizes })), weight: 1 },
    { arbitrary: fc.integer({ min: 2_000, max: 20_000 }).map((bytes) => ({ k: 'budget' as const, bytes })), weight: 1 },
  );

  it('is the visible rows sorted by size after every change, and finds each row (both directions)', () => {
    fc.assert(
      fc.property(fc.constantFrom<'asc' | 'desc'>('asc', 'desc'), fc.array(op, { maxLength: 30 }), (dir, ops) => {
        const { s, slices, arrive, clear } = makeStore();
        const order = new SizeOrder(s, dir);
        order.update();
        check(order, s, dir);
        for (const o of ops) {
          if (o.k === 'arrive') arrive(o.sizes);
          else if (o.k === 'filter') s.setFilter((f) => f.id % o.mod !== 0);
          else if (o.k === 'unfilter') s.setFilter(null);
          else if (o.k === 'slice') slices.shift()?.();
          else if (o.k === 'clear') {
            clear();
            arrive(o.sizes);
          }
          else s.budgetBytes = o.bytes; // evicts as the next frames arrive
          order.update();
          check(order, s, dir);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('sorts afresh for another filter, or after a clear, also when the rows start and end with the same ids', () => {
    const { s, slices, arrive, clear } = makeStore();
    const scanned = () => {
      while (slices.length) slices.shift()!();
    };
    arrive([10, 60, 30, 5, 50]);
    s.setFilter((f) => f.id === 1 || f.id === 3 || f.id === 5);
    scanned();
    const order = new SizeOrder(s, 'desc');
    order.update();
    check(order, s, 'desc');
    s.setFilter((f) => f.id === 1 || f.id === 2 || f.id === 5);
    scanned();
    order.update();
    check(order, s, 'desc');
    clear(); // the filter stays
    arrive([50, 1, 2, 40, 30]); // ids 1, 2 and 5 visible again, at the same places
    order.update();
    check(order, s, 'desc');
  });

  it('merges the frames of a batch without reading every row, and finds a rank in a binary search', () => {
    const { s, arrive } = makeStore();
    arrive(Array.from({ length: 20_000 }, (_, i) => (i * 7919) % 1000));
    let reads = 0;
    const counted: SizedRows = {
      get visibleCount() {
        return s.visibleCount;
      },
      get visibleEpoch() {
        return s.visibleEpoch;
      },
      visibleIdAt: (i) => s.visibleIdAt(i),
      visibleIndexOf: (id) => s.visibleIndexOf(id),
      visibleSizeAt: (i) => (reads++, s.visibleSizeAt(i)),
    };
    const order = new SizeOrder(counted, 'desc');
    order.update();
    reads = 0;
    arrive([5, 999, 0, 500, 500, 12, 1000, 1, 300, 42]);
    order.update();
    expect(reads).toBeLessThan(10 * (1 + 16)); // a size and a binary search per new row, not 20k
    reads = 0;
    expect(order.rankOf(19_999)).toBeGreaterThanOrEqual(0);
    expect(reads).toBeLessThan(1 + 16);
    check(order, s, 'desc');
  });
});
