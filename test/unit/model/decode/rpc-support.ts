// Shared by the JSON-RPC, GraphQL WS, SignalR, ActionCable and WAMP decoder tests: recorded frames, a context, and
// the hostile-input properties every decoder must hold.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { Decoded, DecodeContext, Decoder, DecodeInput } from '../../../../src/model/decode/types';

export interface FixtureFrame {
  dir: 'sent' | 'received';
  opcode: number;
  text?: string;
  b64?: string;
}

export interface Fixture {
  madeBy: string;
  connections: { url: string; subprotocol: string; frames: FixtureFrame[] }[];
}

export function toInput(f: FixtureFrame): DecodeInput {
  return f.b64 !== undefined
    ? { opcode: f.opcode, dir: f.dir, bytes: new Uint8Array(Buffer.from(f.b64, 'base64')) }
    : { opcode: f.opcode, dir: f.dir, text: f.text ?? '' };
}

export function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(new URL(`../../../fixtures/decoders/${name}.json`, import.meta.url), 'utf8')) as Fixture;
}

/** Every frame of a fixture, as decoder input. */
export function fixtureFrames(name: string): DecodeInput[] {
  return loadFixture(name).connections.flatMap((c) => c.frames.map(toInput));
}

export function ctx(protocol = ''): DecodeContext {
  return { url: 'ws://127.0.0.1/', protocol, sibling: () => undefined };
}

export const text = (t: string, dir: 'sent' | 'received' = 'sent'): DecodeInput => ({ opcode: 1, dir, text: t });
export const bin = (b: Uint8Array | ArrayBuffer, dir: 'sent' | 'received' = 'received'): DecodeInput => ({
  opcode: 2,
  dir,
  bytes: b instanceof Uint8Array ? b : new Uint8Array(b),
});

/** Whether a value is plain data as DecodedMessage.value allows (no class instances but Uint8Array). */
export function isPlain(v: unknown, depth = 0): boolean {
  if (depth > 200) return true;
  if (v === null || ['string', 'number', 'boolean', 'bigint', 'undefined'].includes(typeof v)) return true;
  if (v instanceof Uint8Array) return true;
  if (Array.isArray(v)) return v.every((x) => isPlain(x, depth + 1));
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.values(v).every((x) => isPlain(x, depth + 1));
  }
  return false;
}

/** What every decode result must be, whatever the input. */
export function expectWellFormed(d: Decoded, proto: string): void {
  expect(d.proto).toBe(proto);
  expect(Array.isArray(d.messages)).toBe(true);
  for (const m of d.messages) {
    expect(typeof m.summary).toBe('string');
    expect(m.summary).not.toMatch(/[\n\r]/);
    expect(typeof m.kind).toBe('string');
    if (m.id !== undefined) expect(['string', 'number']).toContain(typeof m.id);
    for (const n of Object.values(m.names ?? {})) expect(typeof n).toBe('string');
    expect(isPlain(m.value)).toBe(true);
  }
  if (d.error !== undefined) expect(typeof d.error).toBe('string');
}

function mutate(s: string, edits: [number, number, string][]): string {
  let t = s;
  for (const [at, del, ins] of edits) {
    const i = t.length ? at % (t.length + 1) : 0;
    t = t.slice(0, i) + ins + t.slice(i + del);
  }
  return t;
}

function mutateBytes(b: Uint8Array, edits: [number, number][]): Uint8Array {
  const out = b.slice();
  for (const [at, v] of edits) if (out.length) out[at % out.length] = v;
  return out;
}

/**
 * Random strings and bytes, and the given real frames cut and mutated: decode and sniff never throw and decode
 * always returns a well-formed Decoded.
 */
export function checkHostile(decoder: Decoder, real: DecodeInput[], runs = 300, c: DecodeContext = ctx()): void {
  const run = (f: DecodeInput) => {
    expect(() => decoder.sniff?.(f, c.url)).not.toThrow();
    expectWellFormed(decoder.decode(f, c), decoder.id);
  };
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => run(text(s))), { numRuns: runs });
  fc.assert(fc.property(fc.json({ maxDepth: 4 }), (s) => run(text(s))), { numRuns: runs });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => run(bin(b))), { numRuns: runs });
  const frames = fc.constantFrom(...real);
  fc.assert(
    fc.property(frames, fc.nat(), (f, cut) => {
      if (f.text !== undefined) run({ ...f, text: f.text.slice(0, cut % (f.text.length + 1)) });
      else if (f.bytes) run({ ...f, bytes: f.bytes.subarray(0, cut % (f.bytes.length + 1)) });
    }),
    { numRuns: runs },
  );
  fc.assert(
    fc.property(
      frames,
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.string({ unit: 'binary', maxLength: 4 })), { minLength: 1, maxLength: 4 }),
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 6 }),
      (f, textEdits, byteEdits) => {
        if (f.text !== undefined) run({ ...f, text: mutate(f.text, textEdits) });
        else if (f.bytes) run({ ...f, bytes: mutateBytes(f.bytes, byteEdits) });
      },
    ),
    { numRuns: runs },
  );
  // Line breaks and other control characters where names are (namespaces, topics, events, headers): a summary stays
  // one line whatever the page put in them.
  const control = fc.constantFrom('\n', '\r', '\r\n', '\t', '\x00', '\x1b', '\x7f', '\\n', '\\r');
  fc.assert(
    fc.property(
      frames,
      fc.array(fc.tuple(fc.nat(), control), { minLength: 1, maxLength: 6 }),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom(0x0a, 0x0d, 0x00, 0x09, 0x1b, 0x7f)), { minLength: 1, maxLength: 6 }),
      (f, inserts, byteEdits) => {
        if (f.text !== undefined) run({ ...f, text: mutate(f.text, inserts.map(([at, c]) => [at, 0, c])) });
        else if (f.bytes) run({ ...f, bytes: mutateBytes(f.bytes, byteEdits) });
      },
    ),
    { numRuns: runs },
  );
}
