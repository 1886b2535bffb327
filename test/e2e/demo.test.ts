// The demo app of `npm start`, inspected in real DevTools: its three sockets are captured with their handshakes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo } from '../../demo/server.mjs';
import { inspect, launchChromium, waitInFrame, type Chrome } from './browser';
import { clickConnection, counts, setFilter, text, waitForConnection, waitForRow } from './panel';

let chrome: Chrome;
let demo: { url: string; close(): Promise<void> };

beforeAll(async () => {
  demo = await startDemo({ port: 0 });
  chrome = await launchChromium();
});

afterAll(async () => {
  await chrome?.close();
  await demo?.close();
});

describe('demo app', () => {
  it('shows the chat, ticker and binary sockets with their traffic', async () => {
    const { page, panel } = await inspect(chrome, 'about:blank');
    await page.goto(demo.url);
    const chat = await waitForConnection(panel, `c.url.endsWith('/chat') && c.state === 'open'`, 'the chat socket');
    await waitForConnection(panel, `c.url.endsWith('/ticker')`, 'the ticker socket');
    await waitForConnection(panel, `c.url.endsWith('/binary')`, 'the binary socket');
    // Six sockets share a short panel: rows are found through the filter.
    await setFilter(panel, '$.type == "trade"');
    await waitForRow(panel, `r.direction === 'received' && r.text.includes('"type":"trade"')`, 'a trade');
    await setFilter(panel, 'op:binary');
    await waitForRow(panel, `r.direction === 'received' && r.opcode === 2`, 'a binary frame', 5_000);
    // The Socket.IO chat, the MQTT feed and the GraphQL subscription are decoded.
    for (const proto of ['socketio', 'mqtt', 'graphql']) {
      await setFilter(panel, `proto:${proto}`);
      await waitForRow(panel, `r.protocol === '${proto}' && r.summary !== ''`, `a ${proto} frame decoded`);
      expect((await counts(panel)).visible).toBeGreaterThan(0);
    }
    // The JSON-RPC socket sends every 1.5 s: the chat's sent message is found through the filter.
    await setFilter(panel, 'dir:sent conn:/chat');
    // A DOM click: the demo's logs grow as it runs, and a click by coordinates can land beside a button that moved.
    await page.$eval('#chat-form button', (b) => b.click());
    // The row's preview may be cut at the panel's width: the message is known by its start.
    await waitForRow(panel, `r.direction === 'sent' && r.text.includes('"user":"you"')`, 'the chat message sent');
    await clickConnection(panel, chat.id);
    await waitInFrame(panel, `document.querySelector('[data-testid="handshake"] [data-field="subprotocol"]')?.textContent === 'chat.v1'`, {
      what: 'the chat subprotocol',
    });
    expect(await text(panel, 'handshake')).toContain('X-Demo-Server');
  });
});
