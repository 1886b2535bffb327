// A small fake page for the Firefox page hook: a window (an EventTarget) with WebSocket, MessageEvent, CloseEvent and
// MessageChannel stand-ins whose accessors live on their prototypes as in a browser, and a clock the test drives.
// Port and window messages are structured-cloned when posted and delivered as tasks. A port handed to the isolated
// script arrives there as an object of another class, as in Firefox: a page patching `MessagePort.prototype` does
// not reach the isolated script's side. Events behave as in a browser where the hook relies on it: `isTrusted` is an
// own, unforgeable property of each event, true only for what the world (the browser) dispatches; at the target,
// capture listeners run before the others; a list a native method takes (a transfer list) is read through its
// iterator. World code, standing for the browser's own, is immune to what a page patches: it never sets an array
// index nor calls an array method a test patches (it appends with defineProperty, and filters by hand).
import { HELLO_TYPE, type HookBatch, type HookEvent } from '../../../../src/capture/firefox/hook-protocol';
import { installHook } from '../../../../src/capture/firefox/page-hook';

export type Win = typeof globalThis & Window;

/** `performance.timeOrigin` of the fake page; `now` starts at 1000 ms. */
export const TIME_ORIGIN = 1_700_000_000_000;

/** Appends as the browser would: no setter a page put on an Array.prototype index is called. */
const add = <T>(list: T[], x: T) => {
  Reflect.defineProperty(list, list.length, { __proto__: null, value: x, writable: true, enumerable: true, configurable: true } as PropertyDescriptor);
};
const keep = <T>(list: T[], pred: (x: T) => boolean): T[] => {
  const out: T[] = [];
  for (let i = 0; i < list.length; i++) if (pred(list[i])) add(out, list[i]);
  return out;
};

// Events. `trusted` holds what the browser dispatched; the getter is each event's own, non-configurable property.
const trusted = new WeakSet<object>();
const isTrustedGetter = function (this: object) {
  return trusted.has(this);
};
const eventState = new WeakMap<object, { type: string; stop: boolean; dispatching: boolean; canceled: boolean }>();
class FakeEvent {
  constructor(type: string, _init?: unknown) {
    eventState.set(this, { type: `${type}`, stop: false, dispatching: false, canceled: false });
    Object.defineProperty(this, 'isTrusted', { get: isTrustedGetter, enumerable: true, configurable: false });
  }
  declare readonly isTrusted: boolean;
  get type() {
    return eventState.get(this)!.type;
  }
  get defaultPrevented() {
    return eventState.get(this)!.canceled;
  }
  preventDefault() {
    eventState.get(this)!.canceled = true;
  }
  stopPropagation() {
    /* no propagation path: a socket or the window is the only target */
  }
  stopImmediatePropagation() {
    eventState.get(this)!.stop = true;
  }
}
/** An event the browser made: trusted. */
function browserEvent<E extends FakeEvent>(e: E): E {
  trusted.add(e);
  return e;
}

