// The Firefox page hook: runs in the page's main world at document_start, in every frame (a `world: "MAIN"`
// content script), and reports every WebSocket of the document to Frameline's isolated content script.
//
// What the page sees is unchanged: `WebSocket` is a Proxy of the native constructor (`instanceof`, statics,
// subclasses, `prototype.constructor`, `toString()` as before); `send` is a Proxy of the native method; the hook
// listens with its own listeners, so `onmessage` and `addEventListener` listeners, `binaryType`, Blob, ArrayBuffer
// and typed-array payloads behave as before. Sockets that existed before the hook (the extension was installed or
// updated after the page loaded) are adopted on their next send and marked as partially captured (`pre`).
//
// Private channel: at start the hook makes a MessageChannel and hands one end to the isolated script with a window
// message, which that script (registered before any page script) takes, stops and acknowledges over the channel.
// Only when both scripts are injected late (into a tab already open when Frameline was installed) may the first hello
// find no listener; the hook then offers a new channel every 50 ms (for 5 s) until one is acknowledged. Everything else travels
// over the channel, which the page cannot reach. Built-ins are taken at start, so a page that patches them later
// sees nothing of Frameline's traffic. Nothing is reported until the isolated script arms the hook (a Frameline
// panel is open for this tab); the hook only keeps a registry of live sockets till then.
import { HELLO_TYPE, HOOK_VERSION, type HookBatch, type HookCommand, type HookEvent, type HookReplay, type HookReplayResult } from './firefox/hook-protocol';
import { decodeBase64, encodeBase64, type Base64Builtins } from '../model/base64';

