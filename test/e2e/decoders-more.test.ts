// More decoders in the real panel, with frames made by the real client libraries in the page against real servers on
// 127.0.0.1 (test/support/protocol-servers.mjs): STOMP over SockJS (sockjs-client + @stomp/stompjs against a `sockjs`
// server), SignalR with the JSON and the MessagePack hub protocols (@microsoft/signalr against a small hub), ActionCable
// (@rails/actioncable against a small cable), and MessagePack and CBOR payloads made by @msgpack/msgpack and cborg,
// echoed by the test server. Each is shown with its protocol and summary, opens in the Decoded view and answers
// decoded-field queries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { encode as encodeMsgpack } from '@msgpack/msgpack';
import { encode as encodeCbor } from 'cborg';
import type { Frame, Page } from 'puppeteer';
import { startServer } from '../support/server.mjs';
import { startActionCable, startSignalr, startStomp } from '../support/protocol-servers.mjs';
import { inspect, launchChromium, waitInFrame, type Chrome } from './browser';
import { inspectInFirefox, launchFirefox, type Firefox } from './firefox';
import { clear, clickRow, filtered, setFilter, waitForRow } from './panel';

let srv: Awaited<ReturnType<typeof startServer>>;
let stomp: Awaited<ReturnType<typeof startStomp>>;
let hub: Awaited<ReturnType<typeof startSignalr>>;
let cable: Awaited<ReturnType<typeof startActionCable>>;

const vendor = (p: string) => readFileSync(new URL(`../../node_modules/${p}`, import.meta.url), 'utf8');

beforeAll(async () => {
  srv = await startServer();
  [stomp, hub, cable] = await Promise.all([startStomp(), startSignalr(), startActionCable()]);
  srv.page('/sockjs.js', vendor('sockjs-client/dist/sockjs.min.js'));
  srv.page('/stomp.js', vendor('@stomp/stompjs/bundles/stomp.umd.min.js'));
  srv.page('/signalr.js', vendor('@microsoft/signalr/dist/browser/signalr.min.js'));
  srv.page('/signalr-msgpack.js', vendor('@microsoft/signalr-protocol-msgpack/dist/browser/signalr-protocol-msgpack.min.js'));
  srv.page('/actioncable.js', vendor('@rails/actioncable/app/assets/javascripts/actioncable.js'));
  srv.page(
    '/app.html',
    `<!doctype html><title>decoders</title><script src="/sockjs.js"></script><script src="/stomp.js"></script>
     <script src="/signalr.js"></script><script src="/signalr-msgpack.js"></script><script src="/actioncable.js"></script>
     <body>decoders</body>`,
  );
});

afterAll(async () => {
  await Promise.all([srv?.close(), stomp?.close(), hub?.close(), cable?.close()]);
});

const decodedText = (panel: Frame) => panel.$eval('[data-testid="decoded"]', (el) => (el as HTMLElement).innerText);

async function openDecoded(panel: Frame, frameId: number, proto: string) {
  await clickRow(panel, frameId);
  await waitInFrame(panel, `document.querySelector('[data-testid="decoded"]')?.dataset.protocol === '${proto}'`, { what: `the ${proto} Decoded view` });
  return decodedText(panel);
}

/** In the page: @stomp/stompjs over sockjs-client subscribes to /topic/prices, sends a JSON body and gets it back. */
const stompSession = (url: string) => `new Promise((done, fail) => {
  const client = new StompJs.Client({
    webSocketFactory: () => new SockJS(${JSON.stringify(url)}, null, { transports: ['websocket'] }),
    heartbeatIncoming: 0, heartbeatOutgoing: 0, reconnectDelay: 0, debug: () => {},
  });
  setTimeout(() => fail(new Error('STOMP session timed out')), 10000);
  client.onStompError = (f) => fail(new Error(f.headers.message));
  client.onConnect = () => {
    client.subscribe('/topic/prices', (m) => { client.deactivate(); done(m.body); });
    client.publish({ destination: '/topic/prices', body: JSON.stringify({ sym: 'BTC', price: 64000.5 }), headers: { 'content-type': 'application/json' } });
  };
  client.activate();
})`;

