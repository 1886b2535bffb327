// The Firefox page hook (src/capture/firefox/page-hook.ts) on a fake page: what the host is told, and what the page
// can tell of it. The isolated script is a stand-in that records what the hook posts (world.ts).
import { describe, expect, it } from 'vitest';
import { MAX_UNARMED, MAX_UNARMED_CHARS } from '../../../../src/capture/firefox/event-queue';
import { HOOK_VERSION } from '../../../../src/capture/firefox/hook-protocol';
import { arm, batches, events, hookedPage, TIME_ORIGIN } from './world';

const T = TIME_ORIGIN + 1000;
const STACK = 'connect@https://page.test/app.js:7:9';

describe('Firefox page hook: what is reported', () => {
  it('reports a socket, its frames (text, or binary as base64) with their direction, and its close', () => {
    const { w, relay } = hookedPage();
    arm(w, relay);
    const ws = new w.g.WebSocket('wss://echo.test/chat', ['v1.chat', 'v2.chat']);
    w.open(ws, 'v1.chat');
    ws.send('hello');
    const reused = new Uint8Array([1, 2, 3]);
    ws.send(reused);
    reused[0] = 99; // the page reuses its buffer: the frame keeps what was sent
    ws.send(new Uint8Array([9, 8, 7, 6]).subarray(1, 3));
    ws.send(new Uint8Array([0xff]).buffer);
    w.receive(ws, 'hi there');
    w.receive(ws, new Uint8Array([0, 255]).buffer);
    w.close(ws, 4001, 'bye', true);
    w.advance(16);

    expect(events(relay)).toEqual([
      { k: 'socket', s: 1, url: 'wss://echo.test/chat', protocols: ['v1.chat', 'v2.chat'], t: T, pre: false, stack: STACK, state: 0, protocol: '', extensions: '' },
      { k: 'open', s: 1, t: T, protocol: 'v1.chat', extensions: '' },
      { k: 'frame', s: 1, t: T, dir: 'sent', text: 'hello' },
      { k: 'frame', s: 1, t: T, dir: 'sent', b64: 'AQID' },
      { k: 'frame', s: 1, t: T, dir: 'sent', b64: 'CAc=' },
      { k: 'frame', s: 1, t: T, dir: 'sent', b64: '/w==' },
      { k: 'frame', s: 1, t: T, dir: 'received', text: 'hi there' },
      { k: 'frame', s: 1, t: T, dir: 'received', b64: 'AP8=' },
      { k: 'close', s: 1, t: T, code: 4001, reason: 'bye', wasClean: true },
    ]);
    // What the page sent went out unchanged.
    expect(w.wire(w.made[0])).toHaveLength(4);
    const [hello] = batches(relay);
    expect(hello).toEqual({ v: HOOK_VERSION, doc: expect.stringMatching(/^[a-z0-9]{12}$/), href: 'https://page.test/app', events: [] });
  });

  it('stamps events with the page wall clock, and keeps a Blob frame in its place until its bytes are read', async () => {
    const { w, relay } = hookedPage();
    arm(w, relay);
    const ws = new w.g.WebSocket('ws://a.test/');
    w.open(ws);
    w.advance(100);
    ws.send(new Blob([new Uint8Array([1, 2])]));
    ws.send('after the blob');
    w.advance(16);
    expect(events(relay).filter((e) => e.k === 'frame')).toEqual([]); // held back behind the Blob
    await new Promise((r) => setTimeout(r, 20));
    w.advance(16);
    expect(events(relay).filter((e) => e.k === 'frame')).toEqual([
      { k: 'frame', s: 1, t: T + 100, dir: 'sent', b64: 'AQI=' },
      { k: 'frame', s: 1, t: T + 100, dir: 'sent', text: 'after the blob' },
    ]);
  });

  it('sends at most one batch per 16 ms, never one per frame', () => {
    const { w, relay } = hookedPage();
    arm(w, relay);
    const ws = new w.g.WebSocket('ws://a.test/');
    w.open(ws);
    for (let i = 0; i < 50; i++) ws.send(`f${i}`);
    w.run();
    expect(batches(relay)).toHaveLength(1); // the hello of arming, 0 ms ago
    w.advance(15);
    expect(batches(relay)).toHaveLength(1);
    w.advance(1);
    expect(batches(relay)).toHaveLength(2);
    expect(batches(relay)[1].events).toHaveLength(52);
  });
});

