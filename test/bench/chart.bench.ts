// Pairs and the throughput chart in the real panel page (issue #23), opened as a tab in Chromium with frames fed
// straight into its store (the panel's own figures, apart from capture):
// - pairing's own work per frame over 1M JSON-RPC frames, in the panel, beside a loop that only reads each frame;
// - the Pairs summary opened over those frames (click → rows in the DOM);
// - the chart drawn over the 1M-frame session (expanded, then redrawn on a metric change);
// - the live tail at 5k frames/s with the chart open, beside the same tail with the chart collapsed (same run):
//   animation frames per second and chart redraws per second.
// Run: npx vitest run --project bench test/bench/chart.bench.ts --reporter=verbose (after npm run build:chrome).
// BENCH_CHART_FRAMES (default 1,000,000), BENCH_CHART_RUNS (default 3). Writes test/bench/results/chart-<date>.json.
import { it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Page } from 'puppeteer';
import { launchChromium, waitInFrame } from '../e2e/browser';
import { median, openPanelTab, pct } from './support';

const N = Number(process.env.BENCH_CHART_FRAMES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_CHART_RUNS ?? 3);
const TAIL_MS = 6000;

/** 1M JSON-RPC frames: a request every ms, its answer 2–100 ms later (1 in 100 never), in time order. */
async function fill(panel: Page) {
  await panel.bringToFront();
  await panel.evaluate(`(() => {
    const store = globalThis.__frameline.store;
    store.apply([{ t: 'anchor', anchor: 1795000000 }, { t: 'conn', conn: { id: 1, url: 'wss://rpc.example/', state: 'open', openedBeforeCapture: false, target: { type: 'page' } } }]);
    const M = ['eth_getBalance', 'eth_call', 'eth_subscribe', 'eth_getBlockByNumber', 'net_version'];
    const rand = (k) => (((Math.imul(k ^ 0x9e3779b9, 0x85ebca6b) ^ (k >>> 13)) >>> 0) % 100000) / 100000;
    const ev = [];
    for (let k = 0; ev.length < ${N}; k++) {
      ev.push([k / 1000, k]);
      if (k % 100 !== 37) ev.push([k / 1000 + 0.002 + rand(k) * 0.1, -1 - k]);
    }
    ev.sort((a, b) => a[0] - b[0]);
    const B = 50000;
    for (let i = 0; i < ${N}; i += B) {
      const batch = [];
      for (let j = i; j < Math.min(${N}, i + B); j++) {
        const [ts, k] = ev[j];
        const text = k >= 0 ? '{"jsonrpc":"2.0","id":' + k + ',"method":"' + M[k % 5] + '","params":["0x' + (k * 7919).toString(16) + '"]}' : '{"jsonrpc":"2.0","id":' + (-1 - k) + ',"result":"0x1"}';
        batch.push({ t: 'frame', frame: { id: j + 1, conn: 1, dir: k >= 0 ? 'sent' : 'received', opcode: 1, ts: 100 + ts, size: text.length, text } });
      }
      store.apply(batch);
    }
  })()`);
  await waitInFrame(panel.mainFrame(), `document.querySelector('[data-testid="frame-count"]')?.dataset.total === '${N}'`, { timeout: 120_000 });
  await waitInFrame(panel.mainFrame(), `globalThis.__frameline.store.unlearned === 0`, { timeout: 300_000 });
}

/** In the panel: pairing's work per frame (median of 10k-frame slices) beside a loop reading each frame. */
const pairingRun = (panel: Page) =>
  panel.evaluate(`(() => {
    const { store, bench } = globalThis.__frameline;
    const med = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
    const per = (fn) => { const t = []; for (let i = 0; i < store.frameCount; i += 10000) { const e = Math.min(store.frameCount, i + 10000); const s = performance.now(); for (let j = i; j < e; j++) fn(store.rowAt(j)); t.push((performance.now() - s) * 1000 / (e - i)); } return med(t); };
    let sink = 0;
    const base = per((f) => { sink += f.id + f.ts + f.text.length; });
    const p = bench.newPairs();
    const pairing = per((f) => p.add(f));
    return { base, pairing, exchanges: p.exchanges, sink: sink > 0 };
  })()`) as Promise<{ base: number; pairing: number; exchanges: number }>;

