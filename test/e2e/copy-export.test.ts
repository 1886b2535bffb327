// Copy and export in the real panel (Chromium): each copy format puts the exact text on the clipboard (read back in
// the page, which is granted clipboard-read), Save writes a binary frame's exact bytes, and the code exported runs:
// the Node replay script (run with Node) makes the server receive the recorded frames in order, and the Playwright mock
// (run with playwright-core) makes the page show what it showed during recording, with its server gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Frame, Page } from 'puppeteer';
import { startServer } from '../support/server.mjs';
import { chromiumPath, inspect, launchChromium, type Chrome } from './browser';
import { until } from './until';
import { clear, clickConnection, clickRow, filterApplied, press, rows, setFilter, waitForConnection, waitForRow } from './panel';
import { inspectInFirefox, launchFirefox, type Firefox } from './firefox';

const ROOT = resolve(import.meta.dirname, '../..');

/** Run Node on a script without blocking this process (its servers answer the script). */
function node(args: string[], timeout: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, args, { encoding: 'utf8', timeout }, (err, stdout, stderr) => {
      done({ status: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr: `${stderr}${err ? `\n${err.message}` : ''}` });
    });
  });
}
const QUOTED = `{"type":"sub","id":1,"q":"it's \\"q\\" \\u2028 $\{x} </script>"}`;

/** A feed server: `welcome` on connect; to a `sub`, a JSON answer and a binary one. Keeps what each socket sent. */
async function startFeed() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  const received: Array<Array<string | number[]>> = [];
  wss.on('connection', (ws: WebSocket) => {
    const mine: Array<string | number[]> = [];
    received.push(mine);
    ws.send('welcome');
    ws.on('message', (data: Buffer, binary) => {
      mine.push(binary ? [...data] : data.toString('utf8'));
      if (!binary && data.toString('utf8').includes('"sub"')) {
        ws.send(JSON.stringify({ type: 'data', id: 1, price: 1.5 }));
        ws.send(Buffer.from([0, 1, 2, 255]));
      }
    });
  });
  const port = (wss.address() as { port: number }).port;
  return { url: `ws://127.0.0.1:${port}/feed?token=t0k3n`, received,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate(); // the server's own close waits for its sockets
        wss.close(() => r());
      }),
  };
}

const APP = `<!doctype html><title>copy</title><pre id="log"></pre><script>
  const log = (s) => (document.getElementById('log').textContent += s + '\\n');
  window.start = (url) => new Promise((done) => {
    const ws = new WebSocket(url); ws.binaryType = 'arraybuffer'; let n = 0;
    ws.onopen = () => { ws.send(${JSON.stringify(QUOTED).replace(/</g, '\\u003c')}); ws.send(new Uint8Array([9, 8, 7])); };
    ws.onmessage = (e) => { log(typeof e.data === 'string' ? e.data : 'bin:' + [...new Uint8Array(e.data)].join(',')); if (++n === 3) done(); };
  });
  const u = new URLSearchParams(location.search).get('ws');
  if (u) start(u);
</script>`;

let srv: Awaited<ReturnType<typeof startServer>>;
let feed: Awaited<ReturnType<typeof startFeed>>;
let chrome: Chrome;
let ff: Firefox;
let page: Page;
let panel: Frame;
let downloads: string;

beforeAll(async () => {
  srv = await startServer();
  feed = await startFeed();
  srv.page('/copy.html', APP);
});

afterAll(async () => {
  await Promise.all([srv?.close(), feed?.close()]);
});

/** The page talks to the feed: a cookie set, then the socket (its sub request, a binary, the server's answers). */
async function startSession() {
  await page.evaluate(`document.cookie = 'session=s3cret; path=/'`);
  await clear(panel);
  await page.evaluate(`start(${JSON.stringify(feed.url)})`);
}

/** Only the feed's rows: the e2e DevTools window leaves the timeline a few rows, and a row out of view is not in the
 *  DOM (the timeline is virtual). The feed is the session's only connection, so exports are unchanged. */
async function feedOnly() {
  await setFilter(panel, 'conn:feed');
  await filterApplied(panel, 'the feed only');
}

/**
 * The page reads the clipboard (it must be the focused tab for that), then DevTools is brought back to the front, as
 * the user has it when they click in the panel: a DevTools window left behind the page may stop rendering the panel.
 */