describe('Firefox page hook: before and between arming', () => {
  it('reports nothing until armed, then the kept first events in its hello batch', () => {
    const { w, relay } = hookedPage();
    const ws = new w.g.WebSocket('ws://a.test/');
    w.open(ws);
    ws.send('early');
    w.advance(5000);
    expect(relay.connected()).toBe(true);
    expect(relay.received).toEqual([]);
    arm(w, relay);
    expect(relay.received).toHaveLength(1);
    expect(batches(relay)[0].events.map((e) => e.k)).toEqual(['socket', 'open', 'frame']);
  });

  it('keeps at most MAX_UNARMED events before arming and counts the rest as lost', () => {
    const { w, relay } = hookedPage();
    const ws = new w.g.WebSocket('ws://a.test/');
    w.open(ws); // 2 events: socket, open
    for (let i = 0; i < MAX_UNARMED + 3; i++) ws.send('f');
    arm(w, relay);
    const [first] = batches(relay);
    expect(first.events).toHaveLength(MAX_UNARMED);
    expect(first.lost).toBe(5);
    w.advance(16);
    expect(batches(relay).slice(1).every((b) => b.lost === undefined)).toBe(true);
  });

  it('keeps at most MAX_UNARMED_CHARS of frame text before arming', () => {
    const { w, relay } = hookedPage();
    const ws = new w.g.WebSocket('ws://a.test/');
    w.open(ws);
    ws.send('x'.repeat(MAX_UNARMED_CHARS - 10));
    ws.send('y'.repeat(11)); // one character too many: lost
    ws.send('z'.repeat(10)); // fits exactly
    arm(w, relay);
    const [first] = batches(relay);
    expect(first.events.map((e) => (e.k === 'frame' ? e.text?.[0] : e.k))).toEqual(['socket', 'open', 'x', 'z']);
    expect(first.lost).toBe(1);
  });

  it('stops keeping events after 10 s without word from the router', () => {
    const { w, relay } = hookedPage();
    const ws = new w.g.WebSocket('ws://a.test/');
    w.open(ws);
    ws.send('kept for a while');
    w.advance(10_000);
    ws.send('not kept');
    arm(w, relay);
    // Armed after the hook gave up: the live socket is announced again, its frames meanwhile are gone; what it had
    // kept (socket, open, frame) is counted.
    expect(events(relay)).toEqual([
      { k: 'socket', s: 1, url: 'ws://a.test/', protocols: [], t: T, pre: false, stack: STACK, state: 1, protocol: '', extensions: '' },
    ]);
    expect(batches(relay)[0].discarded).toBe(3);
    expect(batches(relay)[0].lost).toBeUndefined();
  });

  it('told no host listens, counts the events it had kept and lets go, and says so when armed', () => {
    const { w, relay } = hookedPage();
    const ws = new w.g.WebSocket('ws://a.test/');
    w.open(ws);
    ws.send('kept, then let go');
    arm(w, relay, false);
    ws.send('while disarmed: not an event at all');
    arm(w, relay);
    expect(batches(relay)).toHaveLength(1);
    expect(batches(relay)[0]).toMatchObject({ discarded: 3, events: [expect.objectContaining({ k: 'socket', state: 1 })] });
    // Disarmed again with a batch not yet sent: those count too, once.
    ws.send('due in 16 ms');
    arm(w, relay, false);
    arm(w, relay);
    w.advance(100);
    expect(batches(relay).map((b) => b.discarded)).toEqual([3, 1]);
  });

  it('counts Blob frames that do not fit before arming, by number or once their bytes are known', async () => {
    const { w, relay } = hookedPage();
    const ws = new w.g.WebSocket('ws://a.test/');
    w.open(ws); // socket, open
    ws.send('x'.repeat(MAX_UNARMED_CHARS - 4));
    ws.send(new Blob([new Uint8Array([1, 2])])); // 'AQI=': fits exactly
    ws.send(new Blob([new Uint8Array([3])])); // 'Aw==': no room left once read
    for (let i = 0; i < MAX_UNARMED - 5; i++) ws.send(new Uint8Array(0)); // '' each: fills the places
    ws.send(new Blob([new Uint8Array([4])])); // no place left: lost at once
    await new Promise((r) => setTimeout(r, 20));
    arm(w, relay);
    const [first] = batches(relay);
    expect(first.lost).toBe(2);
    expect(first.events).toHaveLength(MAX_UNARMED - 1);
    expect(first.events.filter((e) => e.k === 'frame' && e.b64 && e.b64 !== '')).toEqual([expect.objectContaining({ b64: 'AQI=' })]);
  });

  it('disarmed, reports and keeps nothing; armed again, announces the sockets still open', () => {
    const { w, relay } = hookedPage();
    arm(w, relay);
    const a = new w.g.WebSocket('ws://a.test/1');
    const b = new w.g.WebSocket('ws://a.test/2');
    w.open(a);
    w.open(b);
    w.advance(16);
    arm(w, relay, false);
    const before = relay.received.length;
    a.send('while disarmed');
    w.close(b, 1000, '');
    w.advance(100);
    expect(relay.received).toHaveLength(before);
    arm(w, relay);
    const last = batches(relay).at(-1)!;
    expect(last.events).toEqual([expect.objectContaining({ k: 'socket', s: 1, url: 'ws://a.test/1', state: 1 })]);
  });
});

