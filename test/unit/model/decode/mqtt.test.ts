import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import mqttPacket from 'mqtt-packet';
import fixture from '../../../fixtures/decoders/mqtt.json';
import { mqttDecoder, mqttTopicMatches } from '../../../../src/model/decode/mqtt';
import { DECODE_LIMIT, type DecodeContext, type DecodeInput, type Decoded, type DecodedMessage } from '../../../../src/model/decode/types';

type Dir = 'sent' | 'received';

const gen = (p: object, v: 3 | 4 | 5 = 4): Uint8Array => new Uint8Array(mqttPacket.generate(p as any, { protocolVersion: v }));
const bin = (bytes: Uint8Array, dir: Dir = 'sent'): DecodeInput => ({ opcode: 2, dir, bytes });
const join = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** A context over `frames` (all of one direction) for the frame at `i`, counting sibling calls. */
function ctxAt(frames: DecodeInput[], i: number, calls = { n: 0 }): DecodeContext {
  return {
    url: 'ws://127.0.0.1/mqtt',
    protocol: 'mqtt',
    sibling(o) {
      calls.n++;
      return frames[i + o];
    },
  };
}
const NO_CTX: DecodeContext = { url: '', protocol: '', sibling: () => undefined };

function decode(bytes: Uint8Array, dir: Dir = 'sent', earlier: Uint8Array[] = []): Decoded {
  const frames = [...earlier.map((b) => bin(b, dir)), bin(bytes, dir)];
  return mqttDecoder.decode(frames[frames.length - 1], ctxAt(frames, frames.length - 1));
}
function one(bytes: Uint8Array, dir: Dir = 'sent', earlier: Uint8Array[] = []): DecodedMessage {
  const d = decode(bytes, dir, earlier);
  expect(d.error).toBeUndefined();
  expect(d.messages).toHaveLength(1);
  return d.messages[0];
}
const val = (m: DecodedMessage) => m.value as Record<string, any>;

/** Messages whose packet is complete in their frame (whole, or the end of one begun earlier). */
function complete(frames: DecodeInput[]): { msgs: DecodedMessage[]; results: Decoded[] } {
  const msgs: DecodedMessage[] = [];
  const results: Decoded[] = [];
  frames.forEach((f, i) => {
    const d = mqttDecoder.decode(f, ctxAt(frames, i));
    results.push(d);
    for (const m of d.messages) if (!val(m).partial) msgs.push(m);
  });
  return { msgs, results };
}

describe('mqtt decoder: identity and sniffing', () => {
  it('names itself and its subprotocols', () => {
    expect(mqttDecoder.id).toBe('mqtt');
    expect(mqttDecoder.label).toBe('MQTT');
    expect(mqttDecoder.subprotocols).toEqual(['mqtt', 'mqttv3.1']);
  });

  it('says true for a well-formed CONNECT (MQTT, MQIsdp) sent or CONNACK received, false for text, else undefined', () => {
    const sniff = (f: DecodeInput) => mqttDecoder.sniff!(f, 'ws://x');
    expect(sniff(bin(gen({ cmd: 'connect', clientId: 'c1' }, 4)))).toBe(true);
    expect(sniff(bin(gen({ cmd: 'connect', clientId: 'c1', properties: { sessionExpiryInterval: 5 } }, 5)))).toBe(true);
    expect(sniff(bin(gen({ cmd: 'connect', protocolId: 'MQIsdp', protocolVersion: 3, clientId: 'old' }, 3)))).toBe(true);
    expect(sniff(bin(gen({ cmd: 'connack', returnCode: 0 }, 4), 'received'))).toBe(true);
    expect(sniff(bin(gen({ cmd: 'connack', reasonCode: 0, properties: { topicAliasMaximum: 3 } }, 5), 'received'))).toBe(true);
    expect(sniff({ opcode: 1, dir: 'sent', text: '{"a":1}' })).toBe(false);
    // Not enough to tell: a CONNECT header alone (a writer that sends each field as a frame), the wrong direction, other binary.
    expect(sniff(bin(new Uint8Array([0x10])))).toBeUndefined();
    expect(sniff(bin(gen({ cmd: 'connect', clientId: 'c1' }, 4), 'received'))).toBeUndefined();
    expect(sniff(bin(gen({ cmd: 'publish', topic: 'a', payload: 'x' }, 4)))).toBeUndefined();
    expect(sniff(bin(new Uint8Array([0x10, 0x0c, 0, 4, 0x4d, 0x51, 0x54, 0x54, 9, 0, 0, 0, 0, 0])))).toBeUndefined();
    expect(sniff(bin(new Uint8Array([0x20, 0x02, 0x00, 0x09]), 'received'))).toBeUndefined();
    expect(sniff(bin(new Uint8Array([0x82, 0xa7, 0x63, 0x6d, 0x64])))).toBeUndefined();
  });

  it('sniffs cheaply and never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom<Dir>('sent', 'received'), (b, dir) => {
        const r = mqttDecoder.sniff!(bin(b, dir), 'ws://x');
        expect([true, undefined]).toContain(r);
      }),
    );
  });
});

