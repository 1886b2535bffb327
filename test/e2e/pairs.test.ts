// Pairs, latency and the throughput chart in the real panel, in Chromium and Firefox: a JSON-RPC server that answers
// some requests at once, some late, one with an error and some never; Socket.IO acks, a graphql-ws subscription and
// MQTT QoS 1 (Chromium). Rows say which request each answer belongs to and how long it took, the detail jumps between
// the two, the query finds what got no answer, the summary counts per method, and the chart brushes a time range.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Frame, Page } from 'puppeteer';
import { startServer } from '../support/server.mjs';
import { startGraphql, startJsonRpc, startMqtt, startSocketIo } from '../../demo/protocols.mjs';
import { inspect, launchChromium, waitInFrame, type Chrome } from './browser';
import { inspectInFirefox, launchFirefox, type Firefox } from './firefox';
import { clear, clickRow, counts, filterApplied, filtered, press, rows, setFilter, waitForRow } from './panel';

type Server = Awaited<ReturnType<typeof startServer>>;
let srv: Server;
let rpc: Awaited<ReturnType<typeof startJsonRpc>>;
let sio: Awaited<ReturnType<typeof startSocketIo>>;
let mq: Awaited<ReturnType<typeof startMqtt>>;
let gql: Awaited<ReturnType<typeof startGraphql>>;

const SLOW_MS = 400;
const vendor = (p: string) => readFileSync(new URL(`../../node_modules/${p}`, import.meta.url), 'utf8');

beforeAll(async () => {
  srv = await startServer();
  [rpc, sio, mq, gql] = await Promise.all([startJsonRpc({ slowMs: SLOW_MS }), startSocketIo(), startMqtt(), startGraphql({ tickMs: 50 })]);
  srv.page('/mqtt.js', vendor('mqtt/dist/mqtt.min.js'));
  srv.page('/graphql-ws.js', vendor('graphql-ws/umd/graphql-ws.min.js'));
  srv.page(
    '/app.html',
    `<!doctype html><title>pairs</title><script src="${sio.url}/socket.io/socket.io.js"></script>
     <script src="/mqtt.js"></script><script src="/graphql-ws.js"></script><body>pairs</body>`,
  );
});

afterAll(async () => {
  await Promise.all([srv?.close(), rpc?.close(), sio?.close(), mq?.close(), gql?.close()]);
});

/** Requests the page sends, by method: ping answers at once, slow after SLOW_MS, fail with an error, never never. */
const CALLS = { ping: 3, slow: 2, fail: 1, never: 2 } as const;
const ANSWERED = CALLS.ping + CALLS.slow + CALLS.fail;

/** In the page: a JSON-RPC client sending CALLS (ids 1…), resolved when every answer that will come has come. */
const rpcSession = (url: string) => `new Promise((done, fail) => {
  const ws = new WebSocket(${JSON.stringify(url)});
  window.rpcSocket = ws;
  const calls = Object.entries(${JSON.stringify(CALLS)}).flatMap(([m, n]) => Array.from({ length: n }, () => m));
  let got = 0;
  setTimeout(() => fail(new Error('JSON-RPC session timed out')), 10000);
  ws.onopen = () => calls.forEach((method, i) => ws.send(JSON.stringify({ jsonrpc: '2.0', id: i + 1, method })));
  ws.onmessage = () => { if (++got === ${ANSWERED}) done(got); };
})`;

interface SummaryRowInfo {
  method: string;
  count: number;
  unanswered: number;
  p50: number;
  p95: number;
}

const summaryRows = (panel: Frame) =>
  panel.evaluate(`[...document.querySelectorAll('[data-testid="pairs-summary-row"]')].map((el) => ({
    method: el.dataset.method, count: Number(el.dataset.count), unanswered: Number(el.dataset.unanswered),
    p50: el.dataset.p50Ms === '' ? NaN : Number(el.dataset.p50Ms), p95: el.dataset.p95Ms === '' ? NaN : Number(el.dataset.p95Ms) }))`) as Promise<SummaryRowInfo[]>;

