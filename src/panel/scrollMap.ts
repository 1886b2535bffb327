// Scrolling a list taller than a browser lets an element be (pure: no DOM).
//
// Browsers cap an element's height (about 33.5M px in Chrome, 17.9M px in Firefox), so past `maxPx` of rows the
// scrolled element (the spacer) is shorter than the rows it stands for. Mapping the scroll range proportionally onto
// the rows (as Frameline did first) makes every pixel the browser scrolls move more than a pixel of rows (dozens of
// rows per wheel notch at millions of rows), and since the browser's compositor moves the painted rows by the
// pixels it scrolled before the panel re-renders them, the rows shook on every frame, and every frame of a scroll
// repainted every row.
//
// Here, as in SlickGrid's virtual paging: the rows are cut into pages of `pagePx` (a hundredth of the spacer). The rows
// sit in the spacer at their own offset less the offset of the page the view is in (`offset`: the page's number times
// `jump`), so within a page the rows move exactly as far as the browser scrolls: wheels, trackpads and keys scroll
// them 1:1 and the compositor's movement is the right one. Crossing into another page changes the offset by `jump`,
// and the scroll position is rewritten by as much in the same render, so the rows on screen do not move. A jump (a
// scrollbar drag, a click on the track) goes where the scrollbar says: the page of the proportional position. The
// first page has offset 0 and the last `rowsPx - spacerPx`, so the top and the bottom of the scroll range are the
// first and the last rows.

export interface ScrollMap {
  /** The height of all rows. */
  rowsPx: number;
  /** The height of the scrolled element (at most maxPx). */
  spacerPx: number;
  /** The height of the view. */
  viewPx: number;
  /** Pages of rows (1 when the rows fit: no offset then). */
  pages: number;
  pagePx: number;
  /** The offset added per page. */
  jump: number;
}

/** The map for `rowsPx` of rows in a view of `viewPx`, the spacer at most `maxPx` high. */
export function scrollMap(rowsPx: number, viewPx: number, maxPx: number): ScrollMap {
  const pagePx = maxPx / 100;
  if (rowsPx <= maxPx) return { rowsPx, spacerPx: rowsPx, viewPx, pages: 1, pagePx, jump: 0 };
  const pages = Math.floor(rowsPx / pagePx);
  return { rowsPx, spacerPx: maxPx, viewPx, pages, pagePx, jump: (rowsPx - maxPx) / (pages - 1) };
}

/** The highest scroll position of the spacer. */
export const maxScroll = (m: ScrollMap) => Math.max(0, m.spacerPx - m.viewPx);
/** The highest position of the view's top among the rows. */
export const maxRowsTop = (m: ScrollMap) => Math.max(0, m.rowsPx - m.viewPx);

/** Where the view is: its top among the rows is the scroll position plus `offset`, the offset of page `page`. */
export interface ScrollAt {
  page: number;
  offset: number;
}

export const TOP: ScrollAt = { page: 0, offset: 0 };
/** The place at the end of the rows (the last page: its offset is all the rows the spacer does not stand for). */
export const bottom = (m: ScrollMap): ScrollAt => (m.pages === 1 ? TOP : { page: m.pages - 1, offset: m.rowsPx - m.spacerPx });

const pageOf = (m: ScrollMap, rowsTop: number) => Math.max(0, Math.min(m.pages - 1, Math.floor(rowsTop / m.pagePx)));
const clamp = (x: number, hi: number) => Math.max(0, Math.min(hi, x));

/**
 * The place to show the rows from `rowsTop` on (keys, a scroll within reach): `at` if that page is still the view's
 * (its offset stays as it was, even where the rows have grown since: the rows on screen must not drift while a stream
 * pours in), else the page of `rowsTop`. Returns the place and the scroll position that shows it.
 */
export function scrollTo(m: ScrollMap, at: ScrollAt, rowsTop: number): { at: ScrollAt; scrollTop: number } {
  if (m.pages === 1) return { at: TOP, scrollTop: clamp(rowsTop, maxScroll(m)) };
  const y = clamp(rowsTop, maxRowsTop(m));
  const page = pageOf(m, y);
  const next = page === at.page && y - at.offset >= 0 && y - at.offset <= maxScroll(m) ? at : { page, offset: page * m.jump };
  return { at: next, scrollTop: clamp(y - next.offset, maxScroll(m)) };
}

/**
 * The browser scrolled to `scrollTop`, from `prevScrollTop`. Within a view's height the rows move with it (1:1);
 * farther is a jump (scrollbar), to the rows the scrollbar's proportion points at. Returns the new place, and the
 * scroll position to write when it is not `scrollTop` (the view crossed into another page).
 */
export function scrolled(m: ScrollMap, at: ScrollAt, prevScrollTop: number, scrollTop: number): { at: ScrollAt; scrollTop: number } {
  if (m.pages === 1) return { at: TOP, scrollTop };
  const max = maxScroll(m);
  if (Math.abs(scrollTop - prevScrollTop) < m.viewPx) {
    const y = clamp(scrollTop + at.offset, maxRowsTop(m));
    let page = pageOf(m, y);
    // At the very end of the scroll range the browser scrolls no farther: if rows remain below, go on into the next
    // page now (only where pages are barely taller than the view, past tens of millions of rows).
    if (page === at.page && scrollTop >= max - 1 && y < maxRowsTop(m) - 1) page = Math.min(m.pages - 1, page + 1);
    if (page === at.page) return { at, scrollTop };
    const next = { page, offset: page * m.jump };
    return { at: next, scrollTop: clamp(y - next.offset, max) };
  }
  const page = pageOf(m, (scrollTop / Math.max(1, max)) * maxRowsTop(m));
  return { at: { page, offset: page * m.jump }, scrollTop };
}

/** Whether `at` still places a view at `scrollTop` among the rows of `m` (the rows may have changed since: a filter). */
export function fits(m: ScrollMap, at: ScrollAt, scrollTop: number): boolean {
  if (m.pages === 1) return at.offset === 0;
  return at.page < m.pages && at.offset <= m.rowsPx - m.spacerPx + 0.5 && scrollTop + at.offset <= maxRowsTop(m) + 0.5;
}

/** The place of the view for `scrollTop` when nothing better is known (the rows changed under it): the jump's. */
export function placeFor(m: ScrollMap, scrollTop: number): ScrollAt {
  return scrolled(m, TOP, Number.NEGATIVE_INFINITY, scrollTop).at;
}
