// Intercept rules in real Chromium and Firefox ESR with the real Frameline panel: rules written in the panel change
// what the page sends before it leaves `send` (the `ws` server records what really arrived) and what it receives
// before the app's `onmessage` and `addEventListener` listeners run; every changed frame is marked on the timeline,
// and closing the panel (DevTools) gives the page its own traffic back. Chrome: a breakpoint observed as
// Debugger.paused with the app's code on the stack.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Frame, Page } from 'puppeteer';
import type { Protocol } from 'devtools-protocol';
import { startServer } from '../support/server.mjs';
import { until } from './until';
import { inspect, launchChromium, showPanel, waitInFrame } from './browser';
import { inspectInFirefox, launchFirefox } from './firefox';
import { clear, clickRow, press, waitForRow } from './panel';

type Server = Awaited<ReturnType<typeof startServer>>;
let srv: Server;
let page: Page;
let panel: Frame;
/** Closes the panel (Chrome: DevTools; Firefox: the panel's tab), which hosts capture and keeps rules alive. */
let closePanel: () => Promise<void>;
/** Shows the Frameline panel again (Chrome's DevTools shows its Sources panel when the page pauses). */
let reshowPanel: () => Promise<void>;

interface RuleSpec {
  query: string;
  action: 'block' | 'rewrite' | 'delay' | 'respond' | 'close';
  value?: string;
  op?: 'replace' | 'regex' | 'json-set' | 'json-delete';
  path?: string;
  forward?: boolean;
  reason?: string;
}

/** Set a form control of the rules editor as a user would (input and change events). */
async function setControl(panel: Frame, testid: string, value: string | boolean) {
  await panel.$eval(
    `[data-testid="rules"] [data-testid="${testid}"]`,
    (el, v) => {
      const c = el as HTMLInputElement;
      if (typeof v === 'boolean') {
        if (c.checked !== v) c.click();
        return;
      }
      c.value = v;
      c.dispatchEvent(new Event('input', { bubbles: true }));
      c.dispatchEvent(new Event('change', { bubbles: true }));
    },
    value,
  );
}

async function openRules(panel: Frame) {
  if (await panel.$('[data-testid="rules"]')) return;
  await press(panel, '[data-testid="tab-rules"]');
  await waitInFrame(panel, `!!document.querySelector('[data-testid="rules"]')`, { what: 'the rules section' });
}

/** Add a rule through the editor; returns its id once its row is listed. */
async function addRule(panel: Frame, r: RuleSpec): Promise<string> {
  await openRules(panel);
  const before = (await panel.$$eval('[data-testid="rule-row"]', (els) => els.map((e) => (e as HTMLElement).dataset.ruleId))) as string[];
  await setControl(panel, 'rule-action', r.action);
  if (r.op) await setControl(panel, 'rule-rewrite-op', r.op);
  await setControl(panel, 'rule-query', r.query);
  if (r.path !== undefined) await setControl(panel, 'rule-path', r.path);
  if (r.value !== undefined) await setControl(panel, 'rule-value', r.value);
  if (r.forward !== undefined) await setControl(panel, 'rule-forward', r.forward);
  if (r.reason !== undefined) await setControl(panel, 'rule-reason', r.reason);
  await press(panel, '[data-testid="rule-add"]');
  const id = await waitInFrame<string>(
    panel,
    `(() => { const before = ${JSON.stringify(before)}; const e = document.querySelector('[data-testid="rule-error"]');
      if (e && e.textContent.trim()) return 'error: ' + e.textContent;
      const row = [...document.querySelectorAll('[data-testid="rule-row"]')].find((x) => !before.includes(x.dataset.ruleId));
      return row ? row.dataset.ruleId : null; })()`,
    { what: `the rule ${r.query} → ${r.action} listed` },
  );
  expect(id).not.toMatch(/^error: /);
  return id;
}

async function removeRules(panel: Frame) {
  await openRules(panel);
  for (;;) {
    const del = await panel.$('[data-testid="rule-row"] [data-testid="rule-delete"]');
    if (!del) break;
    await press(panel, '[data-testid="rule-row"] [data-testid="rule-delete"]');
  }
  await waitInFrame(panel, `!document.querySelector('[data-testid="rule-row"]')`, { what: 'no rules left' });
}

/** Rules reach the page a moment after they are saved (the host refreshes them a few times a second). */
const RULES_SETTLE_MS = 800;
const settle = () => new Promise((r) => setTimeout(r, RULES_SETTLE_MS));