async function checkStompOverSockJs(page: Page, panel: Frame) {
  expect(await page.evaluate(stompSession(stomp.sockjsUrl))).toBe('{"sym":"BTC","price":64000.5}');
  // SUBSCRIBE and SEND go out, MESSAGE comes back: each names its destination.
  expect(await filtered(panel, 'dest:/topic/prices')).toBe(3);
  expect(await filtered(panel, 'proto:sockjs dest:/topic/*')).toBe(3);
  expect(await filtered(panel, 'dest:/topic/other')).toBe(0);
  // `$.` paths reach the STOMP body's JSON inside the SockJS framing.
  expect(await filtered(panel, '$.body.price > 64000')).toBe(2);
  expect(await filtered(panel, '$.command == "CONNECTED"')).toBe(1);

  expect(await filtered(panel, 'dir:sent dest:/topic/prices')).toBe(2);
  const send = await waitForRow(panel, `r.protocol === 'sockjs' && /^SEND /.test(r.summary)`, 'the SEND, decoded');
  expect(send.summary).toBe('SEND /topic/prices');
  await waitForRow(panel, `r.protocol === 'sockjs' && /^SUBSCRIBE \\/topic\\/prices id=/.test(r.summary)`, 'the SUBSCRIBE, decoded');
  const sent = await openDecoded(panel, send.id, 'sockjs');
  expect(sent).toContain('/topic/prices');
  expect(sent).toContain('64000.5');

  expect(await filtered(panel, 'dir:received dest:/topic/prices')).toBe(1);
  const message = await waitForRow(panel, `r.protocol === 'sockjs' && r.direction === 'received'`, 'the MESSAGE, decoded');
  expect(message.summary).toBe('MESSAGE /topic/prices');
  const received = await openDecoded(panel, message.id, 'sockjs');
  expect(received).toMatch(/MESSAGE/);
  expect(received).toContain('/topic/prices');
  expect(received).toMatch(/subscription/);
  // The SockJS open frame is a row of its own.
  expect(await filtered(panel, 'proto:sockjs dir:received')).toBeGreaterThanOrEqual(3); // o, CONNECTED, MESSAGE
  await setFilter(panel, '');
}

/** In the page: @microsoft/signalr invokes SendMessage (the hub calls ReceiveMessage back) and reads a 3-item stream. */
const signalrSession = (url: string, msgpack: boolean, text: string) => `(async () => {
  const b = new signalR.HubConnectionBuilder()
    .withUrl(${JSON.stringify(url)}, { skipNegotiation: true, transport: signalR.HttpTransportType.WebSockets })
    .configureLogging(signalR.LogLevel.None);
  ${msgpack ? 'b.withHubProtocol(new signalR.protocols.msgpack.MessagePackHubProtocol());' : ''}
  const c = b.build();
  const back = new Promise((r) => c.on('ReceiveMessage', (user, text) => r(user + ': ' + text)));
  await c.start();
  const result = await c.invoke('SendMessage', 'ada', ${JSON.stringify(text)});
  const items = await new Promise((done, fail) => {
    const got = [];
    c.stream('Counter', 3).subscribe({ next: (i) => got.push(i), error: fail, complete: () => done(got) });
  });
  const callback = await back;
  await c.stop();
  return { result, callback, items };
})()`;

