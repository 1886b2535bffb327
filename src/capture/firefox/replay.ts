// Replay through the page hook: send a frame on one of the page's sockets, inject one as if the server had sent it,
// or send one on a fresh connection. The socket is named by its number in this document, so no URL matching is
// needed. The hook reports each frame it sends or injects itself, marked ('replayed', 'injected'), as it makes it:
// its listeners take only trusted events, so nothing the page dispatches can pass for an injection.
import { decodeBase64 } from '../../model/base64';
import type { Builtins } from './builtins';
import type { ReportFrame } from './frames';
import type { HookReplay, HookReplayResult } from './hook-protocol';
import type { Sockets } from './sockets';

/** A fresh connection that neither opens, closes nor hits CSP by then is reported as a timeout. */
const FRESH_TIMEOUT_MS = 15_000;

export type Replay = (req: HookReplay, answer: (r: HookReplayResult) => void) => void;

/**
 * A replay request as the hook may act on it, or null. `req` is a clone only the hook holds: without its prototype,
 * a field it lacks reads as undefined, never as what the page put on Object.prototype (`text`, `b64`, `protocols`…).
 */
function checkRequest(B: Builtins, x: unknown): HookReplay | null {
  if (typeof x !== 'object' || x === null) return null;
  const r = B.bare(x as HookReplay);
  if (typeof r.id !== 'number' || (r.mode !== 'send' && r.mode !== 'inject' && r.mode !== 'fresh')) return null;
  if ((typeof r.text === 'string') === (typeof r.b64 === 'string')) return null;
  if (r.mode === 'fresh') {
    if (typeof r.url !== 'string') return null;
    if (r.protocols !== undefined) {
      if (!B.isArray(r.protocols)) return null;
      const list = B.bare(r.protocols);
      for (let i = 0; i < list.length; i++) if (typeof list[i] !== 'string') return null;
    }
  } else if (typeof r.s !== 'number') return null;
  return r;
}

/** `late`: the hook came after the page's own scripts; it refuses every replay (the page may have patched what it uses). */
export function replayer(B: Builtins, g: typeof globalThis & Window, sockets: Sockets, reportFrame: ReportFrame, late: boolean): (req: unknown, answer: (r: HookReplayResult) => void) => void {
  const { apply, addEventListener: listen, removeEventListener: unlisten, String: Str, bare } = B;
  const { Hooked, trusted } = sockets;
  /** What a native call threw, read through built-ins (a page may patch DOMException's `message`). */
  const messageOf = (e: unknown): string => {
    if (typeof e !== 'object' || e === null) return Str(e);
    if (B.domExceptionMessage) {
      try {
        return Str(apply(B.domExceptionMessage, e, []));
      } catch {
        /* not a DOMException */
      }
    }
    const d = B.getOwnPropertyDescriptor(e, 'message');
    return d && typeof bare(d).value === 'string' ? (d.value as string) : 'unknown error';
  };

  /** Connects anew and sends `data` once open; answers exactly once. */
  const fresh = (req: HookReplay, data: string | Uint8Array, answer: (r: HookReplayResult) => void) => {
    let ws: WebSocket;
    try {
      ws = req.protocols?.length ? new Hooked(req.url!, B.list(req.protocols)) : new Hooked(req.url!);
    } catch (e) {
      return answer(bare({ id: req.id, ok: false, error: 'threw', message: messageOf(e) }));
    }
    apply(B.setBinaryType, ws, ['arraybuffer']);
    let settled = false;
    const settle = (r: HookReplayResult) => {
      if (settled) return;
      settled = true;
      B.clearTimeout(timer);
      apply(unlisten, g, ['securitypolicyviolation', onViolation, true]);
      answer(bare(r));
    };
    const timer = B.setTimeout(() => settle({ id: req.id, ok: false, error: 'timeout' }), FRESH_TIMEOUT_MS);
    // Trusted only (a page could dispatch one to fail the replay), and kept till settled: the first violation of the
    // page need not be this connection's.
    const onViolation = (e: SecurityPolicyViolationEvent) => {
      const csp = B.csp;
      if (!csp || !trusted(e)) return;
      const effective = apply(csp.effectiveDirective, e, []);
      const violated = Str(apply(csp.violatedDirective, e, []));
      if (effective !== 'connect-src' && violated !== 'connect-src') return;
      settle({ id: req.id, ok: false, error: 'csp', message: Str(apply(csp.originalPolicy, e, [])) || violated });
    };
    apply(listen, g, ['securitypolicyviolation', onViolation, true]);
    apply(listen, ws, ['open', (e: Event) => {
      if (!trusted(e)) return;
      try {
        apply(B.send, ws, [data]);
        const en = sockets.entryOf(ws);
        if (en) reportFrame(en.s, 'sent', data, 'replayed');
        settle({ id: req.id, ok: true });
      } catch (err) {
        settle({ id: req.id, ok: false, error: 'threw', message: messageOf(err) });
      }
    }, true]);
    apply(listen, ws, ['close', (e: CloseEvent) => {
      if (trusted(e)) settle({ id: req.id, ok: false, error: 'connect-failed', code: apply(B.closeCode, e, []) as number });
    }, true]);
  };

  return (x, answer) => {
    const req = checkRequest(B, x);
    if (!req) {
      // Answered if it can be (the host would wait 20 s otherwise); it never comes from Frameline's own host.
      const id = typeof x === 'object' && x !== null ? bare(x as { id?: unknown }).id : undefined;
      if (typeof id === 'number') answer(bare({ id, ok: false, error: 'threw', message: 'malformed replay request' }));
      return;
    }
    const fail = (error: string, more: Partial<HookReplayResult> = {}) => answer(bare({ id: req.id, ok: false, error, ...more }));
    if (late) return fail('untrusted');
    let data: string | Uint8Array;
    try {
      data = req.b64 !== undefined ? decodeBase64(req.b64, B) : req.text!;
    } catch {
      return fail('threw', { message: 'invalid base64' });
    }
    if (req.mode === 'fresh') return fresh(req, data, answer);
    const en = sockets.find(req.s!);
    if (!en) return fail('not-found');
    const ws = en.ws;
    const state = apply(B.readyState, ws, []) as number;
    if (state !== 1) return fail('state', { readyState: state });
    try {
      if (req.mode === 'inject') {
        const bt = apply(B.binaryType, ws, []);
        const payload = typeof data === 'string' ? data : bt === 'blob' ? new B.Blob(B.list([data as BlobPart])) : apply(B.taBuffer, data, []);
        const origin = Str(apply(B.urlOrigin, new B.URL(en.url), []));
        const ev = new B.MessageEvent('message', bare({ data: payload, origin }));
        reportFrame(en.s, 'received', data, 'injected');
        apply(B.dispatchEvent, ws, [ev]);
      } else {
        apply(B.send, ws, [data]);
        reportFrame(en.s, 'sent', data, 'replayed');
      }
    } catch (e) {
      return fail('threw', { message: messageOf(e) });
    }
    answer(bare({ id: req.id, ok: true }));
  };
}
