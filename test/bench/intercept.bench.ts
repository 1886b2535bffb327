// Intercept rules in the page (issue #24): the page-side cost per frame of 10 rules at 2,000 frames/s each way, measured
// in the page, beside the same hook with no rules and a page with no hook, in the same run; and the order of frames.
// Chromium runs Frameline's document-start hook (the one the debugger injects, rules set on its registry as the host
// sets them) without DevTools: what is measured is the page's own work in `send` and in the first message listener.
// Per frame: one `send` (text, 120–200 B JSON) and one received frame, timed with performance.now() around the call
// (`send`) and around `dispatchEvent` of a MessageEvent that goes through the same listener as the network's (received),
// in groups of 10 per 5 ms tick: each call (the page's timer is coarse), and each group's mean per frame. The server's copy and the app's listener check that nothing is reordered or lost.
// Run: npx vitest run --project bench test/bench/intercept.bench.ts --reporter=verbose. BENCH_INTERCEPT_SECONDS.
// Writes test/bench/results/intercept-<date>.json and prints a table.
import { it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import puppeteer from 'puppeteer';
import { startServer } from '../support/server.mjs';
import { chromiumPath } from '../e2e/browser';
import { pageHookSource } from '../../src/capture/chrome/page-hook';
import { toPageRules } from '../../src/model/intercept/rules';
import type { InterceptRule } from '../../src/model/intercept/types';

const SECONDS = Number(process.env.BENCH_INTERCEPT_SECONDS ?? 5);
const RATE = 2000;
const SECRET = '__frameline_bench';

/** Ten rules a user might keep: most match nothing in this traffic, one rewrites 1 frame in 10 of each direction. */
const RULES: InterceptRule[] = [
  { query: 'dir:sent "never-sent-token"', action: { kind: 'block' } },
  { query: 'dir:received /error\\d{3}/', action: { kind: 'block' } },
  { query: '$.type == "heartbeat-x"', action: { kind: 'delay', ms: 100 } },
  { query: 'url:/never-this-path', action: { kind: 'close', code: 4000, reason: 'x' } },
  { query: '$.user.name == "mallory"', action: { kind: 'rewrite', rewrite: { op: 'json-delete', path: ['user'] } } },
  { query: 'size>100000', action: { kind: 'block' } },
  { query: 'dir:sent $.cmd == "nope"', action: { kind: 'respond', reply: { text: '{"ok":true}' }, forward: false } },
  { query: '"password"', action: { kind: 'rewrite', rewrite: { op: 'regex', source: 'password=\\w+', flags: 'g', replacement: 'password=***' } } },
  { query: 'op:binary', action: { kind: 'block' } },
  { query: '$.seq ~ /0$/', action: { kind: 'rewrite', rewrite: { op: 'json-set', path: ['tagged'], value: 'true' } } },
].map((r, i) => ({ id: `bench${i}`, enabled: true, ...r }) as InterceptRule);

type Mode = 'no hook' | 'hook, no rules' | 'hook, 10 rules';
const MODES: Mode[] = ['no hook', 'hook, no rules', 'hook, 10 rules'];

interface PageResult {
  /** Each call, and the mean per frame of each group of 10 (finer than the timer's resolution in a page). */
  sendUs: number[];
  recvUs: number[];
  sendGroupUs: number[];
  recvGroupUs: number[];
  serverSeqs: number[];
  appSeqs: number[];
  tagged: number;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(s.length * p) - 1))];
};
const inOrder = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]);