async function clipboard(): Promise<string> {
  await page.bringToFront();
  try {
    return (await page.evaluate(`navigator.clipboard.readText()`)) as string;
  } finally {
    await panel.page().bringToFront();
  }
}

/** Right-click a row, then pick `item` in its menu. */
async function fromMenu(frameId: number, item: string) {
  await waitForRow(panel, `r.id === ${frameId}`, `the row of frame ${frameId}`, 5000);
  await panel.$eval(`[data-testid="frame-row"][data-frame-id="${frameId}"]`, (el) => {
    el.scrollIntoView({ block: 'nearest' });
    const r = el.getBoundingClientRect();
    el.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, cancelable: true, clientX: r.left + 20, clientY: r.top + 5 }));
  });
  await panel.waitForSelector(`[data-testid="menu-copy"] [data-testid="${item}"]`);
  // Where it was asked for and whole, over the rows (not clipped by the timeline), its first item the one under the pointer.
  const placed = await panel.$eval('[data-testid="menu-copy"]', (m) => {
    const r = m.getBoundingClientRect();
    const b = m.querySelector('button')!.getBoundingClientRect();
    const hit = document.elementFromPoint(b.left + 4, b.top + b.height / 2);
    return { inView: r.top >= 0 && r.bottom <= innerHeight + 1 && r.left >= 0 && r.right <= innerWidth + 1, onTop: !!hit && m.contains(hit) };
  });
  expect(placed).toEqual({ inView: true, onTop: true });
  await press(panel, `[data-testid="menu-copy"] [data-testid="${item}"]`);
  await panel.waitForSelector('[data-testid="menu-copy"]', { hidden: true, timeout: 5000 }); // a click on an item closes it
}

async function emptyClipboard() {
  await page.bringToFront();
  await page.evaluate(`navigator.clipboard.writeText('')`);
  await panel.page().bringToFront();
}

/** Open a frame's detail, right-click the JSON tree's line of `key`, pick `item`; returns what reached the clipboard. */
async function fromJsonTree(frameId: number, key: string, item: 'json-copy-path' | 'json-copy-value'): Promise<string> {
  await clickRow(panel, frameId);
  await emptyClipboard();
  await panel.waitForSelector('[data-testid="frame-detail"] .json-tree');
  await panel.$$eval(
    '[data-testid="frame-detail"] .json-tree .j-line',
    (els, k) => {
      const el = els.find((e) => (e.textContent ?? '').startsWith(`${k}: `));
      if (!el) throw new Error(`no line for ${k}`);
      const r = el.getBoundingClientRect();
      el.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, cancelable: true, clientX: r.left + 10, clientY: r.top + 5 }));
    },
    key,
  );
  await panel.waitForSelector(`[data-testid="json-menu"] [data-testid="${item}"]`);
  await press(panel, `[data-testid="json-menu"] [data-testid="${item}"]`);
  let text = '';
  await until(async () => (text = await clipboard()) !== '', `${item} on the clipboard`, 10_000);
  return text;
}

/** Open the feed's handshake and copy its request headers as the handshake's *copy* does. */
async function requestHeadersCopied(): Promise<string> {
  const c = await waitForConnection(panel, `c.url.includes('/feed')`, 'the feed connection');
  await clickConnection(panel, c.id);
  await emptyClipboard();
  await press(panel, '[data-testid="request-headers-copy"]');
  let text = '';
  await until(async () => (text = await clipboard()) !== '', 'the request headers on the clipboard', 10_000);
  return text;
}

async function copied(frameId: number, item: string): Promise<string> {
  await emptyClipboard();
  await fromMenu(frameId, item);
  let text = '';
  await until(async () => (text = await clipboard()) !== '', `${item} on the clipboard`, 10_000);
  return text;
}

