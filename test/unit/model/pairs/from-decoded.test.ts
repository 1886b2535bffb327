// What pairing reads off each protocol's decode: which messages open, answer, continue or end an exchange.
import { describe, expect, it } from 'vitest';
import { pairKeysOf } from '../../../../src/model/pairs/from-decoded';
import { PAIR_ROLE as R } from '../../../../src/model/pairs/types';
import { signalrDecoder } from '../../../../src/model/decode/signalr';
import { stompDecoder } from '../../../../src/model/decode/stomp';
import { wampDecoder } from '../../../../src/model/decode/wamp';
import { mqttDecoder } from '../../../../src/model/decode/mqtt';
import { graphqlWsDecoder } from '../../../../src/model/decode/graphqlws';
import type { Decoder } from '../../../../src/model/decode/types';
import type { Direction } from '../../../../src/model/types';

const ctx = (protocol = '') => ({ url: 'ws://x/', protocol, sibling: () => undefined });
const keys = (d: Decoder, dir: Direction, payload: string | number[], protocol = '') => {
  const f = typeof payload === 'string' ? { opcode: 1, dir, text: payload } : { opcode: 2, dir, bytes: Uint8Array.from(payload) };
  return pairKeysOf(d.decode(f, ctx(protocol)), dir);
};

describe('pair keys from decodes', () => {
  it('SignalR: invocations and stream invocations open, items continue, completions answer, a cancel ends', () => {
    const rs = '\x1e';
    expect(keys(signalrDecoder, 'sent', `{"type":1,"invocationId":"1","target":"Send","arguments":[]}${rs}{"type":4,"invocationId":"2","target":"Ticks","arguments":[]}${rs}`)).toEqual([
      { role: R.request, key: '"1"', name: 'Send' }, { role: R.request, key: '"2"', name: 'Ticks' },
    ]);
    expect(keys(signalrDecoder, 'received', `{"type":2,"invocationId":"2","item":1}${rs}{"type":3,"invocationId":"1","result":5}${rs}`)).toEqual([
      { role: R.item, key: '"2"' }, { role: R.answer, key: '"1"' },
    ]);
    expect(keys(signalrDecoder, 'sent', `{"type":5,"invocationId":"2"}${rs}`)).toEqual([{ role: R.cancel, key: '"2"' }]);
    expect(keys(signalrDecoder, 'received', `{"type":1,"target":"Notify","arguments":[]}${rs}`)).toBeNull();
  });

  it('STOMP: a client frame with a receipt opens, RECEIPT / ERROR with its receipt-id answers', () => {
    expect(keys(stompDecoder, 'sent', 'SEND\ndestination:/queue/a\nreceipt:77\n\nhello\0')).toEqual([{ role: R.request, key: '"77"', name: '/queue/a' }]);
    expect(keys(stompDecoder, 'sent', 'DISCONNECT\nreceipt:78\n\n\0')).toEqual([{ role: R.request, key: '"78"', name: 'DISCONNECT' }]);
    expect(keys(stompDecoder, 'received', 'RECEIPT\nreceipt-id:77\n\n\0')).toEqual([{ role: R.answer, key: '"77"' }]);
    expect(keys(stompDecoder, 'sent', 'SEND\ndestination:/queue/a\n\nhello\0')).toBeNull();
  });

  it('WAMP: CALL → RESULT (progressive results continue), acknowledged PUBLISH → PUBLISHED, ERROR answers', () => {
    expect(keys(wampDecoder, 'sent', '[48,7,{},"com.add",[1,2]]')).toEqual([{ role: R.request, key: '7', name: 'com.add' }]);
    expect(keys(wampDecoder, 'received', '[50,7,{"progress":true},[1]]')).toEqual([{ role: R.item, key: '7' }]);
    expect(keys(wampDecoder, 'received', '[50,7,{},[3]]')).toEqual([{ role: R.answer, key: '7' }]);
    expect(keys(wampDecoder, 'sent', '[16,8,{},"news"]')).toBeNull();
    expect(keys(wampDecoder, 'sent', '[16,8,{"acknowledge":true},"news"]')).toEqual([{ role: R.request, key: '8', name: 'news' }]);
    expect(keys(wampDecoder, 'received', '[17,8,99]')).toEqual([{ role: R.answer, key: '8' }]);
    expect(keys(wampDecoder, 'received', '[8,48,9,{},"wamp.error.no_such_procedure"]')).toEqual([{ role: R.answer, key: '9' }]);
    expect(keys(wampDecoder, 'sent', '[32,10,{},"prices"]')).toEqual([{ role: R.request, key: '10', name: 'prices' }]);
  });

  it('MQTT: PUBLISH QoS 1 → PUBACK; QoS 2 → PUBREC (answer) → PUBREL → PUBCOMP; SUBSCRIBE → SUBACK', () => {
    const topic = [0, 3, 97, 47, 98]; // "a/b"
    expect(keys(mqttDecoder, 'sent', [0x32, 7, ...topic, 0, 5, 104])).toEqual([{ role: R.request, key: '5', name: 'a/b' }]);
    expect(keys(mqttDecoder, 'received', [0x40, 2, 0, 5])).toEqual([{ role: R.answer, key: '5' }]);
    expect(keys(mqttDecoder, 'received', [0x50, 2, 0, 6])).toEqual([{ role: R.item, key: '6' }]);
    expect(keys(mqttDecoder, 'sent', [0x62, 2, 0, 6])).toEqual([{ role: R.follow, key: '6' }]);
    expect(keys(mqttDecoder, 'received', [0x70, 2, 0, 6])).toEqual([{ role: R.answer, key: '6' }]);
    expect(keys(mqttDecoder, 'sent', [0x82, 8, 0, 9, ...topic, 1])).toEqual([{ role: R.request, key: '9', name: 'SUBSCRIBE' }]);
    expect(keys(mqttDecoder, 'received', [0x90, 3, 0, 9, 1])).toEqual([{ role: R.answer, key: '9' }]);
    // QoS 0 carries no packet id; two packets in one frame pair one by one.
    expect(keys(mqttDecoder, 'sent', [0x30, 6, ...topic, 104])).toBeNull();
    expect(keys(mqttDecoder, 'received', [0x40, 2, 0, 5, 0x40, 2, 0, 7])).toEqual([{ role: R.answer, key: '5' }, { role: R.answer, key: '7' }]);
  });

  it('graphql-ws: subscribe opens, next continues, the server’s complete answers, the client’s cancels', () => {
    const p = 'graphql-transport-ws';
    expect(keys(graphqlWsDecoder, 'sent', '{"id":"1","type":"subscribe","payload":{"query":"subscription { p }"}}', p)).toEqual([{ role: R.request, key: '"1"', name: 'subscribe' }]);
    expect(keys(graphqlWsDecoder, 'received', '{"id":"1","type":"next","payload":{"data":{}}}', p)).toEqual([{ role: R.item, key: '"1"' }]);
    expect(keys(graphqlWsDecoder, 'received', '{"id":"1","type":"complete"}', p)).toEqual([{ role: R.answer, key: '"1"' }]);
    expect(keys(graphqlWsDecoder, 'sent', '{"id":"1","type":"complete"}', p)).toEqual([{ role: R.cancel, key: '"1"' }]);
    expect(keys(graphqlWsDecoder, 'sent', '{"type":"connection_init"}', p)).toBeNull();
  });
});
