// Side by side with Chrome DevTools' own Messages view (Network panel › the socket › Messages), in the same Chromium,
// alternating runs (BENCH_PEER_RUNS, default 3), each in a browser of its own:
// - a 20,000-frame burst of 200 B JSON: when the page had it all, and when the view listed it all (Frameline: its
//   count; DevTools: its grid's rows), and the longest time the view's DevTools window did not answer (polled every
//   250 ms: a window that does not answer has a blocked main thread);
// - then a filter at those 20,000 frames, a substring in 1 frame of 10 (inserted at once, as a paste): when the view
//   listed exactly the matches (polled every 20 ms);
// - a live stream of 2,000 frames/s for 20 s: how many frames the view listed when the page had the last one, how
//   long after that it listed them all, and the longest time its window did not answer.
// DevTools internals (NetworkLog, NetworkPanel) are used here only, as peers.md describes.
import { it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Page } from 'puppeteer';
import { startServer } from '../support/server.mjs';
import { chromiumPath, inspect, launchChromium } from '../e2e/browser';
import { median } from './support';
import { chromiumArgs, showView, waitForView } from '../../scripts/devtools.mjs';

const N = 20_000;
const RUNS = Number(process.env.BENCH_PEER_RUNS ?? 3);
/** How long a view may take to show the frames before the run counts it as never (DevTools took 18 s in peers.md). */
const GIVE_UP_MS = 120_000;
/** Matches the frames whose seq ends in 0: 2,000 of the 20,000 (the burst's texts are {"seq":i,"pad":"xx…"}). */
const QUERY = '0,"pad"';
const MATCHES = N / 10;
const RATE = 2000;
const SECONDS = 20;

type Who = 'Frameline' | "DevTools' Messages";

