// WAMP frames are written here from the WAMP v2 spec (no WAMP client library is installed): JSON.stringify for
// wamp.2.json, @msgpack/msgpack's encode for wamp.2.msgpack.
import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { wampDecoder as d } from '../../../../src/model/decode/wamp';
import { DECODE_LIMIT } from '../../../../src/model/decode/types';
import { bin, checkHostile, ctx, expectWellFormed, isPlain, text } from './rpc-support';

const roles = { roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} } };
const session: [unknown[], string][] = [
  [[1, 'realm1', roles], 'HELLO realm1'],
  [[4, 'wampcra', { challenge: '{"nonce":"x"}' }], 'CHALLENGE wampcra'],
  [[5, 'c2lnbmF0dXJl', {}], 'AUTHENTICATE'],
  [[2, 9129137332, { roles: { broker: {}, dealer: {} } }], 'WELCOME session 9129137332'],
  [[32, 713845233, {}, 'com.app.chat'], 'SUBSCRIBE com.app.chat #713845233'],
  [[33, 713845233, 5512315355], 'SUBSCRIBED #713845233 sub 5512315355'],
  [[16, 239714735, { acknowledge: true }, 'com.app.chat', ['hi'], { from: 'ada' }], 'PUBLISH com.app.chat'],
  [[17, 239714735, 4429313566], 'PUBLISHED #239714735 pub 4429313566'],
  [[36, 5512315355, 4429313566, {}, ['hi'], { from: 'ada' }], 'EVENT sub 5512315355'],
  [[36, 55, 66, { topic: 'com.app.chat.room1' }, ['x']], 'EVENT sub 55 com.app.chat.room1'],
  [[64, 25349185, {}, 'com.app.add'], 'REGISTER com.app.add #25349185'],
  [[65, 25349185, 2103333224], 'REGISTERED #25349185 reg 2103333224'],
  [[48, 12, {}, 'com.app.add', [2, 3]], 'CALL com.app.add #12'],
  [[68, 6131533, 2103333224, {}, [2, 3]], 'INVOCATION #6131533 reg 2103333224'],
  [[68, 6131534, 2103333224, { procedure: 'com.app.add' }, [1, 1]], 'INVOCATION #6131534 reg 2103333224 com.app.add'],
  [[70, 6131533, {}, [5]], 'YIELD #6131533'],
  [[50, 12, {}, [5]], 'RESULT #12'],
  [[48, 13, {}, 'com.app.nope'], 'CALL com.app.nope #13'],
  [[8, 48, 13, {}, 'wamp.error.no_such_procedure'], 'ERROR CALL #13 wamp.error.no_such_procedure'],
  [[49, 14, { mode: 'kill' }], 'CANCEL #14'],
  [[69, 6131535, { mode: 'kill' }], 'INTERRUPT #6131535'],
  [[34, 85346237, 5512315355], 'UNSUBSCRIBE #85346237 sub 5512315355'],
  [[35, 85346237], 'UNSUBSCRIBED #85346237'],
  [[66, 788923562, 2103333224], 'UNREGISTER #788923562 reg 2103333224'],
  [[67, 788923562], 'UNREGISTERED #788923562'],
  [[6, {}, 'wamp.close.close_realm'], 'GOODBYE wamp.close.close_realm'],
  [[3, { message: 'no such realm' }, 'wamp.error.no_such_realm'], 'ABORT wamp.error.no_such_realm'],
];
const jsonFrames = session.map(([m]) => text(JSON.stringify(m)));
const packFrames = session.map(([m]) => bin(encode(m)));