interface Listener {
  type: string;
  fn: ((e: FakeEvent) => void) | { handleEvent(e: FakeEvent): void };
  capture: boolean;
  once: boolean;
  removed: boolean;
}
const listenersOf = new WeakMap<object, Listener[]>();
const optionsOf = (opts: unknown) => {
  // As a browser reads an options dictionary: through ordinary property reads (a page's Object.prototype included).
  if (typeof opts === 'boolean') return { capture: opts, once: false };
  if (opts === undefined || opts === null) return { capture: false, once: false };
  const o = opts as { capture?: unknown; once?: unknown };
  return { capture: !!o.capture, once: !!o.once };
};
/** EventTarget as a browser's, for a target with no propagation path: capture listeners first, then the others. */
class FakeEventTarget {
  addEventListener(type: string, fn: Listener['fn'] | null, opts?: unknown) {
    if (!fn) return;
    const { capture, once } = optionsOf(opts);
    let list = listenersOf.get(this);
    if (!list) listenersOf.set(this, (list = []));
    for (let i = 0; i < list.length; i++) if (list[i].type === type && list[i].fn === fn && list[i].capture === capture) return;
    add(list, { type: `${type}`, fn, capture, once, removed: false });
  }
  removeEventListener(type: string, fn: Listener['fn'] | null, opts?: unknown) {
    const { capture } = optionsOf(opts);
    const list = listenersOf.get(this) ?? [];
    for (let i = 0; i < list.length; i++) {
      const l = list[i];
      if (l.type === type && l.fn === fn && l.capture === capture) l.removed = true;
    }
    listenersOf.set(this, keep(list, (l) => !l.removed));
  }
  dispatchEvent(e: FakeEvent): boolean {
    const st = eventState.get(e);
    if (!st) throw new TypeError('not an Event');
    if (st.dispatching) throw new Error('InvalidStateError: the event is being dispatched');
    st.dispatching = true;
    st.stop = false;
    const all = listenersOf.get(this) ?? [];
    const ordered = keep(all, (l) => l.type === st.type && l.capture);
    const rest = keep(all, (l) => l.type === st.type && !l.capture);
    for (let i = 0; i < rest.length; i++) add(ordered, rest[i]);
    try {
      for (let i = 0; i < ordered.length; i++) {
        const l = ordered[i];
        if (l.removed) continue;
        if (l.once) this.removeEventListener(l.type, l.fn, l.capture);
        try {
          if (typeof l.fn === 'function') Reflect.apply(l.fn, this, [e]);
          else l.fn.handleEvent(e);
        } catch (err) {
          // A browser reports it and goes on; here it fails the run, out of the dispatch.
          queueMicrotask(() => {
            throw err;
          });
        }
        if (st.stop) break;
      }
    } finally {
      st.dispatching = false;
    }
    return !st.canceled;
  }
}
interface SocketState {
  url: string;
  readyState: number;
  protocol: string;
  binaryType: BinaryType;
  /** The protocols as the native constructor read them (a list through its iterator, as WebIDL does). */
  protocols: string[];
  wire: unknown[];
  onmessage: ((e: Event) => void) | null;
}
const socketState = new WeakMap<object, SocketState>();
const stateOf = (ws: object) => {
  const s = socketState.get(ws);
  if (!s) throw new TypeError('Illegal invocation');
  return s;
};

class FakeMessageEvent extends FakeEvent {
  readonly #init: { data?: unknown; origin?: string; source?: unknown; ports?: unknown[] };
  constructor(type: string, init: { data?: unknown; origin?: string; source?: unknown; ports?: unknown[] } = {}) {
    super(type);
    this.#init = init;
  }
  get data() {
    return this.#init.data;
  }
  get origin() {
    return this.#init.origin ?? '';
  }
  get source() {
    return this.#init.source ?? null;
  }
  get ports() {
    return this.#init.ports ?? [];
  }
}

class FakeCloseEvent extends FakeEvent {
  readonly #init: { code: number; reason: string; wasClean: boolean };
  constructor(type: string, init: { code: number; reason: string; wasClean: boolean }) {
    super(type);
    this.#init = init;
  }
  get code() {
    return this.#init.code;
  }
  get reason() {
    return this.#init.reason;
  }
  get wasClean() {
    return this.#init.wasClean;
  }
}

class FakeSecurityPolicyViolationEvent extends FakeEvent {
  readonly #init: { effectiveDirective: string; violatedDirective: string; originalPolicy: string };
  constructor(type: string, init: { effectiveDirective: string; violatedDirective: string; originalPolicy: string }) {
    super(type);
    this.#init = init;
  }
  get effectiveDirective() {
    return this.#init.effectiveDirective;
  }
  get violatedDirective() {
    return this.#init.violatedDirective;
  }
  get originalPolicy() {
    return this.#init.originalPolicy;
  }
}

/** The document, as far as the hook looks at it: how far it got, and its script elements. */
class FakeHTMLCollection {
  readonly #n: () => number;
  constructor(n: () => number) {
    this.#n = n;
  }
  get length() {
    return this.#n();
  }
}
const docState = new WeakMap<object, { readyState: DocumentReadyState; scripts: number }>();
class FakeDocument {
  get readyState() {
    return docState.get(this)!.readyState;
  }
  get scripts() {
    const st = docState.get(this)!;
    return new FakeHTMLCollection(() => st.scripts);
  }
}

