// Throughput over time (issue #23), above the timeline: sent and received rates, gaps, connection and page-load marks,
// the selected frame; dragging across it brushes a time range (onBrush). A hand-drawn canvas rather than uPlot: we
// draw only bars over ≤ 4096 pre-aggregated buckets, marks and a brush; uPlot's bytes would buy axes and legends we
// would restyle anyway.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { RefObject } from 'preact';
import type { SessionStore } from '../model/store';
import {
  brushSeconds,
  chartLayout,
  connectionMarksOf,
  formatRate,
  GapCache,
  pageLoadsOf,
  throughputOf,
  timeTicks,
  tsOfFrame,
  xOfTs,
  type ChartLayout,
  type Metric,
} from '../model/chart-layout';
import { useStoreRevision } from './useStore';

export interface ThroughputChartProps {
  store: SessionStore;
  /** The connection shown, or null for all. */
  conn: number | null;
  /** Id of the selected frame: a line where its time is. */
  selectedFrame: number | null;
  /** A brushed range, in seconds since the store's first frame (as `time:5s..10s` counts). */
  onBrush: (fromSec: number, toSec: number) => void;
  collapsed: boolean;
  onCollapsed: (c: boolean) => void;
}

/** Drags shorter than this (CSS px) are clicks, and do nothing. */
const BRUSH_MIN_PX = 3;
/** Time axis: about one tick per this many CSS px. */
const TICK_PX = 90;

