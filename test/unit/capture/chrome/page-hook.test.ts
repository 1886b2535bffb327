// The document-start hook, run in a fresh V8 context with a small DOM stand-in whose events can be trusted (made by
// "the browser") or not (dispatched by a script): what the page sees is unchanged, and what the registry records comes
// only from trusted events, through built-ins taken before the page could patch them.
import { describe, expect, it } from 'vitest';
import vm from 'node:vm';
import { pageHookSource } from '../../../../src/capture/chrome/page-hook';

const FAKE_DOM = `
// Listeners in a chain of nodes, as native code keeps them: the page's patches of Array do not reach it.
class EventTarget {
  addEventListener(type, fn) {
    const l = (this.__l ??= {});
    const node = { fn, next: null };
    if (!l[type]) l[type] = node; else { let n = l[type]; while (n.next) n = n.next; n.next = node; }
  }
  dispatchEvent(e) { for (let n = this.__l && this.__l[e.type]; n; n = n.next) n.fn.call(this, e); return true; }
}
class Event {
  constructor(type, init) { this.type = type; Object.defineProperty(this, 'isTrusted', { value: !!(init && init.__trusted), enumerable: true }); }
}
class CloseEvent extends Event {
  constructor(type, init = {}) { super(type, init); this.__i = init; }
  get code() { return this.__i.code ?? 1005; }
  get reason() { return this.__i.reason ?? ''; }
  get wasClean() { return !!this.__i.wasClean; }
}
class MessageEvent extends Event {
  constructor(type, init = {}) { super(type, init); this.__d = init.data; }
  get data() { return this.__d; }
}
globalThis.EventTarget = EventTarget; globalThis.Event = Event; globalThis.CloseEvent = CloseEvent; globalThis.MessageEvent = MessageEvent;
globalThis.WebSocket = class WebSocket extends EventTarget {
  constructor(url, protocols) { super(); this.__url = url; this.protocols = protocols; this.readyState = 0; }
  get url() { return this.__url; }
  static get OPEN() { return 1; }
  send() {}
};
globalThis.NativeWS = globalThis.WebSocket;
// What the browser does: a trusted event. What a page script does: dispatchEvent of an untrusted one.
globalThis.browserCloses = (ws, init) => ws.dispatchEvent(new CloseEvent('close', { ...init, __trusted: true }));
globalThis.browserDelivers = (ws, data) => ws.dispatchEvent(new MessageEvent('message', { data, __trusted: true }));
`;

function context() {
  const ctx = vm.createContext({});
  vm.runInContext(FAKE_DOM, ctx);
  vm.runInContext(pageHookSource('__secret'), ctx);
  return ctx;
}

const plain = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

describe('page hook', () => {
  it('keeps instanceof, statics, constructor identity and subclasses working', () => {
    const ctx = context();
    const out = vm.runInContext(
      `const ws = new WebSocket('ws://a/1', ['p']);
       class Sub extends WebSocket { hi() { return 'hi'; } }
       const sub = new Sub('ws://a/2');
       ({ inst: ws instanceof WebSocket, native: ws instanceof NativeWS, ctor: ws.constructor === WebSocket,
          open: WebSocket.OPEN, url: ws.url, proto: Object.getPrototypeOf(ws) === NativeWS.prototype,
          sub: sub instanceof Sub && sub instanceof WebSocket && sub.hi() === 'hi', subUrl: sub.url,
          keys: Object.keys(globalThis).filter((k) => k.includes('secret')) })`,
      ctx,
    );
    expect(out).toEqual({
      inst: true, native: true, ctor: true, open: 1, url: 'ws://a/1', proto: true, sub: true, subUrl: 'ws://a/2', keys: [],
    });
  });

  it('records close code and reason of every socket in a registry handed out once', () => {
    const ctx = context();
    const reg = vm.runInContext(
      `const a = new WebSocket('ws://a/x');
       browserCloses(a, { code: 4001, reason: 'bye', wasClean: true });
       const reg = globalThis.__secret;
       ({ reg, again: globalThis.__secret })`,
      ctx,
    );
    expect(reg.again).toBeUndefined();
    expect(plain(reg.reg.closes)).toEqual([{ url: 'ws://a/x', code: 4001, reason: 'bye', wasClean: true }]);
  });

  it('installs once even if run twice', () => {
    const ctx = context();
    vm.runInContext(pageHookSource('__secret'), ctx);
    const n = vm.runInContext(`const a = new WebSocket('ws://a/x'); browserCloses(a, { code: 1000 }); globalThis.__secret.closes.length`, ctx);
    expect(n).toBe(1);
  });

  it('a page cannot forge a close, nor change what is recorded by patching built-ins after the hook', () => {
    const ctx = context();
    const out = vm.runInContext(
      `const a = new WebSocket('ws://a/real');
       // The page's tricks: a synthetic close, getters and methods replaced, setters on Array indexes.
       a.dispatchEvent(new CloseEvent('close', { code: 4999, reason: 'forged', wasClean: true }));
       Object.defineProperty(CloseEvent.prototype, 'code', { get() { return 1234; } });
       Object.defineProperty(NativeWS.prototype, 'url', { get() { return 'ws://evil/'; } });
       let stolen = 0;
       for (let i = 0; i < 4; i++) Object.defineProperty(Array.prototype, i, { set(v) { stolen++; }, configurable: true });
       Array.prototype.push = function () { stolen++; return 0; };
       Reflect.construct = () => ({ fake: true });
       const b = new WebSocket('ws://a/later');
       browserCloses(a, { code: 4001, reason: 'bye' });
       browserCloses(b, { code: 1000 });
       const reg = globalThis.__secret;
       ({ closes: reg.closes, urls: reg.sockets.map((e) => e.url), stolen, real: b instanceof NativeWS })`,
      ctx,
    );
    expect(plain(out.closes)).toEqual([
      { url: 'ws://a/real', code: 4001, reason: 'bye', wasClean: false },
      { url: 'ws://a/later', code: 1000, reason: '', wasClean: false },
    ]);
    expect(plain(out.urls)).toEqual(['ws://a/real', 'ws://a/later']);
    expect(out.stolen).toBe(0);
    expect(out.real).toBe(true);
  });

  it('a socket adopted later keeps keys of the messages the network delivered, not of synthetic ones', () => {
    const ctx = context();
    const keys = vm.runInContext(
      `const reg = globalThis.__secret;
       const ws = new NativeWS('ws://a/old'); // made before the hook saw it: adopted by a scan
       reg.seen = new WeakSet();
       reg.track(ws, true);
       browserDelivers(ws, 'hello');
       ws.dispatchEvent(new MessageEvent('message', { data: 'forged' }));
       browserDelivers(ws, new ArrayBuffer(3));
       reg.sockets.find((e) => e.pre).keys`,
      ctx,
    );
    expect(plain(keys)).toEqual(['t5:hello', 'b3']);
  });
});
