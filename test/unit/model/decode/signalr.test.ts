import { JsonHubProtocol, MessageType, type HubMessage } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { signalrDecoder as d } from '../../../../src/model/decode/signalr';
import { DECODE_LIMIT } from '../../../../src/model/decode/types';
import { bin, checkHostile, ctx, expectWellFormed, loadFixture, text, toInput, type FixtureFrame } from './rpc-support';

const fixture = loadFixture('signalr') as ReturnType<typeof loadFixture> & { encoded: FixtureFrame[] };
const [jsonConn, packConn] = fixture.connections;
const jsonFrames = jsonConn.frames.map(toInput);
const packFrames = packConn.frames.map(toInput);
const encoded = fixture.encoded.map(toInput);
const json = new JsonHubProtocol();
const pack = new MessagePackHubProtocol();
const summaries = (frames: ReturnType<typeof toInput>[]) => frames.map((f) => d.decode(f, ctx()).messages.map((m) => m.summary));

describe('SignalR decoder', () => {
  it('decodes a JSON hub protocol session made by @microsoft/signalr', () => {
    for (const f of jsonFrames) {
      const o = d.decode(f, ctx());
      expectWellFormed(o, 'signalr');
      expect(o.error).toBeUndefined();
    }
    expect(summaries(jsonFrames)).toEqual([
      ['Handshake json v1'],
      ['Handshake OK'],
      ['Ping'],
      ['Ping'],
      ['Invocation SendMessage #0'],
      ['Invocation ReceiveMessage', 'Completion #0'],
      ['Invocation Fail #1'],
      ["Completion #1 error: An unexpected error occurred invoking 'Fail' on the server."],
      ['Invocation Notify'],
      ['Invocation Notified'],
      ['StreamInvocation Counter #2'],
      ['StreamItem #2 0'],
      ['StreamItem #2 1'],
      ['StreamItem #2 2'],
      ['Completion #2'],
      ['StreamInvocation Forever #3'],
      ['StreamItem #3 {"tick":0}'],
      ['StreamItem #3 {"tick":1}'],
      ['CancelInvocation #3', 'Invocation Upload'],
      ['StreamItem #4 "part 1"'],
      ['StreamItem #4 "part 2"'],
      ['Completion #4'],
      ['Close'],
    ]);
    const send = d.decode(jsonFrames[4], ctx()).messages[0];
    expect(send).toMatchObject({ kind: 'Invocation', id: '0', names: { method: 'SendMessage' } });
    expect(send.names?.event).toBeUndefined();
    expect(send.value).toEqual({ target: 'SendMessage', arguments: ['ada', 'hello'], invocationId: '0', type: 1 });
    const [push, done] = d.decode(jsonFrames[5], ctx()).messages;
    expect(push).toMatchObject({ names: { method: 'ReceiveMessage', event: 'ReceiveMessage' } });
    expect(push.id).toBeUndefined();
    expect(done).toMatchObject({ kind: 'Completion', id: '0', value: { result: 'sent: hello' } });
  });

  it('decodes a MessagePack hub protocol session into the same shapes', () => {
    for (const f of packFrames) {
      const o = d.decode(f, ctx());
      expectWellFormed(o, 'signalr');
      expect(o.error).toBeUndefined();
    }
    expect(summaries(packFrames)).toEqual(summaries(jsonFrames).map((s, i) => (i === 0 ? ['Handshake messagepack v1'] : s)));
    const all = (frames: typeof jsonFrames) => frames.slice(2).flatMap((f) => d.decode(f, ctx()).messages.map((m) => m.value));
    // The JSON client writes keys in its own order, and sends streamIds: [] only in MessagePack; values match.
    expect(all(packFrames)).toEqual(all(jsonFrames));
    const notified = d.decode(packFrames[9], ctx()).messages[0];
    // 64-bit integers that fit a double come back as numbers.
    expect(notified.value).toEqual({ type: 1, target: 'Notified', arguments: [{ who: 'grace', at: 1700000000000 }] });
  });

  it('decodes Ack, Sequence and Close as the libraries write them', () => {
    const out = encoded.map((f) => d.decode(f, ctx()));
    for (const o of out) expectWellFormed(o, 'signalr');
    // The MessagePack writer leaves a Close's error out; a server writes [7, error, allowReconnect].
    expect(out.map((o) => o.messages[0].summary)).toEqual([
      'Ack 3', 'Sequence 4', 'Close error: Connection closed with an error.', 'Close',
      'Ack 3', 'Sequence 4', 'Close', 'Close',
    ]);
    expect(out[2].messages[0].value).toEqual({ type: 7, error: 'Connection closed with an error.', allowReconnect: true });
    expect(out[4].messages[0].value).toEqual({ type: 8, sequenceId: 3 });
    const body = encode([7, 'Connection closed with an error.', true]);
    const close = d.decode(bin(new Uint8Array([body.length, ...body])), ctx()).messages[0];
    expect(close.value).toEqual(out[2].messages[0].value);
  });

  it('reads headers, stream ids and several messages per frame from both encoders', () => {
    const msgs: HubMessage[] = [
      { type: MessageType.Invocation, headers: { trace: 'x1' }, invocationId: '7', target: 'Go', arguments: [1, 'a', null], streamIds: ['8'] },
      { type: MessageType.StreamItem, invocationId: '8', item: [1, 2] },
      { type: MessageType.Completion, invocationId: '7', result: { ok: true } },
      { type: MessageType.CancelInvocation, invocationId: '9' },
      { type: MessageType.Ping },
    ];
    const j = d.decode(text(msgs.map((m) => json.writeMessage(m)).join('')), ctx());
    const buf = new Uint8Array(Buffer.concat(msgs.map((m) => Buffer.from(pack.writeMessage(m)))));
    const p = d.decode(bin(buf), ctx());
    for (const o of [j, p]) {
      expectWellFormed(o, 'signalr');
      expect(o.messages.map((m) => m.summary)).toEqual(['Invocation Go #7', 'StreamItem #8 [1,2]', 'Completion #7', 'CancelInvocation #9', 'Ping']);
      expect(o.messages[0].value).toMatchObject({ headers: { trace: 'x1' }, streamIds: ['8'], arguments: [1, 'a', null] });
    }
    // The MessagePack handshake answer and the first messages in one binary frame.
    const hs = new Uint8Array([...Buffer.from('{}\x1e'), ...buf]);
    expect(d.decode(bin(hs), ctx()).messages.map((m) => m.kind).slice(0, 2)).toEqual(['HandshakeResponse', 'Invocation']);
    expect(d.decode(text('{"error":"Requested protocol \'x\' is not available."}\x1e'), ctx()).messages[0].summary).toBe(
      "Handshake error: Requested protocol 'x' is not available.",
    );
  });

  it('keeps what decoded before a failure and says why', () => {
    const good = json.writeMessage({ type: MessageType.Ping });
    expect(d.decode(text(`${good}{"type":1,"target":"x","arguments":[]}`), ctx())).toMatchObject({
      messages: [{ kind: 'Ping' }], error: 'a record not ended by 0x1E',
    });
    expect(d.decode(text(`${good}{"type":42}\x1e`), ctx()).error).toMatch(/type 1–9/);
    expect(d.decode(text(`${good}{oops}\x1e`), ctx()).error).toMatch(/^not JSON/);
    const ping = new Uint8Array(pack.writeMessage({ type: MessageType.Ping }));
    expect(d.decode(bin(new Uint8Array([...ping, 0x05, 0x91])), ctx())).toMatchObject({
      messages: [{ kind: 'Ping' }], error: 'a message of 5 bytes where 1 remain',
    });
    expect(d.decode(bin(new Uint8Array([...ping, 0x02, 0x91, 0xc1])), ctx()).error).toMatch(/^bad MessagePack/);
  });

  it('reads the head of frames past DECODE_LIMIT', () => {
    const big = 'x'.repeat(DECODE_LIMIT);
    const t = d.decode(text(json.writeMessage({ type: MessageType.Invocation, invocationId: '3', target: 'Upload', arguments: [big] })), ctx());
    expect(t.truncated).toBeDefined();
    expect(t.messages[0]).toMatchObject({ summary: 'Invocation Upload #3', id: '3', names: { method: 'Upload' } });
    // The JavaScript client writes the type last.
    const c = d.decode(text(JSON.stringify({ target: 'Upload', arguments: [big], invocationId: '5', type: 1 }) + '\x1e'), ctx());
    expect(c.messages[0]).toMatchObject({ summary: 'Invocation Upload', names: { method: 'Upload' } });
    expect(c.messages[0].names?.event).toBeUndefined();
    const item = d.decode(text(JSON.stringify({ invocationId: '6', item: big, type: 2 }) + '\x1e'), ctx());
    expect(item.messages[0]).toMatchObject({ kind: 'StreamItem', id: '6' });
    const b = d.decode(bin(pack.writeMessage({ type: MessageType.Invocation, invocationId: '3', target: 'Upload', arguments: [big] })), ctx());
    expect(b.truncated).toBeDefined();
    expect(b.messages[0]).toMatchObject({ summary: 'Invocation Upload #3', id: '3', names: { method: 'Upload' } });
  });

  it('sniffs the handshake and records of numeric type, and nothing else', () => {
    expect(d.sniff!(jsonFrames[0], '')).toBe(true);
    expect(d.sniff!(jsonFrames[1], '')).toBe(true);
    expect(d.sniff!(jsonFrames[4], '')).toBe(true);
    expect(d.sniff!(packFrames[0], '')).toBe(true);
    expect(d.sniff!(packFrames[1], '')).toBe(true);
    for (const f of packFrames.slice(2)) expect(d.sniff!(f, '')).toBe(true);
    expect(d.sniff!(text('{"type":"connection_init"}'), '')).toBe(false);
    expect(d.sniff!(text('{"type":"ping","message":1}'), '')).toBe(false);
    expect(d.sniff!(text('{"jsonrpc":"2.0","id":1,"result":1}'), '')).toBe(false);
    expect(d.sniff!(text('{"type":12}\x1e'), '')).toBe(false);
    expect(d.sniff!(text('{"a":1}\x1e'), '')).toBe(false);
    expect(d.sniff!(bin(new Uint8Array([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54])), '')).toBe(false);
    expect(d.sniff!(bin(new Uint8Array([0x93, 0x01, 0xa1, 0x61, 0x80])), '')).toBe(false);
  });

  it('survives hostile input', () => {
    checkHostile(d, [...jsonFrames, ...packFrames, ...encoded]);
  });
});
