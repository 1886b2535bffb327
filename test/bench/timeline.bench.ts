// The timeline at scale (issue #3, items 6 and 7), in the real Frameline panel page (opened as a tab in Chromium;
// frames are fed straight into its store, so these figures are the panel's own, apart from capture):
// 6. scrolling at 1M and 5M rows: frame times over smooth wheel scrolling, jump-to-end and a scrollbar drag, beside a
//    static HTML list scrolled the same way, in BENCH_SCROLL_RUNS alternating runs; rows in the DOM; the last row
//    reachable;
// 7. live tail at 5k frames/s incoming: renders of the tail per second (and animation frames) while following it, and keystroke-to-paint
//    in the filter box (Event Timing: from the key event to its next frame presented).
// Run: npm run bench (BENCH_SCROLL_SIZES=1000000,5000000 to change the sizes).
//
// The wheel is Chromium's own smooth scroll (Input.synthesizeScrollGesture, as Chromium's smoothness benchmarks
// scroll): wheel events at the display's rate, as a wheel notch or a trackpad delivers them. Puppeteer's mouse.wheel
// from Node instead lands about 28 times a second, each event a jump of its whole delta: every jump brings new rows,
// whose raster Chromium waits for before it starts the next main frame, so any list that renders rows (not a static
// one) shows a frame in two as dropped under that driver; it measures the driver, not what a user's wheel does.
import { it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Page } from 'puppeteer';
import { launchChromium, waitInFrame } from '../e2e/browser';
import { median, openPanelTab, pct, readKeyTimes, readPresented, readRenders, startKeyProbe, typeQueries } from './support';

