import { describe, expect, it } from 'vitest';
import protobuf from 'protobufjs';
import { decodeProtobuf, protobufDecoder, s64, u64, zigzag64, type WireEntry, type WireMessage } from '../../../../src/model/decode/protobuf';
import { DECODE_LIMIT } from '../../../../src/model/decode/types';
import { bin, concat, ctx, expectWellFormed, propertyCheck } from './helpers';
import { encodeAs, Level, Trade, TRADE } from './protobuf-fixtures';

// protobufjs gives a Node Buffer; the store holds plain Uint8Arrays.
const frameOf = (type: protobuf.Type, v: Record<string, unknown>) => Uint8Array.from(encodeAs(type, v));

const one = (b: Uint8Array) => {
  const d = protobufDecoder.decode(bin(b), ctx);
  expectWellFormed(d, 'protobuf');
  expect(d.messages).toHaveLength(1);
  return d;
};
const tree = (b: Uint8Array) => one(b).messages[0].value as WireMessage;
const entry = (m: WireMessage, k: number) => m[k] as WireEntry;

describe('protobuf wire integers', () => {
  it('reads 64 bits as unsigned, signed and zigzag', () => {
    expect(u64(5, 0)).toBe(5);
    expect(u64(0xffffffff, 0x1fffff)).toBe(2 ** 53 - 1);
    expect(u64(0, 0x200000)).toBe(2n ** 53n);
    expect(u64(0xffffffff, 0xffffffff)).toBe(2n ** 64n - 1n);
    expect(s64(0xffffffff, 0xffffffff)).toBe(-1);
    expect(s64(0, 0x80000000)).toBe(-(2n ** 63n));
    expect(s64(0xfffffffe, 0xffffffff)).toBe(-2);
    expect(zigzag64(0, 0)).toBe(0);
    expect(zigzag64(1, 0)).toBe(-1);
    expect(zigzag64(2, 0)).toBe(1);
    expect(zigzag64(0xffffffff, 0xffffffff)).toBe(-(2n ** 63n));
    expect(zigzag64(0xfffffffe, 0xffffffff)).toBe(2n ** 63n - 1n);
  });
});

