// Capture, replay and HAR export in real Firefox ESR through Frameline's own capture path there (the page hook and
// webRequest), against a real `ws` server on 127.0.0.1. The panel runs as an extension page in a tab inspecting the
// test page (BiDi cannot reach a panel inside Firefox's DevTools).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import type { Frame, Page } from 'puppeteer';
import { startServer } from '../support/server.mjs';
import { until, waitForHar } from './until';
import { harValidator } from '../support/har-schema';
import { waitInFrame } from './browser';
import { inspectInFirefox, launchFirefox, showFramelineInDevTools, type Firefox } from './firefox';
import type { RouterStatus } from '../../src/protocol';
import {
  clear, clickConnection, clickRow, closeShown, composerAction, connections, counts, openComposer, press, rows, setEditor,
  setFilter, text, waitForConnection, waitForRow, waitForTotal,
} from './panel';

type Server = Awaited<ReturnType<typeof startServer>>;

let ff: Firefox;
let srv: Server;
let page: Page;
let panel: Frame;
let tabIdOfPanel: number;

const inPage = (code: string) => page.evaluate(code);
const serverConns = (t: string) => srv.connections.filter((c) => c.query.t === t);

beforeAll(async () => {
  srv = await startServer();
  // A socket made by the first script of <head>, before anything else of the page runs.
  srv.page(
    '/app.html',
    `<!doctype html><html><head><script>window.early = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=early'))});
     early.onopen = () => early.send('early-hello');</script></head><body>app</body></html>`,
  );
  srv.page(
    '/frame.html',
    `<!doctype html><script>const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=iframe'))});
     s.onopen = () => s.send('from-iframe');</script>`,
  );
  srv.page(
    '/worker.js',
    `const s = new WebSocket(${JSON.stringify(srv.wsUrl('/hdr?t=worker'))});
     s.onopen = () => s.send('from-worker'); s.onmessage = (e) => postMessage(String(e.data));`,
  );
  srv.page(
    '/shared-probe.js',
    `onconnect = (e) => { const port = e.ports[0]; const s = new WebSocket(${JSON.stringify(srv.wsUrl('/hdr?t=shared'))});
     s.onopen = () => s.send('from-shared'); s.onmessage = (m) => port.postMessage(String(m.data)); };`,
  );
  ff = await launchFirefox();
  ({ page, panel, tabId: tabIdOfPanel } = await inspectInFirefox(ff, srv.origin + '/app.html'));
}, 60_000);

afterAll(async () => {
  await ff?.close();
  await srv?.close();
});

