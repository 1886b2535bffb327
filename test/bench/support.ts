// Shared by the benchmarks: the 20 fixed queries of issue #3 (item 5) and the frames they run over (200 B JSON texts
// on 8 connections, one in five sent), statistics, the Frameline panel page opened as a tab, the null listener (its
// folder, id, DevTools page and panel), the latency probes, and a wait for a quiet machine.
import { readFileSync, realpathSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { Frame, Keyboard, Page } from 'puppeteer';
import { waitInFrame, type Chrome } from '../e2e/browser';
import { showView, waitForView } from '../../scripts/devtools.mjs';

/** The machine's CPU time so far, from /proc/stat (Linux): [idle, total], in clock ticks of all processors. */
function machineTicks(): [number, number] {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return [f[3] + (f[4] ?? 0), f.reduce((a, b) => a + b, 0)]; // idle + iowait, all
}

/**
 * Wait until the machine is quiet: its processors at least `idle` idle over `calm` successive intervals of `stepMs`
 * (at most `maxMs`); returns how long that took. A measurement then starts after DevTools' start-up and the last run's
 * teardown, however long they take on this machine, instead of after a fixed time.
 */
export async function quiet({ idle = 0.85, stepMs = 250, calm = 3, maxMs = 20_000 } = {}): Promise<number> {
  const start = Date.now();
  let [idle0, all0] = machineTicks();
  for (let streak = 0; streak < calm && Date.now() - start < maxMs; ) {
    await new Promise((r) => setTimeout(r, stepMs));
    const [idle1, all1] = machineTicks();
    streak = (idle1 - idle0) / Math.max(1, all1 - all0) >= idle ? streak + 1 : 0;
    [idle0, all0] = [idle1, all1];
  }
  return Date.now() - start;
}

/** The benches' baseline extension: it only counts frames (see null-listener/count.js). */
export const NULL_EXT = resolve(import.meta.dirname, 'null-listener');
/** Chromium's id of an unpacked extension without a key: the SHA-256 of its real path, the first 32 hex digits as a–p. */
export const unpackedId = (dir: string) =>
  [...createHash('sha256').update(realpathSync(dir)).digest('hex').slice(0, 32)].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');

export const QUERIES = [
  'acme', 'ALICE', '"seq":99999', 'nothing-matches-this', '/"price":1\\d\\d\\.5/', '/bob|glob/i', '$.type == "trade"',
  '$.price > 150', '$.user.name ~ /^b/', 'exists($.error)', '-$.type == "trade"', 'dir:sent', 'op:binary', 'size>100',
  'conn:3', 'time:10s..20s', 'dir:sent acme', 'acme OR bolt', '-(dir:sent OR op:binary)', '($.price > 120 OR bob) -glob',
];

/** The payload of frame k (self-contained: the filter bench sends its source to the page). */
export function payload(i: number): string {
  const symbols = ['ACME', 'INIT', 'GLOB', 'BOLT'];
  const s = JSON.stringify({ type: i % 4 === 0 ? 'quote' : 'trade', symbol: symbols[i % 4], seq: i, price: 100 + (i % 997) / 10, user: { name: i % 7 === 0 ? 'bob' : 'alice' }, ...(i % 50 === 0 ? { error: 'late' } : {}) });
  return (s + ' '.repeat(200)).slice(0, 200);
}

/** Frame k's other fields: connection 1–8, one in five sent, 20,000 frames a second. */
export const frameFields = (k: number) => ({ id: k + 1, conn: (k % 8) + 1, dir: k % 5 === 0 ? ('sent' as const) : ('received' as const), opcode: 1, ts: k / 20_000, size: 200 });

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** The p-th quantile, nearest rank: the smallest value with at least p of the values at or below it. */
export const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(xs.length * p) - 1)];

/**
 * The Frameline panel page in a tab of its own (1200×800), its store ready (`globalThis.__frameline`), with a memory
 * budget of 8 GB in its settings: the panel applies its saved budget once the settings are read, which may come after
 * a bench has filled the store (the default 500 MB would then evict frames the bench counts on).
 */