const inPage = <T>(code: string) => page.evaluate(code) as Promise<T>;
/** Connections the server had before this browser's suite began (both browsers' suites share the server). */
let before = 0;
const serverGot = (t: string) =>
  srv.connections.slice(before).filter((c) => c.query.t === t).flatMap((c) => c.received.map((m: { text?: string; hex?: string; at: number }) => m));

/**
 * Open `window.socks[name]` on /echo?t=<name>: it keeps what `onmessage` and an `addEventListener` listener each saw,
 * and its close code.
 */
const open = (name: string) =>
  inPage(`new Promise((done, fail) => {
    window.socks = window.socks || {};
    const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t='))} + ${JSON.stringify(name)});
    const rec = window.socks[${JSON.stringify(name)}] = { s, onmessage: [], listener: [], close: null };
    s.onmessage = (e) => rec.onmessage.push(String(e.data));
    s.addEventListener('message', (e) => rec.listener.push(String(e.data)));
    s.onclose = (e) => (rec.close = { code: e.code, reason: e.reason });
    s.onopen = () => done(true);
    setTimeout(() => fail(new Error('socket did not open')), 5000);
  })`);
const send = (name: string, data: string) => inPage(`window.socks[${JSON.stringify(name)}].s.send(${JSON.stringify(data)})`);
const seen = (name: string) => inPage<{ onmessage: string[]; listener: string[]; close: { code: number; reason: string } | null }>(
  `(() => { const r = window.socks[${JSON.stringify(name)}]; return { onmessage: r.onmessage, listener: r.listener, close: r.close }; })()`,
);


/** Switch manual intercept on (holding frames that match `query`) or off, as a user would. */
async function intercept(panel: Frame, on: boolean, query = '') {
  const pressed = await panel.$eval('[data-testid="intercept-toggle"]', (el) => el.getAttribute('aria-pressed') === 'true');
  if (pressed !== on) await press(panel, '[data-testid="intercept-toggle"]');
  if (!on) {
    await waitInFrame(panel, `!document.querySelector('[data-testid="intercept-bar"]')`, { what: 'intercept off' });
    return;
  }
  await waitInFrame(panel, `!!document.querySelector('[data-testid="intercept-query"]')`, { what: 'the intercept bar' });
  await panel.$eval(
    '[data-testid="intercept-query"]',
    (el, v) => {
      const c = el as HTMLInputElement;
      c.value = v;
      c.dispatchEvent(new Event('input', { bubbles: true }));
    },
    query,
  );
}

/** Wait for a held frame in the queue whose direction and preview match; returns its key (it is selected). */
async function heldItem(panel: Frame, dir: 'sent' | 'received', text: string): Promise<string> {
  const key = await waitInFrame<string>(
    panel,
    `[...document.querySelectorAll('[data-testid="intercept-item"]')].find((e) => e.dataset.dir === ${JSON.stringify(dir)} && e.textContent.includes(${JSON.stringify(text)}))?.dataset.key ?? null`,
    { what: `the held ${dir} frame "${text}"` },
  );
  await press(panel, `[data-testid="intercept-item"][data-key="${key}"]`);
  await waitInFrame(panel, `document.querySelector('[data-testid="intercept-detail"]')?.dataset.key === ${JSON.stringify(key)}`, { what: 'the held frame shown' });
  return key;
}

beforeAll(async () => {
  srv = await startServer();
  srv.page('/intercept.html', '<!doctype html><title>intercept</title><body>intercept</body>');
  // A same-origin iframe and a dedicated worker, each sending one frame once its socket opens.
  srv.page('/ctx-frame.html', `<!doctype html><script>const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=ctx-iframe'))});
     s.onopen = () => s.send('ctx-from-iframe');</script>`);
  srv.page('/ctx-worker.js', `const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=ctx-worker'))}); s.onopen = () => s.send('ctx-from-worker');`);
  // (Chromium) A shared worker and a service worker, each sending a tick every 100 ms from its start until told to stop.
  const ticker = (t: string) =>
    `const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t='))} + '${t}'); let n = 0;
     const tick = setInterval(() => s.readyState === 1 && s.send('ctx-from-${t} ' + n++), 100);
     const stop = () => { clearInterval(tick); s.close(); };`;
  srv.page('/ctx-shared.js', `${ticker('shared')} onconnect = (e) => { e.ports[0].onmessage = stop; };`);
  srv.page('/ctx-sw.js', `${ticker('sw')} self.addEventListener('install', () => self.skipWaiting()); self.addEventListener('message', stop);`);
  srv.page('/contexts.html', `<!doctype html><title>contexts</title><iframe src="/ctx-frame.html"></iframe>
     <script>window.worker = new Worker('/ctx-worker.js');</script>`);
  // Sends its first frame the moment the socket opens, as the page loads.
  srv.page(
    '/at-load.html',
    `<!doctype html><title>at load</title><script>const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=load'))});
     s.onopen = () => s.send('hello at load');</script>`,
  );
});

