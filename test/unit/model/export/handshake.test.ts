import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  curlArgv, curlCommand, requestHead, requestTarget, responseHead, websocatArgv, websocatCommand,
} from '../../../../src/model/export/handshake';
import { shellQuote } from '../../../../src/model/export/shell';
import { conn, HOSTILE_TEXTS, scriptDir, SECRETS } from './helpers';

let tmp: ReturnType<typeof scriptDir>;
let echo: string;
beforeAll(() => {
  tmp = scriptDir(false);
  echo = path.join(tmp.dir, 'argv.cjs');
  writeFileSync(echo, 'process.stdout.write(JSON.stringify(process.argv.slice(2)));\n');
});
afterAll(() => tmp.remove());

/** What a program gets when bash runs `command`: the program word is swapped for a node script echoing argv. */
function argvThroughBash(command: string, program: string): string[] {
  expect(command.startsWith(program + ' ')).toBe(true);
  const swapped = `"$ECHO_NODE" "$ECHO_SCRIPT" ${shellQuote(program)}${command.slice(program.length)}`;
  const r = spawnSync('bash', ['-c', swapped], { env: { ...process.env, ECHO_NODE: process.execPath, ECHO_SCRIPT: echo }, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as string[];
}

const wellFormed = (s: string) => new TextDecoder().decode(new TextEncoder().encode(s.replace(/\0/g, '')));

describe('shell words', () => {
  it('arrive byte-exact through bash, hostile ones included (NUL cannot be an argument: dropped)', () => {
    const words = [...HOSTILE_TEXTS, 'plain', '-H', "'", "''", '\\', '!x', '~', '*', '?', '#', ' lead', 'a\tb', 'x=1', '--'];
    const cmd = ['prog', ...words].map(shellQuote).join(' ');
    // Lone surrogates cannot reach a process: the command line is UTF-8, so they arrive as U+FFFD.
    expect(argvThroughBash(cmd, 'prog')).toEqual(['prog', ...words.map(wellFormed)]);
  });

  it('leaves inert words bare and quotes the rest', () => {
    expect(shellQuote('--include')).toBe('--include');
    expect(shellQuote('https://h.example/a?b=1')).toBe("'https://h.example/a?b=1'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe("''");
  });
});

describe('raw handshake heads', () => {
  it('rebuilds the request and response heads from headers when the browser gave no text, credentials redacted', () => {
    const req = requestHead(conn())!;
    expect(req.startsWith('GET /socket?room=42&token=REDACTED HTTP/1.1\r\nHost: chat.example.com\r\n')).toBe(true);
    expect(req).toContain('Cookie: REDACTED\r\n');
    expect(req).toContain('Authorization: REDACTED\r\n');
    expect(req).toContain('X-Api-Key: REDACTED\r\n');
    expect(req).toContain('Origin: https://chat.example.com\r\n');
    expect(req.endsWith('User-Agent: Mozilla/5.0\r\n\r\n')).toBe(true);
    const res = responseHead(conn())!;
    expect(res).toBe('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSet-Cookie: REDACTED\r\nSec-WebSocket-Protocol: chat.v2\r\n\r\n');
    for (const s of SECRETS) expect(req + res).not.toContain(s);
  });

  it('keeps credentials when asked', () => {
    const req = requestHead(conn(), { keepCredentials: true })!;
    expect(req).toContain('GET /socket?room=42&token=s3cr3t HTTP/1.1');
    expect(req).toContain('Cookie: sid=COOKIEVALUE; theme=dark');
    expect(responseHead(conn(), { keepCredentials: true })).toContain('Set-Cookie: sid=NEWCOOKIE; HttpOnly');
  });

  it('uses the browser’s header text as is, redacting credential lines and folded continuations', () => {
    const headersText = 'GET /ws?sig=abc&x=1 HTTP/1.1\r\nHost: h\r\ncookie:  a=SECRET1\r\n\tcontinued-SECRET2\r\nX-Trace: 1\r\n\r\n';
    const c = conn({ request: { headers: [], headersText }, response: { status: 101, statusText: 'Switching Protocols', headers: [], headersText: 'HTTP/1.1 101 Switching Protocols\nSet-Cookie: k=SECRET3\n\n' } });
    expect(requestHead(c)).toBe('GET /ws?sig=REDACTED&x=1 HTTP/1.1\r\nHost: h\r\ncookie:  REDACTED\r\nX-Trace: 1\r\n\r\n');
    expect(responseHead(c)).toBe('HTTP/1.1 101 Switching Protocols\nSet-Cookie: REDACTED\n\n');
    expect(requestHead(c, { keepCredentials: true })).toBe(headersText);
  });

  it('has no head for a socket whose handshake was never seen', () => {
    const c = conn({ request: undefined, response: undefined, openedBeforeCapture: true });
    expect(requestHead(c)).toBeUndefined();
    expect(responseHead(c)).toBeUndefined();
  });

  it('takes the request target from the URL', () => {
    expect(requestTarget('wss://h:1/a/b?c=d#e')).toBe('/a/b?c=d');
    expect(requestTarget('wss://h')).toBe('/');
    expect(requestTarget('wss://h?q=1')).toBe('/?q=1');
    expect(requestTarget('')).toBe('/');
  });
});

describe('curl command', () => {
  it('repeats the upgrade request over HTTP/1.1, printing the head and the raw frames', () => {
    const argv = curlArgv(conn());
    expect(argv.slice(0, 7)).toEqual(['curl', '--include', '--no-buffer', '--http1.1', '--globoff', '--output', '-']);
    expect(argv.at(-1)).toBe('https://chat.example.com/socket?room=42&token=REDACTED');
    const headers = argv.filter((_, i) => argv[i - 1] === '-H');
    expect(headers).toEqual([
      'Connection: Upgrade',
      'Upgrade: websocket',
      'Origin: https://chat.example.com',
      'Cookie: REDACTED',
      'Authorization: REDACTED',
      'X-Api-Key: REDACTED',
      'Sec-WebSocket-Key: abcdefghijklmnopqrstuv==',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Protocol: chat.v2, chat.v1',
      'User-Agent: Mozilla/5.0',
    ]); // no Host (curl sends it) nor extensions (frames would come back compressed)
    expect(curlArgv(conn({ url: 'ws://h:8080/x' })).at(-1)).toBe('http://h:8080/x');
  });

  it('arrives intact through bash, one header per line', () => {
    const cmd = curlCommand(conn());
    expect(cmd.split('\n')).toHaveLength(12);
    expect(argvThroughBash(cmd, 'curl')).toEqual(curlArgv(conn()));
    for (const s of SECRETS) expect(cmd).not.toContain(s);
  });

  it('carries hostile header values and URLs byte-exact when credentials are kept', () => {
    const headers = HOSTILE_TEXTS.map((v, i) => ({ name: `X-H${i}`, value: v }));
    const c = conn({ url: "wss://h.example/p'q?token=a'b&x=$(id)`id`", request: { headers: [...headers, { name: 'Cookie', value: "a='1'; b=\"2\"" }] } });
    const argv = curlArgv(c, { keepCredentials: true });
    expect(argvThroughBash(curlCommand(c, { keepCredentials: true }), 'curl')).toEqual(argv.map(wellFormed));
    expect(argv).toContain("Cookie: a='1'; b=\"2\"");
    expect(argv).toContain('X-H7;'); // empty value: `Name;`, as `Name:` would make curl drop it
    expect(argv.at(-1)).toBe("https://h.example/p'q?token=a'b&x=$(id)`id`");
  });

  it('makes up the upgrade headers for a socket whose handshake was never seen', () => {
    const argv = curlArgv(conn({ request: undefined, url: 'wss://h/x' }));
    expect(argv.filter((_, i) => argv[i - 1] === '-H')).toEqual([
      'Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Protocol: chat.v2',
    ]);
    expect(curlArgv(conn({ url: '' })).at(-1)).toBe('http://unknown.invalid/opened-before-capture');
  });
});

describe('websocat command', () => {
  it('passes the offered subprotocols with --protocol, the URL, then each header that matters as -H=', () => {
    expect(websocatArgv(conn())).toEqual([
      'websocat', '--protocol', 'chat.v2, chat.v1',
      'wss://chat.example.com/socket?room=42&token=REDACTED',
      '-H=Origin: https://chat.example.com',
      '-H=Cookie: REDACTED',
      '-H=Authorization: REDACTED',
      '-H=X-Api-Key: REDACTED',
      '-H=User-Agent: Mozilla/5.0',
    ]);
    const cmd = websocatCommand(conn());
    expect(argvThroughBash(cmd, 'websocat')).toEqual(websocatArgv(conn()));
    for (const s of SECRETS) expect(cmd).not.toContain(s);
  });

  it('falls back to the selected subprotocol, and to none', () => {
    expect(websocatArgv(conn({ request: { headers: [] } })).slice(0, 3)).toEqual(['websocat', '--protocol', 'chat.v2']);
    expect(websocatArgv(conn({ request: { headers: [] }, protocol: '' }))[1]).toBe('wss://chat.example.com/socket?room=42&token=REDACTED');
  });

  it('keeps credentials when asked, hostile values byte-exact through bash', () => {
    const c = conn({ request: { headers: [{ name: 'Authorization', value: "Bearer 'x' $HOME `id`\nnext" }, { name: 'Sec-WebSocket-Protocol', value: "p'1, base64url.bearer.authorization.k8s.io.TOK" }] } });
    const argv = websocatArgv(c, { keepCredentials: true });
    expect(argv).toContain("-H=Authorization: Bearer 'x' $HOME `id`\nnext");
    expect(argv.slice(1, 3)).toEqual(['--protocol', "p'1, base64url.bearer.authorization.k8s.io.TOK"]);
    expect(argvThroughBash(websocatCommand(c, { keepCredentials: true }), 'websocat')).toEqual(argv);
    expect(websocatArgv(c)).toContain('--protocol');
    expect(websocatArgv(c)[2]).toBe("p'1, REDACTED");
  });
});
