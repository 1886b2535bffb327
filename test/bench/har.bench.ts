// HAR export/import at scale: 1,000,000 frames of 200 B exported in chunks to a file and imported back, in Node and
// through the real panel (import-har, then export-har to the browser's download); 3,000,000 frames must export.
// Run: npm run bench. Writes test/bench/results/har-<date>.json and prints a table.
import { it } from 'vitest';
import { createWriteStream, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionStore } from '../../src/model/store';
import { harChunks, parseHar } from '../../src/model/har';
import type { CaptureRecord } from '../../src/model/types';
import type { ElementHandle } from 'puppeteer';
import { launchChromium, waitInFrame } from '../e2e/browser';
import { openPanelTab } from './support';

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

/** Until a file ending in `.har` is in `dir` (Chromium writes `.crdownload` and renames it when complete). */
async function downloaded(dir: string, timeoutMs = 120_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const f = readdirSync(dir).find((n) => n.endsWith('.har'));
    if (f) return join(dir, f);
    if (Date.now() > end) throw new Error('no HAR download');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The same 1M-frame file through the real panel: opened with import-har, saved again with export-har. */
async function throughPanel(file: string, runs: number) {
  const chrome = await launchChromium();
  const out = { importMs: [] as number[], exportMs: [] as number[], blobMs: [] as number[], bytes: 0 };
  try {
    const panel = await openPanelTab(chrome);
    const cdp = await chrome.browser.target().createCDPSession();
    for (let run = 0; run < runs; run++) {
      const downloads = join(tmpdir(), `frameline-bench-dl-${process.pid}-${run}`);
      mkdirSync(downloads, { recursive: true });
      await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
      await panel.reload();
      await waitInFrame(panel.mainFrame(), `!!globalThis.__frameline && !!document.querySelector('[data-testid="import-har"]')`);
      const input = (await panel.$('[data-testid="import-har"]')) as ElementHandle<HTMLInputElement>;
      const t0 = Date.now();
      await input.uploadFile(file);
      await waitInFrame(panel.mainFrame(), `document.querySelector('[data-testid="notice"]')?.textContent.includes('Opened')`, { timeout: 300_000 });
      out.importMs.push(Date.now() - t0);
      const t1 = Date.now();
      await panel.click('[data-testid="export-har"]');
      // The panel says "Saved" once the file's Blob is made and handed to the download flow.
      await waitInFrame(panel.mainFrame(), `document.querySelector('[data-testid="notice"]')?.textContent.startsWith('Saved')`, { timeout: 300_000 });
      out.blobMs.push(Date.now() - t1);
      const saved = await downloaded(downloads, 300_000);
      out.exportMs.push(Date.now() - t1);
      out.bytes = statSync(saved).size;
      rmSync(downloads, { recursive: true, force: true });
    }
  } finally {
    await chrome.close();
  }
  return out;
}

it('HAR export/import at 1M and 3M frames', async () => {
  const only = process.env.BENCH_HAR_ONLY; // 'panel': the panel's path only (the file is made once, not timed)
  const dir = join(tmpdir(), `frameline-bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const rows: Array<Record<string, string | number>> = [];
  try {
    const store = makeStore(1_000_000);
    const exp: Array<{ ms: number; extraMB: number; bytes: number }> = [];
    const imp: number[] = [];
    for (let run = 0; run < (only === 'panel' ? 1 : 5); run++) {
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
    const viaPanel = await throughPanel(join(dir, 'bench.har'), Number(process.env.BENCH_HAR_PANEL_RUNS ?? 3));
    rows.push({
      case: 'panel: import-har 1M (file → rows)',
      median_ms: Math.round(median(viaPanel.importMs)),
      spread_ms: `${Math.min(...viaPanel.importMs)}–${Math.max(...viaPanel.importMs)}`,
      peak_extra_heap_MB: '',
      file_MB: Math.round(statSync(join(dir, 'bench.har')).size / 1024 / 1024),
      target: '',
    });
    rows.push({
      case: 'panel: export-har 1M (click → download complete)',
      median_ms: Math.round(median(viaPanel.exportMs)),
      spread_ms: `${Math.min(...viaPanel.exportMs)}–${Math.max(...viaPanel.exportMs)}`,
      peak_extra_heap_MB: '',
      file_MB: Math.round(viaPanel.bytes / 1024 / 1024),
      target: '≤ 3000 ms',
    });
    rows.push({
      case: '  of which: click → file made and handed to the download flow',
      median_ms: Math.round(median(viaPanel.blobMs)),
      spread_ms: `${Math.min(...viaPanel.blobMs)}–${Math.max(...viaPanel.blobMs)}`,
      peak_extra_heap_MB: '',
      file_MB: '',
      target: '',
    });
  } finally {
    gc();
  }
  if (only !== 'panel') {
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
