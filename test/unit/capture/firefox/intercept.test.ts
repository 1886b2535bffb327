// Intercept rules in the Firefox page hook (installIntercept under the hook, on a fake page): what the server and the
// app get, what the hook reports, and the hits it takes back to the host.
import { describe, expect, it } from 'vitest';
import type { PageRule } from '../../../../src/model/intercept/types';
import { arm, batches, events, hookedPage, TIME_ORIGIN, type Relay, type World } from './world';
import { RULES_FLAG_KEY, RULES_GATE_MS } from '../../../../src/capture/firefox/hook-protocol';

const T = TIME_ORIGIN + 1000;

const rewriteSecret: PageRule = {
  id: 'r1',
  match: { k: 'text', s: 'secret' },
  action: { kind: 'rewrite', rewrite: { op: 'regex', source: 'secret', flags: 'g', replacement: 'XXX' } },
};
const blockSent: PageRule = { id: 'b1', match: { k: 'dir', dir: 'sent' }, action: { kind: 'block' } };

function rules(w: World, relay: Relay, list: PageRule[], lease = 3000): void {
  relay.command({ k: 'rules', rules: list, lease });
  w.run();
}

/** The hits messages the hook posted, in order. */
const hitMessages = (relay: Relay) =>
  relay.received.filter((m) => (m as { k?: unknown }).k === 'hits') as Array<{ k: 'hits'; hits: unknown[]; lost: number }>;
const hits = (relay: Relay) => hitMessages(relay).flatMap((m) => m.hits);
const frames = (relay: Relay) => events(relay).filter((e) => e.k === 'frame');

function openSocket(w: World, url = 'wss://echo.test/') {
  const ws = new w.g.WebSocket(url);
  w.open(ws);
  return ws;
}

