// Capture in real Chromium with the real Frameline DevTools panel, against a real `ws` server on 127.0.0.1.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Frame, Page } from 'puppeteer';
import { startServer } from '../support/server.mjs';
import { inspect, launchChromium, showPanel, waitInFrame, type Chrome } from './browser';
import { showView } from '../../scripts/devtools.mjs';
import { clear, clickConnection, connections, clickRow, closeShown, composerAction, openComposer, press, rows, sequenceInStore, setEditor, text, waitForConnection, waitForRow, waitForTotal } from './panel';
import { until } from './until';

type Server = Awaited<ReturnType<typeof startServer>>;

let chrome: Chrome;
let srv: Server;
let page: Page;
let dt: Page;
let panel: Frame;

/** Run `code` in the inspected page (a string, so nothing of vitest's transform leaks into the page). */
const inPage = (code: string) => page.evaluate(code);

/** Page code: open a socket to the burst endpoint, ask for 3000 frames of 200 B, resolve once all have arrived. */
const burst3000 = () => `new Promise((done) => {
  const s = new WebSocket(${JSON.stringify(srv.wsUrl('/burst?n=3000&size=200'))});
  let n = 0;
  s.onopen = () => s.send('go');
  s.onmessage = () => { if (++n === 3000) { s.close(); done(); } };
})`;

