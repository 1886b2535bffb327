// The real page hook and the real isolated relay (src/platform/firefox/content-relay.ts) on one fake page, with a
// fake runtime Port for the background router: what the router gets, and what a hostile page can do about it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HELLO_TYPE, HOOK_VERSION, RULES_FLAG_KEY } from '../../../../src/capture/firefox/hook-protocol';
import { installHook } from '../../../../src/capture/firefox/page-hook';
import { MAX_HELD_BYTES, heldBytes, startRelay } from '../../../../src/platform/firefox/content-relay';
import type { ContentToRouter, RouterToContent } from '../../../../src/protocol';
import { makeWorld, type World } from '../../capture/firefox/world';
import { browser } from '../../../../src/platform/browser';
import type { PageRule } from '../../../../src/model/intercept/types';

/** The document as the isolated script sees it (through Xrays: no page patch reaches it). */
interface IsolatedView {
  readyState: DocumentReadyState;
  scripts: number;
}

/** A document at start: the hook, then the relay (both before any page script), with a fake router behind. `before`
 *  runs first, as a page that was already there; `isolated`: what the relay sees of the document (as it is). */
function documentStart(
  before?: (w: World) => void,
  isolated: IsolatedView = { readyState: 'loading', scripts: 0 },
): { w: World; got: ContentToRouter[]; send: (m: RouterToContent) => void; stopRouter: () => void } {
  const w = makeWorld();
  before?.(w);
  installHook(w.g);
  const got: ContentToRouter[] = [];
  let listeners: Array<(m: unknown) => void> = [];
  let gone: Array<() => void> = [];
  // Each connect reaches a router of its own (the background restarted); `stopRouter` ends the current one.
  vi.spyOn(browser.runtime, 'connect').mockImplementation(() => {
    const mine: Array<(m: unknown) => void> = (listeners = []);
    const down: Array<() => void> = (gone = []);
    return {
      postMessage: (m: ContentToRouter) => got.push(structuredClone(m)),
      onMessage: { addListener: (fn: (m: unknown) => void) => mine.push(fn) },
      onDisconnect: { addListener: (fn: () => void) => down.push(fn) },
    } as never;
  });
  vi.stubGlobal('window', w.g);
  vi.stubGlobal('addEventListener', w.g.addEventListener.bind(w.g));
  vi.stubGlobal('document', { readyState: isolated.readyState, scripts: { length: isolated.scripts } });
  vi.stubGlobal('location', { href: w.g.location.href });
  startRelay();
  return {
    w,
    got,
    send: (m) => {
      for (const fn of listeners) fn(structuredClone(m));
      w.run();
    },
    stopRouter: () => {
      for (const fn of gone) fn();
    },
  };
}

