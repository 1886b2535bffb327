// A hostile page against the Firefox page hook: it patches built-ins after the hook installed, sets setters on
// Object.prototype, and posts forged messages. What is reported must neither change nor be seen by the page.
// The page shares the test's realm, as the MAIN world shares the page's: each patch is undone before asserting.
import { describe, expect, it } from 'vitest';
import { HELLO_TYPE, HOOK_VERSION } from '../../../../src/capture/firefox/hook-protocol';
import { installHook } from '../../../../src/capture/firefox/page-hook';
import { arm, batches, events, hookedPage, makeWorld, standInRelay, type Relay, type World } from './world';

const T = 1_700_000_000_000 + 1000;

/** The page makes a socket, sends and receives a frame, and closes it; the hook gets 16 ms to report. */
function traffic(w: World): void {
  const ws = new w.g.WebSocket('wss://bank.test/feed');
  w.open(ws);
  ws.send('real out');
  ws.send(new Uint8Array([1, 2, 3]));
  w.receive(ws, 'real in');
  w.close(ws, 1000, 'done');
  w.advance(16);
}

const EXPECTED = [
  { k: 'socket', s: 1, url: 'wss://bank.test/feed', protocols: [], t: T, pre: false, stack: expect.any(String), state: 0, protocol: '', extensions: '' },
  { k: 'open', s: 1, t: T, protocol: '', extensions: '' },
  { k: 'frame', s: 1, t: T, dir: 'sent', text: 'real out' },
  { k: 'frame', s: 1, t: T, dir: 'sent', b64: 'AQID' },
  { k: 'frame', s: 1, t: T, dir: 'received', text: 'real in' },
  { k: 'close', s: 1, t: T, code: 1000, reason: 'done', wasClean: true },
];

function armedPage(): { w: World; relay: Relay } {
  const page = hookedPage();
  arm(page.w, page.relay);
  return page;
}

/** Whatever the page's patch is handed: it tries to rewrite any text it can reach. */
function tamper(seen: unknown[], x: unknown): void {
  seen[seen.length] = x;
  if (!x || typeof x !== 'object') return;
  const o = x as Record<string, unknown>;
  if (typeof o.text === 'string') o.text = 'forged';
  if (o.e && typeof o.e === 'object') (o.e as Record<string, unknown>).text = 'forged';
  if (o.batch && typeof o.batch === 'object') (o.batch as Record<string, unknown>).events = [];
}

