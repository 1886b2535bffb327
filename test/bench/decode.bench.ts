// Decoded-field queries over 1,000,000 Socket.IO frames (issue #22): the store's filter scan (as the panel runs it,
// without its slicing) for decoded terms, beside a raw text term over the same frames in the same run (the baseline),
// and the decode of one screen of rows (what the Summary column costs a render).
// Then the same queries typed into the filter box of the real panel page over the same 1M frames (the panel slices its
// scan): complete, and the longest main-thread task; first typed at once after the frames arrived, then once the panel
// learnt the texts while idle.
// Run: npx vitest run --project bench test/bench/decode.bench.ts --reporter=verbose. BENCH_DECODE_RUNS (default 5).
// Writes test/bench/results/decode-<date>.json and test/bench/results/decode-panel-<date>.json and prints tables.
import { it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { SessionStore } from '../../src/model/store';
import { parseQuery, type QueryContext } from '../../src/model/query';
import { decodingOf } from '../../src/model/decode/decoding';
import { queryContextOf } from '../../src/model/query-context';
import type { CaptureRecord } from '../../src/model/types';
import { launchChromium, waitInFrame } from '../e2e/browser';
import { median, openPanelTab, typeQuery, type Timed } from './support';

const N = Number(process.env.BENCH_DECODE_FRAMES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_DECODE_RUNS ?? 5);
const EVENTS = ['chat', 'price', 'typing', 'presence'];

/** Frame k: a Socket.IO event as socket.io-client and socket.io write them, on 8 connections. */
function frameOf(k: number): CaptureRecord {
  const ev = EVENTS[k % 4];
  const text = `42["${ev}",{"seq":${k},"price":${100 + (k % 997) / 10},"user":"${k % 7 === 0 ? 'bob' : 'alice'}"}]`;
  return { t: 'frame', frame: { id: k + 1, conn: (k % 8) + 1, dir: k % 5 === 0 ? 'sent' : 'received', opcode: 1, ts: k / 20_000, size: text.length, text } };
}

const QUERIES = ['bob', 'proto:socketio', 'event:chat', '$.args[0].price > 150', 'event:chat $.args[0].user == "bob"'];
const CONNS = 8;
const urlOf = (c: number) => `ws://bench.example/socket.io/?EIO=4&transport=websocket&c=${c}`;

function scan(store: SessionStore, q: string, ctx: QueryContext): { ms: number; n: number } {
  const p = parseQuery(q).predicate!;
  const t0 = performance.now();
  let n = 0;
  for (let i = 0; i < store.frameCount; i++) {
    const f = store.rowAt(i)!;
    if (p(f, store.connections.get(f.conn), ctx)) n++;
  }
  return { ms: performance.now() - t0, n };
}

it('decoded-field queries over 1M Socket.IO frames, beside a raw text term', () => {
  const store = new SessionStore();
  store.setBudget(8 * 1024 * 1024 * 1024);
  const conns: CaptureRecord[] = [{ t: 'anchor', anchor: 1795000000 }];
  for (let c = 1; c <= CONNS; c++) {
    conns.push({ t: 'conn', conn: { id: c, url: urlOf(c), state: 'open', openedBeforeCapture: false, target: { type: 'page' } } });
  }
  store.apply(conns);
  for (let i = 0; i < N; i += 10_000) {
    const batch: CaptureRecord[] = [];
    for (let k = i; k < Math.min(N, i + 10_000); k++) batch.push(frameOf(k));
    store.apply(batch);
  }
  const decoding = decodingOf(store);
  const ctx: QueryContext = queryContextOf(store);
  const queries = QUERIES;
  const times = new Map<string, number[]>(queries.map((q) => [q, []]));
  const counts = new Map<string, number>();
  for (let r = 0; r < RUNS; r++) {
    for (const q of queries) {
      const { ms, n } = scan(store, q, ctx);
      times.get(q)!.push(ms);
      counts.set(q, n);
    }
  }
  // One screen of rows, as the Summary column decodes them on a jump (50 rows not decoded before).
  const screen: number[] = [];
  for (let r = 0; r < 20; r++) {
    const from = Math.floor(((r + 0.5) / 20) * (N - 100));
    const t0 = performance.now();
    for (let i = from; i < from + 50; i++) decoding.decode(store.frameAt(i)!);
    screen.push(performance.now() - t0);
  }
  const base = median(times.get('bob')!);
  const rows = queries.map((q) => ({
    query: q,
    // The first pass is cold: what frames remember of their JSON is learnt there (or by the panel while idle).
    first_ms: Math.round(times.get(q)![0]),
    median_ms: Math.round(median(times.get(q)!)),
    spread: `${Math.round(Math.min(...times.get(q)!))}–${Math.round(Math.max(...times.get(q)!))}`,
    ratio_to_text_term: +(median(times.get(q)!) / base).toFixed(2),
    matches: counts.get(q),
  }));
  rows.push({ query: 'decode 50 rows of a screen (Summary column)', first_ms: +screen[0].toFixed(2), median_ms: +median(screen).toFixed(2), spread: `${Math.min(...screen).toFixed(2)}–${Math.max(...screen).toFixed(2)}`, ratio_to_text_term: 0, matches: 50 });
  console.table(rows);
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(`decode-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, dir), JSON.stringify({ cores: cpus().length, frames: N, runs: RUNS, rows }, null, 2));
}, 600_000);

it('decoded-field queries over 1M Socket.IO frames typed into the real panel, beside a raw text term', async () => {
  const chrome = await launchChromium();
  const rows: Array<Record<string, string | number>> = [];
  const out: Record<string, unknown> = {};
  try {
    const panel = await openPanelTab(chrome);
    await panel.bringToFront(); // a page in the background gets few idle callbacks: learning would take minutes
    await panel.evaluate(`(() => {
      const EVENTS = ${JSON.stringify(EVENTS)};
      const frameOf = ${frameOf.toString()};
      const urlOf = ${urlOf.toString()};
      const store = globalThis.__frameline.store;
      store.setBudget(4 * 1024 * 1024 * 1024);
      const conns = [{ t: 'anchor', anchor: 1795000000 }];
      for (let c = 1; c <= ${CONNS}; c++) conns.push({ t: 'conn', conn: { id: c, url: urlOf(c), state: 'open', openedBeforeCapture: false, target: { type: 'page' } } });
      store.apply(conns);
      for (let i = 0; i < ${N}; i += 10000) {
        const batch = [];
        for (let k = i; k < Math.min(${N}, i + 10000); k++) batch.push(frameOf(k));
        store.apply(JSON.parse(JSON.stringify(batch)));
      }
    })()`);
    await waitInFrame(panel.mainFrame(), `document.querySelector('[data-testid="frame-count"]')?.dataset.total === '${N}'`, { timeout: 300_000 });
    const t0 = Date.now();
    // At once, before the panel had idle time to learn the texts: the worst case.
    const cold = await typeQuery(panel, '$.args[0].price > 150');
    await waitInFrame(panel.mainFrame(), `globalThis.__frameline.store.unlearned === 0`, { timeout: 300_000 });
    const learnS = (Date.now() - t0) / 1000;
    const runs = new Map<string, Timed[]>(QUERIES.map((q) => [q, []]));
    for (let r = 0; r < RUNS; r++) for (const q of QUERIES) runs.get(q)!.push(await typeQuery(panel, q));
    const base = median(runs.get('bob')!.map((x) => x.doneMs));
    for (const q of QUERIES) {
      const t = runs.get(q)!;
      const done = t.map((x) => x.doneMs);
      rows.push({
        query: q,
        first_ms: Math.round(median(t.map((x) => x.firstMs))),
        complete_ms: Math.round(median(done)),
        spread: `${Math.round(Math.min(...done))}–${Math.round(Math.max(...done))}`,
        ratio_to_text_term: +(median(done) / base).toFixed(2),
        longest_task_ms: Math.round(Math.max(...t.map((x) => x.longestTaskMs))),
        matches: t[0].visible,
      });
    }
    rows.push({
      query: '$.args[0].price > 150 at once after 1M frames arrived (nothing learnt yet)',
      first_ms: Math.round(cold.firstMs),
      complete_ms: Math.round(cold.doneMs),
      spread: '',
      ratio_to_text_term: +(cold.doneMs / base).toFixed(2),
      longest_task_ms: Math.round(cold.longestTaskMs),
      matches: `${cold.visible}; every text learnt ${learnS.toFixed(1)} s later`,
    });
    out.runs = Object.fromEntries(runs);
    out.cold = cold;
    out.learnS = learnS;
  } finally {
    await chrome.close();
  }
  console.table(rows);
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(`decode-panel-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, dir), JSON.stringify({ cores: cpus().length, frames: N, runs: RUNS, out, rows }, null, 2));
}, 1_800_000);
