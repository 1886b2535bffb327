// Replay and inject on the page's live sockets, in real Chromium with the real Frameline panel, against a `ws`
// server that records per connection what it receives.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Frame, Page } from 'puppeteer';
import { startServer } from '../support/server.mjs';
import { until } from './until';
import { inspect, launchChromium, waitInFrame, type Chrome } from './browser';
import { clear, composerAction, openComposer, press, setEditor, setFilter, waitForConnection, waitForRow } from './panel';

type Server = Awaited<ReturnType<typeof startServer>>;
let chrome: Chrome;
let srv: Server;
let page: Page;
let panel: Frame;

const inPage = (code: string) => page.evaluate(code);
const serverConns = (t: string) => srv.connections.filter((c) => c.query.t === t);
/** Open a socket in the page (as `window[name]`) that sends `first` once open; resolves after the echo. */
const openSocket = (name: string, t: string, first: string, binary = false) =>
  inPage(`new Promise((done) => {
    const s = window[${JSON.stringify(name)}] = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t='))} + ${JSON.stringify(t)});
    s.binaryType = 'arraybuffer';
    window.got = window.got || {};
    window.got[${JSON.stringify(name)}] = [];
    s.onmessage = (e) => { window.got[${JSON.stringify(name)}].push(typeof e.data === 'string' ? e.data : [...new Uint8Array(e.data)]); done(); };
    s.onopen = () => s.send(${binary ? `new Uint8Array(${JSON.stringify(first)}.split(',').map(Number))` : JSON.stringify(first)});
  })`);

beforeAll(async () => {
  srv = await startServer();
  srv.page('/blank.html', '<!doctype html><title>replay</title><body>replay</body>');
  srv.page(
    '/worker.js',
    `const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=worker'))}); s.onopen = () => s.send('from-worker');`,
  );
  srv.page(
    '/frame.html',
    `<!doctype html><script>const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo'))} + '?t=' + location.hash.slice(1));
     s.onopen = () => s.send('from-' + location.hash.slice(1));</script>`,
  );
  chrome = await launchChromium();
  ({ page, panel } = await inspect(chrome, srv.origin + '/blank.html'));
});

afterAll(async () => {
  await chrome?.close();
  await srv?.close();
});

beforeEach(async () => {
  await clear(panel);
});

