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

describe('Firefox page hook against a page that dispatches, stops or intercepts', () => {
  it('events the page dispatches on its own socket forge no frame, open, error or close', () => {
    const { w, relay } = armedPage();
    const ws = new w.g.WebSocket('wss://bank.test/feed');
    const pageSaw: unknown[] = [];
    ws.addEventListener('message', (e) => pageSaw.push(e.data));
    ws.dispatchEvent(new w.g.Event('open'));
    w.open(ws);
    ws.dispatchEvent(new w.g.MessageEvent('message', { data: 'forged' }));
    // A subclass that claims to be trusted: `isTrusted` is each event's own property, and the hook's getter is its own.
    const Base = w.g.MessageEvent as unknown as new (type: string, init: { data: unknown }) => Event;
    class Liar extends Base {
      get isTrusted() {
        return true;
      }
    }
    ws.dispatchEvent(new Liar('message', { data: 'forged too' }));
    const shadowed = new w.g.MessageEvent('message', { data: 'forged three' });
    expect(() => Object.defineProperty(shadowed, 'isTrusted', { value: true })).toThrow(TypeError);
    ws.dispatchEvent(new w.g.Event('error'));
    ws.dispatchEvent(new w.g.CloseEvent('close', { code: 4000, reason: 'forged', wasClean: true }));
    ws.send('real out');
    w.receive(ws, 'real in');
    w.close(ws, 1000, 'done');
    w.advance(16);
    expect(pageSaw).toEqual(['forged', 'forged too', 'real in']); // the page's own listeners get what it dispatched
    expect(events(relay)).toEqual([EXPECTED[0], EXPECTED[1], EXPECTED[2], EXPECTED[4], EXPECTED[5]]);
  });

  it('a page listener that stops every event, added however it likes, hides nothing from the hook', () => {
    const { w, relay } = armedPage();
    // Options the page supplies for every listener from Object.prototype (`once` would unhook one after an event).
    Object.defineProperty(Object.prototype, 'once', { get: () => true, configurable: true });
    let ws: WebSocket;
    try {
      ws = new w.g.WebSocket('wss://bank.test/feed');
    } finally {
      delete (Object.prototype as { once?: unknown }).once;
    }
    const stop = (e: Event) => e.stopImmediatePropagation();
    for (const type of ['open', 'message', 'error', 'close']) {
      ws.addEventListener(type, stop, true); // at the target, capture listeners run first: but after the hook's
      ws.addEventListener(type, stop);
    }
    ws.onmessage = stop;
    w.open(ws);
    w.receive(ws, 'one');
    w.receive(ws, 'two');
    w.error(ws);
    w.close(ws, 1006, '', false);
    w.advance(16);
    expect(events(relay).map((e) => (e.k === 'frame' ? e.text : e.k))).toEqual(['socket', 'open', 'one', 'two', 'error', 'close']);
  });

  it('a page that patches MessageChannel, MessagePort.onmessage or the Array iterator before a late offer gets no port', () => {
    const w = makeWorld();
    installHook(w.g);
    w.run(); // the first offer found no isolated script: the hook offers again in 50 ms, after the page's scripts
    const got = new Set<unknown>();
    const chan = w.g.MessageChannel.prototype;
    const port = w.g.MessagePort.prototype;
    const saved = {
      port1: Object.getOwnPropertyDescriptor(chan, 'port1')!,
      port2: Object.getOwnPropertyDescriptor(chan, 'port2')!,
      onmessage: Object.getOwnPropertyDescriptor(port, 'onmessage')!,
      iterator: Array.prototype[Symbol.iterator],
    };
    for (const name of ['port1', 'port2'] as const) {
      Object.defineProperty(chan, name, { get() { const p: unknown = Reflect.apply(saved[name].get!, this, []); got.add(p); return p; }, configurable: true });
    }
    Object.defineProperty(port, 'onmessage', { get: saved.onmessage.get, set(fn) { got.add(this); Reflect.apply(saved.onmessage.set!, this, [fn]); }, configurable: true });
    Array.prototype[Symbol.iterator] = function (this: unknown[]) {
      for (let i = 0; i < this.length; i++) got.add(this[i]);
      return Reflect.apply(saved.iterator, this, []);
    };
    let relay: Relay;
    try {
      relay = standInRelay(w);
      w.advance(50);
    } finally {
      Object.defineProperty(chan, 'port1', saved.port1);
      Object.defineProperty(chan, 'port2', saved.port2);
      Object.defineProperty(port, 'onmessage', saved.onmessage);
      Array.prototype[Symbol.iterator] = saved.iterator;
    }
    expect(relay.connected()).toBe(true);
    expect([...got].filter((x) => x instanceof w.g.MessagePort)).toEqual([]);
    arm(w, relay);
    traffic(w);
    expect(events(relay)).toEqual(EXPECTED.map((e) => ({ ...e, t: T + 50 })));
  });

  it("setters on Array.prototype's indexes, and species the page supplies, neither see nor change what is reported", () => {
    const { w, relay } = armedPage();
    const seen = new Set<unknown>();
    const saved = { constructor: Array.prototype.constructor, ta: Uint8Array.prototype.constructor, ab: ArrayBuffer.prototype.constructor };
    function Spy(this: unknown, ...args: unknown[]) {
      for (const a of args) seen.add(a);
      return new Proxy({}, { set: (_t, _k, v) => (seen.add(v), true), get: () => 'forged' });
    }
    Object.defineProperty(Spy, Symbol.species, { get: () => Spy });
    for (let i = 0; i < 8; i++) {
      Object.defineProperty(Array.prototype, i, { set: (v) => seen.add(v), get: () => 'forged', configurable: true });
    }
    Array.prototype.constructor = Spy;
    Uint8Array.prototype.constructor = Spy;
    ArrayBuffer.prototype.constructor = Spy;
    try {
      traffic(w);
    } finally {
      for (let i = 0; i < 8; i++) delete (Array.prototype as unknown as Record<number, unknown>)[i];
      Array.prototype.constructor = saved.constructor;
      Uint8Array.prototype.constructor = saved.ta;
      ArrayBuffer.prototype.constructor = saved.ab;
    }
    expect([...seen]).toEqual([]);
    expect(events(relay)).toEqual(EXPECTED);
  });

  it('a page that patches typed array, DataView and ArrayBuffer accessors, subarray or slice changes no binary frame', () => {
    const { w, relay } = armedPage();
    const ws = new w.g.WebSocket('wss://bank.test/feed');
    w.open(ws);
    const received = new Uint8Array([0, 255]).buffer;
    const payloads = [new Uint8Array([1, 2, 3]), new Uint8Array([9, 8, 7, 6]).subarray(1, 3), new DataView(new Uint8Array([5, 6, 7]).buffer, 1), new Uint8Array([0xff]).buffer];
    const TA = Object.getPrototypeOf(Uint8Array.prototype) as object;
    const targets: Array<[object, string]> = [
      [TA, 'buffer'], [TA, 'byteOffset'], [TA, 'byteLength'], [TA, 'length'], [TA, 'subarray'],
      [DataView.prototype, 'buffer'], [DataView.prototype, 'byteOffset'], [DataView.prototype, 'byteLength'],
      [ArrayBuffer.prototype, 'byteLength'], [ArrayBuffer.prototype, 'slice'],
    ];
    const saved = targets.map(([o, k]) => Object.getOwnPropertyDescriptor(o, k)!);
    const forged = new Uint8Array([0x66, 0x6f, 0x72, 0x67, 0x65, 0x64]);
    const forgedBuffer = forged.buffer;
    for (const [o, k] of targets) {
      Object.defineProperty(o, k, k === 'subarray' || k === 'slice' ? { value: () => forged, configurable: true } : { get: () => (k === 'buffer' ? forgedBuffer : 1), configurable: true });
    }
    try {
      for (const p of payloads) ws.send(p);
      w.receive(ws, received);
    } finally {
      targets.forEach(([o, k], i) => Object.defineProperty(o, k, saved[i]));
    }
    w.advance(16);
    expect(events(relay).filter((e) => e.k === 'frame').map((e) => e.k === 'frame' && e.b64)).toEqual(['AQID', 'CAc=', 'Bgc=', '/w==', 'AP8=']);
  });

  it('the Proxies consult no trap the page puts on Object.prototype: the native constructor and send stay out of reach', () => {
    const { w } = hookedPage();
    const leaked = new Set<unknown>();
    const traps = ['get', 'has', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'ownKeys', 'apply', 'set', 'defineProperty'];
    try {
      for (const trap of traps) {
        // Descriptors without a prototype: once `get` is on Object.prototype, an ordinary one would read as an accessor.
        const desc = { __proto__: null, value: (target: unknown) => (leaked.add(target), undefined), configurable: true, writable: true };
        Object.defineProperty(Object.prototype, trap, desc as PropertyDescriptor);
      }
      const WS = w.g.WebSocket as unknown as Record<string, unknown>;
      const send = (WS.prototype as Record<string, unknown>).send as Record<string, unknown>;
      void WS.OPEN;
      void ('x' in WS);
      Object.getPrototypeOf(WS);
      void send.name;
      Object.keys(send);
    } finally {
      for (const trap of traps) delete (Object.prototype as Record<string, unknown>)[trap];
    }
    expect([...leaked]).toEqual([]);
  });

  it('protocols read through getters on the list are reported as the native constructor got them', () => {
    const { w, relay } = armedPage();
    let reads = 0;
    const list = ['chat'];
    Object.defineProperty(list, 0, { get: () => (reads++ ? 'second-read' : 'first-read') });
    const ws = new w.g.WebSocket('wss://bank.test/feed', list);
    w.advance(16);
    expect(w.protocols(ws)).toEqual(['first-read']);
    expect(events(relay)[0]).toMatchObject({ k: 'socket', protocols: ['first-read'] });
  });
});

