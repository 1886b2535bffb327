// The panel's pane sizes, kept in its localStorage so they survive a reload.
import { useState } from 'preact/hooks';

export interface Layout {
  connectionsWidth: number;
  detailHeight: number;
  /** The throughput chart folded to its header (unset: folded when the panel is short). */
  chartCollapsed?: boolean;
}

const LAYOUT_KEY = 'frameline.layout';
const FALLBACK: Layout = { connectionsWidth: 260, detailHeight: 220 };

function loadLayout(): Layout {
  try {
    const l = JSON.parse(localStorage.getItem(LAYOUT_KEY) ?? 'null') as Partial<Record<keyof Layout, unknown>> | null;
    if (l && Number.isFinite(l.connectionsWidth) && Number.isFinite(l.detailHeight)) return l as Layout;
  } catch {
    /* fall back */
  }
  return { ...FALLBACK };
}

/** The pane sizes, and a setter that also stores them. */
export function useLayout(): [Layout, (l: Layout) => void] {
  const [layout, setLayoutState] = useState(loadLayout);
  const setLayout = (l: Layout) => {
    setLayoutState(l);
    try {
      localStorage.setItem(LAYOUT_KEY, JSON.stringify(l));
    } catch {
      /* storage unavailable: the layout lasts for this panel only */
    }
  };
  return [layout, setLayout];
}
