import { describe, expect, it } from 'vitest';
import { encode, ExtensionCodec } from '@msgpack/msgpack';
import { encode as cborEncode } from 'cborg';
import { decodeMsgpack, msgpackDecoder, sniffMsgpack } from '../../../../src/model/decode/msgpack';
import { DECODE_LIMIT } from '../../../../src/model/decode/types';
import { bin, concat, ctx, expectWellFormed, propertyCheck } from './helpers';

const one = (b: Uint8Array) => {
  const d = msgpackDecoder.decode(bin(b), ctx);
  expectWellFormed(d, 'msgpack');
  return d;
};

describe('msgpack decode', () => {
  it('decodes a map and leads its summary with its type', () => {
    const d = one(encode({ type: 'trade', id: 7, price: 101.25, side: 'buy' }));
    expect(d.error).toBeUndefined();
    expect(d.messages).toHaveLength(1);
    const [m] = d.messages;
    expect(m.kind).toBe('map');
    expect(m.summary).toBe('trade {type, id, price, side}');
    expect(m.value).toEqual({ type: 'trade', id: 7, price: 101.25, side: 'buy' });
  });

  it('leads with event / method / op, fills names.event and names.method', () => {
    const e = one(encode({ event: 'chat', args: ['hi'] })).messages[0];
    expect(e.summary).toBe('chat {event, args}');
    expect(e.names).toEqual({ event: 'chat' });
    const r = one(encode({ jsonrpc: '2.0', method: 'subscribe', params: [1] })).messages[0];
    expect(r.summary).toBe('subscribe {jsonrpc, method, params}');
    expect(r.names).toEqual({ method: 'subscribe' });
    expect(one(encode({ op: 'ping', d: null })).messages[0].summary).toBe('ping {op, d}');
    expect(one(encode({ a: 1, b: 2 })).messages[0].summary).toBe('map {a, b}');
    expect(one(encode({ a: 1 })).messages[0].names).toBeUndefined();
  });

  it('summarizes arrays and scalars by shape, long key lists cut', () => {
    expect(one(encode([1, 'a', null])).messages[0]).toMatchObject({ summary: 'array(3)', kind: 'array' });
    const keys = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`key_number_${i}`, i]));
    const s = one(encode(keys)).messages[0].summary;
    expect(s.endsWith(', …}')).toBe(true);
    expect(s.length).toBeLessThan(100);
    expect(one(encode('hello')).messages[0]).toMatchObject({ summary: '"hello"', kind: 'string' });
    expect(one(encode(new Uint8Array([1, 2, 3]))).messages[0]).toMatchObject({ summary: 'bytes(3)', kind: 'bytes' });
  });

  it('decodes several values in one frame as several messages', () => {
    const d = one(concat(encode({ type: 'a' }), encode([1, 2]), encode({ type: 'b' })));
    expect(d.messages.map((m) => m.summary)).toEqual(['a {type}', 'array(2)', 'b {type}']);
  });

  it('shows extension types as {ext, data}, timestamps with their time', () => {
    const codec = new ExtensionCodec();
    codec.register({ type: 5, encode: (o) => (o instanceof Set ? encode([...(o as Set<number>)]) : null), decode: () => null });
    const d = one(encode({ tags: new Set([1, 2]) }, { extensionCodec: codec }));
    const v = d.messages[0].value as { tags: { ext: number; data: Uint8Array } };
    expect(v.tags.ext).toBe(5);
    expect(Array.from(v.tags.data)).toEqual(Array.from(encode([1, 2])));
    const when = new Date('2024-05-06T07:08:09.123Z');
    const t = one(encode(when)).messages[0];
    expect(t.kind).toBe('ext');
    expect(t.value).toMatchObject({ ext: -1, time: '2024-05-06T07:08:09.123Z' });
    expect(t.summary).toBe('ext -1 (8 bytes)');
    // A user's own map with such keys is a map.
    expect(one(encode({ ext: 1, data: new Uint8Array(1) })).messages[0].kind).toBe('map');
  });

  it('gives 64-bit integers as numbers where exact, bigint beyond', () => {
    const d = one(encode({ small: 5n, big: 2n ** 60n, neg: -(2n ** 62n), max: 2n ** 64n - 1n }, { useBigInt64: true }));
    expect(d.messages[0].value).toEqual({ small: 5, big: 2n ** 60n, neg: -(2n ** 62n), max: 2n ** 64n - 1n });
  });

  it('keeps maps with keys that are not strings readable (keys as text)', () => {
    // The encoder writes only string keys: the map head and keys are written around encoded parts.
    const frame = concat([0x84], encode(1), encode('one'), encode([1, 2]), encode('pair'), encode(new Uint8Array([0xab, 0xcd])), encode('bytes'), encode(null), encode(true));
    const d = one(frame);
    expect(d.error).toBeUndefined();
    expect(d.messages[0].value).toEqual({ 1: 'one', '[1,2]': 'pair', '0xabcd': 'bytes', null: true });
  });

  it('refuses a text frame and an empty one with a reason', () => {
    expect(msgpackDecoder.decode({ opcode: 1, dir: 'sent', text: '{}' }, ctx).error).toMatch(/text frame/);
    expect(one(new Uint8Array(0)).error).toMatch(/empty/);
  });

  it('keeps the values before a broken one and says why', () => {
    const d = one(concat(encode({ type: 'ok' }), [0xc1]));
    expect(d.messages.map((m) => m.summary)).toEqual(['ok {type}']);
    expect(d.error).toMatch(/after 1 value: byte 0xc1/);
    const cut = encode({ type: 'x', list: [1, 2, 3] });
    const e = one(cut.subarray(0, cut.length - 1));
    expect(e.messages).toHaveLength(0);
    expect(e.error).toBe('an array at byte 13 claims 3 items, more than the frame holds');
    const str = encode({ name: 'a long enough string' });
    expect(one(str.subarray(0, str.length - 2)).error).toMatch(/the frame ends inside a value \(at byte \d+\)/);
  });

  it('does not allocate what a hostile header claims', () => {
    const t0 = performance.now();
    expect(one(Uint8Array.from([0xdd, 0xff, 0xff, 0xff, 0xff, 1, 2])).error).toMatch(/claims 4294967295 items/);
    expect(one(Uint8Array.from([0xdf, 0xff, 0xff, 0xff, 0xff, 1, 2])).error).toMatch(/claims 4294967295 entries/);
    expect(one(Uint8Array.from([0xdb, 0xff, 0xff, 0xff, 0xff, 0x61])).error).toMatch(/ends inside/);
    // Arrays of 65535 nested as deep as a megabyte allows: each claim alone fits the frame, together they do not.
    const nested = new Uint8Array(DECODE_LIMIT - (DECODE_LIMIT % 3));
    for (let i = 0; i < nested.length; i += 3) nested.set([0xdc, 0xff, 0xff], i);
    expect(one(nested).error).toMatch(/claims 65535 items/);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('bounds nesting depth', () => {
    let v: unknown = 1;
    for (let i = 0; i < 100; i++) v = [v];
    expect(one(encode(v, { maxDepth: 200 })).error).toMatch(/nested deeper than 64/);
    let ok: unknown = 1;
    for (let i = 0; i < 60; i++) ok = { a: ok };
    expect(one(encode(ok)).error).toBeUndefined();
  });

  it('decodes the first part of a frame past the limit and says so', () => {
    const big = Array.from({ length: 200_000 }, (_, i) => ({ i, s: 'abcdefgh' }));
    const frame = encode(big);
    expect(frame.length).toBeGreaterThan(DECODE_LIMIT);
    const t0 = performance.now();
    const d = msgpackDecoder.decode(bin(frame), ctx);
    expect(performance.now() - t0).toBeLessThan(1500);
    expectWellFormed(d, 'msgpack');
    expect(d.error).toBeUndefined();
    expect(d.truncated).toMatch(/^decoded the first 1 MiB of [\d.]+ MiB; the last array holds only its first \d+ items$/);
    const part = d.messages[0].value as { i: number }[];
    expect(part.length).toBeGreaterThan(1000);
    expect(part.length).toBeLessThan(200_000);
    expect(part[1234]).toEqual({ i: 1234, s: 'abcdefgh' });
    // Several values: the complete ones, then the cut one.
    const two = concat(encode({ type: 'first' }), encode({ data: new Uint8Array(DECODE_LIMIT + 10) }));
    const e = one(two);
    expect(e.messages[0].summary).toBe('first {type}');
    expect(e.truncated).toMatch(/the last map holds only its first 0 entries/);
  });

  it('stops at a thousand values in one frame', () => {
    const d = one(new Uint8Array(5000).fill(0x90));
    expect(d.messages).toHaveLength(1000);
    expect(d.truncated).toBe('decoded the first 1000 values');
  });
});

