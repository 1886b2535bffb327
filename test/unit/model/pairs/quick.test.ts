// The decoders' quickPair agrees with pairing's reading of their decode, on made and random texts.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { Encoder, PacketType } from 'socket.io-parser';
import { jsonrpcDecoder } from '../../../../src/model/decode/jsonrpc';
import { socketioDecoder } from '../../../../src/model/decode/socketio';
import type { DecodeInput, Decoder } from '../../../../src/model/decode/types';
import { pairKeysOf } from '../../../../src/model/pairs/from-decoded';
import { PAIR_ROLE } from '../../../../src/model/pairs/types';

const ctx = { url: 'ws://127.0.0.1/socket.io/?EIO=4&transport=websocket', protocol: '', sibling: () => undefined };
const text = (t: string, dir: 'sent' | 'received' = 'sent'): DecodeInput => ({ opcode: 1, dir, text: t });

function agrees(d: Decoder, f: DecodeInput): void {
  const q = d.quickPair!(f);
  if (q !== undefined) expect(q).toEqual(pairKeysOf(d.decode(f, ctx), f.dir));
}

describe('JSON-RPC quickPair', () => {
  const q = (t: string) => jsonrpcDecoder.quickPair!(text(t));
  test('reads requests, results and errors with their ids', () => {
    expect(q('{"jsonrpc":"2.0","id":7,"method":"subscribe","params":["x"]}')).toEqual([{ role: PAIR_ROLE.request, key: '7', name: 'subscribe' }]);
    expect(q(' { "id" : "a-8" , "result" : {"id":3} } ')).toEqual([{ role: PAIR_ROLE.answer, key: '"a-8"' }]);
    expect(q('{"jsonrpc":"2.0","error":{"code":1},"id":9}')).toEqual([{ role: PAIR_ROLE.answer, key: '9' }]);
    expect(q('{"jsonrpc":"2.0","id":1.50,"method":"m"}')).toEqual([{ role: PAIR_ROLE.request, key: '1.5', name: 'm' }]);
  });
  test('nothing to pair: notifications, null ids, no JSON-RPC message, not an object', () => {
    for (const t of ['{"jsonrpc":"2.0","method":"update"}', '{"id":null,"result":1}', '{"id":1}', '42', '', 'hello', '{"id":{},"method":"m"}', '{"id":1e999,"result":1}']) {
      expect(q(t)).toBeNull();
    }
  });
  test('leaves to decode what it cannot tell quickly: batches, escapes, repeated members, broken JSON', () => {
    for (const t of ['[{"id":1,"result":1}]', '{"id":"a\\"b","result":1}', '{"method":"a\\nb","id":1}', '{"id":1,"id":2,"result":1}', '{"\\u0069d":1,"result":1}', '{"id":1,"result":1', '{"id":1,"result":tru}', '{"id":1,"result":1}x']) {
      expect(q(t)).toBeUndefined();
    }
  });
  test('agrees with decode on made messages and on random texts', () => {
    const id = fc.oneof(fc.integer(), fc.string({ maxLength: 6 }), fc.double(), fc.constant(null), fc.constant(undefined));
    const msg = fc.record({
      jsonrpc: fc.option(fc.constant('2.0'), { nil: undefined }),
      id,
      method: fc.option(fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { nil: undefined }),
      result: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
      error: fc.option(fc.record({ code: fc.integer(), message: fc.string() }), { nil: undefined }),
      params: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(msg, fc.constantFrom('', ' ', '\n'), (m, ws) => {
        for (const dir of ['sent', 'received'] as const) agrees(jsonrpcDecoder, text(ws + JSON.stringify(m) + ws, dir));
      }),
      { numRuns: 1000 },
    );
    const alphabet = fc.constantFrom(...'{}[]",:0123456789-.eE \\untrl"idmethodresulterror'.split(''));
    fc.assert(fc.property(fc.string({ unit: alphabet, maxLength: 40 }), (s) => agrees(jsonrpcDecoder, text(s))), { numRuns: 3000 });
    fc.assert(
      fc.property(fc.nat(60), fc.constantFrom(...'{}[]",:0 \\x'.split('')), (at, c) => {
        const t = '{"jsonrpc":"2.0","id":12,"method":"sum","params":[1,{"a":"b"}]}';
        agrees(jsonrpcDecoder, text(t.slice(0, at) + c + t.slice(at + 1)));
        agrees(jsonrpcDecoder, text(t.slice(0, at)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('Socket.IO quickPair', () => {
  const q = (t: string) => socketioDecoder.quickPair!(text(t));
  test('EVENT with an ack id opens, ACK answers, per namespace', () => {
    expect(q('4212["chat",{"a":1}]')).toEqual([{ role: PAIR_ROLE.request, key: '/#12', name: 'chat' }]);
    expect(q('42/admin,7["chat"]')).toEqual([{ role: PAIR_ROLE.request, key: '/admin#7', name: 'chat' }]);
    expect(q('4312[true]')).toEqual([{ role: PAIR_ROLE.answer, key: '/#12' }]);
    expect(q('451-/admin,3["up",{"_placeholder":true,"num":0}]')).toEqual([{ role: PAIR_ROLE.request, key: '/admin#3', name: 'up' }]);
    expect(q('42["chat"]')).toBeNull();
    expect(q('2')).toBeNull();
    expect(socketioDecoder.quickPair!({ opcode: 2, dir: 'sent', bytes: new Uint8Array([1]) })).toBeNull();
  });
  test('agrees with decode on what socket.io-parser makes and on random texts', () => {
    const json = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<unknown>;
    const enc = (p: Record<string, unknown>) => (new Encoder().encode(p as never) as unknown[]).filter((x): x is string => typeof x === 'string');
    fc.assert(
      fc.property(
        fc.constantFrom(PacketType.EVENT, PacketType.ACK), fc.constantFrom('/', '/admin'), fc.option(fc.nat(1e6), { nil: undefined }),
        fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), json), fc.array(json, { maxLength: 3 }),
        (type, nsp, id, first, args) => {
          for (const s of enc({ type, nsp, id, data: [first, ...args] })) agrees(socketioDecoder, text('4' + s, 'received'));
        },
      ),
      { numRuns: 500 },
    );
    const alphabet = fc.constantFrom(...'0123456789[]{}",/-\\ abc:'.split(''));
    fc.assert(fc.property(fc.string({ unit: alphabet, maxLength: 30 }), (s) => agrees(socketioDecoder, text('4' + s))), { numRuns: 3000 });
  });
});
