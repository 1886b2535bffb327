// Capture in real Chromium with the real Frameline DevTools panel, against a real `ws` server on 127.0.0.1.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Frame, Page } from 'puppeteer';
import { startServer } from '../support/server.mjs';
import { launchChromium, openDevTools, showPanel, waitInFrame, type Chrome } from './browser';
import { clear, clickConnection, clickRow, connections, rows, text, waitForConnection, waitForRow, waitForTotal } from './panel';

type Server = Awaited<ReturnType<typeof startServer>>;

let chrome: Chrome;
let srv: Server;
let page: Page;
let panel: Frame;

/** Run `code` in the inspected page (a string, so nothing of vitest's transform leaks into the page). */
const inPage = (code: string) => page.evaluate(code);

beforeAll(async () => {
  srv = await startServer();
  srv.page('/blank.html', '<!doctype html><title>blank</title><body>test page</body>');
  srv.page(
    '/worker.js',
    `const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?from=worker'))});
     s.onopen = () => s.send('from-worker'); s.onmessage = (e) => postMessage(String(e.data));`,
  );
  srv.page(
    '/frame.html',
    `<!doctype html><script>const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?from=iframe'))});
     s.onopen = () => s.send('from-iframe');</script>`,
  );
  chrome = await launchChromium();
  page = await chrome.browser.newPage();
  await page.goto(srv.origin + '/blank.html');
  const { dt } = await openDevTools(page, chrome.extensionId);
  panel = await showPanel(dt, chrome.extensionId);
  await waitInFrame(panel, `document.querySelector('[data-testid="capture-state"]')?.dataset.phase === 'capturing'`, {
    what: 'capture to start',
  });
});

afterAll(async () => {
  await chrome?.close();
  await srv?.close();
});

beforeEach(async () => {
  await clear(panel);
});

describe('capture in Chromium', () => {
  it('shows text and binary frames in both directions, with the exact bytes in hex', async () => {
    await inPage(`new Promise((done) => {
      const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=tb'))});
      s.binaryType = 'arraybuffer';
      let n = 0;
      s.onopen = () => { s.send('hello text'); s.send(new Uint8Array([0, 1, 2, 254, 255])); };
      s.onmessage = () => { if (++n === 2) done(); };
    })`);
    await waitForTotal(panel, 4);
    const r = await rows(panel);
    expect(r.map((x) => [x.direction, x.opcode])).toEqual([
      ['sent', 1],
      ['sent', 2],
      ['received', 1],
      ['received', 2],
    ]);
    expect(r[0].text).toBe('hello text');
    expect(r[2].text).toBe('hello text');
    expect(r[1].text).toBe('00 01 02 fe ff');

    await clickRow(panel, r[3].id);
    const detail = await text(panel, 'frame-detail');
    expect(detail).toContain('00 01 02 fe ff');
    expect(detail).toContain('5 B');
  });
});
