// Decoders in the real panel, in Chromium and Firefox: frames made by real client libraries in the page (the
// Socket.IO client served by a real `socket.io` server; MQTT.js against an aedes broker for 3.1.1 and a small
// mqtt-packet broker for 5; graphql-ws against a graphql-ws server) are shown with their protocol and summary, open
// in a Decoded view, answer decoded-field queries, and follow the decoder the user picks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import type { Frame, Page } from 'puppeteer';
import { startServer } from '../support/server.mjs';
import { startGraphql, startMqtt, startSocketIo } from '../../demo/protocols.mjs';
import { inspect, launchChromium, waitInFrame, type Chrome } from './browser';
import { inspectInFirefox, launchFirefox, type Firefox } from './firefox';
import { clear, clickRow, filtered, rows, setFilter, waitForRow } from './panel';

type Server = Awaited<ReturnType<typeof startServer>>;
let srv: Server;
let sio: Awaited<ReturnType<typeof startSocketIo>>;
let mq: Awaited<ReturnType<typeof startMqtt>>;
let gql: Awaited<ReturnType<typeof startGraphql>>;

const vendor = (p: string) => readFileSync(new URL(`../../node_modules/${p}`, import.meta.url), 'utf8');

beforeAll(async () => {
  srv = await startServer();
  [sio, mq, gql] = await Promise.all([startSocketIo(), startMqtt(), startGraphql({ tickMs: 100 })]);
  srv.page('/mqtt.js', vendor('mqtt/dist/mqtt.min.js'));
  srv.page('/graphql-ws.js', vendor('graphql-ws/umd/graphql-ws.min.js'));
  srv.page(
    '/app.html',
    `<!doctype html><title>decoders</title><script src="${sio.url}/socket.io/socket.io.js"></script>
     <script src="/mqtt.js"></script><script src="/graphql-ws.js"></script><body>decoders</body>`,
  );
});

afterAll(async () => {
  await Promise.all([srv?.close(), sio?.close(), mq?.close(), gql?.close()]);
});

/** In the page: a Socket.IO client that connects, emits a chat (acked), a binary upload (acked) and a call on /admin. */
const socketIoSession = (url: string) => `new Promise((done, fail) => {
  const s = io(${JSON.stringify(url)}, { transports: ['websocket'] });
  setTimeout(() => fail(new Error('Socket.IO session timed out')), 10000);
  s.on('connect', () => s.emit('chat', { text: 'hello', price: 120 }, (ack) => {
    s.emit('upload', 'file.bin', new Uint8Array([1, 2, 3]), (up) => {
      const admin = io(${JSON.stringify(url)} + '/admin', { transports: ['websocket'] });
      admin.emit('stats', (stats) => done({ ack, up, stats }));
    });
  }));
})`;

/** In the page: an MQTT.js client of the given protocol version that subscribes, publishes at QoS 1 and gets it back. */
const mqttSession = (url: string, version: number) => `new Promise((done, fail) => {
  const c = mqtt.connect(${JSON.stringify(url)}, { protocolVersion: ${version}, reconnectPeriod: 0 });
  setTimeout(() => fail(new Error('MQTT session timed out')), 10000);
  c.on('error', fail);
  c.on('connect', () => c.subscribe('prices/#', { qos: 1 }, () => c.publish('prices/BTC', JSON.stringify({ price: 64000 + ${version} }), { qos: 1 })));
  c.on('message', (topic, payload) => { window.mqttClient${version} = c; done(topic + ' ' + payload); });
})`;

/** In the page: a graphql-ws subscription of three prices. */
const graphqlSession = (url: string) => `new Promise((done, fail) => {
  const c = graphqlWs.createClient({ url: ${JSON.stringify(url)} });
  const got = [];
  setTimeout(() => fail(new Error('GraphQL session timed out')), 10000);
  c.subscribe({ query: 'subscription OnPrice { prices(symbol: "BTC", limit: 3) { symbol price seq } }', operationName: 'OnPrice' },
    { next: (v) => got.push(v), error: fail, complete: () => done(got.length) });
})`;