describe('msgpack sniff', () => {
  const frames = [
    { type: 'trade', id: 1, price: 1.5 },
    { event: 'chat', args: ['hi', { user: 'bob' }] },
    [1, 2, 3],
    ['a', 'b'],
    [{ x: 1 }],
    { a: [1, { b: 'x' }] },
    [0, 'channel', { v: 2n ** 60n }],
    { m: new Uint8Array([1, 2]) },
    [[]],
  ];

  it('claims real MessagePack frames that start with a map or array', () => {
    for (const v of frames) expect(sniffMsgpack(bin(encode(v, { useBigInt64: true }))), JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x))).toBe(true);
    expect(sniffMsgpack(bin(concat(encode({ type: 'a' }), encode({ type: 'b' }))))).toBe(true);
  });

  it('does not claim CBOR frames of the same values', () => {
    for (const v of frames) expect(sniffMsgpack(bin(cborEncode(v)))).not.toBe(true);
  });

  it('says nothing of scalars, tiny frames, text and scalar sequences; false for broken maps', () => {
    expect(sniffMsgpack(bin(encode('just a string')))).toBeUndefined();
    expect(sniffMsgpack(bin(encode({})))).toBeUndefined();
    expect(sniffMsgpack({ opcode: 1, dir: 'sent', text: '[1,2]' })).toBeUndefined();
    // A protobuf field 16 varint reads as {} then two integers: not claimed.
    expect(sniffMsgpack(bin([0x80, 0x01, 0x05]))).toBeUndefined();
    expect(sniffMsgpack(bin([0x83, 0xa1, 0x61]))).toBe(false);
  });

  it('claims a frame past the read limit by its first part', () => {
    expect(sniffMsgpack(bin(encode(Array.from({ length: 200_000 }, (_, i) => ({ i, s: 'abcdefgh' })))))).toBe(true);
  });
});

describe('msgpack hostile input', () => {
  it('never throws, never hangs, always says msgpack', () => {
    const real = [
      encode({ type: 'trade', id: 7, price: 101.25, tags: ['a', 'b'], nested: { deep: [1, { x: null }] } }),
      encode([1, 2n ** 60n, -1, 'x', new Uint8Array([1, 2, 3]), new Date(0), true, 1.5], { useBigInt64: true }),
      concat(encode({ a: 1 }), encode([{ b: 2 }])),
    ];
    propertyCheck(decodeMsgpack, 'msgpack', real, sniffMsgpack);
  });
});