export async function openPanelTab(chrome: Chrome): Promise<Page> {
  const panel = await chrome.browser.newPage();
  await panel.setViewport({ width: 1200, height: 800 });
  await panel.goto(`chrome-extension://${chrome.extensionId}/src/panel/index.html`);
  await waitInFrame(panel.mainFrame(), `!!globalThis.__frameline`);
  await panel.evaluate(`chrome.storage.local.set({ 'frameline.settings': { memoryBudgetMB: 8192 } })`);
  await panel.reload();
  await waitInFrame(panel.mainFrame(), `!!globalThis.__frameline && globalThis.__frameline.store.budgetBytes === 8192 * 1024 * 1024`);
  return panel;
}

/**
 * A tab at `url` with DevTools open and the null listener's DevTools page capturing it (the benches' baseline).
 * `panelShown`: DevTools shows the null listener's panel, which shows nothing that moves. Any shown extension panel
 * makes its extension's renderer a foreground process; with no visible frame (DevTools on another panel, or no panel)
 * Chromium runs it at a lower priority (nice 5 against the page's 0 on Linux), so under a saturated CPU the debugger's
 * events, which that renderer receives, yield to the page. Frameline with its panel shown pays that priority too: this
 * baseline tells what Frameline's own work costs from what any shown panel does.
 */
export async function inspectWithNullListener(
  chrome: Chrome,
  url: string,
  { panelShown = false }: { panelShown?: boolean } = {},
): Promise<{ page: Page; dt: Page; listener: Frame }> {
  const page = await chrome.browser.newPage();
  await page.goto(url);
  const dt = await page.openDevTools();
  const listener = await dt.waitForFrame((f) => f.url().startsWith('chrome-extension://') && f.url().endsWith('/devtools.html'), { timeout: 30_000 });
  await waitInFrame(listener, `document.documentElement.dataset.capturePhase === 'capturing'`, { what: 'the null listener to attach' });
  if (panelShown) {
    await showNullPanel(dt, new URL(listener.url()).host);
  }
  return { page, dt, listener };
}

/** Show the null listener's static panel in DevTools `dt` (its extension's id `id`). */
export async function showNullPanel(dt: Page, id: string): Promise<void> {
  // DevTools names an extension panel's view by the extension's origin and the panel's title without spaces.
  const view = `chrome-extension://${id}${NULL_PANEL_TITLE.replace(/\s/g, '')}`;
  await waitForView(dt, view, { what: "The null listener's panel" });
  const shown = dt.waitForFrame((f) => f.url() === `chrome-extension://${id}/panel.html`, { timeout: 30_000 });
  await showView(dt, view);
  await shown;
}

/** The null listener's panel title (test/bench/null-listener/devtools.js). */
const NULL_PANEL_TITLE = 'Null listener';

// Latency probes shared by ceiling.bench.ts and tab.bench.ts ------------------------------------------------------

/** What runs a script in a page or frame (both puppeteer's Page and Frame). */
type Evaluates = Pick<Frame, 'evaluate'>;

/** Percentile by floor rank (the latency figures' own, kept as they were measured). */
export const pctFloor = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

/**
 * Start noting, as (epoch ms, seq) pairs, when each event of the bench stream reached the capturer (`window.__arrivals`
 * in `host`) and, with Frameline's `panel`, the highest seq among its rows each time a render changes them: a
 * MutationObserver, whose callback runs at the end of the render that put the rows in the DOM, in the task that paints
 * them (`window.__lat`). A timer polling the rows instead waits behind the capture's queued tasks after the frame is
 * painted: measured at 5k frames/s, a 4 ms poll saw rows p50 6–22 ms and p99 38–284 ms later than the observer.
 * For Frameline a second debugger listener in its capture host (its DevTools page, or the panel page in a tab) notes
 * arrivals; the null listener notes its own (null-listener/count.js) once `window.__arrivals` exists.
 */
export async function startLatencyProbes(host: Evaluates, panel?: Evaluates): Promise<void> {
  if (!panel) {
    await host.evaluate(`(() => { window.__arrivals = []; })()`);
    return;
  }
  await host.evaluate(`(() => {
    window.__arrivals = [];
    chrome.debugger.onEvent.addListener((source, method, params) => {
      if (method !== 'Network.webSocketFrameReceived') return;
      const d = params.response.payloadData;
      if (d.charCodeAt(2) === 115 && d.startsWith('{"seq":')) window.__arrivals.push(performance.timeOrigin + performance.now(), parseInt(d.slice(7), 10));
    });
  })()`);
  await panel.evaluate(`(() => {
    window.__lat = []; window.__stop = false;
    const best = () => {
      let b = -1;
      for (const r of document.querySelectorAll('[data-testid="frame-row"]')) {
        const t = r.textContent; const i = t.indexOf('"seq":');
        if (i >= 0) b = Math.max(b, parseInt(t.slice(i + 6), 10));
      }
      return b;
    };
    new MutationObserver(() => { if (!window.__stop) window.__lat.push(performance.timeOrigin + performance.now(), best()); })
      .observe(document.body, { childList: true, characterData: true, subtree: true });
  })()`);
}