describe('Firefox: capture through the page hook', () => {
  it('keeps what the page sees of WebSocket unchanged', async () => {
    const seen = await inPage(`new Promise((done) => {
      class Sub extends WebSocket { hi() { return 'sub'; } }
      const s = new Sub(${JSON.stringify(srv.wsUrl('/echo?t=sub'))});
      const r = {
        instance: early instanceof WebSocket, sub: s instanceof Sub && s instanceof WebSocket, method: s.hi(),
        statics: [WebSocket.CONNECTING, WebSocket.OPEN, WebSocket.CLOSING, WebSocket.CLOSED],
        ctor: WebSocket.prototype.constructor === WebSocket, name: WebSocket.name, length: WebSocket.length,
        native: Function.prototype.toString.call(WebSocket).includes('[native code]'),
        sendNative: Function.prototype.toString.call(WebSocket.prototype.send).includes('[native code]'),
        binaryType: s.binaryType,
      };
      s.onclose = () => done(r); // closed while connecting: an error, then the close
      s.close();
    })`);
    expect(seen).toEqual({
      instance: true, sub: true, method: 'sub', statics: [0, 1, 2, 3], ctor: true, name: 'WebSocket', length: 1,
      native: true, sendNative: true, binaryType: 'blob',
    });
  });

  it('captures a socket made at the top of <head>, and received Blobs in order', async () => {
    const early = await waitForConnection(panel, `c.url.endsWith('t=early')`, 'the early socket');
    expect(early.beforeCapture).toBe(true); // made before the panel opened: its first frames were not captured
    await clear(panel);
    await inPage(`new Promise((done) => {
      let n = 0;
      early.onmessage = () => { if (++n === 3) done(); };
      early.send('one'); early.send(new Uint8Array([1])); early.send('three');
    })`);
    await waitForTotal(panel, 6);
    const got = await rows(panel);
    expect(got.map((r) => `${r.direction}:${r.opcode}:${r.opcode === 1 ? r.text : ''}`)).toEqual([
      'sent:1:one', 'sent:2:', 'sent:1:three', 'received:1:one', 'received:2:', 'received:1:three',
    ]);
  });

  it('captures text and binary frames both ways with the exact bytes (ArrayBuffer, typed array, Blob)', async () => {
    await clear(panel);
    await inPage(`new Promise((done) => {
      const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=tb'))});
      s.binaryType = 'arraybuffer';
      let n = 0;
      s.addEventListener('message', () => { if (++n === 4) done(); });
      s.onopen = () => {
        s.send('hello text ✓');
        s.send(new Uint8Array([0, 1, 2, 254, 255]));
        s.send(new Uint16Array([0x0201, 0x0403]).subarray(1));
        s.send(new Blob([new Uint8Array([9, 8, 7])]));
      };
    })`);
    await waitForTotal(panel, 8);
    await until(() => serverConns('tb')[0]?.received.length === 4, 'the server to receive all four');
    const got = await rows(panel);
    const sent = got.filter((r) => r.direction === 'sent');
    const received = got.filter((r) => r.direction === 'received');
    expect(sent.map((r) => r.opcode)).toEqual([1, 2, 2, 2]);
    expect(received.map((r) => r.opcode)).toEqual([1, 2, 2, 2]);
    expect(sent[0].text).toBe('hello text ✓');
    // Exact bytes in the detail pane's hex view, as the server got them.
    expect(serverConns('tb')[0].received.map((m) => m.hex ?? m.text)).toEqual(['hello text ✓', '000102feff', '0304', '090807']);
    for (const [row, hex] of [[sent[1], '00 01 02 fe ff'], [sent[2], '03 04'], [sent[3], '09 08 07'], [received[3], '09 08 07']] as const) {
      await clickRow(panel, row.id);
      expect(await text(panel, 'frame-detail')).toContain(hex);
    }
  });

  it('shows the handshake: response status and headers, request headers labelled as the browser reports them', async () => {
    await clear(panel);
    await inPage(`new Promise((done) => {
      const s = window.hs = new WebSocket(${JSON.stringify(srv.wsUrl('/hdr?t=hdr'))});
      s.onopen = () => { s.send('hi'); done(); };
    })`);
    const c = await waitForConnection(panel, `c.url.endsWith('t=hdr')`, 'the header socket');
    await clickConnection(panel, c.id);
    await waitInFrame(panel, `document.querySelector('[data-testid="handshake"] [data-field="status"]')?.textContent.startsWith('101')`, {
      what: 'status 101',
    });
    const response = await text(panel, 'response-headers');
    expect(response).toMatch(/X-Frameline-Test\s+custom-header/i);
    expect(response).toMatch(/Sec-WebSocket-Accept/i);
    const request = await text(panel, 'request-headers');
    expect(request).toContain('as reported by the browser');
    expect(request).toMatch(/Sec-WebSocket-Key/i);
    expect(await text(panel, 'handshake')).toContain(srv.origin); // the Context row: the page it lives in
  });

  it('captures a socket in a cross-origin iframe', async () => {
    await clear(panel);
    await inPage(`new Promise((done) => {
      const f = document.createElement('iframe');
      f.src = ${JSON.stringify(srv.altOrigin + '/frame.html')};
      f.onload = () => done();
      document.body.appendChild(f);
    })`);
    const c = await waitForConnection(panel, `c.url.endsWith('t=iframe')`, 'the iframe socket');
    await waitForRow(panel, `r.text === 'from-iframe' && r.direction === 'sent'`, 'the iframe frame');
    await clickConnection(panel, c.id);
    expect(await text(panel, 'handshake')).toContain(srv.altOrigin + '/frame.html');
  });

  it('shows a dedicated worker’s socket as handshake-only (Firefox runs no content script in workers)', async () => {
    await clear(panel);
    await inPage(`new Promise((done) => { const w = window.wk = new Worker('/worker.js'); w.onmessage = () => done(); })`);
    expect(serverConns('worker')[0].received.map((m) => m.text)).toEqual(['from-worker']);
    const c = await waitForConnection(panel, `c.url.endsWith('t=worker')`, 'the worker socket');
    expect(c.text).toContain('handshake only');
    await clickConnection(panel, c.id);
    expect(await text(panel, 'handshake-only')).toContain('worker');
    expect(await text(panel, 'response-headers')).toMatch(/X-Frameline-Test\s+custom-header/i);
  });

  it('says plainly that sockets of shared and service workers cannot be seen in Firefox', async () => {
    await clear(panel);
    await press(panel, '.conn-all');
    expect(await text(panel, 'workers-unseen')).toMatch(/shared and service workers cannot be seen in Firefox/);
    // A shared worker's socket: the server has it, Firefox gives Frameline nothing of it (not even its handshake).
    expect(await inPage(`new Promise((done) => { const w = new SharedWorker('/shared-probe.js'); w.port.onmessage = (e) => done(e.data); w.port.start(); })`)).toBe('from-shared');
    // The page's own socket opened after it shows up: the panel is caught up.
    await inPage(`new Promise((done) => { const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=after-shared'))}); s.onopen = () => { s.send('after shared'); done(); }; })`);
    await waitForRow(panel, `r.text === 'after shared'`, "the page's socket opened after the shared worker's");
    expect((await connections(panel)).some((c) => c.url.includes('t=shared'))).toBe(false);
  });

  it('replays an edited frame on the same live connection, marked, and injects one as received', async () => {
    await clear(panel);
    await inPage(`new Promise((done) => {
      const s = window.rs = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=replay'))});
      window.gotReplay = [];
      s.onmessage = (e) => { window.gotReplay.push(e.data); done(); };
      s.onopen = () => s.send('original');
    })`);
    const row = await waitForRow(panel, `r.text === 'original' && r.direction === 'sent'`, 'the original frame');
    await openComposer(panel, row.id);
    await setEditor(panel, 'edited-in-firefox');
    expect(await composerAction(panel, 'replay-send')).toMatchObject({ kind: 'ok' });
    await until(() => serverConns('replay')[0]?.received.length === 2, 'the replay at the server');
    expect(serverConns('replay')).toHaveLength(1); // the same connection
    expect(serverConns('replay')[0].received.map((m) => m.text)).toEqual(['original', 'edited-in-firefox']);
    await waitForRow(panel, `r.text === 'edited-in-firefox' && r.direction === 'sent' && r.replayed`, 'the replayed row');
    const original = await waitForRow(panel, `r.text === 'original' && r.direction === 'sent'`, 'the original');
    expect(original.replayed).toBe(false);

    await setEditor(panel, 'injected-in-firefox');
    expect(await composerAction(panel, 'replay-inject')).toMatchObject({ kind: 'ok' });
    await waitInFrame(page.mainFrame(), `window.gotReplay.includes('injected-in-firefox')`, { what: 'the page to get the injected message' });
    await waitForRow(panel, `r.text === 'injected-in-firefox' && r.direction === 'received'`, 'the injected row');
    expect(serverConns('replay')[0].received).toHaveLength(2); // injection never reaches the server
  });

  it('says nothing was sent when the socket is closed', async () => {
    await clear(panel);
    await inPage(`new Promise((done) => {
      const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=closed'))});
      s.onopen = () => s.send('bye');
      s.onmessage = () => { s.close(); };
      s.onclose = () => done();
    })`);
    const row = await waitForRow(panel, `r.text === 'bye' && r.direction === 'sent'`, 'the frame');
    await waitForConnection(panel, `c.url.endsWith('t=closed') && c.state === 'closed'`, 'closed state');
    await openComposer(panel, row.id);
    const out = await composerAction(panel, 'replay-send');
    expect(out.kind).toBe('error');
    expect(out.text).toMatch(/closed.*Nothing was sent/);
    // The fresh connection it offers: a new socket from the page, to the same URL.
    expect(await composerAction(panel, 'replay-fresh')).toMatchObject({ kind: 'ok' });
    await until(() => serverConns('closed').length === 2 && serverConns('closed')[1].received.length === 1, 'the fresh connection');
    expect(serverConns('closed')[1].received[0].text).toBe('bye');
    await waitForConnection(panel, `c.url.endsWith('t=closed') && c.state === 'open'`, 'the fresh connection in the panel');
    await waitForRow(panel, `r.text === 'bye' && r.direction === 'sent' && r.replayed`, 'the replayed row on the fresh socket');
  });

  it('shows close codes and reasons from both sides', async () => {
    await clear(panel);
    await inPage(`new Promise((done) => {
      const s = new WebSocket(${JSON.stringify(srv.wsUrl('/close?code=4001&reason=server-bye'))});
      s.onopen = () => s.send('please close');
      s.onclose = () => done();
    })`);
    const server = await waitForConnection(panel, `c.url.includes('/close?') && c.state === 'closed'`, 'server-closed socket');
    expect(await closeShown(panel, server.id, 4001)).toMatch(/Close\s+4001 “server-bye”/);
  });

  it('ignores a page that forges the hook channel', async () => {
    await clear(panel);
    await inPage(`(() => {
      const ch = new MessageChannel();
      window.postMessage({ type: 'frameline-hook-hello', v: 1, doc: 'forged12345' }, '*', [ch.port2]);
      ch.port1.postMessage({ k: 'batch', batch: { v: 1, doc: 'forged12345', href: location.href,
        events: [{ k: 'socket', s: 1, t: Date.now(), url: 'ws://forged.example/', protocols: [], pre: false, state: 1, protocol: '', extensions: '' }] } });
      window.postMessage({ k: 'batch', batch: { v: 1, doc: 'forged12345', events: [] } }, '*');
      const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=after-forge'))});
      s.onopen = () => s.send('real');
    })()`);
    await waitForRow(panel, `r.text === 'real' && r.direction === 'sent'`, 'the real frame');
    expect((await connections(panel)).some((c) => c.url.includes('forged'))).toBe(false);
  });

  it('marks each page load on the timeline when the inspected page navigates', async () => {
    await clear(panel);
    await page.goto(srv.origin + '/app.html?second-load');
    const row = await waitForRow(panel, `r.text === 'early-hello' && r.direction === 'sent'`, 'the new page’s first frame');
    await waitInFrame(panel, `document.querySelector('[data-testid="frame-row"][data-frame-id="${row.id}"]')?.getAttribute('data-navigation') === ${JSON.stringify(srv.origin + '/app.html?second-load')}`, {
      what: 'the navigation mark',
    });
  });

  it('exports the session as valid HAR 1.2', async () => {
    await clear(panel);
    await inPage(`new Promise((done) => {
      const s = new WebSocket(${JSON.stringify(srv.wsUrl('/hdr?t=export'))});
      s.binaryType = 'arraybuffer';
      let n = 0;
      s.onopen = () => { s.send('export me'); s.send(new Uint8Array([7, 8, 9])); };
      s.onmessage = () => { if (++n === 2) done(); };
    })`);
    await waitForTotal(panel, 4);
    await press(panel, '[data-testid="export-har"]');
    const path = await waitForHar(ff.downloads, 'frameline-');
    const har = JSON.parse(readFileSync(path, 'utf8'));
    const validate = harValidator();
    expect(validate(har), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const entry = har.log.entries.find((e: { request: { url: string } }) => e.request.url.endsWith('t=export'));
    expect(entry.response.status).toBe(101);
    expect(entry._webSocketMessages.map((m: { type: string; opcode: number; data: string }) => [m.type, m.opcode, m.data])).toEqual([
      ['send', 1, 'export me'],
      ['send', 2, 'BwgJ'],
      ['receive', 1, 'export me'],
      ['receive', 2, 'BwgJ'],
    ]);
    rmSync(path);
  });

  it('refuses a regex that is too slow on a long stored payload, in a worker, and keeps the last valid filter', async () => {
    await inPage(`new Promise((done) => { early.onmessage = (e) => e.data.length > 1000 && done(); early.send('a'.repeat(200000)); })`);
    await waitForRow(panel, `r.text.startsWith('aaaa') && r.direction === 'received'`, 'the long echo');
    await setFilter(panel, 'aaaa');
    // Applied: fewer rows than stored (the count may still show the unfiltered total for a moment), scan finished.
    const { visible } = await waitInFrame<{ visible: number }>(panel, `(() => { const d = document.querySelector('[data-testid="frame-count"]').dataset; const v = Number(d.visible); return v >= 2 && v < Number(d.total) && d.filtering !== 'true' ? { visible: v } : null; })()`, { what: 'a plain filter' });
    await setFilter(panel, '/a.*b/');
    const error = await waitInFrame<string>(panel, `document.querySelector('[data-testid="filter-error"]')?.textContent ?? null`, { what: 'the slow regex refused' });
    expect(error).toMatch(/ran for over 0\.5 s on one stored payload/);
    expect((await counts(panel)).visible).toBe(visible);
    await setFilter(panel, '');
  });

  it('opens the real Frameline panel in Firefox DevTools, which captures the page (smoke test)', async () => {
    const tab = await ff.browser.newPage({ type: 'window' });
    await tab.goto(srv.origin + '/app.html?devtools');
    const labels = await showFramelineInDevTools(ff.browser, srv.origin + '/app.html?devtools');
    expect(labels).toContain('Frameline');
    // The panel inside DevTools is out of BiDi's reach: ask the router whether that tab's capture host (the DevTools
    // page) is connected and receives the page's frames.
    const status = () => panel.evaluate(`browser.runtime.sendMessage({ type: 'frameline:router-status' })`) as Promise<RouterStatus>;
    // Two hosts with a panel linked: the panel tab's own, and the DevTools page's with the real panel (over its port).
    const hosted = async () => Object.values((await status()).tabs).filter((t) => t.host && t.panel).length;
    const deadline = Date.now() + 15_000;
    while ((await hosted()) < 2) {
      if (Date.now() > deadline) throw new Error(`DevTools capture host never connected: ${JSON.stringify(await status())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const before = JSON.stringify((await status()).tabs);
    await tab.evaluate(`new Promise((done) => { early.onmessage = () => done(); early.send('to devtools'); })`);
    const grew = async () => {
      const now = (await status()).tabs;
      const was = JSON.parse(before) as RouterStatus['tabs'];
      return Object.entries(now).some(([id, t]) => t.host && was[Number(id)] && t.forwarded >= was[Number(id)].forwarded + 2 && id !== String(tabIdOfPanel));
    };
    const until2 = Date.now() + 10_000;
    while (!(await grew())) {
      if (Date.now() > until2) throw new Error(`No frames reached the DevTools capture host: ${JSON.stringify((await status()).tabs)} (before ${before})`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await tab.close();
  });
});
