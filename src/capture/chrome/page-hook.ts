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
 */
export const REGISTRY_EXPRESSION = `(() => {
  const reg = { closes: [], sockets: [], seen: new WeakSet(), children: new WeakMap() };
  reg.track = (ws, pre) => {
    if (reg.seen.has(ws)) return false;
    reg.seen.add(ws);
    const now = Date.now();
    if (reg.sockets.length > 200) reg.sockets = reg.sockets.filter((e) => !e.closedAt || now - e.closedAt < 60000);
    const entry = { ws, url: String(ws.url), t: pre ? null : now, pre: !!pre, keys: pre ? [] : null, closedAt: 0 };
    reg.sockets.push(entry);
    if (pre) {
      ws.addEventListener('message', (e) => {
        const d = e.data;
        entry.keys.push(typeof d === 'string' ? 't' + d.length + ':' + d.slice(0, 48)
          : 'b' + (d instanceof ArrayBuffer ? d.byteLength : d && typeof d.size === 'number' ? d.size : -1));
        if (entry.keys.length > 32) entry.keys.shift();
      });
    }
    ws.addEventListener('close', (e) => {
      entry.closedAt = Date.now();
      reg.closes.push({ url: entry.url, code: Number(e.code), reason: String(e.reason), wasClean: !!e.wasClean });
      if (reg.closes.length > 1000) reg.closes.shift();
    });
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
  if (typeof Native !== 'function' || Object.getOwnPropertyDescriptor(g, ${key})) return;
  const reg = ${REGISTRY_EXPRESSION};
  reg.hooked = true; // sockets made here are recorded at construction
  try { (${INSTALL_INTERCEPT})(g, reg, Native); ${init} } catch {}
  const Hooked = new Proxy(Native, {
    construct(target, args, newTarget) {
      const ws = Reflect.construct(target, args, newTarget === Hooked ? target : newTarget);
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
