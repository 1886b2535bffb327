// One-line previews of payloads, for timeline rows and free-text search over binary frames. Pure.
import type { Frame } from './types';
import { OPCODE } from './types';
import { bytesToHex } from './bytes';

export const PREVIEW_CHARS = 300;

export function opcodeName(op: number): string {
  switch (op) {
    case OPCODE.text:
      return 'text';
    case OPCODE.binary:
      return 'binary';
    case OPCODE.close:
      return 'close';
    case OPCODE.ping:
      return 'ping';
    case OPCODE.pong:
      return 'pong';
    case OPCODE.continuation:
      return 'continuation';
    case OPCODE.error:
      return 'error';
    default:
      return `op ${op}`;
  }
}

/**
 * Text frames: the text (cut at `max` characters, newlines folded); binary: the first bytes in hex (at most 48, and
 * no more than fit in `max` characters).
 */
export function previewOf(f: Frame, max = PREVIEW_CHARS): string {
  if (f.text !== undefined) {
    const t = f.text.length > max ? f.text.slice(0, max) + '…' : f.text;
    return t.replace(/[\r\n\t]+/g, ' ');
  }
  if (f.bytes) {
    const n = Math.min(48, f.bytes.length, Math.ceil(max / 3));
    const head = bytesToHex(f.bytes.subarray(0, n));
    return f.bytes.length > n ? head + ' …' : head;
  }
  return '';
}
