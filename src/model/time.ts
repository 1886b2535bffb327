// The one place where CDP monotonic timestamps become wall-clock time.
// CDP reports `timestamp` (monotonic seconds) on every WebSocket event and `wallTime` (epoch seconds) only on the
// handshake request; the anchor is wallTime - timestamp, the same for every event of the browser.

/** Anchor from a (monotonic, wall-clock) pair, both in seconds. */
export function anchorFrom(monotonicS: number, wallS: number): number {
  return wallS - monotonicS;
}

/** Wall-clock epoch milliseconds for a monotonic timestamp (seconds). */
export function toWallMs(ts: number, anchor: number): number {
  return (ts + anchor) * 1000;
}

/** The monotonic timestamp (seconds) of a wall-clock time (ms): for what the page reports in its own clock. */
export function fromWallMs(wallMs: number, anchor: number): number {
  return wallMs / 1000 - anchor;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `HH:MM:SS.mmm` in local time. */
export function formatClock(wallMs: number): string {
  const d = new Date(wallMs);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** Relative time like `+1.234 s` or `+12 ms`. */
export function formatRelative(ms: number): string {
  if (Math.abs(ms) < 1000) return `+${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
  return `+${(ms / 1000).toFixed(3)} s`;
}

/** A latency or duration: "0.4 ms", "12 ms", "1.24 s", "12.5 s", "2 m 5 s"; "—" when unknown (NaN). */
export function formatLatency(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 9.95) return `${ms.toFixed(1)} ms`;
  if (ms < 999.5) return `${ms.toFixed(0)} ms`;
  const s = ms / 1000;
  if (s < 59.95) return `${s.toFixed(s < 9.995 ? 2 : 1)} s`;
  const whole = Math.round(s);
  return `${Math.floor(whole / 60)} m ${whole % 60} s`;
}