const BLOCK_SENT: PageRule = { id: 'b1', match: { k: 'dir', dir: 'sent' }, action: { kind: 'block' } };

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

  it('sends again, first and in order, the batches a stopped router never acknowledged', () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const { w, got, send, stopRouter } = documentStart();
      w.run();
      send({ type: 'arm', on: true });
      const ws = new w.g.WebSocket('wss://echo.test/');
      w.open(ws);
      const batch = () => {
        ws.send('x');
        w.advance(16);
      };
      batch();
      const seqs = () => got.flatMap((m) => (m.type === 'batch' ? [m.seq!] : []));
      send({ type: 'ack', seq: Math.max(...seqs()) }); // all so far passed on
      batch();
      batch();
      const unacked = seqs().slice(-2);
      stopRouter(); // the background stopped: whatever it got since its last ack may be gone
      batch(); // meanwhile: kept
      got.length = 0;
      vi.advanceTimersByTime(250); // a new background: the relay connects again
      expect(seqs()).toEqual([...unacked, unacked[1] + 1]);
      send({ type: 'ack', seq: unacked[1] + 1 });
      got.length = 0;
      stopRouter();
      vi.advanceTimersByTime(250);
      expect(seqs()).toEqual([]); // nothing left to send again
    } finally {
      vi.useRealTimers();
    }
  });

  describe('bounded in bytes, every discard counted', () => {
    const FRAME = 'x'.repeat(512 * 1024); // 1 MiB held each: 64 of them fill the bound
    const frames = Math.ceil((MAX_HELD_BYTES / (FRAME.length * 2)) * 1.25);
    /** A connected, armed relay on a socket that sends `frames` big frames, one batch each. */
    function streaming() {
      vi.useFakeTimers({ toFake: ['setTimeout'] });
      const d = documentStart();
      d.w.run();
      d.send({ type: 'arm', on: true });
      const ws = new d.w.g.WebSocket('wss://echo.test/');
      d.w.open(ws);
      d.w.advance(16);
      const batch = () => {
        ws.send(FRAME);
        d.w.advance(16);
      };
      const seqs = () => d.got.flatMap((m) => (m.type === 'batch' ? [m.seq!] : []));
      const framesIn = (ms: ContentToRouter[]) => ms.reduce((n, m) => n + (m.type === 'batch' ? m.batch.events.filter((e) => e.k === 'frame').length : 0), 0);
      const lostIn = (ms: ContentToRouter[]) => ms.reduce((n, m) => n + (m.type === 'lost' ? m.count : 0), 0);
      return { ...d, batch, seqs, framesIn, lostIn };
    }
    afterEach(() => vi.useRealTimers());

    it('while the router is away, keeps the newest batches within the bound and counts the rest', () => {
      const { got, send, stopRouter, batch, seqs, framesIn, lostIn } = streaming();
      send({ type: 'ack', seq: Math.max(...seqs()) });
      stopRouter();
      for (let i = 0; i < frames; i++) batch();
      got.length = 0;
      vi.advanceTimersByTime(250); // the router is back
      const resent = got.filter((m) => m.type === 'batch');
      expect(resent.reduce((n, m) => n + heldBytes(m), 0)).toBeLessThanOrEqual(MAX_HELD_BYTES);
      expect(framesIn(resent)).toBeGreaterThan(frames / 2);
      expect(framesIn(resent) + lostIn(got)).toBe(frames); // none lost silently
      const s = seqs();
      expect(s).toEqual([...s].sort((a, b) => a - b)); // the newest, in order
    });

    it('a batch let go before its acknowledgement is not counted lost once the router acknowledges it', () => {
      const { got, send, stopRouter, batch, seqs, lostIn } = streaming();
      for (let i = 0; i < frames; i++) batch(); // the router acknowledges nothing yet: over the bound
      send({ type: 'ack', seq: Math.max(...seqs()) });
      stopRouter();
      got.length = 0;
      vi.advanceTimersByTime(250);
      expect(got.filter((m) => m.type === 'batch')).toEqual([]);
      expect(lostIn(got)).toBe(0);
    });

    it('but counted lost when the router stops without acknowledging it', () => {
      const { got, send, stopRouter, batch, seqs, framesIn, lostIn } = streaming();
      send({ type: 'ack', seq: Math.max(...seqs()) }); // the socket's batch passed on
      got.length = 0;
      for (let i = 0; i < frames; i++) batch();
      stopRouter();
      got.length = 0;
      vi.advanceTimersByTime(250);
      const resent = got.filter((m) => m.type === 'batch');
      expect(lostIn(got)).toBeGreaterThan(0);
      expect(framesIn(resent) + lostIn(got)).toBe(frames);
    });
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

  it('copies the counts of what the hook lost or let go', () => {
    const { w, got, send } = documentStart();
    w.run();
    const ws = new w.g.WebSocket('wss://echo.test/');
    w.open(ws);
    send({ type: 'arm', on: false });
    send({ type: 'arm', on: true });
    const batch = got.find((m) => m.type === 'batch');
    expect(batch?.type === 'batch' && batch.batch.discarded).toBe(2);
  });

  it('in a document whose own scripts ran first, says late on every batch and refuses replay itself, whatever the page made the hook believe', () => {
    // The page, already running, makes its document look fresh to the main world; the isolated view is the truth.
    const { w, got, send } = documentStart((w) => {
      w.loaded('complete', 2);
      const proto = Object.getPrototypeOf(w.g.document) as object;
      Object.defineProperty(proto, 'readyState', { get: () => 'loading', configurable: true });
      Object.defineProperty(proto, 'scripts', { get: () => ({ length: 0 }), configurable: true });
    }, { readyState: 'complete', scripts: 2 });
    w.run();
    send({ type: 'arm', on: true });
    const ws = new w.g.WebSocket('wss://echo.test/');
    w.open(ws);
    w.advance(16);
    const batches = got.filter((m) => m.type === 'batch');
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.every((m) => m.type === 'batch' && m.batch.late === true)).toBe(true);
    const doc = batches[0].type === 'batch' ? batches[0].batch.doc : '';
    send({ type: 'replay', doc, req: { id: 7, s: 1, mode: 'send', text: 'x' } });
    expect(got.filter((m) => m.type === 'replay-result')).toEqual([{ type: 'replay-result', doc, result: { id: 7, ok: false, error: 'untrusted' } }]);
    expect(w.wire(ws)).toEqual([]);
  });

  it('at a true document start, says nothing of the kind', () => {
    const { w, got, send } = documentStart();
    w.run();
    send({ type: 'arm', on: true });
    expect(got.filter((m) => m.type === 'batch').map((m) => m.type === 'batch' && m.batch.late)).toEqual([undefined]);
  });

  it('passes intercept rules to the hook and relays their hits, validated, after the batch of the socket they name', () => {
    const { w, got, send } = documentStart();
    w.run();
    send({ type: 'arm', on: true });
    send({ type: 'rules', rules: [BLOCK_SENT], lease: 3000 });
    const ws = new w.g.WebSocket('wss://echo.test/');
    w.open(ws);
    ws.send('kept back');
    w.advance(300);
    expect(w.wire(ws)).toEqual([]);
    const hits = got.filter((m) => m.type === 'hits');
    const doc = got[0].type === 'batch' ? got[0].batch.doc : '';
    expect(hits).toEqual([{
      type: 'hits', doc, lost: 0, bad: 0,
      hits: [{ rule: 'b1', action: 'blocked', dir: 'sent', url: 'wss://echo.test/', created: expect.any(Number), t: expect.any(Number), original: { text: 'kept back' } }],
    }]);
    const socketBatch = got.findIndex((m) => m.type === 'batch' && m.batch.events.some((e) => e.k === 'socket'));
    expect(socketBatch).toBeGreaterThanOrEqual(0);
    expect(socketBatch).toBeLessThan(got.indexOf(hits[0]));
  });

  it('tells the tab\'s next document whether rules are in force (sessionStorage), never for breakpoints alone', () => {
    const store = new Map<string, string>();
    vi.stubGlobal('sessionStorage', { setItem: (k: string, v: string) => store.set(k, v), removeItem: (k: string) => store.delete(k) });
    try {
      const { w, send } = documentStart();
      w.run();
      send({ type: 'arm', on: true });
      const before = Date.now();
      send({ type: 'rules', rules: [BLOCK_SENT], lease: 3000 });
      expect(Number(store.get(RULES_FLAG_KEY))).toBeGreaterThanOrEqual(before + 3000);
      send({ type: 'rules', rules: [{ id: 'bp', match: { k: 'dir', dir: 'sent' }, action: { kind: 'break' } }], lease: 3000 });
      expect(store.has(RULES_FLAG_KEY)).toBe(false);
      send({ type: 'rules', rules: [BLOCK_SENT], lease: 3000 });
      send({ type: 'rules', rules: [], lease: 0 });
      expect(store.has(RULES_FLAG_KEY)).toBe(false);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('in a document whose own scripts ran first, passes no rules to the hook, whatever the page made the hook believe', () => {
    const { w, got, send } = documentStart((w) => {
      w.loaded('complete', 2);
      const proto = Object.getPrototypeOf(w.g.document) as object;
      Object.defineProperty(proto, 'readyState', { get: () => 'loading', configurable: true });
      Object.defineProperty(proto, 'scripts', { get: () => ({ length: 0 }), configurable: true });
    }, { readyState: 'complete', scripts: 2 });
    w.run();
    send({ type: 'arm', on: true });
    send({ type: 'rules', rules: [BLOCK_SENT], lease: 3000 });
    const ws = new w.g.WebSocket('wss://echo.test/');
    w.open(ws);
    ws.send('goes out');
    w.advance(300);
    expect(w.wire(ws)).toEqual(['goes out']);
    expect(got.filter((m) => m.type === 'hits')).toEqual([]);
  });
});