beforeAll(async () => {
  srv = await startServer();
  srv.page('/blank.html', '<!doctype html><title>blank</title><body>test page</body>');
  srv.page(
    '/worker.js',
    `const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?from=worker'))});
     s.onopen = () => s.send('from-worker'); s.onmessage = (e) => postMessage(String(e.data));`,
  );
  // A shared worker: its first socket opens as it starts (before Frameline can find the worker) and ticks; a second
  // opens on request. A service worker opens its socket on request; both send what the page asks them to.
  const onRequest = `(msg, reply) => {
      if (msg === 'open') { const n = new WebSocket(URL_BASE + '-new'); n.onopen = () => n.send(WHO + '-new hello'); n.onmessage = (e) => reply(String(e.data)); socks.push(n); }
      if (msg === 'stop') { clearInterval(tick); socks.forEach((s) => s.close()); }
    }`;
  srv.page(
    '/shared.js',
    `const URL_BASE = ${JSON.stringify(srv.wsUrl('/echo?from=shared'))}, WHO = 'shared'; const socks = [];
     const old = new WebSocket(URL_BASE + '-old'); socks.push(old);
     const tick = setInterval(() => old.readyState === 1 && old.send('shared tick'), 200);
     const handle = ${onRequest};
     onconnect = (e) => { const port = e.ports[0]; port.onmessage = (m) => handle(m.data, (t) => port.postMessage(t)); };`,
  );
  srv.page(
    '/sw.js',
    `const URL_BASE = ${JSON.stringify(srv.wsUrl('/echo?from=sw'))}, WHO = 'sw'; const socks = []; let tick;
     const handle = ${onRequest};
     self.addEventListener('install', () => self.skipWaiting());
     self.addEventListener('message', (e) => handle(e.data, (t) => e.source && e.source.postMessage(t)));`,
  );
  srv.page(
    '/frame.html',
    `<!doctype html><script>const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?from=iframe'))});
     s.onopen = () => s.send('from-iframe');</script>`,
  );
  chrome = await launchChromium();
  ({ page, dt, panel } = await inspect(chrome, srv.origin + '/blank.html'));
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

  it('reaches its capture host directly in the DevTools window (no port through the browser), and keeps every frame', async () => {
    // The panel and the DevTools page share one renderer: batches are handed over without serialization.
    expect(await panel.evaluate(`document.documentElement.dataset.hostLink`)).toBe('direct');
    await inPage(burst3000());
    await waitForTotal(panel, 3001);
    // Exactly the burst, in order, with the payloads' own bytes (the direct hand-over copies nothing it keeps).
    expect(await sequenceInStore(panel)).toMatchObject({ seen: 3000, bad: 0 });
    // Records made in the DevTools page arrive as the panel's own objects (Array.isArray, prototypes).
    const own = await panel.evaluate(`(() => {
      const c = [...globalThis.__frameline.store.connections.values()].at(-1);
      return Object.getPrototypeOf(c) === Object.prototype && c.url.includes('/burst');
    })()`);
    expect(own).toBe(true);
  });

  it('falls back to a runtime port when the DevTools page is out of reach, and still keeps every frame in order', async () => {
    // A browser that puts the panel and the DevTools page in different processes: the panel finds no direct link.
    const other = await launchChromium();
    try {
      const { page: p, dt } = await inspect(other, srv.origin + '/blank.html');
      const devtoolsPage = dt.frames().find((f) => f.url().endsWith('/src/entries/devtools.html'))!;
      await devtoolsPage.evaluate(`delete globalThis.__framelineLink`);
      const old = dt.frames().find((f) => f.url().includes('/src/panel/index.html'))!;
      await old.evaluate(`location.reload()`).catch(() => {});
      let viaPort: Frame | undefined;
      for (const deadline = Date.now() + 20_000; !viaPort; await new Promise((r) => setTimeout(r, 100))) {
        if (Date.now() > deadline) throw new Error('the reloaded panel never connected over a port');
        for (const f of dt.frames().filter((f) => f.url().includes('/src/panel/index.html'))) {
          if (await f.evaluate(`document.documentElement.dataset.hostLink === 'port'`).catch(() => false)) viaPort = f;
        }
      }
      await waitInFrame(viaPort, `document.querySelector('[data-testid="capture-state"]')?.dataset.phase === 'capturing'`, { what: 'capture over the port' });
      const before = Number(await viaPort.evaluate(`document.querySelector('[data-testid="frame-count"]').dataset.total`));
      await p.evaluate(burst3000());
      await waitForTotal(viaPort, before + 3001);
      expect(await sequenceInStore(viaPort)).toMatchObject({ seen: 3000, bad: 0 });
    } finally {
      await other.close();
    }
  });

  it('renders nothing while the user looks at another DevTools panel, and shows what came meanwhile once back', async () => {
    const renders = () => panel.evaluate(`globalThis.__frameline.renders.renders`) as Promise<number>;
    await showView(dt, 'console');
    try {
      await new Promise((r) => setTimeout(r, 300)); // a render due when the panel was hidden has run by now
      const before = await renders();
      await inPage(burst3000());
      // Capture goes on: the store takes every frame while the panel is hidden.
      await waitInFrame(panel, `globalThis.__frameline.store.frameCount >= 3001`, { what: 'the burst in the store' });
      await new Promise((r) => setTimeout(r, 500));
      expect(await renders()).toBe(before);
    } finally {
      panel = await showPanel(dt, chrome.extensionId);
    }
    // Shown again: the counts and the tail show the whole burst at once.
    await waitForTotal(panel, 3001, 5_000);
    await waitInFrame(panel, `[...document.querySelectorAll('[data-testid="frame-row"]')].some((r) => r.textContent.includes('"seq":2999'))`, {
      what: 'the last frame of the burst in the tail',
    });
    expect(await sequenceInStore(panel)).toMatchObject({ seen: 3000, bad: 0 });
  });

  it('shows the handshake: request headers, a custom response header, status, subprotocol, initiator', async () => {
    await inPage(`new Promise((done) => {
      const s = new WebSocket(${JSON.stringify(srv.wsUrl('/hdr'))}, ['chat.v2', 'chat.v1']);
      s.onopen = () => { s.send('hi'); };
      s.onmessage = () => done();
    })`);
    const c = await waitForConnection(panel, `c.url.endsWith('/hdr') && c.state === 'open'`, 'the /hdr connection');
    await clickConnection(panel, c.id);
    const hs = await text(panel, 'handshake');
    expect(hs).toContain('X-Frameline-Test');
    expect(hs).toContain('custom-header');
    expect(hs).toMatch(/Status\s+101 Switching Protocols/);
    expect(hs).toMatch(/Subprotocol\s+chat\.v2/);
    expect(hs).toContain('Sec-WebSocket-Key'); // request headers
    expect(hs).toMatch(/Initiator \(script\)/);
  });

  it('captures two sockets at once and attributes each frame to its connection', async () => {
    await inPage(`Promise.all(['/echo?n=a', '/echo?n=b'].map((p, i) => new Promise((done) => {
      const s = new WebSocket('ws://127.0.0.1:${srv.port}' + p);
      s.onopen = () => s.send('socket-' + 'ab'[i]);
      s.onmessage = () => done();
    })))`);
    await waitForTotal(panel, 4);
    const a = await waitForConnection(panel, `c.url.endsWith('n=a')`, 'socket a');
    const b = await waitForConnection(panel, `c.url.endsWith('n=b')`, 'socket b');
    expect(a.id).not.toBe(b.id);
    const r = await rows(panel);
    const conns = await panel.$$eval('[data-testid="frame-row"]', (els) =>
      els.map((el) => [el.querySelector('.c-preview .pv')?.textContent, el.querySelector('.c-conn')?.textContent]),
    );
    expect(r).toHaveLength(4);
    expect(conns.filter(([t]) => t === 'socket-a').every(([, c]) => c === `#${a.id}`)).toBe(true);
    expect(conns.filter(([t]) => t === 'socket-b').every(([, c]) => c === `#${b.id}`)).toBe(true);
  });

  it('captures a socket in a cross-origin (out-of-process) iframe', async () => {
    await inPage(`new Promise((done) => {
      const f = document.createElement('iframe');
      f.src = ${JSON.stringify(srv.altOrigin + '/frame.html')};
      f.onload = () => done();
      document.body.appendChild(f);
    })`);
    const c = await waitForConnection(panel, `c.url.endsWith('from=iframe')`, 'the iframe socket');
    expect(c.text).toContain('iframe');
    await waitForRow(panel, `r.text === 'from-iframe' && r.direction === 'received'`, 'the iframe echo');
    await inPage(`document.querySelectorAll('iframe').forEach((f) => f.remove())`);
  });

  it('captures a socket in a dedicated worker', async () => {
    await inPage(`new Promise((done) => { const w = new Worker('/worker.js'); w.onmessage = () => { w.terminate(); done(); }; })`);
    const c = await waitForConnection(panel, `c.url.endsWith('from=worker')`, 'the worker socket');
    expect(c.text).toContain('worker');
    await waitForRow(panel, `r.text === 'from-worker' && r.direction === 'sent'`, 'the worker frame');
    await waitForRow(panel, `r.text === 'from-worker' && r.direction === 'received'`, 'the worker echo');
  });

  it("captures the sockets of the page's shared worker, older ones included", async () => {
    await inPage(`window.shared = new SharedWorker('/shared.js'); window.shared.port.start(); 0`);
    // Its socket opened before Frameline found the worker: kept from its next frame, its URL read in the worker.
    const old = await waitForConnection(panel, `c.url.endsWith('from=shared-old') && c.state === 'open'`, "the shared worker's older socket");
    expect(old).toMatchObject({ target: 'shared_worker', beforeCapture: true });
    expect(old.text).toContain('shared worker');
    expect(await panel.$('[data-testid="workers-unseen"]')).toBeNull(); // (Firefox's note)
    await inPage(`window.shared.port.postMessage('open'); 0`);
    const fresh = await waitForConnection(panel, `c.url.endsWith('from=shared-new')`, "the shared worker's new socket");
    expect(fresh).toMatchObject({ target: 'shared_worker', beforeCapture: false });
    await waitForRow(panel, `r.text === 'shared-new hello' && r.direction === 'received'`, "the shared worker's echo");

    await inPage(`window.shared.port.postMessage('stop'); 0`);
  });

  it("starts a service worker the page registers while capture runs, captures its socket, and replays on it", async () => {
    // It starts paused for the debugger: Frameline resumes it (its Network.enable answers only once it runs).
    expect(await inPage(`navigator.serviceWorker.register('/sw.js').then(() => navigator.serviceWorker.ready).then(() => 'ready')`)).toBe('ready');
    await inPage(`navigator.serviceWorker.ready.then((reg) => { reg.active.postMessage('open'); })`);
    const sw = await waitForConnection(panel, `c.url.endsWith('from=sw-new')`, "the service worker's socket");
    expect(sw).toMatchObject({ target: 'service_worker', beforeCapture: false });
    const sent = await waitForRow(panel, `r.text === 'sw-new hello' && r.direction === 'sent'`, "the service worker's frame");
    await waitForRow(panel, `r.text === 'sw-new hello' && r.direction === 'received'`, "the service worker's echo");
    // Once: the tab's own auto-attach reaches the service worker, and nothing attaches it twice.
    expect((await connections(panel)).filter((c) => c.url.endsWith('from=sw-new'))).toHaveLength(1);
    expect((await rows(panel)).filter((r) => r.text === 'sw-new hello')).toHaveLength(2);
    await clickConnection(panel, sw.id);
    const hs = await text(panel, 'handshake');
    expect(hs).toMatch(/Status\s+101 Switching Protocols/);
    expect(hs).toMatch(/Context\s+service_worker \(http:\/\/127\.0\.0\.1:\d+\/sw\.js\)/);
    await press(panel, '.conn-all');
    await openComposer(panel, sent.id);
    await setEditor(panel, 'replayed into the service worker');
    expect(await composerAction(panel, 'replay-send')).toMatchObject({ kind: 'ok' });
    await until(() => srv.connections.some((c) => c.query.from === 'sw-new' && c.received.some((m: { text?: string }) => m.text === 'replayed into the service worker')), 'the replay at the server');
    await waitForRow(panel, `r.text === 'replayed into the service worker' && r.direction === 'sent' && r.replayed`, 'the replay in the panel');

    await inPage(`navigator.serviceWorker.ready.then((reg) => { reg.active.postMessage('stop'); return reg.unregister(); })`);
  });

  it('shows close code and reason, for a server close and a client close', async () => {
    await inPage(`new Promise((done) => {
      const s = new WebSocket(${JSON.stringify(srv.wsUrl('/close?code=4001&reason=server-bye'))});
      s.onopen = () => s.send('please close');
      s.onclose = () => done();
    })`);
    await inPage(`new Promise((done) => {
      const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=client-close'))});
      s.onopen = () => s.send('x');
      s.onmessage = () => s.close(4000, 'client-bye');
      s.onclose = () => done();
    })`);
    const server = await waitForConnection(panel, `c.url.includes('/close?') && c.state === 'closed'`, 'server-closed socket');
    expect(await closeShown(panel, server.id, 4001)).toMatch(/Close\s+4001 “server-bye”/);

    const client = await waitForConnection(panel, `c.url.endsWith('client-close') && c.state === 'closed'`, 'client-closed socket');
    expect(await closeShown(panel, client.id, 4000)).toMatch(/Close\s+4000 “client-bye”/);
    expect(srv.connections.find((c) => c.query.t === 'client-close')?.closed).toEqual({ code: 4000, reason: 'client-bye' });
  });

  it('renders a hostile HTML payload as inert text', async () => {
    const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold</b>';
    await inPage(`new Promise((done) => {
      const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=hostile'))});
      s.onopen = () => s.send(${JSON.stringify(hostile)});
      s.onmessage = () => done();
    })`);
    const row = await waitForRow(panel, `r.direction === 'received' && r.text.includes('onerror')`, 'the hostile echo');
    // The row shows as much of it as fits in its column, as text (cut with an ellipsis); the detail shows it whole.
    expect(row.text === hostile || (row.text.endsWith('…') && hostile.startsWith(row.text.slice(0, -1)))).toBe(true);
    await clickRow(panel, row.id);
    expect(await text(panel, 'frame-detail')).toContain(hostile);
    const injected = await panel.evaluate(
      `({ imgs: document.querySelectorAll('img').length, bolds: document.querySelectorAll('b').length,
          scripts: [...document.scripts].filter((s) => !s.src).length, pwned: window.__pwned ?? null })`,
    );
    expect(injected).toEqual({ imgs: 0, bolds: 0, scripts: 0, pwned: null });
  });

  it('shows a 1 MB frame cut, with a notice, without freezing the panel', async () => {
    await inPage(`new Promise((done) => {
      const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=huge'))});
      s.onopen = () => s.send('H'.repeat(1024 * 1024) + 'END');
      s.onmessage = () => done();
    })`);
    const row = await waitForRow(panel, `r.direction === 'received' && r.text.startsWith('HHHH')`, 'the huge echo');
    expect(row.text.length).toBeLessThan(400); // the row shows a preview
    await clickRow(panel, row.id);
    expect(await text(panel, 'truncated')).toMatch(/Showing the first 256\.0 kB characters of 1,048,579/);
    expect(await panel.$eval('[data-testid="frame-detail"] pre', (el) => el.textContent.length)).toBe(256 * 1024);
    expect(await text(panel, 'frame-detail')).toContain('1.0 MB');
  });

  it('keeps capturing across a reload of the inspected page', async () => {
    await page.reload();
    await inPage(`new Promise((done) => {
      const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=after-reload'))});
      s.onopen = () => s.send('after reload');
      s.onmessage = () => done();
    })`);
    await waitForRow(panel, `r.text === 'after reload' && r.direction === 'received'`, 'a frame after reload');
  });

  it('navigates frames with the keyboard, sorts by size, and shows relative times', async () => {
    await inPage(`new Promise((done) => {
      const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=keys'))});
      let n = 0;
      s.onopen = () => ['a', 'bbbbbbbbbb', 'ccc', 'dddddd', 'ee'].forEach((m) => s.send(m));
      s.onmessage = () => { if (++n === 5) done(); };
    })`);
    await waitForTotal(panel, 10);
    // Every frame's id, rendered or not (the timeline may be short: sockets left open by earlier tests stay listed).
    const ids = (await panel.evaluate(`(() => { const s = globalThis.__frameline.store; return Array.from({ length: s.frameCount }, (_, i) => s.frameAt(i).id); })()`)) as number[];
    expect(ids).toHaveLength(10);
    const key = (k: string) =>
      panel.$eval('[data-testid="timeline"]', (el, k) => el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true })), k);
    const detailId = () =>
      waitInFrame<string>(panel, `document.querySelector('[data-testid="frame-detail"]')?.dataset.frameId ?? ''`, { what: 'a frame detail' });
    const shows = (id: number) =>
      waitInFrame(panel, `document.querySelector('[data-testid="frame-detail"]')?.dataset.frameId === '${id}'`, { what: `frame ${id} in the detail` });

    await key('Home');
    await shows(ids[0]);
    await key('ArrowDown');
    await key('ArrowDown');
    await shows(ids[2]);
    await key('ArrowUp');
    await shows(ids[1]);
    await key('End');
    await shows(ids[9]);
    await key('PageUp');
    expect(Number(await detailId())).toBeLessThan(ids[9]);
    const current = Number(await detailId());
    await press(panel, '.detail .tabs button:nth-child(2)'); // the Handshake tab…
    await waitInFrame(panel, `!document.querySelector('[data-testid="frame-detail"]')`, { what: 'the handshake tab' });
    await key('Enter'); // …Enter opens the selected frame's detail again
    await shows(current);

    await press(panel, '[data-testid="sort-size"]');
    await waitInFrame(panel, `document.querySelector('[data-testid="timeline"]').dataset.sort === 'size-desc'`, { what: 'size sort' });
    const bySize = await panel.$$eval('[data-testid="frame-row"]', (els) =>
      els.sort((a, b) => parseFloat((a as HTMLElement).style.top) - parseFloat((b as HTMLElement).style.top)).map((el) => el.querySelector('.pv')?.textContent),
    );
    expect(bySize.slice(0, 2)).toEqual(['bbbbbbbbbb', 'bbbbbbbbbb']);
    expect(bySize.slice(-2)).toEqual(['a', 'a']);
    await press(panel, '[data-testid="sort-time"]');
    await waitInFrame(panel, `document.querySelector('[data-testid="timeline"]').dataset.sort === 'time-asc'`, { what: 'time sort' });

    await press(panel, '[data-testid="time-mode"]');
    const times = await panel.$$eval('[data-testid="frame-row"] .c-time', (els) => els.map((e) => e.textContent));
    expect(times.every((t) => /^\+\d/.test(t ?? ''))).toBe(true);
    await press(panel, '[data-testid="time-mode"]');
  });
});
