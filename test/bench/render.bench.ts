// What one render of the live tail costs the panel's main thread (the cost behind items 1, 2 and 7 of issue #3: the
// panel's renderer shares the machine with the page and, in Chrome, with capture). In the real panel page, opened as a
// tab; a 200 B text stream fed into its store at BENCH_RENDER_RATE frames/s (3000) for 8 s while the view follows the
// tail. Per render: the main thread's busy time (the scheduler's own measure), and Chrome's task, script, layout and
// style times (Performance.getMetrics) divided by the renders; the feed's own script is included in both.
// Run: npm run bench (BENCH_RENDER_RATE, BENCH_RENDER_RUNS (5) change it).
import { it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { launchChromium } from '../e2e/browser';
import { median, openPanelTab, readRenders } from './support';

const RATE = Number(process.env.BENCH_RENDER_RATE ?? 3000);
const RUNS = Number(process.env.BENCH_RENDER_RUNS ?? 5);
const SECONDS = 8;

it(`one render of the live tail at ${RATE} frames/s`, async () => {
  const runs: Array<Record<string, number>> = [];
  for (let run = 0; run < RUNS; run++) {
    const chrome = await launchChromium();
    try {
      const panel = await openPanelTab(chrome);
      await panel.setViewport({ width: 1200, height: 600 });
      const cdp = await panel.createCDPSession();
      await cdp.send('Performance.enable');
      await panel.evaluate(`(() => {
        const store = globalThis.__frameline.store;
        store.apply([{ t: 'anchor', anchor: 1795000000 }, { t: 'conn', conn: { id: 2, url: 'wss://bench.example/ticker', state: 'open', openedBeforeCapture: false, target: { type: 'page' } } }]);
        let id = 0; const t0 = performance.now(); let sent = 0; const pad = 'x'.repeat(150);
        window.__feed = setInterval(() => {
          const due = Math.floor((performance.now() - t0) * ${RATE / 1000}); const batch = [];
          for (; sent < due; sent++) {
            const text = '{"seq":' + id + ',"t":' + Date.now() + ',"pad":"' + pad + '"}';
            batch.push({ t: 'frame', frame: { id: ++id, conn: 2, dir: 'received', opcode: 1, ts: id / ${RATE}, size: text.length, text } });
          }
          store.apply(batch);
        }, 16);
      })()`);
      await new Promise((r) => setTimeout(r, 1500));
      const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
      const [m0, r0] = [await metrics(), await readRenders(panel)];
      await new Promise((r) => setTimeout(r, SECONDS * 1000));
      const [m1, r1] = [await metrics(), await readRenders(panel)];
      const n = Math.max(1, r1.n - r0.n);
      const per = (k: string) => ((m1[k] - m0[k]) * 1000) / n;
      const r = {
        rendersPerS: n / SECONDS,
        rows: (await panel.evaluate(`document.querySelectorAll('[data-testid="frame-row"]').length`)) as number,
        busyMs: (r1.ms - r0.ms) / n,
        taskMs: per('TaskDuration'),
        scriptMs: per('ScriptDuration'),
        layoutMs: per('LayoutDuration'),
        styleMs: per('RecalcStyleDuration'),
      };
      runs.push(r);
      console.log(run, JSON.stringify(r));
    } finally {
      await chrome.close();
    }
  }
  const med = (k: string) => median(runs.map((r) => r[k]));
  const spread = (k: string) => runs.map((r) => r[k].toFixed(2)).join(' / ');
  const rows = [
    { case: 'tail renders per second', value: med('rendersPerS').toFixed(1), runs: spread('rendersPerS') },
    { case: 'rows in the DOM', value: String(med('rows')), runs: spread('rows') },
    ...(['busyMs', 'taskMs', 'scriptMs', 'layoutMs', 'styleMs'] as const).map((k) => ({
      case: `per render: ${k.replace('Ms', '')} (ms)`,
      value: med(k).toFixed(2),
      runs: spread(k),
    })),
  ];
  console.table(rows);
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    new URL(`render-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, dir),
    JSON.stringify({ cores: cpus().length, rate: RATE, seconds: SECONDS, runs, rows }, null, 2),
  );
}, 600_000);
