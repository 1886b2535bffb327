// Source of the small script Frameline runs in the page's main world (and in workers) at document start, over CDP.
// CDP reports no close code/reason, so the script adds a close listener to every WebSocket at construction and
// keeps what it sees in a registry object. Frameline takes a handle to that registry once, through a one-shot,
// non-enumerable getter with a per-session random name (`secret`), and reads it with Runtime.callFunctionOn.
// What the page sees: `WebSocket` is a Proxy of the native constructor — `instanceof`, statics, subclasses,
// `prototype.constructor` and `toString()` behave as before.
// Pure (builds a string); the same registry shape is made by PageProbe when the hook is missing.

/**
 * An expression that makes a registry. `track(ws)` adds the close listener once per socket; `watch(ws)`, for sockets
 * that existed before capture, also keeps keys of the last messages received (see `payloadKey`), so that a socket
 * CDP never announced can be told apart from others by what it received.
 */
export const REGISTRY_EXPRESSION = `(() => {
  const reg = { closes: [], seen: new WeakSet(), recent: new Map() };
  reg.track = (ws) => {
    if (reg.seen.has(ws)) return false;
    reg.seen.add(ws);
    ws.addEventListener('close', (e) => {
      reg.recent.delete(ws);
      reg.closes.push({ url: String(ws.url), code: Number(e.code), reason: String(e.reason), wasClean: !!e.wasClean });
      if (reg.closes.length > 1000) reg.closes.shift();
    });
    return true;
  };
  reg.watch = (ws) => {
    const keys = [];
    reg.recent.set(ws, keys);
    ws.addEventListener('message', (e) => {
      const d = e.data;
      keys.push(typeof d === 'string' ? 't' + d.length + ':' + d.slice(0, 48)
        : 'b' + (d instanceof ArrayBuffer ? d.byteLength : d && typeof d.size === 'number' ? d.size : -1));
      if (keys.length > 32) keys.shift();
    });
  };
  return reg;
})()`;

/** The key the registry keeps of a received message, computed the same way from a captured frame. */
export function payloadKey(text: string | undefined, byteLength: number): string {
  return text !== undefined ? 't' + text.length + ':' + text.slice(0, 48) : 'b' + byteLength;
}

export function pageHookSource(secret: string): string {
  const key = JSON.stringify(secret);
  return `(() => {
  const g = globalThis;
  const Native = g.WebSocket;
  if (typeof Native !== 'function' || Object.getOwnPropertyDescriptor(g, ${key})) return;
  const reg = ${REGISTRY_EXPRESSION};
  const Hooked = new Proxy(Native, {
    construct(target, args, newTarget) {
      const ws = Reflect.construct(target, args, newTarget === Hooked ? target : newTarget);
      try { reg.track(ws); } catch {}
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