async function checkSignalr(page: Page, panel: Frame, msgpack: boolean) {
  const text = msgpack ? 'hello msgpack' : 'hello json';
  expect(await page.evaluate(signalrSession(hub.url, msgpack, text))).toEqual({ result: `sent: ${text}`, callback: `ada: ${text}`, items: [0, 1, 2] });
  const op = msgpack ? 2 : 1;
  // The client's call and the hub's callback, by name; the callback is a client event.
  expect(await filtered(panel, 'proto:signalr method:SendMessage')).toBe(1);
  expect(await filtered(panel, 'event:ReceiveMessage')).toBe(1);
  expect(await filtered(panel, 'method:Counter')).toBe(1);
  // The same `$.` paths read both hub protocols.
  expect(await filtered(panel, `$.arguments[1] == "${text}"`)).toBe(2);
  expect(await filtered(panel, `$.result == "sent: ${text}"`)).toBe(1);
  expect(await filtered(panel, 'proto:signalr $.type == 2')).toBe(3); // the stream's items
  expect(await filtered(panel, 'proto:signalr $.type == 2 $.item == 2')).toBe(1);

  await filtered(panel, 'method:SendMessage');
  const call = await waitForRow(panel, `r.protocol === 'signalr' && r.direction === 'sent'`, 'the SendMessage invocation');
  expect(call.opcode).toBe(op);
  expect(call.summary).toMatch(/^Invocation SendMessage #\d+$/);
  const sent = await openDecoded(panel, call.id, 'signalr');
  expect(sent).toContain('SendMessage');
  expect(sent).toContain(text);

  // The callback and the completion come in one frame: two messages on one row.
  await filtered(panel, 'event:ReceiveMessage');
  const back = await waitForRow(panel, `r.protocol === 'signalr' && r.direction === 'received'`, 'the ReceiveMessage callback');
  expect(back.summary).toMatch(/^Invocation ReceiveMessage · Completion #\d+$/);
  const received = await openDecoded(panel, back.id, 'signalr');
  expect(received).toContain('ReceiveMessage');
  expect(received).toContain(`sent: ${text}`);
  expect(await panel.$eval('[data-testid="decoded"]', (el) => el.getAttribute('data-messages'))).toBe('2');

  // The handshake names the hub protocol.
  expect(await filtered(panel, `$.protocol == "${msgpack ? 'messagepack' : 'json'}"`)).toBe(1);
  await waitForRow(panel, `r.protocol === 'signalr' && r.summary === 'Handshake ${msgpack ? 'messagepack' : 'json'} v1'`, 'the handshake');
  await setFilter(panel, '');
}

/** In the page: @rails/actioncable subscribes to ChatChannel, performs `speak` and gets the broadcast. */
const cableSession = (url: string) => `new Promise((done, fail) => {
  const consumer = ActionCable.createConsumer(${JSON.stringify(url)});
  setTimeout(() => fail(new Error('ActionCable session timed out')), 10000);
  const chat = consumer.subscriptions.create({ channel: 'ChatChannel', room: 'lobby' }, {
    connected() { this.perform('speak', { message: 'hello cable' }); },
    received(m) { consumer.disconnect(); done(m); },
  });
})`;

async function checkActionCable(page: Page, panel: Frame) {
  expect(await page.evaluate(cableSession(cable.wsUrl))).toEqual({ user: 'ada', body: 'hello cable', action: 'speak' });
  // subscribe, confirm, the speak command and its broadcast: all on the channel.
  expect(await filtered(panel, 'event:ChatChannel')).toBe(4);
  expect(await filtered(panel, 'method:speak')).toBe(1);
  expect(await filtered(panel, '$.identifier.room == "lobby"')).toBe(4);
  expect(await filtered(panel, '$.data.message == "hello cable"')).toBe(1);
  expect(await filtered(panel, '$.message.body == "hello cable"')).toBe(1);
  expect(await filtered(panel, 'proto:actioncable $.type == "welcome"')).toBe(1);

  await filtered(panel, 'method:speak');
  const speak = await waitForRow(panel, `r.protocol === 'actioncable'`, 'the speak command');
  expect(speak.summary).toBe('message ChatChannel speak');
  const sent = await openDecoded(panel, speak.id, 'actioncable');
  expect(sent).toContain('ChatChannel');
  expect(sent).toContain('lobby');
  expect(sent).toContain('hello cable'); // the command's data, JSON in a string, shown as a tree

  expect(await filtered(panel, 'event:ChatChannel dir:received')).toBe(2);
  await waitForRow(panel, `r.protocol === 'actioncable' && r.summary === 'confirm ChatChannel'`, 'the confirmation');
  const broadcast = await waitForRow(panel, `r.protocol === 'actioncable' && /^broadcast ChatChannel/.test(r.summary)`, 'the broadcast');
  expect(await openDecoded(panel, broadcast.id, 'actioncable')).toContain('hello cable');
  expect(await filtered(panel, 'dir:sent event:ChatChannel')).toBe(2);
  await waitForRow(panel, `r.protocol === 'actioncable' && r.summary === 'subscribe ChatChannel'`, 'the subscribe');
  await setFilter(panel, '');
}

/** In the page: binary frames (base64 here) sent to the echo server; resolves when all are echoed. */
const echoBinary = (url: string, frames: string[]) => `new Promise((done) => {
  const ws = new WebSocket(${JSON.stringify(url)});
  ws.binaryType = 'arraybuffer';
  let got = 0;
  ws.onopen = () => { for (const b of ${JSON.stringify(frames)}) ws.send(Uint8Array.from(atob(b), (c) => c.charCodeAt(0))); };
  ws.onmessage = () => { if (++got === ${frames.length}) { ws.close(); done(); } };
})`;

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

async function checkMsgpack(page: Page, panel: Frame) {
  const frames = [
    { event: 'trade', symbol: 'BTC-USD', price: 64000.5, at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), venues: ['a', 'b'] },
    { event: 'quote', symbol: 'ETH-USD', price: 3100.25, at: new Date(Date.UTC(2024, 0, 2, 3, 4, 6)), venues: [] },
  ].map((v) => b64(encodeMsgpack(v)));
  await page.evaluate(echoBinary(srv.wsUrl('/echo?fmt=msgpack'), frames));
  expect(await filtered(panel, 'conn:fmt=msgpack proto:msgpack')).toBe(4); // sent and echoed
  expect(await filtered(panel, 'conn:fmt=msgpack event:trade')).toBe(2);
  expect(await filtered(panel, 'proto:msgpack $.price > 5000')).toBe(2);
  expect(await filtered(panel, 'proto:msgpack $.venues[1] == "b"')).toBe(2);
  expect(await filtered(panel, 'proto:msgpack $.symbol == "ETH-USD" dir:received')).toBe(1);

  await filtered(panel, 'conn:fmt=msgpack event:trade dir:received');
  const row = await waitForRow(panel, `r.protocol === 'msgpack'`, 'the echoed trade');
  expect(row.opcode).toBe(2);
  expect(row.summary).toBe('trade {event, symbol, price, at, venues}');
  const tree = await openDecoded(panel, row.id, 'msgpack');
  expect(tree).toContain('"BTC-USD"');
  expect(tree).toContain('64000.5');
  // The timestamp extension is shown as a time.
  expect(tree).toContain('2024-01-02T03:04:05.000Z');
  await setFilter(panel, '');
}

async function checkCbor(page: Page, panel: Frame) {
  const frames = [
    { method: 'book', symbol: 'BTC-USD', bids: [[64000.5, 2], [63999, 1]], seq: 2n ** 60n + 1n, raw: new Uint8Array([0xde, 0xad, 0xbe, 0xef]) },
    { method: 'book', symbol: 'ETH-USD', bids: [[3100.25, 10]], seq: 7, raw: new Uint8Array([1]) },
  ].map((v) => b64(encodeCbor(v)));
  await page.evaluate(echoBinary(srv.wsUrl('/echo?fmt=cbor'), frames));
  expect(await filtered(panel, 'conn:fmt=cbor proto:cbor')).toBe(4);
  expect(await filtered(panel, 'conn:fmt=cbor method:book')).toBe(4);
  expect(await filtered(panel, 'proto:cbor $.bids[0][0] > 60000')).toBe(2);
  expect(await filtered(panel, 'proto:cbor $.symbol == "ETH-USD"')).toBe(2);

  await filtered(panel, 'proto:cbor $.symbol == "BTC-USD" dir:sent');
  const row = await waitForRow(panel, `r.protocol === 'cbor'`, 'the BTC book');
  expect(row.summary).toMatch(/^book \{.*\bsymbol\b.*\}$/);
  const tree = await openDecoded(panel, row.id, 'cbor');
  expect(tree).toContain('"BTC-USD"');
  // A 64-bit integer stays exact; bytes are shown as bytes.
  expect(tree).toContain('1152921504606846977n');
  expect(tree).toContain('bytes(4) de ad be ef');
  await setFilter(panel, '');
}

describe('more decoders in Chromium', () => {
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

  it('STOMP over SockJS (sockjs-client + @stomp/stompjs): commands, destinations and the JSON body', async () => {
    await clear(panel);
    await checkStompOverSockJs(page, panel);
  });

  it('SignalR, JSON hub protocol: an invocation, its callback and completion, a stream', async () => {
    await clear(panel);
    await checkSignalr(page, panel, false);
  });

  it('SignalR, MessagePack hub protocol: the same, from binary frames', async () => {
    await clear(panel);
    await checkSignalr(page, panel, true);
  });

  it('ActionCable: subscribe, confirm, perform and the broadcast, by channel and action', async () => {
    await clear(panel);
    await checkActionCable(page, panel);
  });

  it('MessagePack and CBOR payloads: trees, names and $. paths', async () => {
    await clear(panel);
    await checkMsgpack(page, panel);
    await clear(panel);
    await checkCbor(page, panel);
  });
});

describe('more decoders in Firefox', () => {
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

  it('STOMP over SockJS through the page hook', async () => {
    await clear(panel);
    await checkStompOverSockJs(page, panel);
  });

  it('SignalR, JSON and MessagePack hub protocols, through the page hook', async () => {
    await clear(panel);
    await checkSignalr(page, panel, false);
    await clear(panel);
    await checkSignalr(page, panel, true);
  });

  it('ActionCable through the page hook', async () => {
    await clear(panel);
    await checkActionCable(page, panel);
  });

  it('MessagePack and CBOR payloads through the page hook (binary carried as base64)', async () => {
    await clear(panel);
    await checkMsgpack(page, panel);
    await clear(panel);
    await checkCbor(page, panel);
  });
});
