// Inputs built to make a decoder work hard: deep nesting, endless tiny messages, frames far past DECODE_LIMIT. Each
// must come back, well-formed, having done bounded work.
import { describe, expect, it } from 'vitest';
import { actioncableDecoder } from '../../../../src/model/decode/actioncable';
import { graphqlWsDecoder } from '../../../../src/model/decode/graphqlws';
import { jsonrpcDecoder } from '../../../../src/model/decode/jsonrpc';
import { signalrDecoder } from '../../../../src/model/decode/signalr';
import { DECODE_LIMIT, type DecodeInput } from '../../../../src/model/decode/types';
import { wampDecoder } from '../../../../src/model/decode/wamp';
import { bin, ctx, expectWellFormed, text } from './rpc-support';

const decoders = [jsonrpcDecoder, graphqlWsDecoder, signalrDecoder, actioncableDecoder, wampDecoder];
const M = DECODE_LIMIT;

const inputs: [string, () => DecodeInput][] = [
  ['deep arrays', () => text('['.repeat(M / 2) + ']'.repeat(M / 2))],
  ['deep objects', () => text('{"a":'.repeat(M / 10) + '1' + '}'.repeat(M / 10))],
  ['deep and cut', () => text('['.repeat(M * 3))],
  ['an unclosed string', () => text('{"jsonrpc":"2.0","method":"' + 'x'.repeat(M * 2))],
  ['many records', () => text('{"type":6}\x1e'.repeat(M / 8))],
  ['many tiny MessagePack messages', () => bin(new Uint8Array(M).fill(0).map((_, i) => (i % 2 ? 0x06 : 0x01)))],
  ['deep MessagePack', () => bin(new Uint8Array(M).fill(0x91))],
  ['a huge MessagePack length', () => bin(new Uint8Array([0x93, 0x30, 0xdb, 0xff, 0xff, 0xff, 0xff, 0x61]))],
  ['bytes past the limit', () => bin(new Uint8Array(M * 3).fill(0x7b))],
  [
    'a deep GraphQL query',
    () => text(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'query Q ' + '{ a '.repeat(15_000) + '}'.repeat(15_000) } })),
  ],
  ['a huge GraphQL query', () => text(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `{ ${'"'.repeat(M / 2)} }` } }))],
  ['a 64 MB frame', () => text(`{"jsonrpc":"2.0","id":1,"method":"big","params":["${'x'.repeat(64 * 1024 * 1024)}"]}`)],
];

describe('the RPC decoders on pathological input', () => {
  for (const [name, make] of inputs) {
    it(`come back from ${name}`, () => {
      const f = make();
      for (const d of decoders) {
        const t0 = performance.now();
        const out = d.decode(f, ctx());
        d.sniff?.(f, '');
        expectWellFormed(out, d.id);
        expect(out.messages.length).toBeLessThanOrEqual(1000);
        expect(performance.now() - t0).toBeLessThan(2000);
      }
    });
  }

  it('say that a 64 MB frame was read in part', () => {
    const f = text(`{"jsonrpc":"2.0","id":1,"method":"big","params":["${'x'.repeat(64 * 1024 * 1024)}"]}`);
    const out = jsonrpcDecoder.decode(f, ctx());
    expect(out.truncated).toBe(`decoded the first ${M} of ${f.text!.length} characters`);
    expect(out.messages[0].summary).toBe('→ big #1');
  });
});
