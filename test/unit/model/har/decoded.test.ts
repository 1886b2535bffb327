// HAR and decoders: an export keeps the raw payloads (HAR has no place for decodes), and an import is decoded again:
// the same protocols, summaries and decoded-name queries as the session it came from.
import { describe, expect, it } from 'vitest';
import { Encoder } from 'socket.io-parser';
import mqttPacket from 'mqtt-packet';
import { SessionStore } from '../../../../src/model/store';
import type { CaptureRecord } from '../../../../src/model/types';
import { buildHar } from '../../../../src/model/har';
import { decodingOf, summaryOf } from '../../../../src/model/decode/decoding';
import { parseQuery } from '../../../../src/model/query';
import { queryContextOf } from '../../../../src/model/query-context';
import { importStore } from './helpers';

const conn = (id: number, url: string, protocol?: string): CaptureRecord => ({
  t: 'conn', conn: { id, url, state: 'open', openedBeforeCapture: false, target: { type: 'page' }, ...(protocol ? { protocol } : {}) },
});
let nextId = 1;
const frame = (c: number, dir: 'sent' | 'received', payload: string | Uint8Array): CaptureRecord => {
  const id = nextId++;
  return typeof payload === 'string'
    ? { t: 'frame', frame: { id, conn: c, dir, opcode: 1, ts: 100 + id / 10, size: payload.length, text: payload } }
    : { t: 'frame', frame: { id, conn: c, dir, opcode: 2, ts: 100 + id / 10, size: payload.length, b64: Buffer.from(payload).toString('base64') } };
};

function session(): SessionStore {
  const s = new SessionStore();
  const sio = (packet: Record<string, unknown>) => `4${new Encoder().encode(packet as never)[0] as string}`;
  const publish = mqttPacket.generate({ cmd: 'publish', topic: 'prices/BTC', qos: 0, dup: false, retain: false, payload: '{"price":64000}' } as never);
  s.apply([
    { t: 'anchor', anchor: 1795000000 },
    conn(1, 'wss://app.example/socket.io/?EIO=4&transport=websocket'),
    frame(1, 'received', '0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}'),
    frame(1, 'sent', sio({ type: 2, nsp: '/', data: ['chat', { text: 'hi', price: 120 }] })),
    frame(1, 'received', sio({ type: 2, nsp: '/', data: ['chat', { text: 'yo', price: 80 }] })),
    conn(2, 'wss://broker.example/mqtt', 'mqtt'),
    frame(2, 'received', new Uint8Array(publish)),
  ]);
  return s;
}

const rows = (s: SessionStore) => {
  const d = decodingOf(s);
  return Array.from({ length: s.frameCount }, (_, i) => {
    const f = s.frameAt(i)!;
    return { proto: d.protoOf(f.conn), summary: summaryOf(d.decode(f)!) };
  });
};
const count = (s: SessionStore, q: string) => {
  const p = parseQuery(q).predicate!;
  const ctx = queryContextOf(s);
  let n = 0;
  for (let i = 0; i < s.frameCount; i++) if (p(s.frameAt(i)!, s.connections.get(s.frameAt(i)!.conn), ctx)) n++;
  return n;
};

describe('HAR and decoders', () => {
  it('exports raw payloads only, and an import is decoded again as the session was', () => {
    const before = session();
    const text = buildHar(before, { creator: { name: 'Frameline', version: 'test' } });
    expect(text).not.toMatch(/EVENT chat|PUBLISH prices/);
    const { s: after } = importStore(text);
    expect(rows(after)).toEqual(rows(before));
    expect(rows(after).map((r) => r.proto)).toEqual(['socketio', 'socketio', 'socketio', 'mqtt']);
    expect(rows(after)[1].summary).toBe('EVENT chat');
    expect(rows(after)[3].summary).toBe('PUBLISH prices/BTC q0 {"price":64000}');
    for (const q of ['event:chat', '$.args[0].price > 100', 'topic:prices/#', 'proto:mqtt']) expect([q, count(after, q)]).toEqual([q, count(before, q)]);
    expect(count(after, '$.args[0].price > 100')).toBe(1);
  });
});
