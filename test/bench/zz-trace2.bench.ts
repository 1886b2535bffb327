import { it } from 'vitest';
import { resolve } from 'node:path';
import { startServer } from '../support/server.mjs';
import { inspect, launchChromium, waitInFrame } from '../e2e/browser';

const N = 20_000;
it('trace2', async () => {
  const srv = await startServer();
  srv.page('/blank.html', '<!doctype html><title>bench</title>');
  const burst = `new Promise((done) => {
    const s = new WebSocket(${JSON.stringify(srv.wsUrl(`/burst?n=${N}&size=200`))});
    let n = 0, t0 = 0;
    s.onopen = () => { t0 = performance.now(); s.send('go'); };
    s.onmessage = () => { if (++n === ${N}) { done(performance.now() - t0); s.close(); } };
  })`;
  for (const mode of ['null', 'frameline', 'null', 'frameline']) {
    const chrome = await launchChromium(mode === 'frameline' ? undefined : resolve(import.meta.dirname, 'null-listener'));
    let page: any;
    if (mode === 'frameline') ({ page } = await inspect(chrome, srv.origin + '/blank.html'));
    else {
      page = await chrome.browser.newPage();
      await page.goto(srv.origin + '/blank.html');
      const dt = await page.openDevTools();
      const counter = await dt.waitForFrame((f: any) => f.url().startsWith('chrome-extension://') && f.url().endsWith('/devtools.html'), { timeout: 30_000 });
      await waitInFrame(counter, `document.documentElement.dataset.capturePhase === 'capturing'`);
    }
    await new Promise((r) => setTimeout(r, 1000));
    const cdp = await chrome.browser.target().createCDPSession();
    const events: any[] = [];
    cdp.on('Tracing.dataCollected', (e: any) => events.push(...e.value));
    const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
    await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['devtools.timeline', 'toplevel', '__metadata'] }, transferMode: 'ReportEvents' } as any);
    const ms = (await page.evaluate(burst)) as number;
    await new Promise((r) => setTimeout(r, 300));
    await cdp.send('Tracing.end');
    await done;
    const pname = new Map<number, string>();
    const tname = new Map<string, string>();
    for (const e of events) {
      if (e.ph === 'M' && e.name === 'process_name') pname.set(e.pid, e.args.name);
      if (e.ph === 'M' && e.name === 'thread_name') tname.set(`${e.pid}:${e.tid}`, e.args.name);
    }
    // Top-level events only (not nested in another X event of the same thread): CPU per process/thread/name.
    const byThread = new Map<string, any[]>();
    for (const e of events) if (e.ph === 'X' && e.dur) (byThread.get(`${e.pid}:${e.tid}`) ?? byThread.set(`${e.pid}:${e.tid}`, []).get(`${e.pid}:${e.tid}`)!).push(e);
    const sums = new Map<string, number>();
    for (const [key, list] of byThread) {
      list.sort((a, b) => a.ts - b.ts);
      let end = -1;
      for (const e of list) {
        if (e.ts < end) continue;
        end = e.ts + e.dur;
        const pid = Number(key.split(':')[0]);
        const k = `${(pname.get(pid) ?? '?').padEnd(20)} ${(tname.get(key) ?? '?').padEnd(26)} ${e.name}`;
        sums.set(k, (sums.get(k) ?? 0) + (e.tdur ?? e.dur) / 1000);
      }
    }
    console.log(`${mode} burst ${Math.round(ms)} ms\n` + [...sums].filter(([, v]) => v > 15).sort((a, b) => b[1] - a[1]).map(([k, v]) => `  ${v.toFixed(0).padStart(6)} ms  ${k}`).join('\n'));
    await chrome.close();
  }
  await srv.close();
}, 600_000);