describe('replay', () => {
  it('sends an edited text frame on the same live connection, marked in the timeline', async () => {
    await openSocket('a', 'text', 'original');
    const row = await waitForRow(panel, `r.text === 'original' && r.direction === 'sent'`, 'the original frame');
    await openComposer(panel, row.id);
    expect(await panel.$eval('[data-testid="replay-editor"]', (el) => (el as HTMLTextAreaElement).value)).toBe('original');
    await setEditor(panel, 'edited-1');
    expect(await composerAction(panel, 'replay-send')).toMatchObject({ kind: 'ok' });
    await until(() => serverConns('text')[0]?.received.length === 2, 'the replay at the server');
    expect(serverConns('text')).toHaveLength(1); // same connection, no new one
    expect(serverConns('text')[0].received.map((m) => m.text)).toEqual(['original', 'edited-1']);
    const replayed = await waitForRow(panel, `r.text === 'edited-1' && r.direction === 'sent' && r.replayed`, 'the replayed row');
    expect(replayed.replayed).toBe(true);
    // The page's own frames are not marked.
    const original = await waitForRow(panel, `r.text === 'original' && r.direction === 'sent'`, 'the original');
    expect(original.replayed).toBe(false);
  });

  it('sends an edited binary frame byte-exact (hex editor and base64 input)', async () => {
    await openSocket('b', 'binary', '1,2,3', true);
    const row = await waitForRow(panel, `r.direction === 'sent' && r.opcode === 2`, 'the binary frame');
    await openComposer(panel, row.id);
    expect(await panel.$eval('[data-testid="replay-editor"]', (el) => (el as HTMLTextAreaElement).value)).toBe('01 02 03');
    await setEditor(panel, 'de ad be ef 00 ff');
    expect(await composerAction(panel, 'replay-send')).toMatchObject({ kind: 'ok' });
    await press(panel, '[data-testid="replay-format-base64"]');
    expect(await panel.$eval('[data-testid="replay-editor"]', (el) => (el as HTMLTextAreaElement).value)).toBe('3q2+7wD/');
    await setEditor(panel, 'AP8=');
    expect(await composerAction(panel, 'replay-send')).toMatchObject({ kind: 'ok' });
    await until(() => serverConns('binary')[0]?.received.length === 3, 'both replays at the server');
    expect(serverConns('binary')[0].received.map((m) => m.hex)).toEqual(['010203', 'deadbeef00ff', '00ff']);
  });

  it('picks the right socket when two share a URL', async () => {
    await openSocket('s1', 'same', 'from-first');
    await new Promise((r) => setTimeout(r, 150));
    await openSocket('s2', 'same', 'from-second');
    const second = await waitForRow(panel, `r.text === 'from-second' && r.direction === 'sent'`, 'second socket frame');
    await openComposer(panel, second.id);
    await setEditor(panel, 'to-second');
    expect(await composerAction(panel, 'replay-send')).toMatchObject({ kind: 'ok' });
    const first = await waitForRow(panel, `r.text === 'from-first' && r.direction === 'sent'`, 'first socket frame');
    await openComposer(panel, first.id);
    await setEditor(panel, 'to-first');
    expect(await composerAction(panel, 'replay-send')).toMatchObject({ kind: 'ok' });
    await until(() => serverConns('same').every((c) => c.received.length === 2), 'replays at the server');
    const [c1, c2] = serverConns('same');
    expect(c1.received.map((m) => m.text)).toEqual(['from-first', 'to-first']);
    expect(c2.received.map((m) => m.text)).toEqual(['from-second', 'to-second']);
  });

  it('replays on sockets in a cross-origin iframe, a same-origin iframe and a worker', async () => {
    await inPage(`new Promise((done) => {
      let n = 0;
      for (const src of [${JSON.stringify(srv.altOrigin + '/frame.html#xframe')}, '/frame.html#sframe']) {
        const f = document.createElement('iframe');
        f.src = src;
        f.onload = () => ++n === 2 && done();
        document.body.appendChild(f);
      }
      window.w = new Worker('/worker.js');
    })`);
    for (const t of ['xframe', 'sframe', 'worker']) {
      // Filtered to its socket's frames: only the rows in view are in the DOM, and a row clicked earlier scrolled the
      // view off the tail, so a frame that arrived meanwhile may be below it.
      await setFilter(panel, `from-${t}`);
      const row = await waitForRow(panel, `r.text === 'from-${t}' && r.direction === 'sent'`, `the ${t} frame`);
      await openComposer(panel, row.id);
      await setEditor(panel, `replayed-in-${t}`);
      const outcome = await composerAction(panel, 'replay-send');
      expect(outcome, `${t}: ${outcome.text}`).toMatchObject({ kind: 'ok' });
      await until(() => serverConns(t)[0]?.received.length === 2, `the ${t} replay at the server`);
      expect(serverConns(t)[0].received.map((m) => m.text)).toEqual([`from-${t}`, `replayed-in-${t}`]);
    }
    await setFilter(panel, '');
    await inPage(`w.terminate(); document.querySelectorAll('iframe').forEach((f) => f.remove())`);
  });

  it('injects a "received" message that reaches the page\'s onmessage, marked as injected', async () => {
    await openSocket('inj', 'inject', 'hello');
    const row = await waitForRow(panel, `r.text === 'hello' && r.direction === 'received'`, 'the echo');
    await openComposer(panel, row.id);
    await setEditor(panel, '{"type":"fake","from":"frameline"}');
    expect(await composerAction(panel, 'replay-inject')).toMatchObject({ kind: 'ok' });
    expect(await inPage(`window.got.inj`)).toEqual(['hello', '{"type":"fake","from":"frameline"}']);
    expect(
      await waitInFrame(panel, `document.querySelector('[data-testid="frame-row"][data-injected="true"]')?.dataset.direction`, {
        what: 'the injected row',
      }),
    ).toBe('received');
    expect(serverConns('inject')[0].received).toHaveLength(1); // nothing went to the server
  });

  it('offers a fresh connection when the socket is closed, and sends there', async () => {
    await openSocket('gone', 'closed', 'last words');
    await inPage(`gone.close(1000, 'done')`);
    const row = await waitForRow(panel, `r.text === 'last words' && r.direction === 'sent'`, 'the frame');
    await waitForConnection(panel, `c.url.endsWith('t=closed') && c.state === 'closed'`, 'the closed connection');
    await openComposer(panel, row.id);
    const refused = await composerAction(panel, 'replay-send');
    expect(refused.kind).toBe('error');
    expect(refused.text).toMatch(/closed.*Nothing was sent/);
    expect(await composerAction(panel, 'replay-fresh')).toMatchObject({ kind: 'ok' });
    await until(() => serverConns('closed').length === 2 && serverConns('closed')[1].received.length === 1, 'the fresh connection');
    expect(serverConns('closed')[1].received[0].text).toBe('last words');
    await waitForConnection(panel, `c.url.endsWith('t=closed') && c.state === 'open'`, 'the fresh connection in the panel');
    await waitForRow(panel, `r.text === 'last words' && r.direction === 'sent' && r.replayed`, 'the replayed row');
  });
});

