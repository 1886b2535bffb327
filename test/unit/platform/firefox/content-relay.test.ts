// The real page hook and the real isolated relay (src/platform/firefox/content-relay.ts) on one fake page, with a
// fake runtime Port for the background router: what the router gets, and what a hostile page can do about it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HELLO_TYPE, HOOK_VERSION } from '../../../../src/capture/firefox/hook-protocol';
import { installHook } from '../../../../src/capture/firefox/page-hook';
import { startRelay } from '../../../../src/platform/firefox/content-relay';
import type { ContentToRouter, RouterToContent } from '../../../../src/protocol';
import { makeWorld, type World } from '../../capture/firefox/world';
import { browser } from '../../../../src/platform/browser';

/** A document at start: the hook, then the relay (both before any page script), with a fake router behind. */
function documentStart(): { w: World; got: ContentToRouter[]; send: (m: RouterToContent) => void } {
  const w = makeWorld();
  installHook(w.g);
  const got: ContentToRouter[] = [];
  const listeners: Array<(m: unknown) => void> = [];
  const port = {
    postMessage: (m: ContentToRouter) => got.push(structuredClone(m)),
    onMessage: { addListener: (fn: (m: unknown) => void) => listeners.push(fn) },
    onDisconnect: { addListener: () => {} },
  };
  vi.spyOn(browser.runtime, 'connect').mockReturnValue(port as never);
  vi.stubGlobal('window', w.g);
  vi.stubGlobal('addEventListener', w.g.addEventListener.bind(w.g));
  startRelay();
  return {
    w,
    got,
    send: (m) => {
      for (const fn of listeners) fn(structuredClone(m));
      w.run();
    },
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Firefox hook → relay → router', () => {
  it('relays what the hook reports, validated, once the router arms it', () => {
    const { w, got, send } = documentStart();
    w.run();
    expect(got).toEqual([]);
    send({ type: 'arm', on: true });
    const ws = new w.g.WebSocket('wss://echo.test/');
    w.open(ws);
    ws.send('out');
    w.advance(16);
    const batches = got.filter((m) => m.type === 'batch');
    expect(batches.map((m) => m.type === 'batch' && m.batch.events.map((e) => e.k))).toEqual([[], ['socket', 'open', 'frame']]);
    expect(batches.every((m) => m.type === 'batch' && m.bad === 0)).toBe(true);
  });

  it('a forged hello from the page is never taken, never seen by the page, and its port learns nothing', () => {
    const { w, got, send } = documentStart();
    // The page's own script: listens on the window and offers a channel of its own, as the hook does.
    const pageSaw: unknown[] = [];
    w.g.addEventListener('message', (e) => pageSaw.push(e.data));
    const forged = new w.g.MessageChannel();
    const forgedGot: unknown[] = [];
    forged.port1.onmessage = (e) => forgedGot.push(e.data);
    w.g.postMessage({ type: HELLO_TYPE, v: HOOK_VERSION, doc: 'forgedforged' }, '*', [forged.port2]);
    // And posts forged reports on the window, where only the hello is ever looked for.
    w.g.postMessage({ k: 'batch', batch: { v: HOOK_VERSION, doc: 'forgedforged', href: 'x', events: [] } }, '*');
    w.run();
    send({ type: 'arm', on: true });
    send({ type: 'replay', doc: 'forgedforged', req: { id: 1, s: 1, mode: 'send', text: 'x' } });
    expect(forgedGot).toEqual([]);
    expect(pageSaw).toEqual([{ k: 'batch', batch: { v: HOOK_VERSION, doc: 'forgedforged', href: 'x', events: [] } }]);
    const docs = got.map((m) => (m.type === 'batch' ? m.batch.doc : m.doc));
    expect(docs.length).toBeGreaterThan(0);
    expect(docs).not.toContain('forgedforged');
  });
});
