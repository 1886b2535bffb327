// The JSON-shaped protocols look alike: no decoder's sniff may claim another's recorded frames.
import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { actioncableDecoder } from '../../../../src/model/decode/actioncable';
import { graphqlWsDecoder } from '../../../../src/model/decode/graphqlws';
import { jsonrpcDecoder } from '../../../../src/model/decode/jsonrpc';
import { signalrDecoder } from '../../../../src/model/decode/signalr';
import type { Decoder, DecodeInput } from '../../../../src/model/decode/types';
import { wampDecoder } from '../../../../src/model/decode/wamp';
import { bin, fixtureFrames, text } from './rpc-support';

const wamp = [
  [1, 'realm1', { roles: { caller: {} } }],
  [2, 1, { roles: { dealer: {} } }],
  [48, 1, {}, 'com.app.add', [1]],
  [50, 1, {}, [2]],
];
const corpus: [Decoder, DecodeInput[]][] = [
  [jsonrpcDecoder, fixtureFrames('jsonrpc')],
  [graphqlWsDecoder, [...fixtureFrames('graphql'), ...fixtureFrames('graphql-legacy')]],
  [signalrDecoder, fixtureFrames('signalr')],
  [actioncableDecoder, fixtureFrames('actioncable')],
  [wampDecoder, [...wamp.map((m) => text(JSON.stringify(m))), ...wamp.map((m) => bin(encode(m)))]],
];

describe('sniffing across JSON-RPC, GraphQL WS, SignalR, ActionCable and WAMP', () => {
  for (const [decoder, own] of corpus) {
    it(`${decoder.id} claims its own connection's opening and none of the others' frames`, () => {
      expect(own.slice(0, 3).some((f) => decoder.sniff!(f, ''))).toBe(true);
      for (const [other, frames] of corpus) {
        if (other === decoder) continue;
        for (const f of frames) {
          const said = decoder.sniff!(f, '');
          if (said === true) throw new Error(`${decoder.id} claims a ${other.id} frame: ${f.text ?? '(binary)'}`);
        }
      }
    });
  }

  it('none claims frames of other common protocols', () => {
    const others = [
      text('0{"sid":"abc","upgrades":[],"pingInterval":25000}'),
      text('40'),
      text('42["chat",{"type":"subscribe","id":1}]'),
      text('2probe'),
      text('o'),
      text('a["{\\"type\\":\\"welcome\\"}"]'),
      text('CONNECT\naccept-version:1.2\nhost:x\n\n\0'),
      text('{"type":"message","data":{"jsonrpc":"2.0"}}'),
      text('{"event":"pusher:connection_established","data":"{}"}'),
      text('{"op":"subscribe","args":["trade"]}'),
      text('[{"channel":"/meta/handshake","version":"1.0"}]'),
      bin(new Uint8Array([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c])),
      bin(encode({ type: 1, target: 'x' })),
      bin(new Uint8Array([0xa2, 0x64, 0x74, 0x79, 0x70, 0x65, 0x01])),
      bin(new Uint8Array([0x08, 0x96, 0x01])),
    ];
    for (const [decoder] of corpus) {
      for (const f of others) {
        if (decoder.sniff!(f, '') === true) throw new Error(`${decoder.id} claims ${f.text ?? '(binary)'}`);
      }
    }
  });
});