const SIZES = (process.env.BENCH_SCROLL_SIZES ?? '1000000,5000000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_SCROLL_RUNS ?? 5);
/** Sizes scrolled again with Socket.IO frames, so with the Summary column (issue #22), in the same run. */
const DECODED_SIZES = (process.env.BENCH_SCROLL_DECODED ?? '1000000').split(',').filter(Boolean).map(Number);

/** What a row's payload is: JSON (no decoder reads it), or Socket.IO events (the Summary column is shown). */
type Payload = 'json' | 'socketio';
const FEED = {
  json: { conn: 1, url: 'wss://bench.example/feed', text: `'{"seq":' + k + ',"sym":"ACME"}'` },
  // Another connection id: a connection's decoder, once settled, stays.
  socketio: { conn: 3, url: 'wss://bench.example/socket.io/?EIO=4&transport=websocket', text: `'42["' + (k % 3 ? 'price' : 'trade') + '",{"seq":' + k + ',"sym":"ACME"}]'` },
};

/** Fill the panel's store with `n` frames (payloads of ~32 B so 5M rows fit), in batches as the port delivers them. */
async function fill(panel: Page, n: number, payload: Payload) {
  await panel.bringToFront(); // a page in the background gets few idle callbacks: learning would take minutes
  await panel.evaluate(`(() => {
    const store = globalThis.__frameline.store;
    store.apply([{ t: 'anchor', anchor: 1795000000 }, { t: 'conn', conn: { id: ${FEED[payload].conn}, url: '${FEED[payload].url}', state: 'open', openedBeforeCapture: false, target: { type: 'page' } } }]);
    const B = 50000;
    for (let i = 0; i < ${n}; i += B) {
      const batch = [];
      for (let k = i; k < Math.min(${n}, i + B); k++) {
        const text = ${FEED[payload].text};
        batch.push({ t: 'frame', frame: { id: k + 1, conn: ${FEED[payload].conn}, dir: k % 5 ? 'received' : 'sent', opcode: 1, ts: k / 5000, size: text.length, text } });
      }
      store.apply(batch);
    }
  })()`);
  await waitInFrame(panel.mainFrame(), `document.querySelector('[data-testid="frame-count"]')?.dataset.total === '${n}'`, { timeout: 120_000 });
  // What the panel does by itself once frames are stored (learning their JSON for queries) is done before the runs.
  await waitInFrame(panel.mainFrame(), `globalThis.__frameline.store.unlearned === 0`, { timeout: 300_000 });
  if (payload === 'socketio') {
    await waitInFrame(panel.mainFrame(), `document.querySelector('[data-testid="frame-row"][data-protocol="socketio"]') !== null && document.querySelector('.c-summary') !== null`, { timeout: 30_000 });
  }
}

/**
 * Record, per animation frame until `stopFrames`: the interval since the last one, and the main thread's work for it
 * (from the frame's start to just after its paint: a message posted from the animation callback); and long animation
 * frames (over 50 ms).
 */
const startFrames = (p: Page) => p.evaluate(`(() => {
  window.__ft = []; window.__work = []; window.__loaf = 0;
  const gen = (window.__gen = (window.__gen || 0) + 1);
  const mc = new MessageChannel(); let begin = 0; mc.port1.onmessage = () => window.__work.push(performance.now() - begin);
  let last = performance.now();
  const f = (t) => { window.__ft.push(t - last); last = t; begin = t; mc.port2.postMessage(0); if (window.__gen === gen) requestAnimationFrame(f); };
  requestAnimationFrame(f);
  window.__loafObserver?.disconnect();
  window.__loafObserver = new PerformanceObserver((l) => { window.__loaf += l.getEntries().length; });
  window.__loafObserver.observe({ type: 'long-animation-frame' });
})()`);
interface Frames {
  ft: number[];
  work: number[];
  loaf: number;
}
const stopFrames = async (p: Page) => (await p.evaluate(`(() => { window.__gen++; return { ft: window.__ft.slice(1), work: window.__work.slice(1), loaf: window.__loaf }; })()`)) as Frames;
const rowsInDom = (p: Page) => p.evaluate(`document.querySelectorAll('[data-testid="frame-row"]').length`) as Promise<number>;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The same gestures on the panel's timeline and on the static list (`sel`: the scroller). */
async function gestures(p: Page, sel: string, rowTestId: string | null) {
  await p.bringToFront();
  const box = await p.$eval(sel, (el) => {
    const r = el.getBoundingClientRect();
    return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
  });
  await p.mouse.move(box.x, box.y);
  await p.focus(sel);
  const cdp = await p.createCDPSession();
  const phase = async (fn: () => Promise<unknown>) => {
    await startFrames(p);
    await fn();
    return stopFrames(p);
  };
  try {
    // Up from the bottom: 3 s at a reading pace (1200 px/s), 3 s fast (4000 px/s).
    const wheel = await phase(async () => {
      for (const speed of [1200, 4000]) {
        await cdp.send('Input.synthesizeScrollGesture', { x: Math.round(box.x), y: Math.round(box.y), yDistance: speed * 3, speed, gestureSourceType: 'mouse' });
      }
    });
    // Home, then End (keys: the timeline's own; the static list's browser default).
    const jump = await phase(async () => {
      await p.keyboard.press('Home');
      await pause(300);
      await p.keyboard.press('End');
      await pause(300);
    });
    const lastReachable = rowTestId === null || (await p.evaluate(rowTestId));
    // A scrollbar drag from top to bottom in 3 s, one scroll position per frame as a drag delivers them.
    const drag = await phase(() =>
      p.evaluate(`new Promise((done) => {
        const el = document.querySelector(${JSON.stringify(sel)}); const max = el.scrollHeight - el.clientHeight; const t0 = performance.now();
        const step = (t) => { const k = Math.min(1, (t - t0) / 3000); el.scrollTop = k * max; if (k < 1) requestAnimationFrame(step); else done(); };
        requestAnimationFrame(step);
      })`),
    );
    await pause(200); // the drag's last scroll event comes with the next frame
    const lastAfterDrag = rowTestId === null || (await p.evaluate(rowTestId));
    return { wheel, jump, drag, lastReachable: lastReachable && lastAfterDrag };
  } finally {
    await cdp.detach();
  }
}

const stats = (f: Frames) => ({
  frames: f.ft.length,
  p50: pct(f.ft, 0.5),
  p95: pct(f.ft, 0.95),
  /** Frames that came more than one display frame (16.7 ms) late. */
  late: f.ft.filter((x) => x > 25).length,
  workP95: pct(f.work, 0.95),
  workMax: Math.max(...f.work),
  loaf: f.loaf,
});
const merge = (...fs: Frames[]): Frames => ({ ft: fs.flatMap((f) => f.ft), work: fs.flatMap((f) => f.work), loaf: fs.reduce((a, f) => a + f.loaf, 0) });

/** The baseline: a static HTML list of 20,000 rows like the timeline's, put in a page of its own. */
async function staticList(page: Page) {
  const rows = Array.from({ length: 20_000 }, (_, i) => `<div style="height:20px;font:11px monospace;white-space:nowrap">12:00:00.${i % 1000} ↓ #1 32 B text {"seq":${i},"sym":"ACME"}</div>`).join('');
  await page.setContent(`<div id="list" tabindex="0" style="height:700px;overflow:auto">${rows}</div>`);
  await page.evaluate(`document.getElementById('list').scrollTop = 1e9`);
}

async function scrollAt(panel: Page, plain: Page, n: number, payload: Payload) {
  await fill(panel, n, payload);
  const last = `[...document.querySelectorAll('[data-testid="frame-row"]')].some((r) => r.dataset.frameId === '${n}')`;
  const runs: Array<{ panel: Awaited<ReturnType<typeof gestures>>; plain: Awaited<ReturnType<typeof gestures>> }> = [];
  for (let r = 0; r < RUNS; r++) {
    // Alternating, the static list first in even runs; each starts at the bottom.
    const one = async (which: 'panel' | 'plain') => {
      if (which === 'plain') {
        await plain.evaluate(`document.getElementById('list').scrollTop = 1e9`);
        return gestures(plain, '#list', null);
      }
      await panel.focus('.timeline-body');
      await panel.keyboard.press('End');
      return gestures(panel, '.timeline-body', last);
    };
    const order = r % 2 ? (['panel', 'plain'] as const) : (['plain', 'panel'] as const);
    const got: Record<string, Awaited<ReturnType<typeof gestures>>> = {};
    for (const w of order) got[w] = await one(w);
    runs.push({ panel: got.panel, plain: got.plain });
  }
  const domRows = await rowsInDom(panel);
  await panel.evaluate(`globalThis.__frameline.store.clear()`);
  const of = (w: 'panel' | 'plain', ph: 'wheel' | 'jump' | 'drag' | 'all') =>
    runs.map((r) => stats(ph === 'all' ? merge(r[w].wheel, r[w].jump, r[w].drag) : r[w][ph]));
  const med = (xs: Array<ReturnType<typeof stats>>, k: keyof ReturnType<typeof stats>) => median(xs.map((x) => x[k]));
  const summary = (w: 'panel' | 'plain') =>
    Object.fromEntries(
      (['wheel', 'jump', 'drag', 'all'] as const).map((ph) => {
        const xs = of(w, ph);
        return [ph, { p50: med(xs, 'p50'), p95: med(xs, 'p95'), p95s: xs.map((x) => x.p95), late: med(xs, 'late'), frames: med(xs, 'frames'), workP95: med(xs, 'workP95'), workMax: Math.max(...xs.map((x) => x.workMax)), loaf: xs.reduce((a, x) => a + x.loaf, 0) }];
      }),
    ) as Record<'wheel' | 'jump' | 'drag' | 'all', { p50: number; p95: number; p95s: number[]; late: number; frames: number; workP95: number; workMax: number; loaf: number }>;
  return { rows: n, runs: RUNS, panel: summary('panel'), plain: summary('plain'), domRows, lastReachable: runs.every((r) => r.panel.lastReachable) };
}

async function liveTail(panel: Page, payload: Payload) {
  // 5k frames/s: 80 frames every 16 ms, fed in the panel itself, for 10 s; the view follows the tail.
  const url = payload === 'json' ? 'wss://bench.example/ticker' : FEED.socketio.url;
  const conn = payload === 'json' ? 2 : 4;
  const text = payload === 'json' ? `'{"type":"trade","sym":"' + (id % 3 ? 'ACME' : 'BOLT') + '","seq":' + id + '}'` : `'42["trade",{"sym":"' + (id % 3 ? 'ACME' : 'BOLT') + '","seq":' + id + '}]'`;
  await panel.evaluate(`(() => {
    const store = globalThis.__frameline.store;
    store.apply([{ t: 'conn', conn: { id: ${conn}, url: '${url}', state: 'open', openedBeforeCapture: false, target: { type: 'page' } } }]);
    let id = ${conn} * 10_000_000; const t0 = performance.now(); let sent = 0;
    window.__feed = setInterval(() => {
      const due = Math.floor((performance.now() - t0) * 5); const batch = [];
      for (; sent < due; sent++) { ++id; batch.push({ t: 'frame', frame: { id, conn: ${conn}, dir: 'received', opcode: 1, ts: id / 5000, size: 60, text: ${text} } }); }
      store.apply(batch);
    }, 16);
    // The machine's idle share as the render governor reads it (below 30% it spaces tail renders out).
    window.__idles = []; window.__idleT = setInterval(() => { const i = globalThis.__frameline.renders.idle; if (i !== undefined) window.__idles.push(i); }, 250);
  })()`);
  await startFrames(panel);
  // Renders of the views that follow the store (the timeline moving with the tail), not just animation frames.
  const r0 = await readRenders(panel);
  await new Promise((r) => setTimeout(r, 4000));
  // Keystrokes in the filter box while frames pour in (each applies its filter over what is stored): from the key
  // event to its next frame presented (Event Timing), and to the first task after that frame (see startKeyProbe).
  await startKeyProbe(panel);
  const path = payload === 'json' ? '$.sym' : '$.args[0].sym';
  await typeQueries(panel, panel.keyboard, ['acme', 'bolt', `${path} == "ACME"`, payload === 'json' ? 'dir:received' : 'event:trade'], 60);
  await new Promise((r) => setTimeout(r, 4000));
  const r1 = await readRenders(panel);
  const { ft } = await stopFrames(panel);
  await panel.evaluate(`clearInterval(window.__feed)`);
  const idles = (await panel.evaluate(`(() => { clearInterval(window.__idleT); return window.__idles; })()`)) as number[];
  const keyTimes = await readKeyTimes(panel);
  const presented = await readPresented(panel, keyTimes.length);
  const total = (await panel.evaluate(`globalThis.__frameline.store.frameCount`)) as number;
  const fps = 1000 / (ft.reduce((a, b) => a + b, 0) / ft.length);
  const renderFps = ((r1.n - r0.n) / (r1.at - r0.at)) * 1000;
  const renderMs = (r1.ms - r0.ms) / Math.max(1, r1.n - r0.n);
  return { fps, renderFps, renderMs, idleP50: idles.length ? pct(idles, 0.5) : NaN, idleMin: idles.length ? Math.min(...idles) : NaN, p95frame: pct(ft, 0.95), keystrokes: keyTimes.length, keyP50: pct(presented, 0.5), keyP95: pct(presented, 0.95), keyMax: Math.max(...presented), taskP50: pct(keyTimes, 0.5), taskP95: pct(keyTimes, 0.95), total };
}

it('timeline: scrolling at 1M/5M rows and the live tail at 5k frames/s', async () => {
  const chrome = await launchChromium();
  const rows: Array<Record<string, string | number>> = [];
  const out: Record<string, unknown> = {};
  try {
    const panel = await openPanelTab(chrome);
    const plain = await chrome.browser.newPage();
    await plain.setViewport({ width: 1200, height: 800 });
    await staticList(plain);
    const f1 = (x: number) => x.toFixed(1);
    const scrolls: Array<[number, Payload]> = [...SIZES.map((n) => [n, 'json'] as [number, Payload]), ...DECODED_SIZES.map((n) => [n, 'socketio'] as [number, Payload])];
    for (const [n, payload] of scrolls) {
      const r = await scrollAt(panel, plain, n, payload);
      const what = payload === 'json' ? '' : ' of Socket.IO events (Summary column shown)';
      out[`scroll ${n}${payload === 'json' ? '' : ' ' + payload}`] = r;
      const line = (s: typeof r.panel) =>
        `wheel p95 ${f1(s.wheel.p95)} ms (runs ${s.wheel.p95s.map(f1).join(', ')}), jump p95 ${f1(s.jump.p95)}, drag p95 ${f1(s.drag.p95)}; late frames ${s.all.late} of ${s.all.frames}`;
      rows.push({
        case: `baseline: a static HTML list of 20,000 rows, the same gestures (beside ${n.toLocaleString('en')} rows${what})`,
        value: `p50 ${f1(r.plain.all.p50)} ms / p95 ${f1(r.plain.all.p95)} ms per frame`,
        note: `${line(r.plain)}; main thread per frame p95 ${f1(r.plain.all.workP95)} ms; medians of ${r.runs} runs`,
      });
      rows.push({
        case: `scroll ${n.toLocaleString('en')} rows${what} (smooth wheel, Home/End, scrollbar drag)`,
        value: `p50 ${f1(r.panel.all.p50)} ms / p95 ${f1(r.panel.all.p95)} ms per frame`,
        note: `${line(r.panel)}; main thread per frame p95 ${f1(r.panel.all.workP95)} ms (max ${Math.round(r.panel.all.workMax)}), ${r.panel.all.loaf} frames over 50 ms; ${r.domRows} rows in the DOM; last row reachable: ${r.lastReachable}; medians of ${r.runs} alternating runs; targets p95 ≤ 16.7 ms, ≤ 100 rows`,
      });
    }
    await plain.close();
    await panel.bringToFront();
    for (const payload of ['json', 'socketio'] as const) {
      const what = payload === 'json' ? '' : ' of Socket.IO events (Summary column shown)';
      await panel.evaluate(`globalThis.__frameline.store.clear()`);
      const t = await liveTail(panel, payload);
      out[payload === 'json' ? 'liveTail' : 'liveTail socketio'] = t;
      rows.push({
        case: `live tail, 5k frames/s${what} incoming (fed in the panel), filter typed meanwhile`,
        value: `${t.renderFps.toFixed(1)} tail renders/s`,
        note: `${t.renderMs.toFixed(1)} ms busy each (script, style, layout, paint, work queued meanwhile); animation frames ${t.fps.toFixed(1)}/s, p95 ${t.p95frame.toFixed(1)} ms; machine idle p50 ${Math.round(t.idleP50 * 100)}% (min ${Math.round(t.idleMin * 100)}%); target ≥ 50 fps`,
      });
      rows.push({
        case: `keystroke → next frame presented (Event Timing), filter box, during the live tail${what}`,
        value: `p50 ${Math.round(t.keyP50)} ms / p95 ${Math.round(t.keyP95)} ms`,
        note: `${t.keystrokes} keystrokes (max ${Math.round(t.keyMax)} ms); to the first task after that frame p50 ${Math.round(t.taskP50)} / p95 ${Math.round(t.taskP95)} ms; ${t.total} frames stored; target p95 ≤ 100 ms`,
      });
    }
  } finally {
    await chrome.close();
  }
  console.table(rows);
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(`timeline-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, dir), JSON.stringify({ cores: cpus().length, sizes: SIZES, out, rows }, null, 2));
}, 1_800_000);
