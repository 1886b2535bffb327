// Source of the small script Frameline runs in the page's main world (and in workers) at document start, over CDP.
// CDP reports no close code/reason, so the script adds a close listener to every WebSocket at construction and
// keeps what it sees in a registry object. Frameline takes a handle to that registry once, through a one-shot,
// non-enumerable getter with a per-session random name (`secret`), and reads it with Runtime.callFunctionOn.
// What the page sees: `WebSocket` is a Proxy of the native constructor — `instanceof`, statics, subclasses,
// `prototype.constructor` and `toString()` behave as before.
// The same script installs intercept rules (src/capture/intercept-in-page.ts): rules the host sets on the registry act
// on every socket made here, from its first frame.
// Pure (builds a string); the same registry shape is made by PageProbe when the hook is missing.
import { installIntercept } from '../intercept-in-page';
import type { PageRule } from '../../model/intercept/types';

/**
 * An expression that makes a registry of the sockets of one JS context:
 * - `track(ws, pre)` records a socket once (`sockets`: url, creation time, and for sockets that existed before
 *   capture, `keys` of the messages it receives lately — see `payloadKey`) and adds a close listener (`closes`);
 * - `children` caches the registries of same-origin child frames (see REPLAY_FN).
 * Closed sockets are forgotten a minute after their close.
 * The listeners run while the page runs, so they call only built-ins taken when the registry is made (at document
 * start, before any page script, where the hook is installed): a page that later patches a prototype, a getter or
 * `Array.prototype` indexes neither sees nor changes what they record. Events a script dispatched (isTrusted false)
 * are not recorded: a page cannot forge a close code, nor a message key.
 */
export const REGISTRY_EXPRESSION = `(() => {
  const apply = Reflect.apply, define = Reflect.defineProperty, own = Object.getOwnPropertyDescriptor;
  const now = Date.now, Str = String, Num = Number;
  const getter = (o, k) => { try { const d = o && own(o, k); return d && d.get; } catch { return undefined; } };
  const wsUrl = getter(typeof WebSocket === 'function' ? WebSocket.prototype : null, 'url');
  const listen = EventTarget.prototype.addEventListener;
  const CE = typeof CloseEvent === 'function' ? CloseEvent.prototype : null;
  const code = getter(CE, 'code'), reason = getter(CE, 'reason'), clean = getter(CE, 'wasClean');
  const data = getter(MessageEvent.prototype, 'data');
  const abLength = getter(ArrayBuffer.prototype, 'byteLength');
  const blobSize = typeof Blob === 'function' ? getter(Blob.prototype, 'size') : undefined;
  const slice = String.prototype.slice;
  const has = WeakSet.prototype.has, add = WeakSet.prototype.add;
  const put = (a, x) => { define(a, a.length, { value: x, writable: true, enumerable: true, configurable: true }); };
  const last = (a, n) => { const out = []; for (let i = Math.max(0, a.length - n); i < a.length; i++) put(out, a[i]); return out; };
  const read = (get, o) => { try { return get ? apply(get, o, []) : undefined; } catch { return undefined; } };
  const keyOf = (d) => {
    if (typeof d === 'string') return 't' + d.length + ':' + apply(slice, d, [0, 48]);
    const n = read(abLength, d);
    if (typeof n === 'number') return 'b' + n;
    const size = read(blobSize, d);
    return 'b' + (typeof size === 'number' ? size : -1);
  };
  const reg = { closes: [], sockets: [], seen: new WeakSet(), children: new WeakMap(), put };
  reg.track = (ws, pre) => {
    if (apply(has, reg.seen, [ws])) return false;
    apply(add, reg.seen, [ws]);
    const t = now();
    if (reg.sockets.length > 200) {
      const kept = [];
      for (let i = 0; i < reg.sockets.length; i++) {
        const e = reg.sockets[i];
        if (!e.closedAt || t - e.closedAt < 60000) put(kept, e);
      }
      reg.sockets = kept;
    }
    const entry = { ws, url: Str(wsUrl ? read(wsUrl, ws) : ws.url), t: pre ? null : t, pre: !!pre, keys: pre ? [] : null, closedAt: 0 };
    put(reg.sockets, entry);
    if (pre) {
      apply(listen, ws, ['message', (e) => {
        if (!e.isTrusted) return;
        put(entry.keys, keyOf(read(data, e)));
        if (entry.keys.length > 32) entry.keys = last(entry.keys, 32);
      }, true]);
    }
    apply(listen, ws, ['close', (e) => {
      if (!e.isTrusted) return;
      entry.closedAt = now();
      put(reg.closes, { url: entry.url, code: Num(read(code, e)), reason: Str(read(reason, e)), wasClean: !!read(clean, e) });
      if (reg.closes.length > 1000) reg.closes = last(reg.closes, 500);
    }, true]);
    return true;
  };
  return reg;
})()`;

/**
 * Source of a statement, inside a function run on a registry (`reg`) with `req.secret`: the registries of the
 * same-origin child frames (depth ≤ 5), each taken once through its one-shot getter and then kept in `reg.children`.
 */
