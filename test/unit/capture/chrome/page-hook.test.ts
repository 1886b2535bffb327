// The document-start hook, run in a fresh V8 context with a WebSocket stand-in: what the page sees is unchanged.
import { describe, expect, it } from 'vitest';
import vm from 'node:vm';
import { pageHookSource } from '../../../../src/capture/chrome/page-hook';

const FAKE_WS = `
globalThis.WebSocket = class WebSocket extends EventTarget {
  constructor(url, protocols) { super(); this.url = url; this.protocols = protocols; this.readyState = 0; }
  static get OPEN() { return 1; }
  send() {}
};
globalThis.NativeWS = globalThis.WebSocket;
`;

function context() {
  const ctx = vm.createContext({ EventTarget, Event });
  vm.runInContext(FAKE_WS, ctx);
  vm.runInContext(pageHookSource('__secret'), ctx);
  return ctx;
}

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
       const e = new Event('close'); Object.assign(e, { code: 4001, reason: 'bye', wasClean: true });
       a.dispatchEvent(e);
       const reg = globalThis.__secret;
       ({ reg, again: globalThis.__secret })`,
      ctx,
    );
    expect(reg.again).toBeUndefined();
    expect(JSON.parse(JSON.stringify(reg.reg.closes))).toEqual([{ url: 'ws://a/x', code: 4001, reason: 'bye', wasClean: true }]);
  });

  it('installs once even if run twice', () => {
    const ctx = context();
    vm.runInContext(pageHookSource('__secret'), ctx);
    const n = vm.runInContext(
      `const a = new WebSocket('ws://a/x'); const e = new Event('close'); Object.assign(e, { code: 1000, reason: '' });
       a.dispatchEvent(e); globalThis.__secret.closes.length`,
      ctx,
    );
    expect(n).toBe(1);
  });
});