describe('Firefox page hook: a page cannot steer a replay', () => {
  function replayPage() {
    const { w, relay } = armedPage();
    const ws = new w.g.WebSocket('wss://echo.test/s');
    w.open(ws);
    const doc = batches(relay)[0].doc;
    const results = () => relay.received.filter((m) => (m as { k?: unknown }).k === 'replay-result').map((m) => (m as { result: unknown }).result);
    return { w, relay, ws, doc, results };
  }

  it('fields the page puts on Object.prototype, or a patched charCodeAt, change no request', () => {
    const { w, relay, ws, doc, results } = replayPage();
    const fields = { b64: 'Zm9yZ2Vk', text: 'forged', protocols: ['evil'], s: 1, url: 'wss://evil.test/' };
    for (const [k, v] of Object.entries(fields)) Object.defineProperty(Object.prototype, k, { value: v, configurable: true, writable: true });
    const charCodeAt = Object.getOwnPropertyDescriptor(String.prototype, 'charCodeAt')!;
    Object.defineProperty(String.prototype, 'charCodeAt', { value: () => 0x41, configurable: true, writable: true });
    try {
      relay.command({ k: 'replay', doc, req: { id: 1, s: 1, mode: 'send', text: 'real' } });
      relay.command({ k: 'replay', doc, req: { id: 2, s: 1, mode: 'send', b64: 'AQI=' } });
      relay.command({ k: 'replay', doc, req: { id: 3, mode: 'fresh', url: 'wss://echo.test/fresh', text: 'first' } });
      relay.command({ k: 'replay', doc, req: { id: 4, mode: 'send', text: 'no socket named' } });
      w.run();
    } finally {
      for (const k of Object.keys(fields)) delete (Object.prototype as Record<string, unknown>)[k];
      Object.defineProperty(String.prototype, 'charCodeAt', charCodeAt);
    }
    expect(w.wire(ws)).toEqual(['real', new Uint8Array([1, 2])]);
    const fresh = w.made[1];
    expect([fresh.url, w.protocols(fresh)]).toEqual(['wss://echo.test/fresh', []]);
    expect(results()).toEqual([
      { id: 1, ok: true },
      { id: 2, ok: true },
      { id: 4, ok: false, error: 'threw', message: 'malformed replay request' }, // `s` is not read from Object.prototype
    ]);
    w.advance(16);
    expect(events(relay).filter((e) => e.k === 'frame')).toEqual([
      { k: 'frame', s: 1, t: T, dir: 'sent', text: 'real', mark: 'replayed' },
      { k: 'frame', s: 1, t: T, dir: 'sent', b64: 'AQI=', mark: 'replayed' },
    ]);
  });

  it("an injected frame reaches the app with the socket's origin, whatever the page patched, and is reported once", () => {
    const { w, relay, ws, doc } = replayPage();
    const got: Array<[unknown, unknown, unknown]> = [];
    const origin = Object.getOwnPropertyDescriptor(URL.prototype, 'origin')!;
    Object.defineProperty(URL.prototype, 'origin', { get: () => 'https://evil.test', configurable: true });
    Object.defineProperty(Object.prototype, 'source', { value: 'evil', configurable: true, writable: true });
    ws.addEventListener('message', (e) => {
      got.push([e.data, e.origin, e.source]);
      ws.dispatchEvent(e instanceof w.g.MessageEvent && got.length < 2 ? new w.g.MessageEvent('message', { data: 'echoed by the page' }) : new w.g.Event('x'));
    });
    try {
      relay.command({ k: 'replay', doc, req: { id: 1, s: 1, mode: 'inject', text: 'pushed' } });
      w.run();
    } finally {
      Object.defineProperty(URL.prototype, 'origin', origin);
      delete (Object.prototype as { source?: unknown }).source;
    }
    expect(got[0]).toEqual(['pushed', 'wss://echo.test', null]);
    w.advance(16);
    expect(events(relay).filter((e) => e.k === 'frame')).toEqual([{ k: 'frame', s: 1, t: T, dir: 'received', text: 'pushed', mark: 'injected' }]);
  });

  it('a fresh connection fails on a CSP violation of its own, not on one the page dispatches or patches', () => {
    const { w, relay, doc, results } = replayPage();
    const CSP = w.g.SecurityPolicyViolationEvent.prototype;
    const saved = Object.getOwnPropertyDescriptor(CSP, 'effectiveDirective')!;
    relay.command({ k: 'replay', doc, req: { id: 1, mode: 'fresh', url: 'wss://echo.test/fresh', text: 'first' } });
    w.run();
    const init = { effectiveDirective: 'connect-src', violatedDirective: 'connect-src', originalPolicy: "connect-src 'none'" };
    w.g.dispatchEvent(new w.g.SecurityPolicyViolationEvent('securitypolicyviolation', init));
    Object.defineProperty(CSP, 'effectiveDirective', { get: () => 'connect-src', configurable: true });
    try {
      w.violation({ effectiveDirective: 'img-src', violatedDirective: 'img-src', originalPolicy: "img-src 'none'" }); // another's
    } finally {
      Object.defineProperty(CSP, 'effectiveDirective', saved);
    }
    w.run();
    expect(results()).toEqual([]);
    w.open(w.made[1]);
    w.run();
    relay.command({ k: 'replay', doc, req: { id: 2, mode: 'fresh', url: 'wss://echo.test/blocked', text: 'x' } });
    w.run();
    w.violation(init);
    w.run();
    expect(results()).toEqual([{ id: 1, ok: true }, { id: 2, ok: false, error: 'csp', message: "connect-src 'none'" }]);
  });
});