describe('replay errors (clear message, nothing sent)', () => {
  it('invalid hex', async () => {
    await openSocket('h', 'hex', '9', true);
    const row = await waitForRow(panel, `r.direction === 'sent' && r.opcode === 2`, 'the binary frame');
    await openComposer(panel, row.id);
    await setEditor(panel, '0g 12');
    expect(await panel.$eval('[data-testid="replay-validation"]', (el) => el.textContent)).toMatch(/Invalid hex/);
    const r = await composerAction(panel, 'replay-send');
    expect(r.kind).toBe('error');
    expect(r.text).toMatch(/Invalid hex.*Nothing was sent/);
    await new Promise((res) => setTimeout(res, 200));
    expect(serverConns('hex')[0].received).toHaveLength(1);
  });

  it("the page's own send() throwing", async () => {
    await openSocket('thr', 'throws', 'ok');
    await inPage(`thr.send = () => { throw new Error('nope from the page'); }`);
    const row = await waitForRow(panel, `r.text === 'ok' && r.direction === 'sent'`, 'the frame');
    await openComposer(panel, row.id);
    const r = await composerAction(panel, 'replay-send');
    expect(r.kind).toBe('error');
    expect(r.text).toContain('nope from the page');
    expect(serverConns('throws')[0].received).toHaveLength(1);
  });

  it('a fresh connection the page is not allowed to open (CSP)', async () => {
    await openSocket('csp', 'csp', 'x');
    await inPage(`csp.close(); const m = document.createElement('meta'); m.httpEquiv = 'Content-Security-Policy';
      m.content = "connect-src 'none'"; document.head.appendChild(m);`);
    const row = await waitForRow(panel, `r.text === 'x' && r.direction === 'sent'`, 'the frame');
    await waitForConnection(panel, `c.url.endsWith('t=csp') && c.state === 'closed'`, 'closed');
    await openComposer(panel, row.id);
    const r = await composerAction(panel, 'replay-fresh');
    expect(r.kind).toBe('error');
    expect(r.text).toMatch(/Content-Security-Policy.*connect-src 'none'.*Nothing was sent/);
    expect(serverConns('csp')).toHaveLength(1);
    await page.reload(); // drop the policy for the next tests
  });

  it('the page navigated since', async () => {
    await openSocket('nav', 'navigated', 'before reload');
    const row = await waitForRow(panel, `r.text === 'before reload' && r.direction === 'sent'`, 'the frame');
    await page.reload();
    await openComposer(panel, row.id);
    const r = await composerAction(panel, 'replay-send');
    expect(r.kind).toBe('error');
    expect(r.text).toMatch(/Nothing was sent/);
    expect(serverConns('navigated')[0].received).toHaveLength(1);
  });
});