async function checkJsonRpc(page: Page, panel: Frame, browser: string) {
  expect(await page.evaluate(rpcSession(rpc.wsUrl))).toBe(ANSWERED);
  // The page had every answer; the panel has them a batch later.
  await setFilter(panel, 'pair:answer');
  await waitInFrame(panel, `document.querySelector('[data-testid="frame-count"]')?.dataset.visible === '${ANSWERED}'`, { what: 'every answer in the panel' });
  // Requests carry whether they were answered; answers their request and latency.
  expect(await filtered(panel, 'unanswered')).toBe(CALLS.never);
  const waiting = await rows(panel);
  expect(waiting.map((r) => r.answered)).toEqual(['false', 'false']);
  expect(await filtered(panel, 'pair:answer')).toBe(ANSWERED);
  expect(await filtered(panel, 'pair:request')).toBe(ANSWERED + CALLS.never);
  expect(await filtered(panel, `latency>${SLOW_MS - 50}ms`)).toBe(CALLS.slow);
  const slow = await rows(panel);
  for (const r of slow) {
    expect(r.direction).toBe('received');
    expect(r.pair).not.toBeNull();
    expect(r.latencyMs!).toBeGreaterThanOrEqual(SLOW_MS - 50);
  }
  // Fast answers: paired, with a latency well under the slow ones.
  expect(await filtered(panel, `pair:answer latency<${SLOW_MS - 50}ms`)).toBe(CALLS.ping + CALLS.fail);
  const fast = await rows(panel);
  expect(fast.every((r) => r.pair !== null && r.latencyMs !== null && r.latencyMs < SLOW_MS - 50)).toBe(true);

  // The detail shows the pair side by side and jumps from the answer to its request.
  await setFilter(panel, '');
  await waitForRow(panel, `r.id === ${slow[0].id}`, 'the slow answer in the unfiltered timeline');
  await clickRow(panel, slow[0].id);
  await waitInFrame(panel, `document.querySelector('[data-testid="pair-partner"]')?.dataset.frameId === '${slow[0].pair}'`, { what: 'the request beside its answer' });
  expect(await panel.$eval('[data-testid="pair-detail"]', (el) => (el as HTMLElement).innerText)).toMatch(/slow/);
  await press(panel, `[data-testid="pair-jump"][data-target="${slow[0].pair}"]`);
  await waitInFrame(panel, `document.querySelector('[data-testid="frame-detail"]')?.dataset.frameId === '${slow[0].pair}'`, { what: 'the jump to the request' });
  await waitInFrame(panel, `document.querySelector('[data-testid="frame-row"][data-frame-id="${slow[0].pair}"]')?.getAttribute('aria-selected') === 'true'`, {
    what: 'the request row selected and in view',
  });

  // The summary, per method: counts, unanswered, latency percentiles.
  await press(panel, '[data-testid="tab-pairs"]');
  await waitInFrame(panel, `document.querySelectorAll('[data-testid="pairs-summary-row"]').length >= 4`, { what: 'the pairs summary' });
  const summary = await summaryRows(panel);
  console.log(`pairs summary in ${browser}: ${JSON.stringify(summary)}`);
  const by = Object.fromEntries(summary.map((r) => [r.method, r]));
  expect(by.ping).toMatchObject({ count: CALLS.ping, unanswered: 0 });
  expect(by.slow).toMatchObject({ count: CALLS.slow, unanswered: 0 });
  expect(by.fail).toMatchObject({ count: CALLS.fail, unanswered: 0 });
  expect(by.never).toMatchObject({ count: CALLS.never, unanswered: CALLS.never });
  expect(by.slow.p50).toBeGreaterThanOrEqual(SLOW_MS - 50);
  expect(by.ping.p95).toBeLessThan(SLOW_MS - 50);
  expect(by.never.p50 ?? NaN).toBeNaN(); // no answered request: no percentile (NaN crosses evaluate as null)
  // A click on a method filters the timeline to its requests and answers.
  await press(panel, '[data-testid="pairs-summary-row"][data-method="slow"]');
  await waitInFrame(panel, `/slow/.test(document.querySelector('[data-testid="filter-input"]')?.value ?? '')`, { what: 'the filter set from the summary' });
  await filterApplied(panel);
  expect((await counts(panel)).visible).toBe(CALLS.slow * 2);
  await setFilter(panel, '');
}