interface Entry {
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

export function installHook(g: typeof globalThis & Window): void {
  const Native = g.WebSocket;
  if (typeof Native !== 'function') return;
  const proto = Native.prototype;
  // Built-ins taken now, before any page script can replace them.
  const R = Reflect;
  const apply = R.apply;
  const construct = R.construct;
  const defineProperty = Object.defineProperty;
  const getDesc = Object.getOwnPropertyDescriptor;
  const nativeSend = proto.send;
  const addListener = g.EventTarget.prototype.addEventListener;
  const dispatch = g.EventTarget.prototype.dispatchEvent;
  const readyStateGet = getDesc(proto, 'readyState')!.get!;
  const urlGet = getDesc(proto, 'url')!.get!;
  const protocolGet = getDesc(proto, 'protocol')!.get!;
  const extensionsGet = getDesc(proto, 'extensions')!.get!;
  const binaryTypeGet = getDesc(proto, 'binaryType')!.get!;
  const binaryTypeSet = getDesc(proto, 'binaryType')!.set!;
  const closeGet = { code: getDesc(g.CloseEvent.prototype, 'code')!.get!, reason: getDesc(g.CloseEvent.prototype, 'reason')!.get!, wasClean: getDesc(g.CloseEvent.prototype, 'wasClean')!.get! };
  const dataGet = getDesc(g.MessageEvent.prototype, 'data')!.get!;
  const blobBuffer = g.Blob.prototype.arrayBuffer;
  const ArrayBufferC = g.ArrayBuffer;
  const isView = g.ArrayBuffer.isView;
  const bufSlice = g.ArrayBuffer.prototype.slice;
  const bufLen = getDesc(g.ArrayBuffer.prototype, 'byteLength')!.get!;
  const U8 = g.Uint8Array;
  const Str = String;
  const isArray = Array.isArray;
  const fromCharCode = String.fromCharCode;
  const btoa = g.btoa.bind(g);
  const atob = g.atob.bind(g);
  const setTimer = g.setTimeout.bind(g);
  const queueMicro = g.queueMicrotask.bind(g);
  const clearTimer = g.clearTimeout.bind(g);
  const perf = g.performance;
  const perfNow = perf.now;
  const timeOrigin = perf.timeOrigin; // fixed for the document's life
  const nowMs = () => timeOrigin + (apply(perfNow, perf, []) as number);
  const WeakMapC = g.WeakMap;
  const MapC = g.Map;
  const MessageEventC = g.MessageEvent;
  const BlobC = g.Blob;
  const promiseThen = g.Promise.prototype.then;
  const arrayPush = Array.prototype.push;
  const arraySplice = Array.prototype.splice;
  const wmGet = g.WeakMap.prototype.get;
  const wmSet = g.WeakMap.prototype.set;
  const mapGet = g.Map.prototype.get;
  const mapSet = g.Map.prototype.set;
  const mapDelete = g.Map.prototype.delete;
  const mapForEach = g.Map.prototype.forEach;
  const URLC = g.URL;
  const ErrorC = g.Error;
  const stackGet = getDesc(g.Error.prototype, 'stack')?.get;
  const MessageChannelC = g.MessageChannel;
  let port: MessagePort | null = null;
  const portPost = g.MessagePort.prototype.postMessage;
  const docBytes = new U8(12);
  g.crypto.getRandomValues(docBytes);
  let doc = '';
  for (let i = 0; i < docBytes.length; i++) doc += (docBytes[i] % 36).toString(36);

  const entries = new WeakMapC<WebSocket, Entry>();
  const bySocketNo = new MapC<number, Entry>();
  let nextS = 1;
  // Armed: a Frameline host listens for this tab. Until the router says yes or no (it does as soon as this document's
  // relay connects), events are kept, so the first frames of a new page or frame are not lost; bounded, and counted.
  let armed: boolean | null = null;
  let lost = 0;
  const MAX_UNARMED = 20_000;
  const MAX_UNARMED_CHARS = 32 * 1024 * 1024;
  let unarmedChars = 0;
  let injecting: WebSocket | null = null;
  let replaying: WebSocket | null = null;

  // Ordered output: an event waiting for a Blob's bytes holds back the ones after it.
  const queue: Array<{ e: HookEvent; ready: boolean }> = [];
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  const post = (msg: unknown) => port && apply(portPost, port, [msg]);
  const flush = (always: boolean) => {
    flushTimer = null;
    let n = 0;
    while (n < queue.length && queue[n].ready) n++;
    if (n === 0 && !always) return;
    const taken = apply(arraySplice, queue, [0, n]) as typeof queue;
    const events: HookEvent[] = [];
    for (let i = 0; i < taken.length; i++) events[i] = taken[i].e;
    const batch: HookBatch = { v: HOOK_VERSION, doc, href: Str(g.location.href), events, ...(lost ? { lost } : {}) };
    lost = 0;
    post({ k: 'batch', batch });
  };
  // At most one batch per 16 ms. A due batch goes out at the end of the current task (a background tab's timers
  // fire a second late at best); otherwise a timer sends it.
  let lastFlush = 0;
  let microtask = false;
  const flushNow = (always = false) => {
    microtask = false;
    if (flushTimer !== null) clearTimer(flushTimer);
    flushTimer = null;
    lastFlush = nowMs();
    flush(always);
    if (queue.length && queue[0].ready) schedule();
  };
  const schedule = () => {
    if (microtask) return;
    const wait = 16 - (nowMs() - lastFlush);
    if (wait <= 0) {
      microtask = true;
      queueMicro(() => flushNow());
    } else if (flushTimer === null) flushTimer = setTimer(() => flushNow(), wait);
  };
  const emit = (e: HookEvent) => {
    if (armed === false) return;
    if (armed === null) {
      const chars = e.k === 'frame' ? (e.text ?? e.b64 ?? '').length : 0;
      if (queue.length >= MAX_UNARMED || unarmedChars + chars > MAX_UNARMED_CHARS) {
        lost++;
        return;
      }
      unarmedChars += chars;
    }
    apply(arrayPush, queue, [{ e, ready: true }]);
    if (armed) schedule();
  };

  const base64: Base64Builtins = { apply, fromCharCode, btoa, atob, Uint8Array: U8 };
  const toB64 = (bytes: Uint8Array) => encodeBase64(bytes, base64);

  /** Record a payload: text at once, binary copied now (the page may reuse its buffer), Blob read in order. */
  const framePayload = (en: Entry, dir: 'sent' | 'received', data: unknown, mark?: 'replayed' | 'injected') => {
    if (armed === false) return;
    const t = nowMs();
    if (typeof data === 'string') return emit({ k: 'frame', s: en.s, t, dir, text: data, ...(mark ? { mark } : {}) });
    let bytes: Uint8Array | null = null;
    try {
      if (isView(data)) {
        const v = data as ArrayBufferView;
        bytes = new U8(apply(bufSlice, v.buffer, [v.byteOffset, v.byteOffset + v.byteLength]) as ArrayBuffer);
      } else if (data instanceof ArrayBufferC || (data && typeof (data as ArrayBuffer).byteLength === 'number' && !(data instanceof BlobC))) {
        bytes = new U8(apply(bufSlice, data, [0, apply(bufLen, data, [])]) as ArrayBuffer);
      }
    } catch {
      bytes = null;
    }
    if (bytes) return emit({ k: 'frame', s: en.s, t, dir, b64: toB64(bytes), ...(mark ? { mark } : {}) });
    if (data instanceof BlobC) {
      const slot = { e: { k: 'frame', s: en.s, t, dir, b64: '', ...(mark ? { mark } : {}) } as HookEvent & { b64: string }, ready: false };
      apply(arrayPush, queue, [slot]);
      const done = (b64: string) => {
        slot.e.b64 = b64;
        slot.ready = true;
        if (armed) schedule();
      };
      try {
        apply(promiseThen, apply(blobBuffer, data, []), [(buf: ArrayBuffer) => done(toB64(new U8(buf))), () => done('')]);
      } catch {
        done('');
      }
      return;
    }
    emit({ k: 'frame', s: en.s, t, dir, text: Str(data), ...(mark ? { mark } : {}) });
  };

  const socketEvent = (en: Entry): HookEvent => ({
    k: 'socket', s: en.s, url: en.url, protocols: en.protocols, t: en.t, pre: en.pre, ...(en.stack ? { stack: en.stack } : {}),
    state: apply(readyStateGet, en.ws, []) as number,
    protocol: Str(apply(protocolGet, en.ws, [])), extensions: Str(apply(extensionsGet, en.ws, [])),
  });

  const track = (ws: WebSocket, protocols: string[], pre: boolean): Entry => {
    let stack: string | undefined;
    if (!pre && stackGet) {
      try {
        stack = Str(apply(stackGet, new ErrorC(), []));
      } catch {
        /* no stack */
      }
    }
    // Every key in the literal: assigning a key an object lacks would call a setter the page put on Object.prototype.
    const en: Entry = { s: nextS++, ws, url: Str(apply(urlGet, ws, [])), protocols, t: nowMs(), pre, closed: false, ...(stack ? { stack } : {}) };
    apply(wmSet, entries, [ws, en]);
    apply(mapSet, bySocketNo, [en.s, en]);
    apply(addListener, ws, ['open', () => emit({ k: 'open', s: en.s, t: nowMs(), protocol: Str(apply(protocolGet, ws, [])), extensions: Str(apply(extensionsGet, ws, [])) })]);
    apply(addListener, ws, ['message', (e: MessageEvent) => framePayload(en, 'received', apply(dataGet, e, []), injecting === ws ? 'injected' : undefined)]);
    apply(addListener, ws, ['error', () => emit({ k: 'error', s: en.s, t: nowMs() })]);
    apply(addListener, ws, ['close', (e: CloseEvent) => {
      en.closed = true;
      emit({ k: 'close', s: en.s, t: nowMs(), code: apply(closeGet.code, e, []) as number, reason: Str(apply(closeGet.reason, e, [])), wasClean: !!apply(closeGet.wasClean, e, []) });
      setTimer(() => apply(mapDelete, bySocketNo, [en.s]), 60_000);
    }]);
    if (armed !== false) emit(socketEvent(en));
    return en;
  };

  const Hooked = new Proxy(Native, {
    construct(target, args, newTarget) {
      const ws = construct(target, args, newTarget === Hooked ? target : newTarget) as WebSocket;
      try {
        const p = args[1];
        const protocols = p === undefined ? [] : typeof p === 'string' ? [p] : isArray(p) ? p.map(Str) : [Str(p)];
        track(ws, protocols, false);
      } catch {
        /* never break the page */
      }
      return ws;
    },
  });
  const HookedSend = new Proxy(nativeSend, {
    apply(target, self, args) {
      let en: Entry | undefined;
      let open = false;
      try {
        en = apply(wmGet, entries, [self]) as Entry | undefined;
        open = apply(readyStateGet, self, []) === 1;
        if (!en && open) en = track(self, [], true); // a socket from before the hook: adopted now
      } catch {
        en = undefined;
      }
      const r = apply(target, self, args);
      if (en && open) {
        try {
          framePayload(en, 'sent', args[0], replaying === self ? 'replayed' : undefined);
        } catch {
          /* never break the page */
        }
      }
      return r;
    },
  });
  try {
    defineProperty(proto, 'constructor', { value: Hooked, writable: true, configurable: true, enumerable: false });
    defineProperty(proto, 'send', { ...getDesc(proto, 'send'), value: HookedSend });
    defineProperty(g, 'WebSocket', { ...getDesc(g, 'WebSocket'), value: Hooked });
  } catch {
    return;
  }

  const toBytes = (b64: string) => decodeBase64(b64, base64);

  const replay = (req: HookReplay, answer: (r: HookReplayResult) => void) => {
    const fail = (error: string, more: Partial<HookReplayResult> = {}) => answer({ id: req.id, ok: false, error, ...more });
    let data: string | Uint8Array;
    try {
      data = req.b64 !== undefined ? toBytes(req.b64) : (req.text ?? '');
    } catch {
      return fail('threw', { message: 'invalid base64' });
    }
    if (req.mode === 'fresh') {
      let ws: WebSocket;
      try {
        ws = (req.protocols?.length ? new Hooked(req.url!, req.protocols) : new Hooked(req.url!)) as WebSocket;
      } catch (e) {
        return fail('threw', { message: Str((e as Error)?.message ?? e) });
      }
      apply(binaryTypeSet, ws, ['arraybuffer']);
      let settled = false;
      const settle = (r: HookReplayResult) => {
        if (settled) return;
        settled = true;
        clearTimer(timer);
        answer(r);
      };
      const timer = setTimer(() => settle({ id: req.id, ok: false, error: 'timeout' }), 15_000);
      const onViolation = (e: SecurityPolicyViolationEvent) => {
        if (e.effectiveDirective !== 'connect-src' && e.violatedDirective !== 'connect-src') return;
        settle({ id: req.id, ok: false, error: 'csp', message: Str(e.originalPolicy || e.violatedDirective) });
      };
      apply(addListener, g, ['securitypolicyviolation', onViolation, { once: true }]);
      apply(addListener, ws, ['open', () => {
        try {
          replaying = ws;
          apply(HookedSend, ws, [data]);
          settle({ id: req.id, ok: true });
        } catch (e) {
          settle({ id: req.id, ok: false, error: 'threw', message: Str((e as Error)?.message ?? e) });
        } finally {
          replaying = null;
        }
      }]);
      apply(addListener, ws, ['close', (e: CloseEvent) => settle({ id: req.id, ok: false, error: 'connect-failed', code: apply(closeGet.code, e, []) as number })]);
      return;
    }
    const en = req.s === undefined ? undefined : (apply(mapGet, bySocketNo, [req.s]) as Entry | undefined);
    if (!en) return fail('not-found');
    const ws = en.ws;
    const state = apply(readyStateGet, ws, []) as number;
    if (state !== 1) return fail('state', { readyState: state });
    try {
      if (req.mode === 'inject') {
        const bt = apply(binaryTypeGet, ws, []);
        const payload = typeof data === 'string' ? data : bt === 'blob' ? new BlobC([data as BlobPart]) : (data as Uint8Array).buffer;
        injecting = ws;
        apply(dispatch, ws, [new MessageEventC('message', { data: payload, origin: new URLC(en.url).origin })]);
      } else {
        replaying = ws;
        apply(HookedSend, ws, [data]);
      }
    } catch (e) {
      return fail('threw', { message: Str((e as Error)?.message ?? e) });
    } finally {
      injecting = null;
      replaying = null;
    }
    answer({ id: req.id, ok: true });
  };

  const onCommand = (ev: MessageEvent) => {
    const m = apply(dataGet, ev, []) as HookCommand;
    if (!m || typeof m !== 'object') return;
    if (m.k === 'arm') {
      const was = armed;
      armed = m.on === true;
      if (!armed) {
        queue.length = 0;
        lost = 0;
      } else if (was === false) {
        // Armed again after a pause: announce the live sockets (their frames meanwhile were not kept).
        apply(mapForEach, bySocketNo, [(en: Entry) => en.closed || emit(socketEvent(en))]);
      }
      // Say hello (an empty batch if nothing waits), so the host learns of this document and its URL.
      if (armed && was !== true) flushNow(true);
    } else if (m.k === 'replay' && m.doc === doc && m.req && typeof m.req.id === 'number') {
      replay(m.req, (result) => post({ k: 'replay-result', result }));
    }
  };
  const winPost = g.postMessage.bind(g);
  let offers = 0;
  const offer = () => {
    if (port || offers++ > 100) return;
    const ch = new MessageChannelC();
    // Each port read once, now: the ack may come after page scripts ran, and MessageChannel's getters are the page's.
    const mine = ch.port1;
    const theirs = ch.port2;
    mine.onmessage = (ev: MessageEvent) => {
      const m = apply(dataGet, ev, []) as { k?: unknown } | null;
      if (port || !m || m.k !== 'ack') return;
      port = mine;
      port.onmessage = onCommand;
    };
    winPost({ type: HELLO_TYPE, v: HOOK_VERSION, doc }, '*', [theirs]);
    setTimer(offer, 50);
  };
  offer();
  // No word from the router (the extension is being updated, or its relay never ran): stop keeping events.
  setTimer(() => {
    if (armed !== null) return;
    armed = false;
    queue.length = 0;
  }, 10_000);
}
