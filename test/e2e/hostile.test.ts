// A hostile page against real capture, in Chromium and Firefox ESR: once its socket is open it forges events on it,
// hides frames from its own listeners, and patches the built-ins a hook would use; then it sends and receives real
// frames. The panel shows exactly what the network carried: no forged frame, open, error or close, none hidden.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame, Page } from 'puppeteer';
import { startServer } from '../support/server.mjs';
import { until } from './until';
import { inspect, launchChromium, type Chrome } from './browser';
import { inspectInFirefox, launchFirefox, type Firefox } from './firefox';
import { clickConnection, closeShown, connections, rows, text, waitForConnection, waitForTotal } from './panel';

type Server = Awaited<ReturnType<typeof startServer>>;
let srv: Server;

beforeAll(async () => {
  srv = await startServer();
  srv.page('/hostile.html', '<!doctype html><title>hostile</title><body>hostile</body>');
});
afterAll(async () => {
  await srv?.close();
});

/** In the page: the tricks, then real traffic; resolves with the real frames the app's own listener saw. */
const hostileSession = (url: string) => `new Promise((done) => {
  const s = window.hs = new WebSocket(${JSON.stringify(url)});
  s.binaryType = 'arraybuffer';
  const seen = [];
  s.onmessage = (e) => { if (!e.isTrusted) return; seen.push(typeof e.data === 'string' ? e.data : 'bytes:' + new Uint8Array(e.data).join(',')); if (seen.length === 2) done(seen); };
  let started = false;
  s.onopen = () => {
    if (started) return; // (the forged open below comes here too)
    started = true;
    // Forgeries: events the page dispatches on its own socket.
    s.dispatchEvent(new MessageEvent('message', { data: 'FORGED in' }));
    s.dispatchEvent(new Event('open'));
    s.dispatchEvent(new Event('error'));
    s.dispatchEvent(new CloseEvent('close', { code: 4999, reason: 'FORGED close', wasClean: true }));
    // Hiding: a capture-phase listener on the socket that stops the frames it likes before anyone else sees them.
    s.addEventListener('message', (e) => { if (e.data === 'hide me') e.stopImmediatePropagation(); }, true);
    window.addEventListener('message', (e) => e.stopImmediatePropagation(), true);
    // Patches of what a hook would use to report: the page rewrites whatever text it can reach.
    const push = Array.prototype.push;
    Array.prototype.push = function (...items) {
      for (const x of items) if (x && typeof x === 'object' && typeof x.text === 'string') x.text = 'FORGED';
      return push.apply(this, items);
    };
    const post = MessagePort.prototype.postMessage;
    MessagePort.prototype.postMessage = function (m, ...rest) {
      try { if (m && m.batch) m.batch.events = []; } catch {}
      return post.call(this, m, ...rest);
    };
    Uint8Array.prototype.subarray = function () { return new Uint8Array([0xee]); };
    Object.defineProperty(ArrayBuffer.prototype, 'byteLength', { configurable: true, get() { return 1; } });
    JSON.stringify = () => '{"text":"FORGED"}';
    // Real traffic (the server echoes each frame).
    s.send('real out');
    s.send(new Uint8Array([1, 2, 3]).buffer);
    s.send('hide me');
  };
})`;

/** The same run and the same checks in either browser. */
async function hostilePage(page: Page, panel: Frame) {
  const seen = (await page.evaluate(hostileSession(srv.wsUrl('/echo?t=hostile'))));
  // The app itself saw two echoes: its capture-phase listener hid the third from it.
  expect(seen).toEqual(['real out', 'bytes:1,2,3']);
  await until(() => srv.connections.find((c) => c.query.t === 'hostile')?.received.length === 3, 'the three real frames at the server');
  await waitForTotal(panel, 6);
  await new Promise((r) => setTimeout(r, 300)); // anything forged would have landed by now
  const got = await rows(panel);
  expect(got.map((r) => `${r.direction} ${r.text}`)).toEqual([
    'sent real out', 'sent 01 02 03', 'sent hide me', 'received real out', 'received 01 02 03', 'received hide me',
  ]);
  const [conn] = (await connections(panel)).filter((c) => c.url.endsWith('t=hostile'));
  expect(conn.state).toBe('open'); // no forged error or close
  // The real close, with its own code.
  await page.evaluate(`window.hs.close(1000, 'real close')`);
  await waitForConnection(panel, `c.url.endsWith('t=hostile') && c.state === 'closed'`, 'the real close');
  expect(await closeShown(panel, conn.id, 1000)).toMatch(/real close/);
  await clickConnection(panel, conn.id);
  expect(await text(panel, 'handshake')).not.toMatch(/4999|FORGED/);
}

describe('a hostile page in Chromium', () => {
  let chrome: Chrome;
  afterAll(async () => {
    await chrome?.close();
  });

  it('forges, hides and patches: the panel shows exactly the frames the network carried', async () => {
    chrome = await launchChromium();
    const { page, panel } = await inspect(chrome, srv.origin + '/hostile.html');
    // Frameline's page hook leaves no name on the page's window.
    expect(await page.evaluate(`Object.getOwnPropertyNames(window).filter((n) => /frameline/i.test(n))`)).toEqual([]);
    await hostilePage(page, panel);
  });
});

describe('a hostile page in Firefox', () => {
  let ff: Firefox;
  afterAll(async () => {
    await ff?.close();
  });

  it('forges, hides and patches: the panel shows exactly the frames the network carried', async () => {
    ff = await launchFirefox();
    const { page, panel } = await inspectInFirefox(ff, srv.origin + '/hostile.html');
    expect(await page.evaluate(`Object.getOwnPropertyNames(window).filter((n) => /frameline/i.test(n))`)).toEqual([]);
    await hostilePage(page, panel);
  });
});