/** Rows of the timeline whose protocol is `proto`. */
const rowsOf = async (panel: Frame, proto: string) => (await rows(panel)).filter((r) => r.protocol === proto);

async function checkSocketIo(page: Page, panel: Frame) {
  const result = (await page.evaluate(socketIoSession(sio.url))) as { ack: { ok: boolean }; up: { size: number }; stats: { clients: number } };
  expect(result.ack.ok).toBe(true);
  expect(result.up.size).toBe(3);
  // The session's frames outnumber a short panel's rows: each is found through the filter.
  await setFilter(panel, 'proto:socketio dir:sent');
  const chat = await waitForRow(panel, `r.protocol === 'socketio' && r.direction === 'sent' && /chat/.test(r.summary)`, 'the chat event, decoded');
  expect(chat.summary).toMatch(/EVENT chat/);
  await setFilter(panel, 'proto:socketio dir:received');
  await waitForRow(panel, `r.protocol === 'socketio' && r.direction === 'received' && /chat/.test(r.summary)`, 'the chat broadcast, decoded');
  await setFilter(panel, 'proto:socketio stats');
  await waitForRow(panel, `r.protocol === 'socketio' && /stats/.test(r.summary)`, 'the /admin call, decoded');
  // The binary event's attachment is a frame of its own, said to belong to its event.
  await setFilter(panel, 'proto:socketio op:binary');
  const attachment = await waitForRow(panel, `r.protocol === 'socketio' && r.opcode === 2 && r.direction === 'sent'`, 'the upload attachment');
  expect(attachment.summary).toMatch(/upload/);

  // Decoded fields in the query: the event name, a path into the event's arguments, the protocol.
  expect(await filtered(panel, 'event:chat')).toBe(2);
  expect((await rows(panel)).every((r) => /chat/.test(r.summary))).toBe(true);
  expect(await filtered(panel, '$.args[0].price > 100')).toBe(2);
  expect(await filtered(panel, 'event:upload')).toBeGreaterThanOrEqual(1);
  const decodedRows = await filtered(panel, 'proto:socketio');
  expect(decodedRows).toBeGreaterThanOrEqual(8);
  await setFilter(panel, 'event:upload');

  // The detail opens on the Decoded view: the binary event carries its bytes joined in.
  const upload = await waitForRow(panel, `r.protocol === 'socketio' && r.direction === 'sent' && r.opcode === 1 && /upload/.test(r.summary)`, 'the upload event');
  await clickRow(panel, upload.id);
  await waitInFrame(panel, `document.querySelector('[data-testid="decoded"]')?.dataset.protocol === 'socketio'`, { what: 'the Decoded view' });
  const detail = await panel.$eval('[data-testid="decoded"]', (el) => (el as HTMLElement).innerText);
  expect(detail).toContain('upload');
  expect(detail).toMatch(/bytes\(3\) 01 02 03/);

  // The user picks no decoder for this URL: its rows are raw; back to detection: decoded again (a text term finds the
  // row both ways).
  await setFilter(panel, 'dir:sent chat');
  await clickRow(panel, chat.id);
  await panel.select('[data-testid="decoder-select"]', 'raw');
  await waitInFrame(panel, `!!document.querySelector('[data-testid="frame-row"][data-frame-id="${chat.id}"][data-protocol="raw"]')`, { what: 'the row shown raw' });
  expect(await panel.$('[data-testid="decoded"]')).toBeNull();
  await panel.select('[data-testid="decoder-select"]', '');
  await waitInFrame(panel, `!!document.querySelector('[data-testid="frame-row"][data-frame-id="${chat.id}"][data-protocol="socketio"]')`, { what: 'the row decoded again' });
}

const TICKER_PROTO = `syntax = "proto3";
package ticker;
message Quote { string symbol = 1; double price = 2; int64 seq = 3; repeated string venues = 4; }
`;

