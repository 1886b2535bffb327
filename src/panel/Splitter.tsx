// A draggable divider between two panes. It reports the size of the pane it sizes, in px; the caller keeps it.
import { useRef } from 'preact/hooks';

export interface SplitterProps {
  /** 'x': a vertical bar that sizes the pane before it (width); 'y': a horizontal bar that sizes the pane after it (height). */
  axis: 'x' | 'y';
  size: number;
  min: number;
  onSize: (px: number) => void;
  testid: string;
  label: string;
}

export function Splitter({ axis, size, min, onSize, testid, label }: SplitterProps) {
  const start = useRef<{ pos: number; size: number } | null>(null);
  const step = (delta: number) => onSize(Math.max(min, size + delta));
  return (
    <div
      class={`splitter splitter-${axis}`}
      role="separator"
      aria-orientation={axis === 'x' ? 'vertical' : 'horizontal'}
      aria-label={label}
      aria-valuenow={Math.round(size)}
      tabIndex={0}
      data-testid={testid}
      onPointerDown={(e) => {
        (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
        start.current = { pos: axis === 'x' ? e.clientX : e.clientY, size };
        e.preventDefault();
      }}
      onPointerMove={(e) => {
        if (!start.current) return;
        const pos = axis === 'x' ? e.clientX : e.clientY;
        // x: dragging right widens the pane before; y: dragging up heightens the pane after.
        const delta = axis === 'x' ? pos - start.current.pos : start.current.pos - pos;
        onSize(Math.max(min, start.current.size + delta));
      }}
      onPointerUp={() => (start.current = null)}
      onPointerCancel={() => (start.current = null)}
      onKeyDown={(e) => {
        const k = e.key;
        if (axis === 'x' && (k === 'ArrowLeft' || k === 'ArrowRight')) step(k === 'ArrowRight' ? 20 : -20);
        else if (axis === 'y' && (k === 'ArrowUp' || k === 'ArrowDown')) step(k === 'ArrowUp' ? 20 : -20);
        else return;
        e.preventDefault();
      }}
    />
  );
}