describe('Firefox page hook against a hostile page', () => {
  it('a page that patches Array.prototype.push later neither sees nor changes what is reported', () => {
    const { w, relay } = armedPage();
    const push = Array.prototype.push;
    const seen: unknown[] = [];
    Array.prototype.push = function (this: unknown[], ...items: unknown[]) {
      for (let i = 0; i < items.length; i++) tamper(seen, items[i]);
      return Reflect.apply(push, this, items);
    };
    try {
      traffic(w);
    } finally {
      Array.prototype.push = push;
    }
    expect(seen).toEqual([]);
    expect(events(relay)).toEqual(EXPECTED);
  });

  it('a page that patches MessagePort.prototype.postMessage later neither sees nor changes what is reported', () => {
    const { w, relay } = armedPage();
    const proto = w.g.MessagePort.prototype;
    const post = Object.getOwnPropertyDescriptor(proto, 'postMessage')!.value as MessagePort['postMessage'];
    const seen: unknown[] = [];
    proto.postMessage = function (this: MessagePort, msg: unknown, ...rest: unknown[]) {
      tamper(seen, msg);
      return Reflect.apply(post, this, [msg, ...rest]);
    };
    traffic(w);
    expect(seen).toEqual([]);
    expect(events(relay)).toEqual(EXPECTED);
  });

  it('a page that replaces JSON later changes nothing (the hook never serializes by hand)', () => {
    const { w, relay } = armedPage();
    const saved = { stringify: JSON.stringify, parse: JSON.parse };
    let calls = 0;
    JSON.stringify = () => {
      calls++;
      return '"forged"';
    };
    JSON.parse = () => {
      calls++;
      return 'forged';
    };
    try {
      traffic(w);
    } finally {
      Object.assign(JSON, saved);
    }
    expect(calls).toBe(0);
    expect(events(relay)).toEqual(EXPECTED);
  });

  it('a page that replaces String, Array.isArray, ArrayBuffer or performance later changes nothing', () => {
    const { w, relay } = armedPage();
    const saved = { String: globalThis.String, isArray: Array.isArray };
    let calls = 0;
    const spy = () => {
      calls++;
      return 'forged';
    };
    globalThis.String = spy as unknown as StringConstructor;
    Array.isArray = ((x: unknown) => (spy(), saved.isArray(x))) as typeof Array.isArray;
    w.g.ArrayBuffer = function () {
      spy();
    } as unknown as ArrayBufferConstructor;
    w.g.performance.now = () => (spy(), 0);
    w.g.performance = { timeOrigin: 0, now: () => (spy(), 0) } as unknown as Performance;
    try {
      traffic(w);
      new w.g.WebSocket('ws://a.test/', ['p1', 'p2']);
    } finally {
      globalThis.String = saved.String;
      Array.isArray = saved.isArray;
    }
    expect(calls).toBe(0);
    w.advance(16);
    expect(events(relay).slice(0, EXPECTED.length)).toEqual(EXPECTED);
    expect(events(relay).at(-1)).toMatchObject({ k: 'socket', s: 2, protocols: ['p1', 'p2'], t: T + 16 });
  });

  it('setters the page puts on Object.prototype see neither a socket\'s stack nor a frame\'s mark', () => {
    const { w, relay } = armedPage();
    const seen: unknown[] = [];
    for (const key of ['stack', 'mark', 'b64', 'text']) {
      Object.defineProperty(Object.prototype, key, { set: (v) => (seen[seen.length] = [key, v]), configurable: true });
    }
    let ws: WebSocket;
    try {
      ws = new w.g.WebSocket('ws://a.test/');
      w.open(ws);
      ws.binaryType = 'blob';
      relay.command({ k: 'replay', doc: batches(relay)[0].doc, req: { id: 1, s: 1, mode: 'inject', b64: 'AQI=' } });
      w.run();
    } finally {
      for (const key of ['stack', 'mark', 'b64', 'text']) delete (Object.prototype as Record<string, unknown>)[key];
    }
    expect(seen).toEqual([]);
    return new Promise((r) => setTimeout(r, 20)).then(() => {
      w.advance(16);
      expect(events(relay)).toEqual([
        expect.objectContaining({ k: 'socket', stack: expect.stringContaining('page.test') }),
        expect.objectContaining({ k: 'open' }),
        { k: 'frame', s: 1, t: T, dir: 'received', b64: 'AQI=', mark: 'injected' },
      ]);
    });
  });

  it('ignores commands the page posts on the window: nothing is armed, nothing reported', () => {
    const { w, relay } = hookedPage();
    const doc = 'aaaaaaaaaaaa';
    w.g.postMessage({ k: 'arm', on: true }, '*');
    w.g.postMessage({ k: 'replay', doc, req: { id: 1, s: 1, mode: 'send', text: 'x' } }, '*');
    w.g.dispatchEvent(new w.g.MessageEvent('message', { data: { k: 'arm', on: true } }));
    traffic(w);
    w.advance(1000);
    expect(relay.received).toEqual([]);
  });

  it('a forged hello posted by the page is not taken as the channel: its port gets no ack and no report', () => {
    const w = makeWorld();
    installHook(w.g);
    const relay = standInRelay(w);
    // The page's own script, after both of Frameline's: listens on the window and offers a channel of its own.
    const pageSaw: unknown[] = [];
    w.g.addEventListener('message', (e) => (pageSaw[pageSaw.length] = e.data));
    const forged = new w.g.MessageChannel();
    const forgedGot: unknown[] = [];
    forged.port1.onmessage = (e) => (forgedGot[forgedGot.length] = e.data);
    w.g.postMessage({ type: HELLO_TYPE, v: HOOK_VERSION, doc: 'forgedforged' }, '*', [forged.port2]);
    w.run();
    arm(w, relay);
    traffic(w);
    expect(relay.hellos).toBe(2);
    expect(pageSaw).toEqual([]); // the relay stops every hello, the hook's and the forged one
    expect(forgedGot).toEqual([]);
    expect(batches(relay).every((b) => b.doc !== 'forgedforged')).toBe(true);
    expect(events(relay)).toEqual(EXPECTED);
  });
});