/**
 * Protobuf frames echoed by the test server; the user picks Protobuf, adds the .proto (a file input in the panel),
 * picks the message type: frames are read as typed objects, and `$.` paths reach their fields.
 */
async function checkProtobuf(page: Page, panel: Frame) {
  const Quote = protobuf.parse(TICKER_PROTO, { keepCase: true }).root.lookupType('ticker.Quote');
  const frames = [
    { symbol: 'BTC-USD', price: 64000.5, seq: 1, venues: ['a', 'b'] },
    { symbol: 'ETH-USD', price: 3100.25, seq: 2, venues: [] },
  ].map((v) => Buffer.from(Quote.encode(Quote.create(v)).finish()).toString('base64'));
  await page.evaluate(`new Promise((done) => {
    const ws = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?proto=quotes'))});
    ws.binaryType = 'arraybuffer';
    let got = 0;
    ws.onopen = () => { for (const b of ${JSON.stringify(frames)}) ws.send(Uint8Array.from(atob(b), (c) => c.charCodeAt(0))); };
    ws.onmessage = () => { if (++got === 2) done(); };
  })`);
  expect(await filtered(panel, 'conn:proto=quotes dir:received op:binary')).toBe(2);
  const row = (await rows(panel))[0];
  await clickRow(panel, row.id);
  await panel.select('[data-testid="decoder-select"]', 'protobuf');
  // Without a schema: the wire-format tree.
  await waitInFrame(panel, `document.querySelector('[data-testid="decoded"]')?.dataset.protocol === 'protobuf'`, { what: 'the wire-format tree' });
  const dir = mkdtempSync(join(tmpdir(), 'frameline-proto-'));
  const file = join(dir, 'ticker.proto');
  writeFileSync(file, TICKER_PROTO);
  const input = await panel.waitForSelector('[data-testid="proto-schema-input"]');
  await (input as unknown as { uploadFile(...p: string[]): Promise<void> }).uploadFile(file);
  await waitInFrame(panel, `!!document.querySelector('[data-testid="proto-schema-files"] [data-name="ticker.proto"]') && [...(document.querySelector('[data-testid="proto-type-select"]')?.options ?? [])].some((o) => o.value === 'ticker.Quote')`, {
    what: 'the .proto added and its types listed',
  });
  await panel.select('[data-testid="proto-type-select"]', 'ticker.Quote');
  await waitInFrame(panel, `/BTC-USD|ETH-USD/.test(document.querySelector('[data-testid="decoded"]')?.innerText ?? '') && /venues/.test(document.querySelector('[data-testid="decoded"]')?.innerText ?? '')`, {
    what: 'the frame read as ticker.Quote',
  });
  expect(await panel.$('[data-testid="proto-schema-error"]')).toBeNull();
  expect(await filtered(panel, '$.symbol == "BTC-USD"')).toBe(2); // sent and echoed
  expect(await filtered(panel, 'proto:protobuf $.price > 5000')).toBe(2);
  // A broken .proto says why, and the schema that works stays in use.
  writeFileSync(join(dir, 'broken.proto'), 'syntax = "proto3";\nmessage { oops');
  await (input as unknown as { uploadFile(...p: string[]): Promise<void> }).uploadFile(join(dir, 'broken.proto'));
  await waitInFrame(panel, `/broken|illegal|invalid/i.test(document.querySelector('[data-testid="proto-schema-error"]')?.textContent ?? '')`, { what: 'the .proto error shown' });
  // The last schema that worked still reads the frames meanwhile.
  expect(await panel.$eval('[data-testid="decoded"]', (el) => (el as HTMLElement).innerText)).toMatch(/venues/);
  await panel.$eval('[data-testid="proto-schema-files"] [data-name="broken.proto"] [data-testid="proto-schema-remove"]', (el) => (el as HTMLElement).click());
  await waitInFrame(panel, `!document.querySelector('[data-testid="proto-schema-error"]')`, { what: 'the error gone with the file' });
  await setFilter(panel, '');
}

