// Capture without DevTools (issue #3, item 1): Frameline's panel page as a tab of its own window (what the toolbar
// button opens: `…/src/panel/index.html?tabId=N`, the panel hosting capture itself) against the null listener's tab
// page (`test/bench/null-listener/tab.html?tabId=N`: attaches chrome.debugger, counts frames, shows nothing that
// moves). With DevTools open, its front-end is a second client of every Network event (ceiling.bench.ts); here only
// the capturer is. Per rate, BENCH_TAB_RUNS (5) alternating runs of a BENCH_TAB_SECONDS (10) stream of 200 B frames:
// whether the page kept pace, the page → event latency in the capturer (the debugger's own delivery), and for
// Frameline what it adds (event → row in the DOM, seen by a MutationObserver: see startLatencyProbes) and page → row
// visible; medians of the runs' p50 and p99, and the range of the p99s. Both windows are visible, as a user would place them side by side.
// Run: npm run bench (alone: npx vitest run --project bench test/bench/tab.bench.ts). BENCH_TAB_RATES (3000,5000).
import { it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Page } from 'puppeteer';
import { startServer } from '../support/server.mjs';
import { launchChromium, waitInFrame, type Chrome } from '../e2e/browser';
import { NULL_EXT, latencySummary, p99Spread, pctFloor as pct, readLatencies, receiveStream, startLatencyProbes, unpackedId } from './support';
import { PANEL_PAGE } from '../../src/panel/constants';

const RATES = (process.env.BENCH_TAB_RATES ?? '3000,5000').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_TAB_SECONDS ?? 10);
const RUNS = Number(process.env.BENCH_TAB_RUNS ?? 5);
type Mode = 'null listener' | 'Frameline';

/** The page at `url` in a tab, and the capturer's page for it in a window of its own. */
async function open(chrome: Chrome, mode: Mode, url: string): Promise<{ page: Page; cap: Page }> {
  const page = await chrome.browser.newPage();
  await page.goto(url);
  const id = mode === 'null listener' ? unpackedId(NULL_EXT) : chrome.extensionId;
  const path = mode === 'null listener' ? 'tab.html' : PANEL_PAGE;
  const probe = await chrome.browser.newPage();
  await probe.goto(`chrome-extension://${id}/${path}`);
  await page.bringToFront();
  const tabId = await probe.evaluate(`chrome.tabs.query({ active: true, lastFocusedWindow: true }).then((t) => t[0].id)`);
  const capUrl = `chrome-extension://${id}/${path}?tabId=${tabId}`;
  const target = chrome.browser.waitForTarget((t) => t.url() === capUrl);
  await probe.evaluate(`chrome.windows.create({ url: ${JSON.stringify(capUrl)}, type: 'normal', width: 1200, height: 800 })`);
  const cap = (await (await target).page())!;
  await probe.close();
  if (mode === 'null listener') await waitInFrame(cap.mainFrame(), `document.documentElement.dataset.capturePhase === 'capturing'`);
  else {
    await waitInFrame(cap.mainFrame(), `document.querySelector('[data-testid="capture-state"]')?.dataset.phase === 'capturing'`);
    await cap.evaluate(`chrome.storage.local.set({ 'frameline.settings': { memoryBudgetMB: 4000 } })`);
  }
  const visible = await Promise.all([page, cap].map((p) => p.evaluate('document.visibilityState')));
  if (visible.some((v) => v !== 'visible')) throw new Error(`The page and the capturer should both be visible: ${visible.join(', ')}`);
  return { page, cap };
}

async function run(srv: Awaited<ReturnType<typeof startServer>>, mode: Mode, rate: number) {
  const chrome = await launchChromium(mode === 'null listener' ? NULL_EXT : undefined);
  try {
    const { page, cap } = await open(chrome, mode, srv.origin + '/blank.html');
    // Frameline's panel page is its capture host too: arrivals and rows are noted in the same page.
    const rows = mode === 'Frameline' ? cap : undefined;
    await startLatencyProbes(cap, rows);
    const total = rate * SECONDS;
    const got = await receiveStream(page, srv.wsUrl(`/stream?rate=${rate}&seconds=${SECONDS}&size=200`), total);
    await new Promise((r) => setTimeout(r, 3000));
    const { delivery, added, shown: lat } = await readLatencies(cap, rows, got.at);
    const p = (xs: number[]) => ({ p50: pct(xs, 0.5), p99: pct(xs, 0.99) });
    return {
      mode, rate, frames: total, pageMs: Math.round(got.ms), kept: got.ms <= SECONDS * 1000 * 1.05 + 500, events: delivery.length,
      delivery: p(delivery), ...(mode === 'Frameline' ? { added: p(added), row: p(lat), rows: lat.length } : {}),
    };
  } finally {
    await chrome.close();
  }
}

it('capture without DevTools: Frameline as a tab against the null listener', async () => {
  const srv = await startServer();
  srv.page('/blank.html', '<!doctype html><title>bench</title>');
  const all: Array<Awaited<ReturnType<typeof run>>> = [];
  try {
    for (const rate of RATES) {
      for (let r = 0; r < RUNS; r++) {
        for (const mode of (r % 2 ? ['Frameline', 'null listener'] : ['null listener', 'Frameline']) as Mode[]) {
          const x = await run(srv, mode, rate);
          console.log('tab', JSON.stringify(x));
          all.push(x);
        }
      }
    }
  } finally {
    await srv.close();
  }
  const rows = RATES.flatMap((rate) => {
    const of = (m: Mode) => all.filter((x) => x.rate === rate && x.mode === m);
    const nl = of('null listener');
    const fl = of('Frameline');
    const k = `at ${rate / 1000}k frames/s`;
    const kept = (xs: typeof nl) => `page kept pace in ${xs.filter((x) => x.kept).length} of ${xs.length}`;
    return [
      { case: `null listener: page → event received ${k}`, value: latencySummary(nl.map((x) => x.delivery)), runs: `${p99Spread(nl.map((x) => x.delivery))}; ${kept(nl)}` },
      { case: `Frameline: page → event received ${k}`, value: latencySummary(fl.map((x) => x.delivery)), runs: `${p99Spread(fl.map((x) => x.delivery))}; ${kept(fl)}` },
      { case: `Frameline: event received → row visible ${k}`, value: latencySummary(fl.map((x) => x.added!)), runs: p99Spread(fl.map((x) => x.added!)) },
      {
        case: `Frameline: page → row visible ${k}`,
        value: latencySummary(fl.map((x) => x.row!)),
        runs: `${p99Spread(fl.map((x) => x.row!))}; ${fl.map((x) => `${x.rows}/${x.frames}`).join(', ')} seen${rate === 5000 ? '; target p99 ≤ 100 ms' : ''}`,
      },
    ];
  });
  console.table(rows);
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(`tab-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, dir), JSON.stringify({ cores: cpus().length, seconds: SECONDS, runs: RUNS, rates: RATES, all, rows }, null, 2));
}, 3_600_000);