/** Firefox has an `Error.prototype.stack` accessor (V8 has none): the hook reads where a socket was made with it. */
class FakeError extends Error {}
Object.defineProperty(FakeError.prototype, 'stack', { get: () => 'connect@https://page.test/app.js:7:9', configurable: true });

interface PortState {
  peer: object | null;
  handler: ((e: FakeMessageEvent) => void) | null;
  pending: unknown[];
}

export interface World {
  /** The fake window the hook is installed on. */
  g: Win;
  /** The WebSocket constructor as it was before the hook. */
  Native: typeof WebSocket;
  /** Every native socket made, in order. */
  made: WebSocket[];
  /** The page's clock, in ms since its time origin. */
  now(): number;
  /** Runs microtasks and tasks until none is left (timers wait for `advance`). */
  run(): void;
  /** Moves the clock, running the timers that fall due on the way. */
  advance(ms: number): void;
  /** Timers not yet run. */
  pendingTimers(): number;
  /** The server side of a socket. */
  open(ws: WebSocket, protocol?: string): void;
  receive(ws: WebSocket, data: unknown): void;
  close(ws: WebSocket, code: number, reason: string, wasClean?: boolean): void;
  /** The socket failed (the `error` event a browser dispatches before `close`). */
  error(ws: WebSocket): void;
  /** The page's CSP blocked something: a trusted `securitypolicyviolation` on the window. */
  violation(init: { effectiveDirective: string; violatedDirective: string; originalPolicy: string }): void;
  /** The document got further before the hook ran (a page already open when the add-on came): its state now, and
   *  how many script elements it has. */
  loaded(readyState: DocumentReadyState, scripts: number): void;
  /** What the socket sent on the wire. */
  wire(ws: WebSocket): unknown[];
  /** The protocols the socket asked for, as the native constructor got them. */
  protocols(ws: WebSocket): string[];
  /** A port of the isolated script's side (another class than the page's `MessagePort`). */
  isolatedPort(port: object): { postMessage(m: unknown): void; onmessage: ((e: { data: unknown }) => void) | null };
}

