import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../../../src/model/types';
import { JsonPathError } from '../../../../src/model/export/json-path';
import { playwrightMockTest, type PlaywrightMockOptions } from '../../../../src/model/export/playwright-mock';
import { binary, conn, HOSTILE_TEXTS, scriptDir, SECRETS, text } from './helpers';
import { nodeCheck, runNode } from './run';

const source = { exportedAt: new Date('2026-03-04T05:06:07.000Z'), sessionLabel: 'demo' };
const exact: PlaywrightMockOptions = { match: 'exact', keepCredentials: false, source };

// A stand-in for @playwright/test: `test` records the test, `expect.poll` polls.
const FAKE_PLAYWRIGHT = `
export const registered = [];
export function test(title, fn) { registered.push({ title, fn }); }
export function expect() { throw new Error('only expect.poll is faked'); }
expect.poll = (fn, opts) => ({
  async toBe(want) {
    const until = Date.now() + 1000;
    while (fn() !== want) {
      if (Date.now() > until) throw new Error(\`poll: \${opts?.message}: \${fn()} !== \${want}\`);
      await new Promise((r) => setTimeout(r, 5));
    }
  },
});
`;

// Runs the generated test with a fake page: the route logs what it sends; after goto the "app" sends plan.app.
const DRIVER = `
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { registered } from '@playwright/test';
const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const enc = (m) => (typeof m === 'string' ? { text: m } : { b64: m.toString('base64') });
const dec = (m) => (m.text !== undefined ? m.text : Buffer.from(m.b64, 'base64'));
const log = [];
const logged = [];
console.log = (...args) => logged.push(args.map((a) => (Buffer.isBuffer(a) ? '<buffer>' : String(a))).join(' '));
await import(pathToFileURL(plan.spec).href);
let matcher;
let handler;
const route = {
  onMessage(h) { route.handler = h; },
  send(m) { log.push({ send: enc(m) }); },
  async close() { log.push({ close: true }); },
};
const page = {
  async routeWebSocket(m, h) { matcher = m; handler = h; },
  async goto(url) {
    log.push({ goto: url });
    setTimeout(() => {
      handler(route);
      for (const m of plan.app) {
        log.push({ app: m });
        route.handler(dec(m));
      }
    }, 10);
  },
};
let error = null;
try {
  await registered[0].fn({ page });
} catch (e) {
  error = e.message;
}
const probe = (u) => (typeof matcher === 'function' ? matcher(new URL(u)) : matcher.test(u));
process.stdout.write(JSON.stringify({ title: registered[0].title, error, log, logged, probes: (plan.probes ?? []).map(probe) }));
`;

let tmp: ReturnType<typeof scriptDir>;
beforeAll(() => {
  tmp = scriptDir(false);
  const pkg = path.join(tmp.dir, 'node_modules/@playwright/test');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: '@playwright/test', type: 'module', exports: './index.js' }));
  writeFileSync(path.join(pkg, 'index.js'), FAKE_PLAYWRIGHT);
  writeFileSync(path.join(tmp.dir, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(path.join(tmp.dir, 'driver.mjs'), DRIVER);
});
afterAll(() => tmp.remove());

type Msg = { text: string } | { b64: string };
const t = (s: string): Msg => ({ text: s });
const b = (bytes: number[]): Msg => ({ b64: Buffer.from(bytes).toString('base64') });

let n = 0;
async function drive(spec: string, app: Msg[], probes: string[] = []) {
  const name = `spec${n++}`;
  writeFileSync(path.join(tmp.dir, `${name}.spec.mjs`), spec);
  writeFileSync(path.join(tmp.dir, `${name}.json`), JSON.stringify({ spec: path.join(tmp.dir, `${name}.spec.mjs`), app, probes }));
  const run = await runNode(path.join(tmp.dir, 'driver.mjs'), [path.join(tmp.dir, `${name}.json`)]);
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as { title: string; error: string | null; log: Record<string, unknown>[]; logged: string[]; probes: boolean[] };
}

