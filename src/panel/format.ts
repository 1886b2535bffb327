import type { Connection } from '../model/types';

/** A short label for a connection: host + path, or what is known of a socket opened before capture. */
export function connectionLabel(c: Connection): string {
  if (c.url) {
    try {
      const u = new URL(c.url);
      return `${u.host}${u.pathname}${u.search}`;
    } catch {
      return c.url;
    }
  }
  if (c.urlCandidates?.length) return `one of: ${c.urlCandidates.join(', ')}`;
  return 'URL unknown (opened before capture)';
}

/** A duration like `0.4 ms`, `12 ms`, `1.24 s`, `12.5 s`; `—` when there is none (NaN). */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 9.95) return `${ms.toFixed(1)} ms`;
  if (ms < 999.5) return `${ms.toFixed(0)} ms`;
  const s = ms / 1000;
  return `${s.toFixed(s < 9.995 ? 2 : s < 99.95 ? 1 : 0)} s`;
}
