import { writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type RawData } from 'ws';
import type { Frame } from '../../../../src/model/types';
import { OPCODE } from '../../../../src/model/types';
import { nodeReplayScript, replayableHeaderNames, type NodeReplayOptions } from '../../../../src/model/export/node-replay';
import { binary, conn, HOSTILE_TEXTS, scriptDir, SECRETS, text } from './helpers';
import { nodeCheck, runNode } from './run';

const source = { exportedAt: new Date('2026-03-04T05:06:07.000Z'), sessionLabel: 'localhost:5173 — morning' };
const base: NodeReplayOptions = { timing: 'none', keepHeaders: 'none', keepCredentials: false, source };
const BIG = new Uint8Array(512 * 1024).map((_, i) => (i * 7919) & 0xff);

/** A recording: hostile texts and binary sent, with frames that must not be replayed in between. */
function recording(): Frame[] {
  return [
    text('received', 100.01, 'server hello'),
    ...HOSTILE_TEXTS.map((s, i) => text('sent', 100.1 + i / 100, s)),
    { id: 900, conn: 7, dir: 'sent', opcode: OPCODE.ping, ts: 100.2, size: 0 },
    { id: 901, conn: 7, dir: 'received', opcode: OPCODE.error, ts: 100.2, size: 0, text: 'oops' },
    text('sent', 100.3, 'other connection', 8),
    binary('sent', 100.4, [0, 1, 2, 255, 0xc3]),
    binary('sent', 100.5, BIG),
    text('sent', 100.6, 'last'),
  ];
}
const expectedSent = [...HOSTILE_TEXTS.map((s) => Buffer.from(s)), Buffer.from([0, 1, 2, 255, 0xc3]), Buffer.from(BIG), Buffer.from('last')];

let tmp: ReturnType<typeof scriptDir>;
beforeAll(() => (tmp = scriptDir()));
afterAll(() => tmp.remove());

function write(name: string, script: string): string {
  const file = path.join(tmp.dir, name);
  writeFileSync(file, script);
  return file;
}

interface Seen {
  offered: string[];
  req?: IncomingMessage;
  messages: { data: Buffer; binary: boolean; at: number }[];
}

/** A real ws server on 127.0.0.1: greets, echoes text as `echo:<text>` and binary with a 0xee byte in front. */
async function startServer(): Promise<{ url: string; seen: Seen; close: () => Promise<void> }> {
  const seen: Seen = { offered: [], messages: [] };
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (protocols) => {
      seen.offered = [...protocols];
      return seen.offered[0] ?? false;
    },
  });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  wss.on('connection', (ws, req) => {
    seen.req = req;
    ws.send('hello');
    ws.on('message', (data: RawData, isBinary) => {
      const buf = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
      seen.messages.push({ data: buf, binary: isBinary, at: performance.now() });
      if (isBinary) ws.send(Buffer.concat([Buffer.from([0xee]), buf.subarray(0, 8)]));
      else ws.send(`echo:${buf.toString()}`);
    });
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((r) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => r());
    }),
  };
}

let server: Awaited<ReturnType<typeof startServer>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const wellFormed = (s: string) => new TextDecoder().decode(new TextEncoder().encode(s));