/** A view of the page's socket, opened (the socket too). */
interface View {
  page: Page;
  /** Frames the view lists (all, unfiltered). */
  listed(): Promise<number>;
  /** Frames the view lists through its filter. */
  visible(): Promise<number>;
  filter(q: string): Promise<void>;
  close(): Promise<void>;
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

/** The page's socket to `url`, open. */
const openSocket = (url: string) => `new Promise((open) => { window.ws = new WebSocket(${JSON.stringify(url)}); window.got = 0; ws.onopen = open; })`;
/** The burst: resolves when the page has all N frames. */
const burst = `new Promise((done) => { const t0 = performance.now(); ws.onmessage = () => { if (++window.got === ${N}) done(performance.now() - t0); }; ws.send('go'); })`;
/** The stream: resolves when the page has its last message ({"done":n}). */
const stream = `new Promise((done) => { const t0 = performance.now(); ws.onmessage = (e) => { window.got++; if (e.data.startsWith('{"done"')) done(performance.now() - t0); }; ws.send('go'); })`;

async function openFrameline(page0: string, url: string): Promise<View> {
  const chrome = await launchChromium();
  try {
    const { page, panel } = await inspect(chrome, page0);
    await new Promise((r) => setTimeout(r, 1000)); // DevTools' start-up settles
    await page.evaluate(openSocket(url));
    const count = (k: 'total' | 'visible') => async () => Number(await panel.evaluate(`document.querySelector('[data-testid="frame-count"]')?.dataset.${k} ?? -1`));
    return {
      page,
      listed: count('total'),
      visible: count('visible'),
      async filter(q) {
        await panel.$eval('[data-testid="filter-input"]', (el, text) => {
          (el as HTMLInputElement).value = text;
          el.dispatchEvent(new Event('input', { bubbles: true }));
        }, q);
      },
      close: () => chrome.close(),
    };
  } catch (e) {
    await chrome.close();
    throw e;
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

async function openDevToolsMessages(page0: string, url: string): Promise<View> {
  const profile = mkdtempSync(join(tmpdir(), 'frameline-peer-'));
  const browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    userDataDir: profile,
    args: chromiumArgs(),
  });
  const close = async () => {
    await browser.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const page = await browser.newPage();
    await page.goto(page0);
    const dt: Page = await page.openDevTools();
    await waitForView(dt, 'network', { what: "DevTools' Network panel" });
    await showView(dt, 'network');
    await new Promise((r) => setTimeout(r, 1000)); // DevTools' start-up settles
    await page.evaluate(openSocket(url));
    // The socket's Messages tab, shown. DevTools records the sockets made while it is open, but one made in its first
    // moments can be missed: then the page opens its socket again.
    for (let i = 1; ; i++) {
      const ok = await dt.evaluate(`(async () => {
        const Logs = await import('./models/logs/logs.js');
        const Network = await import('./panels/network/network.js');
        const ws = Logs.NetworkLog.NetworkLog.instance().requests().findLast((r) => r.resourceType().name() === 'websocket');
        const panel = Network.NetworkPanel.NetworkPanel.instance();
        if (ws && !(await ${MESSAGES})) await panel.selectAndActivateRequest(ws, 'web-socket-frames');
        return !!(await ${MESSAGES});
      })()`);
      if (ok) break;
      if (i > 300) throw new Error("DevTools' Messages view did not open");
      if (i % 30 === 0) await page.evaluate(`ws.close(), ${openSocket(url)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1000));
    const rows = async () => (await dt.evaluate(gridRows)) as number;
    return {
      page,
      listed: rows,
      visible: rows,
      async filter(q) {
        // Its filter box (an editable prompt in the Messages view's toolbar), the whole text inserted at once, as a
        // paste does (Frameline's gets one input event with the whole text too).
        await dt.evaluate(`(async () => {
          const view = await ${MESSAGES};
          let prompt = null;
          const walk = (el) => { if (el.shadowRoot) walk(el.shadowRoot); for (const c of el.children) { if (!prompt && c.classList?.contains('toolbar-input-prompt')) prompt = c; walk(c); } };
          walk(view.element);
          prompt.focus();
          document.execCommand('insertText', false, ${JSON.stringify(q)});
        })()`);
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

const open = (who: Who, page0: string, url: string) => (who === 'Frameline' ? openFrameline : openDevToolsMessages)(page0, url);

interface BurstRun {
  pageMs: number;
  shownMs: number | null;
  longestUnansweredMs: number;
  filterMs: number | null;
}

async function burstRun(who: Who, page0: string, url: string): Promise<BurstRun> {
  const v = await open(who, page0, url);
  try {
    const t0 = Date.now();
    const pageMs = (await v.page.evaluate(burst)) as number;
    const shown = await until(async () => (await v.listed()) >= N + 1, t0); // the burst and the 'go' sent
    let filterMs: number | null = null;
    if (shown.at !== null) {
      const f0 = Date.now();
      await v.filter(QUERY);
      filterMs = (await until(async () => (await v.visible()) === MATCHES, f0, 20)).at;
    }
    return { pageMs, shownMs: shown.at, longestUnansweredMs: shown.longest, filterMs };
  } finally {
    await v.close();
  }
}

interface StreamRun {
  pageMs: number;
  /** Frames the view listed when the page had the last one (its last answer before then), of all it had. */
  listedAtEnd: number;
  total: number;
  /** From the page's last message until the view listed them all. */
  allAfterMs: number | null;
  longestUnansweredMs: number;
}

async function streamRun(who: Who, page0: string, url: string): Promise<StreamRun> {
  const v = await open(who, page0, url);
  try {
    const t0 = Date.now();
    let pageDone = 0;
    let pageMs = 0;
    const streaming = v.page.evaluate(stream).then((ms) => {
      pageMs = ms as number;
      pageDone = Date.now();
    });
    const total = RATE * SECONDS + 2; // the frames, the "done" message and the 'go' sent
    // What the view listed when the page had its last message: its last answer that came before (a window that does
    // not answer shows nothing newer either).
    let listedAtEnd = 0;
    const all = await until(async () => {
      const n = await v.listed();
      if (!pageDone) listedAtEnd = n;
      return pageDone > 0 && n >= total;
    }, t0);
    await streaming;
    return { pageMs, listedAtEnd, total, allAfterMs: all.at === null ? null : t0 + all.at - pageDone, longestUnansweredMs: all.longest };
  } finally {
    await v.close();
  }
}

it("side by side with Chrome DevTools' Messages view: a 20,000-frame burst, a filter, a 2k frames/s stream", async () => {
  const srv = await startServer();
  srv.page('/blank.html', '<!doctype html><title>bench</title>');
  const page0 = srv.origin + '/blank.html';
  const bursts: Record<Who, BurstRun[]> = { Frameline: [], "DevTools' Messages": [] };
  const streams: Record<Who, StreamRun[]> = { Frameline: [], "DevTools' Messages": [] };
  try {
    for (let r = 0; r < RUNS; r++) {
      // Alternating: each run starts with the other view.
      for (const who of r % 2 ? (['Frameline', "DevTools' Messages"] as const) : (["DevTools' Messages", 'Frameline'] as const)) {
        bursts[who].push(await burstRun(who, page0, srv.wsUrl(`/burst?n=${N}&size=200`)));
        streams[who].push(await streamRun(who, page0, srv.wsUrl(`/stream?rate=${RATE}&seconds=${SECONDS}&size=200`)));
      }
    }
  } finally {
    await srv.close();
  }
  const s = (ms: number | null) => (ms === null ? `not within ${GIVE_UP_MS / 1000} s` : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);
  const medOrNull = (xs: Array<number | null>) => (xs.some((x) => x === null) ? null : median(xs as number[]));
  const whos = Object.keys(bursts) as Who[];
  const burstRows = whos.map((who) => {
    const rs = bursts[who];
    return {
      view: who,
      page_had_all: s(median(rs.map((r) => r.pageMs))),
      view_listed_all: s(medOrNull(rs.map((r) => r.shownMs))),
      after_the_page: s(medOrNull(rs.map((r) => (r.shownMs === null ? null : r.shownMs - r.pageMs)))),
      longest_unanswered: s(median(rs.map((r) => r.longestUnansweredMs))),
      [`filter '${QUERY}' (${MATCHES} of ${N})`]: s(medOrNull(rs.map((r) => r.filterMs))),
      runs: rs.map((r) => `${s(r.shownMs)} / ${s(r.filterMs)}`).join('; '),
    };
  });
  const streamRows = whos.map((who) => {
    const rs = streams[who];
    return {
      view: who,
      [`${RATE} frames/s for ${SECONDS} s: page had all`]: s(median(rs.map((r) => r.pageMs))),
      listed_then: `${median(rs.map((r) => r.listedAtEnd))} of ${rs[0].total}`,
      all_listed_after: s(medOrNull(rs.map((r) => r.allAfterMs))),
      longest_unanswered: s(median(rs.map((r) => r.longestUnansweredMs))),
      runs: rs.map((r) => `${r.listedAtEnd} / ${s(r.allAfterMs)} / ${s(r.longestUnansweredMs)}`).join('; '),
    };
  });
  console.table(burstRows);
  console.table(streamRows);
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    new URL(`peers-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, dir),
    JSON.stringify({ cores: cpus().length, frames: N, query: QUERY, rate: RATE, seconds: SECONDS, bursts, streams, burstRows, streamRows }, null, 2),
  );
}, 3_600_000);
