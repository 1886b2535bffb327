// Shared by the binary decoders' tests: frames, a stub context, and the property checks every decoder must pass.
import fc from 'fast-check';
import { expect } from 'vitest';
import type { DecodeContext, Decoded, DecodeInput } from '../../../../src/model/decode/types';

export const ctx: DecodeContext = { url: 'wss://example.test/ws', protocol: '', sibling: () => undefined };

export function bin(bytes: Uint8Array | number[]): DecodeInput {
  return { opcode: 2, dir: 'received', bytes: bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes) };
}

export function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Plain data only: objects, arrays, strings, numbers, booleans, null, Uint8Array, bigint. Returns what is not. */
export function notPlain(v: unknown, depth = 0): string | undefined {
  if (depth > 80) return 'nested too deep';
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v instanceof Uint8Array) return undefined;
  if (Array.isArray(v)) {
    for (const x of v) {
      const bad = notPlain(x, depth + 1);
      if (bad) return bad;
    }
    return undefined;
  }
  if (typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return `a ${typeof v} ${Object.prototype.toString.call(v)}`;
  for (const x of Object.values(v)) {
    const bad = notPlain(x, depth + 1);
    if (bad) return bad;
  }
  return undefined;
}

/** What every decode must return, whatever the bytes. */
export function expectWellFormed(d: Decoded, proto: string): void {
  expect(d.proto).toBe(proto);
  expect(Array.isArray(d.messages)).toBe(true);
  for (const m of d.messages) {
    expect(typeof m.summary).toBe('string');
    expect(m.summary.length).toBeLessThan(200);
    expect(m.summary).not.toMatch(/[\n\r]/);
    expect(typeof m.kind).toBe('string');
    expect(notPlain(m.value)).toBeUndefined();
  }
  if (d.error !== undefined) expect(typeof d.error).toBe('string');
}

/** Random bytes, and truncated or mutated real frames: decode never throws, never hangs, always says its proto. */
export function propertyCheck(decode: (f: DecodeInput) => Decoded, proto: string, frames: Uint8Array[], sniff?: (f: DecodeInput) => boolean | undefined): void {
  const check = (b: Uint8Array) => {
    const t0 = performance.now();
    const d = decode(bin(b));
    expectWellFormed(d, proto);
    if (sniff) expect([true, false, undefined]).toContain(sniff(bin(b)));
    expect(performance.now() - t0).toBeLessThan(1000);
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), check), { numRuns: 2000 });
  const frame = fc.constantFrom(...frames);
  fc.assert(
    fc.property(frame, fc.nat(), (b, cut) => check(b.subarray(0, cut % (b.length + 1)))),
    { numRuns: 1000 },
  );
  fc.assert(
    fc.property(frame, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (b, edits) => {
      const m = b.slice();
      for (const [at, v] of edits) if (m.length) m[at % m.length] = v;
      check(m);
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(frame, fc.uint8Array({ minLength: 1, maxLength: 16 }), fc.nat(), (b, ins, at) => {
      const p = at % (b.length + 1);
      check(concat(b.subarray(0, p), ins, b.subarray(p)));
    }),
    { numRuns: 1000 },
  );
}
