import { afterEach, describe, expect, it } from 'vitest';
import protobuf from 'protobufjs';
import { createProtobufSchemaDecoder, protobufMessageTypes } from '../../../../src/model/decode/protobuf-schema';
import type { Decoder } from '../../../../src/model/decode/types';
import { DECODE_LIMIT } from '../../../../src/model/decode/types';
import { bin, concat, ctx, expectWellFormed, propertyCheck } from './helpers';
import { encodeAs, Level, LevelV2, MARKET_PROTO, Trade, TRADE } from './protobuf-fixtures';

const frameOf = (type: protobuf.Type, v: Record<string, unknown>) => Uint8Array.from(encodeAs(type, v));

function decoderFor(proto: string | string[], type: string): Decoder {
  const r = createProtobufSchemaDecoder(proto, type);
  if ('error' in r) throw new Error(r.error);
  return r.decoder;
}
const trades = decoderFor(MARKET_PROTO, 'market.Trade');
const one = (d: Decoder, b: Uint8Array) => {
  const out = d.decode(bin(b), ctx);
  expectWellFormed(out, 'protobuf');
  expect(out.messages).toHaveLength(1);
  return out;
};

describe('protobuf with a schema', () => {
  it('parses, lists types and decodes without generating code (the extension forbids eval; the build ships none)', () => {
    const bytes = frameOf(Trade, TRADE);
    const util = protobuf.util as unknown as { codegen: unknown };
    const real = util.codegen;
    util.codegen = () => {
      throw new Error('code generated');
    };
    try {
      expect(protobufMessageTypes(MARKET_PROTO)).toMatchObject({ types: expect.arrayContaining(['market.Trade']) });
      const out = decoderFor(MARKET_PROTO, 'market.Trade').decode(bin(bytes), ctx);
      expect(out.error).toBeUndefined();
      expect(out.messages[0].value).toMatchObject({ symbol: 'BTC-USD', side: 'SELL' });
    } finally {
      util.codegen = real;
    }
  });

  it('decodes a real message to the typed object', () => {
    const d = one(trades, frameOf(Trade, TRADE));
    expect(d.error).toBeUndefined();
    expect(d.messages[0].value).toEqual({
      symbol: 'BTC-USD',
      id: '9007199254740993',
      price: 101.25,
      side: 'SELL',
      flags: [1, 2, 300],
      levels: [
        { price: 100.5, size: -3 },
        { price: 100.75, size: 12 },
      ],
      raw: Uint8Array.from([0xde, 0xad, 0xbe, 0xef]),
      totals: { BTC: 5, ETH: -7 },
      best: { price: 99.5, size: 1 },
      big: '18446744073709551615',
      f32: 4000000000,
      sf64: -2,
      ratio: 0.5,
      live: true,
      tags: ['spot', 'fast'],
      by_id: { 7: { price: 1, size: 2 } },
      event: 'fill',
      parent: { symbol: 'BTC-USD', id: -5 },
      delta: -17,
      maybe: 0,
    });
  });

  it('agrees with protobufjs toObject on the same frame', () => {
    const frame = frameOf(Trade, TRADE);
    const ref = Trade.toObject(Trade.decode(frame), { longs: String, enums: String }) as Record<string, unknown>;
    const ours = one(trades, frame).messages[0].value as Record<string, unknown>;
    expect(Object.keys(ours).sort()).toEqual(Object.keys(ref).sort());
    expect(String(ours.id)).toBe(ref.id);
    expect(String(ours.sf64)).toBe(ref.sf64);
    expect(ours.side).toBe(ref.side);
    expect(ours.levels).toEqual((ref.levels as { price: number; size: string }[]).map((l) => ({ price: l.price, size: Number(l.size) })));
  });

  it('summarizes with the type name and the fields sent, fills names.event / names.method', () => {
    const m = one(trades, frameOf(Trade, TRADE)).messages[0];
    expect(m.kind).toBe('message');
    expect(m.summary).toBe('Trade {symbol, id, price, side, flags, levels, raw, totals, best, big, …}');
    expect(m.names).toEqual({ event: 'fill' });
    expect(one(trades, frameOf(Trade, { symbol: 'ETH' })).messages[0].summary).toBe('Trade {symbol}');
    expect(one(trades, new Uint8Array(0)).messages[0].summary).toBe('Trade {}');
    const rpc = decoderFor('syntax = "proto3"; message Call { string method = 1; uint32 id = 2; }', 'Call');
    const C = protobuf.parse('syntax = "proto3"; message Call { string method = 1; uint32 id = 2; }').root.lookupType('Call');
    expect(one(rpc, frameOf(C, { method: 'subscribe', id: 3 })).messages[0]).toMatchObject({ summary: 'Call {method, id}', names: { method: 'subscribe' } });
    expect(rpc.label).toBe('Protobuf (Call)');
    expect(rpc.id).toBe('protobuf');
  });

  it('keeps the last member of a oneof', () => {
    const frame = concat(frameOf(Trade, { note: 'first' }), frameOf(Trade, { best: { price: 2 } }));
    expect(one(trades, frame).messages[0].value).toEqual({ best: { price: 2 } });
  });

  it('reads repeated scalars packed and unpacked, enums it has no name for as numbers', () => {
    // Field 5 unpacked: tag 0x28 per value; field 4 (Side) with 9, which the enum does not name.
    const frame = Uint8Array.from([0x28, 0x01, 0x28, 0x02, 0x2a, 0x02, 0x03, 0x04, 0x20, 0x09]);
    expect(one(trades, frame).messages[0].value).toEqual({ flags: [1, 2, 3, 4], side: 9 });
  });

  it('keeps fields the schema does not know under $unknown', () => {
    const levels = decoderFor(MARKET_PROTO, 'market.Level');
    const frame = frameOf(LevelV2, { price: 1.5, size: 2, venue: 'X', seq: '7' });
    const v = one(levels, frame).messages[0].value as Record<string, unknown>;
    expect(v.price).toBe(1.5);
    expect(v.size).toBe(2);
    expect(v.$unknown).toEqual({ 3: { wire: 'len', value: 'X' }, 4: { wire: 'i64', value: 7, double: 3.5e-323 } });
    // A known field sent with another wire type is unknown too.
    expect(one(levels, Uint8Array.from([0x08, 0x05])).messages[0].value).toEqual({ $unknown: { 1: { wire: 'varint', value: 5, zigzag: -3 } } });
  });

  it('reads proto2 groups', () => {
    const proto = 'syntax = "proto2"; message G { optional group Grp = 1 { optional int32 a = 2; } repeated int32 b = 3; }';
    const G = protobuf.parse(proto).root.lookupType('G');
    const v = one(decoderFor(proto, 'G'), Uint8Array.from(G.encode(G.fromObject({ grp: { a: 5 }, b: [1, 2] })).finish())).messages[0].value;
    expect(v).toEqual({ grp: { a: 5 }, b: [1, 2] });
  });

  it('resolves types across several files and the well-known google types', () => {
    const common = 'syntax = "proto3"; package common; message Money { string currency = 1; int64 units = 2; }';
    const orders = `syntax = "proto3";
package orders;
import "common.proto";
import "google/protobuf/timestamp.proto";
message Order { common.Money total = 1; google.protobuf.Timestamp at = 2; }`;
    const d = decoderFor([common, orders], 'orders.Order');
    const frame = Uint8Array.from([0x0a, 0x07, 0x0a, 0x03, 0x45, 0x55, 0x52, 0x10, 0x0c, 0x12, 0x02, 0x08, 0x01]);
    expect(one(d, frame).messages[0].value).toEqual({ total: { currency: 'EUR', units: 12 }, at: { seconds: 1 } });
    expect(protobufMessageTypes([common, orders])).toEqual({ types: ['common.Money', 'orders.Order'] });
  });

  it('says which line of an invalid .proto is wrong', () => {
    const bad = createProtobufSchemaDecoder('syntax = "proto3";\nmessage M {\n  int32 a = 1\n}\n', 'M');
    expect(bad).toEqual({ error: `invalid .proto: illegal token '}', ';' expected (line 4)` });
    const missing = createProtobufSchemaDecoder('syntax = "proto3";\n\nmessage M {\n  Foo a = 1;\n}\n', 'M');
    expect('error' in missing && missing.error).toMatch(/^invalid \.proto: no such Type or Enum 'Foo'.*\(line 4\)$/);
    const second = createProtobufSchemaDecoder(['syntax = "proto3"; message A {}', 'syntax = "proto3";\nmessage B { x }'], 'A');
    expect('error' in second && second.error).toMatch(/^\.proto file 2: invalid \.proto: .*line 2/);
    const noType = createProtobufSchemaDecoder(MARKET_PROTO, 'market.Nope');
    expect(noType).toEqual({ error: 'no message type market.Nope in the .proto (it defines market.Level, market.Trade, market.LevelV2)' });
    expect(createProtobufSchemaDecoder(MARKET_PROTO, 'market.Side')).toMatchObject({ error: expect.stringMatching(/no message type market\.Side/) });
    expect(protobufMessageTypes('message {')).toMatchObject({ error: expect.stringMatching(/line 1/) });
  });

  it('neither builds nor runs generated code (the extension forbids eval)', () => {
    const original = globalThis.Function;
    const blocked = function () {
      throw new EvalError('eval is blocked here');
    } as unknown as FunctionConstructor;
    try {
      globalThis.Function = blocked;
      // The block works: protobufjs's own decoder is generated code.
      const fresh = protobuf.parse(MARKET_PROTO.replace(/market/g, 'other')).root.lookupType('other.Trade');
      expect(() => fresh.decode(frameOf(Trade, TRADE))).toThrow(EvalError);
      const r = createProtobufSchemaDecoder(MARKET_PROTO.replace(/market/g, 'fresh'), 'fresh.Trade');
      expect('decoder' in r).toBe(true);
      if ('decoder' in r) {
        const d = r.decoder.decode(bin(frameOf(Trade, TRADE)), ctx);
        expect(d.error).toBeUndefined();
        expect((d.messages[0].value as { symbol: string }).symbol).toBe('BTC-USD');
      }
    } finally {
      globalThis.Function = original;
    }
  });

  it('keeps what it read before a broken field and says why', () => {
    const d = one(trades, concat(frameOf(Trade, { symbol: 'A' }), [0x12, 0x05]));
    expect(d.messages[0].value).toEqual({ symbol: 'A' });
    expect(d.error).toMatch(/at byte 3 runs past the end of the frame/);
    expect(one(trades, Uint8Array.from([0x0f])).error).toMatch(/wire type 7/);
    expect(trades.decode({ opcode: 1, dir: 'sent', text: 'x' }, ctx).error).toMatch(/text frame/);
  });

  it('bounds nesting', () => {
    let deep: Uint8Array = Uint8Array.from([0x0a, 0x01, 0x41]);
    for (let i = 0; i < 100; i++) deep = concat([0x9a, 0x01], varint(deep.length), deep); // field 19: parent
    expect(one(trades, deep).error).toMatch(/nested deeper than 64/);
  });

  it('decodes the first part of a frame past the limit and says so', () => {
    const big = frameOf(Trade, { symbol: 'X', tags: Array.from({ length: 120_000 }, (_, i) => `tag-${i}`) });
    expect(big.length).toBeGreaterThan(DECODE_LIMIT);
    const d = one(trades, big);
    expect(d.error).toBeUndefined();
    expect(d.truncated).toMatch(/^decoded the first 1 MiB of 1\.\d MiB$/);
    const v = d.messages[0].value as { symbol: string; tags: string[] };
    expect(v.symbol).toBe('X');
    expect(v.tags[99]).toBe('tag-99');
  });

  afterEach(() => {
    expect(globalThis.Function.name).toBe('Function');
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

describe('protobuf schema hostile input', () => {
  it('never throws, never hangs, always says protobuf', () => {
    const real = [frameOf(Trade, TRADE), frameOf(Level, { price: 1.5, size: -2 }), frameOf(Trade, { parent: { parent: { levels: [{ size: 1 }] } }, by_id: { 1: {} } })];
    propertyCheck((f) => trades.decode(f, ctx), 'protobuf', real);
  });
});