/** The chart counts the session's frames and a brush from automation sets a time range in the filter. */
async function checkChart(panel: Frame) {
  const chart = '[data-testid="throughput-chart"]';
  await waitInFrame(panel, `!!document.querySelector('${chart}')`, { what: 'the throughput chart' });
  if ((await panel.$eval(chart, (el) => (el as HTMLElement).dataset.collapsed)) === 'true') await press(panel, '[data-testid="throughput-toggle"]');
  await waitInFrame(panel, `Number(document.querySelector('${chart}')?.dataset.buckets) > 0`, { what: 'buckets in the chart' });
  const total = (await counts(panel)).total;
  await panel.$eval(chart, (el) => el.dispatchEvent(new CustomEvent('frameline-brush', { detail: { from: 0, to: 3600 } })));
  await waitInFrame(panel, `/time:/.test(document.querySelector('[data-testid="filter-input"]')?.value ?? '')`, { what: 'the brushed range in the filter' });
  await filterApplied(panel, 'the range applied');
  expect((await counts(panel)).visible).toBe(total);
  await setFilter(panel, '');
}

describe('pairs in Chromium', () => {
  let chrome: Chrome;
  let page: Page;
  let panel: Frame;
  beforeAll(async () => {
    chrome = await launchChromium();
    ({ page, panel } = await inspect(chrome, srv.origin + '/app.html'));
  });
  afterAll(async () => {
    await chrome?.close();
  });

  it('JSON-RPC: answers paired with latencies, unanswered found, the summary per method, jumps between the two', async () => {
    await clear(panel);
    await checkJsonRpc(page, panel, 'chromium');
    await checkChart(panel);
    await page.evaluate('window.rpcSocket.close()');
  });

  it('Socket.IO acks, a graphql-ws subscription and MQTT QoS 1 are paired', async () => {
    await clear(panel);
    await page.evaluate(`new Promise((done, fail) => {
      const s = io(${JSON.stringify(sio.url)}, { transports: ['websocket'] });
      setTimeout(() => fail(new Error('Socket.IO timed out')), 10000);
      s.on('connect', () => s.emit('chat', { text: 'hi' }, (ack) => { s.disconnect(); done(ack); }));
    })`);
    expect(await filtered(panel, 'proto:socketio pair:answer')).toBe(1);
    const ack = (await rows(panel))[0];
    expect(ack.summary).toMatch(/ACK/i);
    expect(await filtered(panel, 'proto:socketio pair:request')).toBe(1);
    const emit = (await rows(panel))[0];
    expect(ack.pair).toBe(emit.id);
    expect(emit.answered).toBe('true');

    expect(
      await page.evaluate(`new Promise((done, fail) => {
        const c = graphqlWs.createClient({ url: ${JSON.stringify(gql.wsUrl)} });
        let n = 0;
        setTimeout(() => fail(new Error('GraphQL timed out')), 10000);
        c.subscribe({ query: 'subscription OnPrice { prices(symbol: "BTC", limit: 3) { price seq } }', operationName: 'OnPrice' },
          { next: () => n++, error: fail, complete: () => done(n) });
      })`),
    ).toBe(3);
    expect(await filtered(panel, 'proto:graphql pair:request')).toBe(1);
    const sub = (await rows(panel))[0];
    expect(sub.answered).toBe('true');
    expect(await filtered(panel, 'proto:graphql pair:answer')).toBe(1);
    const firstNext = (await rows(panel))[0];
    expect(firstNext.pair).toBe(sub.id);
    expect(firstNext.summary).toMatch(/^next #\S+ OnPrice /);
    // The later results are the same exchange's items, not answers of their own.
    expect(await filtered(panel, 'proto:graphql pair:more')).toBeGreaterThanOrEqual(2);

    expect(
      await page.evaluate(`new Promise((done, fail) => {
        const c = mqtt.connect(${JSON.stringify(mq.wsUrl)}, { protocolVersion: 5, reconnectPeriod: 0 });
        setTimeout(() => fail(new Error('MQTT timed out')), 10000);
        c.on('error', fail);
        c.on('connect', () => c.publish('orders/1', '{"qty":1}', { qos: 1 }, (err) => { c.end(); err ? fail(err) : done('acked'); }));
      })`),
    ).toBe('acked');
    expect(await filtered(panel, 'proto:mqtt dir:sent topic:orders/1 pair:request')).toBe(1);
    const pub = (await rows(panel))[0];
    expect(pub.answered).toBe('true');
    expect(await filtered(panel, 'proto:mqtt pair:answer dir:received')).toBeGreaterThanOrEqual(1);
    const acks = await rows(panel);
    expect(acks.some((r) => r.pair === pub.id && /PUBACK/.test(r.summary))).toBe(true);
    await setFilter(panel, '');
  });

  it('a pairing rule the user writes pairs a protocol Frameline does not know', async () => {
    await clear(panel);
    await checkUserRule(page, panel);
  });
});

/** Type into an input of the panel as a user would (the value, then its input event). */
async function typeInto(panel: Frame, testid: string, value: string) {
  await panel.$eval(
    `[data-testid="${testid}"]`,
    (el, v) => {
      const input = el as HTMLInputElement;
      input.value = v;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    },
    value,
  );
}

/** A protocol no decoder knows (echoed by the test server): the user's rule in the Pairs tab pairs it, kept per origin. */
async function checkUserRule(page: Page, panel: Frame) {
  await page.evaluate(`new Promise((done) => {
    const ws = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?custom'))});
    let got = 0;
    ws.onopen = () => { ws.send(JSON.stringify({ reqId: 'r1', body: 'x' })); ws.send(JSON.stringify({ reqId: 'r2', body: 'y' })); };
    ws.onmessage = () => { if (++got === 2) { ws.close(); done(); } };
  })`);
  expect(await filtered(panel, 'conn:custom')).toBe(4);
  expect((await rows(panel)).every((r) => r.pair === null && r.answered === null)).toBe(true);
  await clickRow(panel, (await rows(panel))[0].id);
  await press(panel, '[data-testid="tab-pairs"]');
  await waitInFrame(panel, `!!document.querySelector('[data-testid="pair-rule"]')`, { what: 'the rule form' });
  // A path that does not parse is refused with its reason, and nothing is kept.
  await typeInto(panel, 'pair-rule-request-id', 'reqId');
  await typeInto(panel, 'pair-rule-answer-id', '$.reqId');
  await press(panel, '[data-testid="pair-rule-save"]');
  await waitInFrame(panel, `/must start with/.test(document.querySelector('[data-testid="pair-rule-error"]')?.textContent ?? '')`, { what: 'the rule refused' });
  await typeInto(panel, 'pair-rule-request-id', '$.reqId');
  await press(panel, '[data-testid="pair-rule-save"]');
  await waitInFrame(panel, `!document.querySelector('[data-testid="pair-rule-error"]')`, { what: 'the rule saved' });
  await waitForRow(panel, `r.direction === 'received' && r.pair !== null`, 'an echo paired by the rule');
  const paired = await rows(panel);
  expect(paired.filter((r) => r.answered === 'true')).toHaveLength(2);
  for (const r of paired.filter((x) => x.direction === 'received')) expect(paired.find((x) => x.id === r.pair)?.direction).toBe('sent');
  // Cleared: the frames are unpaired again.
  await press(panel, '[data-testid="pair-rule-clear"]');
  await waitInFrame(panel, `![...document.querySelectorAll('[data-testid="frame-row"]')].some((r) => r.hasAttribute('data-pair'))`, { what: 'the rule gone' });
  await setFilter(panel, '');
}

describe('pairs in Firefox', () => {
  let ff: Firefox;
  let page: Page;
  let panel: Frame;
  beforeAll(async () => {
    ff = await launchFirefox();
    ({ page, panel } = await inspectInFirefox(ff, srv.origin + '/app.html'));
  }, 60_000);
  afterAll(async () => {
    await ff?.close();
  });

  it('JSON-RPC: answers paired with latencies, unanswered found, the summary per method; the chart brushes a range', async () => {
    await clear(panel);
    await checkJsonRpc(page, panel, 'firefox');
    await checkChart(panel);
    await page.evaluate('window.rpcSocket.close()');
  });
});