afterAll(async () => {
  await srv?.close();
});

describe.each([
  { browser: 'Chromium' as const },
  { browser: 'Firefox' as const },
])('intercept rules in $browser', ({ browser }) => {
  let close: () => Promise<void>;
  beforeAll(async () => {
    before = srv.connections.length;
    if (browser === 'Chromium') {
      const chrome = await launchChromium();
      close = () => chrome.close();
      let dt: Page;
      ({ page, dt, panel } = await inspect(chrome, srv.origin + '/intercept.html'));
      closePanel = () => dt.close();
      reshowPanel = async () => {
        panel = await showPanel(dt, chrome.extensionId);
      };
    } else {
      const ff = await launchFirefox();
      close = () => ff.close();
      let panelPage: Page;
      ({ page, panel, panelPage } = await inspectInFirefox(ff, srv.origin + '/intercept.html'));
      closePanel = () => panelPage.close();
      reshowPanel = () => Promise.resolve();
    }
  }, 60_000);
  afterAll(async () => {
    await close?.();
  });

  beforeEach(async () => {
    await removeRules(panel);
    await clear(panel);
  });

  it('rewrites a sent frame before it leaves send: the server gets the rewrite, the timeline marks it with both versions', async () => {
    const id = await addRule(panel, { query: 'dir:sent "hello"', action: 'rewrite', op: 'replace', value: 'HELLO-REWRITTEN' });
    await waitInFrame(panel, `document.querySelector('[data-testid="rules-banner"]')?.dataset.active === '1'`, { what: 'the banner: 1 rule active' });
    // Kept for the inspected page's origin from the start (not for "no origin", dropped at the first navigation).
    expect(await panel.$eval('[data-testid="rules-origin"]', (el) => el.textContent)).toBe(srv.origin);
    await settle();
    await open('rw');
    await send('rw', 'hello there');
    await send('rw', 'untouched');
    await until(() => serverGot('rw').length >= 2, 'the server got both frames');
    expect(serverGot('rw').map((m) => m.text)).toEqual(['HELLO-REWRITTEN', 'untouched']);
    // The echo of the rewrite is what the app received: the page's own view agrees with the server's.
    await until(async () => (await seen('rw')).onmessage.length >= 2, 'both echoes');
    expect((await seen('rw')).onmessage).toEqual(['HELLO-REWRITTEN', 'untouched']);

    const row = await waitForRow(panel, `r.direction === 'sent' && r.action === 'rewritten'`, 'the rewritten sent frame marked');
    expect(row.text).toContain('HELLO-REWRITTEN'); // the timeline shows what the network carried
    await clickRow(panel, row.id);
    await waitInFrame(panel, `!!document.querySelector('[data-testid="rule-detail"]')`, { what: 'the rule detail' });
    expect(await panel.$eval('[data-testid="rule-original"]', (el) => (el as HTMLElement).innerText)).toContain('hello there');
    expect(await panel.$eval('[data-testid="rule-delivered"]', (el) => (el as HTMLElement).innerText)).toContain('HELLO-REWRITTEN');
    await openRules(panel);
    await waitInFrame(panel, `document.querySelector('[data-testid="rule-row"][data-rule-id="${id}"]')?.dataset.hits === '1'`, { what: 'one hit counted' });
    await waitInFrame(panel, `Number(document.querySelector('[data-testid="rules-banner"]')?.dataset.changed) >= 1`, { what: 'the banner counts the changed frame' });
  });

  it('rewrites a received JSON field before onmessage and addEventListener listeners see it', async () => {
    await addRule(panel, { query: 'dir:received exists($.price)', action: 'rewrite', op: 'json-set', path: '$.price', value: '999' });
    await settle();
    await open('json');
    await send('json', '{"sym":"ACME","price":12}');
    await until(async () => (await seen('json')).listener.length >= 1, 'the echo');
    const got = await seen('json');
    expect(JSON.parse(got.onmessage[0])).toEqual({ sym: 'ACME', price: 999 });
    expect(JSON.parse(got.listener[0])).toEqual({ sym: 'ACME', price: 999 });
    expect(serverGot('json').map((m) => m.text)).toEqual(['{"sym":"ACME","price":12}']);
    // The received frame is the network's (price 12), marked as rewritten for the app.
    const row = await waitForRow(panel, `r.direction === 'received' && r.action === 'rewritten'`, 'the rewritten received frame marked');
    expect(row.text).toContain('"price":12');
  });

  it('blocks a sent frame (the server never gets it; the timeline keeps it, marked blocked) and the rest go on', async () => {
    await addRule(panel, { query: 'dir:sent "secret"', action: 'block' });
    await settle();
    await open('block');
    await send('block', 'secret token');
    await send('block', 'public');
    await until(() => serverGot('block').length >= 1, 'the server got the public frame');
    await new Promise((r) => setTimeout(r, 300));
    expect(serverGot('block').map((m) => m.text)).toEqual(['public']);
    const row = await waitForRow(panel, `r.direction === 'sent' && r.action === 'blocked'`, 'the blocked frame on the timeline');
    expect(row.text).toContain('secret token');
  });

  it('answers a sent frame with a mock the app receives as if from the server, without the server', async () => {
    await addRule(panel, { query: 'dir:sent "get-config"', action: 'respond', value: '{"config":"mocked"}', forward: false });
    await settle();
    await open('mock');
    await send('mock', 'get-config');
    await until(async () => (await seen('mock')).onmessage.length >= 1, 'the mock reply');
    expect((await seen('mock')).onmessage).toEqual(['{"config":"mocked"}']);
    expect((await seen('mock')).listener).toEqual(['{"config":"mocked"}']);
    await new Promise((r) => setTimeout(r, 300));
    expect(serverGot('mock')).toEqual([]);
    await waitForRow(panel, `r.direction === 'received' && r.action === 'mocked' && r.text.includes('mocked')`, 'the mock reply on the timeline');
  });

  it('delays a sent frame by the rule\'s time and keeps the order of the frames behind it', async () => {
    await addRule(panel, { query: 'dir:sent "slow"', action: 'delay', value: '600' });
    await settle();
    await open('delay');
    // The server runs in this process: its `at` times are on this clock.
    const before = performance.now();
    await send('delay', 'slow-1');
    await send('delay', 'fast-2');
    await until(() => serverGot('delay').length >= 2, 'both frames at the server', 10_000);
    const got = serverGot('delay');
    expect(got.map((m) => m.text)).toEqual(['slow-1', 'fast-2']);
    expect(got[0].at - before).toBeGreaterThanOrEqual(550);
    expect(got[0].at - before).toBeLessThan(3000);
    const waited = await waitForRow(panel, `r.direction === 'sent' && r.action === 'delayed'`, 'the delayed frame marked');
    await clickRow(panel, waited.id);
    const detail = await panel.$eval('[data-testid="rule-detail"]', (el) => (el as HTMLElement).innerText);
    const ms = Number(/(\d+)\s*ms/.exec(detail)?.[1]);
    expect(ms).toBeGreaterThanOrEqual(550);
    expect(ms).toBeLessThan(3000);
  });

  it('closes the connection with the rule\'s code and reason when a frame matches', async () => {
    await addRule(panel, { query: 'dir:received "bye"', action: 'close', value: '4001', reason: 'closed by rule' });
    await settle();
    await open('close');
    await send('close', 'bye now');
    await until(async () => (await seen('close')).close !== null, 'the close');
    const got = await seen('close');
    expect(got.close).toEqual({ code: 4001, reason: 'closed by rule' });
    expect(got.onmessage).toEqual([]); // the matching frame is not delivered
  });

  it('a page loaded while a rule is active is intercepted from its first frame', async () => {
    await addRule(panel, { query: 'dir:sent "at load"', action: 'rewrite', op: 'regex', path: 'at load', value: 'AT LOAD (rewritten)' });
    await settle();
    await page.goto(srv.origin + '/at-load.html');
    await until(() => serverGot('load').length >= 1, 'the first frame of the page');
    expect(serverGot('load').map((m) => m.text)).toEqual(['hello AT LOAD (rewritten)']);
    await page.goto(srv.origin + '/intercept.html');
  });

  it('a breakpoint pauses in send with the app\'s caller on the stack, and on a received frame before the app\'s listener', async () => {
    await openRules(panel);
    for (const query of ['dir:sent "bp-send"', 'dir:received "bp-recv"']) {
      await setControl(panel, 'rule-query', query);
      await press(panel, '[data-testid="breakpoint-add"]');
    }
    await waitInFrame(panel, `document.querySelectorAll('[data-testid="rule-row"][data-action="break"]').length === 2`, { what: 'two breakpoints listed' });
    await settle();
    await open('bp');
    await inPage(`window.socks.bp.s.addEventListener('message', function appOnMessage(e) { window.appGot = String(e.data); })`);
    if (browser === 'Chromium') {
      const cdp = await page.createCDPSession();
      await cdp.send('Debugger.enable');
      const paused = () => new Promise<Protocol.Debugger.PausedEvent>((resolve) => cdp.once('Debugger.paused', resolve));
      let next = paused();
      const sending = inPage(`(function appSendsOrder() { window.socks.bp.s.send('bp-send 1'); return true; })()`);
      let ev = await next;
      expect(ev.callFrames.map((f) => f.functionName)).toContain('appSendsOrder');
      await cdp.send('Debugger.resume');
      await sending;
      // The echo of a frame the rule matches: paused before the app's listener; stepping reaches it.
      next = paused();
      void inPage(`window.socks.bp.s.send('bp-recv 2')`);
      ev = await next;
      expect(ev.callFrames.map((f) => f.functionName)).not.toContain('appOnMessage');
      for (let i = 0; i < 400 && ev.callFrames[0]?.functionName !== 'appOnMessage'; i++) {
        next = paused();
        await cdp.send('Debugger.stepInto');
        ev = await next;
      }
      expect(ev.callFrames[0]?.functionName).toBe('appOnMessage');
      await cdp.send('Debugger.resume');
      await cdp.send('Debugger.disable');
      await cdp.detach();
      await reshowPanel();
    } else {
      // No debugger attached to the page here (BiDi is not one): the statement is a no-op and the frames go on.
      await inPage(`window.socks.bp.s.send('bp-send 1')`);
      await inPage(`window.socks.bp.s.send('bp-recv 2')`);
    }
    await until(async () => (await inPage<string | undefined>('window.appGot')) === 'bp-recv 2', 'the app\'s listener ran with the frame');
    expect(serverGot('bp').map((m) => m.text)).toEqual(['bp-send 1', 'bp-recv 2']);
    await openRules(panel);
    await waitInFrame(panel, `[...document.querySelectorAll('[data-testid="rule-row"][data-action="break"]')].every((r) => r.dataset.hits === '1')`, {
      what: 'each breakpoint hit once',
    });
  });


  it('manual intercept: a held sent frame is edited and forwarded (the frames behind it wait), a held echo is dropped', async () => {
    await intercept(panel, true, '"mi-"');
    await settle();
    await open('mi');
    await send('mi', 'mi-one');
    await send('mi', 'plain-after');
    await heldItem(panel, 'sent', 'mi-one');
    await new Promise((r) => setTimeout(r, 300));
    expect(serverGot('mi')).toEqual([]); // held, and the frame behind it waits in order
    await panel.$eval('[data-testid="intercept-edit"]', (el) => {
      const t = el as HTMLTextAreaElement;
      t.value = 'mi-one EDITED';
      t.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await press(panel, '[data-testid="intercept-forward"]');
    await until(() => serverGot('mi').length >= 2, 'both frames at the server');
    expect(serverGot('mi').map((m) => m.text)).toEqual(['mi-one EDITED', 'plain-after']);
    // The echo of the edit matches too: held before the app sees it, then dropped; the next echo waited behind it.
    const echo = await heldItem(panel, 'received', 'mi-one EDITED');
    // The network carried it: the item names its row on the timeline.
    const echoId = await waitInFrame<string>(panel, `document.querySelector('[data-testid="intercept-item"][data-key=${JSON.stringify(echo)}]')?.dataset.frameId ?? null`, {
      what: 'the held echo names its frame',
    });
    await waitForRow(panel, `r.id === ${Number(echoId)} && r.direction === 'received' && r.text.includes('mi-one EDITED')`, 'the held echo on the timeline');
    expect((await seen('mi')).onmessage).toEqual([]);
    await press(panel, '[data-testid="intercept-drop"]');
    await until(async () => (await seen('mi')).onmessage.length >= 1, 'the echo behind the dropped one');
    expect((await seen('mi')).onmessage).toEqual(['plain-after']);
    expect((await seen('mi')).listener).toEqual(['plain-after']);
    await waitInFrame(panel, `document.querySelector('[data-testid="intercept-count"]')?.dataset.count === '0'`, { what: 'the queue empty' });
    const sent = await waitForRow(panel, `r.direction === 'sent' && r.action === 'rewritten' && r.rule === 'frameline-intercept'`, 'the edited frame marked');
    expect(sent.text).toContain('mi-one EDITED');
    await waitForRow(panel, `r.direction === 'received' && r.action === 'blocked' && r.rule === 'frameline-intercept'`, 'the dropped echo marked');
    await intercept(panel, false);
  });

  it('manual intercept: a frame held past the limit goes on unchanged, and its detail says why', async () => {
    await intercept(panel, true, 'dir:sent "late-"');
    await panel.$eval('[data-testid="intercept-timeout"]', (el) => {
      const c = el as HTMLInputElement;
      c.value = '1';
      c.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await settle();
    await open('milimit');
    await send('milimit', 'late-1');
    await heldItem(panel, 'sent', 'late-1');
    await until(() => serverGot('milimit').length >= 1, 'the frame once its hold ran out', 5000);
    expect(serverGot('milimit').map((m) => m.text)).toEqual(['late-1']);
    const row = await waitForRow(panel, `r.direction === 'sent' && r.action === 'released'`, 'the frame marked released');
    await clickRow(panel, row.id);
    await waitInFrame(panel, `document.querySelector('[data-testid="rule-held"]')?.dataset.reason === 'timeout'`, { what: 'the detail: held past its limit' });
    await intercept(panel, false);
  });

  it('manual intercept: switching it off forwards what is held, as it was', async () => {
    await intercept(panel, true, 'dir:sent "hold-me"');
    await settle();
    await open('mioff');
    await send('mioff', 'hold-me 1');
    await heldItem(panel, 'sent', 'hold-me 1');
    await intercept(panel, false);
    await until(() => serverGot('mioff').length >= 1, 'the held frame at the server');
    expect(serverGot('mioff').map((m) => m.text)).toEqual(['hold-me 1']);
    await waitForRow(panel, `r.direction === 'sent' && r.action === 'released'`, 'the frame marked released');
  });

  it('rules act in a same-origin iframe and (Chrome) dedicated, shared and service workers; Firefox workers go on unchanged', async () => {
    await addRule(panel, { query: 'dir:sent "ctx-from"', action: 'rewrite', op: 'regex', path: '/ctx-from/', value: 'RULED-from' });
    await settle();
    await page.goto(srv.origin + '/contexts.html');
    await until(() => serverGot('ctx-iframe').length >= 1 && serverGot('ctx-worker').length >= 1, 'a frame from the iframe and the worker');
    // New documents start with the rules (Firefox: a same-origin document holds its first frames until they come).
    expect(serverGot('ctx-iframe').map((m) => m.text)).toEqual(['RULED-from-iframe']);
    const iframe = page.frames().find((f) => f.url().includes('ctx-frame'))!;
    await new Promise((r) => setTimeout(r, 500));
    await iframe.evaluate(`new Promise((done) => { const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=ctx-later'))}); s.onopen = () => { s.send('ctx-from-iframe later'); done(); }; })`);
    await until(() => serverGot('ctx-later').length >= 1, 'the later frame of the iframe');
    expect(serverGot('ctx-later').map((m) => m.text)).toEqual(['RULED-from-iframe later']);
    // Firefox lets no extension into a worker (README): its frame goes as the worker sent it.
    expect(serverGot('ctx-worker').map((m) => m.text)).toEqual([browser === 'Chromium' ? 'RULED-from-worker' : 'ctx-from-worker']);
    if (browser === 'Chromium') {
      // A service worker starts with the rules (the tab's auto-attach holds it until they are in); a shared worker is
      // found within a second or so of its start, and ruled from then on.
      await page.evaluate(`window.shared = new SharedWorker('/ctx-shared.js'); navigator.serviceWorker.register('/ctx-sw.js').then(() => 0)`);
      await until(() => serverGot('shared').some((m) => (m.text ?? '').startsWith('RULED')) && serverGot('sw').length >= 5, 'ruled ticks of the shared worker, ticks of the service worker', 10_000);
      await page.evaluate(`window.shared.port.postMessage('stop'); navigator.serviceWorker.ready.then((reg) => { reg.active.postMessage('stop'); return reg.unregister(); })`);
      expect(serverGot('sw').every((m) => (m.text ?? '').startsWith('RULED-from-sw '))).toBe(true);
      const shared = serverGot('shared').map((m) => m.text ?? '');
      const firstRuled = shared.findIndex((t) => t.startsWith('RULED'));
      expect(shared.slice(firstRuled).every((t) => t.startsWith('RULED-from-shared '))).toBe(true);
    }
    await page.goto(srv.origin + '/intercept.html');
  });

  it('a rule switched off acts no more; closing DevTools gives the page its own traffic back', async () => {
    // Its own text only: the previous test's workers may still tick a moment ('ctx-from-sw 12' has an x too).
    const id = await addRule(panel, { query: 'dir:sent "off-x"', action: 'rewrite', op: 'replace', value: 'CHANGED' });
    await settle();
    await open('off');
    await send('off', 'off-x1');
    await until(() => serverGot('off').length >= 1, 'the first frame');
    expect(serverGot('off')[0].text).toBe('CHANGED');
    await press(panel, `[data-testid="rule-row"][data-rule-id="${id}"] [data-testid="rule-enabled"]`);
    await waitInFrame(panel, `document.querySelector('[data-testid="rule-row"][data-rule-id="${id}"]')?.dataset.enabled === 'false'`, { what: 'the rule off' });
    try {
      await waitInFrame(panel, `document.querySelector('[data-testid="rule-row"][data-rule-id="${id}"]')?.dataset.hits === '1'`, { what: 'its hit counted' });
    } catch (e) {
      // Seen once in CI: say whether the hit never came, waits for its frame, or was placed elsewhere.
      const seen = await panel.evaluate(`(() => {
        const s = globalThis.__frameline.store, m = s.ruleMarks;
        const conns = [...s.connections.values()].filter((c) => c.url.includes('off')).map((c) => ({ id: c.id, url: c.url, state: c.state }));
        const frames = [];
        for (let i = Math.max(0, s.frameCount - 40); i < s.frameCount; i++) {
          const f = s.frameAt(i);
          if (conns.some((c) => c.id === f.conn)) frames.push({ id: f.id, dir: f.dir, text: f.text, ts: f.ts, mark: m.of(f.id) ? m.of(f.id).action : undefined });
        }
        return JSON.stringify({ hits: [...m.hits], waiting: m.waiting.map((w) => ({ conn: w.conn, ts: w.ts, find: w.find })), unplaced: m.unplaced, lost: document.querySelector('[data-testid="rules-lost"]')?.dataset.count, conns, frames });
      })()`);
      throw new Error(`${String(e)}; the panel had ${String(seen)}`, { cause: e });
    }
    await settle();
    await send('off', 'off-x2');
    await until(() => serverGot('off').length >= 2, 'the second frame');
    expect(serverGot('off')[1].text).toBe('off-x2');

    // On again, then DevTools closes: within the lease the page is its own again.
    await press(panel, `[data-testid="rule-row"][data-rule-id="${id}"] [data-testid="rule-enabled"]`);
    await settle();
    await send('off', 'off-x3');
    await until(() => serverGot('off').length >= 3, 'the third frame');
    expect(serverGot('off')[2].text).toBe('CHANGED');
    // A frame held when the panel goes away is not left waiting: it goes on as it was.
    await intercept(panel, true, 'dir:sent "at-close"');
    await settle();
    await send('off', 'at-close');
    await heldItem(panel, 'sent', 'at-close');
    expect(serverGot('off')).toHaveLength(3);
    await closePanel();
    await until(() => serverGot('off').length >= 4, 'the held frame once the panel closed', 5000);
    expect(serverGot('off')[3].text).toBe('at-close');
    await new Promise((r) => setTimeout(r, 3500));
    await send('off', 'off-x4');
    await until(() => serverGot('off').length >= 5, 'the fifth frame');
    expect(serverGot('off')[4].text).toBe('off-x4');
  });
});
