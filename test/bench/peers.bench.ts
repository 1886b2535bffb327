// Side by side with Chrome DevTools' own Messages view (Network panel › the socket › Messages), in the same Chromium,
// alternating runs (BENCH_PEER_RUNS, default 3), each in a browser of its own:
// - a 20,000-frame burst of 200 B JSON: when the page had it all, and when the view showed it all (Frameline: its
//   count and the last frame's row; DevTools: its grid's rows), and the longest time the view's DevTools window did
//   not answer (polled every 250 ms: a window that does not answer has a blocked main thread);
// - then a filter typed at those 20,000 frames, a substring in 1 frame of 10 (inserted at once, as a paste): when the
//   view showed exactly the matches (polled every 20 ms; the burst's figures every 250 ms).
// DevTools internals (NetworkLog, NetworkPanel) are used here only, as peers.md describes.
import { it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Frame, type Page } from 'puppeteer';
import { startServer } from '../support/server.mjs';
import { chromiumPath, inspect, launchChromium } from '../e2e/browser';
import { median } from './support';

const N = 20_000;
const RUNS = Number(process.env.BENCH_PEER_RUNS ?? 3);
/** How long a view may take to show the burst before the run counts it as never (DevTools took 18 s in peers.md). */
const GIVE_UP_MS = 120_000;
/** Matches the frames whose seq ends in 0: 2,000 of the 20,000 (the burst's texts are {"seq":i,"pad":"xx…"}). */
const QUERY = '0,"pad"';
const MATCHES = N / 10;

interface Run {
  pageMs: number;
  shownMs: number | null;
  longestUnansweredMs: number;
  filterMs: number | null;
}