describe('mqtt decoder: every packet type (frames from mqtt-packet)', () => {
  it('CONNECT 3.1.1: level, client id, flags, will, keep-alive, user name; the password is never shown', () => {
    const m = one(
      gen({
        cmd: 'connect', clientId: 'client-1', clean: true, keepalive: 30, username: 'alice', password: Buffer.from('hunter2-secret'),
        will: { topic: 'status/client-1', payload: Buffer.from('offline'), qos: 1, retain: true },
      }),
    );
    expect(m.kind).toBe('CONNECT');
    expect(m.summary).toBe('CONNECT mqtt3.1.1 client-1');
    expect(m.value).toEqual({
      type: 'CONNECT', protocolName: 'MQTT', protocolLevel: 4, version: '3.1.1', cleanSession: true, keepAlive: 30,
      clientId: 'client-1', will: { topic: 'status/client-1', qos: 1, retain: true, payloadSize: 7, payloadType: 'text', payload: 'offline' },
      username: 'alice', password: '(present, not shown)',
    });
    expect(JSON.stringify(m)).not.toContain('hunter2');
  });

  it('CONNECT 5 with properties and will properties; MQTT 3.1 (MQIsdp); an empty client id', () => {
    const m = one(
      gen({
        cmd: 'connect', protocolVersion: 5, clientId: 'client-1', clean: false, keepalive: 60,
        properties: { sessionExpiryInterval: 300, receiveMaximum: 10, maximumPacketSize: 4096, topicAliasMaximum: 5, requestResponseInformation: true, requestProblemInformation: false, userProperties: { app: 'demo' }, authenticationMethod: 'SCRAM' },
        will: { topic: 'w', payload: Buffer.from('{"gone":true}'), qos: 0, retain: false, properties: { willDelayInterval: 10, payloadFormatIndicator: true, messageExpiryInterval: 20, contentType: 'application/json', responseTopic: 'r', correlationData: Buffer.from([9]) } },
      }, 5),
    );
    expect(m.summary).toBe('CONNECT mqtt5 client-1');
    expect(val(m)).toMatchObject({
      protocolLevel: 5, version: '5', cleanStart: false, keepAlive: 60,
      properties: { sessionExpiryInterval: 300, receiveMaximum: 10, maximumPacketSize: 4096, topicAliasMaximum: 5, requestResponseInformation: true, requestProblemInformation: false, userProperties: { app: 'demo' }, authenticationMethod: 'SCRAM' },
      will: { topic: 'w', payloadType: 'json', payload: { gone: true }, properties: { willDelayInterval: 10, payloadFormatIndicator: 1, messageExpiryInterval: 20, contentType: 'application/json', responseTopic: 'r', correlationData: new Uint8Array([9]) } },
    });
    expect(one(gen({ cmd: 'connect', protocolId: 'MQIsdp', protocolVersion: 3, clientId: 'old' }, 3)).summary).toBe('CONNECT mqtt3.1 old');
    expect(one(gen({ cmd: 'connect', clientId: '' })).summary).toBe('CONNECT mqtt3.1.1 (no client id)');
  });

  it('CONNACK: 3.1.1 return codes, 5 reason codes and properties', () => {
    expect(one(gen({ cmd: 'connack', returnCode: 0, sessionPresent: true }), 'received').summary).toBe('CONNACK Connection accepted session present');
    const refused = one(gen({ cmd: 'connack', returnCode: 5 }), 'received');
    expect(refused.summary).toBe('CONNACK Not authorized');
    expect(refused.value).toEqual({ type: 'CONNACK', sessionPresent: false, reasonCode: 5, reason: 'Not authorized' });
    const v5 = one(gen({ cmd: 'connack', reasonCode: 0, properties: { assignedClientIdentifier: 'gen-1', serverKeepAlive: 20, maximumQoS: 1, retainAvailable: false, wildcardSubscriptionAvailable: true, subscriptionIdentifiersAvailable: true, sharedSubscriptionAvailable: false, topicAliasMaximum: 9, responseInformation: 'ri', serverReference: 'other' } }, 5), 'received');
    expect(v5.summary).toBe('CONNACK Success');
    expect(val(v5).properties).toEqual({ assignedClientIdentifier: 'gen-1', serverKeepAlive: 20, maximumQoS: 1, retainAvailable: false, wildcardSubscriptionAvailable: true, subscriptionIdentifiersAvailable: true, sharedSubscriptionAvailable: false, topicAliasMaximum: 9, responseInformation: 'ri', serverReference: 'other' });
    expect(one(gen({ cmd: 'connack', reasonCode: 0x87, properties: { reasonString: 'no' } }, 5), 'received').summary).toBe('CONNACK Not authorized');
  });

  it('PUBLISH 3.1.1: topic, QoS, retain, dup, packet id, JSON payload as a tree; names.topic and id', () => {
    const m = one(gen({ cmd: 'publish', topic: 'prices/BTC', qos: 1, messageId: 7, retain: true, dup: true, payload: '{"price":64000.5,"pair":["BTC","USD"]}' }));
    expect(m.kind).toBe('PUBLISH');
    expect(m.summary).toBe('PUBLISH prices/BTC q1 #7 retain dup {"price":64000.5,"pair":["BTC","USD"]}');
    expect(m.names).toEqual({ topic: 'prices/BTC' });
    expect(m.id).toBe(7);
    expect(m.value).toEqual({
      type: 'PUBLISH', qos: 1, retain: true, dup: true, topic: 'prices/BTC', packetId: 7, payloadSize: 38, payloadType: 'json',
      payload: { price: 64000.5, pair: ['BTC', 'USD'] },
    });
    const q0 = one(gen({ cmd: 'publish', topic: 'prices/BTC', qos: 0, payload: 'hello' }));
    expect(q0.summary).toBe('PUBLISH prices/BTC q0 "hello"');
    expect(q0.id).toBeUndefined();
    expect(val(q0)).toMatchObject({ payloadType: 'text', payload: 'hello' });
  });

  it('PUBLISH payloads: text, bytes (invalid UTF-8 or control characters), too-deep JSON stays text', () => {
    expect(val(one(gen({ cmd: 'publish', topic: 't', payload: Buffer.from('héllo') })))).toMatchObject({ payloadType: 'text', payload: 'héllo' });
    expect(val(one(gen({ cmd: 'publish', topic: 't', payload: Buffer.from([0xff, 0x01]) })))).toMatchObject({ payloadType: 'bytes', payload: new Uint8Array([0xff, 0x01]) });
    expect(val(one(gen({ cmd: 'publish', topic: 't', payload: Buffer.from([0x41, 0x01, 0x02]) })))).toMatchObject({ payloadType: 'bytes' });
    const deep = '['.repeat(200) + ']'.repeat(200);
    expect(val(one(gen({ cmd: 'publish', topic: 't', payload: deep })))).toMatchObject({ payloadType: 'text', payload: deep });
    expect(val(one(gen({ cmd: 'publish', topic: 't', payload: '' })))).toMatchObject({ payloadType: 'text', payload: '', payloadSize: 0 });
  });

  it('PUBLISH summaries show a text or JSON payload on one line, cut; bytes and empty payloads none', () => {
    const summary = (payload: string | Buffer) => one(gen({ cmd: 'publish', topic: 't', payload })).summary;
    expect(summary('line one\nline two')).toBe('PUBLISH t q0 "line one\\nline two"');
    expect(summary(JSON.stringify({ quotes: 'x'.repeat(100) }))).toMatch(/^PUBLISH t q0 \{"quotes":"x+…$/);
    expect(summary(JSON.stringify({ quotes: 'x'.repeat(100) })).length).toBeLessThan(60);
    expect(summary(Buffer.from([0xff, 0x01]))).toBe('PUBLISH t q0');
    expect(summary('')).toBe('PUBLISH t q0');
  });

  it('PUBLISH 5: properties by name, repeated user properties, a topic alias in place of the topic', () => {
    const m = one(
      gen({
        cmd: 'publish', topic: 'prices/ETH', qos: 2, messageId: 9, payload: '{"price":3100}',
        properties: { payloadFormatIndicator: true, messageExpiryInterval: 60, topicAlias: 4, responseTopic: 'reply/1', correlationData: Buffer.from([1, 2]), userProperties: { source: 'feed', region: ['eu', 'us'], __proto__: 'x' }, subscriptionIdentifier: 12, contentType: 'application/json' },
      }, 5),
    );
    expect(m.summary).toBe('PUBLISH prices/ETH q2 #9 {"price":3100}');
    const props = val(m).properties;
    expect(props).toMatchObject({ payloadFormatIndicator: 1, messageExpiryInterval: 60, topicAlias: 4, responseTopic: 'reply/1', correlationData: new Uint8Array([1, 2]), subscriptionIdentifier: 12, contentType: 'application/json' });
    expect(props.userProperties.source).toBe('feed');
    expect(props.userProperties.region).toEqual(['eu', 'us']);
    expect(Object.getPrototypeOf(props.userProperties)).toBe(Object.prototype);
    expect(val(m).payload).toEqual({ price: 3100 });
    const alias = one(gen({ cmd: 'publish', topic: '', qos: 0, payload: 'x', properties: { topicAlias: 4 } }, 5));
    expect(alias.summary).toBe('PUBLISH (alias 4) q0 "x"');
    expect(alias.names).toBeUndefined();
  });

  it('PUBACK / PUBREC / PUBREL / PUBCOMP in 3.1.1 and 5 (reason codes, reason string)', () => {
    for (const cmd of ['puback', 'pubrec', 'pubrel', 'pubcomp']) {
      const m = one(gen({ cmd, messageId: 7 }), 'received');
      expect(m.kind).toBe(cmd.toUpperCase());
      expect(m.summary).toBe(`${cmd.toUpperCase()} #7`);
      expect(m.id).toBe(7);
    }
    const noSubs = one(gen({ cmd: 'puback', messageId: 7, reasonCode: 0x10, properties: { reasonString: 'none', userProperties: { a: 'b' } } }, 5), 'received');
    expect(noSubs.summary).toBe('PUBACK #7 No matching subscribers');
    expect(noSubs.value).toEqual({ type: 'PUBACK', packetId: 7, reasonCode: 0x10, reason: 'No matching subscribers', properties: { reasonString: 'none', userProperties: { a: 'b' } } });
    expect(one(gen({ cmd: 'pubrel', messageId: 3, reasonCode: 0x92 }, 5)).summary).toBe('PUBREL #3 Packet Identifier not found');
    expect(one(gen({ cmd: 'pubcomp', messageId: 3, reasonCode: 0 }, 5)).summary).toBe('PUBCOMP #3');
  });

  it('SUBSCRIBE with filters and options (3.1.1, 5), SUBACK codes', () => {
    const s4 = one(gen({ cmd: 'subscribe', messageId: 7, subscriptions: [{ topic: 'prices/#', qos: 1 }] }));
    expect(s4.summary).toBe('SUBSCRIBE prices/# q1 #7');
    expect(s4.names).toBeUndefined();
    expect(s4.value).toEqual({ type: 'SUBSCRIBE', packetId: 7, subscriptions: [{ filter: 'prices/#', qos: 1 }] });
    const s5 = one(gen({ cmd: 'subscribe', messageId: 8, properties: { subscriptionIdentifier: 3 }, subscriptions: [
      { topic: 'a/+', qos: 2, nl: true, rap: true, rh: 2 }, { topic: 'b', qos: 0 }, { topic: '$share/g/c', qos: 1 },
    ] }, 5));
    expect(s5.summary).toBe('SUBSCRIBE a/+ q2, b q0 +1 #8');
    expect(val(s5)).toMatchObject({ properties: { subscriptionIdentifier: 3 }, subscriptions: [
      { filter: 'a/+', qos: 2, noLocal: true, retainAsPublished: true, retainHandling: 2 },
      { filter: 'b', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 }, { filter: '$share/g/c', qos: 1 },
    ] });
    const a4 = one(gen({ cmd: 'suback', messageId: 7, granted: [1, 0x80, 2] }), 'received');
    expect(a4.summary).toBe('SUBACK #7 Failure');
    expect(val(a4)).toMatchObject({ reasonCodes: [1, 0x80, 2], reasons: ['Granted QoS 1', 'Failure', 'Granted QoS 2'] });
    const a5 = one(gen({ cmd: 'suback', messageId: 8, granted: [0, 0x87], properties: { reasonString: 'partly' } }, 5), 'received');
    expect(a5.summary).toBe('SUBACK #8 Not authorized');
    expect(val(a5)).toMatchObject({ properties: { reasonString: 'partly' }, reasonCodes: [0, 0x87], reasons: ['Granted QoS 0', 'Not authorized'] });
    expect(one(gen({ cmd: 'suback', messageId: 7, granted: [1] }), 'received').summary).toBe('SUBACK #7');
  });

  it('UNSUBSCRIBE / UNSUBACK in 3.1.1 and 5', () => {
    const u4 = one(gen({ cmd: 'unsubscribe', messageId: 9, unsubscriptions: ['news/+', 'ctl/x'] }));
    expect(u4.summary).toBe('UNSUBSCRIBE news/+, ctl/x #9');
    expect(u4.value).toEqual({ type: 'UNSUBSCRIBE', packetId: 9, filters: ['news/+', 'ctl/x'] });
    expect(val(one(gen({ cmd: 'unsubscribe', messageId: 9, unsubscriptions: ['a'], properties: { userProperties: { k: 'v' } } }, 5)))).toMatchObject({ filters: ['a'], properties: { userProperties: { k: 'v' } } });
    expect(one(gen({ cmd: 'unsuback', messageId: 9 }), 'received').value).toEqual({ type: 'UNSUBACK', packetId: 9 });
    const u5 = one(gen({ cmd: 'unsuback', messageId: 9, granted: [0, 0x11], properties: {} }, 5), 'received');
    expect(u5.summary).toBe('UNSUBACK #9 No subscription existed');
    expect(u5.id).toBe(9);
  });

  it('PINGREQ, PINGRESP, DISCONNECT (3.1.1 and 5), AUTH', () => {
    expect(one(gen({ cmd: 'pingreq' })).summary).toBe('PINGREQ');
    expect(one(gen({ cmd: 'pingresp' }), 'received').summary).toBe('PINGRESP');
    expect(one(gen({ cmd: 'disconnect' })).value).toEqual({ type: 'DISCONNECT' });
    const d5 = one(gen({ cmd: 'disconnect', reasonCode: 0x8e, properties: { reasonString: 'taken', sessionExpiryInterval: 0, serverReference: 's2' } }, 5), 'received');
    expect(d5.summary).toBe('DISCONNECT Session taken over');
    expect(val(d5).properties).toEqual({ reasonString: 'taken', sessionExpiryInterval: 0, serverReference: 's2' });
    const auth = one(gen({ cmd: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'SCRAM', authenticationData: Buffer.from([1, 2, 3]), reasonString: 'more' } }, 5), 'received');
    expect(auth.summary).toBe('AUTH Continue authentication');
    expect(auth.value).toEqual({ type: 'AUTH', reasonCode: 0x18, reason: 'Continue authentication', properties: { authenticationMethod: 'SCRAM', authenticationData: new Uint8Array([1, 2, 3]), reasonString: 'more' } });
  });

  it('agrees with mqtt-packet’s own parser on every packet type', () => {
    const packets: [object, 4 | 5][] = [
      [{ cmd: 'connect', clientId: 'x', username: 'u', password: Buffer.from('p') }, 4],
      [{ cmd: 'connack', reasonCode: 0, properties: { receiveMaximum: 5 } }, 5],
      [{ cmd: 'publish', topic: 'a/b', qos: 1, messageId: 42, payload: 'p', properties: { contentType: 'text/plain' } }, 5],
      [{ cmd: 'puback', messageId: 42 }, 4], [{ cmd: 'pubrec', messageId: 43 }, 5], [{ cmd: 'pubrel', messageId: 44 }, 4], [{ cmd: 'pubcomp', messageId: 45 }, 5],
      [{ cmd: 'subscribe', messageId: 46, subscriptions: [{ topic: 'x/#', qos: 2 }] }, 4], [{ cmd: 'suback', messageId: 46, granted: [2], properties: {} }, 5],
      [{ cmd: 'unsubscribe', messageId: 47, unsubscriptions: ['x/#'], properties: {} }, 5], [{ cmd: 'unsuback', messageId: 47 }, 4],
      [{ cmd: 'pingreq' }, 4], [{ cmd: 'pingresp' }, 5], [{ cmd: 'disconnect', reasonCode: 0x04 }, 5], [{ cmd: 'auth', reasonCode: 0, properties: { authenticationMethod: 'm' } }, 5],
    ];
    for (const [p, v] of packets) {
      const bytes = gen(p, v);
      const parser = mqttPacket.parser({ protocolVersion: v });
      let ref: any;
      parser.on('packet', (x: any) => (ref = x));
      parser.parse(Buffer.from(bytes));
      const m = one(bytes, 'sent', [gen({ cmd: 'connect', clientId: 'c', protocolVersion: v }, v)]);
      expect(m.kind).toBe(ref.cmd.toUpperCase());
      expect(m.id).toBe(ref.messageId);
      if (ref.topic != null) expect(val(m).topic).toBe(ref.topic);
      if (ref.cmd === 'publish') expect(val(m).qos).toBe(ref.qos);
      if (ref.reasonCode) expect(val(m).reasonCode).toBe(ref.reasonCode);
    }
  });
});

describe('mqtt decoder: frames', () => {
  it('decodes several packets in one frame, each its own message', () => {
    const frame = join(
      gen({ cmd: 'publish', topic: 'prices/BTC', qos: 1, messageId: 1, payload: '{"p":1}' }),
      gen({ cmd: 'publish', topic: 'prices/ETH', qos: 0, payload: '{"p":2}' }),
      gen({ cmd: 'pingreq' }),
    );
    const d = decode(frame);
    expect(d.error).toBeUndefined();
    expect(d.messages.map((m) => m.summary)).toEqual(['PUBLISH prices/BTC q1 #1 {"p":1}', 'PUBLISH prices/ETH q0 {"p":2}', 'PINGREQ']);
    expect(d.messages.map((m) => m.names?.topic)).toEqual(['prices/BTC', 'prices/ETH', undefined]);
  });

  it('validates the fixed header flags and the packet; messages before a failure stay', () => {
    const ok = gen({ cmd: 'pingreq' });
    const bad = (bytes: number[]) => decode(join(ok, new Uint8Array(bytes)));
    expect(bad([0x60, 0x02, 0x00, 0x01]).error).toMatch(/PUBREL with fixed header flags 0 \(must be 2\)/);
    expect(bad([0x36, 0x02, 0x00, 0x00]).error).toMatch(/PUBLISH with QoS 3/);
    expect(bad([0x80, 0x05, 0, 1, 0, 1, 0x61]).error).toMatch(/SUBSCRIBE with fixed header flags 0/);
    expect(bad([0x00, 0x00]).error).toMatch(/packet type 0 is reserved/);
    expect(bad([0xc0, 0x01, 0x00]).error).toMatch(/PINGREQ at byte 2: 1 unexpected bytes/);
    expect(bad([0x30, 0x05, 0x00, 0x03, 0x61, 0x2f, 0x23]).error).toMatch(/contains a wildcard/);
    const connect = gen({ cmd: 'connect', clientId: 'x' });
    connect[9] |= 1;
    expect(decode(connect).error).toMatch(/reserved connect flag/);
    const d = bad([0x60, 0x02, 0x00, 0x01]);
    expect(d.messages.map((m) => m.kind)).toEqual(['PINGREQ']);
  });

  it('says a frame that ends inside a packet continues in the next frame, and reassembles it there', () => {
    const publish = gen({ cmd: 'publish', topic: 'prices/BTC', qos: 1, messageId: 5, payload: '{"price":1}' });
    const a = join(gen({ cmd: 'pingreq' }), publish.subarray(0, 9));
    const b = publish.subarray(9, 14);
    const c = join(publish.subarray(14), gen({ cmd: 'disconnect' }));
    const frames = [a, b, c].map((x) => bin(x));
    const [da, db, dc] = frames.map((f, i) => mqttDecoder.decode(f, ctxAt(frames, i)));
    expect(da.messages.map((m) => m.summary)).toEqual(['PINGREQ', 'PUBLISH q1 (continues in the next frame)']);
    expect(val(da.messages[1]).partial).toBe(true);
    expect(db.messages[0].summary).toBe('PUBLISH prices/BTC q1 (continued; continues in the next frame)');
    expect(db.messages[0].names).toEqual({ topic: 'prices/BTC' });
    expect(dc.error).toBeUndefined();
    expect(dc.messages.map((m) => m.summary)).toEqual(['PUBLISH prices/BTC q1 #5 {"price":1}', 'DISCONNECT']);
    expect(val(dc.messages[0])).toMatchObject({ payload: { price: 1 }, frames: 3 });
    expect(dc.messages[0].id).toBe(5);
  });

  it('recovers every packet of a stream however it is cut into frames', () => {
    const packets = [
      gen({ cmd: 'connect', protocolVersion: 5, clientId: 'cut-test', keepalive: 10, properties: { sessionExpiryInterval: 9 } }, 5),
      gen({ cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: 'prices/#', qos: 1 }], properties: {} }, 5),
      gen({ cmd: 'publish', topic: 'prices/BTC', qos: 1, messageId: 4, payload: '{"price":64000}', properties: { contentType: 'application/json', userProperties: { k: 'v' } } }, 5),
      gen({ cmd: 'publish', topic: 'prices/ETH', qos: 0, payload: 'plain text', properties: {} }, 5),
      gen({ cmd: 'pubrel', messageId: 4 }, 5),
      gen({ cmd: 'pingreq' }, 5),
      gen({ cmd: 'publish', topic: 'x', qos: 2, messageId: 6, payload: '[1,2,3]', properties: {} }, 5),
      gen({ cmd: 'unsubscribe', messageId: 7, unsubscriptions: ['prices/#'], properties: {} }, 5),
      gen({ cmd: 'disconnect' }, 5),
    ];
    const stream = join(...packets);
    const whole = complete([bin(stream)]).msgs.map((m) => m.summary);
    expect(whole).toHaveLength(packets.length);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 200 }), (sizes) => {
        const frames: DecodeInput[] = [];
        let at = 0;
        for (let i = 0; at < stream.length; i++) {
          const n = sizes[i % sizes.length];
          frames.push(bin(stream.subarray(at, at + n)));
          at += n;
        }
        const { msgs, results } = complete(frames);
        for (const r of results) expect(r.error).toBeUndefined();
        expect(msgs.map((m) => m.summary)).toEqual(whole);
      }),
      { seed: 20240601, numRuns: 100 },
    );
  });

  it('bounds its look-back: a frame asks for at most a fixed number of siblings', () => {
    const filler = Array.from({ length: 500 }, () => bin(new Uint8Array([0x00, 0x01, 0x02])));
    const calls = { n: 0 };
    const d = mqttDecoder.decode(filler[499], ctxAt(filler, 499, calls));
    expect(d.proto).toBe('mqtt');
    expect(d.error).toMatch(/not an MQTT packet at byte 0.*more than 64 frames before/);
    expect(calls.n).toBeLessThanOrEqual(64 + 4);
  });

  it('reads the level from a CONNECT in the frame or in earlier sent frames; else v5 where it validates', () => {
    const connect4 = gen({ cmd: 'connect', clientId: 'c' }, 4);
    // A 3.1.1 payload starting with byte 0 also reads as a v5 PUBLISH with no properties.
    const publish = gen({ cmd: 'publish', topic: 't', qos: 0, payload: Buffer.from([0x00, 0x41, 0x42]) }, 4);
    expect(val(decode(join(connect4, publish)).messages[1])).toMatchObject({ payloadSize: 3 });
    expect(val(decode(join(connect4, publish)).messages[1]).properties).toBeUndefined();
    expect(val(one(publish, 'sent', [connect4, gen({ cmd: 'pingreq' })]))).toMatchObject({ payloadSize: 3, payload: new Uint8Array([0, 0x41, 0x42]) });
    // Nothing tells: the v5 reading validates, so it wins (documented heuristic).
    expect(val(one(publish, 'received'))).toMatchObject({ properties: {}, payloadSize: 2, payload: 'AB' });
    // A packet that reads one way only tells the level for the rest of the frame, before and after it.
    const suback4 = gen({ cmd: 'suback', messageId: 2, granted: [0, 1] }, 4);
    expect(val(one(suback4, 'received')).reasonCodes).toEqual([1]);
    const withConnack = decode(join(suback4, gen({ cmd: 'connack', returnCode: 0 }, 4)), 'received');
    expect(val(withConnack.messages[0]).reasonCodes).toEqual([0, 1]);
  });

  it('decodes the first DECODE_LIMIT bytes of a huge frame and says so', () => {
    const big = gen({ cmd: 'publish', topic: 'big/blob', qos: 1, messageId: 3, payload: Buffer.alloc(DECODE_LIMIT * 2, 0x61) });
    const d = decode(big);
    expect(d.truncated).toBe('decoded the first 1 MiB of 2 MiB');
    expect(d.messages).toHaveLength(1);
    expect(d.messages[0].summary).toBe('PUBLISH big/blob q1 #3 (truncated)');
    expect(val(d.messages[0])).toMatchObject({ partial: true, payloadSize: DECODE_LIMIT * 2, topic: 'big/blob' });
    expect(val(d.messages[0]).payloadReceived).toBeLessThan(DECODE_LIMIT);
  });

  it('follows a packet too large to reassemble: what fits is shown, the frame that ends it reads on after it', () => {
    const big = gen({ cmd: 'publish', topic: 'big/blob', qos: 0, payload: Buffer.alloc(3 * DECODE_LIMIT, 0x61) });
    const piece = DECODE_LIMIT / 2;
    const parts: Uint8Array[] = [];
    for (let at = 0; at < big.length; at += piece) parts.push(big.subarray(at, at + piece));
    parts[parts.length - 1] = join(parts[parts.length - 1], gen({ cmd: 'pingreq' }));
    const frames = parts.map((p) => bin(p));
    const results = frames.map((f, i) => mqttDecoder.decode(f, ctxAt(frames, i)));
    for (const r of results) expect(r.error).toBeUndefined();
    expect(results[0].messages[0].summary).toBe('PUBLISH big/blob q0 (continues in the next frame)');
    expect(results[1].messages[0].summary).toBe('PUBLISH big/blob q0 (continued; continues in the next frame)');
    expect(results[3].messages[0].summary).toBe('PUBLISH big/blob q0 (continued; too large to reassemble)');
    const last = results[results.length - 1];
    expect(last.messages.map((m) => m.summary)).toEqual(['PUBLISH big/blob q0 (end of a packet too large to reassemble)', 'PINGREQ']);
    expect(val(last.messages[0])).toMatchObject({ topic: 'big/blob', partial: true, payloadSize: 3 * DECODE_LIMIT });
  });

  it('bounds the number of packets it reads in one frame', () => {
    const many = new Uint8Array(30_000 * 2);
    for (let i = 0; i < many.length; i += 2) many[i] = 0xc0;
    const d = decode(many);
    expect(d.messages).toHaveLength(10_000);
    expect(d.truncated).toMatch(/decoded the first 10000 packets/);
  });

  it('refuses text frames with a reason', () => {
    const d = mqttDecoder.decode({ opcode: 1, dir: 'sent', text: 'hello' }, NO_CTX);
    expect(d).toMatchObject({ proto: 'mqtt', messages: [] });
    expect(d.error).toMatch(/binary frames/);
  });
});

