// The fault suite (issue #21): what the user sees when something goes wrong around capture, in real Chromium and real
// Firefox ESR, against a real `ws` server. Each fault: a clear state in the panel, a way on, and nothing captured
// before it lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame, Page } from 'puppeteer';
import { startServer } from '../support/server.mjs';
import { until } from './until';
import { inspect, launchChromium, waitInFrame, type Chrome } from './browser';
import { inspectInFirefox, launchFirefox, type Firefox } from './firefox';
import { clear, composerAction, connections, openComposer, press, setEditor, waitForConnection, waitForRow } from './panel';

type Server = Awaited<ReturnType<typeof startServer>>;
let srv: Server;

beforeAll(async () => {
  srv = await startServer();
  srv.page('/blank.html', '<!doctype html><title>faults</title><body>faults</body>');
});
afterAll(async () => {
  await srv?.close();
});

const serverConns = (t: string) => srv.connections.filter((c) => c.query.t === t);

/** Open a socket in the page as `window[name]`, send `first` once open; resolves after its echo. */
const openSocket = (page: Page, name: string, t: string, first: string) =>
  page.evaluate(`new Promise((done) => {
    const s = window[${JSON.stringify(name)}] = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t='))} + ${JSON.stringify(t)});
    s.onmessage = () => done();
    s.onopen = () => s.send(${JSON.stringify(first)});
  })`);
const sendOn = (page: Page, name: string, text: string) =>
  page.evaluate(`new Promise((done) => { const s = window[${JSON.stringify(name)}]; s.onmessage = () => done(); s.send(${JSON.stringify(text)}); })`);

/**
 * Clear, then a panel reload, with a socket still open: its connection stays listed (open, with its handshake), its
 * new frames show under it, and the composer still sends on it.
 */
async function liveSocketSurvives(page: Page, getPanel: () => Frame, reloadPanel: () => Promise<void>, t: string) {
  let panel = getPanel();
  await openSocket(page, 'live', t, 'before clear');
  await waitForRow(panel, `r.text === 'before clear' && r.direction === 'sent'`, 'the first frame');
  await clear(panel);
  await waitForConnection(panel, `c.url.includes('t=${t}') && c.state === 'open'`, 'the open connection kept by Clear');
  await sendOn(page, 'live', 'after clear');
  const row = await waitForRow(panel, `r.text === 'after clear' && r.direction === 'sent'`, 'a frame after Clear');
  await openComposer(panel, row.id);
  await setEditor(panel, 'sent from the composer after clear');
  expect(await composerAction(panel, 'replay-send')).toMatchObject({ kind: 'ok' });
  await until(() => serverConns(t)[0]?.received.some((m) => m.text === 'sent from the composer after clear'), 'the replay at the server');

  await reloadPanel();
  panel = getPanel();
  await waitForConnection(panel, `c.url.includes('t=${t}') && c.state === 'open'`, 'the open connection after a panel reload');
  await sendOn(page, 'live', 'after reload');
  const after = await waitForRow(panel, `r.text === 'after reload' && r.direction === 'sent'`, 'a frame after the panel reload');
  await openComposer(panel, after.id);
  await setEditor(panel, 'sent from the composer after reload');
  expect(await composerAction(panel, 'replay-send')).toMatchObject({ kind: 'ok' });
  await until(() => serverConns(t)[0]?.received.some((m) => m.text === 'sent from the composer after reload'), 'the replay at the server');
  expect(serverConns(t)).toHaveLength(1); // all on the page's own socket
  expect((await connections(panel)).filter((c) => c.url.includes(`t=${t}`))).toHaveLength(1);
}