async function checkMqtt(page: Page, panel: Frame, version: number) {
  expect(await page.evaluate(mqttSession(mq.wsUrl, version))).toBe(`prices/BTC {"price":${64000 + version}}`);
  // Rows are found through the query (a short panel shows few rows); then read on the rows it shows.
  expect(await filtered(panel, 'dir:sent topic:prices/BTC')).toBe(1);
  const pub = await waitForRow(panel, `r.protocol === 'mqtt' && r.direction === 'sent'`, 'the PUBLISH, decoded');
  expect(pub.summary).toMatch(/PUBLISH prices\/BTC/);
  await clickRow(panel, pub.id);
  await waitInFrame(panel, `document.querySelector('[data-testid="decoded"]')?.dataset.protocol === 'mqtt'`, { what: 'the Decoded view' });
  expect(await panel.$eval('[data-testid="decoded"]', (el) => (el as HTMLElement).innerText)).toContain('prices/BTC');
  // aedes writes a packet in pieces (a frame each): every piece says the packet it belongs to.
  expect(await filtered(panel, 'dir:received topic:prices/#')).toBeGreaterThanOrEqual(1);
  // The CONNACK (the broker may write it in pieces, each frame showing the packet it belongs to).
  expect(await filtered(panel, '$.type == "CONNACK"')).toBeGreaterThanOrEqual(1);
  expect(await filtered(panel, 'dir:sent topic:prices/# $.payload.price > 64000')).toBe(1);
  expect(await filtered(panel, 'dir:received topic:prices/# $.payload.price > 64000')).toBeGreaterThanOrEqual(1);
  expect(await filtered(panel, 'topic:other/#')).toBe(0);
  await setFilter(panel, '');
  await page.evaluate(`window.mqttClient${version}.end()`);
}

async function checkGraphql(page: Page, panel: Frame) {
  expect(await page.evaluate(graphqlSession(gql.wsUrl))).toBe(3);
  // Found through the query (rows may have scrolled out of a short panel), then read on the rows it shows.
  expect(await filtered(panel, 'method:OnPrice')).toBe(1);
  const sub = await waitForRow(panel, `r.protocol === 'graphql' && r.direction === 'sent'`, 'the subscribe');
  expect(sub.summary).toMatch(/subscribe .*OnPrice/);
  expect(await filtered(panel, 'proto:graphql $.type == "next"')).toBe(3);
  // A next carries only the subscription's id; its summary names the operation (pairing saw the subscribe).
  expect((await rowsOf(panel, 'graphql')).every((r) => /^next #\S+ OnPrice \{/.test(r.summary))).toBe(true);
  await setFilter(panel, '');
}

describe('decoders in Chromium', () => {
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

  it('Socket.IO: events, acks, a binary event and a namespace, decoded and queried', async () => {
    await clear(panel);
    await checkSocketIo(page, panel);
  });

  it('MQTT 3.1.1 (aedes) and 5: packets decoded, topics queried with wildcards', async () => {
    await clear(panel);
    await checkMqtt(page, panel, 4);
    await clear(panel);
    await checkMqtt(page, panel, 5);
  });

  it('Protobuf: the user adds a .proto and picks the message type; fields are shown and queried', async () => {
    await clear(panel);
    await checkProtobuf(page, panel);
  });

  it('GraphQL over WebSocket: the subscription and its results', async () => {
    await clear(panel);
    await checkGraphql(page, panel);
  });
});

describe('decoders in Firefox', () => {
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

  it('Socket.IO: decoded and queried through the page hook', async () => {
    await clear(panel);
    await checkSocketIo(page, panel);
  });

  it('MQTT 3.1.1 (aedes) and 5: decoded and queried through the page hook', async () => {
    await clear(panel);
    await checkMqtt(page, panel, 4);
    await clear(panel);
    await checkMqtt(page, panel, 5);
  });

  it('GraphQL over WebSocket through the page hook', async () => {
    await clear(panel);
    await checkGraphql(page, panel);
  });

  it('Protobuf with a .proto the user adds', async () => {
    await clear(panel);
    await checkProtobuf(page, panel);
  });
});
