// Intercept rules on their way through Firefox's background router and the hook host (in the panel page), with fake
// runtime Ports: who gets the rules and when, and what the host makes of the hits and reach that come back. Also the
// router's grace after it starts (a restarted background) and what it keeps of handshakes.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostStatus, HostToRouter, RouterToContent, RouterToHost } from '../../../../src/protocol';
import { CONTENT_PORT, hookHostPortName } from '../../../../src/protocol';
import type { PageRule, RuleHit } from '../../../../src/model/intercept/types';
import { batchFrameCount, type RecordBatch } from '../../../../src/model/batch';

/** One end of a runtime Port pair: what it posts reaches the other end's listeners. */
interface FakePort {
  name: string;
  sender?: { id: string; tab?: { id: number }; frameId?: number };
  posted: unknown[];
  postMessage(m: unknown): void;
  onMessage: { addListener(fn: (m: unknown) => void): void };
  onDisconnect: { addListener(fn: () => void): void };
  disconnect(): void;
  /** Delivers a message to this end's listeners (as if the other end posted it). */
  deliver(m: unknown): void;
  gone(): void;
}
function fakePort(name: string, sender?: FakePort['sender'], onPost?: (m: unknown) => void): FakePort {
  const listeners: Array<(m: unknown) => void> = [];
  const disconnects: Array<() => void> = [];
  return {
    name,
    sender,
    posted: [],
    postMessage(m) {
      this.posted.push(structuredClone(m));
      onPost?.(structuredClone(m));
    },
    onMessage: { addListener: (fn) => listeners.push(fn) },
    onDisconnect: { addListener: (fn) => disconnects.push(fn) },
    disconnect() {},
    deliver: (m) => listeners.forEach((fn) => fn(structuredClone(m))),
    gone: () => disconnects.forEach((fn) => fn()),
  };
}

const fake = vi.hoisted(() => ({
  onConnect: [] as Array<(p: unknown) => void>,
  connect: undefined as undefined | ((info: { name: string }) => unknown),
  beforeSend: [] as Array<(d: unknown) => void>,
}));
vi.mock('../../../../src/platform/browser', () => {
  const listener = { addListener: () => {} };
  return {
    browser: {
      runtime: {
        id: 'frameline',
        onConnect: { addListener: (fn: (p: unknown) => void) => fake.onConnect.push(fn) },
        onMessage: listener,
        connect: (info: { name: string }) => fake.connect!(info),
      },
      tabs: { onRemoved: listener },
      webRequest: { onBeforeSendHeaders: { addListener: (fn: (d: unknown) => void) => fake.beforeSend.push(fn) }, onHeadersReceived: listener, onErrorOccurred: listener },
    },
  };
});

const { GRACE_MS, startRouter } = await import('../../../../src/platform/firefox/background-router');
const { HookHost, RULES_LATE_NOTE, SUPERSEDED } = await import('../../../../src/platform/firefox/hook-host');

const TAB = 7;
const RULE: PageRule = { id: 'b1', match: { k: 'dir', dir: 'sent' }, action: { kind: 'block' } };
const HIT: RuleHit = { rule: 'b1', action: 'blocked', dir: 'sent', url: 'wss://a.test/', created: 1000, t: 2000, original: { text: 'x' } };

/** A content script's port to the router (one frame's document). */
function content(frameId: number): FakePort {
  const p = fakePort(CONTENT_PORT, { id: 'frameline', tab: { id: TAB }, frameId });
  fake.onConnect.forEach((fn) => fn(p));
  return p;
}
const rulesTo = (p: FakePort) => (p.posted as RouterToContent[]).filter((m) => m.type === 'rules');
const arms = (p: FakePort) => (p.posted as RouterToContent[]).filter((m) => m.type === 'arm');

