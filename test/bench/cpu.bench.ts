// Where the CPU goes while a stream is captured (issue #3, items 1–2): CPU seconds of each Chromium process, grouped
// by role (browser, inspected page, extension, DevTools front-end, GPU, other), over a stream of BENCH_CPU_RATE
// frames/s (3000) for BENCH_CPU_SECONDS (20), for the null listener, Frameline with its panel shown, and Frameline
// with DevTools on another panel (what rendering costs); BENCH_CPU_RUNS (3) alternating runs, medians. Also how often
// the tail moved. Read from /proc (Linux): user + system time of every process under the browser.
// BENCH_CPU_MODES='null listener|Frameline' picks modes; BENCH_CPU_PROFILE=1 prints the extension renderer's hottest
// functions (a V8 sampling profile: wall time, so a descheduled thread inflates it; build with --minify false to read
// the names).
import { it } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Page } from 'puppeteer';
import { startServer } from '../support/server.mjs';
import { inspect, launchChromium, type Chrome } from '../e2e/browser';
import { NULL_EXT, inspectWithNullListener, readRenders } from './support';
import { showView } from '../../scripts/devtools.mjs';

const RATE = Number(process.env.BENCH_CPU_RATE ?? 3000);
const SECONDS = Number(process.env.BENCH_CPU_SECONDS ?? 20);
const RUNS = Number(process.env.BENCH_CPU_RUNS ?? 3);
const TICK = 100; // USER_HZ
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* the process ended meanwhile */
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [p, pp] of parent) if (pp === out[i]) out.push(p);
  return out;
}

function cpuOf(pid: number): number {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICK;
  } catch {
    return 0;
  }
}

function roleOf(pid: number, root: number, pagePids: Set<number>, devtoolsPids: Set<number>): string {
  if (pid === root) return 'browser';
  if (pagePids.has(pid)) return 'page';
  if (devtoolsPids.has(pid)) return 'devtools';
  let cmd = '';
  try {
    cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    /* the process ended meanwhile */
  }
  if (cmd.includes('--extension-process')) return 'extension';
  if (cmd.includes('--type=gpu-process')) return 'gpu';
  if (cmd.includes('--type=renderer')) return 'renderer?';
  return 'other';
}

/** The OS pid of the renderer behind a page: the process whose CPU time moves while the page spins for 400 ms. */
async function rendererPid(page: Page): Promise<number | undefined> {
  const pids = descendants(page.browser().process()!.pid!);
  const before = new Map(pids.map((p) => [p, cpuOf(p)]));
  await page.evaluate(`(() => { const t = performance.now(); while (performance.now() - t < 400); })()`);
  let best: number | undefined;
  let most = 0;
  for (const p of pids) {
    const d = cpuOf(p) - (before.get(p) ?? 0);
    if (d > most) [best, most] = [p, d];
  }
  return best;
}

/** 'null listener, panel shown' (not run by default): its static panel shown, see inspectWithNullListener. */
type Mode = 'null listener' | 'null listener, panel shown' | 'Frameline' | 'Frameline, panel hidden';
const MODES = (process.env.BENCH_CPU_MODES?.split('|') ?? ['null listener', 'Frameline', 'Frameline, panel hidden']) as Mode[];
const PROFILE = process.env.BENCH_CPU_PROFILE === '1';