export function makeWorld(): World {
  let clock = 1000;
  const micro: Array<() => void> = [];
  const tasks: Array<() => void> = [];
  let timers: Array<{ id: number; at: number; fn: () => void }> = [];
  let nextTimer = 1;
  const made: WebSocket[] = [];
  const run = () => {
    while (micro.length || tasks.length) {
      while (micro.length) micro.shift()!();
      if (tasks.length) tasks.shift()!();
    }
  };

  // Ports: a page-side class (`g.MessagePort`) and an isolated-side one; both ends of one pipe know each other.
  const portState = new WeakMap<object, PortState>();
  const pstate = (p: object) => portState.get(p)!;
  const deliver = (to: object, data: unknown) => {
    const st = pstate(to);
    if (st.handler) st.handler(browserEvent(new FakeMessageEvent('message', { data })));
    else add(st.pending, data);
  };
  const portMethods = {
    postMessage(this: object, msg: unknown) {
      const data = structuredClone(msg);
      const peer = pstate(this).peer;
      if (peer) add(tasks, () => deliver(peer, data));
    },
    get onmessage() {
      return pstate(this).handler;
    },
    set onmessage(fn: ((e: FakeMessageEvent) => void) | null) {
      const st = pstate(this);
      st.handler = fn;
      // Setting onmessage starts the port: what waited is delivered.
      const waiting = st.pending;
      st.pending = [];
      for (let i = 0; i < waiting.length; i++) {
        const d = waiting[i];
        add(tasks, () => deliver(this as object, d));
      }
    },
  };
  class FakeMessagePort {
    constructor() {
      portState.set(this, { peer: null, handler: null, pending: [] });
    }
  }
  class IsolatedPort {
    constructor() {
      portState.set(this, { peer: null, handler: null, pending: [] });
    }
  }
  for (const C of [FakeMessagePort, IsolatedPort]) Object.defineProperties(C.prototype, Object.getOwnPropertyDescriptors(portMethods));
  class FakeMessageChannel {
    readonly #ports: [FakeMessagePort, FakeMessagePort];
    constructor() {
      const a = new FakeMessagePort();
      const b = new FakeMessagePort();
      pstate(a).peer = b;
      pstate(b).peer = a;
      this.#ports = [a, b];
    }
    get port1() {
      return this.#ports[0];
    }
    get port2() {
      return this.#ports[1];
    }
  }
  /** A transferred page port, as the isolated script receives it: a new object on the same pipe. */
  const toIsolated = (p: object) => {
    const q = new IsolatedPort();
    const peer = pstate(p).peer;
    pstate(q).peer = peer;
    pstate(q).pending = pstate(p).pending;
    if (peer) pstate(peer).peer = q;
    pstate(p).peer = null;
    return q;
  };

  class FakeWebSocket extends FakeEventTarget {
    static readonly CONNECTING = 0;
    static readonly OPEN = 1;
    static readonly CLOSING = 2;
    static readonly CLOSED = 3;
    constructor(url: string | URL, p?: string | Iterable<unknown>) {
      super();
      const protocols: string[] = [];
      if (typeof p === 'string') add(protocols, p);
      else if (p !== undefined) for (const x of p) add(protocols, `${x as string}`);
      socketState.set(this, { url: `${url}`, readyState: 0, protocol: '', binaryType: 'blob', protocols, wire: [], onmessage: null });
      add(made, this as unknown as WebSocket);
    }
    get url() {
      return stateOf(this).url;
    }
    get readyState() {
      return stateOf(this).readyState;
    }
    get protocol() {
      return stateOf(this).protocol;
    }
    get extensions() {
      stateOf(this);
      return '';
    }
    get binaryType() {
      return stateOf(this).binaryType;
    }
    set binaryType(v: BinaryType) {
      stateOf(this).binaryType = v;
    }
    get onmessage() {
      return stateOf(this).onmessage;
    }
    set onmessage(fn: ((e: Event) => void) | null) {
      const st = stateOf(this);
      if (st.onmessage === null) this.addEventListener('message', (e: FakeEvent) => st.onmessage?.(e as unknown as Event));
      st.onmessage = fn;
    }
    send(data: unknown) {
      const st = stateOf(this);
      if (st.readyState !== 1) throw new Error('InvalidStateError: not open');
      add(st.wire, data);
    }
  }

  Object.defineProperty(FakeWebSocket, 'name', { value: 'WebSocket' });

  /** The page's `Date`: its `now` on the same clock as `performance` (intercept rules read their lease by it). */
  class FakeDate extends Date {
    static now() {
      return TIME_ORIGIN + clock;
    }
  }

  const document = new FakeDocument();
  docState.set(document, { readyState: 'loading', scripts: 0 });
  const g = new FakeEventTarget() as unknown as Win & Record<string, unknown>;
  Object.assign(g, {
    WebSocket: FakeWebSocket,
    EventTarget: FakeEventTarget,
    Event: FakeEvent,
    MessageEvent: FakeMessageEvent,
    CloseEvent: FakeCloseEvent,
    SecurityPolicyViolationEvent: FakeSecurityPolicyViolationEvent,
    Document: FakeDocument,
    HTMLCollection: FakeHTMLCollection,
    document,
    DataView,
    DOMException,
    MessageChannel: FakeMessageChannel,
    MessagePort: FakeMessagePort,
    Blob,
    ArrayBuffer,
    Uint8Array,
    Promise,
    WeakMap,
    Map,
    URL,
    Error: FakeError,
    Date: FakeDate,
    // The language's own built-ins, as the page's realm has them (intercept rules take them at install).
    Reflect, Object, Proxy, JSON, RegExp, WeakSet, String, Array, Symbol, TextEncoder,
    crypto: globalThis.crypto,
    btoa: globalThis.btoa,
    atob: globalThis.atob,
    location: { href: 'https://page.test/app' },
    performance: { timeOrigin: TIME_ORIGIN, now: () => clock },
    setTimeout: (fn: () => void, ms = 0) => {
      const id = nextTimer++;
      add(timers, { id, at: clock + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout: (id: number) => {
      timers = keep(timers, (t) => t.id !== id);
    },
    queueMicrotask: (fn: () => void) => add(micro, fn),
    postMessage: (msg: unknown, _origin: string, transfer: Iterable<object> = []) => {
      const data = structuredClone(msg);
      // As WebIDL converts a sequence: through the list's iterator, whatever it is now.
      const ports: object[] = [];
      for (const p of transfer) add(ports, toIsolated(p));
      add(tasks, () => g.dispatchEvent(browserEvent(new FakeMessageEvent('message', { data, source: g, ports })) as unknown as Event));
    },
  });

  return {
    g,
    Native: FakeWebSocket as unknown as typeof WebSocket,
    made,
    now: () => clock,
    run,
    advance(ms) {
      const end = clock + ms;
      for (;;) {
        run();
        let next: (typeof timers)[number] | undefined;
        for (let i = 0; i < timers.length; i++) if (timers[i].at <= end && (!next || timers[i].at < next.at)) next = timers[i];
        if (!next) break;
        const due = next;
        timers = keep(timers, (t) => t !== due);
        clock = Math.max(clock, due.at);
        due.fn();
      }
      clock = end;
      run();
    },
    pendingTimers: () => timers.length,
    open(ws, protocol = '') {
      const st = stateOf(ws);
      st.readyState = 1;
      st.protocol = protocol;
      ws.dispatchEvent(browserEvent(new FakeEvent('open')) as unknown as Event);
    },
    receive(ws, data) {
      ws.dispatchEvent(browserEvent(new FakeMessageEvent('message', { data, origin: new URL(stateOf(ws).url).origin })) as unknown as Event);
    },
    close(ws, code, reason, wasClean = true) {
      stateOf(ws).readyState = 3;
      ws.dispatchEvent(browserEvent(new FakeCloseEvent('close', { code, reason, wasClean })) as unknown as Event);
    },
    error(ws) {
      ws.dispatchEvent(browserEvent(new FakeEvent('error')) as unknown as Event);
    },
    violation(init) {
      g.dispatchEvent(browserEvent(new FakeSecurityPolicyViolationEvent('securitypolicyviolation', init)) as unknown as Event);
    },
    loaded(readyState, scripts) {
      docState.set(document, { readyState, scripts });
    },
    wire: (ws) => stateOf(ws).wire,
    protocols: (ws) => stateOf(ws).protocols,
    isolatedPort: (port) => port as ReturnType<World['isolatedPort']>,
  };
}

/** The isolated script's side, as a stand-in: takes the first hello, acknowledges it, records what the hook posts. */
export interface Relay {
  /** Every message the hook posted on the channel, in order. */
  received: unknown[];
  /** Hellos seen (and stopped) on the window. */
  hellos: number;
  /** Sends a command to the hook. */
  command(m: unknown): void;
  /** Whether a channel was taken. */
  connected(): boolean;
}

export function standInRelay(w: World): Relay {
  let port: ReturnType<World['isolatedPort']> | null = null;
  const relay: Relay = {
    received: [],
    hellos: 0,
    command: (m) => port!.postMessage(m),
    connected: () => port !== null,
  };
  w.g.addEventListener('message', (ev) => {
    const d = ev.data as { type?: unknown } | null;
    if (ev.source !== w.g || !d || d.type !== HELLO_TYPE) return;
    ev.stopImmediatePropagation();
    relay.hellos++;
    if (port) return;
    port = w.isolatedPort(ev.ports[0]);
    port.onmessage = (m) => {
      add(relay.received, m.data);
    };
    port.postMessage({ k: 'ack' });
  }, true);
  return relay;
}

/** A page with the hook installed at document start and the stand-in relay beside it, channel taken. `before`
 *  runs first, as a page that was already running when the add-on came. */
export function hookedPage(before?: (w: World) => void): { w: World; relay: Relay } {
  const w = makeWorld();
  before?.(w);
  installHook(w.g);
  const relay = standInRelay(w);
  w.run();
  return { w, relay };
}

/** The batches the hook posted, in order. */
export function batches(relay: Relay): HookBatch[] {
  return relay.received.filter((m) => (m as { k?: unknown }).k === 'batch').map((m) => (m as { batch: HookBatch }).batch);
}

/** Every event the hook reported, in order. */
export function events(relay: Relay): HookEvent[] {
  return batches(relay).flatMap((b) => b.events);
}

export function arm(w: World, relay: Relay, on = true): void {
  relay.command({ k: 'arm', on });
  w.run();
}
