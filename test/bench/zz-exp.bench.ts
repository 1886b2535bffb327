import { it } from 'vitest';
import { launchChromium } from '../e2e/browser';
import { openPanelTab } from './support';

it('exp: per-render cost of the tail', async () => {
  const out: string[] = [];
  for (let run = 0; run < Number(process.env.EXP_RUNS ?? 3); run++) {
    const chrome = await launchChromium();
    try {
      const panel = await openPanelTab(chrome);
      await panel.setViewport({ width: 1200, height: Number(process.env.EXP_H ?? 600) });
      const cdp = await panel.createCDPSession();
      await cdp.send('Performance.enable');
      await panel.evaluate(`(() => {
        const store = globalThis.__frameline.store;
        store.apply([{ t: 'anchor', anchor: 1795000000 }, { t: 'conn', conn: { id: 2, url: 'wss://bench.example/ticker', state: 'open', openedBeforeCapture: false, target: { type: 'page' } } }]);
        let id = 0; const t0 = performance.now(); let sent = 0; const pad = 'x'.repeat(150);
        window.__feed = setInterval(() => {
          const due = Math.floor((performance.now() - t0) * 3); const batch = [];
          for (; sent < due; sent++) { const text = '{"seq":' + id + ',"t":' + Date.now() + ',"pad":"' + pad + '"}'; batch.push({ t: 'frame', frame: { id: ++id, conn: 2, dir: 'received', opcode: 1, ts: id / 3000, size: text.length, text } }); }
          store.apply(batch);
        }, 16);
      })()`);
      await new Promise((r) => setTimeout(r, 1500));
      const m = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((x) => [x.name, x.value]));
      const rs = `(() => { const r = globalThis.__frameline.renders; return { n: r.renders, ms: r.ms }; })()`;
      const a = await m(); const ra = (await panel.evaluate(rs)) as { n: number; ms: number };
      await new Promise((r) => setTimeout(r, 8000));
      const b = await m(); const rb = (await panel.evaluate(rs)) as { n: number; ms: number };
      const n = rb.n - ra.n;
      const per = (k: string) => (((b[k] - a[k]) * 1000) / n).toFixed(2);
      const rows = (await panel.evaluate(`document.querySelectorAll('[data-testid="frame-row"]').length`)) as number;
      if (process.env.EXP_TRACE) {
        await panel.tracing.start({ path: '/tmp/exp-trace.json', categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'disabled-by-default-devtools.timeline.invalidationTracking'] });
        await new Promise((r) => setTimeout(r, 2000));
        await panel.tracing.stop();
      }
      const line = `run ${run}: renders ${n} (${(n / 8).toFixed(1)}/s), rows ${rows}, busy/render ${((rb.ms - ra.ms) / n).toFixed(2)} ms; per render: task ${per('TaskDuration')} script ${per('ScriptDuration')} layout ${per('LayoutDuration')} style ${per('RecalcStyleDuration')} ms; layouts ${(b.LayoutCount - a.LayoutCount)} styles ${(b.RecalcStyleCount - a.RecalcStyleCount)}`;
      console.log(line); out.push(line);
    } finally {
      await chrome.close();
    }
  }
  console.log(out.join('\n'));
}, 600_000);