describe('mqttTopicMatches', () => {
  it.each([
    ['prices/#', 'prices/BTC', true], ['prices/#', 'prices', true], ['prices/#', 'prices/BTC/USD', true], ['prices/#', 'pricesX', false],
    ['prices/+', 'prices/BTC', true], ['prices/+', 'prices/BTC/USD', false], ['prices/+', 'prices', false], ['prices/+', 'prices/', true],
    ['+/+', '/finance', true], ['+', 'a', true], ['+', 'a/b', false], ['#', 'a/b/c', true], ['a/+/c', 'a/b/c', true], ['a/+/c', 'a/b/d', false],
    ['a/b', 'a/b', true], ['a/b', 'a/bc', false], ['a/b', 'a', false], ['a', 'a/b', false], ['sport/tennis/#', 'sport/tennis', true],
    ['#', '$SYS/broker', false], ['+/broker', '$SYS/broker', false], ['$SYS/#', '$SYS/broker', true], ['$SYS/+', '$SYS/broker', true],
  ])('%s matches %s: %s', (filter, topic, want) => {
    expect(mqttTopicMatches(filter, topic)).toBe(want);
  });
});

describe('mqtt decoder: recorded frames (MQTT.js with aedes, and a v5 broker on mqtt-packet)', () => {
  const conns = (fixture as any).connections as { name: string; protocol: string; frames: { dir: Dir; opcode: number; b64: string }[] }[];
  const framesOf = (name: string, dir: Dir) =>
    conns.find((c) => c.name === name)!.frames.filter((f) => f.dir === dir).map((f) => ({ opcode: f.opcode, dir, bytes: new Uint8Array(Buffer.from(f.b64, 'base64')) }));

  it('was recorded over the mqtt subprotocol, with every field of a packet in its own frame (node ws streams)', () => {
    expect(conns.map((c) => c.name)).toEqual(['v4', 'v5-mini', 'v5-mini-auth', 'v5-aedes', 'v4-refused']);
    for (const c of conns) expect(c.protocol).toBe('mqtt');
    expect(framesOf('v4', 'sent')[0].bytes).toEqual(new Uint8Array([0x10]));
  });

  it('reassembles every packet, in both directions, the same as mqtt-packet parses the joined stream', () => {
    for (const c of conns) {
      const level = c.name.startsWith('v5') ? 5 : 4;
      for (const dir of ['sent', 'received'] as Dir[]) {
        const frames = framesOf(c.name, dir);
        const parser = mqttPacket.parser({ protocolVersion: dir === 'received' && c.name === 'v5-aedes' ? 4 : level });
        const ref: any[] = [];
        parser.on('packet', (p: any) => ref.push(p));
        parser.parse(Buffer.concat(frames.map((f) => f.bytes)));
        const { msgs, results } = complete(frames);
        for (const r of results) expect(r.error).toBeUndefined();
        expect(msgs.map((m) => m.kind)).toEqual(ref.map((p) => p.cmd.toUpperCase()));
        expect(msgs.map((m) => m.id)).toEqual(ref.map((p) => p.messageId));
        expect(msgs.map((m) => val(m).topic)).toEqual(ref.map((p) => p.topic ?? undefined));
      }
    }
  });

  it('shows the session as a user reads it', () => {
    const sent = complete(framesOf('v5-mini', 'sent')).msgs;
    expect(sent[0].summary).toBe('CONNECT mqtt5 client-v5');
    expect(val(sent[0])).toMatchObject({ username: 'alice', password: '(present, not shown)', will: { topic: 'status/client-v5', properties: { willDelayInterval: 5 } } });
    expect(JSON.stringify(sent.map((m) => m.value), (_k, v) => (v instanceof Uint8Array ? [...v] : v))).not.toContain('secret-password');
    const subscribe = sent.find((m) => m.kind === 'SUBSCRIBE')!;
    expect(subscribe.summary).toMatch(/^SUBSCRIBE prices\/# q1, news\/\+ q0 \+1 #\d+$/);
    expect(val(subscribe).properties).toEqual({ subscriptionIdentifier: 7 });
    const eth = sent.find((m) => m.names?.topic === 'prices/ETH')!;
    expect(val(eth)).toMatchObject({
      qos: 1, payload: { price: 3100.25 }, payloadType: 'json',
      properties: { contentType: 'application/json', messageExpiryInterval: 120, userProperties: { source: 'feed', region: ['eu', 'us'] }, correlationData: new Uint8Array([1, 2, 3, 4]), responseTopic: 'replies/client-v5', payloadFormatIndicator: 1 },
    });
    expect(sent.some((m) => m.summary.startsWith('PUBLISH (alias 3) q1'))).toBe(true);

    const received = complete(framesOf('v5-mini', 'received')).msgs;
    expect(received[0].summary).toBe('CONNACK Success');
    expect(received.find((m) => m.kind === 'SUBACK' && m.summary.endsWith('Not authorized'))).toBeDefined();
    const ctl = received.find((m) => m.names?.topic === 'ctl/x')!;
    expect(val(ctl)).toMatchObject({ qos: 2, payload: 'héllo wörld', properties: { subscriptionIdentifier: 7 } });

    const v4 = complete(framesOf('v4', 'received')).msgs;
    expect(v4.map((m) => m.summary.replace(/#\d+/, '#n'))).toContain('SUBACK #n');
    expect(complete(framesOf('v5-aedes', 'received')).msgs[0].summary).toBe('CONNACK Unacceptable protocol version');
    expect(complete(framesOf('v4-refused', 'received')).msgs[0].summary).toBe('CONNACK Not authorized');
    const auth = complete(framesOf('v5-mini-auth', 'received')).msgs;
    expect(auth.map((m) => m.summary)).toEqual(['AUTH Continue authentication', 'CONNACK Success']);
  });

  it('marks every frame of a split packet but the last as continuing', () => {
    const frames = framesOf('v4', 'sent');
    const results = frames.map((f, i) => mqttDecoder.decode(f, ctxAt(frames, i)));
    const firstConnectEnd = results.findIndex((r) => r.messages.some((m) => m.kind === 'CONNECT' && !val(m).partial));
    for (let i = 0; i < firstConnectEnd; i++) expect(results[i].messages[0].summary).toMatch(/continues in the next frame\)$/);
    expect(results[firstConnectEnd].messages[0].summary).toBe('CONNECT mqtt3.1.1 client-v4');
    expect(val(results[firstConnectEnd].messages[0]).frames).toBe(firstConnectEnd + 1);
  });
});

describe('mqtt decoder: hostile input', () => {
  const check = (d: Decoded) => {
    expect(d.proto).toBe('mqtt');
    expect(Array.isArray(d.messages)).toBe(true);
    for (const m of d.messages) {
      expect(typeof m.summary).toBe('string');
      expect(m.summary).not.toMatch(/[\x00-\x1f\x7f]/);
      expect(typeof m.kind).toBe('string');
    }
  };
  const real = conns();
  function conns(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const c of (fixture as any).connections) for (const f of c.frames) out.push(new Uint8Array(Buffer.from(f.b64, 'base64')));
    out.push(
      gen({ cmd: 'connect', clientId: 'x', will: { topic: 'w', payload: 'p', qos: 1 }, properties: { userProperties: { a: 'b' } } }, 5),
      gen({ cmd: 'publish', topic: 'p/q', qos: 2, messageId: 9, payload: '{"a":[1,2]}', properties: { topicAlias: 1, subscriptionIdentifier: [1, 2] } }, 5),
      gen({ cmd: 'suback', messageId: 1, granted: [0, 1, 0x80] }, 4),
      gen({ cmd: 'connack', reasonCode: 0, properties: { assignedClientIdentifier: 'z' } }, 5),
    );
    return out;
  }

  it('never throws on random bytes, with random earlier frames', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 20 }), fc.constantFrom<Dir>('sent', 'received'), (b, earlier, dir) => {
        check(decode(b, dir, earlier));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on truncated or mutated real frames', () => {
    const realFrame = fc.constantFrom(...real);
    fc.assert(
      fc.property(
        realFrame, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat(), fc.array(realFrame, { maxLength: 30 }), fc.constantFrom<Dir>('sent', 'received'),
        (frame, edits, cutAt, earlier, dir) => {
          const b = frame.slice(0, frame.length ? (cutAt % frame.length) + 1 : 0);
          for (const [at, v] of edits) if (b.length) b[at % b.length] = v;
          check(decode(b, dir, earlier));
          check(decode(join(...earlier.slice(0, 3), b), dir));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps every summary one line when topics, client ids and payloads hold control characters', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...real),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(0x0a, 0x0d, 0x00, 0x09, 0x1b, 0x7f)), { minLength: 1, maxLength: 6 }),
        fc.constantFrom<Dir>('sent', 'received'),
        (frame, edits, dir) => {
          const b = frame.slice();
          for (const [at, v] of edits) if (b.length) b[at % b.length] = v;
          check(decode(b, dir));
        },
      ),
      { numRuns: 1000 },
    );
    const topic = one(gen({ cmd: 'publish', topic: 'a\nb\r\x1bc', qos: 0, payload: 'x\ny' }, 4));
    expect(topic.summary).toBe('PUBLISH a b c q0 "x\\ny"');
  });

  it('stays quick on a huge frame of garbage and on a long run of split frames', () => {
    const garbage = new Uint8Array(4 * DECODE_LIMIT).map((_, i) => (i * 131 + 7) & 0xff);
    const t0 = performance.now();
    check(decode(garbage));
    const frames = Array.from({ length: 300 }, (_, i) => bin(new Uint8Array([0x30 | (i & 1), 0x7f])));
    for (let i = 0; i < frames.length; i++) check(mqttDecoder.decode(frames[i], ctxAt(frames, i)));
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
