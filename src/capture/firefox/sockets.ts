// The page's WebSockets as the hook knows them. `WebSocket` becomes a Proxy of the native constructor and `send` a
// Proxy of the native method, so every socket is numbered and reported, with listeners of the hook's own; what the
// page sees is unchanged: `instanceof`, statics, subclasses, `prototype.constructor`, and `toString()` reading
// `[native code]`. A socket made before the hook (the add-on came after the page) is adopted on its next send (`pre`).
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

/** The socket a replay is sending on or injecting into at this moment: that frame is marked as such. */
export interface Marks {
  replaying: WebSocket | null;
  injecting: WebSocket | null;
}

export interface Sockets {
  /** What the page now calls `WebSocket`. */
  readonly Hooked: typeof WebSocket;
  /** What the page now calls `WebSocket.prototype.send`: sends, then reports the frame. */
  readonly send: WebSocket['send'];
  readonly marks: Marks;
  /** A socket by its number; closed ones are forgotten a minute after they close. */
  find(s: number): Entry | undefined;
  /** Reports every socket not closed (armed again after a pause: the host forgot them). */
  announceLive(): void;
}

/** How long a closed socket can still be found by number (a replay may name it just after it closed). */
const FORGET_CLOSED_MS = 60_000;

/** Installs both Proxies on the page; null if the page's `WebSocket` could not be replaced (nothing is hooked). */
export function hookSockets(B: Builtins, g: typeof globalThis & Window, queue: EventQueue, reportFrame: ReportFrame): Sockets | null {
  const { apply, addEventListener: listen, readyState, protocol, extensions, String: Str } = B;
  const entries = new B.WeakMap<WebSocket, Entry>();
  const bySocketNo = new B.Map<number, Entry>();
  const marks: Marks = { replaying: null, injecting: null };
  let nextS = 1;

  const socketEvent = (en: Entry): HookEvent => ({
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
    // Every key in the literal: assigning a key an object lacks would call a setter the page put on Object.prototype.
    const en: Entry = { s: nextS++, ws, url: Str(apply(B.url, ws, [])), protocols, t: B.now(), pre, closed: false, ...(stack ? { stack } : {}) };
    apply(B.weakMapSet, entries, [ws, en]);
    apply(B.mapSet, bySocketNo, [en.s, en]);
    apply(listen, ws, ['open', () => queue.emit({ k: 'open', s: en.s, t: B.now(), protocol: Str(apply(protocol, ws, [])), extensions: Str(apply(extensions, ws, [])) })]);
    apply(listen, ws, ['message', (e: MessageEvent) => reportFrame(en.s, 'received', apply(B.messageData, e, []), marks.injecting === ws ? 'injected' : undefined)]);
    apply(listen, ws, ['error', () => queue.emit({ k: 'error', s: en.s, t: B.now() })]);
    apply(listen, ws, ['close', (e: CloseEvent) => {
      en.closed = true;
      queue.emit({ k: 'close', s: en.s, t: B.now(), code: apply(B.closeCode, e, []) as number, reason: Str(apply(B.closeReason, e, [])), wasClean: !!apply(B.closeWasClean, e, []) });
      B.setTimeout(() => apply(B.mapDelete, bySocketNo, [en.s]), FORGET_CLOSED_MS);
    }]);
    if (queue.armed() !== false) queue.emit(socketEvent(en));
    return en;
  };

  const Native = B.WebSocket;
  const Hooked: typeof WebSocket = new Proxy(Native, {
    construct(target, args, newTarget) {
      // `new WebSocket()` builds a native socket; a page subclass keeps its own prototype chain.
      const ws = B.construct(target, args, newTarget === Hooked ? target : newTarget) as WebSocket;
      try {
        const p: unknown = args[1];
        const protocols = p === undefined ? [] : typeof p === 'string' ? [p] : B.isArray(p) ? p.map(Str) : [Str(p)];
        track(ws, protocols, false);
      } catch {
        /* never break the page */
      }
      return ws;
    },
  });
  const send: WebSocket['send'] = new Proxy(B.send, {
    apply(target, self: WebSocket, args: unknown[]) {
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
          reportFrame(en.s, 'sent', args[0], marks.replaying === self ? 'replayed' : undefined);
        } catch {
          /* never break the page */
        }
      }
      return r;
    },
  });

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
    send,
    marks,
    find: (s) => apply(B.mapGet, bySocketNo, [s]) as Entry | undefined,
    announceLive: () => {
      apply(B.mapForEach, bySocketNo, [(en: Entry) => en.closed || queue.emit(socketEvent(en))]);
    },
  };
}