describe('Node replay script', () => {
  it('is valid JavaScript whatever the payloads, labels and headers hold', () => {
    const hostile = HOSTILE_TEXTS.join(' ');
    const c = conn({ url: `wss://h.example/${hostile}`, request: { headers: HOSTILE_TEXTS.map((v, i) => ({ name: `X-${i}`, value: v })) } });
    const script = nodeReplayScript(c, recording(), {
      ...base,
      timing: 'original',
      keepHeaders: HOSTILE_TEXTS.map((_, i) => `x-${i}`),
      source: { ...source, sessionLabel: `${hostile}\nprocess.exit(3)` },
    });
    const check = nodeCheck(write('check.mjs', script));
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    expect(script).toContain('\nimport WebSocket from \'ws\';\n');
    expect(script).not.toMatch(/\n\s*process\.exit\(3\)/); // the label stayed inside its comment
    // A lone surrogate is written as an escape, so it survives the file's UTF-8.
    expect(script).toContain('lone \\ud800 high and \\udc00 low');
    expect(script).toContain('line1\\nline2\\r\\nline3\\u2028ls\\u2029ps');
  });

  it('says where it came from, and that credentials were redacted', () => {
    const script = nodeReplayScript(conn(), recording(), base);
    const head = script.split('\nimport')[0];
    expect(head).toContain('// Session: localhost:5173 — morning');
    expect(head).toContain('// Connection #7: wss://chat.example.com/socket?room=42&token=REDACTED');
    expect(head).toContain('// Exported by Frameline: 2026-03-04T05:06:07.000Z');
    expect(head).toContain('REDACTED');
    const clean = conn({ url: 'wss://h/x', request: { headers: [{ name: 'Origin', value: 'o' }, { name: 'Cookie', value: 'c' }] } });
    expect(nodeReplayScript(clean, [], base)).not.toContain('REDACTED'); // the cookie is not kept: nothing replaced
    expect(nodeReplayScript(clean, [], { ...base, keepHeaders: ['Cookie'] })).toContain('// Credentials (cookies, tokens, passwords) were replaced by REDACTED');
    const k8s = conn({ url: 'wss://h/x', request: { headers: [{ name: 'Sec-WebSocket-Protocol', value: 'base64url.bearer.authorization.k8s.io.TOK' }] } });
    expect(nodeReplayScript(k8s, [], base)).toContain('const PROTOCOLS = ["REDACTED"];');
    expect(nodeReplayScript(k8s, [], base)).toContain('// Credentials');
  });

  it('holds no credential unless kept, even when the Cookie and Authorization headers are', () => {
    const keepHeaders = replayableHeaderNames(conn());
    expect(keepHeaders).toEqual(['Origin', 'Cookie', 'Authorization', 'X-Api-Key', 'User-Agent']);
    const script = nodeReplayScript(conn(), recording(), { ...base, keepHeaders });
    for (const s of SECRETS) expect(script).not.toContain(s);
    expect(script).toContain('"Cookie": "REDACTED"');
    const kept = nodeReplayScript(conn(), recording(), { ...base, keepHeaders, keepCredentials: true });
    expect(kept).toContain('"Cookie": "sid=COOKIEVALUE; theme=dark"');
    expect(kept).toContain('token=s3cr3t');
  });

  it('runs against a real server: sends exactly the recorded sent frames, in order, and prints the replies', async () => {
    server = await startServer();
    const c = conn({ url: `${server.url}/socket?room=42&token=s3cr3t` });
    const script = nodeReplayScript(c, recording(), { ...base, keepHeaders: ['origin', 'cookie', 'X-API-KEY', 'Sec-WebSocket-Key'] });
    const run = await runNode(write('replay.mjs', script), ['300']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    expect(server.seen.messages.map((m) => m.binary)).toEqual([...HOSTILE_TEXTS.map(() => false), true, true, false]);
    expect(server.seen.messages.map((m) => m.data)).toEqual(expectedSent);
    expect(server.seen.offered).toEqual(['chat.v2', 'chat.v1']);
    const req = server.seen.req!;
    expect(req.url).toBe('/socket?room=42&token=REDACTED');
    expect(req.headers.origin).toBe('https://chat.example.com');
    expect(req.headers.cookie).toBe('REDACTED');
    expect(req.headers['x-api-key']).toBe('REDACTED');
    expect(req.headers.authorization).toBeUndefined(); // not kept
    expect(req.headers['sec-websocket-key']).not.toBe('abcdefghijklmnopqrstuv=='); // ws makes its own

    expect(run.stdout).toMatch(/^\+0\.\d{3}s open ws:\/\/127\.0\.0\.1:\d+\/socket\?room=42&token=REDACTED \(subprotocol: chat\.v2\)\n/);
    expect(run.stdout).toContain(' ← hello\n');
    for (const s of HOSTILE_TEXTS) {
      expect(run.stdout).toContain(` → ${wellFormed(s)}\n`);
      expect(run.stdout).toContain(` ← echo:${wellFormed(s)}\n`);
    }
    expect(run.stdout).toContain(' ← <binary 6 bytes> ee000102ffc3\n');
    expect(run.stdout).toContain(` → <binary ${BIG.length} bytes> ${Buffer.from(BIG.subarray(0, 32)).toString('hex')} …\n`);
    expect(run.stdout).toMatch(/ closed 1000 \n$/);
    expect(run.stdout).not.toContain('server hello'); // received frames are not sent
    expect(run.stdout).not.toContain('other connection');
  }, 30_000);

  it('sends the real credentials and offers the selected subprotocol when nothing else is known', async () => {
    server = await startServer();
    const c = conn({ url: `${server.url}/s?token=s3cr3t` });
    c.request!.headers = c.request!.headers.filter((h) => h.name !== 'Sec-WebSocket-Protocol');
    const script = nodeReplayScript(c, [text('sent', 100.1, 'x')], { ...base, keepHeaders: ['Cookie', 'Authorization'], keepCredentials: true });
    const run = await runNode(write('creds.mjs', script), ['100']);
    expect(run.code).toBe(0);
    expect(server.seen.offered).toEqual(['chat.v2']);
    expect(server.seen.req!.url).toBe('/s?token=s3cr3t');
    expect(server.seen.req!.headers.cookie).toBe('sid=COOKIEVALUE; theme=dark');
    expect(server.seen.req!.headers.authorization).toBe('Bearer AUTHVALUE');
  }, 30_000);

  it('writes the recorded waits, and scaled waits are honoured', async () => {
    const frames = [text('sent', 100.25, 'a'), text('received', 100.5, 'r'), text('sent', 101.25, 'b'), text('sent', 101.25, 'c')];
    const waitsOf = (s: string) => [...s.matchAll(/\{ wait: (\d+), data/g)].map((m) => Number(m[1]));
    expect(waitsOf(nodeReplayScript(conn(), frames, { ...base, timing: 'original' }))).toEqual([250, 1000, 0]);
    expect(waitsOf(nodeReplayScript(conn(), frames, { ...base, timing: 'scaled', scale: 2 }))).toEqual([500, 2000, 0]);
    expect(waitsOf(nodeReplayScript(conn(), frames, base))).toEqual([0, 0, 0]);
    expect(waitsOf(nodeReplayScript(conn({ openTs: undefined }), frames, { ...base, timing: 'original' }))).toEqual([0, 1000, 0]);

    server = await startServer();
    const c = conn({ url: server.url });
    const run = await runNode(write('scaled.mjs', nodeReplayScript(c, frames, { ...base, timing: 'scaled', scale: 0.4 })), ['50']);
    expect(run.code).toBe(0);
    const [a, b, cc] = server.seen.messages.map((m) => m.at);
    expect(server.seen.messages.map((m) => m.data.toString())).toEqual(['a', 'b', 'c']);
    expect(b - a).toBeGreaterThanOrEqual(350); // 1000 ms recorded × 0.4
    expect(b - a).toBeLessThan(900);
    expect(cc - b).toBeLessThan(150);
  }, 30_000);

  it('takes the idle wait from its first argument, else the constant at the top', () => {
    const script = nodeReplayScript(conn(), [], { ...base, idleMs: 1234 });
    expect(script).toContain('const IDLE_MS = process.argv[2] === undefined ? 1234 : Number(process.argv[2]);');
    expect(nodeReplayScript(conn(), [], { ...base, idleMs: Number.NaN })).toContain('? 3000 :');
  });

  it('asks for the URL when the socket opened before capture', () => {
    const script = nodeReplayScript(conn({ url: '', request: undefined, openedBeforeCapture: true }), [], base);
    expect(script).toContain("const WS_URL = ''; // TODO");
    expect(script).toContain('// Connection #7: (URL unknown: the socket opened before capture)');
    expect(nodeCheck(write('unknown.mjs', script)).status).toBe(0);
  });
});
