// Virtualized timeline: fixed row height, only the rows in view are in the DOM; newest at the bottom; follows new
// rows only while the user is at the bottom.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { SessionStore } from '../model/store';
import { formatBytes } from '../model/bytes';
import { opcodeName, previewOf } from '../model/preview';
import { formatClock } from '../model/time';
import { OPCODE } from '../model/types';

export const ROW_HEIGHT = 20;
const OVERSCAN = 8;

export interface TimelineProps {
  store: SessionStore;
  revision: number;
  selected: number | null;
  /** Frames picked for a sequence replay (ctrl/⌘-click toggles, shift-click extends). */
  selection?: ReadonlySet<number>;
  onSelect: (id: number | null, mods?: { toggle: boolean; extend: boolean }) => void;
  /** Open the composer with this frame (context menu). */
  onReplay?: (id: number) => void;
}

export function Timeline({ store, selected, selection, onSelect, onReplay }: TimelineProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [menu, setMenu] = useState<{ x: number; y: number; id: number } | null>(null);
  useEffect(() => {
    if (!menu) return;
    const close = () => setMenu(null);
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && close();
    addEventListener('click', close);
    addEventListener('keydown', onKey);
    return () => {
      removeEventListener('click', close);
      removeEventListener('keydown', onKey);
    };
  }, [menu]);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);
  const stick = useRef(true);
  const count = store.visibleCount;

  useEffect(() => {
    const el = scroller.current!;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  // Follow the tail while the user is at the bottom.
  useLayoutEffect(() => {
    const el = scroller.current!;
    if (stick.current) {
      const bottom = Math.max(0, count * ROW_HEIGHT - el.clientHeight);
      if (Math.abs(el.scrollTop - bottom) > 1) el.scrollTop = bottom;
      if (scrollTop !== el.scrollTop) setScrollTop(el.scrollTop);
    }
  });

  const onScroll = () => {
    const el = scroller.current!;
    stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW_HEIGHT / 2;
    setScrollTop(el.scrollTop);
  };

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const rows = [];
  for (let i = first; i < last; i++) {
    const f = store.visibleAt(i)!;
    const wall = store.wallMs(f.ts);
    rows.push(
      <div
        key={f.id}
        data-testid="frame-row"
        data-frame-id={f.id}
        data-direction={f.dir}
        data-opcode={f.opcode}
        data-replayed={f.mark === 'replayed' ? 'true' : undefined}
        data-injected={f.mark === 'injected' ? 'true' : undefined}
        role="row"
        aria-selected={selected === f.id || !!selection?.has(f.id)}
        class={`row dir-${f.dir}${f.opcode === OPCODE.error ? ' error' : ''}${selected === f.id || selection?.has(f.id) ? ' selected' : ''}`}
        style={{ top: `${i * ROW_HEIGHT}px` }}
        onClick={(e) => onSelect(f.id, { toggle: e.ctrlKey || e.metaKey, extend: e.shiftKey })}
        onContextMenu={(e) => {
          if (!onReplay || f.opcode === OPCODE.error) return;
          e.preventDefault();
          onSelect(f.id);
          setMenu({ x: e.clientX, y: e.clientY, id: f.id });
        }}
      >
        <span class="c-time">{Number.isNaN(wall) ? '' : formatClock(wall)}</span>
        <span class="c-dir" title={f.dir}>
          {f.opcode === OPCODE.error ? '⚠' : f.dir === 'sent' ? '↑' : '↓'}
        </span>
        <span class="c-conn">#{f.conn}</span>
        <span class="c-size">{formatBytes(f.size)}</span>
        <span class="c-op">{opcodeName(f.opcode)}</span>
        <span class="c-preview">
          {f.mark && <span class={`badge badge-${f.mark}`}>{f.mark}</span>}
          <span class="pv">{previewOf(f)}</span>
        </span>
      </div>,
    );
  }

  return (
    <div class="timeline" role="grid" aria-rowcount={count}>
      <div class="timeline-head" role="row">
        <span class="c-time">Time</span>
        <span class="c-dir" />
        <span class="c-conn">Conn</span>
        <span class="c-size">Size</span>
        <span class="c-op">Type</span>
        <span class="c-preview">Data</span>
      </div>
      <div class="timeline-body" ref={scroller} onScroll={onScroll} data-testid="timeline">
        <div class="timeline-spacer" style={{ height: `${count * ROW_HEIGHT}px` }}>
          {rows}
        </div>
        {menu && onReplay && (
          <div class="menu" role="menu" style={{ left: `${menu.x}px`, top: `${menu.y}px`, position: 'fixed' }}>
            <button type="button" role="menuitem" data-testid="menu-replay" onClick={() => onReplay(menu.id)}>
              Edit &amp; replay…
            </button>
          </div>
        )}
        {count === 0 && <div class="empty">No frames yet. Frames of the inspected page's WebSockets appear here.</div>}
      </div>
    </div>
  );
}
