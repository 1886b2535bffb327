// The pair summary: per request name, how many requests, answered, unanswered, and latency percentiles, over the
// exchanges held. Made on demand from the exchange columns: latencies grouped by name into one array (a counting
// sort), then each group's p50 and p95 picked by selection (linear, no full sort) and its max read.
export interface SummaryRow {
  name: string;
  count: number;
  answered: number;
  /** Requests without an answer (superseded ones included, cancelled ones not). */
  unanswered: number;
  /** Latencies, ms (nearest rank); NaN when none of its requests is answered. */
  p50: number;
  p95: number;
  max: number;
}

export type SummaryColumn = keyof SummaryRow;

// Exchange state bits, as pairs.ts writes them.
const ANSWERED = 1;
const CANCELLED = 8;

export function summarize(names: readonly string[], name: Int32Array, state: Uint8Array, latency: Float64Array, from: number, to: number): SummaryRow[] {
  const n = names.length;
  const count = new Int32Array(n);
  const answered = new Int32Array(n);
  const cancelled = new Int32Array(n);
  for (let s = from; s < to; s++) {
    const k = name[s];
    count[k]++;
    const st = state[s];
    if (st & ANSWERED) answered[k]++;
    else if (st & CANCELLED) cancelled[k]++;
  }
  const start = new Int32Array(n + 1);
  for (let k = 0; k < n; k++) start[k + 1] = start[k] + answered[k];
  const at = start.slice(0, n);
  const lat = new Float64Array(start[n]);
  for (let s = from; s < to; s++) if (state[s] & ANSWERED) lat[at[name[s]]++] = latency[s];
  const rows: SummaryRow[] = [];
  for (let k = 0; k < n; k++) {
    if (count[k] === 0) continue;
    const a = answered[k];
    const lo = start[k];
    let p50 = NaN;
    let p95 = NaN;
    let max = NaN;
    if (a > 0) {
      const k50 = lo + Math.ceil(0.5 * a) - 1;
      const k95 = lo + Math.ceil(0.95 * a) - 1;
      select(lat, lo, lo + a - 1, k50);
      p50 = lat[k50];
      select(lat, k50, lo + a - 1, k95);
      p95 = lat[k95];
      max = lat[k95];
      for (let i = k95 + 1; i < lo + a; i++) if (lat[i] > max) max = lat[i];
    }
    rows.push({ name: names[k], count: count[k], answered: a, unanswered: count[k] - a - cancelled[k], p50, p95, max });
  }
  return rows;
}

/** Puts the k-th smallest of a[lo..hi] at k, smaller ones before it and larger ones after (quickselect). */
export function select(a: Float64Array, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    // Median of three as the pivot, so sorted runs (latencies often arrive in order) stay linear.
    const mid = (lo + hi) >>> 1;
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) swap(a, i++, j--);
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** The rows sorted by a column (names by their text; NaN latencies last either way). */
export function sortSummary(rows: readonly SummaryRow[], column: SummaryColumn, descending = false): SummaryRow[] {
  const sign = descending ? -1 : 1;
  return [...rows].sort((x, y) => {
    if (column === 'name') return sign * (x.name < y.name ? -1 : x.name > y.name ? 1 : 0);
    const a = x[column];
    const b = y[column];
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
    return sign * (a - b);
  });
}
