// Manual intercept through the Chrome hook's host functions, in a fresh V8 context: RULES_FN lists what hold rules
// keep (each payload once), RELEASE_FN forwards (edited) or drops, and rules without a hold let everything go.
import { describe, expect, it } from 'vitest';
import vm from 'node:vm';
import { RELEASE_FN, RULES_FN, pageHookSource } from '../../../../src/capture/chrome/page-hook';
import { toPageRules } from '../../../../src/model/intercept/rules';

const FAKE_WS = `
globalThis.sent = [];
globalThis.WebSocket = class WebSocket extends EventTarget {
  constructor(url) { super(); this.url = url; this.readyState = 1; this.binaryType = 'blob'; }
  static get OPEN() { return 1; }
  send(d) { sent.push(d); }
  close() {}
};
`;

const hold = toPageRules([{ id: 'hold', query: 'dir:sent', action: { kind: 'hold', maxMs: 60_000 }, enabled: true }]);

function page() {
  const ctx = vm.createContext({ EventTarget, Event, MessageEvent, setTimeout, clearTimeout, Date, URL, Blob, TextEncoder, TextDecoder, atob, btoa });
  vm.runInContext(FAKE_WS, ctx);
  vm.runInContext(pageHookSource('__s', hold, 60_000), ctx);
  vm.runInContext(`globalThis.reg = globalThis.__s; globalThis.ws = new WebSocket('ws://a/x');`, ctx);
  const fn = (src: string) => (req: object) => {
    ctx.req = { ...req, secret: '__s' };
    return vm.runInContext(`(${src}).call(reg, req)`, ctx) as unknown;
  };
  return { ctx, rules: fn(RULES_FN), release: fn(RELEASE_FN), sent: () => vm.runInContext('sent.slice()', ctx) as unknown[] };
}

type Report = { held: { id: number; ctx: string; original?: unknown; dir: string }[]; heldOverflow: number };

describe('Chrome hook: held frames', () => {
  it('lists a held frame with its payload once, forwards it edited, and the list empties', () => {
    const p = page();
    vm.runInContext(`ws.send('hello'); ws.send('again')`, p.ctx);
    expect(p.sent()).toEqual([]);
    const until = Date.now() + 5000;
    const first = p.rules({ rules: hold, until, seen: {} }) as Report;
    expect(first.held.map((h) => [h.ctx, h.dir, h.original])).toEqual([
      ['c1', 'sent', { text: 'hello' }],
      ['c1', 'sent', { text: 'again' }],
    ]);
    // The host has the payloads: they are not sent again.
    const again = p.rules({ rules: hold, until, seen: { c1: first.held[1].id } }) as Report;
    expect(again.held.map((h) => h.original)).toEqual([undefined, undefined]);
    expect(p.release({ ctx: 'c1', id: first.held[0].id, decision: { forward: true, payload: { text: 'HELLO' } } })).toBe(true);
    expect(p.release({ ctx: 'c1', id: first.held[1].id, decision: { forward: false } })).toBe(true);
    expect(p.sent()).toEqual(['HELLO']);
    expect(p.release({ ctx: 'c1', id: first.held[1].id, decision: { forward: true } })).toBe(false);
    expect((p.rules({ rules: hold, until, seen: {} }) as Report).held).toEqual([]);
  });

  it('rules without a hold forward what was held, as it was (intercept switched off)', () => {
    const p = page();
    vm.runInContext(`ws.send('one'); ws.send('two')`, p.ctx);
    p.rules({ rules: hold, until: Date.now() + 5000, seen: {} });
    const r = p.rules({ rules: [], until: 0, seen: {} }) as Report;
    expect(r.held).toEqual([]);
    expect(p.sent()).toEqual(['one', 'two']);
  });

  it('refuses a release for another context tag', () => {
    const p = page();
    vm.runInContext(`ws.send('x')`, p.ctx);
    const r = p.rules({ rules: hold, until: Date.now() + 5000, seen: {} }) as Report;
    expect(p.release({ ctx: 'c9', id: r.held[0].id, decision: { forward: true } })).toBe(false);
    expect(p.sent()).toEqual([]);
  });
});
