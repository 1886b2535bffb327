// Store and filter at 1,000,000 frames (issue #3, items 4 and 5; first figures — the columnar store is still to come).
// Run: npm run bench. Writes test/bench/results/store-<date>.json and prints a table.
import { it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { SessionStore } from '../../src/model/store';
import { parseQuery } from '../../src/model/query';
import type { CaptureRecord, Frame } from '../../src/model/types';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const N = 1_000_000;
const SYMBOLS = ['ACME', 'INIT', 'GLOB', 'BOLT'];

function payload(i: number): string {
  const s = JSON.stringify({ type: i % 4 === 0 ? 'quote' : 'trade', symbol: SYMBOLS[i % 4], seq: i, price: 100 + (i % 997) / 10, user: { name: i % 7 === 0 ? 'bob' : 'alice' }, ...(i % 50 === 0 ? { error: 'late' } : {}) });
  return (s + ' '.repeat(200)).slice(0, 200);
}

const QUERIES = [
  'acme', 'ALICE', '"seq":99999', 'nothing-matches-this', '/"price":1\\d\\d\\.5/', '/bob|glob/i', '$.type == "trade"',
  '$.price > 150', '$.user.name ~ /^b/', 'exists($.error)', '-$.type == "trade"', 'dir:sent', 'op:binary', 'size>100',
  'conn:3', 'time:10s..20s', 'dir:sent acme', 'acme OR bolt', '-(dir:sent OR op:binary)', '($.price > 120 OR bob) -glob',
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

it('1M frames: memory, and 20 queries against a naive Array.filter', () => {
  gc();
  const before = process.memoryUsage().heapUsed;
  const store = new SessionStore();
  store.syncLimit = Infinity; // measure whole passes
  store.setBudget(4 * 1024 * 1024 * 1024);
  const objects: Frame[] = [];
  store.apply([{ t: 'anchor', anchor: 1_795_000_000 }]);
  for (let c = 1; c <= 8; c++) store.apply([{ t: 'conn', conn: { id: c, url: `wss://bench.example/${c}`, state: 'open', openedBeforeCapture: false, target: { type: 'page' } } }]);
  for (let i = 0; i < N; i += 10_000) {
    const batch: CaptureRecord[] = [];
    for (let k = i; k < i + 10_000; k++) batch.push({ t: 'frame', frame: { id: k + 1, conn: (k % 8) + 1, dir: k % 5 === 0 ? 'sent' : 'received', opcode: 1, ts: k / 20_000, size: 200, text: payload(k) } });
    store.apply(batch);
  }
  gc();
  const heapMB = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
  for (let i = 0; i < store.frameCount; i++) objects.push(store.frameAt(i)!);

  const rows: Array<Record<string, string | number>> = [];
  rows.push({ case: `store ${N} × 200 B (object per frame)`, ms: '', naive_ms: '', ratio: '', matches: '', note: `${Math.round(heapMB)} MB heap (target ≤ 260 MB: columnar store to come)` });
  const ctx = { startTs: 0 };
  const times: number[] = [];
  for (const q of QUERIES) {
    const pred = parseQuery(q).predicate!;
    const runs: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      store.setFilter((f, c) => pred(f, c, ctx));
      runs.push(performance.now() - t0);
    }
    // The naive peer: Array.filter over frame objects with a lowercased substring test (what a simple panel does).
    const needle = q.toLowerCase();
    const naive: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      objects.filter((f) => (f.text ?? '').toLowerCase().includes(needle));
      naive.push(performance.now() - t0);
    }
    times.push(median(runs));
    rows.push({ case: q, ms: Math.round(median(runs)), naive_ms: Math.round(median(naive)), ratio: +(median(runs) / median(naive)).toFixed(2), matches: store.visibleCount, note: `spread ${Math.round(Math.min(...runs))}–${Math.round(Math.max(...runs))}` });
  }
  const sorted = [...times].sort((a, b) => a - b);
  rows.push({ case: 'all 20 queries (whole pass)', ms: `p50 ${Math.round(median(times))} / p95 ${Math.round(sorted[Math.floor(sorted.length * 0.95)])}`, naive_ms: '', ratio: '', matches: '', note: 'targets: complete ≤ 150 / ≤ 300 ms; in the panel a pass runs in 8 ms slices' });
  console.table(rows);
  const results = new URL('./results/', import.meta.url);
  mkdirSync(results, { recursive: true });
  writeFileSync(new URL(`store-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, results), JSON.stringify({ node: process.version, cores: cpus().length, rows }, null, 2));
}, 600_000);