export function ThroughputChart({ store, conn, selectedFrame, onBrush, collapsed, onCollapsed }: ThroughputChartProps) {
  const rev = useStoreRevision(store, 80);
  const [metric, setMetric] = useState<Metric>('frames');
  const root = useRef<HTMLDivElement>(null);
  const plot = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const size = usePlotSize(plot, !collapsed);
  const theme = useThemeVersion();
  const gapCache = useMemo(() => new GapCache(), [store]);
  const [, setRetry] = useState(0);
  const last = useRef<ChartLayout | undefined>(undefined);
  const brushed = useRef(onBrush);
  brushed.current = onBrush;

  const t = throughputOf(store);
  // Counted as frames arrive, collapsed or not: opening the chart over a long session draws at once.
  t.sync(store);
  const g = collapsed ? null : gapCache.get(t);
  const version = t.version;
  // The throughput's version, and the store's revision (connections, page loads), say what the layout reads changed.
  const layout = useMemo(() => {
    if (collapsed || g === null || size.width === 0) return null;
    const l = chartLayout(t, { metric, conn, width: size.width, gaps: g.gaps, marks: connectionMarksOf(store), pageLoads: pageLoadsOf(store) }, last.current);
    last.current = l;
    return l;
  }, [collapsed, rev, version, size.width, metric, conn, g?.gaps, store]);
  // NaN would differ from itself in the draw effect's dependencies: no selection is null.
  const ts = tsOfFrame(store, selectedFrame);
  const selectedTs = Number.isNaN(ts) ? null : ts;

  // Gaps held back by their cost are asked for again once it allows, even if nothing else renders the chart.
  const stale = g?.stale ?? false;
  const retryInMs = g?.retryInMs ?? 0;
  useEffect(() => {
    if (!stale) return;
    const id = setTimeout(() => setRetry((x) => x + 1), Math.ceil(retryInMs));
    return () => clearTimeout(id);
  }, [stale, retryInMs]);

  // Draws so far, on the root as data-draws (benchmarks count the chart's updates).
  const draws = useRef(0);
  useEffect(() => {
    if (!layout || !canvas.current) return;
    draw(canvas.current, layout, size.height, selectedTs, size.width / Math.max(1, size.css));
    root.current?.setAttribute('data-draws', String(++draws.current));
  }, [layout, size.height, selectedTs, theme]);

  // Automation brushes without a pointer: the same onBrush, in seconds since the first frame.
  useEffect(() => {
    const el = root.current;
    if (!el) return;
    const on = (e: Event) => {
      const d = (e as CustomEvent<{ from?: unknown; to?: unknown } | null>).detail;
      const from = Number(d?.from);
      const to = Number(d?.to);
      if (Number.isFinite(from) && Number.isFinite(to)) brushed.current(Math.max(0, Math.min(from, to)), Math.max(0, from, to));
    };
    el.addEventListener('frameline-brush', on);
    return () => el.removeEventListener('frameline-brush', on);
  }, []);

  const [brush, setBrush] = useState<{ a: number; b: number } | null>(null);
  const drag = useRef<{ a: number; pointerId: number } | null>(null);
  const cancel = () => {
    const d = drag.current;
    drag.current = null;
    setBrush(null);
    if (d) plot.current?.releasePointerCapture?.(d.pointerId);
  };
  useEffect(() => {
    if (!brush) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      e.stopPropagation();
      cancel();
    };
    addEventListener('keydown', onKey, true);
    return () => removeEventListener('keydown', onKey, true);
  }, [brush !== null]);
  const xAt = (e: PointerEvent) => {
    const r = plot.current!.getBoundingClientRect();
    return Math.max(0, Math.min(r.width, e.clientX - r.left));
  };

  const pct = (x: number) => `${layout ? (100 * x) / layout.width : 0}%`;
  const ticks = layout ? timeTicks(layout, store.tsAt(0), Math.max(2, Math.floor(size.css / TICK_PX))) : [];
  return (
    <div
      ref={root}
      class={`tp${collapsed ? ' tp-collapsed' : ''}`}
      data-testid="throughput-chart"
      data-buckets={t.bucketCount}
      data-bucket-ms={t.bucketMs}
      data-metric={metric}
      data-collapsed={String(collapsed)}
    >
      <div class="tp-head">
        <button type="button" class="tp-toggle" data-testid="throughput-toggle" aria-expanded={!collapsed} onClick={() => onCollapsed(!collapsed)}>
          <span class="tp-caret" aria-hidden="true">{collapsed ? '▸' : '▾'}</span> Throughput
        </button>
        <select class="tp-metric" data-testid="throughput-metric" aria-label="Throughput measure" value={metric} onChange={(e) => setMetric(e.currentTarget.value as Metric)}>
          <option value="frames">frames/s</option>
          <option value="bytes">bytes/s</option>
        </select>
        {layout && (
          <>
            <span class="tp-rate" data-testid="throughput-rate" title="Rate over about the last second of traffic">
              latest {formatRate(layout.current, metric)}
            </span>
            <span class="tp-rate" data-testid="throughput-peak" title="Highest rate of a bucket">
              peak {formatRate(layout.peak, metric)}
            </span>
            <span class="tp-legend">
              <span class="tp-swatch tp-swatch-sent" /> sent <span class="tp-swatch tp-swatch-recv" /> received
            </span>
            <span class="spacer" />
            <span class="tp-ymax" data-testid="throughput-ymax" title="Top of the chart">
              max {formatRate(layout.yMax, metric)}
            </span>
          </>
        )}
      </div>
      {!collapsed && (
        <div class="tp-body">
          <div
            ref={plot}
            class="tp-plot"
            data-testid="throughput-plot"
            onPointerDown={(e) => {
              if (e.button !== 0 || !layout || layout.buckets === 0) return;
              const a = xAt(e);
              (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
              drag.current = { a, pointerId: e.pointerId };
              setBrush({ a, b: a });
              e.preventDefault();
            }}
            onPointerMove={(e) => {
              const d = drag.current;
              if (d && d.pointerId === e.pointerId) setBrush({ a: d.a, b: xAt(e) });
            }}
            onPointerUp={(e) => {
              const d = drag.current;
              if (!d || d.pointerId !== e.pointerId) return;
              const b = xAt(e);
              cancel();
              if (Math.abs(b - d.a) < BRUSH_MIN_PX || !layout || size.css <= 0) return;
              const r = brushSeconds(layout, d.a / size.css, b / size.css, store.tsAt(0));
              if (r) onBrush(r.from, r.to);
            }}
            onPointerCancel={cancel}
          >
            <canvas ref={canvas} class="tp-canvas" role="img" aria-label={layout ? `Throughput: latest ${formatRate(layout.current, metric)}, peak ${formatRate(layout.peak, metric)}` : 'Throughput'} />
            {layout?.gaps.map((s) => (
              <div key={`${s.conn}:${s.x0}`} class="tp-gap" data-testid="throughput-gap" data-conn={s.conn} style={{ left: pct(s.x0), width: pct(s.x1 - s.x0) }}>
                {s.text}
              </div>
            ))}
            {brush && Math.abs(brush.b - brush.a) >= BRUSH_MIN_PX && (
              <div class="tp-brush" data-testid="throughput-brush" style={{ left: `${Math.min(brush.a, brush.b)}px`, width: `${Math.abs(brush.b - brush.a)}px` }} />
            )}
          </div>
          <div class="tp-axis" aria-hidden="true">
            {ticks.map((k) => (
              <span key={k.label} class={`tp-tick${k.x < layout!.width * 0.04 ? ' tp-tick-start' : k.x > layout!.width * 0.96 ? ' tp-tick-end' : ''}`} style={{ left: pct(k.x) }}>
                {k.label}
              </span>
            ))}
          </div>
        </div>
      )}
    </div>
  );
}