describe('faults in Chromium', () => {
  let chrome: Chrome;
  beforeAll(async () => {
    chrome = await launchChromium();
  });
  afterAll(async () => {
    await chrome?.close();
  });

  it('Clear and a panel reload keep a live socket: listed, its new frames shown, the composer sends on it', async () => {
    const { page, dt, panel } = await inspect(chrome, srv.origin + '/blank.html');
    let current = panel;
    await liveSocketSurvives(page, () => current, async () => {
      // The old document is marked: until it is gone it still answers every check below.
      await current.evaluate('globalThis.__beforeReload = true; location.reload()').catch(() => {});
      const frame = await waitForPanelFrame(dt, chrome.extensionId);
      current = frame;
      await waitInFrame(current, `!globalThis.__beforeReload && document.querySelector('[data-testid="capture-state"]')?.dataset.phase === 'capturing'`, {
        what: 'the reloaded panel to capture',
      });
    }, 'chrome-live');
    await dt.close();
    await page.close();
  });

  it('a detached debugger: live sockets show as unknown, and on re-attach the closed one shows closed, the open one open', async () => {
    const { page, dt, panel } = await inspect(chrome, srv.origin + '/blank.html');
    await openSocket(page, 'stays', 'det-stays', 'hello stays');
    await openSocket(page, 'goes', 'det-goes', 'hello goes');
    await waitForRow(panel, `r.text === 'hello goes' && r.direction === 'received'`, 'both sockets captured');
    await panel.evaluate(`chrome.debugger.detach({ tabId: chrome.devtools.inspectedWindow.tabId })`);
    await waitInFrame(panel, `document.querySelector('[data-testid="capture-state"]')?.dataset.phase === 'detached'`, { what: 'the detach shown' });
    await waitForConnection(panel, `c.url.includes('t=det-stays') && c.state === 'unknown'`, 'a live socket of unknown state');
    await waitForConnection(panel, `c.url.includes('t=det-goes') && c.state === 'unknown'`, 'the other live socket of unknown state');
    // Meanwhile the page closes one; nobody sees its close.
    await page.evaluate(`new Promise((done) => { window.goes.onclose = () => done(); window.goes.close(1000, 'bye'); })`);
    await press(panel, '[data-testid="reattach"]');
    await waitInFrame(panel, `document.querySelector('[data-testid="capture-state"]')?.dataset.phase === 'capturing'`, { what: 'capture again' });
    await waitForConnection(panel, `c.url.includes('t=det-goes') && c.state === 'closed'`, 'the socket closed meanwhile shown closed');
    await waitForConnection(panel, `c.url.includes('t=det-stays') && c.state === 'open'`, 'the socket still open shown open');
    await sendOn(page, 'stays', 'after reattach');
    await waitForRow(panel, `r.text === 'after reattach' && r.direction === 'received'`, 'its frames again');
    await dt.close();
    await page.close();
  });
});

/** The Frameline panel's frame in a DevTools window (after it loaded again). */
async function waitForPanelFrame(dt: Page, extensionId: string): Promise<Frame> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const f = dt.frames().find((fr) => fr.url().startsWith(`chrome-extension://${extensionId}/src/panel/`));
    if (f && (await f.evaluate(`document.readyState === 'complete' && !!globalThis.__frameline && !globalThis.__beforeReload`).catch(() => false))) return f;
    if (Date.now() > deadline) throw new Error('The Frameline panel did not load again');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('faults in Firefox', () => {
  let ff: Firefox;
  beforeAll(async () => {
    ff = await launchFirefox();
  }, 60_000);
  afterAll(async () => {
    await ff?.close();
  });

  it('Clear and a panel reload keep a live socket: listed, its new frames shown, the composer sends on it', async () => {
    const { page, panelPage, panel } = await inspectInFirefox(ff, srv.origin + '/blank.html');
    await liveSocketSurvives(page, () => panelPage.mainFrame(), async () => {
      // The old document is marked: until it is gone it still answers the check below.
      await panel.evaluate('globalThis.__beforeReload = true; location.reload()').catch(() => {});
      await waitInFrame(panelPage.mainFrame(), `!globalThis.__beforeReload && document.readyState === 'complete' && document.querySelector('[data-testid="capture-state"]')?.dataset.phase === 'capturing'`, {
        what: 'the reloaded panel to capture',
      });
    }, 'firefox-live');
    await panelPage.close();
    await page.close();
  });
});