describe('copy and export in Chromium', () => {
  beforeAll(async () => {
    chrome = await launchChromium();
    downloads = mkdtempSync(join(tmpdir(), 'frameline-copy-downloads-'));
    const cdp = await chrome.browser.target().createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
    await chrome.browser.defaultBrowserContext().overridePermissions(srv.origin, ['clipboard-read', 'clipboard-sanitized-write']);
    ({ page, panel } = await inspect(chrome, `${srv.origin}/copy.html`));
    await startSession();
  });
  afterAll(async () => {
    await chrome?.close();
    if (downloads) rmSync(downloads, { recursive: true, force: true });
  });

  it('copies a frame as text, JSON, hex and base64, exactly', async () => {
    const sent = await waitForRow(panel, `r.direction === 'sent' && r.opcode === 1`, 'the sub request');
    expect(await copied(sent.id, 'copy-text')).toBe(QUOTED);
    expect(await copied(sent.id, 'copy-json')).toBe(JSON.stringify(JSON.parse(QUOTED), null, 2).replace('\u2028', '\\u2028'));
    expect(await copied(sent.id, 'copy-base64')).toBe(Buffer.from(QUOTED).toString('base64'));
    const bin = await waitForRow(panel, `r.direction === 'received' && r.opcode === 2`, 'the binary answer');
    expect(await copied(bin.id, 'copy-hex')).toBe('00 01 02 ff');
    expect(await copied(bin.id, 'copy-base64')).toBe(Buffer.from([0, 1, 2, 255]).toString('base64'));
  });

  it('copies the rows shown as JSON Lines', async () => {
    await setFilter(panel, 'conn:feed');
    await until(async () => (await rows(panel)).length === 5, 'the five frames of the feed', 10_000);
    const first = (await rows(panel))[0];
    const lines = (await copied(first.id, 'copy-jsonl').finally(async () => {
      await setFilter(panel, '');
      await filterApplied(panel, 'the filter cleared');
    })).trimEnd().split('\n').map((l): Record<string, unknown> => JSON.parse(l));
    // In the order they were captured (the page's first send and the server's welcome may cross).
    const byOrder = (a: unknown[], b: unknown[]) => JSON.stringify(a).localeCompare(JSON.stringify(b));
    expect(lines.map((l) => [l.dir, l.opcode, l.data]).sort(byOrder)).toEqual([
      ['received', 'text', 'welcome'],
      ['sent', 'text', QUOTED],
      ['sent', 'binary', Buffer.from([9, 8, 7]).toString('base64')],
      ['received', 'text', '{"type":"data","id":1,"price":1.5}'],
      ['received', 'binary', Buffer.from([0, 1, 2, 255]).toString('base64')],
    ].sort(byOrder));
    expect(lines.every((l) => l.url === feed.url && typeof l.time === 'string' && !Number.isNaN(Date.parse(l.time)))).toBe(true);
  });

  it('copies the handshake as curl and websocat, credentials redacted unless asked', async () => {
    await feedOnly();
    const sent = await waitForRow(panel, `r.direction === 'sent' && r.opcode === 1`, 'the sub request');
    const curl = await copied(sent.id, 'copy-curl');
    expect(curl).toMatch(/^curl /);
    expect(curl).toContain('/feed?token=REDACTED');
    expect(curl).not.toContain('s3cret');
    expect(curl).not.toContain('t0k3n');
    const websocat = await copied(sent.id, 'copy-websocat');
    expect(websocat).toMatch(/^websocat /);
    expect(websocat).not.toContain('s3cret');
    const kept = await copied(sent.id, 'copy-curl-credentials');
    expect(kept).toContain('token=t0k3n');
    // The raw request as Chrome gave it.
    expect(await requestHeadersCopied()).toMatch(/^GET ws:\/\/127\.0\.0\.1:\d+\/feed\?token=t0k3n HTTP\/1\.1\r\n[\s\S]*Sec-WebSocket-Key: /);
  });

  it('copies a value or its path from the JSON tree of a frame', async () => {
    await feedOnly();
    const sent = await waitForRow(panel, `r.direction === 'sent' && r.opcode === 1`, 'the sub request');
    expect(await fromJsonTree(sent.id, 'q', 'json-copy-path')).toBe('$.q');
    expect(await fromJsonTree(sent.id, 'q', 'json-copy-value')).toBe(JSON.parse(QUOTED).q);
    expect(await fromJsonTree(sent.id, 'id', 'json-copy-value')).toBe('1');
  });

  it('Ctrl+C on the selected row copies its payload', async () => {
    await feedOnly();
    const sent = await waitForRow(panel, `r.direction === 'sent' && r.opcode === 1`, 'the sub request');
    await press(panel, `[data-testid="frame-row"][data-frame-id="${sent.id}"]`);
    await emptyClipboard();
    await panel.focus('[data-testid="timeline"]');
    await panel.page().keyboard.down('Control');
    await panel.page().keyboard.press('KeyC');
    await panel.page().keyboard.up('Control');
    let text = '';
    await until(async () => (text = await clipboard()) !== '', 'the payload on the clipboard', 10_000);
    expect(text).toBe(QUOTED);
  });

  it('saves a binary payload with its exact bytes', async () => {
    await feedOnly();
    const bin = await waitForRow(panel, `r.direction === 'received' && r.opcode === 2`, 'the binary answer');
    await fromMenu(bin.id, 'save-payload');
    let file = '';
    await until(() => !!(file = readdirSync(downloads).find((n) => n === `frameline-frame-${bin.id}.bin`) ?? ''), 'the saved payload', 10_000);
    await until(() => readFileSync(join(downloads, file)).length === 4, 'the whole payload written', 5_000);
    expect([...readFileSync(join(downloads, file))]).toEqual([0, 1, 2, 255]);
  });

  it('exports a Node replay script that sends the recorded frames again, in order', async () => {
    await feedOnly();
    const sent = await waitForRow(panel, `r.direction === 'sent' && r.opcode === 1`, 'the sub request');
    await fromMenu(sent.id, 'export-code-open');
    await panel.waitForSelector('[data-testid="export-code"]');
    await panel.select('[data-testid="export-code-kind"]', 'node-ws');
    await panel.select('[data-testid="export-code-timing"]', 'none');
    await press(panel, '[data-testid="export-code-credentials"]'); // the recorded token in the URL is needed by nobody, but kept
    await press(panel, '[data-testid="export-code-save"]');
    let name = '';
    await until(() => !!(name = readdirSync(downloads).find((n) => n.endsWith('.replay.mjs')) ?? '') && readFileSync(join(downloads, name)).length > 0, 'the replay script', 10_000);
    const script = readFileSync(join(downloads, name), 'utf8');
    expect(script).toContain(`import WebSocket from 'ws'`);
    const dir = mkdtempSync(join(ROOT, 'node_modules/.cache-frameline-replay-'));
    try {
      writeFileSync(join(dir, 'replay.mjs'), script);
      const before = feed.received.length;
      // The script waits this long (ms) for the server after its last send.
      const run = await node([join(dir, 'replay.mjs'), '500'], 30_000);
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(feed.received.length).toBe(before + 1);
      expect(feed.received[before]).toEqual([QUOTED, [9, 8, 7]]);
      expect(run.stdout).toContain('welcome');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exports a Playwright mock that answers the page as the server did, with the server gone', async () => {
    await feedOnly();
    const sent = await waitForRow(panel, `r.direction === 'sent' && r.opcode === 1`, 'the sub request');
    const shownLive = (await page.evaluate(`document.getElementById('log').textContent`)) as string;
    await page.goto(`${srv.origin}/copy.html?ws=${encodeURIComponent(feed.url)}`);
    await fromMenu(sent.id, 'export-code-open');
    await panel.waitForSelector('[data-testid="export-code"]');
    await panel.select('[data-testid="export-code-kind"]', 'playwright-mock');
    await panel.$eval('[data-testid="export-code-match"]', (el) => {
      (el as HTMLInputElement).value = '$.type, $.id';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await press(panel, '[data-testid="export-code-save"]');
    let name = '';
    await until(() => !!(name = readdirSync(downloads).find((n) => n.endsWith('.mock.spec.ts')) ?? '') && readFileSync(join(downloads, name)).length > 0, 'the mock test', 10_000);
    const spec = readFileSync(join(downloads, name), 'utf8');
    expect(spec).toContain('page.routeWebSocket');
    expect(spec).not.toContain('t0k3n');
    await feed.close(); // the server is gone: only the mock can answer
    const dir = mkdtempSync(join(tmpdir(), 'frameline-mock-'));
    try {
      // The spec as a module, the page it opens given (the recorded one carries no ?ws=), '@playwright/test' as the shim.
      writeFileSync(join(dir, 'spec.mjs'), spec.replace(/const PAGE_URL = .*;/, `const PAGE_URL = ${JSON.stringify(`${srv.origin}/copy.html?ws=${encodeURIComponent(feed.url)}`)};`));
      const pkg = join(dir, 'node_modules/@playwright/test');
      mkdirSync(pkg, { recursive: true });
      const shim = pathToFileURL(join(ROOT, 'test/support/playwright-test-shim.mjs')).href;
      writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@playwright/test', type: 'module', exports: './index.mjs' }));
      writeFileSync(join(pkg, 'index.mjs'), `export { test, expect } from ${JSON.stringify(shim)};`);
      writeFileSync(
        join(dir, 'run.mjs'),
        `import { run } from ${JSON.stringify(shim)};\nconsole.log(JSON.stringify(await run(new URL('./spec.mjs', import.meta.url).href, '#log', ${JSON.stringify(chromiumPath())})));\n`,
      );
      symlinkSync(join(ROOT, 'node_modules/playwright-core'), join(dir, 'node_modules/playwright-core'));
      const run = await node([join(dir, 'run.mjs')], 60_000);
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
      const [result] = JSON.parse(run.stdout.trim().split('\n').pop() ?? '[]') as Array<{ shown: string }>;
      expect(result.shown).toBe(shownLive);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('copy and save in Firefox', () => {
  beforeAll(async () => {
    ff = await launchFirefox();
    downloads = ff.downloads;
    feed = await startFeed(); // the Chromium tests ended with theirs gone
    ({ page, panel } = await inspectInFirefox(ff, `${srv.origin}/copy.html`));
    await startSession();
  }, 60_000);
  afterAll(async () => {
    await ff?.close();
  });

  it('copies a frame as text, JSON, hex and base64, rows as JSON Lines, the handshake as curl', async () => {
    const sent = await waitForRow(panel, `r.direction === 'sent' && r.opcode === 1`, 'the sub request');
    expect(await copied(sent.id, 'copy-text')).toBe(QUOTED);
    expect(await copied(sent.id, 'copy-json')).toBe(JSON.stringify(JSON.parse(QUOTED), null, 2).replace('\u2028', '\\u2028'));
    const bin = await waitForRow(panel, `r.direction === 'received' && r.opcode === 2`, 'the binary answer');
    expect(await copied(bin.id, 'copy-hex')).toBe('00 01 02 ff');
    expect(await copied(bin.id, 'copy-base64')).toBe(Buffer.from([0, 1, 2, 255]).toString('base64'));
    const curl = await copied(sent.id, 'copy-curl');
    expect(curl).toMatch(/^curl /);
    expect(curl).toContain('/feed?token=REDACTED');
    // Firefox gives no raw text: one header per line.
    expect(await requestHeadersCopied()).toMatch(/(^|\r\n)Sec-WebSocket-Key: /);
    await setFilter(panel, 'conn:feed');
    await until(async () => (await rows(panel)).length === 5, 'the five frames of the feed', 10_000);
    const first = (await rows(panel))[0];
    const lines = (await copied(first.id, 'copy-jsonl').finally(async () => {
      await setFilter(panel, '');
      await filterApplied(panel, 'the filter cleared');
    })).trimEnd().split('\n');
    expect(lines).toHaveLength(5);
  });

  it('copies a value or its path from the JSON tree of a frame', async () => {
    const sent = await waitForRow(panel, `r.direction === 'sent' && r.opcode === 1`, 'the sub request');
    expect(await fromJsonTree(sent.id, 'q', 'json-copy-path')).toBe('$.q');
    expect(await fromJsonTree(sent.id, 'q', 'json-copy-value')).toBe(JSON.parse(QUOTED).q);
  });

  it('saves a binary payload with its exact bytes', async () => {
    const bin = await waitForRow(panel, `r.direction === 'received' && r.opcode === 2`, 'the binary answer');
    await fromMenu(bin.id, 'save-payload');
    let file = '';
    await until(() => !!(file = readdirSync(downloads).find((n) => n === `frameline-frame-${bin.id}.bin`) ?? ''), 'the saved payload', 10_000);
    await until(() => readFileSync(join(downloads, file)).length === 4, 'the whole payload written', 5_000);
    expect([...readFileSync(join(downloads, file))]).toEqual([0, 1, 2, 255]);
  });
});