describe('sequences, saved messages, context menu', () => {
  afterEach(async () => {
    await setFilter(panel, '');
    await press(panel, '.conn-all');
  });

  it('replays a 5-frame selection in order with its original timing (±20% of each gap)', async () => {
    const gaps = [250, 500, 300, 600];
    await inPage(`new Promise((done) => {
      const s = window.seq = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=sequence'))});
      s.onopen = async () => {
        const gaps = ${JSON.stringify(gaps)};
        for (let i = 0; i < 5; i++) {
          if (i) await new Promise((r) => setTimeout(r, gaps[i - 1]));
          s.send('step-' + i);
        }
        done();
      };
    })`);
    // Only the sent frames, so all five fit a short panel (the detail pane takes part of its height).
    await setFilter(panel, 'dir:sent');
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await waitForRow(panel, `r.text === 'step-${i}' && r.direction === 'sent'`, `step ${i}`)).id);
    // Select: click the first, ctrl-click the others.
    await press(panel, `[data-testid="frame-row"][data-frame-id="${ids[0]}"]`);
    for (const id of ids.slice(1)) {
      await panel.$eval(`[data-testid="frame-row"][data-frame-id="${id}"]`, (el) =>
        el.dispatchEvent(new MouseEvent('click', { bubbles: true, ctrlKey: true })),
      );
    }
    await waitInFrame(panel, `document.querySelector('[data-testid="replay-selection"]')?.textContent.includes('5')`, {
      what: 'five frames selected',
    });
    await press(panel, '[data-testid="replay-selection"]');
    await waitInFrame(panel, `!!document.querySelector('[data-testid="sequence-start"]')`, { what: 'the sequence pane' });
    await press(panel, '[data-testid="sequence-start"]');
    const end = await waitInFrame<{ state: string; text: string }>(
      panel,
      `(() => { const p = document.querySelector('[data-testid="sequence-progress"]');
        return p && ['done', 'error', 'stopped'].includes(p.dataset.state) ? { state: p.dataset.state, text: p.textContent } : null; })()`,
      { what: 'the sequence to finish', timeout: 20_000 },
    );
    expect(end, end.text).toMatchObject({ state: 'done' });
    const got = serverConns('sequence')[0].received;
    expect(got.map((m) => m.text)).toEqual(['step-0', 'step-1', 'step-2', 'step-3', 'step-4', 'step-0', 'step-1', 'step-2', 'step-3', 'step-4']);
    // The replay reproduces the gaps as the page sent them (seen at the server: the nominal gaps plus timer jitter).
    const original = got.slice(0, 5);
    const replayed = got.slice(5);
    for (let i = 1; i < 5; i++) {
      const want = original[i].at - original[i - 1].at;
      const gap = replayed[i].at - replayed[i - 1].at;
      expect(gap, `gap ${i} (original ${want.toFixed(1)} ms)`).toBeGreaterThanOrEqual(want * 0.8);
      expect(gap, `gap ${i} (original ${want.toFixed(1)} ms)`).toBeLessThanOrEqual(want * 1.2);
    }
  });

  it('stops a running sequence', async () => {
    await inPage(`new Promise((done) => {
      const s = window.slow = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=stop'))});
      s.onopen = () => { for (let i = 0; i < 4; i++) s.send('slow-' + i); done(); };
    })`);
    await setFilter(panel, 'dir:sent');
    for (let i = 0; i < 4; i++) await waitForRow(panel, `r.text === 'slow-${i}' && r.direction === 'sent'`, `slow ${i}`);
    const conn = await waitForConnection(panel, `c.url.endsWith('t=stop')`, 'the connection');
    await press(panel, `[data-testid="connection-row"][data-conn-id="${conn.id}"]`);
    await setFilter(panel, 'slow-');
    await waitInFrame(panel, `!!document.querySelector('[data-testid="replay-filtered"]')`, { what: 'replay filtered' });
    await press(panel, '[data-testid="replay-filtered"]');
    await waitInFrame(panel, `!!document.querySelector('[data-testid="sequence-fixed"]')`, { what: 'the sequence pane' });
    await press(panel, '[data-testid="sequence-fixed"]');
    await panel.$eval('[data-testid="sequence-interval"]', (el) => {
      (el as HTMLInputElement).value = '1000';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await press(panel, '[data-testid="sequence-start"]');
    const first = await waitInFrame<{ state: string; done: string; text: string }>(
      panel,
      `(() => { const p = document.querySelector('[data-testid="sequence-progress"]');
        return p && (p.dataset.done === '1' || p.dataset.state === 'error') ? { state: p.dataset.state, done: p.dataset.done, text: p.textContent } : null; })()`,
      { what: 'one sent' },
    );
    expect(first, first.text).toMatchObject({ state: 'running', done: '1' });
    await press(panel, '[data-testid="sequence-stop"]');
    await waitInFrame(panel, `document.querySelector('[data-testid="sequence-progress"]')?.dataset.state === 'stopped'`, { what: 'stopped' });
    await new Promise((r) => setTimeout(r, 1200));
    expect(serverConns('stop')[0].received.map((m) => m.text)).toEqual(['slow-0', 'slow-1', 'slow-2', 'slow-3', 'slow-0']);
    await setFilter(panel, '');
  });

  it('saves a composed message per origin, loads it and deletes it', async () => {
    await openSocket('sv', 'saved', 'to be saved');
    const row = await waitForRow(panel, `r.text === 'to be saved' && r.direction === 'sent'`, 'the frame');
    // Through the row's context menu this time.
    await panel.$eval(`[data-testid="frame-row"][data-frame-id="${row.id}"]`, (el) =>
      el.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, cancelable: true, clientX: 20, clientY: 20 })),
    );
    await waitInFrame(panel, `!!document.querySelector('[data-testid="menu-replay"]')`, { what: 'the context menu' });
    await press(panel, '[data-testid="menu-replay"]');
    await waitInFrame(panel, `!!document.querySelector('[data-testid="composer"][data-frame-id="${row.id}"]')`, { what: 'the composer' });
    await setEditor(panel, '{"saved":true}');
    await panel.$eval('[data-testid="saved-messages"]', (el) => ((el as HTMLDetailsElement).open = true));
    await panel.$eval('[data-testid="saved-name"]', (el) => {
      (el as HTMLInputElement).value = 'my message';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await press(panel, '[data-testid="saved-save"]');
    await waitInFrame(panel, `!!document.querySelector('[data-testid="saved-item"][data-name="my message"]')`, { what: 'the saved item' });
    await setEditor(panel, 'something else');
    await press(panel, '[data-testid="saved-item"][data-name="my message"] button');
    await waitInFrame(panel, `document.querySelector('[data-testid="replay-editor"]').value === '{"saved":true}'`, { what: 'loaded' });
    expect(await composerAction(panel, 'replay-send')).toMatchObject({ kind: 'ok' });
    await until(() => serverConns('saved')[0].received.length === 2, 'the saved message at the server');
    expect(serverConns('saved')[0].received[1].text).toBe('{"saved":true}');
    // Stored in extension storage, per origin.
    const stored = await panel.evaluate(`chrome.storage.local.get(null).then((all) => Object.keys(all).filter((k) => k.startsWith('frameline.saved.')))`);
    expect(stored).toEqual([`frameline.saved.ws://127.0.0.1:${srv.port}`]);
    await press(panel, '[data-testid="saved-item"][data-name="my message"] [data-testid="saved-delete"]');
    await waitInFrame(panel, `!document.querySelector('[data-testid="saved-item"]')`, { what: 'deleted' });
  });

  it('says so when the debugger is detached, and sends nothing', async () => {
    await openSocket('det', 'detached', 'before detach');
    const row = await waitForRow(panel, `r.text === 'before detach' && r.direction === 'sent'`, 'the frame');
    // Detached from outside the capture host (the attachment is the extension's: any of its pages can end it; the
    // service worker may be asleep by now, since nothing in Chrome needs it while capturing).
    await panel.evaluate(`chrome.debugger.detach({ tabId: chrome.devtools.inspectedWindow.tabId })`);
    await waitInFrame(panel, `document.querySelector('[data-testid="capture-state"]')?.dataset.phase === 'detached'`, { what: 'detached' });
    await openComposer(panel, row.id);
    const r = await composerAction(panel, 'replay-send');
    expect(r.kind).toBe('error');
    expect(r.text).toMatch(/detached.*nothing was sent/i);
    expect(serverConns('detached')[0].received).toHaveLength(1);
    await press(panel, '[data-testid="reattach"]');
    await waitInFrame(panel, `document.querySelector('[data-testid="capture-state"]')?.dataset.phase === 'capturing'`, { what: 'reattached' });
  });
});
