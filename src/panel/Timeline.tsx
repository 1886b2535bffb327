// Virtualized timeline: fixed row height, only the rows in view are in the DOM; newest at the bottom; follows new
// rows only while the user is at the bottom. Sortable by time and size; absolute or relative times; keyboard
// navigation (↑ ↓ PageUp PageDown Home End, Enter opens the detail).
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { SessionStore } from '../model/store';
import { formatBytes } from '../model/bytes';
import { opcodeName, previewOf, PREVIEW_CHARS } from '../model/preview';
import { formatClock, formatLatency, formatRelative } from '../model/time';
import { OPCODE, type Frame } from '../model/types';
import { useStoreRevision } from './useStore';
import { useMenu } from './useMenu';
import { bottom, fits, maxScroll, placeFor, scrollMap, scrollTo, scrolled, TOP, type ScrollAt } from './scrollMap';
import { SizeOrder } from './sizeOrder';
import { decodingOf, summaryOf } from '../model/decode/decoding';
import { pairsOf } from '../model/pairs/of-store';
import { PAIR_FLAG } from '../model/pairs/types';

export type SortKey = 'time' | 'size';
export interface Sort {
  key: SortKey;
  dir: 'asc' | 'desc';
}

export const ROW_HEIGHT = 20;
/**
 * Browsers cap an element's height (about 33.5M px in Chrome, 17.9M px in Firefox): past this many pixels of rows the
 * spacer stands for more rows than its height (pages: see scrollMap.ts), so millions of rows stay reachable down to
 * the last one, and still scroll 1:1 under a wheel or trackpad.
 */
export const MAX_SPACER_PX = 8_000_000;
const OVERSCAN = 8;
/** While following the tail, rows above the view are all new in every render and the view never scrolls up to them. */
const OVERSCAN_FOLLOWING = 2;
/** Measured once per resize (in the rows' font) for the width of one character. */
const MEASURE_TEXT = '0123456789abcdef';

export interface TimelineProps {
  store: SessionStore;
  selected: number | null;
  /** Frames picked for a sequence replay (ctrl/⌘-click toggles, shift-click extends). */
  selection?: ReadonlySet<number>;
  onSelect: (id: number | null, mods?: { toggle: boolean; extend: boolean }) => void;
  /** The menu of a row, right-clicked at (x, y). */
  renderMenu?: (id: number, x: number, y: number) => ComponentChildren;
  /** Ctrl/⌘+C with no text selected: copy the selected rows. */
  onCopy?: () => void;
  /** Enter on a row: show its detail. */
  onOpen?: (id: number) => void;
  /** Bring this frame's row into view (a new nonce each time it is asked), when the filter shows it. */
  reveal?: { id: number; nonce: number } | null;
}