/** Self time by function over a V8 CPU profile (top `n`). */
function topSelf(profile: { nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; hitCount?: number }>; samples?: number[]; timeDeltas?: number[] }, n = 40) {
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const self = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i])!;
    const cf = node.callFrame;
    const key = `${cf.functionName || '(anon)'} ${cf.url.split('/').pop()}:${cf.lineNumber}:${cf.columnNumber}`; // columns: bundles are minified
    self.set(key, (self.get(key) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  }
  const all = [...self.values()].reduce((a, b) => a + b, 0);
  return { all: Math.round(all), top: [...self].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${v.toFixed(0).padStart(6)} ms  ${k}`) };
}

async function run(srv: Awaited<ReturnType<typeof startServer>>, mode: Mode) {
  const chrome: Chrome = await launchChromium(mode.startsWith('null listener') ? NULL_EXT : undefined);
  try {
    let page: Page;
    let dt: Page;
    let panel: import('puppeteer').Frame | undefined;
    let profiler: import('puppeteer').CDPSession | undefined;
    if (!mode.startsWith('null listener')) {
      ({ page, dt, panel } = await inspect(chrome, srv.origin + '/blank.html'));
      if (mode === 'Frameline, panel hidden') {
        await showView(dt, 'console');
      }
      if (PROFILE) {
        const t = chrome.browser.targets().find((t) => t.url().includes('/src/panel/index.html'));
        profiler = await t!.createCDPSession();
        await profiler.send('Profiler.enable');
        await profiler.send('Profiler.setSamplingInterval', { interval: 200 });
      }
    }
    else ({ page, dt } = await inspectWithNullListener(chrome, srv.origin + '/blank.html', { panelShown: mode === 'null listener, panel shown' }));
    const root = chrome.browser.process()!.pid!;
    const pagePid = await rendererPid(page);
    const dtPid = await rendererPid(dt);
    await new Promise((r) => setTimeout(r, 1500));
    const pids = descendants(root);
    const before = new Map(pids.map((p) => [p, cpuOf(p)]));
    if (profiler) await profiler.send('Profiler.start');
    const r0 = panel ? await readRenders(panel) : undefined;
    const idles = !!panel && !!process.env.BENCH_CPU_IDLES; // BENCH_CPU_IDLES=1: print the idle share every 0.5 s
    if (idles) await panel!.evaluate(`(() => { window.__idles = []; window.__idleT = setInterval(() => window.__idles.push(Math.round(globalThis.__frameline.renders.idle * 100)), 500); })()`);
    const t0 = Date.now();
    const got = (await page.evaluate(`new Promise((done) => {
      const s = new WebSocket(${JSON.stringify(srv.wsUrl(`/stream?rate=${RATE}&seconds=${SECONDS}&size=200`))});
      let n = 0, t0 = 0;
      s.onopen = () => { t0 = performance.now(); s.send('go'); };
      s.onmessage = (e) => { if (e.data.startsWith('{"done"')) { done({ n, ms: performance.now() - t0 }); s.close(); return; } n++; };
    })`)) as { n: number; ms: number };
    await new Promise((r) => setTimeout(r, 2000)); // let capture catch up: its CPU counts too
    const wall = (Date.now() - t0) / 1000;
    const r1 = panel ? await readRenders(panel) : undefined;
    if (idles) console.log('idle %', (await panel!.evaluate(`(() => { clearInterval(window.__idleT); return window.__idles.join(' '); })()`)));
    const tail = r0 && r1 ? { tailRenders: r1.n - r0.n, idleAtEnd: r1.idle } : {};
    if (profiler) {
      const { profile } = await profiler.send('Profiler.stop');
      const t = topSelf(profile);
      console.log(`profile (${mode}): ${t.all} ms sampled\n` + t.top.join('\n'));
    }
    const by: Record<string, number> = {};
    for (const p of descendants(root)) {
      const role = roleOf(p, root, new Set([pagePid!]), new Set([dtPid!]));
      by[role] = (by[role] ?? 0) + cpuOf(p) - (before.get(p) ?? 0);
    }
    const total = Object.values(by).reduce((a, b) => a + b, 0);
    return { mode, pageMs: Math.round(got.ms), pageGot: got.n, wall, ...tail, total, ...by };
  } finally {
    await chrome.close();
  }
}

it(`CPU by process at ${RATE} frames/s for ${SECONDS} s`, async () => {
  const srv = await startServer();
  srv.page('/blank.html', '<!doctype html><title>bench</title>');
  const rows: Array<Record<string, unknown>> = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      for (const mode of (i % 2 ? [...MODES].reverse() : MODES)) {
        const r = await run(srv, mode);
        console.log(JSON.stringify(r));
        rows.push(r);
      }
    }
    const roles = [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => !['mode', 'pageMs', 'pageGot', 'wall', 'idleAtEnd'].includes(k))))];
    const table = MODES.map((m) => {
      const rs = rows.filter((r) => r.mode === m);
      const o: Record<string, unknown> = { mode: m, pageMs: median(rs.map((r) => r.pageMs as number)) };
      for (const k of roles) o[k] = median(rs.map((r) => (r[k] as number) ?? 0)).toFixed(2);
      return o;
    });
    console.table(table);
    const dir = new URL('./results/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      new URL(`cpu-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, dir),
      JSON.stringify({ cores: cpus().length, rate: RATE, seconds: SECONDS, runs: RUNS, rows, table }, null, 2),
    );
  } finally {
    await srv.close();
  }
}, 3600_000);