const CHILD_REGISTRIES = `const childRegistries = () => {
    const out = [];
    const walk = (w, depth) => {
      if (depth > 5) return;
      let n = 0;
      try { n = w.frames ? w.frames.length : 0; } catch { return; }
      for (let i = 0; i < n; i++) {
        try {
          const f = w.frames[i];
          let r;
          try { r = f[req.secret]; } catch {}
          if (r && r.sockets) reg.children.set(f, r); else r = reg.children.get(f);
          if (r && r.sockets && out.indexOf(r) < 0) out.push(r);
          walk(f, depth + 1);
        } catch {}
      }
    };
    if (typeof window !== 'undefined') walk(window, 0);
    return out;
  };`;

/**
 * Runs on a registry (Runtime.callFunctionOn): finds the page's socket of a captured connection and sends on it
 * (`mode: 'send'`), or dispatches a MessageEvent on it as if the server had sent the data (`mode: 'inject'`).
 * The socket is picked among the sockets of this context and of its same-origin child frames: same URL, then the
 * creation time closest to the handshake's, or — for a socket opened before capture — the one whose received
 * messages match the connection's. Returns `{ ok }` or `{ error, … }`; it never sends twice.
 */
export const REPLAY_FN = `function (req) {
  const reg = this;
  const entries = reg.sockets.slice();
  ${CHILD_REGISTRIES}
  for (const r of childRegistries()) for (const e of r.sockets) entries.push(e);
  const same = entries.filter((e) => e.url === req.url && !e.closedAt);
  const pool = same.length ? same : entries.filter((e) => e.url === req.url);
  let pick = null;
  // Sockets seen at construction carry their creation time; sockets adopted later (opened before capture, or made
  // where the hook was not yet installed) carry the keys of what they received.
  const byTime = pool.filter((e) => !e.pre);
  const byKeys = pool.filter((e) => e.pre);
  if (pool.length === 1) pick = pool[0];
  else if (!req.pre && typeof req.created === 'number' && byTime.length) {
    const scored = byTime.map((e) => [e, Math.abs(e.t - req.created)]).sort((a, b) => a[1] - b[1]);
    if (scored.length === 1 || scored[0][1] < scored[1][1]) pick = scored[0][0];
  } else if (byKeys.length) {
    const want = new Set(req.keys || []);
    const scored = byKeys.map((e) => [e, e.keys.filter((k) => want.has(k)).length]).sort((a, b) => b[1] - a[1]);
    if (scored.length === 1 || scored[0][1] > scored[1][1]) pick = scored[0][0];
  }
  if (!pick) return { error: pool.length > 1 ? 'ambiguous' : 'not-found', count: pool.length, seen: entries.map((e) => e.url) };
  const ws = pick.ws;
  if (ws.readyState !== 1) return { error: 'state', readyState: ws.readyState };
  let data = req.text;
  if (req.b64 != null) {
    const bin = atob(req.b64);
    data = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) data[i] = bin.charCodeAt(i);
  }
  try {
    if (req.mode === 'inject') {
      const payload = typeof data === 'string' ? data : ws.binaryType === 'blob' ? new Blob([data]) : data.buffer;
      ws.dispatchEvent(new MessageEvent('message', { data: payload, origin: new URL(ws.url).origin }));
    } else {
      ws.send(data);
    }
  } catch (e) {
    return { error: 'threw', message: String((e && e.message) || e) };
  }
  return { ok: true };
}`;

/**
 * Runs on a registry: opens a fresh socket from the page's own context (same URL and subprotocols; the browser adds
 * the page's origin and cookies), sends once it is open, and leaves it open. Resolves `{ ok }` or `{ error, … }`.
 */
export const FRESH_FN = `function (req) {
  return new Promise((resolve) => {
    let ws;
    try {
      ws = req.protocols && req.protocols.length ? new WebSocket(req.url, req.protocols) : new WebSocket(req.url);
    } catch (e) {
      resolve({ error: 'threw', message: String((e && e.message) || e) });
      return;
    }
    ws.binaryType = 'arraybuffer';
    const timer = setTimeout(() => resolve({ error: 'timeout' }), 15000);
    // A Content-Security-Policy that forbids the connection blocks it without a close event: listen for the report.
    const onViolation = (e) => {
      if (e.effectiveDirective !== 'connect-src' && e.violatedDirective !== 'connect-src') return;
      clearTimeout(timer);
      try { ws.close(); } catch {}
      resolve({ error: 'csp', message: String(e.originalPolicy || e.violatedDirective) });
    };
    try { globalThis.addEventListener('securitypolicyviolation', onViolation, { once: true }); } catch {}
    ws.addEventListener('open', () => {
      clearTimeout(timer);
      let data = req.text;
      if (req.b64 != null) {
        const bin = atob(req.b64);
        data = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) data[i] = bin.charCodeAt(i);
      }
      try { ws.send(data); resolve({ ok: true }); } catch (e) { resolve({ error: 'threw', message: String((e && e.message) || e) }); }
    });
    ws.addEventListener('close', (e) => { clearTimeout(timer); resolve({ error: 'connect-failed', code: e.code }); });
  });
}`;

