// A Playwright test that stands in for the server of one connection: page.routeWebSocket answers the page with the
// recorded received messages, each group once the page has sent the message it followed. Pure: returns the text.
import type { Connection, Frame } from '../types';
import { hasCredentials, redactUrl } from './credentials';
import { parseJsonPath } from './json-path';
import { jsCommentText, jsString } from './literal';
import { connectionMessages, headerComment, type ExportSource } from './script-parts';

export interface PlaywrightMockOptions {
  /** How a message from the page is recognised: equal payloads, or equal values at these JSON paths (`$.type`). */
  match: 'exact' | { paths: readonly string[] };
  keepCredentials: boolean;
  source: ExportSource;
}

interface Step {
  expect: string;
  reply: string[];
}

/** Received messages before the first sent one, then each sent message with the received ones up to the next. */
function conversation(conn: Connection, frames: Iterable<Frame>): { onOpen: string[]; steps: Step[] } {
  const onOpen: string[] = [];
  const steps: Step[] = [];
  for (const m of connectionMessages(conn, frames)) {
    if (m.dir === 'sent') steps.push({ expect: m.source, reply: [] });
    else (steps.length ? steps[steps.length - 1].reply : onOpen).push(m.source);
  }
  return { onOpen, steps };
}

const list = (items: readonly string[], pad: string) => (items.length ? `[\n${items.map((s) => `${pad}  ${s},`).join('\n')}\n${pad}]` : '[]');

/** The page to open: the page the socket lives in, when capture knew it. */
function pageUrl(conn: Connection, keep: boolean): string | undefined {
  const url = conn.target.type === 'page' ? conn.target.url : undefined;
  if (!url) return undefined;
  return keep ? url : redactUrl(url);
}

/** The test file's text. Throws JsonPathError when a match path does not read as a JSON path. */
export function playwrightMockTest(conn: Connection, frames: Iterable<Frame>, opts: PlaywrightMockOptions): string {
  const keep = opts.keepCredentials;
  const paths = opts.match === 'exact' ? null : opts.match.paths.map((p) => ({ text: p.trim(), path: parseJsonPath(p) }));
  const url = keep ? conn.url : redactUrl(conn.url);
  const page = pageUrl(conn, keep);
  const { onOpen, steps } = conversation(conn, frames);
  // Said only when something in this file was replaced: the socket's and the page's URLs are all it holds of them.
  const redacted = !keep && (hasCredentials(conn.url, []) || hasCredentials(conn.target.url ?? '', []));
  const where = conn.target.url ? ` (${conn.target.type}: ${keep ? conn.target.url : redactUrl(conn.target.url)})` : '';

  const pageLine = page
    ? `const PAGE_URL = ${jsString(page)};`
    : `const PAGE_URL = ''; // TODO: the page that opens the socket${jsCommentText(where)}`;
  const socketLines = url
    ? `/** The recorded socket, matched by origin and path: its query string may hold values that change per session. */
const WS_URL = new URL(${jsString(url)});
const isRecordedSocket = (url) => url.origin === WS_URL.origin && url.pathname === WS_URL.pathname;`
    : `// TODO: the socket opened before capture, its URL is unknown: every WebSocket of the page is answered.
const isRecordedSocket = () => true;`;
  const matchLines = paths
    ? `// A message from the page matches when these JSON paths hold the same values: ${jsCommentText(paths.map((p) => p.text).join(', '))}.
const MATCH_PATHS = [${paths.map((p) => `[${p.path.map((k) => (typeof k === 'number' ? String(k) : jsString(k))).join(', ')}]`).join(', ')}];`
    : `/** A message from the page matches when it is the recorded one exactly (or set JSON paths to compare, e.g. [['type']]). */
const MATCH_PATHS = null;`;

  return `${headerComment(
    [
      'A Playwright test that answers the page’s WebSocket with what the server sent in a session recorded by Frameline:',
      'the messages the server sent first, then, each time the page sends the next recorded message, the replies that',
      'followed it. Messages the page sends that do not match are logged and ignored.',
    ],
    conn,
    opts.source,
    redacted,
    url,
  )}
//
// Run: npx playwright test <this file>
import { test, expect } from '@playwright/test';

${pageLine}
${socketLines}

/** What the server sent as soon as the socket opened. */
const onOpen = ${list(onOpen, '')};

/** Each message the page sent, in order (expect), and what the server answered before the page's next one (reply). */
const script = [
${steps.map((s) => `  {\n    expect: ${s.expect},\n    reply: ${list(s.reply, '    ')},\n  },`).join('\n')}
];

${matchLines}

const valueAt = (value, path) => path.reduce((v, key) => (v !== null && typeof v === 'object' ? v[key] : undefined), value);

function matches(message, expected) {
  if (typeof expected !== 'string') return Buffer.isBuffer(message) && message.equals(expected);
  if (typeof message !== 'string') return false;
  if (!MATCH_PATHS) return message === expected;
  try {
    const got = JSON.parse(message);
    const want = JSON.parse(expected);
    return MATCH_PATHS.every((path) => JSON.stringify(valueAt(got, path)) === JSON.stringify(valueAt(want, path)));
  } catch {
    return message === expected; // not JSON: only an equal message matches
  }
}

test(${jsString(`replays ${url || 'a WebSocket'} session`)}, async ({ page }) => {
  if (!PAGE_URL) throw new Error('Set PAGE_URL at the top of this file.');
  let answered = 0; // the most steps any socket got through
  await page.routeWebSocket(isRecordedSocket, (ws) => {
    let step = 0;
    for (const message of onOpen) ws.send(message);
    ws.onMessage((message) => {
      const next = script[step];
      if (!next || !matches(message, next.expect)) {
        console.log('Unmatched message from the page:', message);
        return;
      }
      step++;
      answered = Math.max(answered, step);
      for (const reply of next.reply) ws.send(reply);
    });
  });
  await page.goto(PAGE_URL);
  await expect.poll(() => answered, { message: 'the page sent every recorded message' }).toBe(script.length);
  // TODO: check what the page shows.
});
`;
}
