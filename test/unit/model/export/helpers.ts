// Shared by the export tests: connections and frames built by hand, hostile payloads, and temp folders whose scripts
// can import packages from the repo's node_modules.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection, Direction, Frame } from '../../../../src/model/types';
import { OPCODE } from '../../../../src/model/types';

export const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url));

/** Text that breaks naive quoting in JavaScript, JSON, shells and comments. */
export const HOSTILE_TEXTS = [
  `it's "quoted" \`tick\` \${x} */ </script> \\ backslash`,
  'line1\nline2\r\nline3\u2028ls\u2029ps',
  'nul\u0000inside',
  'lone \ud800 high and \udc00 low',
  "'; rm -rf / #",
  '$(touch /tmp/frameline-pwned) `touch /tmp/frameline-pwned`',
  'emoji 😀 and é',
  '',
];

export function conn(over: Partial<Connection> = {}): Connection {
  return {
    id: 7,
    url: 'wss://chat.example.com/socket?room=42&token=s3cr3t',
    state: 'closed',
    openedBeforeCapture: false,
    target: { type: 'page', url: 'https://chat.example.com/app?x=1' },
    request: {
      headers: [
        { name: 'Host', value: 'chat.example.com' },
        { name: 'Connection', value: 'Upgrade' },
        { name: 'Upgrade', value: 'websocket' },
        { name: 'Origin', value: 'https://chat.example.com' },
        { name: 'Cookie', value: 'sid=COOKIEVALUE; theme=dark' },
        { name: 'Authorization', value: 'Bearer AUTHVALUE' },
        { name: 'X-Api-Key', value: 'APIKEYVALUE' },
        { name: 'Sec-WebSocket-Key', value: 'abcdefghijklmnopqrstuv==' },
        { name: 'Sec-WebSocket-Version', value: '13' },
        { name: 'Sec-WebSocket-Extensions', value: 'permessage-deflate; client_max_window_bits' },
        { name: 'Sec-WebSocket-Protocol', value: 'chat.v2, chat.v1' },
        { name: 'User-Agent', value: 'Mozilla/5.0' },
      ],
    },
    response: {
      status: 101,
      statusText: 'Switching Protocols',
      headers: [
        { name: 'Upgrade', value: 'websocket' },
        { name: 'Set-Cookie', value: 'sid=NEWCOOKIE; HttpOnly' },
        { name: 'Sec-WebSocket-Protocol', value: 'chat.v2' },
      ],
    },
    protocol: 'chat.v2',
    createdTs: 99.5,
    openTs: 100,
    ...over,
  };
}

let nextId = 1;
export function text(dir: Direction, ts: number, s: string, connId = 7): Frame {
  return { id: nextId++, conn: connId, dir, opcode: OPCODE.text, ts, size: new TextEncoder().encode(s).length, text: s };
}
export function binary(dir: Direction, ts: number, bytes: number[] | Uint8Array, connId = 7): Frame {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return { id: nextId++, conn: connId, dir, opcode: OPCODE.binary, ts, size: b.length, bytes: b };
}

/** The credential values conn() carries: none may appear in an export unless credentials are kept. */
export const SECRETS = ['COOKIEVALUE', 'AUTHVALUE', 'APIKEYVALUE', 's3cr3t', 'NEWCOOKIE'];

/**
 * A fresh folder under the system temp dir with `node_modules` linking to the repo's, so ES modules written there
 * can import `ws` (ESM ignores NODE_PATH). Remove it with the returned function.
 */
export function scriptDir(linkModules = true): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'frameline-export-'));
  if (linkModules) symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  else mkdirSync(path.join(dir, 'node_modules'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
