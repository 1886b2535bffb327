import { describe, expect, it } from 'vitest';
import { encode as msgpackEncode } from '@msgpack/msgpack';
import { encode } from 'cborg';
import protobuf from 'protobufjs';
import { cborDecoder, decodeCbor, sniffCbor } from '../../../../src/model/decode/cbor';
import { sniffMsgpack } from '../../../../src/model/decode/msgpack';
import { DECODE_LIMIT } from '../../../../src/model/decode/types';
import { bin, concat, ctx, expectWellFormed, propertyCheck } from './helpers';

const one = (b: Uint8Array) => {
  const d = cborDecoder.decode(bin(b), ctx);
  expectWellFormed(d, 'cbor');
  return d;
};

describe('cbor decode', () => {
  it('decodes a map and leads its summary with its type', () => {
    const d = one(encode({ type: 'trade', id: 7, price: 101.25 }));
    expect(d.error).toBeUndefined();
    const [m] = d.messages;
    expect(m.kind).toBe('map');
    // cborg writes keys in canonical order (shorter first).
    expect(m.summary).toBe('trade {id, type, price}');
    expect(m.value).toEqual({ type: 'trade', id: 7, price: 101.25 });
  });

  it('fills names.event and names.method, leads arrays with their length', () => {
    expect(one(encode({ event: 'chat', args: [1] })).messages[0]).toMatchObject({ summary: 'chat {args, event}', names: { event: 'chat' } });
    expect(one(encode({ method: 'sub', id: 3 })).messages[0]).toMatchObject({ summary: 'sub {id, method}', names: { method: 'sub' } });
    expect(one(encode([1, 'a', null, true])).messages[0]).toMatchObject({ summary: 'array(4)', kind: 'array' });
  });

  it('decodes a CBOR sequence as several messages', () => {
    const d = one(concat(encode({ type: 'a' }), encode([1]), encode({ op: 'b' })));
    expect(d.messages.map((m) => m.summary)).toEqual(['a {type}', 'array(1)', 'b {op}']);
  });

  it('shows tags as {tag, value}, unwraps self-describe, reads bignums', () => {
    // Tag 1 (epoch time) over 1700000000, tag 32 (URI), tag 55799 around a map, tag 2 bignum of 2^64.
    const epoch = concat([0xc1], encode(1700000000));
    expect(one(epoch).messages[0]).toMatchObject({ kind: 'tag', summary: 'tag 1 1700000000', value: { tag: 1, value: 1700000000 } });
    const inMap = concat([0xa1], encode('at'), [0xd8, 0x20], encode('https://x.test/'));
    expect(one(inMap).messages[0].value).toEqual({ at: { tag: 32, value: 'https://x.test/' } });
    const self = concat([0xd9, 0xd9, 0xf7], encode({ type: 'hello' }));
    expect(one(self).messages[0]).toMatchObject({ summary: 'hello {type}', value: { type: 'hello' } });
    const big = concat([0xc2, 0x49], [1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(one(big).messages[0].value).toBe(2n ** 64n);
    const negBig = concat([0xc3, 0x42], [1, 0]);
    expect(one(negBig).messages[0].value).toBe(-257);
    // A user's map with tag / value keys is a map.
    expect(one(encode({ tag: 1, value: 2 })).messages[0].kind).toBe('map');
  });

  it('gives integers past 2^53 as bigint, undefined as null', () => {
    expect(one(encode({ big: 2n ** 60n, neg: -(2n ** 63n), small: 5 })).messages[0].value).toEqual({ big: 2n ** 60n, neg: -(2n ** 63n), small: 5 });
    expect(one(encode([undefined, 1])).messages[0].value).toEqual([null, 1]);
  });

  it('keeps maps with keys that are not text readable (keys as text)', () => {
    const m = new Map<unknown, unknown>([
      [1, 'one'],
      ['s', { inner: new Map([[2, 'two']]) }],
      [new Uint8Array([0xab]), 'bytes'],
      [[1, 2], 'pair'],
    ]);
    const d = one(encode(m));
    expect(d.error).toBeUndefined();
    expect(d.messages[0].value).toEqual({ 1: 'one', s: { inner: { 2: 'two' } }, '0xab': 'bytes', '[1,2]': 'pair' });
    expect(d.messages[0].summary).toBe('map {1, 0xab, s, [1,2]}');
    // Two keys with the same text both stay.
    const dup = new Map<unknown, unknown>([
      [1, 'number'],
      ['1', 'text'],
    ]);
    expect(Object.values(one(encode(dup)).messages[0].value as object).sort()).toEqual(['number', 'text']);
  });

  it('reads indefinite-length arrays and maps', () => {
    const frame = Uint8Array.from([0xbf, 0x64, ...new TextEncoder().encode('type'), 0x62, 0x6f, 0x6b, 0x61, 0x6c, 0x9f, 1, 2, 0xff, 0xff]);
    expect(one(frame).messages[0]).toMatchObject({ summary: 'ok {type, l}', value: { type: 'ok', l: [1, 2] } });
    expect(one(Uint8Array.from([0xbf, 0x61, 0x61, 0xff])).error).toMatch(/between a key and its value/);
    expect(one(Uint8Array.from([0x81, 0xff])).error).toMatch(/unexpected break/);
  });

  it('says why it cannot decode what cborg refuses', () => {
    expect(one(Uint8Array.from([0x7f, 0x61, 0x61, 0xff])).error).toMatch(/indefinite-length string/);
    expect(one(Uint8Array.from([0x81, 0xe0])).error).toMatch(/simple value/);
    expect(one(Uint8Array.from([0x1c])).error).toMatch(/invalid head byte 0x1c/);
    expect(cborDecoder.decode({ opcode: 1, dir: 'sent', text: 'x' }, ctx).error).toMatch(/text frame/);
  });

  it('keeps the items before a broken one, bounds claims and depth', () => {
    const d = one(concat(encode({ type: 'ok' }), [0x1c]));
    expect(d.messages.map((m) => m.summary)).toEqual(['ok {type}']);
    expect(d.error).toMatch(/^after 1 item: invalid head byte/);
    const t0 = performance.now();
    expect(one(Uint8Array.from([0x9b, 0, 0, 0, 1, 0, 0, 0, 0, 1])).error).toMatch(/claims 4294967296 items/);
    expect(one(Uint8Array.from([0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1])).error).toMatch(/claims/);
    expect(one(Uint8Array.from([0x5b, 0, 0, 0, 1, 0, 0, 0, 0])).error).toMatch(/claims 4294967296 bytes/);
    const deep = new Uint8Array(DECODE_LIMIT).fill(0x81);
    expect(one(deep).error).toMatch(/nested deeper than 64/);
    const deepTags = new Uint8Array(100_000).fill(0xc1);
    expect(one(deepTags).error).toMatch(/nested deeper than 64/);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('decodes the first part of a frame past the limit and says so', () => {
    const frame = encode({ rows: Array.from({ length: 150_000 }, (_, i) => ({ i, s: 'abcdefgh' })), type: 'snapshot' });
    expect(frame.length).toBeGreaterThan(DECODE_LIMIT);
    const d = one(frame);
    expect(d.error).toBeUndefined();
    expect(d.truncated).toMatch(/^decoded the first 1 MiB of [\d.]+ MiB; the last map holds only its first 0 entries$/);
    const arr = one(encode(Array.from({ length: 150_000 }, (_, i) => ({ i, s: 'abcdefgh' }))));
    expect(arr.truncated).toMatch(/the last array holds only its first \d+ items/);
    expect((arr.messages[0].value as unknown[])[99]).toEqual({ i: 99, s: 'abcdefgh' });
  });
});

describe('cbor sniff and the MessagePack overlap', () => {
  const values: unknown[] = [
    { type: 'trade', id: 1, price: 1.5 },
    { event: 'chat', args: ['hi', { user: 'bob' }] },
    [1, 2, 3],
    ['a', 'b'],
    [{ x: 1 }],
    { a: [1, { b: 'x' }] },
    [0, 'channel', { v: 2n ** 60n }],
    { m: new Uint8Array([1, 2]) },
    [[]],
    [1, 2],
    { n: -5, f: 0.1, t: true, z: null },
  ];
  const show = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x));

  it('claims real CBOR frames that start with a map or array, and the self-describe prefix', () => {
    for (const v of values) expect(sniffCbor(bin(encode(v))), show(v)).toBe(true);
    expect(sniffCbor(bin(concat([0xd9, 0xd9, 0xf7], encode('x'))))).toBe(true);
  });

  it('never lets both formats claim one frame; each claims its own', () => {
    for (const v of values) {
      const c = encode(v);
      const m = msgpackEncode(v, { useBigInt64: true });
      expect(sniffMsgpack(bin(c)), `msgpack on CBOR ${show(v)}`).not.toBe(true);
      expect(sniffCbor(bin(m)), `cbor on MessagePack ${show(v)}`).not.toBe(true);
      expect(sniffMsgpack(bin(m)), `msgpack on MessagePack ${show(v)}`).toBe(true);
    }
  });

  it('leaves a frame both read equally well to neither', () => {
    // 0x80 0x80: two empty maps in MessagePack, two empty arrays in CBOR.
    const tie = bin([0x80, 0x80]);
    expect(sniffCbor(tie)).toBeUndefined();
    expect(sniffMsgpack(tie)).toBeUndefined();
    // 0x82 0x01 0x02 0x03 0x04: MessagePack {1: 2, 3: 4} is one map; CBOR [1, 2] then 3, 4 is not all maps / arrays.
    const f = bin([0x82, 1, 2, 3, 4]);
    expect(sniffCbor(f)).toBeUndefined();
    expect(sniffMsgpack(f)).toBe(true);
    // 0x81 0xa0 0x80: MessagePack {"": {}} is one value; CBOR [{}] then [] is two.
    expect(sniffMsgpack(bin([0x81, 0xa0, 0x80]))).toBe(true);
    expect(sniffCbor(bin([0x81, 0xa0, 0x80]))).toBeUndefined();
    // 0x81 0x80: CBOR [[]]; MessagePack {{}: …} lacks its value.
    expect(sniffCbor(bin([0x81, 0x80]))).toBe(true);
    expect(sniffMsgpack(bin([0x81, 0x80]))).toBe(false);
  });

  it('claims no real protobuf frame, even those whose first tag byte is a map or array head', () => {
    const root = protobuf.parse('syntax = "proto3"; message Hi { int32 a = 16; string b = 17; repeated Hi c = 18; double d = 19; bytes e = 20; }').root;
    const Hi = root.lookupType('Hi');
    const samples = [
      { a: 1 },
      { a: 300, b: 'abc' },
      { b: 'hello world', d: 1.5 },
      { c: [{ a: 1 }, { b: 'x' }], a: 7 },
      { e: new Uint8Array([0x80, 0x81, 0x90]), a: -1 },
      { c: [{ c: [{ a: 2 }] }] },
    ];
    for (const v of samples) {
      const f = bin(Uint8Array.from(Hi.encode(Hi.fromObject(v)).finish()));
      expect(f.bytes![0] & 0x80, show(v)).toBe(0x80);
      expect(sniffCbor(f), show(v)).not.toBe(true);
      expect(sniffMsgpack(f), show(v)).not.toBe(true);
    }
  });

  it('says nothing of scalars and text, false for broken heads', () => {
    expect(sniffCbor(bin(encode('text')))).toBeUndefined();
    expect(sniffCbor({ opcode: 1, dir: 'sent', text: '{}' })).toBeUndefined();
    expect(sniffCbor(bin([0xa2, 0x61, 0x61]))).toBe(false);
  });
});

describe('cbor hostile input', () => {
  it('never throws, never hangs, always says cbor', () => {
    const real = [
      encode({ type: 'trade', id: 7, price: 101.25, tags: ['a', 'b'], nested: { deep: [1, { x: null }] } }),
      encode([1, 2n ** 60n, -1, 'x', new Uint8Array([1, 2, 3]), true, 1.5, undefined]),
      encode(new Map<unknown, unknown>([[1, [2]], ['k', new Map([[true, 'v']])]])),
      concat([0xd9, 0xd9, 0xf7, 0xc1], encode(5), [0xbf, 0x61, 0x61, 0x9f, 1, 0xff, 0xff]),
    ];
    propertyCheck(decodeCbor, 'cbor', real, sniffCbor);
  });
});
