// Pure matching of what the page's live WebSocket objects tell (see src/platform/page-probe.ts) to connections.
import type { Connection } from '../../model/types';

export interface LiveSocket {
  url: string;
  readyState: number; // 0 connecting, 1 open, 2 closing, 3 closed
}

export interface CloseInfo {
  url: string;
  code: number;
  reason: string;
  wasClean: boolean;
}

/**
 * URLs the unannounced (opened-before-capture) connections of a session may have: the live sockets whose URL is not
 * accounted for by the announced, still-open connections of that session.
 */
export function candidateUrls(live: LiveSocket[], conns: Connection[]): string[] {
  const counts = new Map<string, number>();
  for (const s of live) if (s.readyState <= 2) counts.set(s.url, (counts.get(s.url) ?? 0) + 1);
  for (const c of conns) {
    if (!c.url || c.state === 'closed' || c.state === 'error') continue;
    const n = counts.get(c.url);
    if (n !== undefined) counts.set(c.url, n - 1);
  }
  return [...counts].filter(([, n]) => n > 0).map(([u]) => u);
}

/**
 * Pair close events seen in the page with closed connections lacking a close code: same URL, earliest close first.
 * Returns the pairs and the close events still unmatched (CDP may not have reported that close yet).
 */
export function matchCloses(
  closes: CloseInfo[],
  conns: Connection[],
): { matched: Array<[Connection, CloseInfo]>; unmatched: CloseInfo[] } {
  const waiting = conns
    .filter((c) => (c.state === 'closed' || c.state === 'error') && c.closeCode === undefined)
    .sort((a, b) => (a.closeTs ?? 0) - (b.closeTs ?? 0));
  const matched: Array<[Connection, CloseInfo]> = [];
  const unmatched: CloseInfo[] = [];
  for (const info of closes) {
    const i = waiting.findIndex((c) => c.url === info.url);
    if (i < 0) unmatched.push(info);
    else matched.push([waiting.splice(i, 1)[0], info]);
  }
  return { matched, unmatched };
}

export interface SocketMessages {
  url: string;
  /** Keys of the messages the socket received lately (payloadKey). */
  keys: string[];
}

/**
 * The URL of a connection CDP never announced, told by what it received: the live socket whose recent messages share
 * the most keys with the connection's received frames. Undefined when no socket matches or two match equally.
 */
export function urlByPayload(connKeys: string[], sockets: SocketMessages[]): string | undefined {
  if (connKeys.length === 0) return undefined;
  const want = new Set(connKeys);
  const byUrl = new Map<string, number>();
  for (const s of sockets) {
    let n = 0;
    for (const k of s.keys) if (want.has(k)) n++;
    if (n > 0) byUrl.set(s.url, Math.max(byUrl.get(s.url) ?? 0, n));
  }
  const ranked = [...byUrl].sort((a, b) => b[1] - a[1]);
  if (ranked.length === 0 || (ranked.length > 1 && ranked[0][1] === ranked[1][1])) return undefined;
  return ranked[0][0];
}