describe('Firefox page hook: intercept rules', () => {
  it('a rewritten sent frame goes out rewritten, is reported as it went out, and its hit comes back', () => {
    const { w, relay } = hookedPage();
    arm(w, relay);
    rules(w, relay, [rewriteSecret]);
    const ws = openSocket(w);
    ws.send('my secret');
    ws.send('plain');
    w.advance(300);
    expect(w.wire(ws)).toEqual(['my XXX', 'plain']);
    expect(frames(relay)).toEqual([
      { k: 'frame', s: 1, t: T, dir: 'sent', text: 'my XXX' },
      { k: 'frame', s: 1, t: T, dir: 'sent', text: 'plain' },
    ]);
    expect(hits(relay)).toEqual([
      { rule: 'r1', action: 'rewritten', dir: 'sent', url: 'wss://echo.test/', created: T, t: T, original: { text: 'my secret' }, delivered: { text: 'my XXX' } },
    ]);
    expect(hitMessages(relay)[0].lost).toBe(0);
    // The socket's events reach the relay before the hits that name it.
    const firstHits = relay.received.findIndex((m) => (m as { k?: unknown }).k === 'hits');
    const socketAt = relay.received.findIndex((m) => (m as { k?: unknown; batch?: { events: Array<{ k: string }> } }).batch?.events.some((e) => e.k === 'socket'));
    expect(socketAt).toBeGreaterThanOrEqual(0);
    expect(socketAt).toBeLessThan(firstHits);
  });

  it('a blocked send never reaches the server nor the hook\'s report; its hit says blocked', () => {
    const { w, relay } = hookedPage();
    arm(w, relay);
    rules(w, relay, [blockSent]);
    const ws = openSocket(w);
    ws.send('nope');
    w.advance(300);
    expect(w.wire(ws)).toEqual([]);
    expect(frames(relay)).toEqual([]);
    expect(hits(relay)).toEqual([expect.objectContaining({ rule: 'b1', action: 'blocked', dir: 'sent', original: { text: 'nope' } })]);
  });

  it('a rewritten received frame reaches the app rewritten, while the hook reports what the network delivered', () => {
    const { w, relay } = hookedPage();
    arm(w, relay);
    rules(w, relay, [rewriteSecret]);
    const ws = openSocket(w);
    const app: unknown[] = [];
    ws.onmessage = (e) => app.push(e.data);
    ws.addEventListener('message', (e) => app.push(`listener:${e.data as string}`));
    w.receive(ws, 'the secret');
    w.advance(300);
    expect(app).toEqual(['the XXX', 'listener:the XXX']);
    expect(frames(relay)).toEqual([{ k: 'frame', s: 1, t: T, dir: 'received', text: 'the secret' }]);
    expect(hits(relay)).toEqual([expect.objectContaining({ action: 'rewritten', dir: 'received', original: { text: 'the secret' }, delivered: { text: 'the XXX' } })]);
  });

  it('rules stop when their lease runs out, unless renewed; [] stops them at once', () => {
    const { w, relay } = hookedPage();
    arm(w, relay);
    const ws = openSocket(w);
    rules(w, relay, [blockSent], 1000);
    w.advance(900);
    rules(w, relay, [blockSent], 1000); // renewed
    w.advance(900);
    ws.send('blocked');
    w.advance(200);
    ws.send('after the lease');
    rules(w, relay, [blockSent], 1000);
    ws.send('blocked again');
    rules(w, relay, [], 0);
    ws.send('after []');
    w.advance(300);
    expect(w.wire(ws)).toEqual(['after the lease', 'after []']);
    expect(hits(relay).map((h) => (h as { original: { text: string } }).original.text)).toEqual(['blocked', 'blocked again']);
  });

  it('refuses rules with a lease it would never be given, or of a shape it cannot keep', () => {
    const { w, relay } = hookedPage();
    arm(w, relay);
    const ws = openSocket(w);
    rules(w, relay, [blockSent], 10 * 60_000);
    ws.send('a');
    relay.command({ k: 'rules', rules: 'not a list', lease: 1000 });
    w.run();
    ws.send('b');
    let deep: unknown = {};
    for (let i = 0; i < 200; i++) deep = { of: deep };
    relay.command({ k: 'rules', rules: [{ ...blockSent, match: deep }], lease: 1000 });
    w.run();
    ws.send('c');
    expect(w.wire(ws)).toEqual(['a', 'b', 'c']);
  });

  it('a socket from before the hook gets the rules on its received frames once adopted', () => {
    const { w, relay } = hookedPage((w) => {
      const ws = new w.g.WebSocket('wss://early.test/');
      w.open(ws);
      (w.g as unknown as { early: WebSocket }).early = ws;
    });
    arm(w, relay);
    const ws = (w.g as unknown as { early: WebSocket }).early;
    const app: unknown[] = [];
    ws.onmessage = (e) => app.push(e.data);
    rules(w, relay, [rewriteSecret]);
    ws.send('first secret'); // adopted here: its first send is rewritten too
    w.receive(ws, 'a secret');
    w.advance(300);
    expect(w.wire(ws)).toEqual(['first XXX']);
    expect(app).toEqual(['a XXX']);
    expect(hits(relay).map((h) => (h as { dir: string }).dir)).toEqual(['sent', 'received']);
  });

  it('in a document its hook came into late, rules never act', () => {
    const { w, relay } = hookedPage((w) => w.loaded('complete', 3));
    arm(w, relay);
    rules(w, relay, [blockSent]);
    const ws = openSocket(w);
    ws.send('goes out');
    w.advance(300);
    expect(w.wire(ws)).toEqual(['goes out']);
    expect(hits(relay)).toEqual([]);
  });

  it('a page that planted getters on Object.prototype neither sees nor changes the rules', () => {
    const { w, relay } = hookedPage();
    arm(w, relay);
    const names = ['replacement', 'flags', 'source', 'rewrite', 'kind', 'action', 'match', 'rules', 'until', 'hits', 'hitsLost', 'intercept', 'forward', 'reply'];
    const seen: string[] = [];
    for (const n of names) {
      Object.defineProperty(Object.prototype, n, { get: () => (seen.push(n), undefined), configurable: true });
    }
    try {
      // `flags` is optional in a JSON match: the rule's own has none, and must not take the page's.
      const admins: PageRule = { id: 'j1', match: { k: 'json', path: ['user'], cmp: '~', source: '^adm' }, action: { kind: 'block' } };
      rules(w, relay, [admins, rewriteSecret]);
      const ws = openSocket(w);
      ws.send('my secret');
      ws.send('{"user":"admin"}');
      w.advance(300);
      expect(w.wire(ws)).toEqual(['my XXX']);
    } finally {
      for (const n of names) delete (Object.prototype as Record<string, unknown>)[n];
    }
    expect(seen).toEqual([]);
    expect(hits(relay)).toHaveLength(2);
  });
});

