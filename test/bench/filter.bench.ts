// Filtering 1,000,000 frames in the real panel (issue #3, item 5): the 20 fixed queries typed into the filter box of
// the Frameline panel page (opened as a tab in Chromium, frames fed straight into its store), each timed in the page:
// first rows painted, filter complete (exact count), and the longest main-thread task meanwhile (Long Tasks API).
// Alternating with them, in the same page, a naive Array.filter over frame objects (lowercased substring test) for
// the ratio.
// Frames: 200 B JSON texts on 8 connections (support.ts, as in store.bench.ts), passed through JSON as a port does.
// Run: npm run bench (alone: npx vitest run --project bench test/bench/filter.bench.ts). BENCH_FILTER_RUNS (default 5).
import { it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Page } from 'puppeteer';
import { launchChromium, waitInFrame } from '../e2e/browser';
import { QUERIES, frameFields, median, openPanelTab, payload, pct, typeQuery, type Timed } from './support';

const N = Number(process.env.BENCH_FILTER_FRAMES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_FILTER_RUNS ?? 5);

async function fill(panel: Page) {
  await panel.evaluate(`(() => {
    const payload = ${payload.toString()};
    const frameFields = ${frameFields.toString()};
    const store = globalThis.__frameline.store;
    store.setBudget(4 * 1024 * 1024 * 1024);
    const conns = [{ t: 'anchor', anchor: 1795000000 }];
    for (let c = 1; c <= 8; c++) conns.push({ t: 'conn', conn: { id: c, url: 'wss://bench.example/' + c, state: 'open', openedBeforeCapture: false, target: { type: 'page' } } });
    store.apply(conns);
    for (let i = 0; i < ${N}; i += 10000) {
      const batch = [];
      for (let k = i; k < Math.min(${N}, i + 10000); k++) batch.push({ t: 'frame', frame: { ...frameFields(k), text: payload(k) } });
      store.apply(JSON.parse(JSON.stringify(batch)));
    }
  })()`);
  await waitInFrame(panel.mainFrame(), `document.querySelector('[data-testid="frame-count"]')?.dataset.total === '${N}'`, { timeout: 300_000 });
}

it('filter 1M frames in the panel: 20 queries, and a naive Array.filter in the same page', async () => {
  const chrome = await launchChromium();
  const rows: Array<Record<string, string | number>> = [];
  const out: Record<string, unknown> = {};
  try {
    const panel = await openPanelTab(chrome);
    const t0 = Date.now();
    await fill(panel);
    // A JSON term at once, before the panel has had any idle time (what it learnt, it learnt as the frames arrived).
    const cold = await typeQuery(panel, '$.type == "trade"');
    out.cold = cold;
    // Then what the panel learns while idle (learnJson), and how long that took since the frames arrived.
    await waitInFrame(panel.mainFrame(), `globalThis.__frameline.store.unlearned === 0`, { timeout: 300_000 });
    const learnS = (Date.now() - t0) / 1000;

    // Alternating runs: the 20 queries typed into the panel, then the naive peer in the same page (Array.filter over a
    // frame object each, lowercased substring test), its objects built for its pass and dropped after it (held during
    // the panel's runs, a million objects would slow the panel's collector: not the panel's own cost).
    const runs = new Map<string, Timed[]>(QUERIES.map((q) => [q, []]));
    const naive: Record<string, number[]> = Object.fromEntries(QUERIES.map((q) => [q, []]));
    for (let r = 0; r < RUNS; r++) {
      for (const q of QUERIES) runs.get(q)!.push(await typeQuery(panel, q));
      const pass = (await panel.evaluate(`(() => {
        const store = globalThis.__frameline.store;
        let objects = [];
        for (let i = 0; i < store.frameCount; i++) { const f = store.frameAt(i); objects.push({ ...f }); }
        const out = {};
        for (const q of ${JSON.stringify(QUERIES)}) {
          const needle = q.toLowerCase();
          const t0 = performance.now();
          objects.filter((f) => (f.text ?? '').toLowerCase().includes(needle));
          out[q] = performance.now() - t0;
        }
        objects = null;
        return out;
      })()`)) as Record<string, number>;
      for (const q of QUERIES) naive[q].push(pass[q]);
      await new Promise((res) => setTimeout(res, 500));
    }

    const completes: number[] = [];
    const firsts: number[] = [];
    let longest = 0;
    let overLong = 0;
    for (const q of QUERIES) {
      const t = runs.get(q)!;
      const done = t.map((x) => x.doneMs);
      const first = t.map((x) => x.firstMs);
      const task = Math.max(...t.map((x) => x.longestTaskMs));
      completes.push(median(done));
      firsts.push(...first);
      longest = Math.max(longest, task);
      if (task > 50) overLong++;
      const nv = median(naive[q]);
      rows.push({
        query: q,
        first_ms: Math.round(median(first)),
        complete_ms: Math.round(median(done)),
        spread: `${Math.round(Math.min(...done))}–${Math.round(Math.max(...done))}`,
        longest_task_ms: Math.round(task),
        naive_ms: Math.round(nv),
        ratio: +(median(done) / nv).toFixed(2),
        matches: t[0].visible,
      });
    }
    out.runs = Object.fromEntries(runs);
    out.naive = naive;
    rows.push({
      query: `all 20 (medians of ${RUNS} runs each)`,
      first_ms: `max ${Math.round(Math.max(...firsts))}`,
      complete_ms: `p50 ${Math.round(median(completes))} / p95 ${Math.round(pct(completes, 0.95))}`,
      spread: '',
      longest_task_ms: `max ${Math.round(longest)}; ${overLong} over 50`,
      naive_ms: '',
      ratio: '',
      matches: 'targets: first ≤ 50, complete ≤ 150 / ≤ 300, no task > 50 ms',
    });
    rows.push({
      query: '$.type == "trade" at once after 1M frames arrived (no idle time yet)',
      first_ms: Math.round(cold.firstMs),
      complete_ms: Math.round(cold.doneMs),
      spread: '',
      longest_task_ms: Math.round(cold.longestTaskMs),
      naive_ms: '',
      ratio: '',
      matches: `${cold.visible}; the panel then had every text learnt ${learnS.toFixed(1)} s after the first frame arrived`,
    });
    out.learnS = learnS;
  } finally {
    await chrome.close();
  }
  console.table(rows);
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(`filter-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, dir), JSON.stringify({ cores: cpus().length, frames: N, runs: RUNS, out, rows }, null, 2));
}, 1_800_000);
