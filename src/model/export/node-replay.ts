// A Node script (ES module, `ws` package) that replays what the page sent on one connection and prints what the
// server answers. Pure: returns the script's text.
import type { Connection, Frame, Header } from '../types';
import { hasCredentials, headersForExport, redactUrl } from './credentials';
import { offeredOrSelected } from './handshake';
import { jsString } from './literal';
import { connectionMessages, headerComment, type ExportSource } from './script-parts';

export interface NodeReplayOptions {
  /** Waits between sends: as recorded, as recorded times `scale`, or none. */
  timing: 'original' | 'scaled' | 'none';
  /** For 'scaled': 0.5 replays twice as fast, 2 half as fast. */
  scale?: number;
  /** Handshake headers to send again, by name (case-insensitive), or none. */
  keepHeaders: readonly string[] | 'none';
  keepCredentials: boolean;
  /** How long the script waits for the server after its last send before it closes, in ms. */
  idleMs?: number;
  source: ExportSource;
}

export const DEFAULT_IDLE_MS = 3000;

/** Headers `ws` writes itself or that the subprotocol list carries: keeping them would clash. */
const WS_OWNED = new Set(['host', 'connection', 'upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-protocol', 'content-length']);

/** The handshake headers a replay could send again (names as recorded, once each): the choices keepHeaders picks from. */
export function replayableHeaderNames(conn: Connection): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const h of conn.request?.headers ?? []) {
    const n = h.name.toLowerCase();
    if (h.name.startsWith(':') || WS_OWNED.has(n) || seen.has(n)) continue;
    seen.add(n);
    out.push(h.name);
  }
  return out;
}

/** The recorded headers the user chose to send again. */
function chosenHeaders(conn: Connection, opts: NodeReplayOptions): Header[] {
  if (opts.keepHeaders === 'none') return [];
  const wanted = new Set(opts.keepHeaders.map((n) => n.toLowerCase()));
  return (conn.request?.headers ?? []).filter((h) => wanted.has(h.name.toLowerCase()) && !WS_OWNED.has(h.name.toLowerCase()) && !h.name.startsWith(':'));
}

/** `{ "Name": "value" }` as source; a name recorded twice gets both values (ws sends one line each). */
function headersObject(headers: readonly Header[]): string {
  if (!headers.length) return '{}';
  const byName = new Map<string, string[]>();
  for (const h of headers) {
    const key = [...byName.keys()].find((k) => k.toLowerCase() === h.name.toLowerCase()) ?? h.name;
    byName.set(key, [...(byName.get(key) ?? []), h.value]);
  }
  const entries = [...byName].map(([n, vs]) => `  ${jsString(n)}: ${vs.length === 1 ? jsString(vs[0]) : `[${vs.map(jsString).join(', ')}]`},`);
  return `{\n${entries.join('\n')}\n}`;
}

/** Milliseconds to wait before each send, from the recorded times (the first from the socket's open). */
function waits(sendTs: readonly number[], openTs: number | undefined, opts: NodeReplayOptions): number[] {
  const factor = opts.timing === 'none' ? 0 : opts.timing === 'scaled' ? (opts.scale ?? 1) : 1;
  return sendTs.map((ts, i) => {
    const from = i === 0 ? (openTs !== undefined && openTs <= ts ? openTs : ts) : sendTs[i - 1];
    const ms = Math.round((ts - from) * 1000 * factor);
    return Number.isFinite(ms) && ms > 0 ? ms : 0;
  });
}

export function nodeReplayScript(conn: Connection, frames: Iterable<Frame>, opts: NodeReplayOptions): string {
  const keep = opts.keepCredentials;
  const url = keep ? conn.url : redactUrl(conn.url);
  const chosen = chosenHeaders(conn, opts);
  const headers = headersForExport(chosen, keep);
  const protocols = offeredOrSelected(conn, keep);
  const sends: { ts: number; source: string }[] = [];
  for (const m of connectionMessages(conn, frames)) if (m.dir === 'sent') sends.push(m);
  const wait = waits(sends.map((s) => s.ts), conn.openTs, opts);
  // Said only when something in this file was replaced.
  const redacted = !keep && (hasCredentials(conn.url, chosen) || protocols.join() !== offeredOrSelected(conn, true).join());
  const idle = opts.idleMs !== undefined && Number.isFinite(opts.idleMs) && opts.idleMs >= 0 ? Math.round(opts.idleMs) : DEFAULT_IDLE_MS;
  const timing = opts.timing === 'none' ? 'none (back to back)' : opts.timing === 'scaled' ? `recorded times ×${opts.scale ?? 1}` : 'as recorded';

  return `${headerComment(
    [
      'Replays one WebSocket connection recorded by Frameline: opens the same URL, offers the same subprotocols,',
      'sends what the page sent, in order, and prints what the server answers.',
    ],
    conn,
    opts.source,
    redacted,
    url,
  )}
//
// Needs Node 18+ and the ws package (npm install ws). Run: node <this file> [idle-ms]
import WebSocket from 'ws';

${url ? `const WS_URL = ${jsString(url)};` : `const WS_URL = ''; // TODO: the socket's URL (it opened before capture: unknown)`}
const PROTOCOLS = [${protocols.map(jsString).join(', ')}];
const HEADERS = ${headersObject(headers)};
/** How long to wait for the server after the last send before closing, in ms; the first argument overrides it. */
const IDLE_MS = process.argv[2] === undefined ? ${idle} : Number(process.argv[2]);

// What the page sent, in order. wait: ms to wait before sending, after the socket opened, then after the previous
// send (timing: ${timing}).
const SENDS = [
${sends.map((s, i) => `  { wait: ${wait[i]}, data: ${s.source} },`).join('\n')}
];

if (!WS_URL) throw new Error('Set WS_URL at the top of this file.');
let t0 = Date.now();
const stamp = () => \`+\${((Date.now() - t0) / 1000).toFixed(3)}s\`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const show = (data, isBinary) =>
  isBinary ? \`<binary \${data.length} bytes> \${data.subarray(0, 32).toString('hex')}\${data.length > 32 ? ' …' : ''}\` : String(data);

const ws = new WebSocket(WS_URL, PROTOCOLS, { headers: HEADERS });
ws.on('message', (data, isBinary) => console.log(\`\${stamp()} ← \${show(data, isBinary)}\`));
ws.on('close', (code, reason) => console.log(\`\${stamp()} closed \${code} \${reason}\`));
ws.on('error', (err) => {
  console.error(\`\${stamp()} error: \${err.message}\`);
  process.exitCode = 1;
});
ws.on('open', async () => {
  t0 = Date.now();
  console.log(\`\${stamp()} open \${WS_URL} (subprotocol: \${ws.protocol || 'none'})\`);
  for (const { wait, data } of SENDS) {
    if (wait > 0) await sleep(wait);
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(data);
    console.log(\`\${stamp()} → \${show(data, typeof data !== 'string')}\`);
  }
  await sleep(IDLE_MS);
  ws.close(1000);
});
`;
}