/** Click → the first animation frame with `selector` in the DOM, ms (in the panel). */
const timeToShow = (panel: Page, click: string, selector: string) =>
  panel.evaluate(`new Promise((done) => {
    const t0 = performance.now();
    document.querySelector('${click}').click();
    const f = () => document.querySelector('${selector}') ? done(performance.now() - t0) : requestAnimationFrame(f);
    requestAnimationFrame(f);
  })`) as Promise<number>;

const draws = (panel: Page) => panel.evaluate(`Number(document.querySelector('[data-testid="throughput-chart"]').dataset.draws)`) as Promise<number>;

/** Change the metric → the chart drawn again, ms. */
const redraw = (panel: Page, metric: string) =>
  panel.evaluate(`new Promise((done) => {
    const el = document.querySelector('[data-testid="throughput-chart"]');
    const before = Number(el.dataset.draws);
    const sel = document.querySelector('[data-testid="throughput-metric"]');
    const t0 = performance.now();
    sel.value = '${metric}';
    sel.dispatchEvent(new Event('change', { bubbles: true }));
    sel.dispatchEvent(new Event('input', { bubbles: true }));
    const f = () => Number(el.dataset.draws) > before ? done(performance.now() - t0) : requestAnimationFrame(f);
    requestAnimationFrame(f);
  })`) as Promise<number>;

const collapsed = (panel: Page) => panel.evaluate(`document.querySelector('[data-testid="throughput-chart"]').dataset.collapsed === 'true'`) as Promise<boolean>;

async function setChart(panel: Page, open: boolean) {
  if ((await collapsed(panel)) === open) await panel.evaluate(`document.querySelector('[data-testid="throughput-toggle"]').click()`);
  await waitInFrame(panel.mainFrame(), `document.querySelector('[data-testid="throughput-chart"]').dataset.collapsed === '${!open}'`);
}

/** 5k frames/s fed in the panel for TAIL_MS, following the tail: animation frames/s, chart draws/s. */
async function tail(panel: Page, conn: number) {
  await panel.evaluate(`(() => {
    const store = globalThis.__frameline.store;
    store.apply([{ t: 'conn', conn: { id: ${conn}, url: 'wss://bench.example/ticker', state: 'open', openedBeforeCapture: false, target: { type: 'page' } } }]);
    let id = ${conn} * 10000000; const t0 = performance.now(); let sent = 0;
    window.__feed = setInterval(() => {
      const due = Math.floor((performance.now() - t0) * 5); const batch = [];
      for (; sent < due; sent++) { ++id; batch.push({ t: 'frame', frame: { id, conn: ${conn}, dir: 'received', opcode: 1, ts: 1e6 + id / 5000, size: 40, text: '{"type":"trade","seq":' + id + '}' } }); }
      store.apply(batch);
    }, 16);
    window.__ft = []; let last = performance.now(); window.__on = true;
    const f = (t) => { window.__ft.push(t - last); last = t; if (window.__on) requestAnimationFrame(f); };
    requestAnimationFrame(f);
  })()`);
  await new Promise((r) => setTimeout(r, 1000));
  const d0 = await draws(panel);
  const t0 = Date.now();
  await panel.evaluate(`window.__ft = []`);
  await new Promise((r) => setTimeout(r, TAIL_MS));
  const d1 = await draws(panel);
  const seconds = (Date.now() - t0) / 1000;
  const ft = (await panel.evaluate(`(() => { window.__on = false; clearInterval(window.__feed); return window.__ft; })()`)) as number[];
  const fps = 1000 / (ft.reduce((a, b) => a + b, 0) / ft.length);
  return { fps, p95: pct(ft, 0.95), drawsPerSecond: (d1 - d0) / seconds };
}