describe('WAMP decoder', () => {
  it('decodes every message type, JSON and MessagePack alike', () => {
    for (const frames of [jsonFrames, packFrames]) {
      const out = frames.map((f) => d.decode(f, ctx(frames === jsonFrames ? 'wamp.2.json' : 'wamp.2.msgpack')));
      for (const o of out) {
        expectWellFormed(o, 'wamp');
        expect(o.error).toBeUndefined();
      }
      expect(out.map((o) => o.messages[0].summary)).toEqual(session.map(([, s]) => s));
    }
    const call = d.decode(packFrames[12], ctx()).messages[0];
    expect(call).toEqual({
      summary: 'CALL com.app.add #12',
      kind: 'CALL',
      names: { method: 'com.app.add' },
      id: 12,
      value: { type: 'CALL', code: 48, request: 12, options: {}, procedure: 'com.app.add', args: [2, 3] },
    });
    expect(d.decode(jsonFrames[6], ctx()).messages[0]).toMatchObject({
      names: { topic: 'com.app.chat' },
      id: 239714735,
      value: { topic: 'com.app.chat', args: ['hi'], kwargs: { from: 'ada' }, options: { acknowledge: true } },
    });
    expect(d.decode(jsonFrames[9], ctx()).messages[0].names).toEqual({ topic: 'com.app.chat.room1' });
    expect(d.decode(jsonFrames[8], ctx()).messages[0].id).toBeUndefined();
    expect(d.decode(jsonFrames[18], ctx()).messages[0]).toMatchObject({ id: 13, value: { requestType: 48, error: 'wamp.error.no_such_procedure' } });
    // A WAMP id up to 2^53 is a uint64 in MessagePack: it comes back a number.
    expect(d.decode(bin(encode([33, 1, 2 ** 53 - 1])), ctx()).messages[0].value).toMatchObject({ subscription: 2 ** 53 - 1 });
    expect(d.decode(bin(encode([50, 2n ** 63n + 5n, {}], { useBigInt64: true })), ctx()).messages[0].id).toBe('9223372036854775813');
  });

  it('keeps elements past the layout, and reports what is not WAMP', () => {
    expect(d.decode(text('[50,1,{},[1],{},"extra"]'), ctx()).messages[0].value).toMatchObject({ rest: ['extra'] });
    expect(d.decode(text('[99,1]'), ctx()).error).toBe('unknown WAMP message code 99');
    expect(d.decode(text('{"a":1}'), ctx()).error).toMatch(/not an array/);
    expect(d.decode(text('["x"]'), ctx()).error).toMatch(/no code/);
    expect(d.decode(bin(new Uint8Array([0xc1])), ctx()).error).toMatch(/^bad MessagePack/);
    expect(d.decode(bin(new TextEncoder().encode('[48,1,{},"p"]')), ctx()).messages[0].summary).toBe('CALL p #1');
    // MessagePack timestamps and extensions become plain data.
    const v = d.decode(bin(encode([36, 1, 2, {}, [new Date(0)]])), ctx()).messages[0].value as any;
    expect(v.args).toEqual(['1970-01-01T00:00:00.000Z']);
    const ext = new Uint8Array([0x94, 0x32, 0x01, 0x80, 0x91, 0xd4, 0x05, 0x07]);
    expect((d.decode(bin(ext), ctx()).messages[0].value as any).args).toEqual([{ ext: 5, data: new Uint8Array([7]) }]);
  });

  it('reads the head of a frame past DECODE_LIMIT', () => {
    const big = 'x'.repeat(DECODE_LIMIT);
    const t = d.decode(text(JSON.stringify([48, 7, { timeout: 10 }, 'com.app.upload', [big]])), ctx());
    expect(t.truncated).toBeDefined();
    expect(t.messages[0]).toMatchObject({ summary: 'CALL com.app.upload #7', id: 7, names: { method: 'com.app.upload' } });
    const b = d.decode(bin(encode([16, 8, { acknowledge: true }, 'com.app.blob', [big]])), ctx());
    expect(b.truncated).toBeDefined();
    expect(b.messages[0]).toMatchObject({ summary: 'PUBLISH com.app.blob', id: 8, names: { topic: 'com.app.blob' } });
  });

  it('sniffs an opening HELLO or WELCOME only', () => {
    expect(d.sniff!(jsonFrames[0], '')).toBe(true);
    expect(d.sniff!(jsonFrames[3], '')).toBe(true);
    expect(d.sniff!(packFrames[0], '')).toBe(true);
    expect(d.sniff!(jsonFrames[12], '')).toBeUndefined();
    expect(d.sniff!(text('[1,"realm1",{}]'), '')).toBeUndefined();
    expect(d.sniff!(text('{"jsonrpc":"2.0","id":1}'), '')).toBe(false);
    expect(d.sniff!(text('["chat",{}]'), '')).toBe(false);
    expect(d.sniff!(text('42["chat"]'), '')).toBe(false);
  });

  it('shows any MessagePack extension type as plain { ext, data }, the reserved negative ones too', () => {
    // A PUBLISH whose details map holds fixext1 of type -95 (what a mutated recorded frame had).
    const bytes = Uint8Array.from([149, 16, 55, 129, 161, 120, 212, 161, 7, 161, 116, 145, 1]);
    const r = d.decode({ opcode: 2, dir: 'received', bytes }, ctx('wamp.2.msgpack'));
    expect(isPlain(r.messages[0]?.value)).toBe(true);
    expect(JSON.stringify(r.messages[0].value, (_, v: unknown) => (v instanceof Uint8Array ? [...v] : v))).toContain('{"ext":-95,"data":[7]}');
  });

  it('survives hostile input', () => {
    checkHostile(d, [...jsonFrames, ...packFrames]);
  });
});
