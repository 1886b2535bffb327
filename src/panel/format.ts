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
