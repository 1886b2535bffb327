import { describe, expect, it } from 'vitest';
import { decodeBase64, decodeBase64Into, encodeBase64, type Base64Builtins } from '../../../src/model/base64';

const REALM: Base64Builtins = { apply: Reflect.apply, fromCharCode: String.fromCharCode, btoa, atob, Uint8Array };

describe('base64', () => {
  it('round-trips every byte value, across the chunk boundary of its string building', () => {
    const bytes = new Uint8Array(0x8000 * 2 + 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff;
    const b64 = encodeBase64(bytes, REALM);
    expect(b64).toBe(Buffer.from(bytes).toString('base64'));
    expect(Buffer.from(decodeBase64(b64, REALM)).equals(Buffer.from(bytes))).toBe(true);
    expect(encodeBase64(new Uint8Array(0), REALM)).toBe('');
  });

  it('calls only the built-ins it is given (the page hook passes the ones it took at document start)', () => {
    const calls: string[] = [];
    const realBtoa = globalThis.btoa;
    const realAtob = globalThis.atob;
    const given: Base64Builtins = {
      ...REALM,
      btoa: (s) => (calls.push('btoa'), realBtoa(s)),
      atob: (s) => (calls.push('atob'), realAtob(s)),
      apply: ((f: (...codes: number[]) => string, self: unknown, args: ArrayLike<number>) => (calls.push('apply'), Reflect.apply(f, self, args))) as typeof Reflect.apply,
    };
    globalThis.btoa = globalThis.atob = () => {
      throw new Error('a global was read');
    };
    try {
      expect(decodeBase64(encodeBase64(new Uint8Array([1, 2, 255]), given), given)).toEqual(new Uint8Array([1, 2, 255]));
    } finally {
      globalThis.btoa = realBtoa;
      globalThis.atob = realAtob;
    }
    expect(calls).toEqual(['apply', 'btoa', 'atob']);
  });

  it('decodes into a block at an offset, and says how many bytes it wrote', () => {
    const block = new Uint8Array(8);
    expect(decodeBase64Into('AQID', block, 2, REALM)).toBe(3);
    expect(block).toEqual(new Uint8Array([0, 0, 1, 2, 3, 0, 0, 0]));
  });

  it('throws on input that is not base64, as atob does', () => {
    expect(() => decodeBase64('%%%', REALM)).toThrow();
    expect(() => decodeBase64Into('%%%', new Uint8Array(4), 0, REALM)).toThrow();
  });
});