describe('protobuf without a schema', () => {
  const trade = frameOf(Trade, TRADE);

  it('gives the wire tree of a real message', () => {
    const m = tree(trade);
    expect(entry(m, 1)).toEqual({ wire: 'len', value: 'BTC-USD' });
    expect(entry(m, 2)).toEqual({ wire: 'varint', value: 9007199254740993n, zigzag: -4503599627370497 });
    expect(entry(m, 3)).toMatchObject({ wire: 'i64', double: 101.25 });
    expect(entry(m, 4)).toEqual({ wire: 'varint', value: 2, zigzag: 1 });
    // Packed repeated int32: bytes, read as varints too.
    expect(entry(m, 5)).toEqual({ wire: 'len', value: Uint8Array.from([1, 2, 0xac, 2]), varints: [1, 2, 300] });
    // Repeated nested messages, guessed from their bytes.
    const levels = m[6] as WireEntry[];
    expect(levels).toHaveLength(2);
    expect((levels[0].value as WireMessage)[1]).toMatchObject({ wire: 'i64', double: 100.5 });
    expect((levels[0].value as WireMessage)[2]).toEqual({ wire: 'varint', value: 5, zigzag: -3 });
    expect(entry(m, 7)).toEqual({ wire: 'len', value: Uint8Array.from([0xde, 0xad, 0xbe, 0xef]) });
    // Map entries are messages of key (1) and value (2); a negative int64 is ten bytes.
    const totals = m[8] as WireEntry[];
    expect((totals[1].value as WireMessage)[2]).toEqual({ wire: 'varint', value: 2n ** 64n - 7n, zigzag: -(2n ** 63n) + 3n, signed: -7 });
    expect(entry(m, 11)).toEqual({ wire: 'varint', value: 2n ** 64n - 1n, zigzag: -(2n ** 63n), signed: -1 });
    expect(entry(m, 12)).toMatchObject({ wire: 'i32', value: 4000000000, signed: -294967296 });
    expect(entry(m, 13)).toMatchObject({ wire: 'i64', value: 2n ** 64n - 2n, signed: -2 });
    expect(entry(m, 14)).toEqual({ wire: 'i32', value: 0x3f000000, float: 0.5 });
    expect(m[16]).toEqual([
      { wire: 'len', value: 'spot' },
      { wire: 'len', value: 'fast' },
    ]);
    expect(entry(m, 20)).toEqual({ wire: 'varint', value: 33, zigzag: -17 });
  });

  it('summarizes the top-level fields', () => {
    const d = one(trade).messages[0];
    expect(d.kind).toBe('message');
    expect(d.summary).toBe('protobuf 23 fields: 1="BTC-USD" 2=9007199254740993 3=101.25 4=2 5=<4 bytes> 6=[×2] …');
    expect(one(frameOf(Level, { price: 2.5, size: 4 })).messages[0].summary).toBe('protobuf 2 fields: 1=2.5 2=8');
    expect(one(new Uint8Array(0)).messages[0].summary).toBe('protobuf 0 fields');
    expect(one(Uint8Array.from([0x08, 0x2a])).messages[0].summary).toBe('protobuf 1 field: 1=42');
  });

  it('keeps printable text a string even when it parses as a message', () => {
    // "hi" is 0x68 0x69: field 13, varint 105. As a field value it is text.
    const m = tree(frameOf(Trade, { symbol: 'hi', note: 'BTC' }));
    expect(entry(m, 1).value).toBe('hi');
    expect(entry(m, 9).value).toBe('BTC');
    // Invalid UTF-8 and control characters are bytes.
    expect(entry(tree(Uint8Array.from([0x0a, 2, 0xc3, 0x28])), 1).value).toEqual(Uint8Array.from([0xc3, 0x28]));
    expect(entry(tree(Uint8Array.from([0x0a, 2, 0x07, 0x07])), 1).value).toBeInstanceOf(Uint8Array);
    const utf8 = new TextEncoder().encode('día ✓');
    expect(entry(tree(concat([0x0a, utf8.length], utf8)), 1).value).toBe('día ✓');
    // Cut inside the last character: not UTF-8.
    expect(entry(tree(concat([0x0a, 6], utf8.subarray(0, 6))), 1).value).toBeInstanceOf(Uint8Array);
  });

  it('reads groups', () => {
    const G = protobuf.parse('syntax = "proto2"; message G { optional group Grp = 1 { optional int32 a = 2; } optional int32 b = 3; }').root.lookupType('G');
    const m = tree(Uint8Array.from(G.encode(G.fromObject({ grp: { a: 5 }, b: 1 })).finish()));
    expect(m[1]).toEqual({ wire: 'group', value: { 2: { wire: 'varint', value: 5, zigzag: -3 } } });
    expect(entry(m, 3).value).toBe(1);
  });

  it('keeps the fields before a broken one and says where', () => {
    const d = one(concat([0x08, 0x01, 0x12, 0x05, 0x61]));
    expect(Object.keys(d.messages[0].value as object)).toEqual(['1']);
    expect(d.error).toBe('field 2 at byte 2 claims 5 bytes, more than the frame holds');
    expect(one(Uint8Array.from([0x08, 0x01, 0x0f])).error).toMatch(/wire type 7/);
    expect(one(Uint8Array.from([0x00])).error).toMatch(/field number 0/);
    expect(one(Uint8Array.from([0x08, 0xff, 0xff])).error).toMatch(/broken varint/);
    expect(one(Uint8Array.from([0x0c])).error).toMatch(/group end with no start/);
    expect(protobufDecoder.decode({ opcode: 1, dir: 'sent', text: 'x' }, ctx).error).toMatch(/text frame/);
  });

  it('bounds guessing depth and the number of fields', () => {
    let deep: Uint8Array = Uint8Array.from([0x08, 0x01]);
    for (let i = 0; i < 200; i++) deep = concat([0x0a], varint(deep.length), deep);
    const d = one(deep);
    expect(d.error).toBeUndefined();
    let v: unknown = d.messages[0].value;
    let levels = 0;
    while (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
      v = ((v as WireMessage)[1] as WireEntry).value;
      levels++;
    }
    expect(levels).toBeLessThanOrEqual(34);
    expect(v).toBeInstanceOf(Uint8Array);
    const many = new Uint8Array(400_000);
    for (let i = 0; i < many.length; i += 2) many.set([0x08, 0x01], i);
    const t0 = performance.now();
    const m = protobufDecoder.decode(bin(many), ctx);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(m.truncated).toBe('decoded the first 100000 fields');
    expect((m.messages[0].value as WireMessage)[1]).toHaveLength(100_000);
  });

  it('decodes the first part of a frame past the limit and says so', () => {
    const big = frameOf(Trade, { symbol: 'X', tags: Array.from({ length: 120_000 }, (_, i) => `tag-${i}`) });
    expect(big.length).toBeGreaterThan(DECODE_LIMIT);
    const d = one(big);
    expect(d.error).toBeUndefined();
    expect(d.truncated).toMatch(/^decoded the first 1 MiB of 1\.\d MiB$/);
    const tags = (d.messages[0].value as WireMessage)[16] as WireEntry[];
    expect(tags.length).toBeGreaterThan(50_000);
    expect(tags[99].value).toBe('tag-99');
  });

  it('is never detected from content', () => {
    expect(protobufDecoder.sniff?.(bin(trade), '')).toBeUndefined();
  });
});

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

describe('protobuf hostile input', () => {
  it('never throws, never hangs, always says protobuf', () => {
    const real = [frameOf(Trade, TRADE), frameOf(Level, { price: 1.5, size: -2 }), frameOf(Trade, { parent: { parent: { levels: [{ size: 1 }] } } })];
    propertyCheck(decodeProtobuf, 'protobuf', real);
  });
});
