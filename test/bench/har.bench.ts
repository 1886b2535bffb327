// HAR export/import at scale (issue #5): 1,000,000 frames of 200 B exported in chunks to a file and imported back;
// 3,000,000 frames must export. Run: npm run bench. Writes test/bench/results/har-<date>.json and prints a table.
import { it } from 'vitest';
import { createWriteStream, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionStore } from '../../src/model/store';
import { harChunks, parseHar } from '../../src/model/har';
import type { CaptureRecord } from '../../src/model/types';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const PAYLOAD = JSON.stringify({ type: 'trade', symbol: 'ACME', price: 101.25, qty: 7, pad: 'x'.repeat(120) }).slice(0, 200);

function makeStore(frames: number): SessionStore {
  const s = new SessionStore();
  const conns = 10;
  const head: CaptureRecord[] = [{ t: 'anchor', anchor: 1_795_000_000 }];
  for (let c = 1; c <= conns; c++) {
    head.push({ t: 'conn', conn: { id: c, url: `wss://bench.example/feed/${c}`, state: 'open', openedBeforeCapture: false, target: { type: 'page' }, createdTs: 1, openTs: 1.01 } });
  }
  s.apply(head);
  const BATCH = 50_000;
  for (let i = 0; i < frames; i += BATCH) {
    const batch: CaptureRecord[] = [];
    for (let k = i; k < Math.min(frames, i + BATCH); k++) {
      batch.push({ t: 'frame', frame: { id: k + 1, conn: (k % conns) + 1, dir: k % 4 === 0 ? 'sent' : 'received', opcode: 1, ts: 2 + k / 1000, size: 200, text: PAYLOAD } });
    }
    s.apply(batch);
  }
  return s;
}

/** Export to a file, sampling heap use; returns ms, bytes written and the peak extra heap in MB. */
async function exportToFile(store: SessionStore, file: string) {
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const out = createWriteStream(file);
  const t0 = performance.now();
  let bytes = 0;
  let n = 0;
  for (const chunk of harChunks(store, { sanitize: true })) {
    bytes += chunk.length;
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    if (++n % 50 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  await new Promise<void>((r) => out.end(() => r()));
  const ms = performance.now() - t0;
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return { ms, bytes, extraMB: (peak - base) / 1024 / 1024 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

it('HAR export/import at 1M and 3M frames', async () => {
  const dir = join(tmpdir(), `frameline-bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const rows: Array<Record<string, string | number>> = [];
  try {
    const store = makeStore(1_000_000);
    const exp: Array<{ ms: number; extraMB: number; bytes: number }> = [];
    const imp: number[] = [];
    for (let run = 0; run < 5; run++) {
      const file = join(dir, 'bench.har');
      exp.push(await exportToFile(store, file));
      gc();
      const t0 = performance.now();
      const text = readFileSync(file, 'utf8');
      const parsed = parseHar(text);
      const s = new SessionStore();
      s.apply(parsed.records);
      imp.push(performance.now() - t0);
      if (s.frameCount !== 1_000_000) throw new Error(`import lost frames: ${s.frameCount}`);
    }
    rows.push({
      case: 'export 1M × 200 B',
      median_ms: Math.round(median(exp.map((e) => e.ms))),
      spread_ms: `${Math.round(Math.min(...exp.map((e) => e.ms)))}–${Math.round(Math.max(...exp.map((e) => e.ms)))}`,
      peak_extra_heap_MB: Math.round(median(exp.map((e) => e.extraMB))),
      file_MB: Math.round(exp[0].bytes / 1024 / 1024),
      target: '≤ 5000 ms, ≤ 64 MB',
    });
    rows.push({
      case: 'import 1M (read + parse + store)',
      median_ms: Math.round(median(imp)),
      spread_ms: `${Math.round(Math.min(...imp))}–${Math.round(Math.max(...imp))}`,
      peak_extra_heap_MB: '',
      file_MB: '',
      target: '≤ 5000 ms',
    });
  } finally {
    gc();
  }
  {
    const big = makeStore(3_000_000);
    const file = join(dir, 'bench3m.har');
    const r = await exportToFile(big, file);
    rows.push({
      case: 'export 3M × 200 B',
      median_ms: Math.round(r.ms),
      spread_ms: '1 run',
      peak_extra_heap_MB: Math.round(r.extraMB),
      file_MB: Math.round(statSync(file).size / 1024 / 1024),
      target: 'succeeds (one string would exceed V8’s limit)',
    });
  }
  rmSync(dir, { recursive: true, force: true });
  console.table(rows);
  const results = new URL('./results/', import.meta.url);
  mkdirSync(results, { recursive: true });
  writeFileSync(
    new URL(`har-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, results),
    JSON.stringify({ node: process.version, cores: cpus().length, rows }, null, 2),
  );
}, 600_000);
