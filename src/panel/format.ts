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

const hostOf = (url: string): string | null => {
  try {
    return new URL(url).host || null;
  } catch {
    return null;
  }
};

/** The host every connection with a URL shares (null when they differ, or none has a URL): said once, above the list. */
export function sharedHost(conns: Iterable<Connection>): string | null {
  let host: string | null = null;
  for (const c of conns) {
    if (!c.url) continue;
    const h = hostOf(c.url);
    if (!h || (host !== null && h !== host)) return null;
    host = h;
  }
  return host;
}

/** A connection's name in a narrow list: what differs first (path and query), then the host unless all share it. */
export function connectionName(c: Connection, shared: string | null): string {
  if (!c.url) return connectionLabel(c);
  try {
    const u = new URL(c.url);
    const path = `${u.pathname}${u.search}` || '/';
    return shared !== null && u.host === shared ? path : `${path} · ${u.host}`;
  } catch {
    return c.url;
  }
}
