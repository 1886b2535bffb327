// The page's WebSockets as the hook knows them. `WebSocket` becomes a Proxy of the native constructor and `send` a
// Proxy of the native method, so every socket is numbered and reported, with listeners of the hook's own; what the
// page sees is unchanged: `instanceof`, statics, subclasses, `prototype.constructor`, and `toString()` reading
// `[native code]`. A socket made before the hook (the add-on came after the page) is adopted on its next send (`pre`).
// The hook's listeners are added in the constructor, before the page holds the socket, as capture listeners: at the
// target those run first, in the order added, so no listener of the page runs before them to stop the event. They take
// only trusted events: one the page dispatches itself (a forged frame, open, error or close) is not the socket's.
import type { Builtins } from './builtins';
import type { EventQueue } from './event-queue';
import type { ReportFrame } from './frames';
import type { HookEvent } from './hook-protocol';

export interface Entry {
  s: number;
  ws: WebSocket;
  url: string;
  protocols: string[];
  t: number;
  pre: boolean;
  closed: boolean;
  /** Where the page made it (Firefox's `Error().stack`). */
  stack?: string;
}

export interface Sockets {
  /** What the page now calls `WebSocket`. */
  readonly Hooked: typeof WebSocket;
  /** A socket by its number; closed ones are forgotten a minute after they close. */
  find(s: number): Entry | undefined;
  /** A socket's entry, if the hook knows it. */
  entryOf(ws: WebSocket): Entry | undefined;
  /** Reports every socket not closed (armed again after a pause: the host forgot them). */
  announceLive(): void;
  /** Whether an event came from the browser (not from a script's `dispatchEvent`). */
  trusted(e: Event): boolean;
}

/** How long a closed socket can still be found by number (a replay may name it just after it closed). */
const FORGET_CLOSED_MS = 60_000;

/** Installs both Proxies on the page; null if the page's `WebSocket` could not be replaced (nothing is hooked).
 *  `onSocket` is told of each socket as soon as it is tracked, after the hook's own listeners were added (intercept
 *  rules add theirs then, so the hook still hears the frame the network delivered first). */
