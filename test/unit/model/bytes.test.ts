import { describe, expect, it } from 'vitest';
import {
  base64ByteLength, base64ToBytes, bytesToBase64, bytesToHex, bytesToUtf8, formatBytes, hexDump, utf8ByteLength,
} from '../../../src/model/bytes';

describe('bytes', () => {
  it('measures UTF-8 byte length like TextEncoder, lone surrogates included', () => {
    for (const s of ['', 'abc', 'héllo', '€', '😀 ok', '\ud800x', 'x\udc00', '日本語']) {
      expect(utf8ByteLength(s)).toBe(new TextEncoder().encode(s).length);
    }
  });

  it('round-trips base64 and knows its decoded length', () => {
    const bytes = new Uint8Array([0, 1, 2, 254, 255, 128]);
    const b64 = bytesToBase64(bytes);
    expect(base64ToBytes(b64)).toEqual(bytes);
    for (const n of [0, 1, 2, 3, 4, 5, 100]) {
      expect(base64ByteLength(bytesToBase64(new Uint8Array(n)))).toBe(n);
    }
  });

  it('shows hex, a hex dump with ASCII, and lossy UTF-8', () => {
    expect(bytesToHex(new Uint8Array([0, 1, 2, 254, 255]))).toBe('00 01 02 fe ff');
    const dump = hexDump(new TextEncoder().encode('Hello, WebSocket!'));
    expect(dump.lines[0]).toBe('00000000  48 65 6c 6c 6f 2c 20 57  65 62 53 6f 63 6b 65 74  |Hello, WebSocket|');
    expect(dump.lines[1].startsWith('00000010  21 ')).toBe(true);
    expect(hexDump(new Uint8Array(100), 32)).toMatchObject({ truncated: true });
    expect(bytesToUtf8(new Uint8Array([0x68, 0xff, 0x69]))).toBe('h\ufffdi');
    expect(formatBytes(1536)).toBe('1.5 kB');
  });
});