/** The plot's size: CSS width, and device pixels (the canvas's own size), measured as it resizes. */
function usePlotSize(ref: RefObject<HTMLElement | null>, active: boolean): { css: number; width: number; height: number } {
  const [size, setSize] = useState({ css: 0, width: 0, height: 0 });
  useEffect(() => {
    const el = ref.current;
    if (!active || !el) return;
    const measure = () => {
      const r = el.getBoundingClientRect();
      const dpr = devicePixelRatio || 1;
      const next = { css: r.width, width: Math.round(r.width * dpr), height: Math.round(r.height * dpr) };
      setSize((p) => (p.css === next.css && p.width === next.width && p.height === next.height ? p : next));
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [active, ref]);
  return size;
}

/** Goes up when the panel's theme changes: the canvas reads its colors from CSS variables, so it redraws then. */
function useThemeVersion(): number {
  const [v, setV] = useState(0);
  useEffect(() => {
    if (typeof MutationObserver === 'undefined') return;
    const mo = new MutationObserver(() => setV((x) => x + 1));
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => mo.disconnect();
  }, []);
  return v;
}

/** One pass over the columns (runs of equal columns drawn as one rect), then the few marks. */
function draw(cv: HTMLCanvasElement, l: ChartLayout, height: number, selectedTs: number | null, dpr: number): void {
  const w = l.width;
  const h = Math.max(1, height);
  if (cv.width !== w) cv.width = w;
  if (cv.height !== h) cv.height = h;
  const ctx = cv.getContext('2d');
  if (!ctx) return;
  const css = getComputedStyle(cv);
  const color = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  ctx.clearRect(0, 0, w, h);

  ctx.fillStyle = color('--muted', '#888');
  ctx.globalAlpha = 0.16;
  for (const s of l.gaps) ctx.fillRect(Math.floor(s.x0), 0, Math.max(1, Math.ceil(s.x1 - s.x0)), h);
  ctx.globalAlpha = 1;

  // Received from the bottom, sent stacked on it; a column with any traffic is at least one pixel high.
  const k = h / l.yMax;
  const { sent, received } = l;
  ctx.fillStyle = color('--recv', '#1a4f9c');
  for (let c = 0; c < w; ) {
    const v = received[c];
    let e = c + 1;
    while (e < w && received[e] === v) e++;
    if (v > 0) {
      const bh = Math.max(1, v * k);
      ctx.fillRect(c, h - bh, e - c, bh);
    }
    c = e;
  }
  ctx.fillStyle = color('--sent', '#0b6b2f');
  for (let c = 0; c < w; ) {
    const v = sent[c];
    const base = received[c];
    let e = c + 1;
    while (e < w && sent[e] === v && received[e] === base) e++;
    if (v > 0) {
      const under = base > 0 ? Math.max(1, base * k) : 0;
      const bh = Math.max(1, v * k);
      ctx.fillRect(c, h - under - bh, e - c, bh);
    }
    c = e;
  }

  const lw = Math.max(1, Math.round(dpr));
  const muted = color('--muted', '#888');
  const accent = color('--accent', '#1a73e8');
  for (const m of l.marks) {
    const x = Math.min(w - lw, Math.round(m.x));
    ctx.fillStyle = m.kind === 'page' ? accent : muted;
    if (m.kind === 'close') for (let y = 0; y < h; y += 4 * lw) ctx.fillRect(x, y, lw, 2 * lw);
    else ctx.fillRect(x, 0, lw, h);
  }
  if (selectedTs !== null && selectedTs >= l.start - l.bucketMs / 1000 && selectedTs <= l.end) {
    ctx.fillStyle = color('--fg', '#000');
    ctx.fillRect(Math.max(0, Math.min(w - lw, Math.round(xOfTs(l, selectedTs)))), 0, lw, h);
  }
}
