// A small fake page for the Firefox page hook: a window (an EventTarget) with WebSocket, MessageEvent, CloseEvent and
// MessageChannel stand-ins whose accessors live on their prototypes as in a browser, and a clock the test drives.
// Port and window messages are structured-cloned when posted and delivered as tasks. A port handed to the isolated
// script arrives there as an object of another class, as in Firefox: a page patching `MessagePort.prototype` does
// not reach the isolated script's side. World code never calls `Array.prototype.push` (a test patches it).
import { HELLO_TYPE, type HookBatch, type HookEvent } from '../../../../src/capture/firefox/hook-protocol';
import { installHook } from '../../../../src/capture/firefox/page-hook';

export type Win = typeof globalThis & Window;

/** `performance.timeOrigin` of the fake page; `now` starts at 1000 ms. */
export const TIME_ORIGIN = 1_700_000_000_000;

interface SocketState {
  url: string;
  readyState: number;
  protocol: string;
  binaryType: BinaryType;
  wire: unknown[];
  onmessage: ((e: Event) => void) | null;
}
const socketState = new WeakMap<object, SocketState>();
const stateOf = (ws: object) => {
  const s = socketState.get(ws);
  if (!s) throw new TypeError('Illegal invocation');
  return s;
};

class FakeMessageEvent extends Event {
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

class FakeCloseEvent extends Event {
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
  /** What the socket sent on the wire. */
  wire(ws: WebSocket): unknown[];
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
  const add = <T>(list: T[], x: T) => {
    list[list.length] = x;
  };
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
    if (st.handler) st.handler(new FakeMessageEvent('message', { data }));
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
      for (const d of waiting) add(tasks, () => deliver(this as object, d));
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

  class FakeWebSocket extends EventTarget {
    static readonly CONNECTING = 0;
    static readonly OPEN = 1;
    static readonly CLOSING = 2;
    static readonly CLOSED = 3;
    constructor(url: string | URL, _protocols?: string | string[]) {
      super();
      socketState.set(this, { url: `${url}`, readyState: 0, protocol: '', binaryType: 'blob', wire: [], onmessage: null });
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
      if (st.onmessage === null) this.addEventListener('message', (e) => st.onmessage?.(e));
      st.onmessage = fn;
    }
    send(data: unknown) {
      const st = stateOf(this);
      if (st.readyState !== 1) throw new Error('InvalidStateError: not open');
      add(st.wire, data);
    }
  }

  Object.defineProperty(FakeWebSocket, 'name', { value: 'WebSocket' });

  const g = new EventTarget() as unknown as Win & Record<string, unknown>;
  Object.assign(g, {
    WebSocket: FakeWebSocket,
    EventTarget,
    MessageEvent: FakeMessageEvent,
    CloseEvent: FakeCloseEvent,
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
      timers = timers.filter((t) => t.id !== id);
    },
    queueMicrotask: (fn: () => void) => add(micro, fn),
    postMessage: (msg: unknown, _origin: string, transfer: object[] = []) => {
      const data = structuredClone(msg);
      const ports = transfer.map(toIsolated);
      add(tasks, () => g.dispatchEvent(new FakeMessageEvent('message', { data, source: g, ports })));
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
        for (const t of timers) if (t.at <= end && (!next || t.at < next.at)) next = t;
        if (!next) break;
        const due = next;
        timers = timers.filter((t) => t !== due);
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
      ws.dispatchEvent(new Event('open'));
    },
    receive(ws, data) {
      ws.dispatchEvent(new FakeMessageEvent('message', { data, origin: new URL(stateOf(ws).url).origin }));
    },
    close(ws, code, reason, wasClean = true) {
      stateOf(ws).readyState = 3;
      ws.dispatchEvent(new FakeCloseEvent('close', { code, reason, wasClean }));
    },
    wire: (ws) => stateOf(ws).wire,
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
      relay.received[relay.received.length] = m.data;
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