/** Received before any send, then sends each followed by replies (one with none); hostile texts as payloads. */
function recording(): Frame[] {
  return [
    text('received', 100.0, 'welcome'),
    text('received', 100.01, HOSTILE_TEXTS[0]),
    text('sent', 100.1, HOSTILE_TEXTS[1]),
    text('received', 100.2, HOSTILE_TEXTS[2]),
    text('received', 100.2, 'other conn', 8),
    text('sent', 100.2, 'other conn sent', 8),
    binary('sent', 100.3, [0, 255, 1]),
    binary('received', 100.4, [9, 8, 7]),
    text('received', 100.5, HOSTILE_TEXTS[3]),
    text('sent', 100.6, HOSTILE_TEXTS[4]),
    text('sent', 100.7, HOSTILE_TEXTS[5]),
    text('received', 100.8, 'bye'),
  ];
}

describe('Playwright mock test', () => {
  it('is valid JavaScript module syntax whatever the payloads and labels hold', () => {
    const frames = [...HOSTILE_TEXTS.map((s, i) => text(i % 2 ? 'sent' : 'received', 100 + i, s)), binary('received', 200, [0, 1])];
    const hostile = HOSTILE_TEXTS.join(' ');
    const spec = playwrightMockTest(conn({ url: `wss://h/${hostile}`, target: { type: 'page', url: `https://h/${hostile}` } }), frames, {
      ...exact,
      match: { paths: ['$.type', `$[${JSON.stringify(hostile)}]`] },
      source: { ...source, sessionLabel: `${hostile}\nprocess.exit(3)` },
    });
    writeFileSync(path.join(tmp.dir, 'check.spec.mjs'), spec);
    expect(nodeCheck(path.join(tmp.dir, 'check.spec.mjs'))).toEqual({ status: 0, stderr: '' });
    expect(spec).toContain("import { test, expect } from '@playwright/test';");
    expect(spec).toContain('page.routeWebSocket(isRecordedSocket, (ws) => {');
    expect(spec).toContain('ws.onMessage((message) => {');
  });

  it('answers with the recorded received frames in their groups as the app sends the recorded sent frames', async () => {
    const spec = playwrightMockTest(conn(), recording(), exact);
    const r = await drive(spec, [t(HOSTILE_TEXTS[1]), t('not recorded'), b([0, 255, 1]), t(HOSTILE_TEXTS[4]), t(HOSTILE_TEXTS[5])]);
    expect(r.error).toBeNull();
    expect(r.title).toBe('replays wss://chat.example.com/socket?room=42&token=REDACTED session');
    expect(r.log).toEqual([
      { goto: 'https://chat.example.com/app?x=1' },
      { send: t('welcome') },
      { send: t(HOSTILE_TEXTS[0]) },
      { app: t(HOSTILE_TEXTS[1]) },
      { send: t(HOSTILE_TEXTS[2]) },
      { app: t('not recorded') },
      { app: b([0, 255, 1]) },
      { send: b([9, 8, 7]) },
      { send: t(HOSTILE_TEXTS[3]) },
      { app: t(HOSTILE_TEXTS[4]) },
      { app: t(HOSTILE_TEXTS[5]) },
      { send: t('bye') },
    ]);
    expect(r.logged).toEqual(['Unmatched message from the page: not recorded']);
  });

  it('waits for the app: replies only after the matching message, in order, and the test fails if it never comes', async () => {
    const spec = playwrightMockTest(conn(), recording(), exact);
    const r = await drive(spec, [b([0, 255, 1]), t(HOSTILE_TEXTS[1])]); // out of order: the binary one is not next yet
    expect(r.log.filter((e) => 'send' in e)).toEqual([{ send: t('welcome') }, { send: t(HOSTILE_TEXTS[0]) }, { send: t(HOSTILE_TEXTS[2]) }]);
    expect(r.logged).toEqual(['Unmatched message from the page: <buffer>']);
    expect(r.error).toMatch(/^poll: the page sent every recorded message: 1 !== 4/);
  }, 15_000);

  it('matches by JSON paths: a message differing only in other fields gets the reply, one differing at a path does not', async () => {
    const frames = [
      text('sent', 100, '{"type":"subscribe","id":1,"ts":111,"nested":{"k":[5]}}'),
      text('received', 100.1, '{"type":"ack","id":1}'),
      text('sent', 100.2, 'ping'),
      text('received', 100.3, 'pong'),
    ];
    const spec = playwrightMockTest(conn(), frames, { ...exact, match: { paths: ['$.type', '$.id', '$.nested.k[0]'] } });
    expect(spec).toContain('const MATCH_PATHS = [["type"], ["id"], ["nested", "k", 0]];');
    const r = await drive(spec, [
      t('{"type":"subscribe","id":2,"ts":111,"nested":{"k":[5]}}'),
      t('{"ts":999,"nested":{"k":[5],"extra":true},"id":1,"type":"subscribe"}'),
      t('pong'),
      t('ping'), // not JSON: matched exactly
    ]);
    expect(r.error).toBeNull();
    expect(r.log.filter((e) => !('goto' in e))).toEqual([
      { app: t('{"type":"subscribe","id":2,"ts":111,"nested":{"k":[5]}}') },
      { app: t('{"ts":999,"nested":{"k":[5],"extra":true},"id":1,"type":"subscribe"}') },
      { send: t('{"type":"ack","id":1}') },
      { app: t('pong') },
      { app: t('ping') },
      { send: t('pong') },
    ]);
    expect(r.logged).toHaveLength(2);
  });

  it('routes the recorded socket by origin and path, whatever its query string', async () => {
    const spec = playwrightMockTest(conn(), [], exact);
    const r = await drive(spec, [], [
      'wss://chat.example.com/socket?room=42&token=fresh',
      'wss://chat.example.com/socket',
      'wss://chat.example.com/other?room=42',
      'wss://evil.example/socket?room=42',
      'ws://chat.example.com/socket',
    ]);
    expect(r.probes).toEqual([true, true, false, false, false]);
    expect(r.error).toBeNull(); // nothing to wait for
  });

  it('holds no credential unless kept', () => {
    const c = conn({ target: { type: 'page', url: 'https://u:pw@chat.example.com/app?session=PAGESECRET' } });
    const spec = playwrightMockTest(c, recording(), exact);
    for (const s of [...SECRETS, 'PAGESECRET', 'pw@']) expect(spec).not.toContain(s);
    expect(spec).toContain('// Credentials (cookies, tokens, passwords) were replaced by REDACTED');
    const kept = playwrightMockTest(c, recording(), { ...exact, keepCredentials: true });
    expect(kept).toContain('token=s3cr3t');
    expect(kept).toContain('session=PAGESECRET');
    expect(kept).not.toContain('REDACTED');
    const clean = playwrightMockTest(conn({ url: 'wss://h/x' }), recording(), exact); // its Cookie header is not in the file
    expect(clean).not.toContain('REDACTED');
  });

  it('asks for the page URL when the socket does not live in a page capture knew', async () => {
    const spec = playwrightMockTest(conn({ target: { type: 'worker', url: 'https://h/worker.js' } }), recording(), exact);
    expect(spec).toContain("const PAGE_URL = ''; // TODO: the page that opens the socket (worker: https://h/worker.js)");
    const r = await drive(spec, []);
    expect(r.error).toBe('Set PAGE_URL at the top of this file.');
  });

  it('answers every socket when the URL is unknown', async () => {
    const spec = playwrightMockTest(conn({ url: '', request: undefined, openedBeforeCapture: true }), recording(), exact);
    expect(spec).toContain("test(\"replays a WebSocket session\"");
    const r = await drive(spec, [], ['wss://anything.example/x']);
    expect(r.probes).toEqual([true]);
  });

  it('refuses match paths that are not JSON paths', () => {
    expect(() => playwrightMockTest(conn(), [], { ...exact, match: { paths: ['type'] } })).toThrow(JsonPathError);
  });
});
