// The handshake of a connection as text: its raw request and response heads, and commands that repeat the upgrade
// request (curl) or open the socket from a terminal (websocat). Credentials are REDACTED unless kept. Pure.
import type { Connection, Header } from '../types';
import { offeredProtocols } from '../headers';
import { UNKNOWN_URL } from '../har/export';
import { headersForExport, redactHeaderValue, redactProtocols, redactUrl } from './credentials';
import { commandLines } from './shell';

export interface CredentialOptions {
  /** Write cookies, tokens and passwords as recorded (default: replaced by REDACTED). */
  keepCredentials?: boolean;
}

/** The path and query of a URL, as the request line carries it. */
export function requestTarget(url: string): string {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*([^#]*)/.exec(url);
  const target = m ? m[1] : '';
  return target.startsWith('/') ? target : '/' + target;
}

/** Header text lines with credential values replaced; folded continuation lines of a replaced header are dropped. */
function redactHeadLines(text: string, isRequest: boolean): string {
  const pieces = text.split(/(\r?\n)/);
  let dropping = false;
  const out: string[] = [];
  for (let i = 0; i < pieces.length; i += 2) {
    let l = pieces[i];
    const eol = pieces[i + 1] ?? '';
    if (i === 0) {
      if (isRequest) l = l.replace(/^(\S+\s+)(\S+)/, (_, m: string, target: string) => m + redactUrl(target));
    } else if (/^[ \t]/.test(l) && l.trim()) {
      if (dropping) continue;
    } else {
      const colon = l.indexOf(':');
      dropping = false;
      if (colon > 0) {
        const name = l.slice(0, colon);
        const lead = /^[ \t]*/.exec(l.slice(colon + 1))![0];
        const value = l.slice(colon + 1 + lead.length);
        const shown = redactHeaderValue(name.trim(), value);
        dropping = shown !== value;
        l = `${name}:${lead}${shown}`;
      }
    }
    out.push(l + eol);
  }
  return out.join('');
}

const headLines = (first: string, headers: readonly Header[]) =>
  [first, ...headers.map((h) => `${h.name}: ${h.value}`), '', ''].join('\r\n');

/** The upgrade request's head as sent (headersText when the browser gave it, else rebuilt), or undefined if unseen. */
export function requestHead(conn: Connection, opts: CredentialOptions = {}): string | undefined {
  const req = conn.request;
  if (!req) return undefined;
  const keep = opts.keepCredentials ?? false;
  if (req.headersText) return keep ? req.headersText : redactHeadLines(req.headersText, true);
  const target = requestTarget(conn.url);
  return headLines(`GET ${keep ? target : redactUrl(target)} HTTP/1.1`, headersForExport(req.headers, keep));
}

/** The response head (`HTTP/1.1 101 Switching Protocols` and headers), or undefined if none was seen. */
export function responseHead(conn: Connection, opts: CredentialOptions = {}): string | undefined {
  const res = conn.response;
  if (!res) return undefined;
  const keep = opts.keepCredentials ?? false;
  if (res.headersText) return keep ? res.headersText : redactHeadLines(res.headersText, false);
  return headLines(`HTTP/1.1 ${res.status} ${res.statusText}`.trimEnd(), headersForExport(res.headers, keep));
}

/** Headers the tools make themselves, or that would change what comes back (compressed frames). */
const TOOL_OWNED = new Set(['host', 'content-length', 'sec-websocket-extensions']);
const WEBSOCAT_OWNED = new Set([...TOOL_OWNED, 'connection', 'upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol']);

const urlOf = (conn: Connection) => conn.url || UNKNOWN_URL;

/** The subprotocols the page offered (else the one selected), credentials hidden unless kept. */
export function offeredOrSelected(conn: Connection, keepCredentials: boolean): string[] {
  const offered = offeredProtocols(conn.request?.headers);
  const list = offered.length ? offered : conn.protocol ? [conn.protocol] : [];
  return keepCredentials ? list : redactProtocols(list);
}

function toolHeaders(conn: Connection, owned: ReadonlySet<string>, keep: boolean): Header[] {
  const headers = (conn.request?.headers ?? []).filter((h) => !h.name.startsWith(':') && !owned.has(h.name.toLowerCase()));
  return headersForExport(headers, keep);
}

// A fixed key (RFC 6455's sample) for a handshake whose request was never seen: curl still gets its 101.
const UPGRADE: Header[] = [
  { name: 'Connection', value: 'Upgrade' },
  { name: 'Upgrade', value: 'websocket' },
  { name: 'Sec-WebSocket-Version', value: '13' },
  { name: 'Sec-WebSocket-Key', value: 'dGhlIHNhbXBsZSBub25jZQ==' },
];

/**
 * curl's arguments for the upgrade request, one group per line: it prints the response head and then the raw frames.
 * `--output -` lets it write binary frames to a terminal; `--globoff` keeps `[]{}` in URLs literal.
 */
function curlGroups(conn: Connection, opts: CredentialOptions): string[][] {
  const keep = opts.keepCredentials ?? false;
  const headers = toolHeaders(conn, TOOL_OWNED, keep);
  const has = (n: string) => headers.some((h) => h.name.toLowerCase() === n.toLowerCase());
  for (const h of UPGRADE) if (!has(h.name)) headers.push(h);
  const protocols = offeredOrSelected(conn, keep);
  if (!has('Sec-WebSocket-Protocol') && protocols.length) headers.push({ name: 'Sec-WebSocket-Protocol', value: protocols.join(', ') });
  const url = urlOf(conn).replace(/^ws(s?):/i, 'http$1:');
  return [
    ['curl', '--include', '--no-buffer', '--http1.1', '--globoff', '--output', '-'],
    // `Name:` with nothing after it tells curl to drop the header: `Name;` sends it empty.
    ...headers.map((h) => ['-H', h.value === '' ? `${h.name};` : `${h.name}: ${h.value}`]),
    [keep ? url : redactUrl(url)],
  ];
}

/** The program and its arguments as the shell hands them over. */
export function curlArgv(conn: Connection, opts: CredentialOptions = {}): string[] {
  return curlGroups(conn, opts).flat();
}

export function curlCommand(conn: Connection, opts: CredentialOptions = {}): string {
  return commandLines(curlGroups(conn, opts));
}

/**
 * websocat's arguments, one group per line. The URL comes before the headers and each header is `-H=…`: a bare `-H`
 * takes every following argument as another header.
 */
function websocatGroups(conn: Connection, opts: CredentialOptions): string[][] {
  const keep = opts.keepCredentials ?? false;
  const protocols = offeredOrSelected(conn, keep);
  const url = urlOf(conn);
  return [
    ['websocat', ...(protocols.length ? ['--protocol', protocols.join(', ')] : [])],
    [keep ? url : redactUrl(url)],
    ...toolHeaders(conn, WEBSOCAT_OWNED, keep).map((h) => [`-H=${h.name}: ${h.value}`]),
  ];
}

/** The program and its arguments as the shell hands them over. */
export function websocatArgv(conn: Connection, opts: CredentialOptions = {}): string[] {
  return websocatGroups(conn, opts).flat();
}

export function websocatCommand(conn: Connection, opts: CredentialOptions = {}): string {
  return commandLines(websocatGroups(conn, opts));
}