describe('Firefox page hook: manual intercept (hold)', () => {
  const holdSent: PageRule = { id: 'frameline-intercept', match: { k: 'dir', dir: 'sent' }, action: { kind: 'hold', maxMs: 60_000 } };
  const heldMessages = (relay: Relay) =>
    relay.received.filter((m) => (m as { k?: unknown }).k === 'held') as Array<{ k: 'held'; held: Array<{ id: number; original: unknown; dir: string }>; overflow: number }>;

  it('lists held frames when the list changes; a release forwards one edited and drops the other', () => {
    const { w, relay } = hookedPage();
    arm(w, relay);
    rules(w, relay, [holdSent]);
    const ws = openSocket(w);
    ws.send('first');
    ws.send('second');
    w.advance(300);
    expect(w.wire(ws)).toEqual([]);
    const listed = heldMessages(relay).at(-1)!;
    expect(listed.held.map((h) => [h.dir, h.original])).toEqual([
      ['sent', { text: 'first' }],
      ['sent', { text: 'second' }],
    ]);
    // Not listed again while nothing changed.
    const n = heldMessages(relay).length;
    w.advance(600);
    expect(heldMessages(relay)).toHaveLength(n);
    const doc = batches(relay)[0].doc;
    relay.command({ k: 'release', doc, id: listed.held[0].id, decision: { forward: true, payload: { text: 'FIRST' } } });
    relay.command({ k: 'release', doc, id: listed.held[1].id, decision: { forward: false } });
    w.run();
    w.advance(300);
    expect(w.wire(ws)).toEqual(['FIRST']);
    expect(heldMessages(relay).at(-1)!.held).toEqual([]);
    expect(hits(relay).map((h) => (h as { action: string }).action)).toEqual(['rewritten', 'blocked']);
  });

  it('rules without the hold forward everything held, as it was; a host that arms again is told the list', () => {
    const { w, relay } = hookedPage();
    arm(w, relay);
    rules(w, relay, [holdSent]);
    const ws = openSocket(w);
    ws.send('a');
    w.advance(300);
    const n = heldMessages(relay).length;
    arm(w, relay);
    expect(heldMessages(relay).length).toBe(n + 1);
    rules(w, relay, [], 0);
    w.advance(300);
    expect(w.wire(ws)).toEqual(['a']);
    expect(hits(relay).map((h) => (h as { action: string }).action)).toEqual(['released']);
  });
});

describe('Firefox page hook: a document that starts while its tab has rules', () => {
  const flagged = (until: number) => (w: World) => {
    const store = new Map([[RULES_FLAG_KEY, String(until)]]);
    (w.g as unknown as { sessionStorage: unknown }).sessionStorage = { getItem: (k: string) => store.get(k) ?? null };
  };

  it('keeps its first frames until the rules come, then they go through them', () => {
    const { w, relay } = hookedPage(flagged(TIME_ORIGIN + 60_000));
    arm(w, relay);
    const ws = openSocket(w);
    ws.send('my secret at load');
    w.advance(100);
    expect(w.wire(ws)).toEqual([]);
    rules(w, relay, [rewriteSecret]);
    expect(w.wire(ws)).toEqual(['my XXX at load']);
  });

  it('waits at most a second; an old flag keeps nothing', () => {
    const a = hookedPage(flagged(TIME_ORIGIN + 60_000));
    arm(a.w, a.relay);
    const ws = openSocket(a.w);
    ws.send('x');
    a.w.advance(RULES_GATE_MS);
    expect(a.w.wire(ws)).toEqual(['x']);
    const b = hookedPage(flagged(TIME_ORIGIN - 1));
    arm(b.w, b.relay);
    const ws2 = openSocket(b.w);
    ws2.send('y');
    expect(b.w.wire(ws2)).toEqual(['y']);
  });
});