beforeEach(() => {
  vi.useFakeTimers();
  fake.onConnect.length = 0;
  fake.beforeSend.length = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Firefox router: intercept rules', () => {
  function withHost() {
    startRouter();
    const host = fakePort(hookHostPortName(TAB), { id: 'frameline' });
    fake.onConnect.forEach((fn) => fn(host));
    return host;
  }

  it('hands the rules to every document of the tab, says how many it reached (late ones not), and to one that comes during the lease', () => {
    const host = withHost();
    const a = content(0);
    const b = content(3);
    b.deliver({ type: 'batch', batch: { v: 1, doc: 'docbbbb2222', href: 'x', events: [], late: true }, bad: 0 });
    host.deliver({ type: 'rules', rules: [RULE], lease: 3000 } satisfies HostToRouter);
    expect(rulesTo(a)).toEqual([{ type: 'rules', rules: [RULE], lease: 3000 }]);
    expect(rulesTo(b)).toHaveLength(1); // its relay refuses them
    expect(host.posted).toContainEqual({ type: 'rules-reach', contexts: 1 } satisfies RouterToHost);
    vi.advanceTimersByTime(1000);
    const c = content(5); // a new frame, or a navigation
    expect(rulesTo(c)).toEqual([{ type: 'rules', rules: [RULE], lease: 2000 }]);
    vi.advanceTimersByTime(2500);
    expect(rulesTo(content(6))).toEqual([]); // the lease ran out
  });

  it('passes hits on with the frame id, and ends the rules at once when the host goes', () => {
    const host = withHost();
    const a = content(2);
    host.deliver({ type: 'rules', rules: [RULE], lease: 3000 });
    a.deliver({ type: 'hits', doc: 'docaaaa1111', hits: [HIT], lost: 1, bad: 2 });
    expect(host.posted).toContainEqual({ type: 'hits', frameId: 2, doc: 'docaaaa1111', hits: [HIT], lost: 1, bad: 2 });
    host.gone();
    expect(rulesTo(a).at(-1)).toEqual({ type: 'rules', rules: [], lease: 0 });
    expect(rulesTo(content(4))).toEqual([]);
  });
});

