// One WebSocket message as the page hook reports it: text as it is; binary copied at once (the page may reuse its
// buffer after `send`) and reported as base64; a Blob read asynchronously, in its place in the queue.
import { encodeBase64 } from '../../model/base64';
import type { Builtins } from './builtins';
import type { EventQueue } from './event-queue';

export type Mark = 'replayed' | 'injected';
export type ReportFrame = (s: number, dir: 'sent' | 'received', data: unknown, mark?: Mark) => void;

export function frameReporter(B: Builtins, queue: EventQueue): ReportFrame {
  const { apply, isView, bufferSlice, bufferByteLength, Uint8Array: U8, ArrayBuffer: ArrayBufferC, Blob: BlobC } = B;
  const toB64 = (bytes: Uint8Array) => encodeBase64(bytes, B);

  return (s, dir, data, mark) => {
    if (queue.armed() === false) return;
    const t = B.now();
    if (typeof data === 'string') return queue.emit({ k: 'frame', s, t, dir, text: data, ...(mark ? { mark } : {}) });
    let bytes: Uint8Array | null = null;
    try {
      if (isView(data)) {
        bytes = new U8(apply(bufferSlice, data.buffer, [data.byteOffset, data.byteOffset + data.byteLength]));
      } else if (data instanceof ArrayBufferC || (data && typeof (data as ArrayBuffer).byteLength === 'number' && !(data instanceof BlobC))) {
        bytes = new U8(apply(bufferSlice, data, [0, apply(bufferByteLength, data, [])]) as ArrayBuffer);
      }
    } catch {
      bytes = null;
    }
    if (bytes) return queue.emit({ k: 'frame', s, t, dir, b64: toB64(bytes), ...(mark ? { mark } : {}) });
    if (data instanceof BlobC) {
      const done = queue.hold({ k: 'frame', s, t, dir, b64: '', ...(mark ? { mark } : {}) });
      try {
        apply(B.promiseThen, apply(B.blobArrayBuffer, data, []), [(buf: ArrayBuffer) => done(toB64(new U8(buf))), () => done('')]);
      } catch {
        done('');
      }
      return;
    }
    queue.emit({ k: 'frame', s, t, dir, text: B.String(data), ...(mark ? { mark } : {}) });
  };
}
