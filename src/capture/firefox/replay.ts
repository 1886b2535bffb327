// Replay through the page hook: send a frame on one of the page's sockets, inject one as if the server had sent it,
// or send one on a fresh connection. The socket is named by its number in this document, so no URL matching is
// needed; the frames are reported with their mark ('replayed', 'injected') by the hook's own listeners.
import { decodeBase64 } from '../../model/base64';
import type { Builtins } from './builtins';
import type { HookReplay, HookReplayResult } from './hook-protocol';
import type { Sockets } from './sockets';

/** A fresh connection that neither opens, closes nor hits CSP by then is reported as a timeout. */
const FRESH_TIMEOUT_MS = 15_000;

export type Replay = (req: HookReplay, answer: (r: HookReplayResult) => void) => void;

export function replayer(B: Builtins, g: typeof globalThis & Window, sockets: Sockets): Replay {
  const { apply, addEventListener: listen, String: Str } = B;
  const { Hooked, send, marks } = sockets;
  const messageOf = (e: unknown) => Str((e as Error)?.message ?? e);

  /** Connects anew and sends `data` once open; answers exactly once. */
  const fresh = (req: HookReplay, data: string | Uint8Array, answer: (r: HookReplayResult) => void) => {
    let ws: WebSocket;
    try {
      ws = req.protocols?.length ? new Hooked(req.url!, req.protocols) : new Hooked(req.url!);
    } catch (e) {
      return answer({ id: req.id, ok: false, error: 'threw', message: messageOf(e) });
    }
    apply(B.setBinaryType, ws, ['arraybuffer']);
    let settled = false;
    const settle = (r: HookReplayResult) => {
      if (settled) return;
      settled = true;
      B.clearTimeout(timer);
      answer(r);
    };
    const timer = B.setTimeout(() => settle({ id: req.id, ok: false, error: 'timeout' }), FRESH_TIMEOUT_MS);
    const onViolation = (e: SecurityPolicyViolationEvent) => {
      if (e.effectiveDirective !== 'connect-src' && e.violatedDirective !== 'connect-src') return;
      settle({ id: req.id, ok: false, error: 'csp', message: Str(e.originalPolicy || e.violatedDirective) });
    };
    apply(listen, g, ['securitypolicyviolation', onViolation, { once: true }]);
    apply(listen, ws, ['open', () => {
      try {
        marks.replaying = ws;
        apply(send, ws, [data]);
        settle({ id: req.id, ok: true });
      } catch (e) {
        settle({ id: req.id, ok: false, error: 'threw', message: messageOf(e) });
      } finally {
        marks.replaying = null;
      }
    }]);
    apply(listen, ws, ['close', (e: CloseEvent) => settle({ id: req.id, ok: false, error: 'connect-failed', code: apply(B.closeCode, e, []) as number })]);
  };

  return (req, answer) => {
    const fail = (error: string, more: Partial<HookReplayResult> = {}) => answer({ id: req.id, ok: false, error, ...more });
    let data: string | Uint8Array;
    try {
      data = req.b64 !== undefined ? decodeBase64(req.b64, B) : (req.text ?? '');
    } catch {
      return fail('threw', { message: 'invalid base64' });
    }
    if (req.mode === 'fresh') return fresh(req, data, answer);
    const en = req.s === undefined ? undefined : sockets.find(req.s);
    if (!en) return fail('not-found');
    const ws = en.ws;
    const state = apply(B.readyState, ws, []) as number;
    if (state !== 1) return fail('state', { readyState: state });
    try {
      if (req.mode === 'inject') {
        const bt = apply(B.binaryType, ws, []);
        const payload = typeof data === 'string' ? data : bt === 'blob' ? new B.Blob([data as BlobPart]) : data.buffer;
        marks.injecting = ws;
        apply(B.dispatchEvent, ws, [new B.MessageEvent('message', { data: payload, origin: new B.URL(en.url).origin })]);
      } else {
        marks.replaying = ws;
        apply(send, ws, [data]);
      }
    } catch (e) {
      return fail('threw', { message: messageOf(e) });
    } finally {
      marks.injecting = null;
      marks.replaying = null;
    }
    answer({ id: req.id, ok: true });
  };
}