/** Poll `probe` (in a DevTools or panel context) every `everyMs` until it returns true; the longest wait for an answer. */
async function until(probe: () => Promise<boolean>, t0: number, everyMs = 250): Promise<{ at: number | null; longest: number }> {
  let longest = 0;
  for (;;) {
    const asked = Date.now();
    const ok = await probe();
    longest = Math.max(longest, Date.now() - asked);
    if (ok) return { at: Date.now() - t0, longest };
    if (Date.now() - t0 > GIVE_UP_MS) return { at: null, longest };
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The page's socket to the burst server, open; then the burst: resolves when the page has all N frames. */
const openSocket = (url: string) => `new Promise((open) => { window.ws = new WebSocket(${JSON.stringify(url)}); window.got = 0; ws.onopen = open; })`;
const burst = `new Promise((done) => { const t0 = performance.now(); ws.onmessage = () => { if (++window.got === ${N}) done(performance.now() - t0); }; ws.send('go'); })`;

async function frameline(url: string, page0: string): Promise<Run> {
  const chrome = await launchChromium();
  try {
    const { page, panel } = await inspect(chrome, page0);
    await new Promise((r) => setTimeout(r, 1000)); // DevTools' start-up settles
    await page.evaluate(openSocket(url));
    const t0 = Date.now();
    const pageMs = (await page.evaluate(burst)) as number;
    // Shown: every frame counted (the burst and the 'go' sent) and the last one's row in view (the tail follows).
    const shown = await until(
      () =>
        (panel as Frame).evaluate(
          `document.querySelector('[data-testid="frame-count"]')?.dataset.total === '${N + 1}' &&
           [...document.querySelectorAll('[data-testid="frame-row"]')].some((r) => r.textContent.includes('"seq":${N - 1},'))`,
        ) as Promise<boolean>,
      t0,
    );
    const f0 = Date.now();
    await panel.$eval('[data-testid="filter-input"]', (el, q) => {
      (el as HTMLInputElement).value = q as string;
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }, QUERY);
    const filtered = await until(
      () => panel.evaluate(`document.querySelector('[data-testid="frame-count"]')?.dataset.visible === '${MATCHES}'`) as Promise<boolean>,
      f0,
      20,
    );
    return { pageMs, shownMs: shown.at, longestUnansweredMs: shown.longest, filterMs: filtered.at };
  } finally {
    await chrome.close();
  }
}

/** DevTools' Messages view of the page's socket (its grid: `.data-container`, 21 px rows plus a filler row). */
const MESSAGES = `(async () => {
  const Network = await import('./panels/network/network.js');
  return Network.NetworkPanel.NetworkPanel.instance().networkItemView?.tabView('web-socket-frames') ?? null;
})()`;
const gridRows = `(async () => {
  const view = await ${MESSAGES};
  let rows = -1;
  const walk = (el) => { if (el.shadowRoot) walk(el.shadowRoot); for (const c of el.children) { if (c.classList?.contains('data-container')) rows = Math.round(c.scrollHeight / 21) - 1; else walk(c); } };
  if (view) walk(view.element);
  return rows;
})()`;

async function devtoolsMessages(url: string, page0: string): Promise<Run> {
  const profile = mkdtempSync(join(tmpdir(), 'frameline-peer-'));
  const browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    userDataDir: profile,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(page0);
    const dt: Page = await page.openDevTools();
    for (let i = 0; ; i++) {
      const ok = await dt
        .evaluate(`(async () => { const UI = await import('./ui/legacy/legacy.js'); await UI.ViewManager.ViewManager.instance().showView('network'); return true; })()`)
        .catch(() => false);
      if (ok) break;
      if (i > 300) throw new Error('DevTools did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    await page.evaluate(openSocket(url));
    // The socket's Messages tab, shown (it is recorded from its creation: DevTools was open).
    for (let i = 0; ; i++) {
      const ok = await dt.evaluate(`(async () => {
        const Logs = await import('./models/logs/logs.js');
        const Network = await import('./panels/network/network.js');
        const ws = Logs.NetworkLog.NetworkLog.instance().requests().find((r) => r.resourceType().name() === 'websocket');
        const panel = Network.NetworkPanel.NetworkPanel.instance();
        if (ws && !(await ${MESSAGES})) await panel.selectAndActivateRequest(ws, 'web-socket-frames');
        return !!(await ${MESSAGES});
      })()`);
      if (ok) break;
      if (i > 300) throw new Error("DevTools' Messages view did not open");
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1000));
    const t0 = Date.now();
    const pageMs = (await page.evaluate(burst)) as number;
    const shown = await until(async () => ((await dt.evaluate(gridRows)) as number) >= N + 1, t0);
    let filterMs: number | null = null;
    if (shown.at !== null) {
      const f0 = Date.now();
      // Its filter box (an editable prompt in the Messages view's toolbar), the whole text inserted at once, as a paste
      // does (Frameline's gets one input event with the whole text too).
      await dt.evaluate(`(async () => {
        const view = await ${MESSAGES};
        let prompt = null;
        const walk = (el) => { if (el.shadowRoot) walk(el.shadowRoot); for (const c of el.children) { if (!prompt && c.classList?.contains('toolbar-input-prompt')) prompt = c; walk(c); } };
        walk(view.element);
        prompt.focus();
        document.execCommand('insertText', false, ${JSON.stringify(QUERY)});
      })()`);
      filterMs = (await until(async () => ((await dt.evaluate(gridRows)) as number) === MATCHES, f0, 20)).at;
    }
    return { pageMs, shownMs: shown.at, longestUnansweredMs: shown.longest, filterMs };
  } finally {
    await browser.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
}

it("side by side with Chrome DevTools' Messages view: a 20,000-frame burst and a filter", async () => {
  const srv = await startServer();
  srv.page('/blank.html', '<!doctype html><title>bench</title>');
  const url = srv.wsUrl(`/burst?n=${N}&size=200`);
  const runs: Record<'Frameline' | "DevTools' Messages", Run[]> = { Frameline: [], "DevTools' Messages": [] };
  try {
    for (let r = 0; r < RUNS; r++) {
      for (const who of r % 2 ? (['Frameline', "DevTools' Messages"] as const) : (["DevTools' Messages", 'Frameline'] as const)) {
        runs[who].push(await (who === 'Frameline' ? frameline : devtoolsMessages)(url, srv.origin + '/blank.html'));
      }
    }
  } finally {
    await srv.close();
  }
  const s = (ms: number | null) => (ms === null ? `not within ${GIVE_UP_MS / 1000} s` : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);
  const medOrNull = (xs: Array<number | null>) => (xs.some((x) => x === null) ? null : median(xs as number[]));
  const rows = Object.entries(runs).map(([who, rs]) => ({
    view: who,
    page_had_all: s(median(rs.map((r) => r.pageMs))),
    view_showed_all: s(medOrNull(rs.map((r) => r.shownMs))),
    after_the_page: s(medOrNull(rs.map((r) => (r.shownMs === null ? null : r.shownMs - r.pageMs)))),
    longest_unanswered: s(median(rs.map((r) => r.longestUnansweredMs))),
    [`filter '${QUERY}' (${MATCHES} of ${N})`]: s(medOrNull(rs.map((r) => r.filterMs))),
    runs: rs.map((r) => `${s(r.shownMs)} / ${s(r.filterMs)}`).join('; '),
  }));
  console.table(rows);
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(`peers-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, dir), JSON.stringify({ cores: cpus().length, frames: N, query: QUERY, runs, rows }, null, 2));
}, 1_800_000);