/**
 * Stop the probes and read, in ms, for the frames of the stream (`at`: when the page received each seq): page → event
 * in the capturer (`delivery`), and with a panel event → row in the DOM (`added`) and page → row (`shown`).
 */
export async function readLatencies(host: Evaluates, panel: Evaluates | undefined, at: number[]) {
  const total = at.length;
  // (time, seq) pairs → the time each seq's event arrived.
  const arrivals = (await host.evaluate(`window.__arrivals`)) as number[];
  const eventAt = new Array<number>(total);
  for (let i = 0; i < arrivals.length; i += 2) if (arrivals[i + 1] < total) eventAt[arrivals[i + 1]] = arrivals[i];
  // (time, highest seq among the rows) samples → the time each seq's row was first seen (every seq up to the highest).
  const shownAt = new Array<number>(total);
  if (panel) {
    const samples = (await panel.evaluate(`(() => { window.__stop = true; return window.__lat; })()`)) as number[];
    let k = 0;
    for (let i = 0; i < samples.length; i += 2) for (; k <= samples[i + 1] && k < total; k++) shownAt[k] = samples[i];
  }
  const delivery: number[] = [];
  const added: number[] = [];
  const shown: number[] = [];
  for (let k = 0; k < total; k++) {
    if (eventAt[k] !== undefined) delivery.push(eventAt[k] - at[k]);
    if (shownAt[k] !== undefined) shown.push(shownAt[k] - at[k]);
    if (shownAt[k] !== undefined && eventAt[k] !== undefined) added.push(shownAt[k] - eventAt[k]);
  }
  return { delivery, added, shown };
}

/** Latency runs' medians of their p50 and p99 (`p50 12 ms / p99 40 ms`). */
export const latencySummary = (xs: Array<{ p50: number; p99: number }>) =>
  `p50 ${Math.round(median(xs.map((x) => x.p50)))} ms / p99 ${Math.round(median(xs.map((x) => x.p99)))} ms`;
/** Each latency run's p99 (`p99 40 / 52 ms`). */
export const p99Spread = (xs: Array<{ p99: number }>) => `p99 ${xs.map((x) => Math.round(x.p99)).join(' / ')} ms`;

/**
 * The panel's scheduled renders so far (`__frameline.renders`): how many, their busy milliseconds in all, the machine's
 * idle share as the render governor last read it, and when (the panel's performance.now()).
 */
export const readRenders = (panel: Evaluates) =>
  panel.evaluate(`(() => { const r = globalThis.__frameline.renders; return { n: r.renders, ms: r.ms, idle: r.idle, at: performance.now() }; })()`) as Promise<{
    n: number;
    ms: number;
    idle: number | undefined;
    at: number;
  }>;

/**
 * Receive the bench server's stream of `total` frames in the page: when each seq arrived (epoch ms) and how long the
 * whole stream took the page (ms).
 */
export async function receiveStream(page: Page, wsUrl: string, total: number): Promise<{ at: number[]; ms: number }> {
  return (await page.evaluate(`new Promise((done) => {
    const s = new WebSocket(${JSON.stringify(wsUrl)});
    const at = new Array(${total}); let t0 = 0;
    s.onopen = () => { t0 = performance.now(); s.send('go'); };
    s.onmessage = (e) => {
      const d = e.data;
      if (d.startsWith('{"done"')) { s.close(); done({ at, ms: performance.now() - t0 }); return; }
      at[parseInt(d.slice(7), 10)] = performance.timeOrigin + performance.now();
    };
  })`)) as { at: number[]; ms: number };
}

// Keystrokes in the filter box, shared by timeline.bench.ts and input.bench.ts ------------------------------------

