// The framings whose frames lean on their neighbours (Socket.IO attachments, SockJS carrying STOMP, STOMP) under the
// same hostile-input properties as the other decoders: random texts, JSON and bytes, the recorded frames cut and
// mutated; then with random frames before and after (what an attachment or a reassembly looks back at).
import { describe, it } from 'vitest';
import fc from 'fast-check';
import { socketioDecoder } from '../../../../src/model/decode/socketio';
import { sockjsDecoder } from '../../../../src/model/decode/sockjs';
import { stompDecoder } from '../../../../src/model/decode/stomp';
import type { DecodeInput } from '../../../../src/model/decode/types';
import { checkHostile, expectWellFormed } from './rpc-support';
import { ctxFor, inputOf, recordedConnection } from './sio-support';

const cases = [
  { d: socketioDecoder, fixture: 'socketio', label: 'websocket', url: 'ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket' },
  { d: socketioDecoder, fixture: 'socketio', label: 'upgrade', url: 'ws://127.0.0.1:3000/socket.io/?EIO=3&transport=websocket' },
  { d: sockjsDecoder, fixture: 'stomp', label: 'sockjs', url: 'ws://127.0.0.1:3000/stomp/123/abcdefgh/websocket' },
  { d: stompDecoder, fixture: 'stomp', label: 'ws', url: 'ws://127.0.0.1:3000/stomp' },
].map((c) => ({ ...c, name: c.d.label }));

describe.each(cases)('$name on hostile input (recorded $fixture/$label)', ({ d, fixture, label, url }) => {
  const real = recordedConnection(fixture, label).frames.map(inputOf);
  const protocol = d === stompDecoder ? 'v12.stomp' : '';

  it('never throws and always says what it is: random input, recorded frames cut and mutated', () => {
    checkHostile(d, real, 300, { url, protocol, sibling: () => undefined });
  });

  it('never throws with random neighbours, recorded ones among them', () => {
    const one = fc.oneof(
      fc.constantFrom(...real),
      fc.string({ unit: 'binary', maxLength: 80 }).map((t): DecodeInput => ({ opcode: 1, dir: 'received', text: t })),
      fc.uint8Array({ maxLength: 80 }).map((b): DecodeInput => ({ opcode: 2, dir: 'received', bytes: b })),
    );
    fc.assert(
      fc.property(fc.array(one, { minLength: 1, maxLength: 12 }), fc.nat(), (list, pick) => {
        // One direction, so every frame is a neighbour of every other.
        const frames = list.map((f) => ({ ...f, dir: 'received' as const }));
        const i = pick % frames.length;
        expectWellFormed(d.decode(frames[i], ctxFor(frames, i, url, protocol)), d.id);
      }),
      { numRuns: 1000 },
    );
  });
});
