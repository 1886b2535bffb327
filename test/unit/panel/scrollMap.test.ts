import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fits, maxRowsTop, maxScroll, placeFor, scrollMap, scrollTo, scrolled, TOP, type ScrollAt, type ScrollMap } from '../../../src/panel/scrollMap';

const ROW = 20;
const MAX = 8_000_000;

/** A browser's scroller over the map: it clamps what it is asked to scroll to, and the view writes back. */
class Scroller {
  scrollTop = 0;
  at: ScrollAt = TOP;
  constructor(public m: ScrollMap) {}
  get rowsTop() {
    return this.scrollTop + this.at.offset;
  }
  /** The user scrolls by `dy` (wheel, trackpad) or the scrollbar moves to `to`. */
  scroll({ dy, to }: { dy?: number; to?: number }) {
    const prev = this.scrollTop;
    const next = Math.max(0, Math.min(maxScroll(this.m), to ?? prev + (dy ?? 0)));
    const r = scrolled(this.m, this.at, prev, next);
    this.at = r.at;
    this.scrollTop = r.scrollTop;
  }
  key(rowsTop: number) {
    const r = scrollTo(this.m, this.at, rowsTop);
    this.at = r.at;
    this.scrollTop = r.scrollTop;
  }
}

describe('scroll map: rows taller than a browser lets an element be', () => {
  it('is the identity while the rows fit', () => {
    const m = scrollMap(10_000 * ROW, 400, MAX);
    expect(m).toMatchObject({ pages: 1, spacerPx: 200_000, jump: 0 });
    const s = new Scroller(m);
    s.scroll({ dy: 1234 });
    expect(s.rowsTop).toBe(1234);
    s.scroll({ to: 150_000 });
    expect(s.rowsTop).toBe(150_000);
    expect(scrollTo(m, TOP, 5000)).toEqual({ at: TOP, scrollTop: 5000 });
  });

  it('scrolls five million rows 1:1 under a wheel: a notch of 100 px is 5 rows, anywhere in the list', () => {
    const m = scrollMap(5_000_000 * ROW, 400, MAX);
    expect(m.spacerPx).toBe(MAX);
    const s = new Scroller(m);
    s.scroll({ to: maxScroll(m) / 2 }); // a scrollbar drag to the middle
    expect(s.rowsTop / ROW).toBeGreaterThan(2_450_000);
    expect(s.rowsTop / ROW).toBeLessThan(2_550_000);
    for (let i = 0; i < 2000; i++) {
      const before = s.rowsTop;
      s.scroll({ dy: 100 });
      expect(s.rowsTop - before).toBeCloseTo(100, 6);
    }
  });

  it('shows the first row at the top of the scroll range and the last at its bottom', () => {
    const m = scrollMap(5_000_000 * ROW, 400, MAX);
    const s = new Scroller(m);
    s.scroll({ to: maxScroll(m) });
    expect(s.rowsTop).toBeCloseTo(maxRowsTop(m), 6);
    s.scroll({ to: 0 });
    expect(s.rowsTop).toBe(0);
    s.key(maxRowsTop(m)); // End
    expect(s.rowsTop).toBeCloseTo(maxRowsTop(m), 6);
    expect(s.scrollTop).toBeCloseTo(maxScroll(m), 6);
    s.key(0); // Home
    expect(s.scrollTop).toBe(0);
  });

  it('keeps the rows on screen still while the rows grow under them (a stream while the user reads)', () => {
    const s = new Scroller(scrollMap(2_000_000 * ROW, 400, MAX));
    s.scroll({ to: 3_000_000 });
    const shown = s.rowsTop;
    s.m = scrollMap(2_100_000 * ROW, 400, MAX);
    expect(fits(s.m, s.at, s.scrollTop)).toBe(true);
    expect(s.rowsTop).toBe(shown);
    s.scroll({ dy: 40 });
    expect(s.rowsTop).toBeCloseTo(shown + 40, 6);
  });

  it('finds a place again when the rows shrink under it (a filter)', () => {
    const s = new Scroller(scrollMap(5_000_000 * ROW, 400, MAX));
    s.scroll({ to: maxScroll(s.m) });
    const m = scrollMap(600_000 * ROW, 400, MAX);
    expect(fits(m, s.at, s.scrollTop)).toBe(false);
    const at = placeFor(m, Math.min(s.scrollTop, maxScroll(m)));
    expect(fits(m, at, maxScroll(m))).toBe(true);
    expect(maxScroll(m) + at.offset).toBeCloseTo(maxRowsTop(m), 6);
    expect(fits(scrollMap(1000 * ROW, 400, MAX), s.at, 0)).toBe(false);
  });

  it('property: any wheel and key moves rows 1:1, and every scroll stays within the rows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 100, max: 1500 }),
        fc.array(fc.oneof(fc.record({ dy: fc.integer({ min: -1499, max: 1499 }) }), fc.record({ to: fc.double({ min: 0, max: 1, noNaN: true }) })), { maxLength: 60 }),
        (rows, view, moves) => {
          const m = scrollMap(rows * ROW, view, MAX);
          const s = new Scroller(m);
          for (const mv of moves) {
            const before = s.rowsTop;
            if ('dy' in mv && Math.abs(mv.dy) < view) {
              s.scroll({ dy: mv.dy });
              const want = Math.max(0, Math.min(maxRowsTop(m), before + mv.dy));
              expect(Math.abs(s.rowsTop - want)).toBeLessThan(1e-6 * Math.max(1, want));
            } else if ('to' in mv) {
              s.scroll({ to: mv.to * maxScroll(m) });
            }
            expect(s.scrollTop).toBeGreaterThanOrEqual(0);
            expect(s.scrollTop).toBeLessThanOrEqual(maxScroll(m));
            expect(s.rowsTop).toBeGreaterThanOrEqual(0);
            expect(s.rowsTop).toBeLessThanOrEqual(maxRowsTop(m) + 1e-6);
            expect(fits(m, s.at, s.scrollTop)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: wheeling down reaches the last row and wheeling up the first, even for 100 million rows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 400_001, max: 100_000_000 }), fc.integer({ min: 100, max: 1500 }), (rows, view) => {
        const m = scrollMap(rows * ROW, view, MAX);
        const s = new Scroller(m);
        s.scroll({ to: maxScroll(m) * 0.999 }); // near the end, then wheel the rest of the way
        const down = Math.ceil((maxRowsTop(m) - s.rowsTop) / (view - 1)) + 100; // wheel steps enough to get there
        for (let i = 0; i < down && s.rowsTop < maxRowsTop(m) - 1e-6; i++) s.scroll({ dy: view - 1 });
        expect(s.rowsTop).toBeCloseTo(maxRowsTop(m), 3);
        s.scroll({ to: maxScroll(m) * 0.001 });
        const up = Math.ceil(s.rowsTop / (view - 1)) + 100;
        for (let i = 0; i < up && s.rowsTop > 0; i++) s.scroll({ dy: -(view - 1) });
        expect(s.rowsTop).toBe(0);
      }),
      { numRuns: 60 },
    );
  });
});