/**
 * Note in `panel`, for every keystroke that changes the filter box, the time from the key event to the first task after
 * the next frame is painted (a message posted from the animation frame after the input event; read with readKeyTimes,
 * split with readKeySplits), and the browser's own keystroke → frame presented (Event Timing; readPresented).
 */
export async function startKeyProbe(panel: Evaluates): Promise<void> {
  await panel.evaluate(`(() => {
    window.__keys = []; window.__keySplits = [];
    let down = 0, seen = 0, handled = 0, frame = 0; const mc = new MessageChannel();
    mc.port1.onmessage = () => {
      const now = performance.now();
      window.__keys.push(now - down);
      window.__keySplits.push([seen - down, handled - seen, frame - handled, now - frame]);
    };
    addEventListener('keydown', (e) => { down = e.timeStamp; seen = performance.now(); }, true);
    addEventListener('input', () => requestAnimationFrame(() => { frame = performance.now(); mc.port2.postMessage(0); }), true);
    // Bubbling to the window comes after the filter box's own handler and the render it causes (a microtask).
    addEventListener('input', () => { handled = performance.now(); });
    window.__presented = [];
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) if (e.name === 'keydown') window.__presented.push(e.duration);
    }).observe({ type: 'event', durationThreshold: 16 });
  })()`);
}

/**
 * Keystroke → its next frame presented, as the browser's Event Timing reports it (a keydown's duration: what INP
 * measures, to 8 ms), for the `keys` keystrokes typed: those under 16 ms are not reported and count as 16.
 */
export async function readPresented(panel: Evaluates, keys: number): Promise<number[]> {
  const d = (await panel.evaluate(`window.__presented`)) as number[];
  return [...d, ...Array<number>(Math.max(0, keys - d.length)).fill(16)];
}

/** Where each keystroke's time went: [delivery to the panel, its handling, waiting for a frame, the frame], ms. */
export const readKeySplits = (panel: Evaluates) => panel.evaluate(`window.__keySplits`) as Promise<Array<[number, number, number, number]>>;

export const readKeyTimes = (panel: Evaluates) => panel.evaluate(`window.__keys`) as Promise<number[]>;

/** Type each query into the panel's filter box, from an empty box, a key every `gapMs` (`keyboard`: the panel's page's). */
export async function typeQueries(panel: Pick<Frame, 'focus' | '$eval'>, keyboard: Keyboard, queries: readonly string[], gapMs: number): Promise<void> {
  await panel.focus('[data-testid="filter-input"]');
  for (const q of queries) {
    await panel.$eval('[data-testid="filter-input"]', (el) => ((el as HTMLInputElement).value = ''));
    for (const ch of q) {
      await keyboard.type(ch);
      await new Promise((r) => setTimeout(r, gapMs));
    }
  }
}

export interface Timed {
  firstMs: number;
  doneMs: number;
  longestTaskMs: number;
  visible: number;
}

/** Type a query into the filter box (one input event); time the first rows painted, completion, the longest task. */
export async function typeQuery(panel: Page, q: string): Promise<Timed> {
  const r = (await panel.evaluate(`new Promise((done) => {
    const longest = { ms: 0 };
    const obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) longest.ms = Math.max(longest.ms, e.duration); });
    obs.observe({ type: 'longtask' });
    const input = document.querySelector('[data-testid="filter-input"]');
    const store = globalThis.__frameline.store; const before = store.filter;
    const t0 = performance.now(); let first = 0;
    input.value = ${JSON.stringify(q)};
    input.dispatchEvent(new Event('input', { bubbles: true }));
    // Applied: the store has the new filter; first rows: a frame painted with rows of it; complete: no scan left.
    const check = () => {
      const now = performance.now() - t0;
      if (store.filter !== before) {
        if (!first && (store.visibleCount === 0 || document.querySelectorAll('[data-testid="frame-row"]').length > 0)) first = now;
        if (!store.filtering) {
          setTimeout(() => { obs.disconnect(); done({ firstMs: first || now, doneMs: now, longestTaskMs: longest.ms, visible: store.visibleCount }); }, 100);
          return;
        }
      }
      requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  })`)) as Timed;
  await panel.evaluate(`(() => { const i = document.querySelector('[data-testid="filter-input"]'); i.value = ''; i.dispatchEvent(new Event('input', { bubbles: true })); })()`);
  await new Promise((res) => setTimeout(res, 200));
  return r;
}