export function hookSockets(B: Builtins, g: typeof globalThis & Window, queue: EventQueue, reportFrame: ReportFrame, onSocket: (ws: WebSocket) => void = () => {}): Sockets | null {
  const { apply, addEventListener: listen, readyState, protocol, extensions, String: Str, bare, append } = B;
  const entries = new B.WeakMap<WebSocket, Entry>();
  const bySocketNo = new B.Map<number, Entry>();
  let nextS = 1;
  const trusted = (e: Event) => apply(B.isTrusted, e, []) === true;

  const socketEvent = (en: Entry): HookEvent => bare({
    k: 'socket', s: en.s, url: en.url, protocols: en.protocols, t: en.t, pre: en.pre, ...(en.stack ? { stack: en.stack } : {}),
    state: apply(readyState, en.ws, []) as number,
    protocol: Str(apply(protocol, en.ws, [])), extensions: Str(apply(extensions, en.ws, [])),
  });

  const track = (ws: WebSocket, protocols: string[], pre: boolean): Entry => {
    let stack: string | undefined;
    if (!pre && B.errorStack) {
      try {
        stack = Str(apply(B.errorStack, new B.Error(), []));
      } catch {
        /* no stack */
      }
    }
    const en: Entry = bare({ s: nextS++, ws, url: Str(apply(B.url, ws, [])), protocols, t: B.now(), pre, closed: false, ...(stack ? { stack } : {}) });
    apply(B.weakMapSet, entries, [ws, en]);
    apply(B.mapSet, bySocketNo, [en.s, en]);
    // `true`: capture, and no options object, whose `once` or `signal` the page could supply from Object.prototype.
    apply(listen, ws, ['open', (e: Event) => {
      if (trusted(e)) queue.emit(bare({ k: 'open', s: en.s, t: B.now(), protocol: Str(apply(protocol, ws, [])), extensions: Str(apply(extensions, ws, [])) }));
    }, true]);
    // Frameline's own injections are untrusted too: replay reports those itself, as it makes them.
    apply(listen, ws, ['message', (e: MessageEvent) => {
      if (trusted(e)) reportFrame(en.s, 'received', apply(B.messageData, e, []));
    }, true]);
    apply(listen, ws, ['error', (e: Event) => {
      if (trusted(e)) queue.emit(bare({ k: 'error', s: en.s, t: B.now() }));
    }, true]);
    apply(listen, ws, ['close', (e: CloseEvent) => {
      if (!trusted(e)) return;
      en.closed = true;
      queue.emit(bare({ k: 'close', s: en.s, t: B.now(), code: apply(B.closeCode, e, []) as number, reason: Str(apply(B.closeReason, e, [])), wasClean: !!apply(B.closeWasClean, e, []) }));
      B.setTimeout(() => apply(B.mapDelete, bySocketNo, [en.s]), FORGET_CLOSED_MS);
    }, true]);
    if (queue.armed() !== false) queue.emit(socketEvent(en));
    try {
      onSocket(ws);
    } catch {
      /* never break the page */
    }
    return en;
  };

  const Native = B.WebSocket;
  // Handlers without a prototype: a trap the handler lacks would otherwise be looked up on the page's
  // Object.prototype (a `get` there would be handed the native constructor, or the native `send`).
  const Hooked: typeof WebSocket = new Proxy(Native, bare({
    construct(target: typeof WebSocket, args: unknown[], newTarget: unknown) {
      // The protocols as the hook reports them are what the native constructor gets: a copy of the page's list, so
      // neither getters on its indexes nor its iterator can tell the two apart.
      // Read only if given: a missing argument read by index would come from the page's Array.prototype.
      const p: unknown = args.length > 1 ? args[1] : undefined;
      const protocols: string[] = [];
      if (typeof p === 'string') append(protocols, p);
      else if (B.isArray(p)) {
        for (let i = 0; i < p.length; i++) append(protocols, Str(p[i]));
        args[1] = B.list(protocols);
      } else if (p !== undefined) append(protocols, Str(p));
      // `new WebSocket()` builds a native socket; a page subclass keeps its own prototype chain.
      const ws = B.construct(target, args, newTarget === Hooked ? target : (newTarget as typeof WebSocket)) as WebSocket;
      try {
        track(ws, protocols, false);
      } catch {
        /* never break the page */
      }
      return ws;
    },
  }));
  const send: WebSocket['send'] = new Proxy(B.send, bare({
    apply(target: WebSocket['send'], self: WebSocket, args: unknown[]) {
      let en: Entry | undefined;
      let open = false;
      try {
        en = apply(B.weakMapGet, entries, [self]) as Entry | undefined;
        open = apply(readyState, self, []) === 1;
        if (!en && open) en = track(self, [], true); // a socket from before the hook: adopted now
      } catch {
        en = undefined;
      }
      const r: unknown = apply(target, self, args);
      if (en && open) {
        try {
          reportFrame(en.s, 'sent', args.length ? args[0] : undefined);
        } catch {
          /* never break the page */
        }
      }
      return r;
    },
  }));

  const { defineProperty, getOwnPropertyDescriptor: getDesc, wsProto: proto } = B;
  try {
    defineProperty(proto, 'constructor', { value: Hooked, writable: true, configurable: true, enumerable: false });
    defineProperty(proto, 'send', { ...getDesc(proto, 'send'), value: send });
    defineProperty(g, 'WebSocket', { ...getDesc(g, 'WebSocket'), value: Hooked });
  } catch {
    return null;
  }

  return {
    Hooked,
    find: (s) => apply(B.mapGet, bySocketNo, [s]) as Entry | undefined,
    entryOf: (ws) => apply(B.weakMapGet, entries, [ws]) as Entry | undefined,
    announceLive: () => {
      apply(B.mapForEach, bySocketNo, [(en: Entry) => en.closed || queue.emit(socketEvent(en))]);
    },
    trusted,
  };
}
