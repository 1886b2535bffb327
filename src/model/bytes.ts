// Byte helpers shared by capture, store and views. Pure.
import { decodeBase64, decodeBase64Into, encodeBase64, type Base64Builtins } from './base64';

const NON_ASCII = /[^\x00-\x7f]/;

/** Number of bytes of `s` encoded as UTF-8, without allocating. Lone surrogates count as U+FFFD (3 bytes). */
export function utf8ByteLength(s: string): number {
  // Most payloads are ASCII: one native scan instead of a loop over every character (it runs on every frame).
  if (!NON_ASCII.test(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** Decoded length of a base64 string, in bytes. */
export function base64ByteLength(b64: string): number {
  let len = b64.length;
  while (len > 0 && b64.charCodeAt(len - 1) === 61 /* = */) len--;
  return Math.floor((len * 3) / 4);
}

/** This realm's built-ins; `atob`/`btoa` are looked up at each call, as before the conversion was shared. */
const REALM: Base64Builtins = {
  apply: Reflect.apply,
  fromCharCode: String.fromCharCode,
  btoa: (bin) => btoa(bin),
  atob: (b64) => atob(b64),
  Uint8Array,
};

export function base64ToBytes(b64: string): Uint8Array {
  return decodeBase64(b64, REALM);
}

/** Decode base64 into `out` at `at` (atob: the same errors as base64ToBytes); returns the number of bytes written. */
export function base64Into(b64: string, out: Uint8Array, at: number): number {
  return decodeBase64Into(b64, out, at, REALM);
}

export function bytesToBase64(bytes: Uint8Array): string {
  return encodeBase64(bytes, REALM);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function bytesToHex(bytes: Uint8Array, sep = ' '): string {
  const parts = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) parts[i] = HEX[bytes[i]];
  return parts.join(sep);
}

/** Classic hex dump: offset, 16 bytes in hex, printable ASCII. */
export function hexDump(bytes: Uint8Array, maxBytes = 64 * 1024): { lines: string[]; truncated: boolean } {
  const n = Math.min(bytes.length, maxBytes);
  const lines: string[] = [];
  for (let off = 0; off < n; off += 16) {
    const row = bytes.subarray(off, Math.min(off + 16, n));
    let hex = '';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      if (i < row.length) {
        hex += HEX[row[i]] + ' ';
        ascii += row[i] >= 0x20 && row[i] < 0x7f ? String.fromCharCode(row[i]) : '.';
      } else hex += '   ';
      if (i === 7) hex += ' ';
    }
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`);
  }
  return { lines, truncated: n < bytes.length };
}

/** UTF-8 decoding that never throws (invalid sequences become U+FFFD). */
export function bytesToUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

/** Parse hex typed by a person: whitespace, `0x` prefixes, `:`/`,` separators allowed. */
export function parseHex(input: string): { bytes: Uint8Array } | { error: string } {
  const clean = input.replace(/0x/gi, '').replace(/[\s:,]/g, '');
  const bad = /[^0-9a-f]/i.exec(clean);
  if (bad) return { error: `Invalid hex: “${bad[0]}” is not a hex digit.` };
  if (clean.length % 2) return { error: 'Invalid hex: an odd number of digits (each byte needs two).' };
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return { bytes: out };
}

/** Parse base64 (standard or URL-safe, padding optional, whitespace ignored). */
export function parseBase64(input: string): { bytes: Uint8Array } | { error: string } {
  let clean = input.replace(/\s/g, '').replace(/-/g, '+').replace(/_/g, '/');
  if (/[^A-Za-z0-9+/=]/.test(clean) || /=[^=]/.test(clean) || clean.length % 4 === 1) {
    return { error: 'Invalid base64.' };
  }
  clean = clean.replace(/=+$/, '');
  clean += '='.repeat((4 - (clean.length % 4)) % 4);
  try {
    return { bytes: base64ToBytes(clean) };
  } catch {
    return { error: 'Invalid base64.' };
  }
}