describe('Firefox router: after it starts, and what it keeps', () => {
  const connectHost = () => {
    const host = fakePort(hookHostPortName(TAB), { id: 'frameline' });
    fake.onConnect.forEach((fn) => fn(host));
    return host;
  };
  const batch = (n: number) => ({ type: 'batch', batch: { v: 1, doc: 'docaaaa1111', href: 'x', events: Array.from({ length: n }, () => ({ k: 'noop' })) }, bad: 0 });
  const handshake = (url: string) => fake.beforeSend.forEach((fn) => fn({ tabId: TAB, requestId: url, frameId: 0, url, timeStamp: 1, requestHeaders: [{ name: 'Cookie', value: 's=1' }] }));
  const handshakesTo = (p: FakePort) => (p.posted as RouterToHost[]).filter((m) => m.type === 'handshake');

  it('a restarted background keeps what hooks send until their host reconnects, and never disarms them meanwhile', () => {
    startRouter();
    const page = content(0);
    page.deliver(batch(3));
    page.deliver({ type: 'lost', doc: 'docaaaa1111', count: 2 });
    expect(arms(page)).toEqual([]);
    vi.advanceTimersByTime(GRACE_MS / 2);
    const host = connectHost();
    expect((host.posted as RouterToHost[]).map((m) => m.type)).toEqual(['hook', 'lost']);
    expect(arms(page)).toEqual([{ type: 'arm', on: true }]);
    vi.advanceTimersByTime(GRACE_MS);
    expect(arms(page)).toEqual([{ type: 'arm', on: true }]);
  });

  it('when no host comes in time, the hooks are disarmed and a host that comes later is told how many frames were dropped', () => {
    startRouter();
    const page = content(0);
    page.deliver(batch(4));
    vi.advanceTimersByTime(GRACE_MS + 1);
    expect(arms(page)).toEqual([{ type: 'arm', on: false }]);
    page.deliver(batch(1)); // a hook that was still armed: no host, not kept
    const host = connectHost();
    expect(host.posted).toContainEqual({ type: 'lost', frameId: 0, doc: '', count: 4 } satisfies RouterToHost);
    expect((host.posted as RouterToHost[]).filter((m) => m.type === 'hook')).toEqual([]);
  });

  it('keeps handshakes (with their cookies) only for a tab whose host listens, and for a while after it left', () => {
    startRouter();
    vi.advanceTimersByTime(GRACE_MS + 1);
    handshake('wss://a.test/no-panel');
    const host = connectHost();
    expect(handshakesTo(host)).toEqual([]);
    handshake('wss://a.test/with-panel');
    expect(handshakesTo(host)).toHaveLength(1);
    host.gone();
    const reloaded = connectHost(); // a panel reload: the handshakes of its live sockets come again
    expect(handshakesTo(reloaded).map((m) => (m as { h: { url: string } }).h.url)).toEqual(['wss://a.test/with-panel']);
    reloaded.gone();
    vi.advanceTimersByTime(31_000);
    expect(handshakesTo(connectHost())).toEqual([]);
  });

  it('acknowledges each batch to its relay once passed on or kept (a relay sends again what a stopped background never acknowledged)', () => {
    startRouter();
    const page = content(0);
    page.deliver({ ...batch(1), seq: 1 }); // in the grace, no host yet: kept
    const host = connectHost();
    page.deliver({ ...batch(2), seq: 2 });
    expect((page.posted as RouterToContent[]).filter((m) => m.type === 'ack')).toEqual([{ type: 'ack', seq: 1 }, { type: 'ack', seq: 2 }]);
    expect((host.posted as RouterToHost[]).filter((m) => m.type === 'hook').map((m) => m.type === 'hook' && m.seq)).toEqual([1, 2]);
  });

  it('the host passes a batch sent again after a background restart on once', () => {
    let router: FakePort | undefined;
    fake.connect = (info) => (router = fakePort(info.name));
    const host = new HookHost(TAB);
    const frames: number[] = [];
    host.connectPanel({ post: (m: unknown) => { const b = (m as { type: string; batch?: RecordBatch }).batch; if (b) frames.push(batchFrameCount(b)); } });
    void host.start();
    const events = [
      { k: 'socket', s: 1, url: 'wss://a.test/', protocols: [], t: 1000, pre: false, state: 1, protocol: '', extensions: '' },
      { k: 'frame', s: 1, t: 1001, dir: 'sent', text: 'once' },
    ];
    const hook = (seq: number, evs: unknown[]) => ({ type: 'hook', frameId: 0, bad: 0, seq, batch: { v: 1, doc: 'docaaaa1111', href: 'https://a.test/', events: evs } });
    router!.deliver(hook(1, events));
    router!.deliver(hook(1, events)); // the same batch again
    router!.deliver(hook(2, [{ k: 'frame', s: 1, t: 1002, dir: 'sent', text: 'twice' }]));
    host.pull();
    expect(frames.reduce((a, b) => a + b, 0)).toBe(2);
    host.dispose();
  });
});