describe('Firefox page hook: a page that was running before it', () => {
  it('in a document that had loaded, or run a script, says late on every batch and refuses every replay', () => {
    for (const [state, scripts] of [['complete', 0], ['interactive', 3], ['loading', 1]] as const) {
      const { w, relay } = hookedPage((w) => w.loaded(state, scripts));
      arm(w, relay);
      const ws = new w.g.WebSocket('ws://a.test/');
      w.open(ws);
      ws.send('still reported');
      const doc = batches(relay)[0].doc;
      relay.command({ k: 'replay', doc, req: { id: 1, s: 1, mode: 'send', text: 'x' } });
      relay.command({ k: 'replay', doc, req: { id: 2, mode: 'fresh', url: 'ws://a.test/', text: 'x' } });
      w.advance(16);
      expect(batches(relay).every((b) => b.late === true)).toBe(true);
      expect(events(relay).map((e) => e.k)).toEqual(['socket', 'open', 'frame']);
      expect(relay.received.filter((m) => (m as { k: string }).k === 'replay-result')).toEqual([
        { k: 'replay-result', result: { id: 1, ok: false, error: 'untrusted' } },
        { k: 'replay-result', result: { id: 2, ok: false, error: 'untrusted' } },
      ]);
      expect(w.wire(ws)).toEqual(['still reported']);
      expect(w.made).toHaveLength(1);
    }
  });

  it('at a true document start, or in an initial about:blank with no script yet, is not late', () => {
    const blank = hookedPage((w) => {
      w.loaded('complete', 0);
      w.g.location.href = 'about:blank';
    });
    const fresh = hookedPage();
    for (const { w, relay } of [blank, fresh]) {
      arm(w, relay);
      expect(batches(relay)[0]).not.toHaveProperty('late');
    }
  });
});

describe('Firefox page hook: what the page sees', () => {
  it('keeps instanceof, statics, prototype.constructor, name, length and [native code] toString', () => {
    const { w } = hookedPage();
    const WS = w.g.WebSocket;
    expect(WS).not.toBe(w.Native);
    const ws = new WS('ws://a.test/');
    expect(ws instanceof WS).toBe(true);
    expect(ws instanceof w.Native).toBe(true);
    expect(Object.getPrototypeOf(ws)).toBe(w.Native.prototype);
    expect(WS.prototype).toBe(w.Native.prototype);
    expect(WS.prototype.constructor).toBe(WS);
    expect(ws.constructor).toBe(WS);
    expect(WS.OPEN).toBe(1);
    expect(WS.name).toBe('WebSocket');
    expect(WS.length).toBe(w.Native.length);
    expect(WS.toString()).toMatch(/\[native code\]/);
    expect(Function.prototype.toString.call(WS)).toMatch(/\[native code\]/);
    const send: unknown = Reflect.get(ws, 'send');
    expect(Function.prototype.toString.call(send)).toMatch(/\[native code\]/);
    expect(send).toBe(Reflect.get(WS.prototype, 'send'));
  });

  it('keeps subclasses working, and reports their sockets', () => {
    const { w, relay } = hookedPage();
    arm(w, relay);
    class Chat extends w.g.WebSocket {
      hi() {
        this.send('hi');
        return 'ok';
      }
    }
    const c = new Chat('ws://a.test/chat');
    w.open(c);
    expect(c instanceof Chat && c instanceof w.g.WebSocket).toBe(true);
    expect(c.hi()).toBe('ok');
    w.advance(16);
    expect(events(relay).map((e) => e.k)).toEqual(['socket', 'open', 'frame']);
  });

  it("leaves the page's own listeners, onmessage and binaryType as they were", () => {
    const { w } = hookedPage();
    const ws = new w.g.WebSocket('ws://a.test/');
    const got: unknown[] = [];
    ws.onmessage = (e) => got.push(['on', e.data]);
    ws.addEventListener('message', (e) => got.push(['listener', e.data]));
    ws.binaryType = 'arraybuffer';
    w.open(ws);
    w.receive(ws, 'x');
    expect(got).toEqual([['on', 'x'], ['listener', 'x']]);
    expect(ws.binaryType).toBe('arraybuffer');
  });

  it('adopts a socket made before the hook on its next send, marked pre and without a stack', () => {
    let early: WebSocket | undefined;
    const { w, relay } = hookedPage((w) => {
      early = new w.g.WebSocket('ws://a.test/early');
      w.open(early);
    });
    arm(w, relay);
    early!.send('late');
    w.advance(16);
    expect(events(relay)).toEqual([
      { k: 'socket', s: 1, url: 'ws://a.test/early', protocols: [], t: T, pre: true, state: 1, protocol: '', extensions: '' },
      { k: 'frame', s: 1, t: T, dir: 'sent', text: 'late' },
    ]);
  });

  it('lets the page see its own send errors, and reports no frame for them', () => {
    const { w, relay } = hookedPage();
    arm(w, relay);
    const ws = new w.g.WebSocket('ws://a.test/');
    expect(() => ws.send('too early')).toThrow(/InvalidStateError/);
    w.advance(16);
    expect(events(relay).map((e) => e.k)).toEqual(['socket']);
  });
});
