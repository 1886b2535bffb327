// Pairing over 1,000,000 JSON-RPC frames (issue #23): requests sent, answers received (out of order as latencies
// vary, some never), through a SessionStore. Measures, beside a baseline loop that only reads each frame in the same
// run: the pairing's own time per frame, the throughput buckets' update per frame, the summary, and the pair query
// terms' scans beside a raw text term.
// Run: npx vitest run --project bench test/bench/pairs.bench.ts --reporter=verbose. BENCH_PAIRS_FRAMES, _RUNS.
// Writes test/bench/results/pairs-<date>.json and prints a table.
import { it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { SessionStore } from '../../src/model/store';
import { parseQuery, type QueryContext } from '../../src/model/query';
import { decodingOf } from '../../src/model/decode/decoding';
import { queryContextOf } from '../../src/model/query-context';
import { Pairs, pairSource } from '../../src/model/pairs';
import { Throughput } from '../../src/model/throughput';
import type { CaptureRecord, Frame } from '../../src/model/types';

const N = Number(process.env.BENCH_PAIRS_FRAMES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_PAIRS_RUNS ?? 3);
const SLICE = 10_000;
const METHODS = ['eth_getBalance', 'eth_call', 'eth_subscribe', 'eth_getBlockByNumber', 'net_version'];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** A fixed pseudo-random number in [0, 1) for k. */
const rand = (k: number) => (((Math.imul(k ^ 0x9e3779b9, 0x85ebca6b) ^ (k >>> 13)) >>> 0) % 100_000) / 100_000;

/** Requests every 1 ms; answers after 2–400 ms (so often after later requests), 1 in 100 never. Sorted by time. */
function session(): { ts: Float64Array; k: Int32Array } {
  const req = Math.ceil(N / 1.99);
  const ts: number[] = [];
  const ks: number[] = [];
  for (let k = 0; k < req && ts.length < N; k++) {
    ts.push(k / 1000);
    ks.push(k);
    if (k % 100 === 37) continue;
    ts.push(k / 1000 + 0.002 + rand(k) * (rand(k + 1) < 0.1 ? 0.4 : 0.1));
    ks.push(-1 - k);
  }
  const order = Array.from(ts.keys()).sort((a, b) => ts[a] - ts[b]).slice(0, N);
  return { ts: Float64Array.from(order, (i) => ts[i]), k: Int32Array.from(order, (i) => ks[i]) };
}

function text(k: number): string {
  if (k >= 0) return `{"jsonrpc":"2.0","id":${k},"method":"${METHODS[k % 5]}","params":["0x${(k * 7919).toString(16)}","latest"]}`;
  const id = -1 - k;
  return `{"jsonrpc":"2.0","id":${id},"result":"0x${(id * 104729).toString(16)}"}`;
}

/** Time per frame (µs) of `fn` over the store in slices; the median slice. */
function perFrame(store: SessionStore, fn: (f: Frame) => void): { medianUs: number; totalMs: number } {
  const times: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < store.frameCount; i += SLICE) {
    const end = Math.min(store.frameCount, i + SLICE);
    const s = performance.now();
    for (let j = i; j < end; j++) fn(store.rowAt(j)!);
    times.push(((performance.now() - s) * 1000) / (end - i));
  }
  return { medianUs: median(times), totalMs: performance.now() - t0 };
}

function scan(store: SessionStore, q: string, ctx: QueryContext): { ms: number; n: number } {
  const p = parseQuery(q).predicate!;
  const t0 = performance.now();
  let n = 0;
  for (let i = 0; i < store.frameCount; i++) {
    const f = store.rowAt(i)!;
    if (p(f, undefined, ctx)) n++;
  }
  return { ms: performance.now() - t0, n };
}

it('pairing, summary, throughput and pair queries over 1M JSON-RPC frames', () => {
  const { ts, k } = session();
  const store = new SessionStore();
  store.setBudget(8 * 1024 * 1024 * 1024);
  store.apply([{ t: 'anchor', anchor: 1795000000 }, { t: 'conn', conn: { id: 1, url: 'wss://rpc.example/', state: 'open', openedBeforeCapture: false, target: { type: 'page' } } }]);
  for (let i = 0; i < N; i += SLICE) {
    const batch: CaptureRecord[] = [];
    for (let j = i; j < Math.min(N, i + SLICE); j++) {
      const t = text(k[j]);
      batch.push({ t: 'frame', frame: { id: j + 1, conn: 1, dir: k[j] >= 0 ? 'sent' : 'received', opcode: 1, ts: 100 + ts[j], size: t.length, text: t } });
    }
    store.apply(batch);
  }
  const decoding = decodingOf(store);
  const rows: Array<Record<string, unknown>> = [];
  const base: number[] = [];
  const pairing: number[] = [];
  const buckets: number[] = [];
  const summary: number[] = [];
  let pairs!: Pairs;
  let sink = 0;
  for (let r = 0; r < RUNS; r++) {
    base.push(perFrame(store, (f) => (sink += f.id + f.ts + f.text!.length)).medianUs);
    pairs = new Pairs(pairSource(decoding));
    pairing.push(perFrame(store, (f) => pairs.add(f)).medianUs);
    const tp = new Throughput();
    buckets.push(perFrame(store, (f) => tp.add(f)).medianUs);
    pairs.version++; // made afresh
    const s0 = performance.now();
    pairs.summary();
    summary.push(performance.now() - s0);
  }
  const b = median(base);
  rows.push({ what: 'baseline: read each frame (id, ts, text)', median: `${median(base).toFixed(3)} µs/frame`, ratio_to_baseline: 1 });
  rows.push({ what: 'pairing (quickPair + engine), per frame', median: `${median(pairing).toFixed(3)} µs/frame`, ratio_to_baseline: +(median(pairing) / b).toFixed(2) });
  rows.push({ what: 'throughput bucket update, per frame', median: `${median(buckets).toFixed(3)} µs/frame`, ratio_to_baseline: +(median(buckets) / b).toFixed(2) });
  rows.push({ what: `summary over ${pairs.stats.requests} exchanges`, median: `${median(summary).toFixed(1)} ms`, ratio_to_baseline: '' });
  // With the decodes as the panel has them: `method:` reads the method in the raw text (JSON-RPC's quickName).
  const ctx: QueryContext = { ...queryContextOf(store), startTs: store.tsAt(0), pairs };
  const queries = ['0xdeadbeef', 'unanswered', 'latency>200ms', 'unanswered>5s', 'pair:orphan', 'method:eth_call', 'method:eth_call $.params[0] == "0x0"'];
  const times = new Map<string, number[]>(queries.map((q) => [q, []]));
  const counts = new Map<string, number>();
  for (let r = 0; r < RUNS; r++) {
    for (const q of queries) {
      const { ms, n } = scan(store, q, ctx);
      times.get(q)!.push(ms);
      counts.set(q, n);
    }
  }
  const text0 = median(times.get(queries[0])!);
  for (const q of queries) {
    rows.push({ what: `scan "${q}" (${counts.get(q)} matches)`, median: `${median(times.get(q)!).toFixed(0)} ms`, ratio_to_baseline: `${(median(times.get(q)!) / text0).toFixed(2)}× text term` });
  }
  console.table(rows);
  console.log(JSON.stringify(pairs.stats), sink > 0);
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(`pairs-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, dir), JSON.stringify({ cores: cpus().length, frames: N, runs: RUNS, stats: pairs.stats, summary: pairs.summary(), rows }, null, 2));
}, 600_000);
