// Relay capacity between extension contexts (issue #3, item 3), measured in isolation: two extension pages of a bench
// extension and a runtime Port between them carrying Frameline-shaped batch messages of 200 B frame records. One
// message per frame is the peer's way; Frameline batches (≈ one message per 16 ms). Target: ≥ 300k frames/s.
// Run: npm run bench.
import { it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { extensionIdOf } from '../../scripts/devtools.mjs';
import { launchChromium, waitInFrame } from '../e2e/browser';

const EXT = resolve(import.meta.dirname, 'relay-ext');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const CASES = [
  { batch: 1, total: 20_000, shape: 'records', note: 'one message per frame (the naive relay)' },
  { batch: 100, total: 500_000, shape: 'records', note: 'an object per frame, ≈ 16 ms of a 6k frames/s stream' },
  { batch: 1000, total: 1_000_000, shape: 'records', note: 'an object per frame, a burst' },
  { batch: 100, total: 500_000, shape: 'columnar', note: 'Frameline: columns per batch, 16 ms of 6k frames/s' },
  { batch: 1000, total: 1_000_000, shape: 'columnar', note: 'Frameline: columns per batch, a burst' },
];

it('relay capacity over a runtime Port', async () => {
  const chrome = await launchChromium(EXT);
  const rows: Array<Record<string, string | number>> = [];
  const all: Record<string, number[]> = {};
  try {
    const id = await extensionIdOf(chrome.browser);
    const receiver = await chrome.browser.newPage();
    await receiver.goto(`chrome-extension://${id}/receiver.html`);
    const sender = await chrome.browser.newPage();
    await sender.goto(`chrome-extension://${id}/sender.html`);
    await waitInFrame(sender.mainFrame(), `document.documentElement.dataset.ready === 'true'`);
    for (const c of CASES) {
      const rates: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        const out = (await sender.evaluate(`relay(${c.batch}, ${c.total}, '${c.shape}')`)) as { records: number; ms: number };
        if (out.records !== c.total) throw new Error(`lost ${c.total - out.records} records`);
        rates.push((out.records / out.ms) * 1000);
      }
      all[`${c.shape} ${c.batch}`] = rates;
      rows.push({
        case: `${c.shape}, batches of ${c.batch} (${c.note})`,
        frames_per_s: Math.round(median(rates)),
        spread: `${Math.round(Math.min(...rates))}–${Math.round(Math.max(...rates))}`,
        lost: 0,
        target: c.batch > 1 ? '≥ 300,000' : '',
      });
    }
  } finally {
    await chrome.close();
  }
  console.table(rows);
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(`relay-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, dir), JSON.stringify({ cores: cpus().length, runs: RUNS, all, rows }, null, 2));
}, 1_800_000);