it('pairs and the throughput chart in the panel: 1M JSON-RPC frames, the live tail with the chart open', async () => {
  const chrome = await launchChromium();
  const rows: Array<Record<string, string | number>> = [];
  const out: Record<string, unknown> = {};
  try {
    const panel = await openPanelTab(chrome);
    await fill(panel);
    const pr: Array<{ base: number; pairing: number; exchanges: number }> = [];
    for (let r = 0; r < RUNS; r++) pr.push(await pairingRun(panel));
    const base = median(pr.map((x) => x.base));
    const pairing = median(pr.map((x) => x.pairing));
    out.pairing = pr;
    rows.push({ case: 'baseline: read each of 1M frames in the panel (id, ts, text)', value: `${base.toFixed(3)} µs/frame`, note: `median of 10k-frame slices; ${RUNS} runs` });
    rows.push({ case: 'pairing in the panel, per frame (JSON-RPC quick path + engine)', value: `${pairing.toFixed(3)} µs/frame`, note: `${(pairing / base).toFixed(1)}× the read; ${pr[0].exchanges} exchanges; target ≤ 2 µs` });

    // The summary: its rows made afresh each time (the cache is per pairing version).
    const opens: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      await panel.evaluate(`globalThis.__frameline.pairs().sync().version++`);
      const ms = await timeToShow(panel, '[data-testid="tab-pairs"]', '[data-testid="pairs-summary-row"]');
      opens.push(ms);
      await panel.evaluate(`[...document.querySelectorAll('.tabs [role="tab"]')].find((b) => b.textContent.trim() === 'Handshake').click()`);
      await waitInFrame(panel.mainFrame(), `!document.querySelector('[data-testid="pairs-summary"]')`);
    }
    out.summaryOpenMs = opens;
    rows.push({ case: `Pairs summary opened over ${N.toLocaleString('en')} frames (click → rows shown)`, value: `${median(opens).toFixed(0)} ms`, note: `runs ${opens.map((x) => x.toFixed(0)).join(', ')}; target ≤ 200 ms` });

    // The chart over the whole session: opened, then drawn again on a metric change.
    await setChart(panel, false);
    const open0 = await timeToShow(panel, '[data-testid="throughput-toggle"]', '[data-testid="throughput-chart"][data-collapsed="false"][data-draws]:not([data-draws="0"])');
    const redraws: number[] = [];
    for (let r = 0; r < RUNS; r++) redraws.push(await redraw(panel, r % 2 ? 'frames' : 'bytes'));
    out.chart = { openMs: open0, redraws };
    rows.push({ case: `throughput chart drawn over ${N.toLocaleString('en')} frames (metric changed → drawn)`, value: `${median(redraws).toFixed(1)} ms`, note: `opened (collapsed → drawn) ${open0.toFixed(0)} ms; runs ${redraws.map((x) => x.toFixed(1)).join(', ')}; target ≤ 50 ms` });

    // The live tail at 5k frames/s: chart open vs collapsed, alternating, same run.
    await panel.evaluate(`globalThis.__frameline.store.clear()`);
    const tails: Array<{ open: boolean; fps: number; p95: number; drawsPerSecond: number }> = [];
    for (let r = 0; r < RUNS * 2; r++) {
      const open = r % 2 === 0;
      await setChart(panel, open);
      tails.push({ open, ...(await tail(panel, 10 + r)) });
      await panel.evaluate(`globalThis.__frameline.store.clear()`);
    }
    out.tails = tails;
    const of = (open: boolean, k: 'fps' | 'p95' | 'drawsPerSecond') => median(tails.filter((t) => t.open === open).map((t) => t[k]));
    rows.push({ case: 'baseline: live tail 5k frames/s, chart collapsed', value: `${of(false, 'fps').toFixed(1)} fps`, note: `frame p95 ${of(false, 'p95').toFixed(1)} ms; medians of ${RUNS} runs` });
    rows.push({
      case: 'live tail 5k frames/s, chart open',
      value: `${of(true, 'fps').toFixed(1)} fps, chart ${of(true, 'drawsPerSecond').toFixed(1)} draws/s`,
      note: `frame p95 ${of(true, 'p95').toFixed(1)} ms; runs fps ${tails.filter((t) => t.open).map((t) => t.fps.toFixed(1)).join(', ')}; targets ≥ 50 fps, ≥ 10 draws/s`,
    });
  } finally {
    await chrome.close();
  }
  console.table(rows);
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(`chart-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, dir), JSON.stringify({ cores: cpus().length, frames: N, runs: RUNS, out, rows }, null, 2));
}, 1_800_000);