/** The key the registry keeps of a received message, computed the same way from a captured frame. */
export function payloadKey(text: string | undefined, byteLength: number): string {
  return text !== undefined ? 't' + text.length + ':' + text.slice(0, 48) : 'b' + byteLength;
}

/** The intercept installer as source text (it references nothing outside its body). */
const INSTALL_INTERCEPT = String(installIntercept);

/**
 * A registry for a context the hook did not reach at document start (PageProbe's fallback): the same shape, with
 * intercept rules on `send` as the page's `WebSocket` is now, and on sockets the scan adopts.
 */
export const FALLBACK_REGISTRY_EXPRESSION = `(() => {
  const reg = ${REGISTRY_EXPRESSION};
  try { if (typeof WebSocket === 'function') (${INSTALL_INTERCEPT})(globalThis, reg, WebSocket); } catch {}
  return reg;
})()`;

/**
 * Runs on a registry: sets the intercept rules and their lease (wall-clock ms) on it and on the registries of its
 * same-origin child frames (found as REPLAY_FN finds them), and takes the hits they recorded.
 */
export const RULES_FN = `function (req) {
  const reg = this;
  ${CHILD_REGISTRIES}
  const regs = [reg, ...childRegistries()];
  const hits = [];
  const held = [];
  let lost = 0;
  let contexts = 0;
  let heldOverflow = 0;
  const seen = req.seen || {};
  // Frames held by a hold rule that is no longer in force go on as they were (intercept was switched off).
  const holding = req.rules.some((x) => x.action && x.action.kind === 'hold');
  for (const r of regs) {
    if (typeof r.intercept !== 'function') continue;
    contexts++;
    r.rules = req.rules;
    r.until = req.until;
    if (!holding && Array.isArray(r.held) && r.held.length && typeof r.release === 'function') {
      for (const e of r.held.slice()) r.release(e.id, { forward: true });
    }
    if (Array.isArray(r.hits) && r.hits.length) for (const h of r.hits.splice(0, r.hits.length)) hits.push(h);
    if (r.hitsLost > 0) { lost += r.hitsLost; r.hitsLost = 0; }
    // Held frames, named by their registry's tag; a payload the host already has is not sent again.
    if (!r.ctxTag) r.ctxTag = 'c' + (reg.ctxSeq = (reg.ctxSeq || 0) + 1);
    if (Array.isArray(r.held)) {
      const had = Number(seen[r.ctxTag]) || 0;
      for (const e of r.held) held.push(e.id > had ? { ...e, ctx: r.ctxTag } : { ...e, ctx: r.ctxTag, original: undefined });
    }
    if (r.heldOverflow > 0) heldOverflow += r.heldOverflow;
  }
  return { hits, lost, contexts, held, heldOverflow };
}`;

/** Runs on a registry: decides a held frame of the registry tagged req.ctx (its own or a child frame's). */
export const RELEASE_FN = `function (req) {
  const reg = this;
  ${CHILD_REGISTRIES}
  for (const r of [reg, ...childRegistries()]) {
    if (r.ctxTag === req.ctx && typeof r.release === 'function') return r.release(req.id, req.decision) === true;
  }
  return false;
}`;

/**
 * The hook for one capture session. `rules`: the intercept rules in force when the document starts, acting for
 * `leaseMs` until the host's first refresh (a socket opened at page load is intercepted from its first frame).
 */
export function pageHookSource(secret: string, rules: readonly PageRule[] = [], leaseMs = 0): string {
  const key = JSON.stringify(secret);
  const init = rules.length ? `reg.rules = ${JSON.stringify(rules)}; reg.until = Date.now() + ${Number(leaseMs) || 0};` : '';
  return `(() => {
  const g = globalThis;
  const Native = g.WebSocket;
  const construct = Reflect.construct;
  if (typeof Native !== 'function' || Object.getOwnPropertyDescriptor(g, ${key})) return;
  const reg = ${REGISTRY_EXPRESSION};
  reg.hooked = true; // sockets made here are recorded at construction
  try { (${INSTALL_INTERCEPT})(g, reg, Native); ${init} } catch {}
  const Hooked = new Proxy(Native, {
    construct(target, args, newTarget) {
      const ws = construct(target, args, newTarget === Hooked ? target : newTarget);
      try { reg.track(ws, false); } catch {}
      try { if (reg.intercept) reg.intercept(ws); } catch {}
      return ws;
    },
  });
  try {
    Object.defineProperty(Native.prototype, 'constructor', { value: Hooked, writable: true, configurable: true, enumerable: false });
    const d = Object.getOwnPropertyDescriptor(g, 'WebSocket');
    Object.defineProperty(g, 'WebSocket', { ...d, value: Hooked });
  } catch {}
  Object.defineProperty(g, ${key}, {
    configurable: true,
    enumerable: false,
    get() { delete g[${key}]; return reg; },
  });
})();`;
}