describe('Firefox: a second panel on the same tab', () => {
  it('the router serves the newest host and tells the one before', () => {
    startRouter();
    vi.advanceTimersByTime(GRACE_MS + 1);
    const first = fakePort(hookHostPortName(TAB), { id: 'frameline' });
    fake.onConnect.forEach((fn) => fn(first));
    const page = content(0);
    const second = fakePort(hookHostPortName(TAB), { id: 'frameline' });
    fake.onConnect.forEach((fn) => fn(second));
    expect(first.posted).toContainEqual({ type: 'superseded' } satisfies RouterToHost);
    page.deliver({ type: 'batch', batch: { v: 1, doc: 'docaaaa1111', href: 'x', events: [] }, bad: 0 });
    expect((second.posted as RouterToHost[]).some((m) => m.type === 'hook')).toBe(true);
    expect((first.posted as RouterToHost[]).some((m) => m.type === 'hook')).toBe(false);
    first.gone(); // the first one's port closing later changes nothing for the second
    expect(arms(page)).toEqual([{ type: 'arm', on: true }, { type: 'arm', on: true, fresh: true }]); // its hooks announce their sockets to the newcomer
  });

  it('a host told so stops, says why, and does not take the tab back on its own; Reattach does', () => {
    const routers: FakePort[] = [];
    fake.connect = (info) => {
      const r = fakePort(info.name);
      routers.push(r);
      return r;
    };
    const host = new HookHost(TAB);
    const statuses: HostStatus[] = [];
    host.onStatus = (st) => statuses.push(structuredClone(st));
    void host.start();
    expect(statuses.at(-1)?.phase).toBe('capturing');
    routers[0].deliver({ type: 'superseded' } satisfies RouterToHost);
    expect(statuses.at(-1)).toMatchObject({ phase: 'detached', reason: SUPERSEDED });
    vi.advanceTimersByTime(5000);
    expect(routers).toHaveLength(1);
    void host.start(); // the user's Reattach
    expect(routers).toHaveLength(2);
    expect(statuses.at(-1)?.phase).toBe('capturing');
  });
});

describe('Firefox hook host: intercept rules', () => {
  function started() {
    let router: FakePort | undefined;
    fake.connect = (info) => (router = fakePort(info.name));
    const host = new HookHost(TAB);
    const statuses: HostStatus[] = [];
    host.onStatus = (s) => statuses.push(structuredClone(s));
    void host.start();
    const sent = () => (router!.posted as HostToRouter[]).filter((m) => m.type === 'rules');
    return { host, router: router!, statuses, sent, status: () => statuses.at(-1)! };
  }

  it('sends the rules at once and again each second with a lease, [] once when they are removed, and [] on dispose', () => {
    const { host, sent } = started();
    host.setRules([RULE]);
    expect(sent()).toEqual([{ type: 'rules', rules: [RULE], lease: 3000 }]);
    vi.advanceTimersByTime(2000);
    expect(sent()).toHaveLength(3);
    host.setRules([]);
    vi.advanceTimersByTime(5000);
    expect(sent()).toHaveLength(4);
    expect(sent().at(-1)).toEqual({ type: 'rules', rules: [], lease: 0 });
    host.setRules([RULE]);
    host.dispose();
    expect(sent().at(-1)).toEqual({ type: 'rules', rules: [], lease: 0 });
  });

  it('reports how many rules act, in how many documents, and the hits lost or unplaced; says when a document must be reloaded', () => {
    const { host, router, status } = started();
    host.setRules([RULE]);
    expect(status().intercept).toEqual({ rules: 1, contexts: 0, lost: 0 });
    router.deliver({ type: 'rules-reach', contexts: 2 } satisfies RouterToHost);
    expect(status().intercept).toEqual({ rules: 1, contexts: 2, lost: 0 });
    // A hit of no connection, and two the page could not keep.
    router.deliver({ type: 'hits', frameId: 0, doc: 'docaaaa1111', hits: [HIT], lost: 2, bad: 1 } satisfies RouterToHost);
    expect(status().intercept).toEqual({ rules: 1, contexts: 2, lost: 3 });
    expect(status().malformed).toBe(1);
    router.deliver({ type: 'hook', frameId: 0, batch: { v: 1, doc: 'docaaaa1111', href: 'x', events: [], late: true }, bad: 0 } satisfies RouterToHost);
    expect(status().intercept?.note).toBe(RULES_LATE_NOTE);
    host.setRules([]);
    expect(status().intercept).toEqual({ rules: 0, contexts: 0, lost: 3 });
    host.dispose();
  });
});