export function Timeline({ store, selected, selection, onSelect, renderMenu, onCopy, onOpen, reveal }: TimelineProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [sort, setSort] = useState<Sort>({ key: 'time', dir: 'asc' });
  const [relative, setRelative] = useState(false);
  const [menu, setMenu] = useMenu();
  // Follows the store every frame, on its own: new frames re-render the timeline, not the panel around it.
  useStoreRevision(store);
  const [scrollTop, setScrollTop] = useState(0);
  const [, setRenders] = useState(0);
  const [height, setHeight] = useState(400);
  // The most preview characters a row can show: as many as fit in the preview column (monospace), less one for the
  // ellipsis previewOf appends to text it cuts. Laying out text is most of a row's cost, and while a stream pours in
  // every row is new in every painted frame: a row gets no more text than it shows, and text that fits exactly never
  // overflows, so the column's CSS ellipsis (kept for wide characters and badges) is not computed for every row.
  const [previewChars, setPreviewChars] = useState(PREVIEW_CHARS);
  const measure = useRef<HTMLSpanElement>(null);
  const previewHead = useRef<HTMLSpanElement>(null);
  const stick = useRef(true);
  const count = store.visibleCount;
  const natural = sort.key === 'time' && sort.dir === 'asc';

  // Row order: capture order, reversed, or by size (positions among the visible rows, stable; kept up to date as rows
  // arrive, see sizeOrder.ts).
  const bySize = useMemo(() => (sort.key === 'size' ? new SizeOrder(store, sort.dir) : null), [sort.key, sort.dir, store]);
  bySize?.update();
  const rowAt = (i: number): Frame | undefined =>
    bySize ? store.visibleAt(bySize.at(i)) : sort.dir === 'desc' ? store.visibleAt(count - 1 - i) : store.visibleAt(i);
  const indexOfId = (id: number): number => {
    const i = store.visibleIndexOf(id);
    if (bySize) return bySize.rankOf(i);
    return i < 0 ? -1 : sort.dir === 'desc' ? count - 1 - i : i;
  };
  const startTs = store.frameAt(0)?.ts ?? 0;

  // Geometry: row i at i * ROW_HEIGHT less the offset of the view's page (0 unless the rows are taller than
  // MAX_SPACER_PX; see scrollMap.ts).
  const viewRows = Math.max(1, Math.floor(height / ROW_HEIGHT));
  const map = scrollMap(count * ROW_HEIGHT, height, MAX_SPACER_PX);
  const spacerPx = map.spacerPx;
  const place = useRef<ScrollAt>(TOP);
  /** The scroll position the view was last rendered or scrolled at (a scroll event's distance is from there). */
  const lastTop = useRef(0);
  // Following the tail, the view is at the bottom in this very render: no second render, no layout read.
  const following = stick.current && natural;
  const viewTop = following ? maxScroll(map) : scrollTop;
  if (following) place.current = bottom(map);
  else if (!fits(map, place.current, viewTop)) place.current = placeFor(map, viewTop);
  lastTop.current = viewTop;
  const offset = place.current.offset;
  const topRow = (viewTop + offset) / ROW_HEIGHT;
  const rowTop = (i: number) => i * ROW_HEIGHT - offset;

  useEffect(() => {
    const el = scroller.current!;
    const update = () => {
      setHeight(el.clientHeight);
      const charPx = (measure.current?.offsetWidth ?? 0) / MEASURE_TEXT.length;
      // The header's preview column, less the body's scrollbar (the rows are that much narrower than the header).
      const columnPx = (previewHead.current?.clientWidth || el.clientWidth) - (el.offsetWidth - el.clientWidth);
      setPreviewChars(charPx > 0 ? Math.max(8, Math.min(PREVIEW_CHARS, Math.floor(columnPx / charPx) - 1)) : PREVIEW_CHARS);
    };
    const ro = new ResizeObserver(update);
    ro.observe(el);
    update();
    return () => ro.disconnect();
  }, []);

  // Follow the tail while the user is at the bottom: write the scroll position, never read it here (a read would
  // force a layout on every batch).
  const written = useRef(-1);
  useLayoutEffect(() => {
    if (!following || written.current === viewTop) return;
    written.current = viewTop;
    scroller.current!.scrollTop = viewTop;
  });

  // A jump from the detail (request ↔ answer): the row is brought to the middle of the view.
  useLayoutEffect(() => {
    if (!reveal) return;
    const i = indexOfId(reveal.id);
    if (i < 0) return;
    const el = scroller.current!;
    const r = scrollTo(map, place.current, Math.max(0, i * ROW_HEIGHT - Math.floor(el.clientHeight / 2)));
    place.current = r.at;
    el.scrollTop = written.current = lastTop.current = r.scrollTop;
    stick.current = natural && i === count - 1;
    setScrollTop(r.scrollTop);
    // While following the tail the state's scroll position is stale and may equal the new one: render anyway.
    setRenders((n) => n + 1);
  }, [reveal?.nonce]);

  const onScroll = () => {
    const el = scroller.current!;
    // The scroll event of our own write (the tail, a key, a page crossed): the render already shows that position
    // (re-rendering for it would double the work of every batch while following the tail).
    if (written.current >= 0 && Math.abs(el.scrollTop - written.current) < 1) return;
    const at = el.scrollTop;
    stick.current = at + el.clientHeight >= el.scrollHeight - ROW_HEIGHT / 2;
    written.current = -1;
    const r = scrolled(map, place.current, lastTop.current, at);
    place.current = r.at;
    if (r.scrollTop !== at) el.scrollTop = written.current = r.scrollTop;
    lastTop.current = r.scrollTop;
    setScrollTop(r.scrollTop);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (count === 0) return;
    const el = scroller.current!;
    const page = Math.max(1, Math.floor(el.clientHeight / ROW_HEIGHT) - 1);
    const at = selected !== null ? indexOfId(selected) : -1;
    let next: number;
    switch (e.key) {
      case 'ArrowDown':
        next = at < 0 ? 0 : at + 1;
        break;
      case 'ArrowUp':
        next = at < 0 ? count - 1 : at - 1;
        break;
      case 'PageDown':
        next = at + page;
        break;
      case 'PageUp':
        next = at - page;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = count - 1;
        break;
      case 'Enter':
        if (selected !== null) onOpen?.(selected);
        e.preventDefault();
        return;
      case 'c':
      case 'C':
        if ((e.ctrlKey || e.metaKey) && onCopy && !getSelection()?.toString()) {
          onCopy();
          e.preventDefault();
        }
        return;
      default:
        return;
    }
    e.preventDefault();
    next = Math.max(0, Math.min(count - 1, next));
    const f = rowAt(next);
    if (!f) return;
    onSelect(f.id);
    const shownTop = (el.scrollTop + place.current.offset) / ROW_HEIGHT;
    const rowsTop = next < shownTop ? next * ROW_HEIGHT : next + 1 > shownTop + viewRows ? (next + 1 - viewRows) * ROW_HEIGHT : -1;
    if (rowsTop >= 0) {
      const r = scrollTo(map, place.current, rowsTop);
      place.current = r.at;
      el.scrollTop = written.current = lastTop.current = r.scrollTop;
    }
    stick.current = natural && next === count - 1;
    setScrollTop(el.scrollTop);
  };

  const toggleSort = (key: SortKey) =>
    setSort((prev) => (prev.key === key ? { key, dir: prev.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: key === 'size' ? 'desc' : 'asc' }));
  const ariaSort = (key: SortKey) => (sort.key === key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none');
  const arrow = (key: SortKey) => (sort.key === key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : '');

  // Rows are keyed by their place among the rendered rows (the n-th element always shows the n-th row rendered) while
  // following the tail and when the view jumped (a scrollbar drag, Home, End): every row is new then, and only texts and
  // attributes change. Keyed by frame instead, or by index modulo a number of slots (as before), the tail's elements
  // rotate, and Preact moves DOM nodes to follow: every moved row is detached from the layout tree and rebuilt
  // (measured while a 3k frames/s stream poured in: 8.7 → 5.8 ms of main thread per render; style recalculation 1.0 →
  // 0.25 ms); and a jump would unmount and build every row (measured dragging the scrollbar over 1M rows: 7.5 → 13 ms
  // per frame). When the view moved by less than the rows rendered (a wheel, a trackpad, arrow keys) or not at all,
  // they are keyed by their row: the rows still in view keep their elements, text and paint, the browser's scroll moves
  // them, and a frame builds only the rows that came into view (measured with a smooth 4000 px/s scroll over 1M rows:
  // 10.2 → 6.8 ms of main thread per frame).
  const first = Math.max(0, Math.floor(topRow) - (following ? OVERSCAN_FOLLOWING : OVERSCAN));
  const last = Math.min(count, Math.ceil(topRow + height / ROW_HEIGHT) + OVERSCAN);
  const lastFirst = useRef(-1);
  const decoding = decodingOf(store);
  // Pairing follows the store as rows are drawn (its work is per new frame); the Latency column once any request is seen.
  const pairs = pairsOf(store).sync();
  const paired = pairs.exchanges > 0;
  const marks = store.ruleMarks;
  const byRow = !following && lastFirst.current >= 0 && Math.abs(first - lastFirst.current) < last - first;
  lastFirst.current = first;
  const rows = [];
  for (let i = first; i < last; i++) {
    const f = rowAt(i)!;
    const wall = store.wallMs(f.ts);
    const navigatedTo = store.navigationStarts.get(f.id);
    const proto = decoding.protoOf(f.conn);
    const decoded = proto === 'raw' ? null : decoding.decode(f);
    const pf = paired ? pairs.flagsOf(f.id) : 0;
    // An answer or stream item names what it answers (graphql-ws `next #3` carries only the id of `subscribe OnPrice`).
    const answered = decoded && pf & (PAIR_FLAG.answer | PAIR_FLAG.more) ? pairs.answeredNameOf(f.id) : undefined;
    const summary = decoded ? summaryOf(decoded, answered) : undefined;
    const answer = (pf & PAIR_FLAG.answer) !== 0;
    const request = (pf & PAIR_FLAG.request) !== 0;
    const latency = pf ? pairs.latencyOf(f.id) : NaN;
    const pairedTo = answer ? pairs.requestOf(f.id) : NaN;
    // Read on every render: a rule's mark often arrives after its frame, in a later batch (which re-renders the rows).
    const ruled = marks.size ? marks.of(f.id) : undefined;
    rows.push(
      <div
        key={byRow ? i : i - first}
        data-testid="frame-row"
        data-frame-id={f.id}
        data-direction={f.dir}
        data-opcode={f.opcode}
        data-replayed={f.mark === 'replayed' ? 'true' : undefined}
        data-injected={f.mark === 'injected' ? 'true' : undefined}
        data-navigation={navigatedTo}
        data-protocol={proto}
        data-summary={summary}
        data-pair={Number.isNaN(pairedTo) ? undefined : pairedTo}
        data-latency-ms={answer && !Number.isNaN(latency) ? Math.round(latency * 10) / 10 : undefined}
        data-answered={request ? String((pf & PAIR_FLAG.unanswered) === 0) : undefined}
        data-rule={ruled?.rule}
        data-action={ruled?.action}
        title={navigatedTo ? `First frame after the page loaded ${navigatedTo}` : undefined}
        role="row"
        aria-selected={selected === f.id || !!selection?.has(f.id)}
        class={`row dir-${f.dir}${f.opcode === OPCODE.error ? ' error' : ''}${selected === f.id || selection?.has(f.id) ? ' selected' : ''}${navigatedTo !== undefined && natural ? ' nav-start' : ''}`}
        style={{ top: `${rowTop(i)}px` }}
        onClick={(e) => onSelect(f.id, { toggle: e.ctrlKey || e.metaKey, extend: e.shiftKey })}
        onContextMenu={(e) => {
          if (!renderMenu) return;
          e.preventDefault();
          // A row of the picked ones keeps them picked: the menu copies them.
          if (!selection?.has(f.id)) onSelect(f.id);
          setMenu({ x: e.clientX, y: e.clientY, id: f.id });
        }}
      >
        <span class="c-time">{relative ? formatRelative((f.ts - startTs) * 1000) : Number.isNaN(wall) ? '' : formatClock(wall)}</span>
        <span class="c-dir" title={f.dir}>
          {f.opcode === OPCODE.error ? '⚠' : f.dir === 'sent' ? '↑' : '↓'}
        </span>
        <span class="c-conn">#{f.conn}</span>
        <span class="c-size">{formatBytes(f.size)}</span>
        <span class="c-op">{opcodeName(f.opcode)}</span>
        {paired && <LatencyCell flags={pf} latency={latency} />}
        {decoding.some && (
          <span class={`c-summary${decoded && decoded.messages.length === 0 ? ' failed' : ''}`} title={summary}>
            {summary}
          </span>
        )}
        <span class="c-preview">
          {navigatedTo !== undefined && <span class="badge badge-nav">page load</span>}
          {f.mark && !(ruled && f.mark === 'intercepted') && <span class={`badge badge-${f.mark}`}>{f.mark}</span>}
          {ruled && <span class={`badge badge-rule rule-${ruled.action}`} title={f.mark === 'intercepted' ? 'Made by an intercept rule: the network did not carry it' : 'Changed by an intercept rule'}>{ruled.action}</span>}
          {summary && <span class="pv-sum">{summary}</span>}
          <span class="pv">{previewOf(f, previewChars)}</span>
        </span>
      </div>,
    );
  }

  return (
    <div class="timeline" role="grid" aria-rowcount={count}>
      <div class="timeline-head" role="row">
        <span class="c-time" role="columnheader" aria-sort={ariaSort('time')}>
          <button type="button" class="head" data-testid="sort-time" title="Sort by time" onClick={() => toggleSort('time')}>
            Time{arrow('time')}
          </button>
          <button
            type="button"
            class="head mode"
            data-testid="time-mode"
            data-mode={relative ? 'relative' : 'absolute'}
            title={relative ? 'Times since the first frame: click for clock times' : 'Clock times: click for times since the first frame'}
            onClick={() => setRelative(!relative)}
          >
            {relative ? 'rel' : 'abs'}
          </button>
        </span>
        <span class="c-dir" />
        <span class="c-conn">Conn</span>
        <span class="c-size" role="columnheader" aria-sort={ariaSort('size')}>
          <button type="button" class="head" data-testid="sort-size" title="Sort by size" onClick={() => toggleSort('size')}>
            Size{arrow('size')}
          </button>
        </span>
        <span class="c-op">Type</span>
        {paired && (
          <span class="c-latency" title="Answers: time since their request. Requests: time to their answer, or still waiting">
            Latency
          </span>
        )}
        {decoding.some && (
          <span class="c-summary" title="What the decoder read in the frame (its protocol is chosen per connection)">
            Summary
          </span>
        )}
        <span class="c-preview" ref={previewHead}>
          Data
        </span>
      </div>
      <div
        class="timeline-body"
        ref={scroller}
        onScroll={onScroll}
        onKeyDown={onKeyDown}
        tabIndex={0}
        aria-label="Frames (arrow keys move, Enter opens the detail)"
        data-testid="timeline"
        data-sort={`${sort.key}-${sort.dir}`}
      >
        <span class="row-measure" ref={measure} aria-hidden="true">
          {MEASURE_TEXT}
        </span>
        <div class="timeline-spacer" style={{ height: `${spacerPx}px` }}>
          {rows}
        </div>
        {count === 0 && <div class="empty">No frames yet. Frames of the inspected page's WebSockets appear here.</div>}
      </div>
      {/* Outside the rows' scroller: its containment would make it the menu's containing block (the menu would be
          placed from the scroller's corner, clipped by it, and would lengthen its scroll). */}
      {menu && (
        <div class="menu-host" onClick={() => setMenu(null)}>
          {renderMenu?.(menu.id, menu.x, menu.y)}
        </div>
      )}
    </div>
  );
}

/** A row's part in a request → answer exchange: the answer's latency, the request's wait, or why there is none. */
function LatencyCell({ flags, latency }: { flags: number; latency: number }) {
  if (!flags) return <span class="c-latency" />;
  if (flags & PAIR_FLAG.answer) return <span class="c-latency answer">{formatLatency(latency)}</span>;
  if (flags & PAIR_FLAG.unanswered) return <span class="c-latency waiting" title="No answer yet">no answer</span>;
  if (flags & PAIR_FLAG.request) return <span class="c-latency request" title="Answered after this long">→ {formatLatency(latency)}</span>;
  if (flags & PAIR_FLAG.orphan) return <span class="c-latency orphan" title="An answer to no request seen (sent before capture, or evicted)">orphan</span>;
  return <span class="c-latency more" title="A later message of an exchange (stream item, follow-up, end)">…</span>;
}
