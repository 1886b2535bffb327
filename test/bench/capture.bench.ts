// Capture cost (issue #3 items 1–2, first figures): the page's own receive rate for a 20,000-frame burst of 200 B
// with DevTools open and Frameline capturing, against the same with the null-listener extension (an extension that
// only counts frames: the chrome.debugger ceiling). Alternating runs, medians, spread, loss counts, and the ratio of
// each alternating pair with a 95% interval for their median.
// Both extensions are loaded in the same browser, and each run measures every mode in it, one tab each (DevTools
// opened on the tab; the null listener stays out of a page whose URL says nullListener=off, Frameline captures only
// once its panel is shown): part of the rate's spread comes with the browser launch (measured, 32 runs of 4 per
// launch: the rate varies by about 10% between runs in one browser and about as much again between browsers), and the
// pairs of a run share their browser. A few runs share a browser; more runs start new ones.
// Run: npm run bench (BENCH_CAPTURE_RUNS, default 32 alternating runs; BENCH_CAPTURE_PER_LAUNCH, runs in one browser,
// default 4; BENCH_CAPTURE_FRAMES, default 20000; BENCH_CAPTURE_BURSTS per run, default 1; BENCH_CAPTURE_MODES, see
// below; BENCH_CAPTURE_PAYLOAD=jsonrpc for JSON-RPC answers, which Frameline pairs, against the default plain frames).
import { it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { startServer } from '../support/server.mjs';
import type { Frame, Page } from 'puppeteer';
import { launchChromium, showPanel, waitInFrame, type Chrome } from '../e2e/browser';
import { NULL_EXT, median, quiet, showNullPanel, unpackedId } from './support';
import { DEVTOOLS_PAGE_PATH, PANEL_PATH, showView } from '../../scripts/devtools.mjs';

const N = Number(process.env.BENCH_CAPTURE_FRAMES ?? 20_000);
/**
 * Bursts in each browser run (the run's rate is over all of them). Measured here: the rate varies from one browser
 * launch to the next (±20%) far more than between bursts of one launch, so more pairs narrow the figure, more bursts
 * per run do not.
 */
const BURSTS = Number(process.env.BENCH_CAPTURE_BURSTS ?? 1);
/** BENCH_CAPTURE_PAYLOAD=jsonrpc: the burst's frames are JSON-RPC answers, so Frameline's pairing reads every one. */
const RPC = process.env.BENCH_CAPTURE_PAYLOAD === 'jsonrpc';
const RUNS = Number(process.env.BENCH_CAPTURE_RUNS ?? 32); // noisy (pairs 0.7–1.3): many more pairs than the minimum of 5
const PER_LAUNCH = Number(process.env.BENCH_CAPTURE_PER_LAUNCH ?? 4);
/** The longest wait for a quiet machine before a burst (see quiet in support.ts). */
const SETTLE_MAX_MS = 20_000;
/**
 * BENCH_CAPTURE_MODES='null listener|Frameline|Frameline, panel hidden' adds the panel hidden (what rendering costs);
 * '…|null listener, panel shown' adds the null listener with its static panel shown (the same process priority as
 * Frameline's shown panel: see inspectWithNullListener in support.ts), and Frameline's ratio to it.
 */
type Mode = 'null listener' | 'null listener, panel shown' | 'Frameline' | 'Frameline, panel hidden';
const MODES = (process.env.BENCH_CAPTURE_MODES?.split('|') ?? ['null listener', 'Frameline']) as Mode[];

/**
 * A distribution-free 95% interval for the median of `xs` (order statistics: the k-th smallest to the k-th largest,
 * k the largest rank with P(Binomial(n, ½) < k) ≤ 2.5%). With fewer than 6 values it is the whole range.
 */
function medianInterval(xs: number[]): [number, number] {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  let k = 0;
  let below = 0; // P(Binomial(n, ½) < k + 1)
  for (let c = 1 / 2 ** n, i = 0; i < n; c = (c * (n - i)) / (i + 1), i++) {
    below += c;
    if (below > 0.025) break;
    k = i + 1;
  }
  return [s[Math.max(0, k - 1)], s[Math.min(n - 1, n - Math.max(1, k))]];
}

/** The tab, its DevTools, and where the count of captured frames is read, for one mode in a browser with both extensions. */
async function open(chrome: Chrome, mode: Mode, origin: string): Promise<{ page: Page; dt: Page; counter: Frame; countExpr: string; other: () => Promise<string> }> {
  const frameline = mode.startsWith('Frameline');
  const page = await chrome.browser.newPage();
  await page.goto(`${origin}/blank.html${frameline ? '?nullListener=off' : ''}`);
  const dt = await page.openDevTools();
  const nullId = unpackedId(NULL_EXT);
  const [flPage, nullPage] = await Promise.all([
    dt.waitForFrame((f) => f.url() === `chrome-extension://${chrome.extensionId}/${DEVTOOLS_PAGE_PATH}`, { timeout: 30_000 }),
    dt.waitForFrame((f) => f.url() === `chrome-extension://${nullId}/devtools.html`, { timeout: 30_000 }),
  ]);
  // Whether the other extension stayed out of this mode's run: its DevTools page's capture phase (a page busy or
  // unloading may not answer), and for Frameline, whether its panel (where its capture starts) was ever loaded.
  const phaseOf = (f: Frame) => () =>
    Promise.race([
      f.evaluate(`document.documentElement.dataset.capturePhase ?? 'idle'`) as Promise<string>,
      new Promise<string>((r) => setTimeout(() => r('no answer'), 5000)),
    ]);
  const flPanelLoaded = () => dt.frames().some((f) => f.url().startsWith(`chrome-extension://${chrome.extensionId}/${PANEL_PATH}`));
  if (frameline) {
    const panel = await showPanel(dt, chrome.extensionId);
    await waitInFrame(panel, `document.querySelector('[data-testid="capture-state"]')?.dataset.phase === 'capturing'`, { what: 'capture to start' });
    if (mode === 'Frameline, panel hidden') {
      await showView(dt, 'elements'); // the panel renders nothing now (its store still counts): as the null listener's runs
      return { page, dt, counter: panel, countExpr: `globalThis.__frameline.store.frameCount`, other: phaseOf(nullPage) };
    }
    return { page, dt, counter: panel, countExpr: `Number(document.querySelector('[data-testid="frame-count"]').dataset.total)`, other: phaseOf(nullPage) };
  }
  await waitInFrame(nullPage, `document.documentElement.dataset.capturePhase === 'capturing'`, { what: 'the null listener to attach' });
  if (mode === 'null listener, panel shown') await showNullPanel(dt, nullId);
  const other = async () => (flPanelLoaded() ? 'panel loaded' : phaseOf(flPage)());
  return { page, dt, counter: nullPage, countExpr: `Number(document.documentElement.dataset.frames ?? 0)`, other };
}

it('page receive rate: Frameline vs the null listener', async () => {
  const srv = await startServer();
  srv.page('/blank.html', '<!doctype html><title>bench</title>');
  const burst = `new Promise((done) => {
    const s = new WebSocket(${JSON.stringify(srv.wsUrl(`/burst?n=${N}&size=200${RPC ? '&rpc=1' : ''}`))});
    let n = 0, t0 = 0;
    s.onopen = () => { t0 = performance.now(); s.send('go'); };
    s.onmessage = () => { if (++n === ${N}) { done(performance.now() - t0); s.close(); } };
  })`;
  const results = Object.fromEntries(MODES.map((m) => [m, { rate: [] as number[], caught: [] as number[], lost: [] as number[] }]));
  try {
    for (let first = 0; first < RUNS; first += PER_LAUNCH) {
      const chrome = await launchChromium(undefined, { alsoLoad: [NULL_EXT] });
      try {
        for (let run = first; run < Math.min(RUNS, first + PER_LAUNCH); run++) {
          // Alternating: each run starts with the next mode.
          for (const mode of MODES.map((_, i) => MODES[(i + run) % MODES.length])) {
            const { page, dt, counter, countExpr, other } = await open(chrome, mode, srv.origin);
            // DevTools has just opened: let its start-up work settle, in every mode, before the page's clock starts.
            const waited = await quiet({ maxMs: SETTLE_MAX_MS });
            if (waited >= SETTLE_MAX_MS) console.warn(`${mode}, run ${run}: the machine was still busy after ${SETTLE_MAX_MS} ms; measuring anyway`);
            // BURSTS bursts in this tab (each once the last one is counted): the run's rate is over all of them.
            let ms = 0;
            let got = 0;
            const caught: number[] = [];
            for (let b = 1; b <= BURSTS; b++) {
              const t0 = Date.now();
              ms += (await page.evaluate(burst)) as number;
              got = await waitInFrame<number>(counter, `(() => { const n = ${countExpr}; return n >= ${b * (N + 1)} ? n : 0; })()`, {
                timeout: 120_000,
                what: `${mode} to count burst ${b}`,
              }).catch(() => got);
              caught.push(Date.now() - t0);
            }
            const otherPhase = await other();
            if (!['idle', 'no answer'].includes(otherPhase)) throw new Error(`${mode}: the other extension was capturing too (${otherPhase})`);
            results[mode].rate.push(((BURSTS * N) / ms) * 1000);
            results[mode].caught.push(median(caught));
            results[mode].lost.push(BURSTS * (N + 1) - got);
            // DevTools opens on the panel it last showed: leave it on Elements (where a fresh profile's DevTools opens), so
            // the null listener's runs show what they showed in browsers of their own, and Frameline's panel is shown
            // (and captures) only in Frameline's runs. Closing the tab closes its DevTools, and with it Frameline's capture.
            await showView(dt, 'elements');
            await page.close();
          }
        }
      } finally {
        await chrome.close();
      }
    }
  } finally {
    await srv.close();
  }
  const row = (name: string) => {
    const r = results[name];
    return {
      case: name,
      page_rate_fps: Math.round(median(r.rate)),
      spread: `${Math.round(Math.min(...r.rate))}–${Math.round(Math.max(...r.rate))}`,
      all_counted_after_ms: Math.round(median(r.caught)), // from a burst's start, median over the bursts
      lost: r.lost.join('/'),
    };
  };
  const rows: Array<Record<string, string | number>> = MODES.map(row);
  const ratios: Record<string, { ratio: number; paired: number; pairs: number[]; pairedInterval95: [number, number] }> = {};
  const compare = (mode: Mode, base: Mode, target: string) => {
    const ratio = median(results[mode].rate) / median(results[base].rate);
    // The machine drifts between runs: the ratio of each alternating pair is the steadier figure.
    const pairs = results[mode].rate.map((r, i) => r / results[base].rate[i]);
    const paired = median(pairs);
    const ci = medianInterval(pairs);
    ratios[`${mode} ÷ ${base}`] = { ratio, paired, pairs, pairedInterval95: ci };
    rows.push({ case: `${mode} ÷ ${base} (medians)`, page_rate_fps: +ratio.toFixed(2), spread: target, all_counted_after_ms: 0, lost: '' });
    rows.push({ case: `${mode} ÷ ${base} (median of pairs)`, page_rate_fps: +paired.toFixed(2), spread: `95% interval ${ci.map((x) => x.toFixed(2)).join('–')}${target ? `; ${target}` : ''}`, all_counted_after_ms: 0, lost: `pairs ${pairs.map((x) => x.toFixed(2)).join(' ')}` });
  };
  for (const mode of MODES.filter((m) => m !== 'null listener')) compare(mode, 'null listener', mode.startsWith('Frameline') ? 'target ≥ 0.95' : '');
  if (MODES.includes('null listener, panel shown') && MODES.includes('Frameline')) compare('Frameline', 'null listener, panel shown', 'same process priority');
  console.table(rows);
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(`capture-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, dir), JSON.stringify({ cores: cpus().length, frames: N, bursts: BURSTS, runs: RUNS, payload: RPC ? 'jsonrpc' : 'plain', results, ratios }, null, 2));
}, 900_000);