it('intercept: page-side cost of 10 rules at 2k frames/s each way', { timeout: 600_000 }, async () => {
  const srv = await startServer();
  srv.page('/bench.html', '<!doctype html><title>intercept bench</title>');
  const browser = await puppeteer.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox'] });
  const rows: Array<Record<string, string | number>> = [];
  const raw: Record<string, unknown> = {};
  try {
    for (const mode of MODES) {
      const page = await browser.newPage();
      if (mode !== 'no hook') await page.evaluateOnNewDocument(pageHookSource(SECRET));
      await page.goto(srv.origin + '/bench.html');
      const t = `bench-${mode.replace(/\W+/g, '-')}`;
      const rules = mode === 'hook, 10 rules' ? toPageRules(RULES) : [];
      const r = (await page.evaluate(
        `(async () => {
          const reg = globalThis[${JSON.stringify(SECRET)}];
          if (reg) { reg.rules = ${JSON.stringify(rules)}; reg.until = Date.now() + 3600e3; }
          const ws = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t='))} + ${JSON.stringify(t)});
          const appSeqs = [];
          let tagged = 0;
          ws.addEventListener('message', (e) => {
            if (typeof e.data !== 'string' || e.data[0] !== '{') return;
            const m = JSON.parse(e.data);
            if (m.local) { appSeqs.push(m.seq); if (m.tagged) tagged++; }
          });
          await new Promise((ok) => (ws.onopen = ok));
          const total = ${RATE * SECONDS};
          const sendUs = [], recvUs = [], sendGroupUs = [], recvGroupUs = [];
          let seq = 0;
          const user = { name: 'alice', id: 7 };
          await new Promise((done) => {
            const tick = () => {
              const from = seq;
              const texts = [], events = [];
              for (let k = from; k < from + 10 && k < total; k++) {
                texts.push(JSON.stringify({ type: 'update', seq: k, user, body: 'x'.repeat(60 + (k % 80)) }));
                events.push(new MessageEvent('message', { data: JSON.stringify({ type: 'quote', local: true, seq: k, user, px: k * 1.5 }) }));
              }
              let g = performance.now();
              for (const text of texts) {
                const s = performance.now();
                ws.send(text);
                sendUs.push((performance.now() - s) * 1000);
              }
              sendGroupUs.push(((performance.now() - g) * 1000) / texts.length);
              g = performance.now();
              for (const ev of events) {
                const s = performance.now();
                ws.dispatchEvent(ev);
                recvUs.push((performance.now() - s) * 1000);
              }
              recvGroupUs.push(((performance.now() - g) * 1000) / events.length);
              seq += texts.length;
              if (seq < total) setTimeout(tick, 5); else done();
            };
            tick();
          });
          await new Promise((r) => setTimeout(r, 500));
          ws.close();
          return { sendUs, recvUs, sendGroupUs, recvGroupUs, appSeqs, tagged };
        })()`,
      )) as Omit<PageResult, 'serverSeqs'>;
      const serverSeqs = srv.connections
        .filter((c) => c.query.t === t)
        .flatMap((c) => c.received.map((m: { text?: string }) => (JSON.parse(m.text ?? '{}') as { seq: number }).seq));
      await page.close();
      const res: PageResult = { ...r, serverSeqs };
      raw[mode] = { send: summary(res.sendUs), recv: summary(res.recvUs), sendPerFrameOf10: summary(res.sendGroupUs), recvPerFrameOf10: summary(res.recvGroupUs) };
      rows.push({
        mode,
        'send µs/frame (10) p50': round(pct(res.sendGroupUs, 0.5)),
        'p99 ': round(pct(res.sendGroupUs, 0.99)),
        'recv µs/frame (10) p50': round(pct(res.recvGroupUs, 0.5)),
        'p99  ': round(pct(res.recvGroupUs, 0.99)),
        'send p99 µs (1 call)': round(pct(res.sendUs, 0.99)),
        'recv p99 µs (1 call)': round(pct(res.recvUs, 0.99)),
        'server got': `${res.serverSeqs.length}/${RATE * SECONDS}${inOrder(res.serverSeqs) ? ' in order' : ' REORDERED'}`,
        'app got': `${res.appSeqs.length}/${RATE * SECONDS}${inOrder(res.appSeqs) ? ' in order' : ' REORDERED'}`,
        tagged: res.tagged,
      });
    }
  } finally {
    await browser.close();
    await srv.close();
  }
  console.table(rows);
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    new URL(`intercept-${new Date().toISOString().slice(0, 10)}.json`, dir),
    JSON.stringify({ cpus: cpus().length, seconds: SECONDS, rate: RATE, rows, raw }, null, 2),
  );
});

const round = (x: number) => Math.round(x * 10) / 10;
const summary = (xs: number[]) => ({ n: xs.length, p50: round(pct(xs, 0.5)), p90: round(pct(xs, 0.9)), p99: round(pct(xs, 0.99)), max: round(pct(xs, 1)) });
