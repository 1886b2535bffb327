// One WebSocket message as the page hook reports it: text as it is; binary copied at once (the page may reuse its
// buffer after `send`) and reported as base64; a Blob read asynchronously, in its place in the queue. What a payload
// is, and its bytes, are read through built-ins taken at start (brand-checking getters, not `instanceof`, nor a
// typed array's own `buffer`, nor `slice`, whose species a page could supply to see or forge the copy).
import { encodeBase64 } from '../../model/base64';
import type { Builtins } from './builtins';
import type { EventQueue } from './event-queue';

export type Mark = 'replayed' | 'injected';
export type ReportFrame = (s: number, dir: 'sent' | 'received', data: unknown, mark?: Mark) => void;

export function frameReporter(B: Builtins, queue: EventQueue): ReportFrame {
  const { apply, bare, Uint8Array: U8 } = B;
  const toB64 = (bytes: Uint8Array) => encodeBase64(bytes, B);
  const is = (getter: (() => unknown) | undefined, x: unknown) => {
    if (!getter) return false;
    try {
      apply(getter, x, []);
      return true;
    } catch {
      return false;
    }
  };
  /** A copy of `len` bytes of `buf` from `off`, made by the hook's own typed arrays. */
  const copy = (buf: unknown, off: unknown, len: unknown) => {
    const out = new U8(len as number);
    apply(B.taSet, out, [new U8(buf as ArrayBuffer, off as number, len as number)]);
    return out;
  };
  /** The bytes of an ArrayBuffer or a view; null if `data` is neither. */
  const bytesOf = (data: unknown): Uint8Array | null => {
    if (B.isView(data)) {
      if (is(B.taBuffer, data)) return copy(apply(B.taBuffer, data, []), apply(B.taByteOffset, data, []), apply(B.taByteLength, data, []));
      if (B.dvBuffer && B.dvByteOffset && B.dvByteLength) {
        return copy(apply(B.dvBuffer, data, []), apply(B.dvByteOffset, data, []), apply(B.dvByteLength, data, []));
      }
      return null;
    }
    return is(B.bufferByteLength, data) ? copy(data, 0, apply(B.bufferByteLength, data, [])) : null;
  };

  return (s, dir, data, mark) => {
    if (queue.armed() === false) return;
    const t = B.now();
    if (typeof data === 'string') return queue.emit(bare({ k: 'frame', s, t, dir, text: data, ...(mark ? { mark } : {}) }));
    let bytes: Uint8Array | null;
    try {
      bytes = bytesOf(data);
    } catch {
      bytes = null; // a detached buffer
    }
    if (bytes) return queue.emit(bare({ k: 'frame', s, t, dir, b64: toB64(bytes), ...(mark ? { mark } : {}) }));
    if (is(B.blobSize, data)) {
      const done = queue.hold(bare({ k: 'frame', s, t, dir, b64: '', ...(mark ? { mark } : {}) }));
      try {
        apply(B.promiseThen, apply(B.blobArrayBuffer, data, []), [(buf: ArrayBuffer) => done(toB64(new U8(buf))), () => done('')]);
      } catch {
        done('');
      }
      return;
    }
    queue.emit(bare({ k: 'frame', s, t, dir, text: B.String(data), ...(mark ? { mark } : {}) }));
  };
}
