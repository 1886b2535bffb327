// Source of the small script Frameline runs in the page's main world (and in workers) at document start, over CDP.
// CDP reports no close code/reason, so the script adds a close listener to every WebSocket at construction and
// keeps what it sees in a registry object. Frameline takes a handle to that registry once, through a one-shot,
// non-enumerable getter with a per-session random name (`secret`), and reads it with Runtime.callFunctionOn.
// What the page sees: `WebSocket` is a Proxy of the native constructor — `instanceof`, statics, subclasses,
// `prototype.constructor` and `toString()` behave as before.
// Pure (builds a string); the same registry shape is made by PageProbe when the hook is missing.

/** An expression that makes a registry: `track(ws)` adds the close listener once per socket. */
export const REGISTRY_EXPRESSION = `(() => {
  const reg = { closes: [], seen: new WeakSet() };
  reg.track = (ws) => {
    if (reg.seen.has(ws)) return;
    reg.seen.add(ws);
    ws.addEventListener('close', (e) => {
      reg.closes.push({ url: String(ws.url), code: Number(e.code), reason: String(e.reason), wasClean: !!e.wasClean });
      if (reg.closes.length > 1000) reg.closes.shift();
    });
  };
  return reg;
})()`;

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
