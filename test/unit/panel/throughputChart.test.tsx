// @vitest-environment happy-dom
// The throughput chart as the panel uses it: collapse, metric, brushing by pointer and by event, gap overlays, and a
// canvas drawn only when what it shows changed.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render } from '@testing-library/preact';
import { ThroughputChart } from '../../../src/panel/ThroughputChart';
import { SessionStore } from '../../../src/model/store';
import type { CaptureRecord } from '../../../src/model/types';

/** A stand-in 2D context: counts what is drawn. */
const ctx = { fillStyle: '', globalAlpha: 1, clearRect: vi.fn(), fillRect: vi.fn() };

beforeEach(() => {
  ctx.clearRect.mockClear();
  ctx.fillRect.mockClear();
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(ctx as any);
  // happy-dom lays nothing out: the plot is 200 × 72 px.
  vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockReturnValue({ x: 0, y: 0, left: 0, top: 0, right: 200, bottom: 72, width: 200, height: 72, toJSON() {} });
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

/**
 * Connection 1 talks every 100 ms for 2 s (mid-bucket, so float rounding keeps one frame a bucket), is silent 12.4 s,
 * then 5.6 s; 20 s of capture in all.
 */
function store(): SessionStore {
  const s = new SessionStore();
  const recs: CaptureRecord[] = [{ t: 'conn', conn: { id: 1, url: 'ws://x', state: 'open', openedBeforeCapture: false, target: { type: 'page' }, openTs: 10 } }];
  let id = 0;
  const at = (ts: number) => recs.push({ t: 'frame', frame: { id: ++id, conn: 1, dir: id % 2 ? 'received' : 'sent', opcode: 1, ts, size: 4, text: 'ping' } });
  at(10);
  for (let i = 1; i < 20; i++) at(10.05 + i * 0.1);
  at(24.35);
  at(29.95);
  s.apply(recs);
  return s;
}

function setup(over: { collapsed?: boolean; store?: SessionStore } = {}) {
  const s = over.store ?? store();
  const onBrush = vi.fn();
  const onCollapsed = vi.fn();
  const props = { store: s, conn: null, selectedFrame: null, onBrush, onCollapsed, collapsed: over.collapsed ?? false };
  const r = render(<ThroughputChart {...props} />);
  return { ...r, s, onBrush, onCollapsed, props, root: r.getByTestId('throughput-chart') };
}

describe('throughput chart', () => {
  it('follows the store into buckets, shows gaps over the plot, and toggles', () => {
    const { root, getByTestId, getAllByTestId, onCollapsed } = setup();
    expect(root.dataset.collapsed).toBe('false');
    expect(root.dataset.metric).toBe('frames');
    expect(Number(root.dataset.buckets)).toBe(200);
    expect(root.dataset.bucketMs).toBe('100');
    const gaps = getAllByTestId('throughput-gap');
    expect(gaps.map((g) => [g.textContent, g.dataset.conn])).toEqual([
      ['no frames for 12.4 s', '1'],
      ['no frames for 5.6 s', '1'],
    ]);
    expect(getByTestId('throughput-ymax').textContent).toBe('max 10 frames/s');
    const toggle = getByTestId('throughput-toggle');
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    fireEvent.click(toggle);
    expect(onCollapsed).toHaveBeenCalledWith(true);
    expect(ctx.fillRect).toHaveBeenCalled();
  });

  it('collapsed: just the header, nothing drawn, but frames still counted into buckets (opening draws at once)', () => {
    const { root, queryByTestId, getByTestId } = setup({ collapsed: true });
    expect(root.dataset.collapsed).toBe('true');
    expect(Number(root.dataset.buckets)).toBeGreaterThan(0);
    expect(queryByTestId('throughput-plot')).toBeNull();
    expect(getByTestId('throughput-toggle').getAttribute('aria-expanded')).toBe('false');
    expect(ctx.fillRect).not.toHaveBeenCalled();
  });

  it('switches to bytes per second', () => {
    const { root, getByTestId } = setup();
    fireEvent.change(getByTestId('throughput-metric'), { target: { value: 'bytes' } });
    expect(root.dataset.metric).toBe('bytes');
    expect(getByTestId('throughput-ymax').textContent).toBe('max 50 B/s');
  });

  it('brushes by dragging (seconds since the first frame); a click, a short drag or Escape does nothing', () => {
    const { getByTestId, onBrush } = setup();
    const plot = getByTestId('throughput-plot');
    // 200 px over 20 s (10 … 30 s): 10 px a second.
    fireEvent.pointerDown(plot, { clientX: 150, pointerId: 1, button: 0 });
    fireEvent.pointerMove(plot, { clientX: 50, pointerId: 1 });
    expect(getByTestId('throughput-brush').style.width).toBe('100px');
    fireEvent.pointerUp(plot, { clientX: 50, pointerId: 1 });
    expect(onBrush).toHaveBeenCalledTimes(1);
    const [from, to] = onBrush.mock.calls[0] as [number, number];
    expect(from).toBeCloseTo(5);
    expect(to).toBeCloseTo(15);

    fireEvent.pointerDown(plot, { clientX: 40, pointerId: 1, button: 0 });
    fireEvent.pointerUp(plot, { clientX: 42, pointerId: 1 });
    fireEvent.pointerDown(plot, { clientX: 40, pointerId: 1, button: 0 });
    fireEvent.pointerMove(plot, { clientX: 120, pointerId: 1 });
    fireEvent.keyDown(window, { key: 'Escape' });
    expect(() => getByTestId('throughput-brush')).toThrow();
    fireEvent.pointerUp(plot, { clientX: 120, pointerId: 1 });
    expect(onBrush).toHaveBeenCalledTimes(1);
  });

  it('brushes on a frameline-brush event, collapsed or not', () => {
    const { root, onBrush } = setup({ collapsed: true });
    root.dispatchEvent(new CustomEvent('frameline-brush', { detail: { from: 7, to: 2.5 } }));
    root.dispatchEvent(new CustomEvent('frameline-brush', { detail: { from: 'x' } }));
    expect(onBrush.mock.calls).toEqual([[2.5, 7]]);
  });

  it('redraws when the selection or the frames change, not on a render that changes neither', () => {
    const { s, props, rerender } = setup();
    const draws = () => ctx.clearRect.mock.calls.length;
    const before = draws();
    rerender(<ThroughputChart {...props} />);
    expect(draws()).toBe(before);
    rerender(<ThroughputChart {...props} selectedFrame={3} />);
    expect(draws()).toBe(before + 1);
    s.apply([{ t: 'frame', frame: { id: 99, conn: 1, dir: 'received', opcode: 1, ts: 30.5, size: 4, text: 'ping' } }]);
    rerender(<ThroughputChart {...props} selectedFrame={3} />);
    expect(draws()).toBe(before + 2);
  });
});
