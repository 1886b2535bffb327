// When capture starts: sockets opened before capture, and the "capture as soon as DevTools opens" setting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../support/server.mjs';
import { inspect, launchChromium, openDevTools, showPanel, waitInFrame, type Chrome } from './browser';
import { clickConnection, composerAction, openComposer, press, rows, text, waitForConnection, waitForRow } from './panel';

type Server = Awaited<ReturnType<typeof startServer>>;
let chrome: Chrome;
let srv: Server;

beforeAll(async () => {
  srv = await startServer();
  srv.page('/blank.html', '<!doctype html><title>blank</title><body>test page</body>');
  chrome = await launchChromium();
});

afterAll(async () => {
  await chrome?.close();
  await srv?.close();
});

describe('capture start', () => {
  it('shows a socket opened before capture started, with its later frames and its URL resolved', async () => {
    const page = await chrome.browser.newPage();
    await page.goto(srv.origin + '/blank.html');
    await page.evaluate(`Promise.all(['early', 'early2'].map((name) => new Promise((done) => {
      const s = window[name] = new WebSocket('ws://127.0.0.1:${srv.port}/echo?t=' + name);
      s.onopen = () => s.send('before capture');
      s.onmessage = () => done();
    })))`);
    const { dt } = await openDevTools(page, chrome.extensionId);
    const panel = await showPanel(dt, chrome.extensionId);
    await waitInFrame(panel, `document.querySelector('[data-testid="capture-state"]')?.dataset.phase === 'capturing'`);
    await page.evaluate(`early.send('after capture'); early2.send('the other one')`);
    await waitForRow(panel, `r.text === 'after capture' && r.direction === 'sent'`, 'the sent frame');
    await waitForRow(panel, `r.text === 'after capture' && r.direction === 'received'`, 'its echo');
    expect((await rows(panel)).some((r) => r.text === 'before capture')).toBe(false);
    const c = await waitForConnection(
      panel,
      `c.beforeCapture && c.url === ${JSON.stringify(srv.wsUrl('/echo?t=early'))}`,
      'the early socket with its URL resolved',
    );
    expect(c.state).toBe('open');
    // Two sockets opened before capture, with different URLs: each is told apart by what it received.
    await waitForConnection(
      panel,
      `c.beforeCapture && c.url === ${JSON.stringify(srv.wsUrl('/echo?t=early2'))}`,
      'the second early socket with its URL resolved',
    );
    await clickConnection(panel, c.id);
    expect(await text(panel, 'handshake')).toContain('opened before capture started');

    // Its close is captured too, with code and reason.
    await page.evaluate(`early.close(4002, 'late-bye')`);
    await waitForConnection(panel, `c.id === ${c.id} && c.state === 'closed'`, 'the early socket closed');
    await waitInFrame(panel, `document.querySelector('[data-testid="handshake"] [data-field="close"]')?.textContent.includes('4002')`, {
      what: 'close code 4002',
    });
    await dt.close();
    await page.close();
  });

  it('shows a detached debugger and recovers when the user reattaches', async () => {
    const { page, dt, panel } = await inspect(chrome, srv.origin + '/blank.html');
    // Something else ends the debugging session (here: another of the extension's pages detaches it; the attachment is
    // the extension's, not the capture host's).
    await panel.evaluate(`chrome.debugger.detach({ tabId: chrome.devtools.inspectedWindow.tabId })`);
    await waitInFrame(panel, `document.querySelector('[data-testid="capture-state"]')?.dataset.phase === 'detached'`, {
      what: 'the panel to show the detach',
    });
    expect(await text(panel, 'capture-error')).toMatch(/detached/i);
    await press(panel, '[data-testid="reattach"]');
    await waitInFrame(panel, `document.querySelector('[data-testid="capture-state"]')?.dataset.phase === 'capturing'`, {
      what: 'capture to resume',
    });
    await page.evaluate(`new Promise((done) => {
      const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=reattached'))});
      s.onopen = () => s.send('after reattach');
      s.onmessage = () => done();
    })`);
    await waitForRow(panel, `r.text === 'after reattach' && r.direction === 'received'`, 'a frame after reattaching');
    expect(await panel.$('[data-testid="capture-error"]')).toBeNull();
    await dt.close();
    await page.close();
  });

  it('works as a normal tab inspecting another tab (panel page with ?tabId=N)', async () => {
    const page = await chrome.browser.newPage();
    await page.goto(srv.origin + '/blank.html?as-tab');
    // Any extension page can ask for tabs (the service worker may be asleep: nothing in Chrome needs it while capturing).
    const probe = await chrome.browser.newPage();
    await probe.goto(`chrome-extension://${chrome.extensionId}/src/panel/index.html`);
    await page.bringToFront();
    // Without the "tabs" permission tab URLs are hidden: take the active tab, which is this page.
    const tabId = await probe.evaluate(`chrome.tabs.query({ active: true, lastFocusedWindow: true }).then((t) => t[0].id)`);
    await probe.close();
    const tab = await chrome.browser.newPage();
    await tab.goto(`chrome-extension://${chrome.extensionId}/src/panel/index.html?tabId=${tabId}`);
    const panel = tab.mainFrame();
    await waitInFrame(panel, `document.querySelector('[data-testid="capture-state"]')?.dataset.phase === 'capturing'`, {
      what: 'the panel tab to capture',
    });
    await page.evaluate(`new Promise((done) => {
      const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=as-tab'))});
      s.onopen = () => s.send('seen from a tab');
      s.onmessage = () => done();
    })`);
    await waitForRow(panel, `r.text === 'seen from a tab' && r.direction === 'received'`, 'the frame in the panel tab');
    await waitForConnection(panel, `c.url.endsWith('t=as-tab')`, 'its connection');

    // The inspected tab closes: the panel tab says so, and a replay says nothing was sent.
    const row = await waitForRow(panel, `r.text === 'seen from a tab' && r.direction === 'sent'`, 'the sent frame');
    await page.close();
    await waitInFrame(panel, `document.querySelector('[data-testid="capture-state"]')?.dataset.phase === 'detached'`, {
      what: 'the detach after the tab closed',
    });
    expect(await text(panel, 'capture-error')).toMatch(/tab was closed/);
    await openComposer(panel, row.id);
    const r = await composerAction(panel, 'replay-send');
    expect(r.kind).toBe('error');
    expect(r.text).toMatch(/tab was closed.*nothing was sent/);
    await tab.close();
  });

  it('preserves frames across navigation with each page load marked, or clears them when asked', async () => {
    const { page, dt, panel } = await inspect(chrome, srv.origin + '/blank.html?nav');
    const talk = (msg: string) =>
      page.evaluate(`new Promise((done) => {
        const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=nav'))});
        s.onopen = () => s.send(${JSON.stringify(msg)});
        s.onmessage = () => done();
      })`);
    await talk('first page');
    await page.reload();
    await talk('second page');
    const second = await waitForRow(panel, `r.text === 'second page' && r.direction === 'sent'`, 'the frame after reload');
    expect((await rows(panel)).some((r) => r.text === 'first page')).toBe(true);
    expect(await panel.$eval(`[data-testid="frame-row"][data-frame-id="${second.id}"]`, (el) => el.getAttribute('data-navigation'))).toBe(
      srv.origin + '/blank.html?nav',
    );
    // Preserve off: the next navigation starts afresh.
    await press(panel, '[data-testid="preserve-log"]');
    await waitInFrame(panel, `document.querySelector('[data-testid="preserve-log"]').checked === false`);
    await page.reload();
    await talk('third page');
    await waitForRow(panel, `r.text === 'third page' && r.direction === 'sent'`, 'the frame of the third page');
    await waitInFrame(panel, `![...document.querySelectorAll('[data-testid="frame-row"] .pv')].some((e) => e.textContent === 'second page')`, {
      what: 'the earlier pages cleared',
    });
    await press(panel, '[data-testid="preserve-log"]'); // back to the default for the other tests
    await waitInFrame(panel, `document.querySelector('[data-testid="preserve-log"]').checked === true`);
    await waitInFrame(panel, `chrome.storage.local.get('frameline.settings').then((x) => x['frameline.settings']?.preserveAcrossNavigation === true)`, {
      what: 'the setting stored',
    });
    await dt.close();
    await page.close();
  });

  it('with "capture as soon as DevTools opens", captures frames sent before the panel is first shown', async () => {
    // Turn the setting on from the panel, as a user would.
    const first = await chrome.browser.newPage();
    await first.goto(srv.origin + '/blank.html');
    const a = await openDevTools(first, chrome.extensionId);
    const p1 = await showPanel(a.dt, chrome.extensionId);
    await p1.waitForSelector('[data-testid="capture-on-open"]');
    expect(await p1.$eval('[data-testid="capture-on-open"]', (el) => (el as HTMLInputElement).checked)).toBe(false);
    await press(p1, '[data-testid="capture-on-open"]');
    await waitInFrame(p1, `document.querySelector('[data-testid="capture-on-open"]').checked === true`);
    // The checkbox ticks at once; the setting is stored a moment later: close DevTools only then.
    await waitInFrame(p1, `chrome.storage.local.get('frameline.settings').then((x) => x['frameline.settings']?.captureStart === 'devtools-open')`, {
      what: 'the setting stored',
    });
    await a.dt.close();
    await first.close();

    // New tab, DevTools opened on another panel: traffic flows before Frameline is shown.
    const page = await chrome.browser.newPage();
    await page.goto(srv.origin + '/blank.html');
    const { dt, devtoolsFrame } = await openDevTools(page, chrome.extensionId);
    await waitInFrame(devtoolsFrame, `document.documentElement.dataset.capturePhase === 'capturing'`, {
      what: 'capture to start with DevTools, before the panel is shown',
    }).catch(async (e) => {
      const phase = await devtoolsFrame.evaluate(`document.documentElement.dataset.capturePhase ?? 'none'`);
      const stored = await devtoolsFrame.evaluate(`chrome.storage.local.get(null).then((x) => JSON.stringify(x))`);
      throw new Error(`${(e as Error).message}; the DevTools page says phase=${phase}, storage=${stored}`);
    });
    expect(await dt.$$eval('iframe', (fs) => fs.some((f) => f.src.includes('src/panel/index.html')))).toBe(false);
    await page.evaluate(`new Promise((done) => {
      const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=unseen'))});
      s.onopen = () => s.send('sent while the panel was hidden');
      s.onmessage = () => done();
    })`);
    const panel = await showPanel(dt, chrome.extensionId);
    await waitForRow(panel, `r.text === 'sent while the panel was hidden' && r.direction === 'sent'`, 'the early frame');
    const c = await waitForConnection(panel, `c.url.endsWith('t=unseen')`, 'its connection');
    expect(c.beforeCapture).toBe(false); // the handshake was captured too
    await dt.close();
    await page.close();
  });
});
