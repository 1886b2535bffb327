// Intercept rules as the page runs them, against a WebSocket stand-in: what the server (the stand-in's send log) and
// the app (its onmessage and its listeners) get. Every behaviour runs twice: with the function as imported, and as
// rebuilt from its source text, the way it is injected into pages (so it must reference nothing outside itself).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installIntercept } from '../../../src/capture/intercept-in-page';
import type { InterceptRegistry, PageMatch, PageRule, RuleAction } from '../../../src/model/intercept/types';

type Install = typeof installIntercept;

// The stand-in's "network" delivery and handler registration use these, taken before any test patches the globals
// (the browser's own delivery does not go through a page's patched dispatchEvent either).
const addListener = EventTarget.prototype.addEventListener;
const fire = EventTarget.prototype.dispatchEvent;
const call = Reflect.apply;

/** A fresh WebSocket stand-in class per test (installIntercept wraps its prototype's send). */
function makeFakeWebSocket() {
  return class FakeWebSocket extends EventTarget {
    static readonly CONNECTING = 0;
    static readonly OPEN = 1;
    static readonly CLOSING = 2;
    static readonly CLOSED = 3;
    #url: string;
    #state: number;
    #binaryType: BinaryType = 'blob';
    #onmessage: ((e: MessageEvent) => void) | null = null;
    #attached = false;
    /** What reached the server. */
    readonly sent: unknown[] = [];
    closedWith: { code?: number; reason?: string } | null = null;

    constructor(url: string, state = 1) {
      super();
      this.#url = url;
      this.#state = state;
    }
    get url(): string {
      return this.#url;
    }
    get readyState(): number {
      return this.#state;
    }
    get binaryType(): BinaryType {
      return this.#binaryType;
    }
    set binaryType(v: BinaryType) {
      this.#binaryType = v;
    }
    setState(n: number): void {
      this.#state = n;
    }
    send(data: unknown): void {
      if (this.#state === 0) throw new DOMException("Failed to execute 'send' on 'WebSocket': Still in CONNECTING state.", 'InvalidStateError');
      if (this.#state !== 1) return;
      // As its own property: a test's setter on Array.prototype then sees only what the engine writes.
      Object.defineProperty(this.sent, this.sent.length, { value: data, writable: true, enumerable: true, configurable: true });
    }
    close(code?: number, reason?: string): void {
      this.closedWith = { code, reason };
      this.#state = 3;
    }
    /** A frame from the server, as the browser dispatches it. */
    receive(data: unknown): void {
      call(fire, this, [new MessageEvent('message', { data, origin: 'wss://feed.test' })]);
    }
    get onmessage(): ((e: MessageEvent) => void) | null {
      return this.#onmessage;
    }
    // As the DOM's event handler attribute: a listener registered when first set to a function.
    set onmessage(fn: ((e: MessageEvent) => void) | null) {
      this.#onmessage = fn;
      if (fn && !this.#attached) {
        this.#attached = true;
        call(addListener, this, ['message', (e: MessageEvent) => this.#onmessage && call(this.#onmessage, this, [e])]);
      }
    }
  };
}
type FakeWS = InstanceType<ReturnType<typeof makeFakeWebSocket>>;

const URL_ = 'wss://feed.test/live';

function world(install: Install) {
  const WS = makeFakeWebSocket();
  const reg: InterceptRegistry = { rules: [], until: Date.now() + 60_000, hits: [], hitsLost: 0 };
  install(globalThis, reg, WS as unknown as typeof WebSocket);
  /** A socket as the page makes it through the hook (intercept right after construction), then the app's handlers. */
  const open = (url = URL_, state = 1) => {
    const ws = new WS(url, state);
    reg.intercept!(ws as unknown as WebSocket);
    const app = { onmessage: [] as unknown[], listener: [] as unknown[] };
    ws.onmessage = (e) => app.onmessage.push(e.data);
    ws.addEventListener('message', (e) => app.listener.push((e as MessageEvent).data));
    return { ws, app };
  };
  const rules = (...r: PageRule[]) => {
    reg.rules = r;
  };
  return { WS, reg, open, rules };
}

const rule = (id: string, match: PageMatch, action: RuleAction): PageRule => ({ id, match, action });
const sent: PageMatch = { k: 'dir', dir: 'sent' };
const received: PageMatch = { k: 'dir', dir: 'received' };
const text = (s: string): PageMatch => ({ k: 'text', s });
const and = (...of: PageMatch[]): PageMatch => ({ k: 'and', of });
const replace = (t: string): RuleAction => ({ kind: 'rewrite', rewrite: { op: 'replace', payload: { text: t } } });
const BLOCK: RuleAction = { kind: 'block' };

/** Both of the app's handlers saw exactly these. */
function appSaw(app: { onmessage: unknown[]; listener: unknown[] }, expected: unknown[]): void {
  expect(app.onmessage).toEqual(expected);
  expect(app.listener).toEqual(expected);
}

const bytes = (...b: number[]) => new Uint8Array(b);
const bytesOf = async (d: unknown): Promise<number[]> => [...new Uint8Array(d instanceof Blob ? await d.arrayBuffer() : (d as ArrayBuffer))];

// As the hook injects it: the function's source text, evaluated where nothing of this module is in scope.
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const fromSource = new Function('return ' + String(installIntercept))() as Install;

describe('installIntercept as source text', () => {
  it('rebuilds from String(fn) into a working function that names nothing outside itself', () => {
    expect(typeof fromSource).toBe('function');
    expect(fromSource.length).toBe(3);
    const src = String(installIntercept);
    expect(src).not.toMatch(/__vite_ssr|__vi_import|import\(|require\(|__name\(/);
    const { WS, reg, open } = world(fromSource);
    expect(typeof reg.intercept).toBe('function');
    const { ws } = open();
    ws.send('x');
    expect(ws.sent).toEqual(['x']);
    expect(WS.prototype.send.name).toBe('send');
  });
});

describe.each([
  ['imported', installIntercept],
  ['rebuilt from source', fromSource],
])('intercept rules in the page (%s)', (_name, install) => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps send as it was: name, length and the property descriptor shape', () => {
    const WS = makeFakeWebSocket();
    const before = Object.getOwnPropertyDescriptor(WS.prototype, 'send')!;
    install(globalThis, { rules: [], until: 0, hits: [], hitsLost: 0 }, WS as unknown as typeof WebSocket);
    const after = Object.getOwnPropertyDescriptor(WS.prototype, 'send')!;
    expect(after.value).not.toBe(before.value);
    expect({ ...after, value: null }).toEqual({ ...before, value: null });
    expect(after.value.name).toBe('send');
    expect(after.value.length).toBe(1);
  });

  it('rewrites a sent frame: the server gets the new text, the hit has both', () => {
    const { reg, open, rules } = world(install);
    rules(rule('r1', and(sent, text('ping')), replace('PONG')));
    const { ws } = open();
    ws.send('a ping');
    ws.send('other');
    expect(ws.sent).toEqual(['PONG', 'other']);
    expect(reg.hits).toEqual([
      { rule: 'r1', action: 'rewritten', dir: 'sent', url: URL_, created: Date.now(), t: Date.now(), original: { text: 'a ping' }, delivered: { text: 'PONG' } },
    ]);
  });

  it('rewrites a received frame: onmessage and listeners see only the new text', () => {
    const { reg, open, rules } = world(install);
    rules(rule('r', and(received, { k: 'json', path: ['type'], cmp: '==', value: 'price' }), { kind: 'rewrite', rewrite: { op: 'json-set', path: ['v'], value: '2' } }));
    const { ws, app } = open();
    ws.receive('{"type":"price","v":1}');
    ws.receive('{"type":"news","v":1}');
    appSaw(app, ['{"type":"price","v":2}', '{"type":"news","v":1}']);
    expect(reg.hits.map((h) => [h.action, h.dir, h.original, h.delivered])).toEqual([
      ['rewritten', 'received', { text: '{"type":"price","v":1}' }, { text: '{"type":"price","v":2}' }],
    ]);
  });

  it('block reaches neither side', () => {
    const { reg, open, rules } = world(install);
    rules(rule('b', text('secret'), BLOCK));
    const { ws, app } = open();
    ws.send('my secret');
    ws.receive('your SECRET');
    ws.send('hello');
    ws.receive('hi');
    expect(ws.sent).toEqual(['hello']);
    appSaw(app, ['hi']);
    expect(reg.hits.map((h) => [h.action, h.dir, h.original, 'delivered' in h])).toEqual([
      ['blocked', 'sent', { text: 'my secret' }, false],
      ['blocked', 'received', { text: 'your SECRET' }, false],
    ]);
  });

  it('a breakpoint lets the frame through unchanged in both directions and records where it paused', () => {
    const { reg, open, rules } = world(install);
    rules(rule('bp', text('watch'), { kind: 'break' }));
    const { ws, app } = open();
    ws.send('watch me');
    ws.receive('watch this');
    ws.send('other');
    expect(ws.sent).toEqual(['watch me', 'other']);
    appSaw(app, ['watch this']);
    expect(reg.hits.map((h) => [h.action, h.dir, h.original, 'delivered' in h])).toEqual([
      ['paused', 'sent', { text: 'watch me' }, false],
      ['paused', 'received', { text: 'watch this' }, false],
    ]);
  });

  it('respond answers the app as if received, without the server (or with it, forward)', () => {
    const { reg, open, rules } = world(install);
    rules(
      rule('m', { k: 'json', path: ['method'], cmp: '==', value: 'ping' }, { kind: 'respond', reply: { text: '{"result":"pong"}' }, forward: false }),
      rule('f', text('fwd'), { kind: 'respond', reply: { text: 'ack' }, forward: true }),
    );
    const { ws, app } = open();
    ws.send('{"method":"ping"}');
    expect(ws.sent).toEqual([]);
    appSaw(app, []); // not within send(), as a server's answer would not be
    vi.advanceTimersByTime(0);
    appSaw(app, ['{"result":"pong"}']);
    ws.send('fwd me');
    vi.advanceTimersByTime(0);
    expect(ws.sent).toEqual(['fwd me']);
    appSaw(app, ['{"result":"pong"}', 'ack']);
    // A respond rule never acts on received frames.
    ws.receive('{"method":"ping"}');
    appSaw(app, ['{"result":"pong"}', 'ack', '{"method":"ping"}']);
    expect(reg.hits.map((h) => [h.rule, h.action, h.delivered, h.forwarded])).toEqual([
      ['m', 'mocked', { text: '{"result":"pong"}' }, false],
      ['f', 'mocked', { text: 'ack' }, true],
    ]);
  });

  it('delay keeps the order of a socket’s frames in both directions', () => {
    const { reg, open, rules } = world(install);
    rules(rule('d', text('slow'), { kind: 'delay', ms: 100 }));
    const { ws, app } = open();
    const other = open('wss://feed.test/other');
    ws.send('slow 1');
    ws.send('fast 2');
    ws.receive('slow in');
    ws.receive('fast in');
    other.ws.send('elsewhere'); // another socket does not wait
    expect(other.ws.sent).toEqual(['elsewhere']);
    expect(ws.sent).toEqual([]);
    appSaw(app, []);
    vi.advanceTimersByTime(99);
    expect(ws.sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(ws.sent).toEqual(['slow 1', 'fast 2']);
    appSaw(app, ['slow in', 'fast in']);
    ws.send('after');
    expect(ws.sent).toEqual(['slow 1', 'fast 2', 'after']);
    expect(reg.hits.map((h) => [h.action, h.dir, h.waited, h.delivered])).toEqual([
      ['delayed', 'sent', 100, { text: 'slow 1' }],
      ['delayed', 'received', 100, { text: 'slow in' }],
    ]);
  });

  it('a delayed sent frame whose socket closed meanwhile is dropped, and the hit says so', () => {
    const { reg, open, rules } = world(install);
    rules(rule('d', { k: 'all' }, { kind: 'delay', ms: 50 }));
    const { ws } = open();
    ws.send('late');
    ws.setState(3);
    vi.advanceTimersByTime(50);
    expect(ws.sent).toEqual([]);
    expect(reg.hits).toEqual([expect.objectContaining({ action: 'delayed', waited: 50, dropped: 'not-open' })]);
    expect('delivered' in reg.hits[0]).toBe(false);
  });

  it('close closes the socket with the rule’s code and reason; the frame goes nowhere', () => {
    const { reg, open, rules } = world(install);
    rules(rule('c', and(received, text('kick')), { kind: 'close', code: 4001, reason: 'kicked' }), rule('s', and(sent, text('bye')), { kind: 'close', code: 4002, reason: 'bye' }));
    const a = open();
    a.ws.receive('kick me');
    expect(a.ws.closedWith).toEqual({ code: 4001, reason: 'kicked' });
    appSaw(a.app, []);
    const b = open();
    b.ws.send('bye now');
    expect(b.ws.sent).toEqual([]);
    expect(b.ws.closedWith).toEqual({ code: 4002, reason: 'bye' });
    expect(reg.hits.map((h) => [h.action, h.dir])).toEqual([['closed', 'received'], ['closed', 'sent']]);
  });

  it('when the lease runs out the page’s own traffic is restored; a frame already delayed still goes', () => {
    const { reg, open, rules } = world(install);
    reg.until = Date.now() + 1000;
    rules(rule('r', text('ping'), replace('X')), rule('d', text('slow'), { kind: 'delay', ms: 1500 }));
    const { ws, app } = open();
    ws.send('ping');
    ws.send('slow');
    ws.send('ping queued'); // behind the delayed frame, rewritten when sent
    vi.advanceTimersByTime(1001);
    ws.send('ping 2'); // lease over: not rewritten, but still behind the delayed frame
    ws.receive('ping in');
    appSaw(app, ['ping in']);
    expect(ws.sent).toEqual(['X']);
    vi.advanceTimersByTime(500);
    expect(ws.sent).toEqual(['X', 'slow', 'X', 'ping 2']);
    ws.send('ping 3');
    expect(ws.sent).toEqual(['X', 'slow', 'X', 'ping 2', 'ping 3']);
  });

  it('send on a CONNECTING socket throws as the native one does, rules or not', () => {
    const { open, rules } = world(install);
    rules(rule('r', { k: 'all' }, replace('X')));
    const { ws } = open(URL_, 0);
    expect(() => ws.send('early')).toThrow(/CONNECTING/);
  });

  it('a rule that throws, or names what the page cannot evaluate, is passed over', () => {
    const { reg, open, rules } = world(install);
    const throwing = { get k(): 'all' { throw new Error('boom'); } } as PageMatch;
    rules(
      rule('bad-re', { k: 're', source: '(', flags: '' }, BLOCK),
      rule('getter', throwing, BLOCK),
      rule('null', null as unknown as PageMatch, BLOCK),
      rule('unknown', { k: 'pair' } as unknown as PageMatch, BLOCK),
      rule('bad-rewrite', text('x'), { kind: 'rewrite', rewrite: { op: 'regex', source: '[', flags: 'g', replacement: '' } }),
      rule('ok', text('x'), replace('Y')),
    );
    const { ws, app } = open();
    ws.send('x');
    ws.receive('x');
    // The bad rewrite matched first and could not apply: the frame went on unchanged, with no hit.
    expect(ws.sent).toEqual(['x']);
    appSaw(app, ['x']);
    rules(rule('bad-re', { k: 're', source: '(', flags: '' }, BLOCK), rule('ok', text('x'), replace('Y')));
    ws.send('x');
    expect(ws.sent).toEqual(['x', 'Y']);
    expect(reg.hits.map((h) => h.rule)).toEqual(['ok']);
  });

  it('a hostile page patching send, dispatchEvent and built-ins after install does not break rules', () => {
    const { WS, reg, open, rules } = world(install);
    rules(
      rule('json', and(received, { k: 'json', path: ['n'], cmp: '>', value: 1 }), { kind: 'rewrite', rewrite: { op: 'json-set', path: ['n'], value: '0' } }),
      rule('re', and(sent, { k: 're', source: 'tok-\\d+', flags: 'i' }), { kind: 'rewrite', rewrite: { op: 'regex', source: 'tok-(\\d+)', flags: 'g', replacement: 'T$1' } }),
      rule('respond', text('hello'), { kind: 'respond', reply: { text: 'hi' }, forward: false }),
    );
    const { ws, app } = open();
    const seen: string[] = [];
    const proto = WS.prototype;
    const pageSend = proto.send;
    const saved = {
      dispatch: EventTarget.prototype.dispatchEvent,
      fcall: Function.prototype.call,
      fapply: Function.prototype.apply,
      parse: JSON.parse,
      stringify: JSON.stringify,
      exec: RegExp.prototype.exec,
      replace: RegExp.prototype[Symbol.replace],
      lower: String.prototype.toLowerCase,
      indexOf: String.prototype.indexOf,
    };
    try {
      // The page wraps send (the usual monkey patch) and replaces what it can reach.
      proto.send = function (this: FakeWS, d: unknown) {
        seen[seen.length] = 'send';
        return Reflect.apply(pageSend, this, [d]);
      };
      EventTarget.prototype.dispatchEvent = function () {
        seen[seen.length] = 'dispatchEvent';
        return false;
      };
      Function.prototype.call = function () {
        throw new Error('call patched');
      };
      Function.prototype.apply = function () {
        throw new Error('apply patched');
      };
      JSON.parse = () => ({ forged: true });
      JSON.stringify = () => '"forged"';
      RegExp.prototype.exec = () => null;
      RegExp.prototype[Symbol.replace] = () => 'forged';
      String.prototype.toLowerCase = () => 'forged';
      String.prototype.indexOf = () => -1;
      ws.send('tok-12 and TOK-3');
      ws.receive('{"n":5}');
      // The test's fake setTimeout (not the page's native one) calls Function.prototype.apply: restored for the reply.
      Function.prototype.call = saved.fcall;
      Function.prototype.apply = saved.fapply;
      ws.send('hello');
    } finally {
      EventTarget.prototype.dispatchEvent = saved.dispatch;
      Function.prototype.call = saved.fcall;
      Function.prototype.apply = saved.fapply;
      JSON.parse = saved.parse;
      JSON.stringify = saved.stringify;
      RegExp.prototype.exec = saved.exec;
      RegExp.prototype[Symbol.replace] = saved.replace;
      String.prototype.toLowerCase = saved.lower;
      String.prototype.indexOf = saved.indexOf;
    }
    EventTarget.prototype.dispatchEvent = function () {
      seen[seen.length] = 'dispatchEvent';
      return false;
    };
    try {
      vi.advanceTimersByTime(0); // the respond reply, dispatched with the captured dispatchEvent
    } finally {
      EventTarget.prototype.dispatchEvent = saved.dispatch;
    }
    expect(ws.sent).toEqual(['T12 and TOK-3']);
    appSaw(app, ['{"n":0}', 'hi']);
    expect(seen).toEqual(['send', 'send']);
    expect(reg.hits.map((h) => h.rule)).toEqual(['re', 'json', 'respond']);
  });

  it('matching: url, text, regex, size in UTF-8 bytes, op, JSON paths, and/or/not', () => {
    const { reg, open, rules } = world(install);
    const cases: [PageMatch, string, boolean][] = [
      [{ k: 'url', frag: 'feed.test/live' }, 'a', true],
      [{ k: 'url', frag: 'other' }, 'a', false],
      [text('hello'), 'say HeLLo', true],
      [{ k: 're', source: '^\\d{3}$', flags: '' }, '123', true],
      [{ k: 're', source: '^abc', flags: 'gi' }, 'ABCdef', true],
      [{ k: 'size', cmp: '==', n: 4 }, 'éé', true], // 2 characters, 4 bytes
      [{ k: 'size', cmp: '>', n: 4 }, 'éé', false],
      [{ k: 'op', op: 'text' }, 'x', true],
      [{ k: 'op', op: 'binary' }, 'x', false],
      [{ k: 'json', path: ['a', 0, 'b'], cmp: '==', value: 'x' }, '{"a":[{"b":"x"}]}', true],
      [{ k: 'json', path: ['a', 0, 'b'], cmp: '==', value: 'X' }, '{"a":[{"b":"x"}]}', false],
      [{ k: 'json', path: ['n'], cmp: '==', value: 1 }, '{"n":"1"}', false],
      [{ k: 'json', path: ['n'], cmp: '!=', value: 1 }, '{"m":1}', true],
      [{ k: 'json', path: ['n'], cmp: '!=', value: 1 }, 'not json', true],
      [{ k: 'json', path: ['n'], cmp: '>=', value: 10 }, '{"n":10}', true],
      [{ k: 'json', path: ['n'], cmp: '<', value: 10 }, '{"n":"5"}', false],
      [{ k: 'json', path: ['n'], cmp: 'exists' }, '{"n":null}', true],
      [{ k: 'json', path: ['n'], cmp: 'exists' }, '[1]', false],
      [{ k: 'json', path: ['toString'], cmp: 'exists' }, '{}', false],
      [{ k: 'json', path: ['s'], cmp: '~', source: '^ab', flags: 'i' }, ' {"s":"ABc"}', true],
      [{ k: 'json', path: ['s'], cmp: '~', source: '^ab', flags: '' }, '{"s":["ab"]}', false],
      [{ k: 'json', path: [], cmp: 'exists' }, '5', false], // only objects and arrays are JSON here, as in the panel
      [{ k: 'or', of: [text('zzz'), text('b')] }, 'abc', true],
      [{ k: 'and', of: [text('a'), { k: 'not', of: text('b') }] }, 'abc', false],
      [{ k: 'not', of: { k: 'dir', dir: 'received' } }, 'abc', true],
    ];
    const { ws } = open();
    for (const [match, frame, hit] of cases) {
      rules(rule('t', match, BLOCK));
      const before = ws.sent.length;
      ws.send(frame);
      expect({ match, frame, blocked: ws.sent.length === before }).toEqual({ match, frame, blocked: hit });
    }
    expect(reg.hits.length).toBe(cases.filter((c) => c[2]).length);
  });

  it('rewrites: regex over text, json-set making missing keys, json-delete; a rewrite that changes nothing is no hit', () => {
    const { reg, open, rules } = world(install);
    const { ws } = open();
    const rw = (frame: string, rewrite: RuleAction) => {
      rules(rule('w', { k: 'all' }, rewrite));
      ws.send(frame);
      return ws.sent[ws.sent.length - 1];
    };
    expect(rw('a1b22', { kind: 'rewrite', rewrite: { op: 'regex', source: '(\\d+)', flags: 'g', replacement: '<$1>' } })).toBe('a<1>b<22>');
    expect(rw('{"a":{}}', { kind: 'rewrite', rewrite: { op: 'json-set', path: ['a', 'b', 'c'], value: '5' } })).toBe('{"a":{"b":{"c":5}}}');
    expect(rw('{"a":[1,2]}', { kind: 'rewrite', rewrite: { op: 'json-set', path: ['a', 1], value: '{"x":true}' } })).toBe('{"a":[1,{"x":true}]}');
    expect(rw('{"a":[1,2,3],"b":1}', { kind: 'rewrite', rewrite: { op: 'json-delete', path: ['a', 1] } })).toBe('{"a":[1,3],"b":1}');
    expect(rw('{"a":1,"b":2}', { kind: 'rewrite', rewrite: { op: 'json-delete', path: ['a'] } })).toBe('{"b":2}');
    const hitsSoFar = reg.hits.length;
    expect(hitsSoFar).toBe(5);
    // Cannot apply or changes nothing: the frame goes on as it was, no hit.
    expect(rw('not json', { kind: 'rewrite', rewrite: { op: 'json-set', path: ['a'], value: '1' } })).toBe('not json');
    expect(rw('{ "a": 1 }', { kind: 'rewrite', rewrite: { op: 'json-set', path: ['a'], value: '1' } })).toBe('{ "a": 1 }');
    expect(rw('{"a":1}', { kind: 'rewrite', rewrite: { op: 'json-delete', path: ['zz'] } })).toBe('{"a":1}');
    expect(rw('{"a":1}', { kind: 'rewrite', rewrite: { op: 'json-set', path: ['a', 'b'], value: '1' } })).toBe('{"a":1}');
    expect(rw('abc', { kind: 'rewrite', rewrite: { op: 'regex', source: 'z', flags: 'g', replacement: 'y' } })).toBe('abc');
    expect(rw('same', replace('same'))).toBe('same');
    const view = bytes(1, 2, 3);
    rules(rule('w', { k: 'all' }, { kind: 'rewrite', rewrite: { op: 'regex', source: '01', flags: 'g', replacement: 'ff' } }));
    ws.send(view);
    expect(ws.sent[ws.sent.length - 1]).toBe(view); // binary: regex leaves it, the native send got the app's own view
    expect(reg.hits.length).toBe(hitsSoFar);
  });

  it('binary as ArrayBuffer: matched by spaced hex, rewritten from hex, reported as base64', async () => {
    const { reg, open, rules } = world(install);
    rules(rule('h', text('01 02 ff'), { kind: 'rewrite', rewrite: { op: 'replace', payload: { hex: 'aa bb' } } }));
    const { ws, app } = open();
    ws.binaryType = 'arraybuffer';
    ws.receive(bytes(1, 2, 255).buffer);
    ws.receive(bytes(9).buffer);
    ws.send(new DataView(bytes(0, 1, 2, 255).buffer));
    expect(app.listener).toHaveLength(2);
    expect(app.onmessage).toHaveLength(2);
    expect(app.listener[0]).toBeInstanceOf(ArrayBuffer);
    expect(await bytesOf(app.listener[0])).toEqual([0xaa, 0xbb]);
    expect(await bytesOf(app.onmessage[1])).toEqual([9]);
    expect([...(ws.sent[0] as Uint8Array)]).toEqual([0xaa, 0xbb]);
    expect(reg.hits.map((h) => [h.dir, h.original, h.delivered])).toEqual([
      ['received', { b64: 'AQL/' }, { b64: 'qrs=' }],
      ['sent', { b64: 'AAEC/w==' }, { b64: 'qrs=' }],
    ]);
  });

  it('a delayed binary frame is sent as it was when the app sent it, though the app reused its buffer', () => {
    const { open, rules } = world(install);
    rules(rule('d', { k: 'op', op: 'binary' }, { kind: 'delay', ms: 10 }));
    const { ws } = open();
    const buf = bytes(1, 2, 3);
    ws.send(buf);
    buf[0] = 99;
    vi.advanceTimersByTime(10);
    expect([...(ws.sent[0] as Uint8Array)]).toEqual([1, 2, 3]);
  });

  it('keeps at most 5000 hits and counts the rest', () => {
    const { reg, open, rules } = world(install);
    rules(rule('b', { k: 'all' }, BLOCK));
    const { ws } = open();
    for (let i = 0; i < 5003; i++) ws.send('x');
    expect(reg.hits.length).toBe(5000);
    expect(reg.hitsLost).toBe(3);
    reg.hits = []; // drained by the host
    ws.send('y');
    expect(reg.hits.length).toBe(1);
  });

  it('prefers the registry’s createdOf for a socket’s creation time; null for a socket intercept never saw', () => {
    const { WS, reg, open, rules } = world(install);
    rules(rule('b', { k: 'all' }, BLOCK));
    const unseen = new WS('wss://before.test/');
    unseen.send('x'); // a socket made before the hook: its sent frames still meet the rules
    expect(unseen.sent).toEqual([]);
    reg.createdOf = (ws) => (ws === (a.ws as unknown) ? 42 : null);
    const a = open();
    a.ws.send('y');
    expect(reg.hits.map((h) => [h.url, h.created])).toEqual([['wss://before.test/', null], [URL_, 42]]);
  });

  describe('the gate (a document that starts before its rules reach it)', () => {
    it('keeps sent and received frames in order until the first rules, then puts them through those rules', () => {
      const { reg, open, rules } = world(install);
      reg.gate = Date.now() + 1000;
      const { ws, app } = open();
      ws.send('secret 1');
      ws.send('plain 2');
      ws.receive('secret in');
      expect(ws.sent).toEqual([]);
      appSaw(app, []);
      rules(rule('r', text('secret'), replace('XXX')));
      reg.ungate!();
      expect(ws.sent).toEqual(['XXX', 'plain 2']);
      appSaw(app, ['XXX']);
      ws.send('secret 3'); // the gate is open: as any frame
      expect(ws.sent).toEqual(['XXX', 'plain 2', 'XXX']);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('lets frames go on unchanged once its time is up, when no rules came', () => {
      const { reg, open } = world(install);
      reg.gate = Date.now() + 1000;
      const { ws, app } = open();
      ws.send('a');
      ws.receive('b');
      vi.advanceTimersByTime(999);
      expect(ws.sent).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(ws.sent).toEqual(['a']);
      appSaw(app, ['b']);
      expect(reg.gate).toBe(0);
    });
  });

  describe('hold (manual intercept)', () => {
    const HOLD = (maxMs = 30_000): RuleAction => ({ kind: 'hold', maxMs });
    const ids = (reg: InterceptRegistry) => reg.held!.map((h) => h.id);

    it('holds a sent frame until released: forwarded as it was, edited, or dropped; each outcome is a hit', () => {
      const { reg, open, rules } = world(install);
      rules(rule('h', and(sent, text('order')), HOLD()));
      const { ws } = open();
      const t0 = Date.now();
      ws.send('order 1');
      ws.send('order 2');
      ws.send('order 3');
      expect(ws.sent).toEqual([]);
      expect(reg.held).toEqual([
        { id: 1, rule: 'h', dir: 'sent', url: URL_, created: t0, t: t0, due: t0 + 30_000, original: { text: 'order 1' } },
        { id: 2, rule: 'h', dir: 'sent', url: URL_, created: t0, t: t0, due: t0 + 30_000, original: { text: 'order 2' } },
        { id: 3, rule: 'h', dir: 'sent', url: URL_, created: t0, t: t0, due: t0 + 30_000, original: { text: 'order 3' } },
      ]);
      expect(reg.hits).toEqual([]);
      vi.advanceTimersByTime(1000);
      expect(reg.release!(1, { forward: true })).toBe(true);
      expect(ws.sent).toEqual(['order 1']);
      expect(reg.release!(2, { forward: true, payload: { text: 'order 2 EDITED' } })).toBe(true);
      expect(reg.release!(3, { forward: false })).toBe(true);
      expect(ws.sent).toEqual(['order 1', 'order 2 EDITED']);
      expect(reg.held).toEqual([]);
      const t1 = Date.now();
      expect(reg.hits).toEqual([
        { rule: 'h', action: 'released', dir: 'sent', url: URL_, created: t0, t: t1, original: { text: 'order 1' }, delivered: { text: 'order 1' }, held: 1, waited: 1000 },
        { rule: 'h', action: 'rewritten', dir: 'sent', url: URL_, created: t0, t: t1, original: { text: 'order 2' }, delivered: { text: 'order 2 EDITED' }, held: 2, waited: 1000 },
        { rule: 'h', action: 'blocked', dir: 'sent', url: URL_, created: t0, t: t1, original: { text: 'order 3' }, held: 3, waited: 1000 },
      ]);
      expect(vi.getTimerCount()).toBe(0); // nothing held: no timer left
      ws.send('order 4');
      expect(ids(reg)).toEqual([4]); // ids are never reused
    });

    it('holds a received frame before the app’s listeners: delivered as it was, edited (text or bytes), or dropped', async () => {
      const { reg, open, rules } = world(install);
      rules(rule('h', received, HOLD()));
      const { ws, app } = open();
      ws.binaryType = 'arraybuffer';
      ws.receive('a');
      ws.receive('b');
      ws.receive(bytes(1, 2).buffer);
      ws.receive('d');
      appSaw(app, []);
      expect(reg.held!.map((h) => [h.dir, h.original])).toEqual([
        ['received', { text: 'a' }],
        ['received', { text: 'b' }],
        ['received', { b64: 'AQI=' }],
        ['received', { text: 'd' }],
      ]);
      reg.release!(1, { forward: true });
      reg.release!(2, { forward: true, payload: { text: 'B!' } });
      reg.release!(3, { forward: true, payload: { b64: '/wA=' } });
      reg.release!(4, { forward: false });
      expect(app.listener).toHaveLength(3);
      expect(app.listener.slice(0, 2)).toEqual(['a', 'B!']);
      expect(app.listener[2]).toBeInstanceOf(ArrayBuffer);
      expect(await bytesOf(app.onmessage[2])).toEqual([0xff, 0]);
      expect(reg.hits.map((h) => [h.action, h.dir, h.original, h.delivered, h.held])).toEqual([
        ['released', 'received', { text: 'a' }, { text: 'a' }, 1],
        ['rewritten', 'received', { text: 'b' }, { text: 'B!' }, 2],
        ['rewritten', 'received', { b64: 'AQI=' }, { b64: '/wA=' }, 3],
        ['blocked', 'received', { text: 'd' }, undefined, 4],
      ]);
    });

    it('an edit that changes nothing forwards the frame as it was; a binary frame may be edited as bytes', () => {
      const { reg, open, rules } = world(install);
      rules(rule('h', sent, HOLD()));
      const { ws } = open();
      ws.send('same');
      ws.send(bytes(1, 2));
      reg.release!(1, { forward: true, payload: { text: 'same' } });
      reg.release!(2, { forward: true, payload: { b64: 'AwQ=' } });
      expect(ws.sent[0]).toBe('same');
      expect([...(ws.sent[1] as Uint8Array)]).toEqual([3, 4]);
      expect(reg.hits.map((h) => [h.action, h.original, h.delivered])).toEqual([
        ['released', { text: 'same' }, { text: 'same' }],
        ['rewritten', { b64: 'AQI=' }, { b64: 'AwQ=' }],
      ]);
    });

    it('keeps each socket’s order per direction: later frames wait behind a held one and go right after it', () => {
      const { reg, open, rules } = world(install);
      rules(rule('h', text('hold'), HOLD()), rule('r', text('rw'), replace('RW')));
      const { ws, app } = open();
      const other = open('wss://feed.test/other');
      ws.send('hold me');
      ws.send('plain');
      ws.send('rw');
      ws.send('hold me too');
      ws.send('last');
      ws.receive('in 1'); // the other direction does not wait
      other.ws.send('elsewhere'); // nor another socket
      appSaw(app, ['in 1']);
      expect(other.ws.sent).toEqual(['elsewhere']);
      expect(ws.sent).toEqual([]);
      // Released out of order: the second waits behind the first.
      reg.release!(2, { forward: true });
      expect(ws.sent).toEqual([]);
      reg.release!(1, { forward: true });
      expect(ws.sent).toEqual(['hold me', 'plain', 'RW', 'hold me too', 'last']);
      ws.send('after');
      expect(ws.sent.at(-1)).toBe('after');
      ws.receive('hold in');
      ws.receive('in 2');
      appSaw(app, ['in 1']);
      reg.release!(3, { forward: false });
      appSaw(app, ['in 1', 'in 2']);
    });

    it('never wedges: a frame past its maxMs goes on unchanged, and the hit says it timed out', () => {
      const { reg, open, rules } = world(install);
      rules(rule('h', text('x'), HOLD(1200)));
      const { ws } = open();
      ws.send('x1');
      vi.advanceTimersByTime(1000);
      ws.send('x2');
      ws.send('y');
      vi.advanceTimersByTime(199);
      expect(ws.sent).toEqual([]);
      vi.advanceTimersByTime(1); // x1's deadline
      expect(ws.sent).toEqual(['x1']);
      expect(ids(reg)).toEqual([2]);
      vi.advanceTimersByTime(1000); // x2's
      expect(ws.sent).toEqual(['x1', 'x2', 'y']);
      expect(reg.held).toEqual([]);
      expect(reg.hits.map((h) => [h.action, h.original, h.reason, h.waited])).toEqual([
        ['released', { text: 'x1' }, 'timeout', 1200],
        ['released', { text: 'x2' }, 'timeout', 1200],
      ]);
      expect(vi.getTimerCount()).toBe(0);
      expect(reg.release!(1, { forward: false })).toBe(false); // already gone
    });

    it('never wedges: once the lease is over every held frame goes on unchanged within half a second', () => {
      const { reg, open, rules } = world(install);
      rules(rule('h', { k: 'all' }, HOLD(600_000)));
      reg.until = Date.now() + 1000;
      const { ws, app } = open();
      ws.send('s1');
      ws.receive('r1');
      ws.send('s2');
      vi.advanceTimersByTime(999);
      expect(ws.sent).toEqual([]);
      expect(ids(reg)).toEqual([1, 2, 3]);
      vi.advanceTimersByTime(501);
      expect(ws.sent).toEqual(['s1', 's2']);
      appSaw(app, ['r1']);
      expect(reg.held).toEqual([]);
      expect(reg.hits.map((h) => [h.action, h.dir, h.reason])).toEqual([
        ['released', 'sent', 'lease'],
        ['released', 'received', 'lease'],
        ['released', 'sent', 'lease'],
      ]);
      expect(vi.getTimerCount()).toBe(0);
      ws.send('s3'); // the rules are off now
      expect(ws.sent.at(-1)).toBe('s3');
    });

    it('a held sent frame is sent as it was when the app sent it; one whose socket closed meanwhile is dropped', () => {
      const { reg, open, rules } = world(install);
      rules(rule('h', sent, HOLD()));
      const { ws } = open();
      const buf = bytes(1, 2, 3);
      ws.send(buf);
      buf[0] = 99; // the app reuses its buffer
      reg.release!(1, { forward: true });
      expect([...(ws.sent[0] as Uint8Array)]).toEqual([1, 2, 3]);
      ws.send('late');
      ws.send('edited late');
      ws.setState(3);
      reg.release!(2, { forward: true });
      reg.release!(3, { forward: true, payload: { text: 'E' } });
      expect(ws.sent).toHaveLength(1);
      expect(reg.hits.slice(1).map((h) => [h.action, h.dropped, 'delivered' in h])).toEqual([
        ['released', 'not-open', false],
        ['rewritten', 'not-open', false],
      ]);
    });

    it('holds at most 1000 frames: past that a matching frame goes on, counted', () => {
      const { reg, open, rules } = world(install);
      rules(rule('h', sent, HOLD()));
      const { ws } = open();
      const other = open('wss://feed.test/other');
      for (let i = 0; i < 1000; i++) ws.send('f' + i);
      expect(reg.held).toHaveLength(1000);
      other.ws.send('over');
      expect(other.ws.sent).toEqual(['over']);
      ws.send('over too'); // goes on, but in its turn: behind the socket's held frames
      expect(reg.heldOverflow).toBe(2);
      expect(reg.held).toHaveLength(1000);
      reg.release!(1000, { forward: false });
      reg.release!(1, { forward: false });
      ws.send('held again');
      expect(reg.held).toHaveLength(999);
      for (let id = 2; id < 1000; id++) reg.release!(id, { forward: false });
      expect(ws.sent).toEqual(['over too']);
    });

    it('release answers false for an id not held, or a decision it cannot read (the frame stays held)', () => {
      const { reg, open, rules } = world(install);
      rules(rule('h', sent, HOLD()));
      const { ws } = open();
      ws.send('x');
      expect(reg.release!(99, { forward: true })).toBe(false);
      for (const bad of [null, 'yes', {}, { forward: 'true' }, { forward: true, payload: { text: 5 } }, { forward: true, payload: { b64: '*not*' } }, { forward: true, payload: {} }]) {
        expect(reg.release!(1, bad as never)).toBe(false);
      }
      expect(ids(reg)).toEqual([1]);
      expect(reg.release!(1, { forward: true })).toBe(true);
      expect(reg.release!(1, { forward: true })).toBe(false);
      expect(ws.sent).toEqual(['x']);
    });

    it('a hostile page cannot reach the registry, read into the held frames, or stop their release', () => {
      const { WS, reg, open, rules } = world(install);
      rules(rule('h', { k: 'all' }, HOLD(1000)));
      const { ws, app } = open();
      const events: Event[] = [];
      ws.addEventListener('message', (e) => events.push(e));
      let seen = ''; // a string: pushing to an array would meet the setters below
      const saved = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout, atob: globalThis.atob, push: Array.prototype.push };
      const spy = (name: string) => ({
        configurable: true,
        get() {
          seen += `get ${name};`;
          return name === 'forward' ? false : name === 'payload' ? { text: 'FORGED' } : undefined;
        },
        set() {
          seen += `set ${name};`;
        },
      });
      // Not `id`: the test's fake timers set one on each of their own timers.
      const names = ['forward', 'payload', 'text', 'b64', 'held', 'due', 'original', 'reason', 'waited', 'delivered', 'dropped', '0', '1'];
      try {
        for (const n of names) Object.defineProperty(Object.prototype, n, spy(n));
        Object.defineProperty(Array.prototype, '0', spy('[0]'));
        Object.defineProperty(Array.prototype, '1', spy('[1]'));
        globalThis.setTimeout = (() => {
          throw new Error('setTimeout patched');
        }) as never;
        globalThis.clearTimeout = (() => {
          throw new Error('clearTimeout patched');
        });
        globalThis.atob = () => 'forged';
        ws.send('s');
        ws.receive('r');
        ws.send('e');
        // The host's decisions are objects of the page's realm: a missing field is never read through its prototype.
        expect(reg.release!(1, Object.create(Object.prototype, { forward: { value: true, enumerable: true } }) as never)).toBe(true);
        expect(reg.release!(3, { forward: true, payload: { b64: 'AQ==' } })).toBe(true);
      } finally {
        for (const n of names) delete (Object.prototype as Record<string, unknown>)[n];
        delete (Array.prototype as unknown as Record<string, unknown>)['0'];
        delete (Array.prototype as unknown as Record<string, unknown>)['1'];
        Object.assign(globalThis, saved);
      }
      expect(seen).toBe('');
      expect(ws.sent[0]).toBe('s');
      expect([...(ws.sent[1] as Uint8Array)]).toEqual([1]);
      vi.advanceTimersByTime(1000); // 'r' times out with the timer taken at install
      appSaw(app, ['r']);
      expect(reg.hits.map((h) => [h.action, h.dir, h.reason])).toEqual([
        ['released', 'sent', undefined],
        ['rewritten', 'sent', undefined],
        ['released', 'received', 'timeout'],
      ]);
      // Nothing the page holds leads to the registry or its release.
      const reachable: object[] = [ws, WS, WS.prototype, WS.prototype.send, globalThis, ...events];
      for (const o of reachable) {
        for (const k of Reflect.ownKeys(o)) {
          const d = Object.getOwnPropertyDescriptor(o, k)!;
          expect(d.value === reg || d.value === reg.release || d.value === reg.held).toBe(false);
        }
      }
    });
  });
});

describe('intercept rules on Blob frames (real timers)', () => {
  const settle = () => new Promise((r) => setTimeout(r, 20));

  it('a Blob frame is read before matching; the socket’s later frames wait behind it; the rewrite is a Blob', async () => {
    const { reg, open, rules } = world(installIntercept);
    rules(rule('h', and(received, text('01 02')), { kind: 'rewrite', rewrite: { op: 'replace', payload: { hex: 'ff' } } }));
    const { ws, app } = open(); // binaryType 'blob', as a browser's default
    ws.receive(new Blob([bytes(1, 2)]));
    ws.receive('text after');
    ws.receive(new Blob([bytes(7)]));
    appSaw(app, []);
    await settle();
    expect(app.listener[1]).toBe('text after');
    expect(app.listener[0]).toBeInstanceOf(Blob);
    expect(await bytesOf(app.listener[0])).toEqual([0xff]);
    expect(await bytesOf(app.onmessage[2])).toEqual([7]);
    expect(reg.hits.map((h) => [h.original, h.delivered])).toEqual([[{ b64: 'AQI=' }, { b64: '/w==' }]]);
  });

  it('a Blob no rule could match goes on at once, unread', () => {
    const { open, rules } = world(installIntercept);
    rules(rule('s', and(sent, text('01')), BLOCK), rule('u', { k: 'url', frag: 'nowhere' }, BLOCK));
    const { ws, app } = open();
    const blob = new Blob([bytes(1)]);
    ws.receive(blob);
    appSaw(app, [blob]);
  });

  it('a Blob frame matching a hold rule is held once read, in order; released edited it reaches the app as a Blob', async () => {
    const { reg, open, rules } = world(installIntercept);
    rules(rule('h', text('01 02'), { kind: 'hold', maxMs: 60_000 }));
    const { ws, app } = open();
    ws.receive(new Blob([bytes(1, 2)]));
    ws.receive('after');
    ws.send(new Blob([bytes(1, 2)]));
    ws.send('after');
    await settle();
    appSaw(app, []);
    expect(ws.sent).toEqual([]);
    expect(reg.held!.map((h) => [h.id, h.dir, h.original])).toEqual([
      [1, 'received', { b64: 'AQI=' }],
      [2, 'sent', { b64: 'AQI=' }],
    ]);
    reg.release!(1, { forward: true, payload: { b64: '/w==' } });
    reg.release!(2, { forward: true });
    expect(app.listener[0]).toBeInstanceOf(Blob);
    expect(await bytesOf(app.listener[0])).toEqual([0xff]);
    expect(app.listener[1]).toBe('after');
    expect(ws.sent.map((d) => (typeof d === 'string' ? d : [...(d as Uint8Array)]))).toEqual([[1, 2], 'after']);
  });

  it('a sent Blob that matches is read, then acted on, in order', async () => {
    const { open, rules } = world(installIntercept);
    rules(rule('b', and(sent, text('01')), BLOCK));
    const { ws } = open();
    ws.send(new Blob([bytes(1)]));
    ws.send('next');
    expect(ws.sent).toEqual([]);
    await settle();
    expect(ws.sent).toEqual(['next']);
  });
});

describe('cost', () => {
  it('10 rules × 2000 frames (measured, printed)', () => {
    const { reg, open, rules } = world(installIntercept);
    const { ws, app } = open();
    const frames = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ type: 'tick', seq: i, price: 100 + (i % 50), sym: 'ABC' }));
    const time = (label: string) => {
      ws.sent.length = 0;
      app.listener.length = 0;
      app.onmessage.length = 0;
      const t0 = performance.now();
      for (const f of frames) ws.send(f);
      for (const f of frames) ws.receive(f);
      const ms = performance.now() - t0;
      console.log(`intercept cost, ${label}: ${ms.toFixed(1)} ms for ${frames.length} sent + ${frames.length} received (${((ms * 1000) / (2 * frames.length)).toFixed(2)} µs/frame)`);
      expect(ws.sent.length).toBe(frames.length);
      expect(app.listener.length).toBe(frames.length);
      return ms;
    };
    time('no rules');
    rules(
      ...Array.from({ length: 10 }, (_, i): PageRule => {
        const matches: PageMatch[] = [
          text('nomatch' + i),
          { k: 're', source: 'zz' + i + '\\d', flags: 'i' },
          { k: 'json', path: ['type'], cmp: '==', value: 'other' + i },
          { k: 'json', path: ['price'], cmp: '>', value: 1000 + i },
          and({ k: 'url', frag: 'feed' }, { k: 'size', cmp: '>', n: 100_000 + i }),
        ];
        return rule('r' + i, matches[i % matches.length], BLOCK);
      }),
    );
    const ms = time('10 rules, none matching');
    expect(reg.hits).toEqual([]);
    expect(ms).toBeLessThan(10_000);
  });
});
